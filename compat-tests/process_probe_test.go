package compattests

// Probes of the process tests: a backend that counts concurrent requests,
// configuration files, requests, and the comparison of what each binary
// showed.

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer answers "ok" after ?ms=N milliseconds and remembers the
// highest number of requests it had at once.
type countingServer struct {
	addr     string
	cur, max atomic.Int64
	total    atomic.Int64
}

func startCountingServer(t *testing.T) *countingServer {
	t.Helper()
	s := &countingServer{}
	ln, err := net.Listen("tcp4", freeLoopback(t))
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.cur.Add(1)
		defer s.cur.Add(-1)
		s.total.Add(1)
		for {
			m := s.max.Load()
			if n <= m || s.max.CompareAndSwap(m, n) {
				break
			}
		}
		if ms, _ := strconv.Atoi(r.URL.Query().Get("ms")); ms > 0 {
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
		io.WriteString(w, "ok\n")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// processConfig is the configuration of the process tests; global and
// frontend lines are added per case.
func processConfig(global, fe, listen, server string) string {
	return "global\n" + global +
		"defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n" +
		"frontend fe\n    bind " + listen + "\n" + fe + "    default_backend be\n" +
		"backend be\n    server s1 " + server + "\n"
}

// get sends one request on a new connection and returns the status ("000"
// and the error when there is none).
func get(addr, path string, timeout time.Duration) (string, error) {
	c := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		return "000", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return strconv.Itoa(resp.StatusCode), nil
}

// connectable tells whether a TCP connection to addr is accepted by the
// kernel (refused when nothing listens).
func connectable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// observation is what one binary showed in one case, field by field.
type observation map[string]string

func (o observation) set(k string, v any) { o[k] = fmt.Sprint(v) }

func (o observation) String() string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s = %q\n", k, o[k])
	}
	return b.String()
}

// processKnown lists the fields where goproxy still differs from haproxy
// because of the engine (package proxy), with the change it needs. A
// difference listed here is logged; any other fails the test.
var processKnown = map[string]string{
	"maxconn/global-two-frontends/server concurrency max": "engine: global maxconn bounds each frontend on its own " +
		"(proxy/engine.go newFrontend gives every frontend a semaphore the size of global maxconn) instead of the whole process",
	"maxconn/global-two-frontends/took 5 rounds": "engine: as above",
	"signals/soft-stop-idle/exit within 1s": "engine: a soft stop leaves idle keep-alive client connections open until " +
		"timeout http-keep-alive/client; haproxy closes them at once (proxy/http.go serveOne must stop waiting for a next request once Engine.closing is closed)",
	"signals/soft-stop-idle/idle client closed": "engine: as above",
	"signals/soft-stop/stderr": "engine: haproxy prints 'Proxy fe stopped (cumulated conns: FE: n, BE: m).' per proxy on a soft stop; " +
		"the engine exposes no per-proxy connection totals to print",
	"signals/pause-resume/paused connect": "engine: no pause/resume of listeners (SIGTTOU/SIGTTIN); cmd/goproxy calls " +
		"Engine.Pause() error / Resume() error as soon as the engine has them",
	"signals/pause-resume/stderr": "engine: as above ('Paused frontend fe.' / 'Resumed frontend fe.')",
	"signals/SIGHUP/stderr": "engine: haproxy dumps every server's state as warnings on SIGHUP " +
		"('SIGHUP: Server be/s1 is UP. Conn: 0 act, 0 pend, 0 tot.'); the engine exposes no server states",
	"signals/SIGQUIT/stderr": "haproxy dumps its memory pools on SIGQUIT; goproxy has no pools (Go's allocator) and prints nothing",
}

// compareObservations fails on any field where goproxy's observation
// differs from haproxy's, and on fields that differ from want (what every
// binary must show; "" means no absolute expectation).
func compareObservations(t *testing.T, name string, got map[string]observation, want observation) {
	t.Helper()
	for bin, o := range got {
		for k, w := range want {
			if o[k] != w {
				msg := fmt.Sprintf("%s: %s: %s = %q, want %q", name, bin, k, o[k], w)
				if why, ok := processKnown[name+"/"+k]; ok && bin == "goproxy" {
					t.Logf("known difference — %s (%s)", msg, why)
					continue
				}
				t.Error(msg)
			}
		}
	}
	h, g := got["haproxy"], got["goproxy"]
	if h == nil || g == nil {
		return
	}
	for k, hv := range h {
		if _, checked := want[k]; checked {
			continue
		}
		if g[k] != hv {
			msg := fmt.Sprintf("%s: %s: haproxy %q, goproxy %q", name, k, hv, g[k])
			if why, ok := processKnown[name+"/"+k]; ok {
				t.Logf("known difference — %s (%s)", msg, why)
				continue
			}
			t.Error(msg)
		}
	}
	t.Logf("%s:\nhaproxy:\n%sgoproxy:\n%s", name, h, g)
}

// caseDir makes a directory for one binary's run of a case.
func caseDir(t *testing.T, bin string) string {
	d := filepath.Join(t.TempDir(), bin)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}
