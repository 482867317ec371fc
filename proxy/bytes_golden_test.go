package proxy

// Byte counts as haproxy 2.6 keeps them (%U, %B and the stats bin/bout):
// one scenario of requests and raw server responses, run by -update
// through the installed haproxy (the golden file records what it logged
// and counted) and always through goproxy, compared with the golden.

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"goha/parser/haproxy"
)

var updateGolden = flag.Bool("update", false, "regenerate testdata/golden from the installed haproxy 2.6")

const bytesGolden = "testdata/golden/bytes.txt"

// bytesCase is one exchange: the raw request the client sends and, when
// it reaches the raw server, the raw response that server writes (the
// server closes the connection after it).
type bytesCase struct {
	name string
	req  string
	resp string
	// delay before the server answers (server timeout cases)
	delay time.Duration
	// tcp sends req to the tcp listener instead (wire bytes)
	tcp bool
	// listen sends req to the listen section (its own backend counts
	// what its rules answer)
	listen bool
	// variable: the body's content differs between haproxy and goproxy
	// (stats page); only %B minus the body bytes the client got is
	// compared.
	variable bool
}

func get1(path string, hdrs ...string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + strings.Join(hdrs, "") + "Connection: close\r\n\r\n"
}

var bytesCases = []bytesCase{
	{name: "cl-small", req: get1("/c/cl-small"), resp: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"},
	{name: "cl-headers", req: get1("/c/cl-headers", "User-Agent: curl/7.88.1\r\n", "Accept: */*\r\n", "X-Long: "+strings.Repeat("v", 300)+"\r\n"),
		resp: "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 12:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 26\r\nLast-Modified: Wed, 25 Nov 2026 11:00:00 GMT\r\nETag: \"6565a1b0-1a\"\r\nAccept-Ranges: bytes\r\n\r\nthis is first real-server\n"},
	{name: "conn-keepalive", req: get1("/c/conn-keepalive"), resp: "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"},
	{name: "conn-close", req: get1("/c/conn-close"), resp: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"},
	{name: "conn-other", req: get1("/c/conn-other"), resp: "HTTP/1.1 200 OK\r\nConnection: close, X-Foo\r\nX-Foo: 1\r\nContent-Length: 2\r\n\r\nok"},
	{name: "conn-mixed", req: get1("/c/conn-mixed"), resp: "HTTP/1.1 200 OK\r\nConnection: X-Foo, close, Y\r\nX-Foo: 1\r\nY: 2\r\nContent-Length: 2\r\n\r\nok"},
	{name: "conn-spaced", req: get1("/c/conn-spaced"), resp: "HTTP/1.1 200 OK\r\nConnection: X-Foo , Y,keep-alive\r\nX-Foo: 1\r\nY: 2\r\nContent-Length: 2\r\n\r\nok"},
	{name: "abs-uri", req: "GET http://test:80/c/abs-uri HTTP/1.1\r\nHost: test:80\r\nConnection: close\r\n\r\n", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	{name: "value-spaces", req: get1("/c/value-spaces", "X-Sp:   padded   \r\n"), resp: "HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Pad:    a b    \r\nContent-Length: 2\r\n\r\nok"},
	{name: "cl-dup", req: get1("/c/cl-dup"), resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"},
	{name: "cl-list", req: get1("/c/cl-list"), resp: "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok"},
	{name: "chunked", req: get1("/c/chunked"), resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"},
	{name: "chunked-trailers", req: get1("/c/chunked-trailers"), resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: abc\r\nX-Other: defg\r\n\r\n"},
	{name: "te-and-cl", req: get1("/c/te-and-cl"), resp: "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"},
	{name: "until-close", req: get1("/c/until-close"), resp: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until the server closes\n"},
	{name: "http10-resp", req: get1("/c/http10-resp"), resp: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	{name: "empty-reason", req: get1("/c/empty-reason"), resp: "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok"},
	{name: "head", req: "HEAD /c/head HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", resp: "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 26\r\n\r\n"},
	{name: "not-modified", req: get1("/c/not-modified", "If-None-Match: \"x\"\r\n"), resp: "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"},
	{name: "no-content", req: get1("/c/no-content"), resp: "HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n"},
	{name: "continue", req: get1("/c/continue"), resp: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	{name: "not-found", req: get1("/c/not-found"), resp: "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nnot found\n"},
	{name: "req-http10", req: "GET /c/req-http10 HTTP/1.0\r\nUser-Agent: x\r\n\r\n", resp: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	{name: "req-host-dup", req: "GET /c/req-host-dup HTTP/1.1\r\nHost: test\r\nhost: test\r\nConnection: close\r\n\r\n", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	{name: "req-conn-ka", req: "GET /c/req-conn-ka HTTP/1.1\r\nHost: test\r\nConnection: keep-alive, close\r\n\r\n", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	{name: "req-post-cl", req: "POST /c/req-post-cl HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello=world", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	{name: "req-post-chunked", req: "POST /c/req-post-chunked HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\n\r\n", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	{name: "req-post-trailers", req: "POST /c/req-post-trailers HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\nabcd\r\n0\r\nX-T: 1\r\n\r\n", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	{name: "srv-timeout", req: get1("/c/srv-timeout"), delay: 3 * time.Second},
	{name: "srv-garbage", req: get1("/c/srv-garbage"), resp: "garbage\r\n\r\n"},
	{name: "no-server", req: get1("/nosrv")},
	{name: "deny", req: get1("/deny")},
	{name: "deny-post", req: "POST /deny HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello=world"},
	{name: "deny-status", req: get1("/deny429")},
	{name: "return", req: get1("/ret")},
	{name: "return-empty", req: get1("/ret204")},
	{name: "redirect", req: get1("/redir")},
	{name: "redirect-prefix", req: get1("/redirp/x?y=1")},
	{name: "auth", req: get1("/auth")},
	{name: "stats-csv", req: get1("/stats;csv"), variable: true},
	{name: "stats-html", req: get1("/stats"), variable: true},
	{name: "stats-head", req: "HEAD /stats HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", variable: true},
	{name: "prometheus", req: get1("/metrics"), variable: true},
	{name: "listen-return", req: get1("/lret"), listen: true},
	{name: "listen-forward", req: get1("/c/listen-forward"), resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", listen: true},
	{name: "bad-request", req: "GET / HTTP/1.1 x\r\n\r\n"},
	{name: "tcp", req: "some bytes for the tcp listener\n", tcp: true},
}

const bytesConfig = `global
    log 127.0.0.1:{LOG} local0
defaults
    mode http
    log global
    log-format "http %{+Q}r %ST %U %B"
    timeout connect 2s
    timeout client 5s
    timeout server 1s
frontend fe
    bind 127.0.0.1:{FE}
    http-request return status 200 content-type text/plain string "hello" hdr x-a b if { path /ret }
    http-request return status 204 if { path /ret204 }
    http-request redirect location /moved code 301 if { path /redir }
    http-request redirect prefix /new if { path_beg /redirp }
    http-request deny if { path /deny }
    http-request deny deny_status 429 if { path /deny429 }
    http-request auth realm test if { path /auth }
    use_backend empty if { path /nosrv }
    default_backend raw
backend raw
    server s1 {RAW}
backend empty
listen stats
    bind 127.0.0.1:{STATS}
    http-request use-service prometheus-exporter if { path /metrics }
    stats enable
    stats uri /stats
listen lst
    bind 127.0.0.1:{LST}
    http-request return status 200 content-type text/plain string "listen" if { path /lret }
    server l1 {RAW}
listen tcp
    mode tcp
    bind 127.0.0.1:{TCP}
    log-format "tcp %U %B"
    server t1 {ECHO}
listen admin
    bind 127.0.0.1:{ADMIN}
    no log
    stats enable
    stats uri /
`

// rawServer answers each request with the raw response of its case
// (the path's last element) and closes.
func rawServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	byName := map[string]bytesCase{}
	for _, c := range bytesCases {
		byName[c.name] = c
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				bc := byName[filepath.Base(req.URL.Path)]
				time.Sleep(bc.delay)
				io.WriteString(c, bc.resp)
			}()
		}
	}()
	return ln.Addr().String()
}

// echoServer reads what comes until the client half-closes, answers
// twice as much and closes.
func echoServer(t *testing.T) string {
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
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				b, _ := io.ReadAll(c)
				c.Write(append(b, b...))
			}()
		}
	}()
	return ln.Addr().String()
}

// bytesResult is what one case gave: the log line's status, %U, %B and
// the bytes the client received (head and body split at the first blank
// line).
type bytesResult struct {
	status, up, down   string
	wireHead, wireBody int
}

// proxyRunner starts a proxy on cfg; it reports an error when the proxy
// did not come up (a port taken meanwhile: the caller retries on others).
// The proxy stops when the test ends.
type proxyRunner func(t *testing.T, cfg string) error

// runBytesScenario runs every case through the proxy started by run and
// returns the results and the stats CSV's bin/bout lines.
func runBytesScenario(t *testing.T, run proxyRunner) (map[string]bytesResult, []string) {
	logc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer logc.Close()
	var mu sync.Mutex
	var lines []string
	go func() {
		buf := make([]byte, 65536)
		for {
			n, _, err := logc.ReadFrom(buf)
			if err != nil {
				return
			}
			mu.Lock()
			lines = append(lines, string(buf[:n]))
			mu.Unlock()
		}
	}()
	raw, echo := rawServer(t), echoServer(t)
	ports := map[string]string{}
	for attempt := 0; ; attempt++ {
		for _, k := range []string{"FE", "TCP", "ADMIN", "STATS", "LST"} {
			ports[k] = freePort(t)
		}
		r := strings.NewReplacer("127.0.0.1:{LOG}", logc.LocalAddr().String(), "127.0.0.1:{FE}", ports["FE"],
			"127.0.0.1:{TCP}", ports["TCP"], "127.0.0.1:{ADMIN}", ports["ADMIN"], "127.0.0.1:{STATS}", ports["STATS"], "127.0.0.1:{LST}", ports["LST"],
			"{RAW}", raw, "{ECHO}", echo)
		err := run(t, r.Replace(bytesConfig))
		if err == nil {
			break
		}
		if attempt == 3 {
			t.Fatal(err)
		}
	}

	wire := map[string][2]int{}
	var wg sync.WaitGroup
	for _, c := range bytesCases {
		addr := ports["FE"]
		switch {
		case c.tcp:
			addr = ports["TCP"]
		case c.variable:
			addr = ports["STATS"]
		case c.listen:
			addr = ports["LST"]
		}
		// slow cases run beside the others
		do := func(c bytesCase) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(8 * time.Second))
			io.WriteString(conn, c.req)
			if c.tcp {
				conn.(*net.TCPConn).CloseWrite()
			}
			got, _ := io.ReadAll(conn)
			head, body := len(got), 0
			if i := strings.Index(string(got), "\r\n\r\n"); i >= 0 && !c.tcp {
				head, body = i+4, decodedBodyLen(got, c.req)
			}
			mu.Lock()
			wire[c.name] = [2]int{head, body}
			mu.Unlock()
		}
		if c.delay > 0 {
			wg.Add(1)
			go func(c bytesCase) { defer wg.Done(); do(c) }(c)
			continue
		}
		do(c)
	}
	wg.Wait()
	time.Sleep(300 * time.Millisecond)

	// Log lines: "http "<request line>" status U B" or "tcp U B".
	res := map[string]bytesResult{}
	httpLine := regexp.MustCompile(`http "(.*)" (\d+) (\d+) (\d+)$`)
	tcpLine := regexp.MustCompile(`tcp (\d+) (\d+)$`)
	mu.Lock()
	defer mu.Unlock()
	for _, l := range lines {
		l = strings.TrimRight(l, "\n")
		if m := tcpLine.FindStringSubmatch(l); m != nil {
			w := wire["tcp"]
			res["tcp"] = bytesResult{status: "-", up: m[1], down: m[2], wireHead: w[0], wireBody: w[1]}
			continue
		}
		m := httpLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		name := caseByPath(m[1])
		w := wire[name]
		res[name] = bytesResult{status: m[2], up: m[3], down: m[4], wireHead: w[0], wireBody: w[1]}
	}
	return res, statsBytes(t, ports["ADMIN"])
}

// decodedBodyLen is the length of the final response's body once
// de-chunked (0 when it does not parse).
func decodedBodyLen(raw []byte, req string) int {
	br := bufio.NewReader(strings.NewReader(string(raw)))
	method, _, _ := strings.Cut(req, " ")
	for {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return 0
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 200 {
			return len(b)
		}
	}
}

// caseByPath maps a logged request line back to its case.
func caseByPath(line string) string {
	if line == "<BADREQ>" {
		return "bad-request"
	}
	for _, c := range bytesCases {
		if strings.HasPrefix(c.req, line+"\r\n") {
			return c.name
		}
	}
	// a rewritten target (absolute URI): the case is the path's end
	if f := strings.Fields(line); len(f) == 3 {
		return f[1][strings.LastIndexByte(f[1], '/')+1:]
	}
	return line
}

// waitListening waits until addr accepts connections; exited closes
// when the process died (its port was taken).
func waitListening(addr string, exited chan struct{}) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("the proxy exited before listening on %s", addr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// statsBytes reads bin and bout of every row but the stats listener's own
// from the CSV.
func statsBytes(t *testing.T, admin string) []string {
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + admin + "/;csv")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	rd := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "# ")))
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("bad csv (%v): %s", err, body)
	}
	var out []string
	for _, rec := range recs[1:] {
		if rec[0] == "admin" || rec[0] == "stats" || len(rec) < 10 {
			continue
		}
		out = append(out, fmt.Sprintf("stat %s/%s bin=%s bout=%s", rec[0], rec[1], rec[8], rec[9]))
	}
	sort.Strings(out)
	return out
}

func formatBytesGolden(res map[string]bytesResult, stats []string) string {
	var b strings.Builder
	b.WriteString("# case status %U %B wire-head wire-body, then stats bin/bout (go test ./proxy -run TestBytesGolden -update)\n")
	for _, c := range bytesCases {
		r, ok := res[c.name]
		if !ok {
			fmt.Fprintf(&b, "%s missing\n", c.name)
			continue
		}
		fmt.Fprintf(&b, "%s %s %s %s %d %d\n", c.name, r.status, r.up, r.down, r.wireHead, r.wireBody)
	}
	for _, s := range stats {
		b.WriteString(s + "\n")
	}
	return b.String()
}

func runHaproxy(t *testing.T, cfg string) error {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed: the golden cannot be regenerated")
	}
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", path)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	pid := cmd.Process.Pid
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL); <-exited })
	return waitListening(cfgAddr(cfg, "ADMIN"), exited)
}

func runGoproxy(t *testing.T, cfg string) error {
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	res := haproxy.Load([]string{path}, haproxy.Options{})
	if res.Fatal {
		t.Fatalf("config refused: %v", res.Diags)
	}
	e, err := New(res.Config, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		return err
	}
	t.Cleanup(func() { e.Close(); e.Wait(2 * time.Second) })
	return waitListening(cfgAddr(cfg, "ADMIN"), nil)
}

// cfgAddr is the address bound by the section named name in lower case.
func cfgAddr(cfg, name string) string {
	_, rest, _ := strings.Cut(cfg, "listen "+strings.ToLower(name)+"\n    bind ")
	addr, _, _ := strings.Cut(rest, "\n")
	return addr
}

// TestBytesGolden: goproxy logs and counts the same bytes as haproxy 2.6
// for every case of the scenario (haproxy counts messages in their
// internal HTX form, not as written on the wire).
func TestBytesGolden(t *testing.T) {
	if *updateGolden {
		res, stats := runBytesScenario(t, runHaproxy)
		if err := os.MkdirAll(filepath.Dir(bytesGolden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bytesGolden, []byte(formatBytesGolden(res, stats)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(bytesGolden)
	if err != nil {
		t.Fatalf("%v (regenerate with -update)", err)
	}
	res, stats := runBytesScenario(t, runGoproxy)
	got := formatBytesGolden(res, stats)
	wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
	for i := range wl {
		if i >= len(gl) {
			t.Errorf("missing line: %s", wl[i])
			continue
		}
		if wl[i] == gl[i] || sameVariable(wl[i], gl[i]) {
			continue
		}
		t.Errorf("\n goproxy %s\n haproxy %s", gl[i], wl[i])
	}
}

// sameVariable compares the lines of a case whose body differs: the
// status, %U and %B minus the body the client got must be equal.
func sameVariable(want, got string) bool {
	w, g := strings.Fields(want), strings.Fields(got)
	if len(w) != 6 || len(g) != 6 || w[0] != g[0] {
		return false
	}
	for _, c := range bytesCases {
		if c.name == w[0] && c.variable {
			wb, _ := strconv.Atoi(w[3])
			gb, _ := strconv.Atoi(g[3])
			wbody, _ := strconv.Atoi(w[5])
			gbody, _ := strconv.Atoi(g[5])
			return w[1] == g[1] && w[2] == g[2] && wb-wbody == gb-gbody
		}
	}
	return false
}
