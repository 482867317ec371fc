package compattests

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// The Prometheus exporter's log lines: the applet is named <PROMEX> and
// %B counts its answer as haproxy's HTX holds it (its 400 keeps
// "connection: close"). Bodies whose size depends on the values are left
// out: an empty scope and a bad one are the same on both sides.

const promexLogConfig = `
global
    log 127.0.0.1:{LOG} local0
defaults
    mode http
    log global
    log-format "%s %ST %B %ts %{+Q}r"
    timeout connect 5s
    timeout client 5s
    timeout server 5s
frontend web
    bind 127.0.0.1:{P1}
    http-request use-service prometheus-exporter if { path /metrics }
    default_backend be
backend be
    server s1 127.0.0.1:{P2}
`

func promexLogLines(t *testing.T, name, bin string) []string {
	logs := newUDPCatcher(t)
	p1 := freePort(t)
	cfg := strings.NewReplacer("{LOG}", fmt.Sprint(logs.port()), "{P1}", fmt.Sprint(p1), "{P2}", fmt.Sprint(freePort(t))).Replace(promexLogConfig)
	startObserved(t, name, bin, cfg, p1)
	client := &http.Client{Timeout: 5 * time.Second}
	for _, r := range []struct{ method, query string }{{"GET", "?scope="}, {"HEAD", "?scope="}, {"GET", "?scope=bad"}, {"HEAD", "?scope=bad"}} {
		req, _ := http.NewRequest(r.method, fmt.Sprintf("http://127.0.0.1:%d/metrics%s", p1, r.query), nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	var out []string
	for _, l := range logs.take(5) {
		// the readiness probe's <BADREQ> line is not the exporter's
		if i := strings.Index(l, "<PROMEX>"); i >= 0 {
			out = append(out, l[i:])
		}
	}
	// lines of different connections may come in either order
	sort.Strings(out)
	return out
}

// TestObservePromexLog: goproxy's <PROMEX> lines equal haproxy 2.6's.
func TestObservePromexLog(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	h, g := promexLogLines(t, "haproxy", hapBin), promexLogLines(t, "goproxy", gopBin)
	t.Logf("haproxy 2.6:\n%s", strings.Join(h, "\n"))
	if strings.Join(h, "\n") != strings.Join(g, "\n") {
		t.Errorf("goproxy:\n%s\nhaproxy 2.6:\n%s", strings.Join(g, "\n"), strings.Join(h, "\n"))
	}
}
