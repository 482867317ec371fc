package acl

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// kind is the type of a fetched sample (configuration.txt §7.1 matrix).
type kind int

const (
	kStr kind = iota
	kInt
	kIP
	kBool
)

// sample is one fetched value.
type sample struct {
	kind kind
	str  []byte
	i    int64
	ip   netip.Addr
}

// Match methods (configuration.txt §7.1 "-m").
const (
	mFound = "found"
	mBool  = "bool"
	mInt   = "int"
	mIP    = "ip"
	mBin   = "bin"
	mLen   = "len"
	mStr   = "str"
	mSub   = "sub"
	mReg   = "reg"
	mBeg   = "beg"
	mEnd   = "end"
	mDir   = "dir"
	mDom   = "dom"
	// mMeth is the "method" fetch's own matching (http_acl.c
	// pat_match_meth), not selectable with -m.
	mMeth = "meth"
)

// intRange is an inclusive range; math.MinInt64/MaxInt64 for open ends.
type intRange struct{ lo, hi int64 }

// matcher holds compiled patterns for one match method.
type matcher struct {
	method string
	icase  bool
	strs   [][]byte
	res    []*regexp.Regexp
	ints   []intRange
	nets   []netip.Prefix
}

// compileMatcher parses patterns for method. Operators eq/ge/gt/le/lt apply
// to the integer patterns that follow them (acl.c parse_acl_expr).
func compileMatcher(method string, icase bool, patterns []string) (*matcher, error) {
	m := &matcher{method: method, icase: icase}
	switch method {
	case mFound, mBool:
		return m, nil
	case mStr, mSub, mBeg, mEnd, mDir, mDom, mMeth:
		for _, p := range patterns {
			m.strs = append(m.strs, []byte(p))
		}
	case mBin:
		for _, p := range patterns {
			b, err := hex.DecodeString(p)
			if err != nil {
				return nil, fmt.Errorf("'%s' is not a valid hexadecimal binary string", p)
			}
			m.strs = append(m.strs, b)
		}
	case mReg:
		for _, p := range patterns {
			expr := p
			if icase {
				expr = "(?i)" + p
			}
			re, err := regexp.Compile(expr)
			if err != nil {
				return nil, fmt.Errorf("regex '%s' is invalid", p)
			}
			m.res = append(m.res, re)
		}
	case mInt, mLen:
		op := "eq"
		for _, p := range patterns {
			switch p {
			case "eq", "ge", "gt", "le", "lt":
				op = p
				continue
			}
			r, err := parseIntPattern(p, op)
			if err != nil {
				return nil, err
			}
			m.ints = append(m.ints, r)
		}
	case mIP:
		for _, p := range patterns {
			n, err := parseIPPattern(p)
			if err != nil {
				return nil, err
			}
			m.nets = append(m.nets, n)
		}
	default:
		return nil, fmt.Errorf("unknown matching method '%s'", method)
	}
	return m, nil
}

// parseIntPattern reads an integer pattern as pat_parse_int does: "N", or
// a range with ':' or '-' between the bounds, either bound omitted
// ("1024:", ":1023", "1-65535"). An operator (gt, ge, lt, le) turns a plain
// number into the matching open range (acl.c parse_acl_expr).
func parseIntPattern(p, op string) (intRange, error) {
	sep := strings.IndexAny(p, ":-")
	if sep < 0 {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return intRange{}, fmt.Errorf("'%s' is not a number", p)
		}
		switch op {
		case "gt":
			return intRange{v + 1, math.MaxInt64}, nil
		case "ge":
			return intRange{v, math.MaxInt64}, nil
		case "lt":
			return intRange{math.MinInt64, v - 1}, nil
		case "le":
			return intRange{math.MinInt64, v}, nil
		}
		return intRange{v, v}, nil
	}
	bad := fmt.Errorf("'%s' is not a valid number range", p)
	if p == p[:sep+1] && sep == 0 {
		return intRange{}, bad // a lone separator
	}
	r := intRange{math.MinInt64, math.MaxInt64}
	if lo := p[:sep]; lo != "" {
		v, err := strconv.ParseInt(lo, 10, 64)
		if err != nil {
			return r, bad
		}
		r.lo = v
	}
	if hi := p[sep+1:]; hi != "" {
		v, err := strconv.ParseInt(hi, 10, 64)
		if err != nil {
			return r, bad
		}
		r.hi = v
	}
	if r.lo > r.hi {
		return r, bad
	}
	return r, nil
}

// parseIPPattern accepts addresses and networks, including the abbreviated
// IPv4 forms of inet_aton(3) where the last part fills the remaining bytes
// ("10.12" = 10.0.0.12, "192.168.1" = 192.168.0.1, configuration.txt
// §7.1.6).
func parseIPPattern(p string) (netip.Prefix, error) {
	addr, bits := p, -1
	if i := strings.IndexByte(p, '/'); i >= 0 {
		addr = p[:i]
		if strings.Contains(p[i+1:], ".") {
			mask, err := netip.ParseAddr(p[i+1:])
			if err != nil || !mask.Is4() {
				return netip.Prefix{}, fmt.Errorf("'%s' is not a valid IPv4 or IPv6 address", p)
			}
			b := mask.As4()
			n := 0
			for _, x := range b {
				for x&0x80 != 0 {
					n++
					x <<= 1
				}
			}
			bits = n
		} else {
			n, err := strconv.Atoi(p[i+1:])
			if err != nil {
				return netip.Prefix{}, fmt.Errorf("'%s' is not a valid IPv4 or IPv6 address", p)
			}
			bits = n
		}
	}
	a, err := netip.ParseAddr(addr)
	if err != nil && !strings.Contains(addr, ":") {
		a, err = inetAton(addr)
	}
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("'%s' is not a valid IPv4 or IPv6 address", p)
	}
	if bits < 0 {
		bits = a.BitLen()
	}
	pfx, err := a.Prefix(bits)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("'%s' is not a valid IPv4 or IPv6 address", p)
	}
	return pfx, nil
}

// match reports whether s matches any pattern.
func (m *matcher) match(s *sample) bool {
	switch m.method {
	case mFound:
		return true
	case mBool:
		return s.kind == kBool && s.i != 0 || s.kind == kInt && s.i != 0 || s.kind == kStr && len(s.str) > 0
	case mInt:
		v, ok := s.asInt()
		return ok && m.inRange(v)
	case mLen:
		return m.inRange(int64(len(s.str)))
	case mIP:
		a, ok := s.asIP()
		if !ok {
			return false
		}
		for _, n := range m.nets {
			if ipIn(a, n) {
				return true
			}
		}
		return false
	case mReg:
		str := s.asStr()
		for _, re := range m.res {
			if re.Match(str) {
				return true
			}
		}
		return false
	}
	str := s.asStr()
	if m.method == mMeth {
		return m.matchMethod(str)
	}
	for _, p := range m.strs {
		if m.matchStr(str, p) {
			return true
		}
	}
	return false
}

// knownMethods are the methods haproxy parses into a number
// (find_http_meth, case-sensitive).
var knownMethods = []string{"OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT"}

func isKnownMethod(b []byte) bool {
	for _, k := range knownMethods {
		if string(b) == k {
			return true
		}
	}
	return false
}

// matchMethod compares methods as pat_match_meth does: a well-known
// pattern matches only that exact method; any other pattern is compared
// as a string (honouring -i) with methods that are not well-known.
func (m *matcher) matchMethod(meth []byte) bool {
	known := isKnownMethod(meth)
	for _, p := range m.strs {
		if isKnownMethod(p) {
			if known && string(p) == string(meth) {
				return true
			}
			continue
		}
		if !known && len(p) == len(meth) && m.eq(meth, p) {
			return true
		}
	}
	return false
}

func (m *matcher) inRange(v int64) bool {
	for _, r := range m.ints {
		if v >= r.lo && v <= r.hi {
			return true
		}
	}
	return false
}

func (m *matcher) matchStr(s, p []byte) bool {
	switch m.method {
	case mStr, mBin:
		return len(s) == len(p) && m.eq(s, p)
	case mBeg:
		return len(s) >= len(p) && m.eq(s[:len(p)], p)
	case mEnd:
		return len(s) >= len(p) && m.eq(s[len(s)-len(p):], p)
	case mSub:
		for i := 0; i+len(p) <= len(s); i++ {
			if m.eq(s[i:i+len(p)], p) {
				return true
			}
		}
		return false
	case mDir:
		return matchWord(s, p, m.icase, "/?")
	case mDom:
		return matchWord(s, p, m.icase, "/?.:")
	}
	return false
}

func (m *matcher) eq(a, b []byte) bool {
	if !m.icase {
		return bytes.Equal(a, b)
	}
	for i := range a {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// matchWord reports whether p, trimmed of delimiters, appears in s as a
// whole delimiter-bounded part (pattern.c match_word: "dir" uses slashes,
// "dom" dots; both also stop at '?', "dom" at '/' and ':').
func matchWord(s, p []byte, icase bool, delims string) bool {
	isDelim := func(c byte) bool { return strings.IndexByte(delims, c) >= 0 }
	for len(p) > 0 && isDelim(p[0]) {
		p = p[1:]
	}
	for len(p) > 0 && isDelim(p[len(p)-1]) {
		p = p[:len(p)-1]
	}
	if len(p) > len(s) {
		return false
	}
	m := matcher{icase: icase}
	mayMatch := true
	end := len(s) - len(p)
	for c := 0; c <= end; c++ {
		if isDelim(s[c]) {
			mayMatch = true
			continue
		}
		if !mayMatch {
			continue
		}
		if m.eq(s[c:c+len(p)], p) && (c == end || isDelim(s[c+len(p)])) {
			return true
		}
		mayMatch = false
	}
	return false
}

func ipIn(a netip.Addr, n netip.Prefix) bool {
	if a.Is4In6() && n.Addr().Is4() {
		a = a.Unmap()
	}
	if a.Is4() && n.Addr().Is6() {
		a = netip.AddrFrom16(a.As16())
	}
	return n.Contains(a)
}

func (s *sample) asStr() []byte {
	if s.kind == kStr {
		return s.str
	}
	return nil
}

func (s *sample) asInt() (int64, bool) {
	switch s.kind {
	case kInt, kBool:
		return s.i, true
	case kStr:
		return atoi(s.str)
	}
	return 0, false
}

func (s *sample) asIP() (netip.Addr, bool) {
	switch s.kind {
	case kIP:
		return s.ip, s.ip.IsValid()
	case kStr:
		return parseAddr(s.str)
	}
	return netip.Addr{}, false
}

// inetAton parses the 2- and 3-part dotted forms of inet_aton(3).
func inetAton(s string) (netip.Addr, error) {
	parts := strings.Split(s, ".")
	bad := fmt.Errorf("bad address %q", s)
	if len(parts) < 2 || len(parts) > 3 {
		return netip.Addr{}, bad
	}
	var vals []uint64
	for _, p := range parts {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return netip.Addr{}, bad
		}
		vals = append(vals, v)
	}
	var b [4]byte
	last := vals[len(vals)-1]
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return netip.Addr{}, bad
		}
		b[i] = byte(v)
	}
	room := 4 - (len(vals) - 1)
	if last >= 1<<(8*room) {
		return netip.Addr{}, bad
	}
	for i := 3; i >= len(vals)-1; i-- {
		b[i] = byte(last)
		last >>= 8
	}
	return netip.AddrFrom4(b), nil
}
