package proxy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"goha/parser/haproxy"
	"goha/proxy/http1"
)

// persistCookie is a backend's "cookie" persistence (configuration.txt
// §4.2), as haproxy 2.6's http_ana.c applies it: the request's cookie
// picks the server (http_manage_client_side_cookies), the server's own
// Set-Cookie is kept, rewritten, prefixed or deleted
// (http_manage_server_side_cookies) and insert mode adds its own.
type persistCookie struct {
	name string
	// mode is "insert", "rewrite", "prefix" or "" (passive: the cookie
	// only routes, nothing is changed).
	mode                                 string
	indirect, nocache, preserve, postOnl bool
	persist                              bool // "option persist"
	// dynamic: servers without a cookie get one from dynamicKey
	dynamic    bool
	dynamicKey string
	// maxIdle and maxLife are "maxidle" and "maxlife" in seconds (0:
	// unset): the cookie then carries its last and first seen dates.
	maxIdle, maxLife int64
	// tail is what follows "; path=/" in an inserted cookie: domains,
	// HttpOnly, Secure and the attrs, in haproxy's order.
	tail string
}

// Client cookie states of the log's termination state, 3rd character
// (configuration.txt §8.5).
const (
	ckNone    = 'N'
	ckInvalid = 'I'
	ckDown    = 'D'
	ckValid   = 'V'
	ckExpired = 'E' // older than maxidle
	ckOld     = 'O' // older than maxlife
	ckUnused  = 'U' // ignored (ignore-persist)
)

// Server cookie states, 4th character.
const (
	sckNone     = 'N'
	sckFound    = 'P'
	sckDeleted  = 'D'
	sckInserted = 'I'
	sckReplaced = 'R'
	sckUpdated  = 'U'
)

// newPersistCookie returns nil for a backend without "cookie" (or not in
// HTTP mode, where haproxy ignores it with a warning). The error is for
// forms goproxy would not implement (none today), in haproxy's format.
func newPersistCookie(px *haproxy.Proxy) (*persistCookie, error) {
	c := px.Cookie
	if c == nil || px.Mode != haproxy.ModeHTTP {
		return nil, nil
	}
	pc := &persistCookie{
		name: c.Name, mode: c.Mode, indirect: c.Indirect, nocache: c.NoCache,
		preserve: c.Preserve, postOnl: c.PostOnly, persist: px.Options.Set["persist"],
		maxIdle: int64(c.MaxIdle / time.Second), maxLife: int64(c.MaxLife / time.Second),
		dynamic: c.Dynamic, dynamicKey: px.DynamicCookieKey,
	}
	var t strings.Builder
	if len(c.Domains) > 0 {
		// several "domain" options make one string (cfgparse-listen.c)
		t.WriteString("; domain=" + strings.Join(c.Domains, "; domain="))
	}
	if c.HTTPOnly {
		t.WriteString("; HttpOnly")
	}
	if c.Secure {
		t.WriteString("; Secure")
	}
	if len(c.Attrs) > 0 {
		t.WriteString("; " + strings.Join(c.Attrs, "; "))
	}
	pc.tail = t.String()
	return pc, nil
}

// cookieRoute reads the request's persistence cookie: the server it names
// when that server may take the request (running, or "option persist"),
// nil to balance. It records the log state and queues the edit of the
// forwarded Cookie headers (blanks around '=' removed as haproxy's walk
// does, our cookie deleted in insert+indirect mode, the "SRV~" prefix
// stripped in prefix mode).
func (s *stream) cookieRoute(be *backend) *server {
	pc := be.cookie
	s.ck, s.sck, s.ckDirect = ckNone, sckNone, false
	if be.rt != nil {
		for _, r := range be.rt.persist {
			if r.cond.eval(s) {
				s.forcePersist, s.ignorePersist = r.force, !r.force
				break
			}
		}
	}
	buf := s.cbuf[:s.clen]
	var target *server
	seen := false
	for i := range s.req.Fields {
		f := &s.req.Fields[i]
		if f.Name.Len() != 6 || !bytes.EqualFold(f.Name.In(buf), []byte("cookie")) {
			continue
		}
		seen = true
		eachCookie(f.Value.In(buf), func(name, value []byte) {
			if string(name) != pc.name {
				return
			}
			if s.ignorePersist {
				s.ck = ckUnused // ignore-persist: the cookie plays no part
				return
			}
			if target != nil {
				// already assigned: haproxy 2.6.12 keeps the state of
				// the first one (measured: "SRV=b; SRV=a" logs V)
				return
			}
			id := value
			if pc.mode == "prefix" {
				if i := bytes.IndexByte(value, '~'); i >= 0 {
					id = value[:i]
				}
			} else if i := bytes.IndexByte(value, '|'); i >= 0 {
				id = value[:i]
				s.ckLast, s.ckFirst = cookieDates(value[i+1:])
				if s.cookieExpired(pc, time.Now().Unix()) {
					return
				}
			}
			if len(id) == 0 {
				s.ck = ckInvalid
				return
			}
			down := false
			be.mu.Lock()
			for _, sv := range be.servers {
				if sv.cookie == "" || sv.cookie != string(id) {
					continue
				}
				if running := sv.lbs.Running(); running || pc.persist || s.forcePersist {
					target = sv
					s.ck = ckDown
					if running {
						s.ck = ckValid
					}
					break
				}
				down = true
			}
			be.mu.Unlock()
			switch {
			case target != nil:
			case down:
				s.ck = ckDown
			default:
				s.ck = ckInvalid
			}
		})
	}
	if seen {
		s.edits = append(s.edits, headerEdit{op: editCookiePersist, name: "cookie", value: []byte(pc.name),
			tmpl: []byte{persistEditFlags(pc)}})
	}
	s.ckDirect = target != nil
	return target
}

func persistEditFlags(pc *persistCookie) byte {
	switch {
	case pc.mode == "prefix":
		return 'p'
	case pc.mode == "insert" && pc.indirect:
		return 'd'
	}
	return 0
}

// eachCookie calls fn with the name and value of each cookie of a Cookie
// value ("$" attributes and words without '=' skipped), blanks trimmed.
func eachCookie(v []byte, fn func(name, value []byte)) {
	for pos, first := 0, true; pos < len(v); first = false {
		if !first {
			pos++ // the delimiter
		}
		attBeg := skipSPHT(v, pos)
		equal, attEnd := cookieAttr(v, attBeg)
		if equal >= len(v) || v[equal] != '=' {
			pos = equal
			continue
		}
		valBeg := skipSPHT(v, equal+1)
		next := cookieValueEnd(v, valBeg)
		pos = next
		if attBeg < len(v) && v[attBeg] == '$' {
			continue
		}
		valEnd := next
		for valEnd > valBeg && isSPHT(v[valEnd-1]) {
			valEnd--
		}
		fn(v[attBeg:attEnd], v[valBeg:valEnd])
	}
}

// rewriteRequestCookie is one forwarded Cookie value after haproxy's walk:
// blanks around '=' gone, the persistence cookie named name deleted (flag
// 'd', with one of its delimiters) or stripped of its "SRV~" prefix (flag
// 'p'). keep is false when no cookie is left: the header goes.
func rewriteRequestCookie(dst, v []byte, name string, flag byte) (out []byte, keep bool) {
	start := len(dst)
	dropFirstDelim := false
	for pos, first := 0, true; pos < len(v); first = false {
		from := pos
		if !first {
			pos++ // the delimiter
		}
		attBeg := skipSPHT(v, pos)
		equal, attEnd := cookieAttr(v, attBeg)
		if equal >= len(v) || v[equal] != '=' {
			dst = append(dst, v[from:equal]...)
			pos = equal
			continue
		}
		valBeg := skipSPHT(v, equal+1)
		next := cookieValueEnd(v, valBeg)
		pos = next
		if attBeg < len(v) && v[attBeg] == '$' {
			dst = append(dst, v[from:next]...)
			continue
		}
		ours := string(v[attBeg:attEnd]) == name
		if ours && flag == 'd' {
			if len(dst) == start {
				// the first cookie goes with the delimiter after it
				dropFirstDelim = true
			}
			continue
		}
		if ours && flag == 'p' {
			if i := bytes.IndexByte(v[valBeg:next], '~'); i >= 0 {
				valBeg += i + 1
			}
		}
		item := len(dst)
		dst = append(append(append(dst, v[from:attEnd]...), '='), v[valBeg:next]...)
		if dropFirstDelim && item == start {
			// what followed a deleted first cookie starts the value
			rest := dst[item:]
			if len(rest) > 0 && (rest[0] == ';' || rest[0] == ',') {
				rest = rest[1:]
			}
			rest = rest[skipSPHT(rest, 0):]
			dst = append(dst[:item], rest...)
			dropFirstDelim = false
		}
	}
	return dst, len(dst) > start
}

// cookieResponse applies the persistence to a response from sv after the
// http-response rules: the server's own Set-Cookie of our name, then the
// inserted Set-Cookie and its "cache-control: private"
// (http_process_res_common).
func (s *stream) cookieResponse(be *backend, sv *server, buf []byte) {
	pc := be.cookie
	if s.resp.Status < 200 && s.resp.Status != 101 {
		return
	}
	cacheable := s.cacheableRequest() && cacheableStatus(s.resp.Status)
	found := false
	for i := range s.resp.Fields {
		f := &s.resp.Fields[i]
		n := f.Name.In(buf)
		if len(n) == 10 && bytes.EqualFold(n, []byte("set-cookie")) {
			v := f.Value.In(buf)
			attBeg := skipSPHT(v, 0)
			_, attEnd := cookieAttr(v, attBeg)
			if string(v[attBeg:attEnd]) == pc.name && !s.ignorePersist {
				found = true
			}
		}
	}
	if pc.nocache {
		cacheable = responseCacheable(cacheable, s.resp.Fields, buf)
	}
	if found {
		s.sck = sckFound
		var op byte
		switch {
		case pc.preserve:
		case pc.mode == "insert" || s.ckDirect && pc.indirect:
			op, s.sck = 'd', sckDeleted
		case pc.mode == "rewrite" && sv.cookie != "":
			op, s.sck = 'r', sckReplaced
		case pc.mode == "prefix" && sv.cookie != "":
			op, s.sck = 'p', sckReplaced
		}
		if op != 0 {
			s.respEdits = append(s.respEdits, headerEdit{op: editSetCookiePersist, name: "set-cookie",
				value: []byte(pc.name), tmpl: append([]byte{op}, sv.cookie...)})
		}
	}
	now := time.Now().Unix()
	// a client already holding the right cookie gets a new one only to
	// refresh (or drop) its dates
	refresh := (pc.maxIdle > 0 || s.ckLast != 0) && (s.ckLast == 0 || s.ckLast-now < 0) ||
		pc.maxLife > 0 && s.ckFirst == 0 || pc.maxLife == 0 && s.ckFirst != 0
	if pc.mode != "insert" || found && pc.preserve || s.ckDirect && !refresh || s.ignorePersist ||
		pc.postOnl && !bytes.Equal(s.txn.Method, []byte("POST")) {
		return
	}
	var v string
	if sv.cookie == "" {
		v = pc.name + "=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/" + pc.tail
	} else {
		v = pc.name + "=" + sv.cookie
		if pc.maxIdle > 0 || pc.maxLife > 0 {
			v += "|" + s30ToB64((now+3)>>2)
			if pc.maxLife > 0 {
				first := (now + 3) >> 2
				if s.ckFirst != 0 {
					first = s.ckFirst >> 2
				}
				v += "|" + s30ToB64(first)
			}
		}
		v += "; path=/" + pc.tail
	}
	s.respEdits = append(s.respEdits, headerEdit{op: editAdd, name: "set-cookie", value: []byte(v)})
	s.sck = sckInserted
	if sv.cookie != "" && s.ckDirect {
		s.sck = sckUpdated // the same server, only the dates changed
	}
	if pc.nocache && cacheable {
		s.respEdits = append(s.respEdits, headerEdit{op: editAdd, name: "cache-control", value: []byte("private")})
	}
}

// cacheableRequest: haproxy marks GET, HEAD, OPTIONS and TRACE requests
// cacheable (TX_CACHEABLE).
func (s *stream) cacheableRequest() bool {
	switch string(s.txn.Method) {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// cacheableStatus is RFC 7231 §6.1's list haproxy applies.
func cacheableStatus(st int) bool {
	switch st {
	case 200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501:
		return true
	}
	return false
}

// responseCacheable is http_check_response_for_cacheability's verdict on
// the response headers: "pragma: no-cache" and the cache-control values
// private, no-cache, no-store, max-age=0, s-maxage=0 make it
// uncacheable, "public" cacheable again. A response with neither
// freshness (max-age, s-maxage, expires) nor a validator (etag,
// last-modified) is not worth marking either: haproxy 2.6.12 adds no
// "cache-control: private" to it (measured: cookie-insert-nocache).
func responseCacheable(c bool, fields []http1.Field, buf []byte) bool {
	has := func(name string) bool {
		for i := range fields {
			if bytes.EqualFold(fields[i].Name.In(buf), []byte(name)) {
				return true
			}
		}
		return false
	}
	for i := range fields {
		f := &fields[i]
		if bytes.EqualFold(f.Name.In(buf), []byte("pragma")) {
			if bytes.EqualFold(bytes.TrimSpace(f.Value.In(buf)), []byte("no-cache")) {
				return false
			}
			break // only the first pragma counts
		}
	}
	fresh := false
	for i := range fields {
		f := &fields[i]
		if !bytes.EqualFold(f.Name.In(buf), []byte("cache-control")) {
			continue
		}
		for _, part := range bytes.Split(f.Value.In(buf), []byte(",")) {
			v := strings.ToLower(string(bytes.TrimSpace(part)))
			switch v {
			case "public":
				c = true
			case "private", "no-cache", "no-store", "max-age=0", "s-maxage=0":
				c = false
			default:
				if strings.HasPrefix(v, "s-maxage") || strings.HasPrefix(v, "max-age") {
					fresh = true
				}
			}
		}
	}
	if !fresh && !has("expires") && !has("etag") && !has("last-modified") {
		return false // TX_CACHE_IGNORE
	}
	return c
}

// rewriteSetCookie edits one Set-Cookie value whose cookie is ours:
// 'r' puts the server's cookie in place of the value, 'p' puts "SRV~"
// before it.
func rewriteSetCookie(v []byte, op byte, srvCookie string) []byte {
	attBeg := skipSPHT(v, 0)
	equal, _ := cookieAttr(v, attBeg)
	if equal >= len(v) {
		return v
	}
	valBeg := skipSPHT(v, equal+1)
	valEnd := cookieValueEnd(v, valBeg)
	for valEnd > valBeg && isSPHT(v[valEnd-1]) {
		valEnd--
	}
	out := append([]byte{}, v[:valBeg]...)
	if op == 'r' {
		out = append(out, srvCookie...)
		return append(out, v[valEnd:]...)
	}
	out = append(append(out, srvCookie...), '~')
	return append(out, v[valBeg:]...)
}

// setCookieIs: the first cookie of a Set-Cookie value is named name.
func setCookieIs(v, name []byte) bool {
	attBeg := skipSPHT(v, 0)
	_, attEnd := cookieAttr(v, attBeg)
	return bytes.Equal(v[attBeg:attEnd], name)
}

// CheckUnsupported returns the start-up error goproxy would give for a
// configuration the parser accepts but the engine refuses (the cookie
// forms it does not implement), so that "goproxy -c" does not call valid
// a file that cannot start.
func CheckUnsupported(cfg *haproxy.Config) error {
	for _, px := range cfg.Proxies {
		if px.Disabled || !px.Kind.IsBackend() || px.Kind == haproxy.KindDefaults {
			continue
		}
		if _, err := newPersistCookie(px); err != nil {
			return err
		}
	}
	return nil
}

// cookieDates reads the "|last[|first]" dates after a persistence
// cookie's server id: each 5 base64 characters of a 30-bit count of
// 4-second units since the epoch (0: absent or unreadable).
func cookieDates(rest []byte) (last, first int64) {
	if len(rest) >= 5 {
		if v := b64ToS30(rest[:5]); v > 0 {
			last = v << 2
		}
	}
	if j := bytes.IndexByte(rest, '|'); j >= 0 && len(rest)-j > 5 {
		if v := b64ToS30(rest[j+1 : j+6]); v > 0 {
			first = v << 2
		}
	}
	return last, first
}

// cookieExpired applies maxlife, then maxidle, to the dates read from the
// request's cookie (dates more than a day ahead count as expired too):
// an expired cookie chooses no server and its dates are forgotten.
func (s *stream) cookieExpired(pc *persistCookie, now int64) bool {
	switch {
	case s.ckFirst != 0 && pc.maxLife > 0 && (now-s.ckFirst > pc.maxLife || s.ckFirst-now > 86400):
		s.ck = ckOld
	case s.ckLast != 0 && pc.maxIdle > 0 && (now-s.ckLast > pc.maxIdle || s.ckLast-now > 86400):
		s.ck = ckExpired
	default:
		return false
	}
	s.ckFirst, s.ckLast = 0, 0
	return true
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// s30ToB64 writes the low 30 bits of v as 5 base64 characters, most
// significant first, unpadded (haproxy's s30tob64).
func s30ToB64(v int64) string {
	var out [5]byte
	for i := range out {
		out[i] = base64Alphabet[(v>>24)&0x3f]
		v <<= 6
	}
	return string(out[:])
}

// b64ToS30 is the reverse of s30ToB64; -1 for a character outside the
// alphabet.
func b64ToS30(in []byte) int64 {
	var v int64
	for _, c := range in[:5] {
		i := strings.IndexByte(base64Alphabet, c)
		if i < 0 {
			return -1
		}
		v = v<<6 + int64(i)
	}
	return v
}

// dynamicCookie is the cookie "cookie ... dynamic" gives a server without
// its own: XXH64 of the backend's dynamic-cookie-key, the server's
// address (4 or 16 bytes) and its port (4 bytes, network order), in 16
// hex digits (srv_set_dyncookie). "" when there is no key or no IP.
func dynamicCookie(key string, ap netip.AddrPort) string {
	if key == "" || !ap.IsValid() {
		return ""
	}
	b := []byte(key)
	if a := ap.Addr(); a.Is4() {
		ip := a.As4()
		b = append(b, ip[:]...)
	} else {
		ip := a.As16()
		b = append(b, ip[:]...)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(ap.Port()))
	return fmt.Sprintf("%016x", xxh64(b))
}
