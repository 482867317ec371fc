package compattests

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// seedBlocks maps each file in testdata/seed to the lines (1-based,
// inclusive) of the tutorial's code block it was copied from. The tutorial
// prints haproxy.cfg twice (master and backup); both copies must agree.
var seedBlocks = []struct {
	file       string
	from, to   int
	sameAsFrom int // another block that must hold the same bytes, 0 if none
}{
	{"haproxy.cfg", 136, 168, 176},
	{"keepalived-master.conf", 246, 265, 0},
	{"keepalived-backup.conf", 271, 290, 0},
	{"keepalived-master-script.conf", 331, 357, 0},
	{"check_haproxy_status.sh", 321, 326, 0},
	{"hosts", 86, 90, 0},
}

func linesOf(b []byte, from, to int) []byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	return bytes.Join(lines[from-1:to], nil)
}

// TestSeedFilesMatchTutorial checks that the tutorial's files in
// testdata/seed are byte for byte the code blocks of the tutorial itself
// (Chinese comments and trailing spaces included).
func TestSeedFilesMatchTutorial(t *testing.T) {
	dir := filepath.Join("..", "testdata", "seed")
	doc, err := os.ReadFile(filepath.Join(dir, "tutorial.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// When the steering copy of the tutorial is present, ours must equal it.
	if orig, err := os.ReadFile("../../shared/seed/000_5e3a96fc1959b1e6.txt"); err == nil && !bytes.Equal(orig, doc) {
		t.Fatal("testdata/seed/tutorial.txt differs from ../shared/seed/000_5e3a96fc1959b1e6.txt")
	}
	for _, b := range seedBlocks {
		got, err := os.ReadFile(filepath.Join(dir, b.file))
		if err != nil {
			t.Fatal(err)
		}
		want := linesOf(doc, b.from, b.to)
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from tutorial lines %d-%d", b.file, b.from, b.to)
		}
		if b.sameAsFrom != 0 {
			other := linesOf(doc, b.sameAsFrom, b.sameAsFrom+b.to-b.from)
			if !bytes.Equal(other, want) {
				t.Errorf("%s: the tutorial's second copy (line %d) differs from the first", b.file, b.sameAsFrom)
			}
		}
	}
	if info, err := os.Stat(filepath.Join(dir, "check_haproxy_status.sh")); err == nil && info.Mode()&0o111 == 0 {
		t.Error("check_haproxy_status.sh must be executable, as the tutorial requires")
	}
}
