package proxy

import (
	"fmt"
	"testing"
)

// The stats page of a listen section is served before haproxy assigns a
// backend, so its responses count on the frontend side only (the stats
// CSV's stats/BACKEND hrsp_2xx stays 0 in haproxy 2.6.12, tutorial
// scenario "stats"); a stats page reached through default_backend counts
// on that backend too (both checked with haproxy 2.6.12).
func TestStatsPageResponseCounters(t *testing.T) {
	own, via := freePort(t), freePort(t)
	e := startEngine(t, fmt.Sprintf(`defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
listen stats
    bind %s
    stats enable
    stats uri /haproxy
frontend web
    bind %s
    default_backend statsbe
backend statsbe
    stats enable
    stats uri /haproxy
`, own, via), nil)
	for _, addr := range []string{own, via} {
		if code, _ := get(t, "http://"+addr+"/haproxy;csv"); code != 200 {
			t.Fatalf("%s: stats page answered %d", addr, code)
		}
	}
	for _, f := range e.front {
		if n := f.st.FE.Rsp[2].Load(); n != 1 {
			t.Errorf("%s frontend hrsp_2xx = %d, want 1", f.name, n)
		}
	}
	if n := e.backends["stats"].st.BE.Rsp[2].Load(); n != 0 {
		t.Errorf("listen stats backend hrsp_2xx = %d, want 0 (no backend assigned)", n)
	}
	if n := e.backends["statsbe"].st.BE.Rsp[2].Load(); n != 1 {
		t.Errorf("statsbe backend hrsp_2xx = %d, want 1", n)
	}
}
