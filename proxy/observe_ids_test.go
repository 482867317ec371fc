package proxy

import (
	"os"
	"path/filepath"
	"testing"

	"goha/parser/haproxy"
)

// Proxy ids (the stats iid) start at 1, unless a "stats" line in global
// made haproxy's CLI frontend, which takes 1 (src/cli.c allocates it for
// socket, timeout, maxconn and bind-process). The tutorial's
// configuration has no such line: haproxy 2.6.12 numbers its "listen
// stats" 1, web 2, httpservers 3.
func TestStatsProxyIDs(t *testing.T) {
	// New reads the configuration and builds the stats; it binds nothing.
	const sections = `defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
listen stats
    bind 127.0.0.1:18081
    stats enable
frontend web
    bind 127.0.0.1:18080
    default_backend httpservers
backend httpservers
    server http1 127.0.0.1:1
`
	for _, c := range []struct {
		global string
		want   []uint32
	}{
		{"global\n    maxconn 4000\n", []uint32{1, 2, 3}},
		{"global\n    stats timeout 10s\n", []uint32{2, 3, 4}},
		{"global\n    stats socket " + filepath.Join(t.TempDir(), "s.sock") + "\n", []uint32{2, 3, 4}},
	} {
		path := filepath.Join(t.TempDir(), "haproxy.cfg")
		if err := os.WriteFile(path, []byte(c.global+sections), 0o644); err != nil {
			t.Fatal(err)
		}
		res := haproxy.Load([]string{path}, haproxy.Options{})
		if res.Fatal {
			t.Fatalf("config refused: %v", res.Diags)
		}
		e, err := New(res.Config, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []uint32
		for _, sp := range e.stats {
			got = append(got, sp.ID)
		}
		if len(got) != len(c.want) || got[0] != c.want[0] || got[1] != c.want[1] || got[2] != c.want[2] {
			t.Errorf("%q: ids %v, want %v", c.global, got, c.want)
		}
	}
}
