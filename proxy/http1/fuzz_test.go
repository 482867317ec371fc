package http1

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// checkSpans fails if any span of h lies outside buf[:limit].
func checkSpans(t *testing.T, h *head, limit int, extra ...Span) {
	t.Helper()
	spans := append(extra, h.VersionText, h.clValue)
	for _, f := range h.Fields {
		spans = append(spans, f.Name, f.Value)
	}
	for _, s := range spans {
		if s.Start < 0 || s.End < s.Start || int(s.End) > limit {
			t.Fatalf("span %v outside [0,%d]", s, limit)
		}
	}
}

// splitPoint derives a split position from the input itself.
func splitPoint(data []byte) int {
	if len(data) == 0 {
		return 0
	}
	return int(data[0]) * 7 % (len(data) + 1)
}

func FuzzParseRequest(f *testing.F) {
	for _, in := range hostileInputs(f) {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		whole := NewRequest(DefaultLimits)
		done, err := whole.Parse(data)
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("error of type %T", err)
		}
		// A split parse (two calls over a growing buffer) gives the same verdict.
		part := NewRequest(DefaultLimits)
		pDone, pErr := part.Parse(data[:splitPoint(data)])
		if pErr == nil && !pDone {
			pDone, pErr = part.Parse(data)
		}
		if pDone != done || pErr != err || done && !sameRequest(whole, part) {
			t.Fatalf("split parse %v %v, whole %v %v", pDone, pErr, done, err)
		}
		if err != nil || !done {
			return
		}
		if whole.HeadLen > len(data) || len(whole.Fields) > DefaultLimits.maxFields() {
			t.Fatalf("HeadLen %d fields %d", whole.HeadLen, len(whole.Fields))
		}
		checkSpans(t, &whole.head, whole.HeadLen, whole.Method, whole.URI, whole.Authority, whole.uriCut, whole.hostCut)
		// Forwarding is idempotent: haproxy's output, parsed again, is
		// forwarded unchanged, and is itself acceptable.
		out := AppendRequestHead(nil, data, whole)
		again := NewRequest(DefaultLimits)
		if done, err := again.Parse(out); !done || err != nil {
			t.Fatalf("forwarded head %q refused: %v %v", out, done, err)
		}
		if out2 := AppendRequestHead(nil, out, again); !bytes.Equal(out, out2) {
			t.Fatalf("forwarding not idempotent:\n%q\n%q", out, out2)
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	for _, in := range hostileResponses(f) {
		f.Add(in, false)
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		whole := NewResponse(DefaultLimits)
		whole.RequestHEAD = head
		done, err := whole.Parse(data)
		var e *Error
		if err != nil && (!errors.As(err, &e) || e.Status != 502) {
			t.Fatalf("error %v is not a 502", err)
		}
		part := NewResponse(DefaultLimits)
		part.RequestHEAD = head
		pDone, pErr := part.Parse(data[:splitPoint(data)])
		if pErr == nil && !pDone {
			pDone, pErr = part.Parse(data)
		}
		if pDone != done || pErr != err || done && (part.Status != whole.Status || part.Body != whole.Body || len(part.Fields) != len(whole.Fields)) {
			t.Fatalf("split parse %v %v, whole %v %v", pDone, pErr, done, err)
		}
		if err != nil || !done {
			return
		}
		checkSpans(t, &whole.head, whole.HeadLen, whole.StatusText, whole.Reason)
		out := AppendResponseHead(nil, data, whole, ConnNothing)
		again := NewResponse(DefaultLimits)
		again.RequestHEAD = head
		if done, err := again.Parse(out); !done || err != nil {
			t.Fatalf("forwarded head %q refused: %v", out, err)
		}
	})
}

func FuzzChunked(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), 1)
	f.Add([]byte("A;ext=\"q\"\r\n0123456789\r\n0\r\nT: v\r\n\r\n"), 3)
	f.Add([]byte("5\nhello\n0\n\n"), 2)
	f.Add([]byte("5 \r\nhelloXX"), 4)
	f.Fuzz(func(t *testing.T, data []byte, step int) {
		if step <= 0 || step > len(data)+1 {
			step = len(data) + 1
		}
		wData, wTr, wUsed, wErr := decodeAll(data, len(data)+1)
		sData, sTr, sUsed, sErr := decodeAll(data, step)
		if wErr != sErr || !bytes.Equal(wData, sData) || fmt.Sprint(wTr) != fmt.Sprint(sTr) || wUsed != sUsed {
			t.Fatalf("step %d: %v %q %q %d / whole %v %q %q %d", step, sErr, sData, sTr, sUsed, wErr, wData, wTr, wUsed)
		}
		if wErr != nil {
			return
		}
		if wUsed > len(data) || len(wData) > len(data) {
			t.Fatalf("used %d data %d of %d", wUsed, len(wData), len(data))
		}
		// Re-encoding the body the way haproxy does decodes to the same.
		var enc []byte
		enc = AppendChunk(enc, wData)
		enc = AppendLastChunk(enc)
		for _, tr := range wTr {
			enc = AppendTrailer(enc, []byte(tr))
		}
		enc = append(enc, '\r', '\n')
		rData, rTr, _, rErr := decodeAll(enc, 3)
		if rErr != nil || !bytes.Equal(rData, wData) || len(rTr) != len(wTr) {
			t.Fatalf("re-encoded %q: %v", enc, rErr)
		}
	})
}

// TestWriteFuzzSeeds stores the seed corpus under testdata/fuzz so that
// `go test` replays it and `go test -fuzz` starts from it (-update only).
func TestWriteFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("writes testdata/fuzz seeds; run with -update")
	}
	write := func(target, name string, vals ...any) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.WriteString("go test fuzz v1\n")
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				fmt.Fprintf(&b, "[]byte(%q)\n", v)
			case bool:
				fmt.Fprintf(&b, "bool(%v)\n", v)
			case int:
				fmt.Fprintf(&b, "int(%d)\n", v)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, in := range hostileInputs(t) {
		if len(in) < 4096 {
			write("FuzzParseRequest", name, in)
		}
		if i := bytes.Index(in, []byte("\r\n\r\n")); i >= 0 && bytes.Contains(bytes.ToLower(in[:i]), []byte("chunked")) {
			write("FuzzChunked", name, in[i+4:], 1)
		}
	}
	for name, in := range hostileResponses(t) {
		write("FuzzParseResponse", name, in, false)
	}
}
