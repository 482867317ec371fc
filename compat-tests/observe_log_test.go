package compattests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// logConfig sends every section's logs to one UDP catcher: httplog,
// httplog clf, a custom log-format and tcplog frontends in front of the
// same two servers. The "ready" section does not log (readiness probes).
const logConfig = `global
    log 127.0.0.1:{LOG} local0
defaults
    mode http
    log global
    timeout connect 5s
    timeout client 10s
    timeout server 10s
listen ready
    bind 127.0.0.1:{READY}
    no log
    http-request return status 200
frontend web
    bind 127.0.0.1:{WEB}
    option httplog
    default_backend httpservers
frontend clf
    bind 127.0.0.1:{CLF}
    option httplog clf
    default_backend httpservers
frontend custom
    bind 127.0.0.1:{CUSTOM}
    log-format "%ci [%tr] %ft %b/%s %ST %{+Q}r %HM %HP %HV %ac/%fc/%bc/%sc/%rc %sq/%bq %ts"
    default_backend httpservers
frontend caps
    bind 127.0.0.1:{CAPS}
    capture request header Host len 20
    capture request header User-Agent len 5
    capture response header Content-Type len 10
    capture response header X-Got-ID len 60
    capture response header X-Missing len 10
    capture cookie SESSIONID len 12
    unique-id-format "%{+X}o %ci_%ft_%b_%HM_%[var(txn.x)]"
    unique-id-header X-Req-ID
    log-format "%ID T=%Th/%Ti/%TR/%Tq %ST %B %U %CC %CS %hr %hs %hrl %hsl %{+Q}r %[src] %[capture.req.hdr(0)] %[capture.res.hdr(0),upper] %[var(txn.x)] %[var(txn.none)] %[str(lit)]"
    error-log-format "%ci [%tr] %ft ERR %ST %tsc %{+Q}r"
    http-request set-var(txn.x) str(hello)
    http-request deny if { path /deny }
    default_backend cookies
backend cookies
    server c1 {COOKIES}
listen tcpfe
    mode tcp
    bind 127.0.0.1:{TCP}
    option tcplog
    server t1 {S1}
backend httpservers
    balance roundrobin
    server http1 {S1}
    server http2 {S2}
`

// udpCatcher collects the syslog datagrams sent to it.
type udpCatcher struct {
	conn  net.PacketConn
	mu    sync.Mutex
	lines []string
}

func newUDPCatcher(t *testing.T) *udpCatcher {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &udpCatcher{conn: pc}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			u.mu.Lock()
			u.lines = append(u.lines, strings.TrimRight(string(buf[:n]), "\n"))
			u.mu.Unlock()
		}
	}()
	return u
}

func (u *udpCatcher) port() int { return u.conn.LocalAddr().(*net.UDPAddr).Port }

// take waits until n lines arrived (at most 5 s) and returns them all.
func (u *udpCatcher) take(n int) []string {
	deadline := time.Now().Add(5 * time.Second)
	for {
		u.mu.Lock()
		got := len(u.lines)
		u.mu.Unlock()
		if got >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // stragglers
	u.mu.Lock()
	defer u.mu.Unlock()
	out := append([]string(nil), u.lines...)
	u.lines = nil
	return out
}

// Masks for what legitimately differs between two runs: syslog date and
// pid, accept dates, ports, timers.
var (
	logHeader  = regexp.MustCompile(`^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d (\S+)\[\d+\]: `)
	logPort    = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	logDate    = regexp.MustCompile(`\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d(\.\d{3}| [+-]\d{4})\]`)
	logTimers5 = regexp.MustCompile(` (-?\d+/){4}\+?-?\d+ (\d{3}|-1) `)
	logTimers3 = regexp.MustCompile(` -?\d+/-?\d+/\+?-?\d+ (\+?\d+) `)
	logCLF     = regexp.MustCompile(`"" "" \d+ \d+ (\S+ \S+ \S+) (-?\d+ ){4}\+?-?\d+ `)
	// %ac, %fc, %bc and %sc include the streams of the previous request
	// still closing in haproxy: racy with a client that closes after
	// each request (measured: bc, and sc of an httplog line, 1 or 0 for
	// the same traffic); %sc of a tcplog line: haproxy logs before or
	// after the server connection is released (measured both ways).
	logActFe = regexp.MustCompile(`(--(?:--)? |HTTP/1\.[01] )\d+([/ ])\d+([/ ])\d+([/ ])\d+([/ ])`)
)

// logCapsTimers are the caps frontend's Th/Ti/TR/Tq: Th is 0 without
// TLS, Ti and Tq are long for the request sent after a pause, TR short.
var logCapsTimers = regexp.MustCompile(`T=(-?\d+)/(-?\d+)/(-?\d+)/(-?\d+) `)

func timerClass(v string) string {
	n, _ := strconv.Atoi(v)
	switch {
	case n < 0:
		return v
	case int64(n) >= idlePause.Milliseconds()/2:
		return "long"
	}
	return "short"
}

func maskLogLine(l string) string {
	l = logCapsTimers.ReplaceAllStringFunc(l, func(m string) string {
		f := logCapsTimers.FindStringSubmatch(m)
		return "T=" + f[1] + "/" + timerClass(f[2]) + "/" + timerClass(f[3]) + "/" + timerClass(f[4]) + " "
	})
	l = logHeader.ReplaceAllString(l, "<$1>DATE $2[PID]: ")
	l = logCLF.ReplaceAllString(l, `"" "" PORT MS $1 T T T T T `)
	l = logPort.ReplaceAllString(l, "127.0.0.1:PORT")
	l = logDate.ReplaceAllString(l, "[DATE]")
	l = logTimers5.ReplaceAllString(l, " T/T/T/T/T $2 ")
	l = logTimers3.ReplaceAllString(l, " T/T/T $1 ")
	l = logActFe.ReplaceAllString(l, "${1}A${2}F${3}B${4}S${5}")
	return l
}

// TestObserveLogs: the same requests through haproxy 2.6 and goproxy, both
// logging to a UDP catcher, give the same lines for httplog, httplog clf,
// a custom log-format and tcplog once dates, pids, ports and timers are
// masked.
func TestObserveLogs(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	s1, s2 := startPage(t, "this is first real-server\n"), startPage(t, "this is second real-server\n")
	cookies := startCookieServer(t)
	results := map[string][]string{}
	for _, run := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		catcher := newUDPCatcher(t)
		ports := map[string]int{}
		for _, k := range []string{"READY", "WEB", "CLF", "CUSTOM", "TCP", "CAPS"} {
			ports[k] = freePort(t)
		}
		r := strings.NewReplacer("{LOG}", fmt.Sprint(catcher.port()), "{READY}", fmt.Sprint(ports["READY"]),
			"{WEB}", fmt.Sprint(ports["WEB"]), "{CLF}", fmt.Sprint(ports["CLF"]), "{CUSTOM}", fmt.Sprint(ports["CUSTOM"]),
			"{TCP}", fmt.Sprint(ports["TCP"]), "{S1}", s1, "{S2}", s2,
			"{CAPS}", fmt.Sprint(ports["CAPS"]), "{COOKIES}", cookies)
		p := startObserved(t, run.name, run.bin, r.Replace(logConfig), ports["READY"])
		time.Sleep(300 * time.Millisecond)
		catcher.take(0) // start-up messages are not compared
		client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		sent := 0
		for _, fe := range []string{"WEB", "CLF", "CUSTOM"} {
			for _, req := range []struct{ method, path string }{{"GET", "/"}, {"GET", "/a/b?x=1"}, {"HEAD", "/"}, {"POST", "/form"}} {
				hr, _ := http.NewRequest(req.method, fmt.Sprintf("http://127.0.0.1:%d%s", ports[fe], req.path), strings.NewReader(""))
				resp, err := client.Do(hr)
				if err != nil {
					t.Fatalf("%s: %s %s: %v", run.name, req.method, req.path, err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				sent++
			}
		}
		// a malformed request (400 PR--) and a connection closed
		// before any request (CR--), both "<BADREQ>"
		for _, raw := range []string{"GET / HTTP/1.1 x\r\n\r\n", ""} {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ports["WEB"]))
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(c, raw)
			if raw == "" {
				c.(*net.TCPConn).CloseWrite()
			}
			io.Copy(io.Discard, c)
			c.Close()
			sent++
		}
		sent += sendCaptureRequests(t, ports["CAPS"])
		for i := 0; i < 2; i++ {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ports["TCP"]))
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
			io.Copy(io.Discard, c)
			c.Close()
			sent++
		}
		for _, l := range catcher.take(sent) {
			results[run.name] = append(results[run.name], maskLogLine(l))
		}
		_ = p
	}
	h, g := results["haproxy"], results["goproxy"]
	// A line is sent once the response is out, so the next request's line
	// may overtake it (either proxy): compare the lines as a multiset (each
	// still names its request and the server that served it).
	sort.Strings(h)
	sort.Strings(g)
	t.Logf("haproxy's lines (masked, sorted):\n%s", strings.Join(h, "\n"))
	if len(h) != len(g) {
		t.Errorf("haproxy sent %d lines, goproxy %d:\n%s", len(h), len(g), strings.Join(g, "\n"))
	}
	for i := 0; i < len(h) && i < len(g); i++ {
		if h[i] != g[i] {
			t.Errorf("line %d:\n goproxy %s\n haproxy %s", i, g[i], h[i])
		}
	}
}

// idlePause is how long the caps frontend's idle client waits before
// sending its request (Ti).
const idlePause = 600 * time.Millisecond

// startCookieServer answers with a Set-Cookie and echoes the X-Req-ID it
// received as X-Got-ID (the unique-id-header, captured back in the log).
func startCookieServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "SESSIONID = s3rv3r-s1d3-long ; Path=/; Expires=Thu, 01 Jan 2037 00:00:00 GMT")
		w.Header().Add("Set-Cookie", "SESSIONID=second")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Got-ID", r.Header.Get("X-Req-ID"))
		io.WriteString(w, "cookie\n")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// sendCaptureRequests sends the caps frontend's requests: cookies to
// capture (the first one whose "name=value" starts with SESSIONID, spaces
// around '=' removed), a long User-Agent, a denied request, one sent
// after a pause; it returns how many lines they log.
func sendCaptureRequests(t *testing.T, port int) int {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	reqs := []struct {
		raw   string
		pause bool
	}{
		{raw: "GET /a HTTP/1.1\r\nHost: caps.example\r\nUser-Agent: curl/7.88.1\r\nCookie: $Version=1; other=1, SESSIONID = abcdefghijklmnop ; x=2\r\nCookie: SESSIONIDX=later\r\nConnection: close\r\n\r\n"},
		{raw: "GET /b HTTP/1.1\r\nHost: a-host-name-longer-than-twenty.example\r\nhost: a-host-name-longer-than-twenty.example\r\nCookie: SESSION=short; noequal; SESSIONID2=\"q;uoted\"\r\nConnection: close\r\n\r\n"},
		{raw: "GET /deny HTTP/1.1\r\nHost: caps.example\r\nCookie: SESSIONID=denied\r\nConnection: close\r\n\r\n"},
		{raw: "GET /idle HTTP/1.1\r\nHost: caps.example\r\nConnection: close\r\n\r\n", pause: true},
		{raw: "GET / HTTP/1.1 bad\r\n\r\n"}, // error-log-format
	}
	for _, r := range reqs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if r.pause {
			time.Sleep(idlePause)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, r.raw)
		io.Copy(io.Discard, c)
		c.Close()
	}
	// a kept-alive connection idle before its second request: that
	// request's Ti runs from the end of the first one
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	for i, path := range []string{"/ka1", "/ka2"} {
		if i > 0 {
			time.Sleep(idlePause)
		}
		io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: caps.example\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return len(reqs) + 2
}

// stateLogConfig has one server nobody listens on: its checks fail and
// both proxies log its DOWN transition and the backend's last server loss.
const stateLogConfig = `global
    log 127.0.0.1:{LOG} local0
defaults
    mode http
    log global
    timeout connect 1s
    timeout client 10s
    timeout server 10s
listen ready
    bind 127.0.0.1:{READY}
    no log
    http-request return status 200
backend dead
    server d1 {DEAD} check inter 200ms fall 2 rise 2
`

// TestObserveStateLogs: a server going DOWN is logged with haproxy's
// words and level, through goproxy as through haproxy 2.6.
func TestObserveStateLogs(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	dead := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	results := map[string][]string{}
	for _, run := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		catcher := newUDPCatcher(t)
		ready := freePort(t)
		r := strings.NewReplacer("{LOG}", fmt.Sprint(catcher.port()), "{READY}", fmt.Sprint(ready), "{DEAD}", dead)
		startObserved(t, run.name, run.bin, r.Replace(stateLogConfig), ready)
		// the DOWN transition and the backend's loss of its last server
		// (haproxy sends no "Proxy dead started." to the logs); take
		// waits a little more, so an extra line would be seen
		var kept []string
		deadline := time.Now().Add(5 * time.Second)
		for len(kept) < 2 && time.Now().Before(deadline) {
			for _, l := range catcher.take(2 - len(kept)) {
				kept = append(kept, maskStateLine(l))
			}
		}
		results[run.name] = kept
	}
	h, g := results["haproxy"], results["goproxy"]
	t.Logf("haproxy (masked):\n%s", strings.Join(h, "\n"))
	if strings.Join(h, "\n") != strings.Join(g, "\n") {
		t.Errorf("state-change lines differ:\n goproxy:\n%s\n haproxy:\n%s", strings.Join(g, "\n"), strings.Join(h, "\n"))
	}
}

var checkDuration = regexp.MustCompile(`check duration: \d+ms`)

func maskStateLine(l string) string {
	l = logHeader.ReplaceAllString(l, "<$1>DATE $2[PID]: ")
	return checkDuration.ReplaceAllString(l, "check duration: Nms")
}
