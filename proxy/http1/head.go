package http1

import "bytes"

// Span is a byte range [Start, End) in the buffer that was parsed.
type Span struct{ Start, End int32 }

// Len is the number of bytes in the span.
func (s Span) Len() int { return int(s.End - s.Start) }

// In returns the bytes of the span inside buf (the buffer given to Parse).
func (s Span) In(buf []byte) []byte { return buf[s.Start:s.End] }

// Field is one header field line, as received: Name in its original case,
// Value without the surrounding whitespace.
type Field struct {
	Name, Value Span
	flags       uint8
}

const (
	// fieldFolded: the value spans obs-fold line breaks, which haproxy
	// forwards with each CR and LF replaced by a space.
	fieldFolded uint8 = 1 << iota
	// fieldDropped: haproxy does not forward this field (a repeated
	// Content-Length or Host, a Content-Length beside Transfer-Encoding, a
	// Connection header holding only close/keep-alive).
	fieldDropped
)

// Folded reports whether the value contains obs-fold line breaks.
func (f Field) Folded() bool { return f.flags&fieldFolded != 0 }

// Dropped reports whether haproxy would not forward this field.
func (f Field) Dropped() bool { return f.flags&fieldDropped != 0 }

// BodyKind says how the message body is delimited.
type BodyKind uint8

const (
	BodyNone       BodyKind = iota // no body
	BodyLength                     // exactly ContentLength bytes
	BodyChunked                    // chunked transfer coding
	BodyUntilClose                 // everything until the server closes (responses only)
)

func (k BodyKind) String() string {
	switch k {
	case BodyNone:
		return "none"
	case BodyLength:
		return "length"
	case BodyChunked:
		return "chunked"
	}
	return "until-close"
}

// Limits are haproxy's tune.bufsize, tune.maxrewrite and tune.http.maxhdr.
type Limits struct {
	BufSize    int // tune.bufsize (16384)
	MaxRewrite int // tune.maxrewrite (1024)
	MaxHeaders int // tune.http.maxhdr (101)
}

// DefaultLimits are haproxy 2.6's defaults.
var DefaultLimits = Limits{BufSize: 16384, MaxRewrite: 1024, MaxHeaders: 101}

// htxOverhead is what haproxy's internal representation costs beyond the
// bytes of the names, values and start line: fitted on haproxy 2.6.12 (the
// head_*limit* goldens) as a 44-byte message header, 32 bytes per start line
// (block + struct), 8 per header block and 9 for the end-of-headers block,
// against a budget of bufsize - maxrewrite.
const (
	htxMessageCost   = 44
	htxStartLineCost = 32
	htxFieldCost     = 8
	htxEOHCost       = 9
)

// maxFields is how many header fields a message may carry: haproxy's header
// list holds tune.http.maxhdr entries including the end marker, so 101
// allows 100 fields (measured: headers_100 passes, headers_101 is a 400).
func (l Limits) maxFields() int { return l.MaxHeaders - 1 }

func (l Limits) maxCost() int { return l.BufSize - l.MaxRewrite - htxMessageCost }

// Error is a message haproxy would refuse; Status is the answer it sends
// (400, 422 for requests; 502 to the client for a bad response).
type Error struct {
	Status int
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// The errors are package values so that a rejection allocates nothing.
var (
	ErrHeadTooLarge    = &Error{400, "header block larger than the buffer allows"}
	ErrTooManyHeaders  = &Error{400, "more header fields than tune.http.maxhdr"}
	ErrBadMethod       = &Error{400, "invalid method"}
	ErrBadURI          = &Error{400, "invalid request target"}
	ErrBadVersion      = &Error{400, "invalid HTTP version"}
	ErrMissingVersion  = &Error{400, "HTTP/0.9 request (no version)"}
	ErrBadFieldName    = &Error{400, "invalid header field name"}
	ErrBadFieldValue   = &Error{400, "invalid header field value"}
	ErrFoldFirst       = &Error{400, "obs-fold before any header field"}
	ErrContentLength   = &Error{400, "invalid or conflicting Content-Length"}
	ErrTransferEncode  = &Error{400, "Transfer-Encoding does not end with chunked"}
	ErrUnknownEncoding = &Error{422, "Transfer-Encoding other than chunked"}
	ErrHostMismatch    = &Error{400, "Host does not match the request target"}
	ErrHostConflict    = &Error{400, "several different Host headers"}
	ErrBadStatusLine   = &Error{502, "invalid status line"}
	ErrBadResponse     = &Error{502, "invalid response header"}
)

const (
	stStart uint8 = iota
	stFields
	stDone
)

// Info is what the proxy needs to know about a message once its head is
// parsed: how the body is delimited and what happens to the connection.
type Info struct {
	Body          BodyKind
	ContentLength int64 // valid when Body == BodyLength
	// KeepAlive: for a request, haproxy's decision for the client
	// connection after this exchange (HTTP/1.1 unless "close", HTTP/1.0
	// only with "keep-alive", never when Transfer-Encoding came with
	// Content-Length or in HTTP/1.0); for a response, whether the server
	// connection may be reused.
	KeepAlive bool
	Upgrade   bool // Connection: upgrade with an Upgrade header (101 for a response)
	Expect100 bool // Expect: 100-continue
}

// head is what requests and responses share: the header fields, the
// semantics drawn from them and the incremental parsing state.
type head struct {
	Fields []Field // in received order; len is the field count

	// Major and Minor are the version digits; VersionText is the version
	// token as received.
	Major, Minor uint8
	VersionText  Span

	Info

	// HeadLen is the size of the whole head, start line to the empty line
	// included, once Parse has returned done.
	HeadLen int

	limits  Limits
	state   uint8
	pos     int // start of the next unread line
	scan    int // where the search for the next LF resumes
	cost    int // haproxy's internal size of what has been parsed so far
	pending int // index+1 of the field whose semantics are not applied yet

	hasCL, hasTE, teChunkedLast, teChunkedSeen, teOther, teTwice bool
	connClose, connKeepAlive, connUpgrade, hasUpgrade            bool
	forcedClose                                                  bool
	clField                                                      int  // index of the forwarded Content-Length
	clValue                                                      Span // its value as forwarded (last list item)
}

// Reset prepares the head for a new message, keeping the field storage.
func (h *head) reset() {
	fields := h.Fields[:0]
	limits := h.limits
	*h = head{Fields: fields, limits: limits}
}

func (h *head) init(l Limits) {
	if l.BufSize == 0 {
		l = DefaultLimits
	}
	h.limits = l
	if cap(h.Fields) < l.maxFields() {
		h.Fields = make([]Field, 0, l.maxFields())
	}
}

// Lookup returns the value of the first field named name (compared without
// regard to case) that haproxy would forward.
func (h *head) Lookup(buf []byte, name string) ([]byte, bool) {
	for i := range h.Fields {
		f := &h.Fields[i]
		if f.flags&fieldDropped == 0 && equalFoldAny(f.Name.In(buf), name) {
			return f.Value.In(buf), true
		}
	}
	return nil, false
}

// Count is the number of forwarded fields named name.
func (h *head) Count(buf []byte, name string) int {
	n := 0
	for i := range h.Fields {
		f := &h.Fields[i]
		if f.flags&fieldDropped == 0 && equalFoldAny(f.Name.In(buf), name) {
			n++
		}
	}
	return n
}

// VersionAtLeast11 is haproxy's "HTTP/1.1 or later" flag.
func (h *head) VersionAtLeast11() bool { return h.Major > 1 || h.Major == 1 && h.Minor >= 1 }

// nextLine finds the next complete line from h.pos. It returns the line
// bounds without CRLF (a bare LF ends a line too, as haproxy accepts) and
// false when more data is needed. The search resumes where the last one
// stopped, so a slowly arriving head is scanned once.
func (h *head) nextLine(buf []byte) (start, end int, ok bool) {
	i := bytes.IndexByte(buf[h.scan:], '\n')
	if i < 0 {
		h.scan = len(buf)
		return 0, 0, false
	}
	lf := h.scan + i
	start, end = h.pos, lf
	if end > start && buf[end-1] == '\r' {
		end--
	}
	h.pos, h.scan = lf+1, lf+1
	return start, end, true
}

// needMore checks the limits while a head is incomplete: haproxy answers
// 400 once its buffer is full without a complete head.
func (h *head) needMore(buf []byte) error {
	if len(buf) >= h.limits.BufSize {
		return ErrHeadTooLarge
	}
	return nil
}

// fieldLine parses one header line (without its line ending).
func (h *head) fieldLine(buf []byte, s, e int, isResp bool) error {
	line := buf[s:e]
	if isLWS(line[0]) {
		return h.foldLine(buf, s, e)
	}
	if err := h.applyPending(buf, isResp); err != nil {
		return err
	}
	n := 0
	for n < len(line) && tokenChar[line[n]] {
		n++
	}
	if n == 0 || n == len(line) || line[n] != ':' {
		return ErrBadFieldName
	}
	vs, ve := s+n+1, e
	for vs < ve && isLWS(buf[vs]) {
		vs++
	}
	for ve > vs && isLWS(buf[ve-1]) {
		ve--
	}
	if bytes.IndexByte(buf[vs:ve], '\r') >= 0 {
		return ErrBadFieldValue
	}
	if len(h.Fields) >= h.limits.maxFields() {
		return ErrTooManyHeaders
	}
	h.Fields = append(h.Fields, Field{Name: Span{int32(s), int32(s + n)}, Value: Span{int32(vs), int32(ve)}})
	h.pending = len(h.Fields)
	h.cost += htxFieldCost + n + (ve - vs)
	if h.cost > h.limits.maxCost() {
		return ErrHeadTooLarge
	}
	return nil
}

// foldLine joins an obs-fold continuation line to the previous field
// (RFC 9112 §5.2); haproxy keeps the line break bytes as spaces.
func (h *head) foldLine(buf []byte, s, e int) error {
	if len(h.Fields) == 0 {
		return ErrFoldFirst
	}
	if bytes.IndexByte(buf[s:e], '\r') >= 0 {
		return ErrBadFieldValue
	}
	for e > s && isLWS(buf[e-1]) {
		e--
	}
	if e == s {
		return nil // a blank continuation only adds trailing spaces, trimmed
	}
	f := &h.Fields[len(h.Fields)-1]
	old := f.Value.Len()
	if f.Value.Len() == 0 {
		for isLWS(buf[s]) {
			s++
		}
		f.Value.Start = int32(s)
	}
	f.Value.End = int32(e)
	f.flags |= fieldFolded
	h.cost += f.Value.Len() - old
	if h.cost > h.limits.maxCost() {
		return ErrHeadTooLarge
	}
	return nil
}

// applyPending draws the semantics from the last field once it is known
// not to continue on a folded line.
func (h *head) applyPending(buf []byte, isResp bool) error {
	if h.pending == 0 {
		return nil
	}
	idx := h.pending - 1
	h.pending = 0
	f := &h.Fields[idx]
	name, value := f.Name.In(buf), f.Value.In(buf)
	switch len(name) {
	case 14:
		if equalFold(name, "content-length") {
			return h.contentLength(buf, idx, value)
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			h.transferEncoding(value)
			return nil
		}
	case 10:
		if equalFold(name, "connection") {
			if !h.connection(value) {
				f.flags |= fieldDropped
			}
		}
	case 7:
		if equalFold(name, "upgrade") {
			h.hasUpgrade = true
		}
	case 6:
		if equalFold(name, "expect") && equalFold(trimLWS(value), "100-continue") {
			h.Expect100 = true
		}
	}
	return nil
}

// contentLength applies haproxy's Content-Length rule: a comma list of
// digits-only items, all equal, equal to any earlier Content-Length; the
// first field is forwarded with the last item as its value, later ones are
// dropped (measured: cl_* goldens).
func (h *head) contentLength(buf []byte, idx int, v []byte) error {
	base := int(h.Fields[idx].Value.Start)
	var last Span
	i := 0
	for {
		for i < len(v) && isListLWS(v[i]) {
			i++
		}
		start := i
		var n int64
		for i < len(v) && isDigit(v[i]) {
			d := int64(v[i] - '0')
			if n > (1<<63-1-d)/10 {
				return ErrContentLength
			}
			n = n*10 + d
			i++
		}
		if i == start {
			return ErrContentLength
		}
		last = Span{int32(base + start), int32(base + i)}
		for i < len(v) && isListLWS(v[i]) {
			i++
		}
		if h.hasCL && n != h.ContentLength {
			return ErrContentLength
		}
		if !h.hasCL {
			h.hasCL, h.clField, h.ContentLength = true, idx, n
		}
		if i == len(v) {
			break
		}
		if v[i] != ',' {
			return ErrContentLength
		}
		i++
	}
	if h.clField != idx {
		h.Fields[idx].flags |= fieldDropped
		return nil
	}
	h.clValue = last
	return nil
}

// transferEncoding records the codings the way haproxy 2.6 walks them:
// every comma-separated word (an empty one included) is "chunked" or
// "other"; chunked twice is an error; the last word decides whether the
// message is chunked.
func (h *head) transferEncoding(v []byte) {
	h.hasTE = true
	i := 0
	for i < len(v) {
		if isListLWS(v[i]) {
			i++
			continue
		}
		j := bytes.IndexByte(v[i:], ',')
		if j < 0 {
			j = len(v) - i
		}
		word := trimLWS(v[i : i+j])
		if equalFold(word, "chunked") {
			if h.teChunkedSeen {
				h.teTwice = true
			}
			h.teChunkedSeen, h.teChunkedLast = true, true
		} else {
			h.teOther, h.teChunkedLast = true, false
		}
		i += j + 1
	}
}

// connection reads the Connection tokens and reports whether the field
// keeps any token haproxy forwards (everything but close and keep-alive).
func (h *head) connection(v []byte) (keep bool) {
	for len(v) > 0 {
		j := bytes.IndexByte(v, ',')
		if j < 0 {
			j = len(v)
		}
		tok := trimLWS(v[:j])
		switch {
		case equalFold(tok, "close"):
			h.connClose = true
		case equalFold(tok, "keep-alive"):
			h.connKeepAlive = true
		case len(tok) == 0:
		default:
			if equalFold(tok, "upgrade") {
				h.connUpgrade = true
			}
			keep = true
		}
		if j == len(v) {
			break
		}
		v = v[j+1:]
	}
	return keep
}
