package compattests

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// The persistence cookie's two characters of the termination state
// (%tsc, configuration.txt §8.5): what the client's cookie did (N none,
// I invalid, D names a DOWN server, V valid) and what became of the
// server's (N, I inserted, P found, D deleted, R rewritten), for insert,
// rewrite and prefix backends, haproxy 2.6 and goproxy side by side.
const cookieLogConfig = `global
    log 127.0.0.1:{LOG} local0
defaults
    mode http
    log global
    dynamic-cookie-key k
    timeout connect 2s
    timeout client 5s
    timeout server 5s
listen ready
    bind 127.0.0.1:{READY}
    no log
    http-request return status 200
frontend ins
    bind 127.0.0.1:{INS}
    log-format "%ft %b/%s %ST %tsc %{+Q}r"
    default_backend ins
frontend rw
    bind 127.0.0.1:{RW}
    log-format "%ft %b/%s %ST %tsc %{+Q}r"
    default_backend rw
frontend pfx
    bind 127.0.0.1:{PFX}
    log-format "%ft %b/%s %ST %tsc %{+Q}r"
    default_backend pfx
frontend dat
    bind 127.0.0.1:{DAT}
    capture response header Set-Cookie len 60
    log-format "%ft %b/%s %ST %tsc %hs %{+Q}r"
    default_backend dat
backend dat
    cookie SRV insert maxidle 1h maxlife 2h
    server a {S1} cookie a
    server b {S2} cookie b
frontend dyn
    bind 127.0.0.1:{DYN}
    log-format "%ft %b/%s %ST %tsc %{+Q}r"
    default_backend dyn
backend dyn
    cookie SRV insert dynamic
    dynamic-cookie-key a-rather-long-secret-key-of-40-characters
    server a {S1}
    server b {S2} cookie b
frontend dyn2
    bind 127.0.0.1:{DYN2}
    log-format "%ft %b/%s %ST %tsc %{+Q}r"
    default_backend dyn2
backend dyn2
    cookie SRV insert dynamic
    server a {S1}
    server b {S2}
backend ins
    cookie SRV insert indirect
    ignore-persist if { path_beg /ign }
    server a {S1} cookie a
    server b {S2} cookie b
    server d 127.0.0.1:{DEAD} cookie d check inter 100ms fall 1
backend rw
    cookie SRV rewrite
    server a {S1} cookie a
    server b {S2} cookie b
backend pfx
    cookie SRV prefix
    server a {S1} cookie a
    server b {S2} cookie b
`

// cookieDate is a date in a persistence cookie (it moves between runs).
var cookieDate = regexp.MustCompile(`\|[A-Za-z0-9+/]{5}`)

// startSetCookieServer answers "/sc" with a Set-Cookie of SRV, anything
// else without cookies.
func startSetCookieServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sc" {
			w.Header().Set("Set-Cookie", "SRV=mine; path=/")
		}
		io.WriteString(w, "ok\n")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func TestObserveCookiePersistenceLogs(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	s1, s2 := startSetCookieServer(t), startSetCookieServer(t)
	type creq struct{ fe, path, cookie string }
	// a date as the cookie carries it: 4-second units, 5 base64 chars
	date := func(ago int64) string {
		const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		v := (time.Now().Unix() - ago) >> 2
		out := make([]byte, 5)
		for i := range out {
			out[i] = b64[(v>>24)&0x3f]
			v <<= 6
		}
		return string(out)
	}
	reqs := []creq{
		{"DAT", "/", ""}, {"DAT", "/", "SRV=b|" + date(100) + "|" + date(100)},
		{"DAT", "/", "SRV=a|" + date(7200)}, {"DAT", "/", "SRV=a|" + date(10) + "|" + date(10000)},
		{"DAT", "/", "SRV=b|" + date(-200000)}, {"DAT", "/", "SRV=a|" + date(100)},
		{"DAT", "/", "SRV=a|xx"}, {"DAT", "/", "SRV=b; SRV=a"},
		{"DYN", "/", ""}, {"DYN", "/", ""}, {"DYN2", "/", ""}, {"DYN2", "/", ""},
		{"INS", "/ign", "SRV=a"}, {"INS", "/ign", ""},
		{"INS", "/", "SRV=a|" + date(100)}, {"INS", "/", "SRV=b|" + date(100) + "|" + date(100)},
		{"INS", "/", ""}, {"INS", "/", "SRV=a"}, {"INS", "/", "SRV=zz"}, {"INS", "/", "x=1; SRV=b"},
		{"INS", "/", "SRV=d"}, {"INS", "/sc", ""}, {"INS", "/sc", "SRV=b"},
		{"RW", "/", ""}, {"RW", "/sc", ""}, {"RW", "/sc", "SRV=b"}, {"RW", "/", "SRV=q"},
		{"PFX", "/sc", ""}, {"PFX", "/", "SRV=a~mine"}, {"PFX", "/sc", "SRV=b~x"},
	}
	results := map[string][]string{}
	for _, run := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		catcher := newUDPCatcher(t)
		ports := map[string]int{}
		for _, k := range []string{"READY", "INS", "RW", "PFX", "DEAD", "DAT", "DYN", "DYN2"} {
			ports[k] = freePort(t)
		}
		r := strings.NewReplacer("{LOG}", fmt.Sprint(catcher.port()), "{S1}", s1, "{S2}", s2)
		pairs := []string{}
		for k, v := range ports {
			pairs = append(pairs, "{"+k+"}", fmt.Sprint(v))
		}
		cfg := strings.NewReplacer(pairs...).Replace(r.Replace(cookieLogConfig))
		startObserved(t, run.name, run.bin, cfg, ports["READY"])
		// the dead server's first check marks it DOWN
		time.Sleep(600 * time.Millisecond)
		catcher.take(0)
		client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		for _, q := range reqs {
			hr, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%s", ports[q.fe], q.path), nil)
			if q.cookie != "" {
				hr.Header.Set("Cookie", q.cookie)
			}
			resp, err := client.Do(hr)
			if err != nil {
				t.Fatalf("%s: %v: %v", run.name, q, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			// what the client is told to keep, dates masked
			results[run.name] = append(results[run.name], fmt.Sprintf("%s %s %q -> %q", q.fe, q.path, cookieDate.ReplaceAllString(q.cookie, "|DATE"),
				cookieDate.ReplaceAllString(strings.Join(resp.Header.Values("Set-Cookie"), " / "), "|DATE")))
		}
		for _, l := range catcher.take(len(reqs)) {
			results[run.name] = append(results[run.name], cookieDate.ReplaceAllString(maskLogLine(l), "|DATE"))
		}
	}
	h, g := results["haproxy"], results["goproxy"]
	sort.Strings(h)
	sort.Strings(g)
	t.Logf("haproxy's lines (masked, sorted):\n%s", strings.Join(h, "\n"))
	if strings.Join(h, "\n") != strings.Join(g, "\n") {
		t.Errorf("goproxy's lines:\n%s", strings.Join(g, "\n"))
	}
}
