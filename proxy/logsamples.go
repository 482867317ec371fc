package proxy

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"

	plog "goha/proxy/log"
)

// Samples of log formats (configuration.txt §8.2.4, "%[...]"). haproxy
// evaluates a log line's samples when the stream ends, and refuses in a
// log-format the fetches that need the request or response headers
// (measured: "may not be reliably used here"), so what a line can print
// is known then: the addresses, the status, variables, constants and the
// captures (capture.req.hdr(N), capture.res.hdr(N)). A unique-id-format
// is built before the request is forwarded, when its fetches may read
// the request too; uuid() is there for it.

// logSamples are the compiled samples of one program, in the order of
// Program.Samples(); a nil entry is a fetch goproxy does not evaluate
// yet (it prints as a missing value, '-').
type logSamples []*sampleExpr

// compileLogSamples compiles prog's samples; warn reports those goproxy
// leaves empty.
func compileLogSamples(prog *plog.Program, warn func(expr string, err error)) logSamples {
	if prog == nil || len(prog.Samples()) == 0 {
		return nil
	}
	out := make(logSamples, len(prog.Samples()))
	for i, expr := range prog.Samples() {
		x, err := compileLogSample(expr)
		if err != nil {
			warn(expr, err)
			continue
		}
		out[i] = x
	}
	return out
}

// compileLogSample knows, beside the engine's fetches, the captures and
// uuid().
func compileLogSample(expr string) (*sampleExpr, error) {
	parts := splitTopLevel(expr, ',')
	name, args := splitCall(parts[0])
	switch name {
	case "capture.req.hdr", "capture.res.hdr", "uuid":
		for _, c := range parts[1:] {
			if cn, _ := splitCall(c); cn != "lower" && cn != "upper" {
				return nil, fmt.Errorf("converter '%s' is not supported by goproxy yet", cn)
			}
		}
		return &sampleExpr{fetch: name, args: args, convs: parts[1:]}, nil
	}
	return compileSample(expr)
}

// fill evaluates the samples into r.Samples, keeping the values in
// *arena. live says whether the request head is still in the buffer (a
// unique id made before forwarding); at the end of a stream only what
// haproxy allows in a log-format is evaluated.
func (ls logSamples) fill(s *stream, r *plog.Record, arena *[]byte, live bool) {
	if len(ls) == 0 {
		return
	}
	a := (*arena)[:0]
	var ends [16]int
	bounds := ends[:0]
	found := make([]bool, 0, 16)
	for _, x := range ls {
		ok := false
		if x != nil {
			a, ok = s.logSampleValue(x, a, live)
		}
		bounds = append(bounds, len(a))
		found = append(found, ok)
	}
	r.Samples = r.Samples[:0]
	start := 0
	for i, end := range bounds {
		if found[i] {
			r.Samples = append(r.Samples, a[start:end:end])
		} else {
			r.Samples = append(r.Samples, nil)
		}
		start = end
	}
	*arena = a
}

// logSampleValue appends the value of x to dst.
func (s *stream) logSampleValue(x *sampleExpr, dst []byte, live bool) ([]byte, bool) {
	start := len(dst)
	switch x.fetch {
	case "capture.req.hdr", "capture.res.hdr":
		caps := s.caps.req
		if x.fetch == "capture.res.hdr" {
			caps = s.caps.resp
		}
		i := -1
		if len(x.args) == 1 {
			i, _ = strconv.Atoi(strings.TrimSpace(x.args[0]))
		}
		if s.f.caps == nil || i < 0 || i >= len(caps) || caps[i] == nil {
			return dst, false
		}
		dst = append(dst, caps[i]...)
	case "uuid":
		dst = appendUUID(dst)
	case "status":
		if s.status == 0 {
			return dst, false
		}
		dst = strconv.AppendInt(dst, int64(s.status), 10)
	case "src", "src_port", "dst", "dst_port", "var", "str", "int":
		return x.eval(s, dst)
	default:
		if !live {
			return dst, false
		}
		return x.eval(s, dst)
	}
	return applyCaseConvs(dst, start, x.convs), true
}

// applyCaseConvs applies the lower and upper converters to dst[start:].
func applyCaseConvs(dst []byte, start int, convs []string) []byte {
	for _, c := range convs {
		for i := start; i < len(dst); i++ {
			switch {
			case c == "lower" && 'A' <= dst[i] && dst[i] <= 'Z':
				dst[i] += 'a' - 'A'
			case c == "upper" && 'a' <= dst[i] && dst[i] <= 'z':
				dst[i] -= 'a' - 'A'
			}
		}
	}
	return dst
}

// appendUUID appends a random version 4 UUID in haproxy's form (lower
// case hex, "%8.8x-%4.4x-%4.4x-%4.4x-%12.12llx").
func appendUUID(dst []byte) []byte {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hex[c>>4], hex[c&15])
	}
	return dst
}
