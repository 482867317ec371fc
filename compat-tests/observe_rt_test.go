package compattests

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// %rt is haproxy's global request counter: every stream takes a value,
// also in frontends that neither log nor capture (keep-alive requests,
// TCP sessions, runtime API connections); an empty connection takes none.

const rtConfig = `
global
    log 127.0.0.1:{LOG} local0
    stats socket {DIR}/admin.sock level admin
defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
frontend logged
    bind 127.0.0.1:{P1}
    log global
    log-format "rt=%rt %{+Q}r"
    http-request return status 200
frontend quiet
    bind 127.0.0.1:{P2}
    http-request return status 200
frontend tcpq
    mode tcp
    bind 127.0.0.1:{P3}
    default_backend tb
backend tb
    mode tcp
    server s 127.0.0.1:{P2}
`

// rtScenario sends the same traffic to one side and returns its %rt
// values with their request lines.
func rtScenario(t *testing.T, name, bin string) []string {
	dir := t.TempDir()
	p1, p2, p3 := freePort(t), freePort(t), freePort(t)
	logs := newUDPCatcher(t)
	cfg := strings.NewReplacer("{LOG}", fmt.Sprint(logs.port()), "{DIR}", dir, "{P1}", fmt.Sprint(p1), "{P2}", fmt.Sprint(p2), "{P3}", fmt.Sprint(p3)).Replace(rtConfig)
	// p3 (TCP) is not probed: a probe there would be a stream of its own
	startObserved(t, name, bin, cfg, p1, p2)
	// the probe of the logging frontend is logged as <BADREQ> (and takes
	// a value): let it arrive before the traffic
	logs.take(1)
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(port int, path string) {
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get(p1, "/a")
	get(p2, "/b") // two requests on one keep-alive connection
	get(p2, "/c")
	client.CloseIdleConnections()
	get(p1, "/d")
	get(p3, "/e") // a TCP session, then an HTTP stream behind it
	client.CloseIdleConnections()
	get(p1, "/f")
	socketCommand(t, filepath.Join(dir, "admin.sock"), "show info")
	get(p1, "/g")
	if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", p2)); err == nil {
		c.Close() // no request: no stream
	}
	time.Sleep(100 * time.Millisecond)
	get(p1, "/h")
	// the readiness probes open streams concurrently (the TCP one): the
	// steps between the values are compared, not the first value
	re := regexp.MustCompile(`rt=(\d+) "GET (/\w)`)
	var out []string
	prev := -1
	for _, m := range re.FindAllStringSubmatch(strings.Join(logs.take(5), "\n"), -1) {
		n, _ := strconv.Atoi(m[1])
		if prev >= 0 {
			out = append(out, fmt.Sprintf("%s +%d", m[2], n-prev))
		}
		prev = n
	}
	return out
}

// TestObserveRequestCounter: goproxy's %rt advances as haproxy's does.
func TestObserveRequestCounter(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	h := rtScenario(t, "haproxy", hapBin)
	g := rtScenario(t, "goproxy", gopBin)
	t.Logf("haproxy 2.6: %q", h)
	if strings.Join(h, "\n") != strings.Join(g, "\n") {
		t.Errorf("goproxy:\n%s\nhaproxy 2.6:\n%s", strings.Join(g, "\n"), strings.Join(h, "\n"))
	}
}
