package keepalived

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks arbitrary text as keepalived.conf: Check must never
// panic, and its exit code must be one keepalived -t can return. The seed
// corpus (testdata/fuzz/FuzzParse) holds the tutorial's three files.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"keepalived-master.conf", "keepalived-backup.conf", "keepalived-master-script.conf"} {
		if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "seed", name)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("vrrp_instance X {\n virtual_ipaddress { 1.2.3.4 dev\n}\n$A=$A$A\n@^x $A\ninclude *\n"))
	opts := testOpts()
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "keepalived.conf")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, rep := Check(path, opts)
		switch rep.ExitCode() {
		case 0, 2, 4, 5, 6:
		default:
			t.Fatalf("exit code %d", rep.ExitCode())
		}
	})
}
