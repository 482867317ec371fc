package http1

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestErrorResponsesMatchHAProxy compares the built-in messages with what
// haproxy 2.6 sent on the wire (testdata/errors, made by TestErrorPagesGolden).
func TestErrorResponsesMatchHAProxy(t *testing.T) {
	goldens, _ := filepath.Glob(filepath.Join(errorsDir, "*.golden"))
	if len(goldens) < 20 {
		t.Fatalf("only %d error goldens; regenerate with -update", len(goldens))
	}
	raw := map[string]bool{"400-bad-request": true, "408-request-timeout": true, "422-transfer-encoding": true}
	for _, path := range goldens {
		name := strings.TrimSuffix(filepath.Base(path), ".golden")
		code, _ := strconv.Atoi(name[:3])
		g, err := readGolden(path)
		if err != nil {
			t.Fatal(err)
		}
		want := g.blocks["response"][0]
		got := ErrorResponseHTX(code)
		if raw[name] {
			got = ErrorResponse(code)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: ours\n%shaproxy\n%s", name, quoteLines(got), quoteLines(want))
		}
	}
}
