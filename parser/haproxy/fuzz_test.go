package haproxy

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary single-file configurations to Load: it must
// never panic, and a non-fatal result must carry a configuration.
func FuzzLoad(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "seed", "haproxy.cfg")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(base + "frontend fe\n bind :80\n default_backend be\nbackend be\n server s 127.0.0.1:80 check\n"))
	dir := f.TempDir()
	path := filepath.Join(dir, "fuzz.cfg")
	opts := Options{
		LookupEnv: func(k string) (string, bool) { return "x", k == "X" },
		Resolve:   func(string) bool { return false },
		CheckFD:   func(int) error { return nil },
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r := Load([]string{path}, opts)
		if !r.Fatal && r.Config == nil {
			t.Fatalf("non-fatal result without config")
		}
	})
}
