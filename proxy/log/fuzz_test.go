package log

import (
	"bytes"
	"testing"
)

// FuzzCompile: no format string makes Compile or Append panic, errors are
// CompileErrors, compiling is deterministic, and Append never writes more
// than maxLen-1 bytes.
func FuzzCompile(f *testing.F) {
	for _, c := range compileInputs {
		f.Add(c.Format, c.HTTP, uint16(1024))
	}
	for _, s := range []string{HTTPLogFormat, HTTPSLogFormat, CLFLogFormat, TCPLogFormat, customFormat, custom2Format, errorFormat} {
		f.Add(s, true, uint16(60))
	}
	f.Fuzz(func(t *testing.T, format string, http bool, maxLen uint16) {
		p, err := Compile(format, CompileOptions{HTTP: http})
		if err != nil {
			if _, ok := err.(*CompileError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		p2, err := Compile(format, CompileOptions{HTTP: http})
		if err != nil || len(p2.nodes) != len(p.nodes) {
			t.Fatalf("second compile differs: %v", err)
		}
		r := sampleRecord()
		r.Samples = make([][]byte, len(p.Samples()))
		for i := range r.Samples {
			if i%2 == 0 {
				r.Samples[i] = []byte(`v"\]#` + format)
			}
		}
		prefix := []byte("prefix:")
		out := p.Append(append([]byte(nil), prefix...), r, int(maxLen))
		if !bytes.HasPrefix(out, prefix) {
			t.Fatal("Append changed the bytes before dst's end")
		}
		limit := int(maxLen)
		if limit == 0 {
			limit = DefaultMaxLen
		}
		if n := len(out) - len(prefix); n > limit-1 {
			t.Fatalf("Append wrote %d bytes with maxLen %d", n, maxLen)
		}
		AppendDatagram(nil, &Header{Format: Format(maxLen % 9), Tag: "haproxy", StructuredData: out}, out, int(maxLen))
	})
}

// FuzzParseTarget: `log` arguments never make ParseTarget panic.
func FuzzParseTarget(f *testing.F) {
	for _, c := range targetInputs {
		f.Add(c.Args, c.Global)
	}
	f.Fuzz(func(t *testing.T, args string, global bool) {
		tg, err := ParseTarget(splitFields(args), global)
		if err == nil && tg.Sample != nil {
			for i := 0; i < 10; i++ {
				tg.Accepts(LevelInfo)
			}
		}
	})
}

func splitFields(s string) []string {
	var out []string
	for _, f := range bytes.Fields([]byte(s)) {
		out = append(out, string(f))
	}
	return out
}
