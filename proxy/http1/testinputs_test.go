package http1

import (
	"path/filepath"
	"strings"
	"testing"
)

// hostileInputs returns the recorded client requests by case name.
func hostileInputs(t testing.TB) map[string][]byte {
	files, _ := filepath.Glob(filepath.Join(hostileDir, "*.in"))
	out := map[string][]byte{}
	for _, f := range files {
		b, err := readQuotedFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".in")] = b
	}
	return out
}

// hostileResponses returns the recorded server responses by case name.
func hostileResponses(t testing.TB) map[string][]byte {
	files, _ := filepath.Glob(filepath.Join(hostileDir, "*.resp"))
	out := map[string][]byte{}
	for _, f := range files {
		b, err := readQuotedFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".resp")] = b
	}
	return out
}
