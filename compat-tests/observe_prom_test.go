package compattests

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// promConfig serves the exporter from a frontend of its own (so that
// scrapes do not move the counters compared) in front of backends with
// servers in every state the exporter labels: up with checks, down, in
// maintenance, without checks, backup; plus a TCP listen section.
const promConfig = `global
    maxconn 4000
defaults
    mode http
    retries 3
    option redispatch
    timeout connect 5s
    timeout client 50s
    timeout server 50s
frontend prometheus
    bind 127.0.0.1:{PROM}
    http-request use-service prometheus-exporter if { path /metrics }
frontend web
    bind 127.0.0.1:{WEB}
    acl html url_reg -i \.html$
    http-request deny if { path /forbidden }
    use_backend static if html
    default_backend httpservers
backend httpservers
    balance roundrobin
    server http1 {S1} maxconn 2000 weight 1 check inter 1s rise 2 fall 2
    server http2 {S2} maxconn 2000 weight 2 check inter 1s rise 2 fall 2
    server http3 {S3} check inter 1s rise 2 fall 2
    server http4 {S1} disabled
backend static
    server st1 {S1}
    server bk {S2} backup
listen tcpsvc
    mode tcp
    bind 127.0.0.1:{TCP}
    server t1 {S1} check inter 1s
`

// promVolatileFamilies are the families whose values depend on timing,
// byte counts or the number of scrapes, not on the requests sent.
var promVolatileFamilies = map[string]bool{
	"bytes_in_total": true, "bytes_out_total": true, "max_session_rate": true, "connections_rate_max": true,
	"http_requests_rate_max": true, "check_last_change_seconds": true, "downtime_seconds_total": true,
	"last_session_seconds": true, "check_duration_seconds": true, "check_failures_total": true,
	"queue_time_average_seconds": true, "connect_time_average_seconds": true,
	"response_time_average_seconds": true, "total_time_average_seconds": true,
	"max_queue_time_seconds": true, "max_connect_time_seconds": true, "max_response_time_seconds": true,
	"max_total_time_seconds": true, "max_sessions": true, "max_queue": true,
	// servers' idle connections: haproxy keeps some after the traffic,
	// for as long as its own idle timers say
	"idle_connections_current": true, "unsafe_idle_connections_current": true,
	"safe_idle_connections_current": true, "used_connections_current": true, "need_connections_current": true,
	"connection_attempts_total": true, "connection_reuses_total": true,
}

type promScrape struct {
	text     string
	families map[string]*dto.MetricFamily
	order    []string // family names in the order of their "# TYPE" lines
}

func scrapeProm(t *testing.T, port int, query string) promScrape {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics%s", port, query))
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("scrape body: %v", err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; version=0.0.4" {
		t.Fatalf("scrape: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("the exporter's output does not parse: %v", err)
	}
	sc := promScrape{text: string(body), families: fams}
	s := bufio.NewScanner(strings.NewReader(sc.text))
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		if f := strings.Fields(s.Text()); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			sc.order = append(sc.order, f[2])
		}
	}
	return sc
}

// promValue returns the value of the family's sample whose labels are
// exactly want ("k=v,k=v" sorted), and whether it exists.
func (sc promScrape) value(family, want string) (float64, bool) {
	mf := sc.families[family]
	if mf == nil {
		return 0, false
	}
	for _, m := range mf.Metric {
		if labelKey(m) == want {
			return metricValue(m), true
		}
	}
	return 0, false
}

func labelKey(m *dto.Metric) string {
	var kv []string
	for _, l := range m.Label {
		v := l.GetValue()
		if l.GetName() == "version" {
			// build_info: Debian's haproxy adds its package revision
			// ("2.6.12-1+deb12u4"); goproxy names the release it
			// follows (compat-tests/DIFFERENCES.md)
			v, _, _ = strings.Cut(v, "-")
		}
		kv = append(kv, l.GetName()+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

func metricValue(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return 0
}

// proxyLabel is the "proxy" label of a sample ("" for process families).
func proxyLabel(m *dto.Metric) string {
	for _, l := range m.Label {
		if l.GetName() == "proxy" {
			return l.GetValue()
		}
	}
	return ""
}

// promSide is one proxy of the comparison with its ports.
type promSide struct {
	*observedProxy
	prom, web, tcp int
}

// waitProm scrapes until ok accepts the scrape (at most 10 s).
func waitProm(t *testing.T, o *promSide, what string, ok func(promScrape) bool) promScrape {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sc := scrapeProm(t, o.prom, "")
		if ok(sc) {
			return sc
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s never happened:\n%s\nstderr:\n%s", o.name, what, sc.text, o.stderr())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// promTraffic sends the same requests through a side: 30 to the default
// backend, 10 to the static one, 4 denied, and 3 TCP sessions.
func promTraffic(t *testing.T, o *promSide) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	web := fmt.Sprintf("http://127.0.0.1:%d", o.web)
	for i := 0; i < 44; i++ {
		path, want := "/", 200
		switch {
		case i >= 40:
			path, want = "/forbidden", 403
		case i%4 == 3:
			path = "/page.html"
		}
		if code, _, _ := observeGet(t, client, web+path, "", ""); code != want {
			t.Fatalf("%s: %s answered %d, want %d", o.name, path, code, want)
		}
	}
	for i := 0; i < 3; i++ {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", o.tcp), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
		if b, _ := io.ReadAll(c); !strings.Contains(string(b), "real-server") {
			t.Fatalf("%s: tcp session %d got %q", o.name, i, b)
		}
		c.Close()
	}
}

// TestObservePrometheus: "http-request use-service prometheus-exporter"
// through goproxy serves what haproxy 2.6's exporter serves for the same
// configuration after the same traffic: output the Prometheus text parser
// accepts, the same families in the same order with the same types and
// help texts, the same label sets, and the same values wherever they do
// not depend on timing, byte counts or the number of scrapes.
func TestObservePrometheus(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	s1, s2 := startPage(t, "this is first real-server\n"), startPage(t, "this is second real-server\n")
	s3 := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	scrapes := map[string]promScrape{}
	for _, run := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		o := &promSide{prom: freePort(t), web: freePort(t), tcp: freePort(t)}
		r := strings.NewReplacer("{PROM}", fmt.Sprint(o.prom), "{WEB}", fmt.Sprint(o.web), "{TCP}", fmt.Sprint(o.tcp),
			"{S1}", s1, "{S2}", s2, "{S3}", s3)
		o.observedProxy = startObserved(t, run.name, run.bin, r.Replace(promConfig), o.prom, o.web, o.tcp)
		waitProm(t, o, "checks settling", func(sc promScrape) bool {
			up := func(px, s string) bool {
				v, _ := sc.value("haproxy_server_check_status", "proxy="+px+",server="+s+",state=L4OK")
				return v == 1
			}
			down, _ := sc.value("haproxy_server_status", "proxy=httpservers,server=http3,state=DOWN")
			return up("httpservers", "http1") && up("httpservers", "http2") && up("tcpsvc", "t1") && down == 1
		})
		promTraffic(t, o)
		scrapes[run.name] = waitProm(t, o, "the traffic being counted", func(sc promScrape) bool {
			// (the readiness probe of startObserved adds one
			// connection to each frontend, on both sides alike)
			web, _ := sc.value("haproxy_frontend_http_requests_total", "proxy=web")
			cur, _ := sc.value("haproxy_frontend_current_sessions", "proxy=web")
			tcp, _ := sc.value("haproxy_backend_sessions_total", "proxy=tcpsvc")
			tcpCur, _ := sc.value("haproxy_frontend_current_sessions", "proxy=tcpsvc")
			return web >= 44 && cur == 0 && tcp >= 3 && tcpCur == 0
		})
	}
	compareProm(t, scrapes["haproxy"], scrapes["goproxy"])

	// The exporter's own frontend counts scrapes, and each side was
	// scraped a different number of times; what must match is how the
	// counters relate: requests intercepted, answered (a scrape does not
	// see its own response), and the readiness probe's empty connection.
	rel := func(sc promScrape) string {
		v := func(name, labels string) float64 {
			x, _ := sc.value(name, labels)
			return x
		}
		req := v("haproxy_frontend_http_requests_total", "proxy=prometheus")
		return fmt.Sprintf("requests-intercepted=%v requests-2xx=%v 4xx=%v sessions-requests=%v",
			req-v("haproxy_frontend_intercepted_requests_total", "proxy=prometheus"),
			req-v("haproxy_frontend_http_responses_total", "code=2xx,proxy=prometheus"),
			v("haproxy_frontend_http_responses_total", "code=4xx,proxy=prometheus"),
			v("haproxy_frontend_sessions_total", "proxy=prometheus")-req)
	}
	h, g := rel(scrapes["haproxy"]), rel(scrapes["goproxy"])
	t.Logf("the exporter's frontend: %s (both)", h)
	if h != g {
		t.Errorf("the exporter's frontend: goproxy %s, haproxy %s", g, h)
	}
}

func compareProm(t *testing.T, h, g promScrape) {
	t.Helper()
	if strings.Join(h.order, "\n") != strings.Join(g.order, "\n") {
		t.Errorf("families or their order differ:\n%s", promOrderDiff(h.order, g.order))
	}
	for name, hf := range h.families {
		gf := g.families[name]
		if gf == nil {
			continue // reported above
		}
		if hf.GetType() != gf.GetType() || hf.GetHelp() != gf.GetHelp() {
			t.Errorf("%s: goproxy %v %q, haproxy %v %q", name, gf.GetType(), gf.GetHelp(), hf.GetType(), hf.GetHelp())
		}
		hs, gs := samplesByLabels(hf), samplesByLabels(gf)
		for k := range hs {
			if _, ok := gs[k]; !ok {
				t.Errorf("%s{%s}: missing from goproxy", name, k)
			}
		}
		for k := range gs {
			if _, ok := hs[k]; !ok {
				t.Errorf("%s{%s}: goproxy has it, haproxy does not", name, k)
			}
		}
		kind, short := promFamilyKind(name)
		if kind == "process" || promVolatileFamilies[short] {
			continue
		}
		for k, hm := range hs {
			gm := gs[k]
			if gm == nil || proxyLabel(hm) == "prometheus" {
				continue // the exporter's own frontend counts scrapes
			}
			if hv, gv := metricValue(hm), metricValue(gm); hv != gv && !(math.IsNaN(hv) && math.IsNaN(gv)) {
				t.Errorf("%s{%s}: goproxy %v, haproxy %v", name, k, gv, hv)
			}
		}
	}
}

// promFamilyKind splits "haproxy_server_weight" into "server", "weight".
func promFamilyKind(name string) (kind, short string) {
	rest := strings.TrimPrefix(name, "haproxy_")
	kind, short, _ = strings.Cut(rest, "_")
	return kind, short
}

func samplesByLabels(mf *dto.MetricFamily) map[string]*dto.Metric {
	out := map[string]*dto.Metric{}
	for _, m := range mf.Metric {
		out[labelKey(m)] = m
	}
	return out
}

// promOrderDiff lists the lines only one side has.
func promOrderDiff(want, got []string) string {
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range list {
			m[s] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, s := range want {
		if !g[s] {
			b.WriteString("- " + s + " (haproxy only)\n")
		}
	}
	for _, s := range got {
		if !w[s] {
			b.WriteString("+ " + s + " (goproxy only)\n")
		}
	}
	if b.Len() == 0 {
		b.WriteString("same families, different order")
	}
	return b.String()
}
