package acl

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
)

// fargs are a fetch's parsed arguments.
type fargs struct {
	name  string // header or parameter name
	occ   int    // occurrence: 0 all, >0 from first, <0 from last
	delim byte   // url_param's extra delimiter
}

// fetchFn fetches the samples of one transaction and feeds them to m until
// one matches. It reports whether any matched. Fetches call the matcher
// directly (no callbacks) so that evaluation does not allocate.
type fetchFn func(t *Txn, a *fargs, m *matcher) bool

type fetchDef struct {
	fn    fetchFn
	kind  kind
	match string // default matching method
}

func strSample(m *matcher, v []byte) bool {
	s := sample{kind: kStr, str: v}
	return m.match(&s)
}

func intSample(m *matcher, v int64) bool {
	s := sample{kind: kInt, i: v}
	return m.match(&s)
}

func ipSample(m *matcher, a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	s := sample{kind: kIP, ip: a}
	return m.match(&s)
}

// fetches maps every supported fetch name to its definition. ACL
// derivatives ("path_beg", "hdr_sub", ...) are resolved by lookupFetch.
var fetches = map[string]fetchDef{
	"always_true":    {fn: func(*Txn, *fargs, *matcher) bool { return true }, kind: kBool, match: mBool},
	"always_false":   {fn: func(*Txn, *fargs, *matcher) bool { return false }, kind: kBool, match: mBool},
	"wait_end":       {fn: func(*Txn, *fargs, *matcher) bool { return true }, kind: kBool, match: mBool},
	"req.proto_http": {fn: func(t *Txn, _ *fargs, m *matcher) bool { return t.HTTP }, kind: kBool, match: mBool},
	"src":            {fn: func(t *Txn, _ *fargs, m *matcher) bool { return ipSample(m, t.Src.Addr()) }, kind: kIP, match: mIP},
	"dst":            {fn: func(t *Txn, _ *fargs, m *matcher) bool { return ipSample(m, t.Dst.Addr()) }, kind: kIP, match: mIP},
	"src_port":       {fn: func(t *Txn, _ *fargs, m *matcher) bool { return intSample(m, int64(t.Src.Port())) }, kind: kInt, match: mInt},
	"dst_port":       {fn: func(t *Txn, _ *fargs, m *matcher) bool { return intSample(m, int64(t.Dst.Port())) }, kind: kInt, match: mInt},
	"method":         {fn: fetchMethod, kind: kStr, match: mMeth},
	"req.ver":        {fn: fetchVer, kind: kStr, match: mStr},
	"req_ver":        {fn: fetchVer, kind: kStr, match: mStr},
	"url":            {fn: fetchURL, kind: kStr, match: mStr},
	"path":           {fn: fetchPath, kind: kStr, match: mStr},
	"pathq":          {fn: fetchPathQ, kind: kStr, match: mStr},
	"query":          {fn: fetchQuery, kind: kStr, match: mStr},
	"base":           {fn: fetchBase, kind: kStr, match: mStr},
	"url_ip":         {fn: fetchURLIP, kind: kIP, match: mIP},
	"url_port":       {fn: fetchURLPort, kind: kInt, match: mInt},
	"hdr":            {fn: fetchHdr, kind: kStr, match: mStr},
	"req.hdr":        {fn: fetchHdr, kind: kStr, match: mStr},
	"req.fhdr":       {fn: fetchFhdr, kind: kStr, match: mStr},
	"hdr_cnt":        {fn: fetchHdrCnt, kind: kInt, match: mInt},
	"req.hdr_cnt":    {fn: fetchHdrCnt, kind: kInt, match: mInt},
	"req.fhdr_cnt":   {fn: fetchFhdrCnt, kind: kInt, match: mInt},
	"hdr_val":        {fn: fetchHdrVal, kind: kInt, match: mInt},
	"req.hdr_val":    {fn: fetchHdrVal, kind: kInt, match: mInt},
	"hdr_ip":         {fn: fetchHdrIP, kind: kIP, match: mIP},
	"req.hdr_ip":     {fn: fetchHdrIP, kind: kIP, match: mIP},
	"url_param":      {fn: fetchURLParam, kind: kStr, match: mStr},
	"urlp":           {fn: fetchURLParam, kind: kStr, match: mStr},
	"urlp_val":       {fn: fetchURLParam, kind: kInt, match: mInt},
}

// derivable lists the fetches that have "_beg", "_reg", ... ACL forms.
var derivable = map[string]bool{"url": true, "path": true, "hdr": true, "urlp": true, "base": true}

// lookupFetch resolves a fetch or ACL-derivative name into its definition
// and the matching method it implies.
func lookupFetch(name string) (fetchDef, string, bool) {
	if d, ok := fetches[name]; ok {
		return d, d.match, true
	}
	if i := strings.LastIndexByte(name, '_'); i > 0 && derivable[name[:i]] {
		switch suf := name[i+1:]; suf {
		case mBeg, mDir, mDom, mEnd, mLen, mReg, mSub:
			d := fetches[name[:i]]
			return d, suf, true
		}
	}
	return fetchDef{}, "", false
}

func fetchMethod(t *Txn, _ *fargs, m *matcher) bool {
	return t.HTTP && strSample(m, t.Method)
}

func fetchVer(t *Txn, _ *fargs, m *matcher) bool {
	return t.HTTP && strSample(m, t.Version)
}

func fetchURL(t *Txn, _ *fargs, m *matcher) bool {
	return t.HTTP && strSample(m, t.URI)
}

func fetchPath(t *Txn, _ *fargs, m *matcher) bool {
	p, ok := path(t.URI)
	return t.HTTP && ok && strSample(m, p)
}

func fetchPathQ(t *Txn, _ *fargs, m *matcher) bool {
	p, ok := path(t.URI)
	if !t.HTTP || !ok {
		return false
	}
	// extend the path over its query string, which follows it in URI
	start := len(t.URI) - len(t.URI[bytes.Index(t.URI, p):])
	return strSample(m, t.URI[start:])
}

func fetchQuery(t *Txn, _ *fargs, m *matcher) bool {
	q, ok := query(t.URI)
	return t.HTTP && ok && strSample(m, q)
}

// fetchBase is the Host header followed by the path (§7.3.6 "base"). It is
// the one fetch that must build a new string; it uses a stack buffer.
func fetchBase(t *Txn, _ *fargs, m *matcher) bool {
	if !t.HTTP {
		return false
	}
	var host []byte
	for i, n := 0, headerLen(t); i < n; i++ {
		name, v := t.Headers.At(i)
		if equalFold(name, "host") {
			host = trimOWS(v)
			break
		}
	}
	p, ok := path(t.URI)
	if !ok {
		return false
	}
	var buf [512]byte
	b := append(append(buf[:0], host...), p...)
	return strSample(m, b)
}

func fetchURLIP(t *Txn, _ *fargs, m *matcher) bool {
	h := uriHost(t.URI)
	if i := bytes.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	a, ok := parseAddr(h)
	return ok && ipSample(m, a)
}

func fetchURLPort(t *Txn, _ *fargs, m *matcher) bool {
	h := uriHost(t.URI)
	port := int64(80)
	if i := bytes.LastIndexByte(h, ':'); i >= 0 {
		if v, ok := atoi(h[i+1:]); ok {
			port = v
		}
	}
	return t.HTTP && intSample(m, port)
}

func headerLen(t *Txn) int {
	if t.Headers == nil {
		return 0
	}
	return t.Headers.Len()
}

// eachValue walks the values of header name (all headers when name is
// empty), split at commas when split is set, honouring occ, and feeds them
// to m. It returns whether one matched, and how many values it saw.
func eachValue(t *Txn, name string, occ int, split bool, m *matcher) (bool, int) {
	if !t.HTTP {
		return false, 0
	}
	want := occ
	if occ < 0 {
		_, total := eachValue(t, name, 0, split, nil)
		want = total + occ + 1
		if want <= 0 {
			return false, total
		}
	}
	seen := 0
	for i, n := 0, headerLen(t); i < n; i++ {
		hn, v := t.Headers.At(i)
		if name != "" && !equalFold(hn, name) {
			continue
		}
		for {
			part := v
			rest := []byte(nil)
			if split {
				if j := bytes.IndexByte(v, ','); j >= 0 {
					part, rest = v[:j], v[j+1:]
				}
			}
			seen++
			if m != nil && (want == 0 || want == seen) && strSample(m, trimOWS(part)) {
				return true, seen
			}
			if rest == nil {
				break
			}
			v = rest
		}
	}
	return false, seen
}

func fetchHdr(t *Txn, a *fargs, m *matcher) bool {
	ok, _ := eachValue(t, a.name, a.occ, true, m)
	return ok
}

func fetchFhdr(t *Txn, a *fargs, m *matcher) bool {
	ok, _ := eachValue(t, a.name, a.occ, false, m)
	return ok
}

func fetchHdrCnt(t *Txn, a *fargs, m *matcher) bool {
	_, n := eachValue(t, a.name, 0, true, nil)
	return t.HTTP && intSample(m, int64(n))
}

func fetchFhdrCnt(t *Txn, a *fargs, m *matcher) bool {
	_, n := eachValue(t, a.name, 0, false, nil)
	return t.HTTP && intSample(m, int64(n))
}

// hdr_val and hdr_ip are hdr with an integer or address default match: the
// matcher converts each string value (sample.asInt, sample.asIP).
func fetchHdrVal(t *Txn, a *fargs, m *matcher) bool { return fetchHdr(t, a, m) }
func fetchHdrIP(t *Txn, a *fargs, m *matcher) bool  { return fetchHdr(t, a, m) }

// eachParam walks the query's parameters named a.name (every parameter when
// empty) and feeds their values to m.
func eachParam(t *Txn, a *fargs, m *matcher) bool {
	if !t.HTTP {
		return false
	}
	q := t.URI
	start := bytes.IndexByte(q, '?')
	if a.delim != 0 {
		if d := bytes.IndexByte(q, a.delim); d >= 0 && (start < 0 || d < start) {
			start = d
		}
	}
	if start < 0 {
		return false
	}
	q = q[start+1:]
	for len(q) > 0 {
		end := len(q)
		for i, c := range q {
			if c == '&' || c == ';' || (a.delim != 0 && c == a.delim) {
				end = i
				break
			}
		}
		param := q[:end]
		if end < len(q) {
			q = q[end+1:]
		} else {
			q = nil
		}
		name, val := param, []byte(nil)
		if i := bytes.IndexByte(param, '='); i >= 0 {
			name, val = param[:i], param[i+1:]
		} else if a.name != "" {
			continue
		}
		if a.name != "" && string(name) != a.name {
			continue
		}
		if strSample(m, val) {
			return true
		}
	}
	return false
}

// urlp_val is urlp with an integer default match (see fetchHdrVal).
func fetchURLParam(t *Txn, a *fargs, m *matcher) bool { return eachParam(t, a, m) }

// atoi parses a decimal integer with an optional sign, without allocating.
func atoi(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseAddr parses an IPv4 or IPv6 address from bytes without allocating
// for IPv4 (the common case).
func parseAddr(b []byte) (netip.Addr, bool) {
	var four [4]byte
	n, part, digits := 0, 0, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			part = part*10 + int(c-'0')
			digits++
			if part > 255 || digits > 3 {
				return parseAddr6(b)
			}
		case c == '.' && digits > 0 && n < 3:
			four[n] = byte(part)
			n, part, digits = n+1, 0, 0
		default:
			return parseAddr6(b)
		}
	}
	if n != 3 || digits == 0 {
		return netip.Addr{}, false
	}
	four[3] = byte(part)
	return netip.AddrFrom4(four), true
}

func parseAddr6(b []byte) (netip.Addr, bool) {
	if bytes.IndexByte(b, ':') < 0 {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(string(b))
	return a, err == nil
}

// parseFetchArgs interprets the parenthesised arguments of fetch name.
func parseFetchArgs(name string, args []string) (fargs, error) {
	var a fargs
	if len(args) > 0 {
		a.name = args[0]
	}
	if len(args) > 1 {
		base := name
		if i := strings.IndexByte(name, '_'); i > 0 {
			base = name[:i]
		}
		switch {
		case base == "urlp" || base == "url" && strings.HasPrefix(name, "url_param"):
			if args[1] != "" {
				a.delim = args[1][0]
			}
		default:
			n, err := strconv.Atoi(args[1])
			if err != nil {
				return a, errBadArg(name, args[1])
			}
			a.occ = n
		}
	}
	return a, nil
}
