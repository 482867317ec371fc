package compattests

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// observeConfig is the tutorial's configuration (testdata/seed/haproxy.cfg)
// moved to loopback ports, with modern timeouts, a runtime socket and a
// third server nobody listens on (to compare a DOWN server's columns).
const observeConfig = `global
    maxconn 4000
    stats socket {DIR}/admin.sock mode 600 level admin
    stats timeout 10s
defaults
    mode http
    log global
    retries 3
    option redispatch
    maxconn 4000
    timeout connect 5000
    timeout client 50000
    timeout server 50000
listen stats
    bind 127.0.0.1:{STATS}
    stats enable
    stats uri /haproxy
    stats auth yjssjm:123
frontend web
    bind 127.0.0.1:{WEB}
    option httplog
    acl html url_reg -i \.html$
    use_backend httpservers if html
    default_backend httpservers
backend httpservers
    balance roundrobin
    server http1 {S1} maxconn 2000 weight 1 check inter 1s rise 2 fall 2
    server http2 {S2} maxconn 2000 weight 1 check inter 1s rise 2 fall 2
    server http3 {S3} maxconn 2000 weight 1 check inter 1s rise 2 fall 2
`

// observed is one proxy of a side-by-side run with its ports.
type observed struct {
	*observedProxy
	dir        string
	stats, web int
}

// startObservePair runs haproxy and goproxy with observeConfig, the same
// three servers behind both.
func startObservePair(t *testing.T, extra string) (hap, gop *observed) {
	t.Helper()
	hapBin, gopBin := needBinaries(t)
	s1, s2 := startPage(t, "this is first real-server\n"), startPage(t, "this is second real-server\n")
	s3 := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	run := func(name, bin string) *observed {
		o := &observed{dir: t.TempDir(), stats: freePort(t), web: freePort(t)}
		r := strings.NewReplacer("{DIR}", o.dir, "{STATS}", fmt.Sprint(o.stats), "{WEB}", fmt.Sprint(o.web),
			"{S1}", s1, "{S2}", s2, "{S3}", s3)
		o.observedProxy = startObserved(t, name, bin, r.Replace(observeConfig+extra), o.stats, o.web)
		return o
	}
	return run("haproxy", hapBin), run("goproxy", gopBin)
}

// waitStat polls the ;csv export until ok accepts it (at most 10 s).
func waitStat(t *testing.T, o *observed, ok func(csvStat) bool) csvStat {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _, body := observeGet(t, client, fmt.Sprintf("http://127.0.0.1:%d/haproxy;csv", o.stats), "yjssjm", "123")
		if code != 200 {
			t.Fatalf("%s: ;csv answered %d", o.name, code)
		}
		st := parseStatCSV(t, body)
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: stats never reached the expected state:\n%s\nstderr:\n%s", o.name, body, o.stderr())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checksSettled: http1 and http2 checked UP, http3 DOWN.
func checksSettled(st csvStat) bool {
	r1, r2, r3 := st.rows["httpservers/http1"], st.rows["httpservers/http2"], st.rows["httpservers/http3"]
	return r1 != nil && r2 != nil && r3 != nil &&
		r1["check_status"] == "L4OK" && r2["check_status"] == "L4OK" && r3["status"] == "DOWN"
}

// TestObserveStatsPage: the tutorial's stats page through goproxy answers
// as haproxy 2.6's does: 401 without the tutorial's credentials, 200 with
// them, the ;csv header byte for byte, and after the same 100 requests the
// same deterministic per-server columns (byte counts included: both count
// HTTP messages in haproxy's HTX sizes).
func TestObserveStatsPage(t *testing.T) {
	hap, gop := startObservePair(t, "")
	client := &http.Client{Timeout: 5 * time.Second}
	golden, err := os.ReadFile(filepath.Join("..", "stats", "testdata", "golden", "show_stat.csv"))
	if err != nil {
		t.Fatal(err)
	}
	goldenHeader, _, _ := strings.Cut(string(golden), "\n")

	stats := map[string]csvStat{}
	for _, o := range []*observed{hap, gop} {
		base := fmt.Sprintf("http://127.0.0.1:%d/haproxy", o.stats)
		code, hdr, _ := observeGet(t, client, base, "", "")
		if code != 401 || hdr.Get("Www-Authenticate") != `Basic realm="HAProxy Statistics"` {
			t.Errorf("%s: without credentials: %d %q, want 401 with the realm", o.name, code, hdr.Get("Www-Authenticate"))
		}
		if code, _, _ := observeGet(t, client, base, "yjssjm", "bad"); code != 401 {
			t.Errorf("%s: wrong password: %d, want 401", o.name, code)
		}
		code, hdr, body := observeGet(t, client, base, "yjssjm", "123")
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(body, "httpservers") {
			t.Errorf("%s: with credentials: %d %q (%d bytes), want the HTML page", o.name, code, hdr.Get("Content-Type"), len(body))
		}
		waitStat(t, o, checksSettled)
		web := fmt.Sprintf("http://127.0.0.1:%d/", o.web)
		for i := 0; i < 100; i++ {
			path := web
			if i%4 == 3 {
				path += "index.html" // the acl route
			}
			if code, _, _ := observeGet(t, client, path, "", ""); code != 200 {
				t.Fatalf("%s: request %d answered %d", o.name, i, code)
			}
		}
		// every stream ended: counted and its bytes flushed (the client
		// may see its answer before that; its kept-alive connection
		// stays open)
		done := func(st csvStat) bool {
			be := st.rows["httpservers/BACKEND"]
			return be["stot"] == "100" && be["req_tot"] == "100" && be["scur"] == "0"
		}
		waitStat(t, o, done)
		time.Sleep(300 * time.Millisecond) // the last stream's bytes are added after it left
		stats[o.name] = waitStat(t, o, done)
	}
	h, g := stats["haproxy"], stats["goproxy"]
	if h.header != goldenHeader {
		t.Errorf("haproxy's live header differs from the golden:\n%s\n%s", h.header, goldenHeader)
	}
	if g.header != h.header {
		t.Errorf("csv header:\n goproxy %s\n haproxy %s", g.header, h.header)
	}
	cols := []string{"stot", "lbtot", "status", "weight", "check_status", "check_desc", "act", "bck",
		"hrsp_2xx", "hrsp_5xx", "econ", "eresp", "wretr", "wredis", "chkdown", "qcur", "scur", "slim", "iid", "sid", "type",
		"req_tot", "ereq", "dreq", "bin", "bout"}
	// the stats section answered a different number of polls: only its
	// identity columns are compared
	for _, c := range []string{"iid", "sid", "type", "status"} {
		if hr, gr := h.rows["stats/FRONTEND"], g.rows["stats/FRONTEND"]; hr != nil && gr != nil && hr[c] != gr[c] {
			t.Errorf("stats/FRONTEND %s: goproxy %q, haproxy %q", c, gr[c], hr[c])
		}
	}
	for _, key := range []string{"httpservers/http1", "httpservers/http2", "httpservers/http3", "httpservers/BACKEND", "web/FRONTEND"} {
		hr, gr := h.rows[key], g.rows[key]
		if hr == nil || gr == nil {
			t.Errorf("%s: row missing (haproxy %v, goproxy %v)", key, hr != nil, gr != nil)
			continue
		}
		for _, c := range cols {
			if hr[c] != gr[c] {
				t.Errorf("%s %s: goproxy %q, haproxy %q", key, c, gr[c], hr[c])
			}
		}
	}
	t.Logf("http1 stot=%s lbtot=%s http2 stot=%s lbtot=%s (both)", g.rows["httpservers/http1"]["stot"], g.rows["httpservers/http1"]["lbtot"],
		g.rows["httpservers/http2"]["stot"], g.rows["httpservers/http2"]["lbtot"])
}
