package proxy

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"goha/parser/haproxy"
)

// startEngine writes cfg (with %s placeholders filled by args) and runs it.
func startEngine(t *testing.T, cfg string, logs *logSink) *Engine {
	t.Helper()
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	res := haproxy.Load([]string{path}, haproxy.Options{})
	if res.Fatal {
		var b strings.Builder
		for _, d := range res.Diags {
			b.WriteString(d.Format(0) + "\n")
		}
		t.Fatalf("config refused:\n%s", b.String())
	}
	opts := Options{}
	if logs != nil {
		opts.Logf = logs.logf
	}
	e, err := New(res.Config, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(); e.Wait(2 * time.Second) })
	return e
}

type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) logf(level, format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, level+": "+fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *logSink) find(sub string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.lines {
		if strings.Contains(s, sub) {
			return s
		}
	}
	return ""
}

func freePort(t *testing.T) string {
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		// The kernel may hand the same free port out twice in a row, and
		// the engine's listeners use SO_REUSEPORT, so two of a test's
		// frontends would silently share it (seen once in CI:
		// TestStatsPageResponseCounters counted both requests on one).
		portsGivenMu.Lock()
		dup := portsGiven[addr]
		portsGiven[addr] = true
		portsGivenMu.Unlock()
		if !dup {
			return addr
		}
	}
}

var (
	portsGivenMu sync.Mutex
	portsGiven   = map[string]bool{}
)

// realServer answers like the tutorial's nginx: its page, Connection: close.
func realServer(t *testing.T, body string) (addr string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, body)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), func() { srv.Close() }
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTutorialShapeRoundRobin(t *testing.T) {
	rs1, _ := realServer(t, "this is first real-server\n")
	rs2, _ := realServer(t, "this is second real-server\n")
	fe := freePort(t)
	cfg := fmt.Sprintf(`defaults
    mode http
    retries 3
    option redispatch
    timeout connect 5s
    timeout client 50s
    timeout server 50s
frontend web
    bind %s
    acl html url_reg -i \.html$
    use_backend httpservers if html
    default_backend httpservers
backend httpservers
    balance roundrobin
    server http1 %s maxconn 2000 weight 1 check inter 1s rise 2 fall 2
    server http2 %s maxconn 2000 weight 1 check inter 1s rise 2 fall 2
`, fe, rs1, rs2)
	startEngine(t, cfg, nil)
	var got []string
	for i := 0; i < 6; i++ {
		code, body := get(t, "http://"+fe+"/index.html")
		if code != 200 {
			t.Fatalf("status %d", code)
		}
		got = append(got, strings.Fields(body)[2])
	}
	if strings.Join(got, " ") != "first second first second first second" {
		t.Fatalf("round robin order: %v", got)
	}
}

func rawExchange(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte(req))
	b, _ := io.ReadAll(c)
	return string(b)
}

func TestNoServer503AndBadRequest400(t *testing.T) {
	fe := freePort(t)
	startEngine(t, fmt.Sprintf(`defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend fe
    bind %s
    default_backend be
backend be
`, fe), nil)
	got := rawExchange(t, fe, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	// haproxy 2.6 announces the close it does after "Connection: close"
	// (testdata/behaviour/err-503-no-server.golden).
	want := "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"
	if got != want {
		t.Errorf("503:\n%q\nwant\n%q", got, want)
	}
	got = rawExchange(t, fe, "GARBAGE\r\n\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\n") {
		t.Errorf("400: %q", got)
	}
}

// A dead server is retried, then redispatched to the other one: no client
// request fails; the health check marks it DOWN in haproxy's words.
func TestRedispatchAndCheckDown(t *testing.T) {
	rs1, stop1 := realServer(t, "this is first real-server\n")
	rs2, _ := realServer(t, "this is second real-server\n")
	fe := freePort(t)
	logs := &logSink{}
	startEngine(t, fmt.Sprintf(`defaults
    mode http
    retries 3
    option redispatch
    timeout connect 200ms
    timeout client 5s
    timeout server 5s
frontend web
    bind %s
    default_backend httpservers
backend httpservers
    server http1 %s check inter 100ms rise 2 fall 2
    server http2 %s check inter 100ms rise 2 fall 2
`, fe, rs1, rs2), logs)
	stop1()
	for i := 0; i < 4; i++ {
		code, body := get(t, "http://"+fe+"/")
		if code != 200 || body != "this is second real-server\n" {
			t.Fatalf("request %d: %d %q", i, code, body)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for logs.find("is DOWN") == "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	line := logs.find("is DOWN")
	// A check in flight when the server stops sees a reset rather than a
	// refusal; haproxy reports whichever the kernel gave, and so do we.
	wantPrefix := "warning: Server httpservers/http1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: "
	resetPrefix := strings.Replace(wantPrefix, "Connection refused", "Connection reset by peer", 1)
	okPrefix := strings.HasPrefix(line, wantPrefix) || strings.HasPrefix(line, resetPrefix)
	if !okPrefix || !strings.Contains(line, "ms. 1 active and 0 backup servers left. ") || !strings.HasSuffix(line, " requeued, 0 remaining in queue.") {
		t.Fatalf("DOWN line: %q", line)
	}
}

func TestTCPModeEcho(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.(*net.TCPConn).CloseWrite() }()
		}
	}()
	fe := freePort(t)
	startEngine(t, fmt.Sprintf(`defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen echo
    bind %s
    server e1 %s check
`, fe, ln.Addr()), nil)
	c, err := net.Dial("tcp", fe)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	payload := strings.Repeat("0123456789", 100000)
	go func() { io.WriteString(c, payload); c.(*net.TCPConn).CloseWrite() }()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	back, err := io.ReadAll(c)
	if err != nil || string(back) != payload {
		t.Fatalf("echo through tcp mode: %d bytes back, err %v", len(back), err)
	}
}

// "option httpchk" with http-check send/expect: the request and the
// verdicts are haproxy 2.6's (observed: a 404 under "expect status 200"
// is "Layer7 wrong status, code: 404, info: <the reason phrase>"; a content check
// on a body-less answer is "Layer7 invalid response").
func TestHTTPCheckSendExpect(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Proto+" host="+r.Host)
		mu.Unlock()
		http.Error(w, "File not found", 404)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	logs := &logSink{}
	startEngine(t, fmt.Sprintf(`defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind %s
    default_backend be
backend be
    option httpchk GET /health
    http-check expect status 200
    server s1 %s check inter 100ms rise 2 fall 2
backend be2
    option httpchk
    http-check send meth HEAD uri /ok ver HTTP/1.1 hdr Host example
    http-check expect ! string dead
    server s2 %s check inter 100ms rise 2 fall 2
`, freePort(t), ln.Addr(), ln.Addr()), logs)
	deadline := time.Now().Add(3 * time.Second)
	for (logs.find("be/s1 is DOWN") == "" || logs.find("be2/s2 is DOWN") == "") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if l := logs.find("be/s1 is DOWN"); !strings.Contains(l, `reason: Layer7 wrong status, code: 404, info: "Not Found", check duration: `) {
		t.Errorf("expect status 200 against a 404: %q", l)
	}
	if l := logs.find("be2/s2 is DOWN"); !strings.Contains(l, `reason: Layer7 invalid response, info: "HTTP content check could not find a response body", check duration: `) {
		t.Errorf("content check on a HEAD answer: %q", l)
	}
	mu.Lock()
	defer mu.Unlock()
	var get, head bool
	for _, s := range seen {
		get = get || s == "GET /health HTTP/1.0 host="
		head = head || s == "HEAD /ok HTTP/1.1 host=example"
	}
	if !get || !head {
		t.Errorf("check requests seen: %v", seen)
	}
}

// Every cookie form starts (dynamic included): none is refused any more.
func TestCookiePersistenceStarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.cfg")
	os.WriteFile(path, []byte(`defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
backend be
    cookie SERVERID insert indirect nocache dynamic maxidle 1h maxlife 2h
    dynamic-cookie-key k3y
    server s1 127.0.0.1:8080 cookie s1
    server s2 127.0.0.1:8081
`), 0o644)
	res := haproxy.Load([]string{path}, haproxy.Options{})
	if res.Fatal {
		t.Fatal("config refused by the parser")
	}
	if err := CheckUnsupported(res.Config); err != nil {
		t.Fatal(err)
	}
	e, err := New(res.Config, Options{})
	if err != nil {
		t.Fatal(err)
	}
	be := e.backends["be"]
	if be == nil || be.cookie == nil || be.servers[0].cookie != "s1" || len(be.servers[1].cookie) != 16 {
		t.Fatalf("backend %+v", be)
	}
}
