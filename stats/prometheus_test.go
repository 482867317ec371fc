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
