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

// statsSectionsConfig puts the stats page where haproxy users put it: a
// frontend of its own with no backend at all (the most common form), a
// frontend that also routes (its stats URI answered before use_backend,
// after its http-request rules), and a backend's page reached through it.
const statsSectionsConfig = `global
    log 127.0.0.1:{LOG} local0
defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 10s
    timeout server 10s
listen ready
    bind 127.0.0.1:{READY}
    no log
    http-request return status 200
frontend stats
    bind 127.0.0.1:{STATS}
    stats enable
    stats uri /stats
    stats refresh 10s
    stats auth admin:secret
    stats admin if TRUE
frontend fe2
    bind 127.0.0.1:{FE2}
    http-request deny if { path /deny }
    stats enable
    stats uri /fe-stats
    default_backend be
backend be
    stats enable
    stats uri /be-stats
    server s1 {S1}
`

// TestObserveStatsSections: the stats page served from a frontend (with no
// backend, or before use_backend) and from a backend answers as haproxy
// 2.6's does — statuses, HEAD headers — and is logged the same way
// ("fe fe/<STATS>", "LR--", zero timers; a 401 logged as 400; a request
// with no backend "SC--").
func TestObserveStatsSections(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	s1 := startPage(t, "this is first real-server\n")
	type answer struct {
		status int
		head   string
	}
	statuses := map[string][]string{}
	logs := map[string][]string{}
	for _, run := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		catcher := newUDPCatcher(t)
		ports := map[string]int{}
		for _, k := range []string{"READY", "STATS", "FE2"} {
			ports[k] = freePort(t)
		}
		r := strings.NewReplacer("{LOG}", fmt.Sprint(catcher.port()), "{READY}", fmt.Sprint(ports["READY"]),
			"{STATS}", fmt.Sprint(ports["STATS"]), "{FE2}", fmt.Sprint(ports["FE2"]), "{S1}", s1)
		startObserved(t, run.name, run.bin, r.Replace(statsSectionsConfig), ports["READY"])
		time.Sleep(300 * time.Millisecond)
		catcher.take(0)
		client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		reqs := []struct {
			method, port, path, user, body string
		}{
			{"GET", "STATS", "/stats", "", ""},
			{"GET", "STATS", "/stats;csv", "admin", ""},
			{"HEAD", "STATS", "/stats", "admin", ""},
			{"POST", "STATS", "/stats", "admin", "s=s1&action=drain&b=be"},
			{"GET", "STATS", "/other", "", ""},
			{"GET", "FE2", "/fe-stats;csv", "", ""},
			{"GET", "FE2", "/be-stats;csv", "", ""},
			{"GET", "FE2", "/deny", "", ""},
			{"GET", "FE2", "/page", "", ""},
		}
		for _, q := range reqs {
			var body io.Reader
			if q.body != "" {
				body = strings.NewReader(q.body)
			}
			hr, _ := http.NewRequest(q.method, fmt.Sprintf("http://127.0.0.1:%d%s", ports[q.port], q.path), body)
			if q.body != "" {
				hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if q.user != "" {
				hr.SetBasicAuth(q.user, "secret")
			}
			resp, err := client.Do(hr)
			if err != nil {
				t.Fatalf("%s: %s %s: %v", run.name, q.method, q.path, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			line := fmt.Sprintf("%s %s%s -> %d", q.method, q.port, q.path, resp.StatusCode)
			if q.method == "HEAD" {
				var names []string
				for k := range resp.Header {
					names = append(names, strings.ToLower(k))
				}
				sort.Strings(names)
				line += " headers " + strings.Join(names, ",")
			}
			if strings.HasSuffix(q.path, ";csv") && resp.StatusCode == 200 && !strings.HasPrefix(string(b), "# pxname,") {
				t.Errorf("%s: %s is not the stats CSV:\n%.200s", run.name, q.path, b)
			}
			statuses[run.name] = append(statuses[run.name], line)
		}
		for _, l := range catcher.take(len(reqs)) {
			logs[run.name] = append(logs[run.name], maskStatsSectionLine(l))
		}
	}
	if h, g := strings.Join(statuses["haproxy"], "\n"), strings.Join(statuses["goproxy"], "\n"); h != g {
		t.Errorf("answers differ:\nhaproxy:\n%s\ngoproxy:\n%s", h, g)
	}
	h, g := logs["haproxy"], logs["goproxy"]
	sort.Strings(h)
	sort.Strings(g)
	t.Logf("haproxy's lines (masked, sorted):\n%s", strings.Join(h, "\n"))
	if strings.Join(h, "\n") != strings.Join(g, "\n") {
		t.Errorf("log lines differ:\nhaproxy:\n%s\ngoproxy:\n%s", strings.Join(h, "\n"), strings.Join(g, "\n"))
	}
}

// The stats page's HTML is goproxy's own markup, so the byte counts of
// its lines differ by design; every line's byte count is masked here
// (byte counting is compared by TestObserveLogs).
// Timers keep their -1s (which steps did not happen) and lose their
// values.
var (
	statsLineBytes  = regexp.MustCompile(`( \d{3}) \d+ (- -)`)
	statsLineTimers = regexp.MustCompile(` (-?\d+)/(-?\d+)/(-?\d+)/(-?\d+)/(\+?-?\d+) (\d{3}) `)
	nonNegative     = regexp.MustCompile(`(^|[^-\d])\d+`)
)

func maskStatsSectionLine(l string) string {
	l = statsLineTimers.ReplaceAllStringFunc(l, func(m string) string {
		parts := strings.Fields(m)
		return " " + nonNegative.ReplaceAllString(parts[0], "${1}N") + " " + parts[1] + " "
	})
	return statsLineBytes.ReplaceAllString(maskLogLine(l), "$1 B $2")
}

// TestObserveStatsPageFraming: the stats page's response heads (framing
// and connection headers, their order) for HTTP/1.1 and HTTP/1.0 clients,
// GET and HEAD, kept alive or closed, as haproxy 2.6 writes them.
func TestObserveStatsPageFraming(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	const auth = "Authorization: Basic YWRtaW46c2VjcmV0\r\n" // admin:secret
	reqs := []string{
		"GET /stats;csv HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
		"GET /stats;csv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth + "\r\n",
		"GET /stats;csv HTTP/1.0\r\n" + auth + "\r\n",
		"GET /stats;csv HTTP/1.0\r\nConnection: keep-alive\r\n" + auth + "\r\n",
		"HEAD /stats HTTP/1.0\r\nConnection: keep-alive\r\n" + auth + "\r\n",
		"HEAD /stats HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
		"GET /stats HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	}
	heads := map[string][]string{}
	for _, run := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		ports := map[string]int{"READY": freePort(t), "STATS": freePort(t), "FE2": freePort(t)}
		r := strings.NewReplacer("{LOG}", "9", "{READY}", fmt.Sprint(ports["READY"]),
			"{STATS}", fmt.Sprint(ports["STATS"]), "{FE2}", fmt.Sprint(ports["FE2"]), "{S1}", "127.0.0.1:9")
		startObserved(t, run.name, run.bin, r.Replace(statsSectionsConfig), ports["READY"])
		for _, req := range reqs {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ports["STATS"]))
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, req)
			var got []byte
			buf := make([]byte, 8192)
			for !strings.Contains(string(got), "\r\n\r\n") {
				n, err := c.Read(buf)
				got = append(got, buf[:n]...)
				if err != nil {
					break
				}
			}
			c.Close()
			head, _, _ := strings.Cut(string(got), "\r\n\r\n")
			heads[run.name] = append(heads[run.name], strings.SplitN(req, "\r\n", 2)[0]+" ->\n"+head)
		}
	}
	if h, g := strings.Join(heads["haproxy"], "\n\n"), strings.Join(heads["goproxy"], "\n\n"); h != g {
		t.Errorf("response heads differ:\nhaproxy:\n%s\n\ngoproxy:\n%s", h, g)
	}
}
