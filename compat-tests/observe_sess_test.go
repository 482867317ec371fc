package compattests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sessConfig has an HTTP frontend and a TCP listen section in front of a
// server that holds every connection open (heldServer).
const sessConfig = `global
    stats socket {DIR}/admin.sock level admin
    nbthread 1
defaults
    timeout connect 1s
    timeout client 30s
    timeout server 20s
frontend web
    mode http
    bind 127.0.0.1:{WEB}
    default_backend slow
backend slow
    mode http
    server s1 {SLOW}
listen tcpsvc
    mode tcp
    bind 127.0.0.1:{TCP}
    server t1 {SLOW}
`

// heldServer accepts connections and never finishes them: an HTTP request
// for /body gets a response head and part of its body, any other input
// gets nothing. Connections close when the test ends.
func heldServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				n, _ := c.Read(buf)
				if strings.Contains(string(buf[:n]), "GET /body") {
					io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
				}
				<-done
			}()
		}
	}()
	return ln.Addr().String()
}

// sessMask hides what differs between two processes by nature: stream
// addresses, client ports, descriptors, ages, call counts and rates, and
// the remaining time of timers (kept: whether a timer is set).
var sessMask = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`^0x[0-9a-f]+:`), "0xID:"},
	{regexp.MustCompile(`src=(127\.0\.0\.1):\d+`), "src=$1:PORT"},
	{regexp.MustCompile(`fd=\d+`), "fd=N"},
	{regexp.MustCompile(`age=\S+ calls=\d+ rate=\d+`), "age=A calls=C rate=R"},
	{regexp.MustCompile(`(rx|exp|c_exp)=\d+[dhms]\w*`), "$1=T"},
}

func maskSess(line string) string {
	for _, m := range sessMask {
		line = m.re.ReplaceAllString(line, m.with)
	}
	return line
}

// TestObserveShowSess: with the same streams in progress (an HTTP request
// waiting for its server's answer, one whose response is being
// forwarded, connected TCP sessions whose client sent data or not, and
// closed its side or not), goproxy's "show sess" lists them
// as haproxy 2.6 does: one line each, in creation order, the same
// frontends, backends, servers and flag words; only addresses,
// descriptors, ages, counts and timer values differ.
func TestObserveShowSess(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	slow := heldServer(t)
	answers := map[string][]string{}
	for _, run := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		o := &observed{dir: t.TempDir(), web: freePort(t)}
		tcp := freePort(t)
		r := strings.NewReplacer("{DIR}", o.dir, "{WEB}", fmt.Sprint(o.web), "{TCP}", fmt.Sprint(tcp), "{SLOW}", slow)
		o.observedProxy = startObserved(t, run.name, run.bin, r.Replace(sessConfig), o.web, tcp)
		// every stream is opened once the previous one is under way, so
		// that creation order is the same on both sides; the lines are
		// kept by the client ports of these connections (the readiness
		// probes of startObserved may or may not leave a stream)
		var ports []string
		open := func(port int, data string) net.Conn {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			io.WriteString(c, data)
			ports = append(ports, fmt.Sprintf("src=%s ", c.LocalAddr()))
			time.Sleep(100 * time.Millisecond)
			return c
		}
		open(o.web, "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
		body := open(o.web, "GET /body HTTP/1.1\r\nHost: x\r\n\r\n")
		body.SetReadDeadline(time.Now().Add(5 * time.Second))
		if line, err := bufio.NewReader(body).ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 200") {
			t.Fatalf("%s: /body: %q %v", run.name, line, err)
		}
		open(tcp, "hello")
		open(tcp, "")
		open(tcp, "hello").(*net.TCPConn).CloseWrite()
		open(tcp, "").(*net.TCPConn).CloseWrite()
		// the same wait on both sides, so that the remaining times of
		// the timers are alike
		time.Sleep(time.Second)
		var lines []string
		for _, l := range strings.Split(cliCommand(t, o, "show sess"), "\n") {
			for _, p := range ports {
				if strings.Contains(l, p) {
					lines = append(lines, maskSess(l))
				}
			}
		}
		answers[run.name] = lines
	}
	h, g := answers["haproxy"], answers["goproxy"]
	if len(h) != 6 {
		t.Fatalf("haproxy lists %d streams, want 6:\n%s", len(h), strings.Join(h, "\n"))
	}
	if strings.Join(h, "\n") != strings.Join(g, "\n") {
		t.Errorf("show sess differs\nhaproxy:\n%s\ngoproxy:\n%s", strings.Join(h, "\n"), strings.Join(g, "\n"))
	}
}
