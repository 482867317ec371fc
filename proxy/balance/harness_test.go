package balance

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// This file drives a real haproxy 2.6 in front of tiny HTTP backends and
// records which backend answered each request; golden_test.go replays the
// recorded sequences through our Balancer.

// reqSpec is one client request of a scenario.
type reqSpec struct {
	Src     string      // client source address (127.0.0.0/8), "" = 127.0.0.1
	URI     string      // request target
	Headers [][2]string // extra request headers, in order
	HTTP10  bool        // send HTTP/1.0 without Host
	Body    string      // sent as a POST with this form body when set
	Hold    bool        // the backend keeps the request open until released
	Raw     string      // mode tcp: payload sent instead of an HTTP request
}

// step is something done before a request: a runtime API command sent to
// haproxy's stats socket (and mirrored on our balancer), or the release
// of a held request.
type step struct {
	CLI     string
	Release int
}

type scenario struct {
	Name    string
	TCP     bool     // run the frontend and backend in mode tcp
	Backend []string // lines of the backend section (balance, hash-type, options)
	Servers []string // "name [keywords]" per server line, address added
	N       int      // number of requests (default 100)
	Req     func(i int) reqSpec
	Steps   map[int][]step // before request i
	// Clock, when set, paces the requests: request i leaves Clock(i) after
	// an instant aligned 50ms past a wall-clock second, where the steps
	// of request 0 run. haproxy counts slowstart in whole seconds of its
	// clock, so requests sent mid-second see a known warm-up step.
	Clock func(i int) time.Duration
}

func (sc *scenario) count() int {
	if sc.N == 0 {
		return 100
	}
	return sc.N
}

func (sc *scenario) request(i int) reqSpec {
	if sc.Req == nil {
		return reqSpec{URI: "/"}
	}
	r := sc.Req(i)
	if r.URI == "" {
		r.URI = "/"
	}
	return r
}

// backendPool runs one HTTP server per haproxy server line.
type backendPool struct {
	addrs    []string
	mu       sync.Mutex
	received map[int]chan struct{} // request index -> arrived
	release  map[int]chan struct{} // request index -> may answer
}

func (p *backendPool) chans(i int) (chan struct{}, chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.received[i] == nil {
		p.received[i] = make(chan struct{})
		p.release[i] = make(chan struct{})
	}
	return p.received[i], p.release[i]
}

// startBackends starts one raw TCP server per name. Each reads a request
// up to the blank line (an HTTP request in mode http, or the scenario's
// raw payload in mode tcp, which ends the same way), optionally waits to be
// released, and answers with an HTTP response naming itself.
func startBackends(t *testing.T, names []string) *backendPool {
	p := &backendPool{received: map[int]chan struct{}{}, release: map[int]chan struct{}{}}
	for _, name := range names {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go p.serve(c, name)
			}
		}()
		p.addrs = append(p.addrs, ln.Addr().String())
	}
	return p
}

func (p *backendPool) serve(c net.Conn, name string) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	r := bufio.NewReader(c)
	id, hold := -1, false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		k, v, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "x-req":
			id, _ = strconv.Atoi(strings.TrimSpace(v))
		case "x-hold":
			hold = strings.TrimSpace(v) == "1"
		}
	}
	if id >= 0 {
		rec, rel := p.chans(id)
		close(rec)
		if hold {
			<-rel
		}
	}
	fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nX-Server: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n", name, len(name)+1, name)
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// haproxyConfig renders the scenario; addrs nil gives the address-free
// form stored in golden files.
func (sc *scenario) haproxyConfig(addrs []string, port int, sock string) string {
	var b strings.Builder
	if addrs != nil {
		fmt.Fprintf(&b, "global\n\tnbthread 1\n\tstats socket %s mode 600 level admin\n\n", sock)
		mode := "http"
		if sc.TCP {
			mode = "tcp"
		}
		fmt.Fprintf(&b, "defaults\n\tmode %s\n", mode)
		b.WriteString("\ttimeout connect 5s\n\ttimeout client 30s\n\ttimeout server 30s\n\ttimeout queue 30s\n\n")
		fmt.Fprintf(&b, "frontend fe\n\tbind 127.0.0.1:%d\n\tdefault_backend be\n\n", port)
	}
	b.WriteString("backend be\n")
	if sc.TCP {
		b.WriteString("\tmode tcp\n")
	}
	for _, l := range sc.Backend {
		fmt.Fprintf(&b, "\t%s\n", l)
	}
	for i, s := range sc.Servers {
		name, rest, _ := strings.Cut(s, " ")
		addr := "ADDR"
		if addrs != nil {
			addr = addrs[i]
		}
		line := "server " + name + " " + addr
		if rest != "" {
			line += " " + rest
		}
		fmt.Fprintf(&b, "\t%s\n", strings.TrimSpace(line))
	}
	return b.String()
}

// runHaproxy records the scenario's sequence of answering servers.
func runHaproxy(t *testing.T, bin string, sc *scenario) []string {
	t.Helper()
	var names []string
	for _, s := range sc.Servers {
		n, _, _ := strings.Cut(s, " ")
		names = append(names, n)
	}
	pool := startBackends(t, names)
	dir := t.TempDir()
	port := freePort(t)
	sock := filepath.Join(dir, "admin.sock")
	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(sc.haproxyConfig(pool.addrs, port, sock)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", cfg)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill() // only the haproxy we started, by PID
		<-done
	})
	front := fmt.Sprintf("127.0.0.1:%d", port)
	waitReady(t, front, sock, done, &stderr)

	picks := make([]string, sc.count())
	held := map[int]chan string{}
	var epoch time.Time
	for i := 0; i < sc.count(); i++ {
		if sc.Clock != nil && i == 0 {
			now := time.Now()
			epoch = now.Truncate(time.Second).Add(time.Second + 50*time.Millisecond)
			time.Sleep(time.Until(epoch))
		}
		for _, st := range sc.Steps[i] {
			if st.CLI != "" {
				out := cli(t, sock, st.CLI)
				if strings.TrimSpace(out) != "" {
					t.Fatalf("request %d: %q answered %q", i, st.CLI, out)
				}
				continue
			}
			_, rel := pool.chans(st.Release)
			close(rel)
			picks[st.Release] = <-held[st.Release]
			delete(held, st.Release)
			time.Sleep(2 * time.Millisecond) // let haproxy close the stream
		}
		if sc.Clock != nil {
			time.Sleep(time.Until(epoch.Add(sc.Clock(i))))
		}
		rs := sc.request(i)
		if rs.Hold {
			ch := make(chan string, 1)
			held[i] = ch
			go func(i int) { ch <- doRequest(t, front, i, rs) }(i)
			rec, _ := pool.chans(i)
			select {
			case <-rec:
			case <-time.After(5 * time.Second):
				t.Fatalf("held request %d never reached a server", i)
			}
			continue
		}
		picks[i] = doRequest(t, front, i, rs)
		time.Sleep(time.Millisecond)
	}
	for i, ch := range held {
		_, rel := pool.chans(i)
		close(rel)
		picks[i] = <-ch
	}
	return picks
}

// waitReady polls the stats socket: once it answers, the listeners are
// bound. Probing the frontend itself would cost a pick in mode tcp.
func waitReady(t *testing.T, front, sock string, done chan struct{}, stderr *strings.Builder) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			t.Fatalf("haproxy exited: %s", stderr.String())
		default:
		}
		if c, err := net.Dial("unix", sock); err == nil {
			fmt.Fprintf(c, "show info\n")
			buf := make([]byte, 64)
			n, _ := c.Read(buf)
			c.Close()
			if strings.Contains(string(buf[:n]), "Name") {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("haproxy not ready: %s", stderr.String())
}

func cli(t *testing.T, sock, command string) string {
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "%s\n", command)
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// doRequest sends one request on a new connection from rs.Src and returns
// the X-Server header of the answer ("-" for a response without one).
func doRequest(t *testing.T, front string, i int, rs reqSpec) string {
	src := rs.Src
	if src == "" {
		src = "127.0.0.1"
	}
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.DialContext(context.Background(), "tcp", front)
	if err != nil {
		t.Errorf("request %d: %v", i, err)
		return "error"
	}
	defer c.Close()
	var b strings.Builder
	if rs.Raw != "" {
		b.WriteString(rs.Raw)
		fmt.Fprintf(&b, "X-Req: %d\r\n", i)
		if rs.Hold {
			b.WriteString("X-Hold: 1\r\n")
		}
		b.WriteString("\r\n")
		return exchange(t, c, i, b.String())
	}
	method := "GET"
	if rs.Body != "" {
		method = "POST"
	}
	if rs.HTTP10 {
		fmt.Fprintf(&b, "%s %s HTTP/1.0\r\n", method, rs.URI)
	} else {
		fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, rs.URI)
		if !hasHeader(rs.Headers, "Host") {
			b.WriteString("Host: test.local\r\n")
		}
	}
	for _, h := range rs.Headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	fmt.Fprintf(&b, "X-Req: %d\r\n", i)
	if rs.Hold {
		b.WriteString("X-Hold: 1\r\n")
	}
	if rs.Body != "" {
		fmt.Fprintf(&b, "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n", len(rs.Body))
	}
	b.WriteString("Connection: close\r\n\r\n")
	b.WriteString(rs.Body)
	return exchange(t, c, i, b.String())
}

func exchange(t *testing.T, c net.Conn, i int, req string) string {
	c.SetDeadline(time.Now().Add(40 * time.Second))
	if _, err := c.Write([]byte(req)); err != nil {
		t.Errorf("request %d: %v", i, err)
		return "error"
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Errorf("request %d: %v", i, err)
		return "error"
	}
	// Read to the close so haproxy is done with the stream (and has
	// released the server's connection slot) before the next request.
	io.Copy(io.Discard, resp.Body)
	io.Copy(io.Discard, br)
	if s := resp.Header.Get("X-Server"); s != "" {
		return s
	}
	return strconv.Itoa(resp.StatusCode)
}
