package compattests

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"sort"
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
	// %ac, %fc and %bc include the streams of the previous request
	// still closing in haproxy: racy with a client that closes after
	// each request (measured: bc 1 or 0 for the same traffic).
	// %sc of a tcplog line: haproxy logs before or after the server
	// connection is released (measured both ways).
	logTCPSrv = regexp.MustCompile(` -- A/F/B/\d+/`)
	logActFe  = regexp.MustCompile(`(--(?:--)? |HTTP/1\.[01] )\d+([/ ])\d+([/ ])\d+([/ ])`)
)

func maskLogLine(l string) string {
	l = logHeader.ReplaceAllString(l, "<$1>DATE $2[PID]: ")
	l = logCLF.ReplaceAllString(l, `"" "" PORT MS $1 T T T T T `)
	l = logPort.ReplaceAllString(l, "127.0.0.1:PORT")
	l = logDate.ReplaceAllString(l, "[DATE]")
	l = logTimers5.ReplaceAllString(l, " T/T/T/T/T $2 ")
	l = logTimers3.ReplaceAllString(l, " T/T/T $1 ")
	l = logActFe.ReplaceAllString(l, "${1}A${2}F${3}B${4}")
	l = logTCPSrv.ReplaceAllString(l, " -- A/F/B/S/")
	return l
}

// TestObserveLogs: the same requests through haproxy 2.6 and goproxy, both
// logging to a UDP catcher, give the same lines for httplog, httplog clf,
// a custom log-format and tcplog once dates, pids, ports and timers are
// masked.
func TestObserveLogs(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	s1, s2 := startPage(t, "this is first real-server\n"), startPage(t, "this is second real-server\n")
	results := map[string][]string{}
	for _, run := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		catcher := newUDPCatcher(t)
		ports := map[string]int{}
		for _, k := range []string{"READY", "WEB", "CLF", "CUSTOM", "TCP"} {
			ports[k] = freePort(t)
		}
		r := strings.NewReplacer("{LOG}", fmt.Sprint(catcher.port()), "{READY}", fmt.Sprint(ports["READY"]),
			"{WEB}", fmt.Sprint(ports["WEB"]), "{CLF}", fmt.Sprint(ports["CLF"]), "{CUSTOM}", fmt.Sprint(ports["CUSTOM"]),
			"{TCP}", fmt.Sprint(ports["TCP"]), "{S1}", s1, "{S2}", s2)
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
