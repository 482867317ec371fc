package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"goha/stats"
)

// promEngineConfig takes /metrics in the frontend's own rules, and
// /backend-metrics in the backend's.
const promEngineConfig = `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    http-request use-service prometheus-exporter if { path /metrics }
    default_backend be
backend be
    http-request use-service prometheus-exporter if { path /backend-metrics }
    server s1 127.0.0.1:1
`

// readGoldenHTTP reads a response haproxy 2.6 sent to the stats capture
// (stats/capture_test.go, same request line and "Connection: close").
func readGoldenHTTP(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "stats", "testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPrometheusServiceAnswers: for the requests haproxy 2.6 answered in
// the stats capture (an empty scope, a bad scope), goproxy's exporter
// sends the same bytes.
func TestPrometheusServiceAnswers(t *testing.T) {
	addr := freePort(t)
	startEngine(t, fmt.Sprintf(promEngineConfig, addr), nil)
	for _, tc := range []struct{ query, golden string }{
		{"?scope=", "metrics_scope_empty.txt"},
		{"?scope=bogus", "metrics_scope_bad.txt"},
	} {
		got := rawExchange(t, addr, "GET /metrics"+tc.query+" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
		if want := readGoldenHTTP(t, tc.golden); got != want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.query, got, want)
		}
	}
}

// TestPrometheusServiceKeepAlive: as with haproxy (measured with socat),
// the exporter's answer keeps an HTTP/1.1 connection open, a HEAD gets
// the head without a body, and a bad query ends the connection after its
// 400. Only the frontend's own rule counts an intercepted request.
func TestPrometheusServiceKeepAlive(t *testing.T) {
	addr := freePort(t)
	e := startEngine(t, fmt.Sprintf(promEngineConfig, addr), nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	send := func(method, uri string) *http.Response {
		t.Helper()
		fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: x\r\n\r\n", method, uri)
		req, _ := http.NewRequest(method, uri, nil)
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, uri, err)
		}
		return resp
	}
	resp := send("GET", "/metrics?scope=frontend")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Close || !strings.Contains(string(body), `haproxy_frontend_http_requests_total{proxy="fe"} 1`) {
		t.Fatalf("GET: %d close=%v body:\n%s", resp.StatusCode, resp.Close, body)
	}
	if strings.Contains(string(body), "haproxy_backend_") {
		t.Errorf("scope=frontend dumped backends:\n%s", body)
	}
	resp = send("HEAD", "/metrics")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != stats.PrometheusContentType || resp.Close {
		t.Fatalf("HEAD: %d %q close=%v", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Close)
	}
	// a scrape is counted when it ends, so the second one sees the first
	for want := 0; want < 2; want++ {
		resp = send("GET", "/backend-metrics?scope=backend")
		body, _ = io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(body), fmt.Sprintf(`haproxy_backend_http_requests_total{proxy="be"} %d`, want)) {
			t.Fatalf("backend rule: %d body:\n%s", resp.StatusCode, body)
		}
	}
	resp = send("GET", "/metrics?scope=nope")
	io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !resp.Close {
		t.Fatalf("bad scope: %d close=%v", resp.StatusCode, resp.Close)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("connection still open after the 400: %v", err)
	}
	fe := e.Proxies()[0]
	if got := fe.FE.Intercepted.Load(); got != 3 {
		t.Errorf("intercepted = %d, want 3 (the frontend's rule only)", got)
	}
}
