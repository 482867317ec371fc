package haproxy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// largeConfig generates the performance case: nb backends of 10
// servers each, all used by one frontend.
func largeConfig(nb int) string {
	var b strings.Builder
	b.WriteString("global\n    maxconn 100000\n\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n\n")
	b.WriteString("frontend fe\n    bind 127.0.0.1:18000\n")
	for i := 0; i < nb; i++ {
		fmt.Fprintf(&b, "    acl host_%d hdr(host) -i be%d.example.com\n    use_backend be%d if host_%d\n", i, i, i, i)
	}
	b.WriteString("    default_backend be0\n\n")
	for i := 0; i < nb; i++ {
		fmt.Fprintf(&b, "backend be%d\n    balance roundrobin\n", i)
		for j := 0; j < 10; j++ {
			fmt.Fprintf(&b, "    server s%d 10.%d.%d.%d:80 maxconn 100 weight 1 check inter 2s rise 2 fall 3\n", j, i/250, i%250, j+1)
		}
	}
	return b.String()
}

// BenchmarkLoadLarge loads 2,000 backends x 10 servers (go test -bench
// LoadLarge -benchmem); compare with `haproxy -c -f` on the file written by
// GOHA_WRITE_LARGE=path.
func BenchmarkLoadLarge(b *testing.B) {
	cfg := largeConfig(2000)
	path := filepath.Join(b.TempDir(), "large.cfg")
	if p := os.Getenv("GOHA_WRITE_LARGE"); p != "" {
		path = p
	}
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := Load([]string{path}, Options{})
		if r.Fatal || len(r.Config.Proxies) != 2001 {
			b.Fatalf("load failed: %+v", r.Diags[:1])
		}
	}
}
