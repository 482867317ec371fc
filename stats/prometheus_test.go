package stats

import (
	"strings"
	"testing"
)

// promVolatile reports the sample lines that cannot match between two
// captures: the "stats" proxy serves the scrape itself, and the process
// figures below move with every connection the capture makes.
func promVolatile(line string) bool {
	if strings.Contains(line, `proxy="stats"`) {
		return true
	}
	for _, p := range []string{"haproxy_process_current_connections ", "haproxy_process_connections_total ",
		"haproxy_process_requests_total ", "haproxy_process_jobs ", "haproxy_process_current_tasks ",
		"haproxy_process_current_run_queue ", "haproxy_process_idle_time_percent ", "haproxy_process_bytes_out_total ",
		"haproxy_process_bytes_out_rate ", "haproxy_process_pool_allocated_bytes ", "haproxy_process_pool_used_bytes ",
		"haproxy_process_current_connection_rate ", "haproxy_process_current_session_rate ",
		"haproxy_process_max_connection_rate ", "haproxy_process_max_session_rate ", "haproxy_process_uptime_seconds "} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

func maskProm(text string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if promVolatile(line) {
			i := strings.LastIndexByte(line, ' ')
			line = line[:i] + " <masked>\n"
		}
		b.WriteString(line)
	}
	return b.String()
}

func TestGoldenPrometheus(t *testing.T) {
	head, body := readHTTPGolden(t, "metrics.txt")
	if got := "HTTP/1.1 200 OK\r\n" + string(AppendPageHeaders(nil, PagePrometheus, 0, true, true)); got != head {
		t.Errorf("headers differ\nhaproxy: %q\ngoha:    %q", head, got)
	}
	proxies := buildModel(t, parseCSVStat(t, cliBody(readGolden(t, "metrics_show_stat.csv"))))
	in := parseInfo(t, cliBody(readGolden(t, "metrics_show_info.txt")))
	got := string(AppendPrometheus(nil, in, proxies, testClock, PromOptions{}))
	diffLines(t, "/metrics", maskProm(body), maskProm(got))
}

// promShape strips sample values: the scoped scrapes were taken at their own
// instants, so only families, labels and order are compared.
func promShape(text string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if !strings.HasPrefix(line, "#") {
			if i := strings.LastIndexByte(line, ' '); i >= 0 {
				line = line[:i] + "\n"
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

func TestGoldenPrometheusScopes(t *testing.T) {
	proxies := buildModel(t, parseCSVStat(t, cliBody(readGolden(t, "metrics_show_stat.csv"))))
	in := parseInfo(t, cliBody(readGolden(t, "metrics_show_info.txt")))
	for _, tc := range []struct{ golden, query string }{
		{"metrics_scope_be_srv.txt", "scope=backend&scope=server&no-maint"},
		{"metrics_scope_empty.txt", "scope="},
		{"metrics_scope_fe_li.txt", "scope=listener&foo=bar&scope=frontend"},
	} {
		_, want := readHTTPGolden(t, tc.golden)
		opt, err := ParsePromQuery(tc.query)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		got := string(AppendPrometheus(nil, in, proxies, testClock, opt))
		diffLines(t, tc.golden, promShape(want), promShape(got))
	}
	// haproxy answers 400 to an unknown scope
	if head, _ := readHTTPGolden(t, "metrics_scope_bad.txt"); !strings.HasPrefix(head, "HTTP/1.1 400 ") {
		t.Fatalf("golden is not a 400: %q", head)
	}
	if _, err := ParsePromQuery("scope=bogus"); err != ErrBadPromQuery {
		t.Fatalf("scope=bogus: %v", err)
	}
}

func TestParsePromQuery(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want PromOptions
		err  bool
	}{
		{"", PromOptions{Scopes: ScopeAll}, false},
		{"no-maint", PromOptions{Scopes: ScopeAll, NoMaint: true}, false},
		{"scope=server", PromOptions{Scopes: ScopeServer | ScopeExplicit}, false},
		{"scope=server&scope=", PromOptions{Scopes: ScopeExplicit}, false},
		{"scope=%2a", PromOptions{Scopes: ScopeAll | ScopeExplicit}, false},
		{"sc%6fpe=global#x", PromOptions{Scopes: ScopeGlobal | ScopeExplicit}, false},
		{"scope", PromOptions{}, true},
		{"scope=a=b", PromOptions{}, true},
		{"scope=%zz", PromOptions{}, true},
		{"x=%4", PromOptions{}, true},
	} {
		got, err := ParsePromQuery(tc.q)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("%q: got %+v, %v", tc.q, got, err)
		}
	}
}

func FuzzParsePromQuery(f *testing.F) {
	f.Add("scope=backend&scope=server&no-maint")
	f.Add("scope=")
	f.Add("scope=%2A&x=%41+b#frag")
	f.Fuzz(func(t *testing.T, q string) {
		opt, err := ParsePromQuery(q)
		if err != nil {
			return
		}
		if opt.Scopes&^(ScopeAll|ScopeExplicit) != 0 {
			t.Fatalf("unknown scope bits %x", opt.Scopes)
		}
		if !strings.Contains(q, "scope") && !strings.Contains(q, "%") && opt.Scopes != ScopeAll {
			t.Fatalf("no scope parameter but scopes %x", opt.Scopes)
		}
	})
}
