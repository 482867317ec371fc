package proxy

import (
	"bytes"

	"goha/parser/haproxy"
	"goha/proxy/http1"
	plog "goha/proxy/log"
)

// What a frontend captures for its logs and its unique request id
// (configuration.txt §4.2 "capture request header", "capture response
// header", "capture cookie", "unique-id-format", "unique-id-header"),
// done where haproxy 2.6 does it (src/http_ana.c): request headers when
// the head is parsed (before any rule), response headers when a server's
// final response arrives (none for a response the proxy makes itself),
// the client cookie when the request goes to a server or is denied, the
// server cookie from a server's Set-Cookie, the unique id before the
// request is forwarded (with its header) or else when the line is logged.

// uniqueIDLen is haproxy's UNIQUEID_LEN: the id's buffer size.
const uniqueIDLen = 128

// frontCaptures is a frontend's capture configuration; nil when it has
// none.
type frontCaptures struct {
	req, resp  []haproxy.Capture // header captures in declaration order
	cookie     string            // "capture cookie" name prefix ("" for none)
	cookieLen  int
	uid        *plog.Program // unique-id-format
	uidSamples logSamples
	uidHeader  string // unique-id-header ("" for none)
}

func newFrontCaptures(px *haproxy.Proxy) (*frontCaptures, error) {
	fc := &frontCaptures{}
	for _, c := range px.Captures {
		switch c.Kind {
		case "request":
			fc.req = append(fc.req, *c)
		case "response":
			fc.resp = append(fc.resp, *c)
		case "cookie":
			fc.cookie, fc.cookieLen = c.Header, c.Len
		}
	}
	if px.UniqueIDFormat != "" {
		prog, err := plog.Compile(px.UniqueIDFormat, plog.CompileOptions{HTTP: px.Mode == haproxy.ModeHTTP, UniqueID: true})
		if err != nil {
			return nil, err
		}
		fc.uid, fc.uidHeader = prog, px.UniqueIDHeader
	}
	if len(fc.req) == 0 && len(fc.resp) == 0 && fc.cookie == "" && fc.uid == nil {
		return nil, nil
	}
	return fc, nil
}

// streamCaptures holds one request's captured values; their storage is
// reused from request to request.
type streamCaptures struct {
	req, resp           [][]byte // nil entry: header absent
	reqStore, respStore [][]byte
	cli, srv            []byte
	hasCli, hasSrv      bool
	uid                 []byte
	hasUID              bool
	uidArena            []byte // the unique id's sample values
}

// reset prepares the captures of a new request.
func (c *streamCaptures) reset(fc *frontCaptures) {
	c.req = resetCaps(c.req, len(fc.req))
	c.resp = resetCaps(c.resp, len(fc.resp))
	c.hasCli, c.hasSrv, c.hasUID = false, false, false
}

func resetCaps(caps [][]byte, n int) [][]byte {
	caps = caps[:0]
	for i := 0; i < n; i++ {
		caps = append(caps, nil)
	}
	return caps
}

// captureHeaders copies the values of the captured fields of a head: the
// last field of a name wins, cut to the capture's length
// (http_capture_headers).
func captureHeaders(caps, store [][]byte, decl []haproxy.Capture, buf []byte, fields []http1.Field) [][]byte {
	for len(store) < len(decl) {
		store = append(store, nil)
	}
	for i := range fields {
		f := &fields[i]
		if f.Dropped() {
			continue
		}
		name := f.Name.In(buf)
		for j := range decl {
			if !bytes.EqualFold(name, []byte(decl[j].Header)) {
				continue
			}
			v := f.Value.In(buf)
			if len(v) > decl[j].Len {
				v = v[:decl[j].Len]
			}
			store[j] = append(store[j][:0], v...)
			caps[j] = store[j]
		}
	}
	return store
}

// captureRequest takes the request headers of a head just parsed.
func (s *stream) captureRequest(fc *frontCaptures) {
	s.caps.reset(fc)
	if len(fc.req) > 0 {
		s.caps.reqStore = captureHeaders(s.caps.req, s.caps.reqStore, fc.req, s.cbuf[:s.clen], s.req.Fields)
	}
}

// captureResponse takes the response headers and the server cookie of a
// server's final response (buf holds its head).
func (s *stream) captureResponse(buf []byte) {
	fc := s.f.caps
	if fc == nil {
		return
	}
	if len(fc.resp) > 0 {
		s.caps.respStore = captureHeaders(s.caps.resp, s.caps.respStore, fc.resp, buf, s.resp.Fields)
	}
	if fc.cookie == "" {
		return
	}
	for i := range s.resp.Fields {
		f := &s.resp.Fields[i]
		if s.caps.hasSrv || f.Name.Len() != 10 || !bytes.EqualFold(f.Name.In(buf), []byte("set-cookie")) {
			continue
		}
		s.caps.srv, s.caps.hasSrv = setCookieCapture(s.caps.srv[:0], f.Value.In(buf), fc.cookie, fc.cookieLen)
	}
}

// captureClientCookie takes the first request cookie whose "name=value"
// starts with the captured name (http_manage_client_side_cookies).
func (s *stream) captureClientCookie() {
	fc := s.f.caps
	if fc == nil || fc.cookie == "" || s.caps.hasCli {
		return
	}
	buf := s.cbuf[:s.clen]
	strip := false
	for i := range s.req.Fields {
		f := &s.req.Fields[i]
		if f.Name.Len() != 6 || !bytes.EqualFold(f.Name.In(buf), []byte("cookie")) {
			continue
		}
		strip = strip || cookieHasBlankAroundEq(f.Value.In(buf))
		if !s.caps.hasCli {
			s.caps.cli, s.caps.hasCli = cookieCapture(s.caps.cli[:0], f.Value.In(buf), fc.cookie, fc.cookieLen)
		}
	}
	if strip {
		// haproxy's cookie walk also removes the blanks around each
		// '=' of the Cookie headers it forwards (measured with 2.6.12)
		s.edits = append(s.edits, headerEdit{op: editCookieEq, name: "cookie"})
	}
}

// cookieHasBlankAroundEq: some '=' of a Cookie value has a blank beside it.
func cookieHasBlankAroundEq(v []byte) bool {
	for i, c := range v {
		if c == '=' && (i > 0 && isSPHT(v[i-1]) || i+1 < len(v) && isSPHT(v[i+1])) {
			return true
		}
	}
	return false
}

// stripCookieEq appends v to dst without the blanks around the '=' of
// each cookie (http_manage_client_side_cookies); blanks elsewhere and in
// "$" attributes stay.
func stripCookieEq(dst, v []byte) []byte {
	for pos, first := 0, true; pos < len(v); first = false {
		start := pos
		if !first {
			pos++ // the delimiter
		}
		attBeg := skipSPHT(v, pos)
		equal, attEnd := cookieAttr(v, attBeg)
		if equal < len(v) && v[equal] == '=' {
			valBeg := skipSPHT(v, equal+1)
			next := cookieValueEnd(v, valBeg)
			if attBeg < len(v) && v[attBeg] == '$' {
				// attributes ("$Path = /") are skipped before the
				// rewrite (measured)
				dst = append(dst, v[start:next]...)
				pos = next
				continue
			}
			dst = append(append(append(dst, v[start:attEnd]...), '='), v[valBeg:next]...)
			pos = next
			continue
		}
		dst = append(dst, v[start:equal]...)
		pos = equal
	}
	return dst
}

// cookieCapture walks the cookies of a Cookie value (separated by ';' or
// ','; quoted values kept whole; "$" attributes and cookies without '='
// skipped) and appends to dst the first "name=value" (spaces around '='
// removed) that starts with prefix, cut to maxLen.
func cookieCapture(dst, v []byte, prefix string, maxLen int) ([]byte, bool) {
	for pos, first := 0, true; pos < len(v); first = false {
		if !first {
			pos++ // the delimiter
		}
		attBeg := skipSPHT(v, pos)
		equal, attEnd := cookieAttr(v, attBeg)
		if equal < len(v) && v[equal] == '=' {
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
			if out, ok := capturedCookie(dst, v[attBeg:attEnd], v[valBeg:valEnd], prefix, maxLen); ok {
				return out, true
			}
			continue
		}
		pos = equal // no '=': not a cookie
	}
	return dst, false
}

// setCookieCapture is cookieCapture for a Set-Cookie value: only its
// first cookie counts (attributes follow it, and a date may hold commas).
func setCookieCapture(dst, v []byte, prefix string, maxLen int) ([]byte, bool) {
	attBeg := skipSPHT(v, 0)
	equal, attEnd := cookieAttr(v, attBeg)
	if equal >= len(v) || v[equal] != '=' {
		return dst, false
	}
	valBeg := skipSPHT(v, equal+1)
	valEnd := cookieValueEnd(v, valBeg)
	for valEnd > valBeg && isSPHT(v[valEnd-1]) {
		valEnd--
	}
	return capturedCookie(dst, v[attBeg:attEnd], v[valBeg:valEnd], prefix, maxLen)
}

// cookieAttr finds the '=' (or the delimiter, or the end) after a cookie
// name starting at i, and the end of the name without trailing blanks.
func cookieAttr(v []byte, i int) (equal, attEnd int) {
	equal, attEnd = i, i
	for equal < len(v) {
		c := v[equal]
		if c == '=' || c == ',' || c == ';' {
			break
		}
		equal++
		if !isSPHT(c) {
			attEnd = equal
		}
	}
	return equal, attEnd
}

// capturedCookie appends "name=value" cut to maxLen when it is at least
// as long as prefix and starts with it.
func capturedCookie(dst, name, value []byte, prefix string, maxLen int) ([]byte, bool) {
	n := len(name) + 1 + len(value)
	if n < len(prefix) {
		return dst, false
	}
	start := len(dst)
	dst = append(append(append(dst, name...), '='), value...)
	if string(dst[start:start+len(prefix)]) != prefix {
		return dst[:start], false
	}
	if n > maxLen {
		dst = dst[:start+maxLen]
	}
	return dst, true
}

// cookieValueEnd is http_find_cookie_value_end: the first ',' or ';'
// outside a quoted string.
func cookieValueEnd(v []byte, i int) int {
	quoted, pair := false, false
	for ; i < len(v); i++ {
		c := v[i]
		switch {
		case pair:
			pair = false
		case quoted:
			if c == '\\' {
				pair = true
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == ',' || c == ';':
			return i
		}
	}
	return i
}

func isSPHT(c byte) bool { return c == ' ' || c == '\t' }

func skipSPHT(v []byte, i int) int {
	for i < len(v) && isSPHT(v[i]) {
		i++
	}
	return i
}

// uniqueID is the request's id from the frontend's unique-id-format,
// built once (stream_generate_unique_id) from the record r as filled so
// far; live: the request head is still there for its samples.
func (s *stream) uniqueID(r *plog.Record, live bool) []byte {
	fc := s.f.caps
	if fc == nil || fc.uid == nil {
		return nil
	}
	if !s.caps.hasUID {
		fc.uidSamples.fill(s, r, &s.caps.uidArena, live)
		s.caps.uid = fc.uid.Append(s.caps.uid[:0], r, uniqueIDLen)
		s.caps.hasUID = true
	}
	return s.caps.uid
}

// addUniqueIDHeader generates the unique id of a request about to be
// forwarded and, with unique-id-header, adds it as the last field before
// X-Forwarded-For (http_process_request step 8).
func (s *stream) addUniqueIDHeader() {
	fc := s.f.caps
	if fc == nil || fc.uid == nil {
		return
	}
	r := &s.rec
	s.fillRecord(r)
	id := s.uniqueID(r, true)
	if fc.uidHeader != "" {
		s.edits = append(s.edits, headerEdit{op: editAdd, name: lowerASCII(fc.uidHeader), value: id})
	}
}
