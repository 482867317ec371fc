package proxy

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// sampleExpr is a compiled sample expression "fetch(args),conv,conv" as
// used by set-var, "%[...]" in log-format strings and the fetches that
// proxy/acl does not know (configuration.txt §7.3). Only the fetches and
// converters people use in header rewrites are supported; compile refuses
// the others so that a configuration never silently differs.
type sampleExpr struct {
	fetch string
	args  []string
	convs []string
}

var localFetches = map[string]bool{
	"src": true, "src_port": true, "dst": true, "dst_port": true, "path": true, "url": true,
	"query": true, "method": true, "base": true, "req.hdr": true, "hdr": true, "req.fhdr": true,
	"var": true, "str": true, "int": true, "status": true, "res.hdr": true, "shdr": true,
	"req.ver": true, "req_ver": true,
}

func compileSample(expr string) (*sampleExpr, error) {
	parts := splitTopLevel(expr, ',')
	name, args := splitCall(parts[0])
	if !localFetches[name] {
		return nil, fmt.Errorf("sample fetch '%s' is not supported by goproxy yet", name)
	}
	for _, c := range parts[1:] {
		cn, _ := splitCall(c)
		switch cn {
		case "lower", "upper":
		default:
			return nil, fmt.Errorf("converter '%s' is not supported by goproxy yet", cn)
		}
	}
	return &sampleExpr{fetch: name, args: args, convs: parts[1:]}, nil
}

// splitCall splits "name(a,b)" into name and arguments.
func splitCall(s string) (string, []string) {
	i := strings.IndexByte(s, '(')
	if i < 0 || !strings.HasSuffix(s, ")") {
		return s, nil
	}
	inner := s[i+1 : len(s)-1]
	if inner == "" {
		return s[:i], nil
	}
	return s[:i], strings.Split(inner, ",")
}

// splitTopLevel splits on sep outside parentheses.
func splitTopLevel(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case sep:
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// eval appends the sample's value to dst; ok is false when the fetch
// found nothing (haproxy then skips set-var, and a format prints nothing).
func (x *sampleExpr) eval(s *stream, dst []byte) ([]byte, bool) {
	start := len(dst)
	ok := true
	arg := func(i int) string {
		if i < len(x.args) {
			return x.args[i]
		}
		return ""
	}
	switch x.fetch {
	case "src":
		dst = s.txn.Src.Addr().AppendTo(dst)
	case "src_port":
		dst = strconv.AppendUint(dst, uint64(s.txn.Src.Port()), 10)
	case "dst":
		dst = s.txn.Dst.Addr().AppendTo(dst)
	case "dst_port":
		dst = strconv.AppendUint(dst, uint64(s.txn.Dst.Port()), 10)
	case "method":
		dst = append(dst, s.txn.Method...)
	case "url":
		dst = append(dst, s.txn.URI...)
	case "path":
		p := pathOf(s.txn.URI)
		dst = append(dst, p...)
	case "query":
		u := s.txn.URI
		q := bytes.IndexByte(u, '?')
		if q < 0 {
			return dst, false
		}
		dst = append(dst, u[q+1:]...)
	case "base":
		h, _ := s.req.Lookup(s.cbuf[:s.clen], "host")
		dst = append(dst, h...)
		dst = append(dst, pathOf(s.txn.URI)...)
	case "req.ver", "req_ver":
		dst = append(dst, s.txn.Version...)
	case "req.hdr", "hdr", "req.fhdr":
		v, found := s.req.Lookup(s.cbuf[:s.clen], arg(0))
		if !found {
			return dst, false
		}
		dst = append(dst, v...)
	case "res.hdr", "shdr":
		v, found := s.resp.Lookup(s.sbuf[:s.slen], arg(0))
		if !found {
			return dst, false
		}
		dst = append(dst, v...)
	case "status":
		if s.resp.Status == 0 {
			return dst, false
		}
		dst = strconv.AppendInt(dst, int64(s.resp.Status), 10)
	case "var":
		v, found := s.getVar(arg(0))
		if !found {
			return dst, false
		}
		dst = append(dst, v...)
	case "str", "int":
		dst = append(dst, arg(0)...)
	}
	for _, c := range x.convs {
		switch c {
		case "lower":
			for i := start; i < len(dst); i++ {
				if 'A' <= dst[i] && dst[i] <= 'Z' {
					dst[i] += 'a' - 'A'
				}
			}
		case "upper":
			for i := start; i < len(dst); i++ {
				if 'a' <= dst[i] && dst[i] <= 'z' {
					dst[i] -= 'a' - 'A'
				}
			}
		}
	}
	return dst, ok
}

func pathOf(uri []byte) []byte {
	p := uri
	if len(p) > 0 && p[0] != '/' {
		i := bytes.Index(p, []byte("://"))
		if i < 0 {
			return nil
		}
		p = p[i+3:]
		j := bytes.IndexByte(p, '/')
		if j < 0 {
			return nil
		}
		p = p[j:]
	}
	if q := bytes.IndexByte(p, '?'); q >= 0 {
		p = p[:q]
	}
	return p
}

// logFormat is a compiled log-format string (configuration.txt §8.2.4):
// literal text and "%[expr]" samples; the few "%xx" variables header
// rules use are supported (%ci %cp %fi %fp %H).
type logFormat struct {
	segs []fmtSeg
}

type fmtSeg struct {
	lit    string
	sample *sampleExpr
	varKey string // %ci ...
}

func compileFormat(f string) (*logFormat, error) {
	lf := &logFormat{}
	for len(f) > 0 {
		i := strings.IndexByte(f, '%')
		if i < 0 || i == len(f)-1 {
			lf.segs = append(lf.segs, fmtSeg{lit: f})
			break
		}
		if i > 0 {
			lf.segs = append(lf.segs, fmtSeg{lit: f[:i]})
		}
		f = f[i+1:]
		switch {
		case f[0] == '%':
			lf.segs = append(lf.segs, fmtSeg{lit: "%"})
			f = f[1:]
		case f[0] == '[':
			j := strings.IndexByte(f, ']')
			if j < 0 {
				return nil, fmt.Errorf("missing ']' in format")
			}
			x, err := compileSample(f[1:j])
			if err != nil {
				return nil, err
			}
			lf.segs = append(lf.segs, fmtSeg{sample: x})
			f = f[j+1:]
		default:
			j := 0
			for j < len(f) && (f[j] >= 'a' && f[j] <= 'z' || f[j] >= 'A' && f[j] <= 'Z') {
				j++
			}
			switch f[:j] {
			case "ci", "cp", "fi", "fp":
				lf.segs = append(lf.segs, fmtSeg{varKey: f[:j]})
			default:
				return nil, fmt.Errorf("log-format variable '%%%s' is not supported by goproxy yet", f[:j])
			}
			f = f[j:]
		}
	}
	return lf, nil
}

// isLiteral reports whether the format has no sample (fast path).
func (lf *logFormat) literal() (string, bool) {
	if len(lf.segs) == 0 {
		return "", true
	}
	if len(lf.segs) == 1 && lf.segs[0].sample == nil && lf.segs[0].varKey == "" {
		return lf.segs[0].lit, true
	}
	return "", false
}

func (lf *logFormat) eval(s *stream, dst []byte) []byte {
	for i := range lf.segs {
		g := &lf.segs[i]
		switch {
		case g.sample != nil:
			dst, _ = g.sample.eval(s, dst)
		case g.varKey == "ci":
			dst = s.txn.Src.Addr().AppendTo(dst)
		case g.varKey == "cp":
			dst = strconv.AppendUint(dst, uint64(s.txn.Src.Port()), 10)
		case g.varKey == "fi":
			dst = s.txn.Dst.Addr().AppendTo(dst)
		case g.varKey == "fp":
			dst = strconv.AppendUint(dst, uint64(s.txn.Dst.Port()), 10)
		default:
			dst = append(dst, g.lit...)
		}
	}
	return dst
}
