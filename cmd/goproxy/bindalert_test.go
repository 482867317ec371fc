package main

import (
	"testing"

	"goha/parser/haproxy"
)

// The engine's bind failures become haproxy 2.6's alert (texts measured
// with haproxy 2.6.12; compat-tests/process_test.go compares live runs).
func TestBindAlert(t *testing.T) {
	cfg := &haproxy.Config{Proxies: []*haproxy.Proxy{{
		Name: "fe", Kind: haproxy.KindFrontend,
		Binds: []*haproxy.Bind{
			{Pos: haproxy.Pos{File: "h.cfg", Line: 7}, Addresses: []haproxy.Address{{Raw: "127.0.0.1:8080"}}},
			{Pos: haproxy.Pos{File: "h.cfg", Line: 8}, Addresses: []haproxy.Address{{Raw: "*:9000-9001"}}},
		},
	}}}
	for _, c := range []struct{ in, want string }{
		{"Starting frontend fe: cannot bind socket (listen tcp4 127.0.0.1:8080: bind: address already in use) [127.0.0.1:8080]",
			"Binding [h.cfg:7] for frontend fe: cannot bind socket (Address already in use) for [127.0.0.1:8080]"},
		{"Starting frontend fe: cannot bind socket (listen tcp :9001: bind: permission denied) [*:9000-9001]",
			"Binding [h.cfg:8] for frontend fe: cannot bind socket (Permission denied) for [0.0.0.0:9001]"},
	} {
		got, ok := bindAlert(cfg, c.in)
		if !ok || got != c.want {
			t.Errorf("bindAlert(%q)\n got %q, %v\nwant %q", c.in, got, ok, c.want)
		}
	}
	if _, ok := bindAlert(cfg, "Starting frontend other: cannot bind socket (listen tcp4 1.2.3.4:1: bind: x) [1.2.3.4:1]"); ok {
		t.Error("an unknown frontend must leave the engine's text alone")
	}
}
