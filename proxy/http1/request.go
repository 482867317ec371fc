package http1

// Request is a parsed request head. Reuse one per connection: Reset it
// between messages and it allocates nothing.
type Request struct {
	head
	Method, URI Span

	// Form of the request target (RFC 9112 §3.2).
	Form URIForm

	// Authority is the host[:port] of an absolute-form or authority-form
	// target; empty otherwise.
	Authority Span

	uriCut  Span // bytes of URI haproxy drops when forwarding (a default port)
	hostCut Span // bytes of the Host value it drops (a default port)
	host    int  // index+1 of the forwarded Host field
}

// URIForm is the shape of a request target.
type URIForm uint8

const (
	FormOrigin    URIForm = iota // /path?query
	FormAbsolute                 // scheme://authority/path
	FormAuthority                // host:port (CONNECT)
	FormAsterisk                 // *
)

// NewRequest returns a request parser with the given limits (the zero
// Limits mean DefaultLimits).
func NewRequest(l Limits) *Request {
	r := &Request{}
	r.init(l)
	return r
}

// Reset prepares r for the next message.
func (r *Request) Reset() {
	h := r.head
	h.reset()
	*r = Request{head: h}
}

// Parse reads the head from buf, which holds the message from its first
// byte and may grow between calls (same start, more bytes). It returns
// done=false with a nil error when the head is still incomplete; each call
// only looks at bytes it has not seen yet. A non-nil *Error says haproxy
// would reject the request with Error.Status.
func (r *Request) Parse(buf []byte) (done bool, err error) {
	if r.limits.BufSize == 0 {
		r.init(DefaultLimits)
	}
	for r.state != stDone {
		s, e, ok := r.nextLine(buf)
		if !ok {
			return false, r.needMore(buf)
		}
		switch r.state {
		case stStart:
			if s == e {
				continue // empty lines before the request line are skipped
			}
			if err := r.requestLine(buf, s, e); err != nil {
				return false, err
			}
			r.state = stFields
		case stFields:
			if s == e {
				r.HeadLen = r.pos
				r.state = stDone
				return true, r.finish(buf)
			}
			if err := r.fieldLine(buf, s, e, false); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// requestLine parses "method SP target SP version". haproxy accepts runs of
// spaces and tabs as separators and forwards a single space.
func (r *Request) requestLine(buf []byte, s, e int) error {
	i := s
	for i < e && tokenChar[buf[i]] {
		i++
	}
	if i == s || i == e || !isLWS(buf[i]) {
		return ErrBadMethod
	}
	r.Method = Span{int32(s), int32(i)}
	for i < e && isLWS(buf[i]) {
		i++
	}
	u := i
	for i < e && !isLWS(buf[i]) {
		if !uriChar[buf[i]] {
			return ErrBadURI
		}
		i++
	}
	if i == u {
		return ErrBadURI
	}
	r.URI = Span{int32(u), int32(i)}
	for i < e && isLWS(buf[i]) {
		i++
	}
	if i == e {
		// HTTP/0.9 ("GET /"): haproxy 2.6 refuses it with a 400.
		return ErrMissingVersion
	}
	if err := r.version(buf, i, e); err != nil {
		return err
	}
	r.cost = htxStartLineCost + r.Method.Len() + r.URI.Len() + r.VersionText.Len() + htxEOHCost
	if r.cost > r.limits.maxCost() {
		return ErrHeadTooLarge
	}
	return r.target(buf)
}

// version accepts exactly "HTTP/" DIGIT "." DIGIT, in upper case.
func (h *head) version(buf []byte, s, e int) error {
	v := buf[s:e]
	if len(v) != 8 || string(v[:5]) != "HTTP/" || !isDigit(v[5]) || v[6] != '.' || !isDigit(v[7]) {
		return ErrBadVersion
	}
	h.Major, h.Minor = v[5]-'0', v[7]-'0'
	h.VersionText = Span{int32(s), int32(e)}
	return nil
}

// target classifies the request target. Origin form starts with '/',
// asterisk form is "*", CONNECT takes host:port, anything else must be
// scheme "://" authority (measured: "index.html" and "foo:bar" are 400).
func (r *Request) target(buf []byte) error {
	u := r.URI.In(buf)
	base := int(r.URI.Start)
	if equalFold(r.Method.In(buf), "connect") {
		if !hasPort(u) {
			return ErrBadURI
		}
		r.Form, r.Authority = FormAuthority, r.URI
		return nil
	}
	switch {
	case u[0] == '/':
		r.Form = FormOrigin
		return nil
	case len(u) == 1 && u[0] == '*':
		r.Form = FormAsterisk
		return nil
	}
	i := 0
	for i < len(u) && (isAlpha(u[i]) || i > 0 && (isDigit(u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.')) {
		i++
	}
	if i == 0 || len(u) < i+3 || string(u[i:i+3]) != "://" {
		return ErrBadURI
	}
	scheme := u[:i]
	as := i + 3
	ae := as
	for ae < len(u) && u[ae] != '/' && u[ae] != '?' {
		ae++
	}
	r.Form = FormAbsolute
	r.Authority = Span{int32(base + as), int32(base + ae)}
	// Scheme-based normalisation: a default port is removed from the
	// target (measured: http://h:80/p and https://h:443/p lose the port).
	if p := defaultPortOf(scheme); p != "" {
		a := u[as:ae]
		if n := len(a) - len(p) - 1; n >= 0 && a[n] == ':' && string(a[n+1:]) == p {
			r.uriCut = Span{int32(base + as + n), int32(base + ae)}
		}
	}
	return nil
}

func defaultPortOf(scheme []byte) string {
	switch {
	case equalFold(scheme, "http"):
		return "80"
	case equalFold(scheme, "https"):
		return "443"
	}
	return ""
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// hasPort reports whether an authority ends in ":" DIGIT+.
func hasPort(a []byte) bool {
	i := len(a)
	for i > 0 && isDigit(a[i-1]) {
		i--
	}
	return i < len(a) && i > 1 && a[i-1] == ':'
}

// finish resolves the body, connection and Host rules once the head is
// complete (measured against haproxy 2.6.12, see NOTES.md).
func (r *Request) finish(buf []byte) error {
	if err := r.applyPending(buf, false); err != nil {
		return err
	}
	if err := r.hostRules(buf); err != nil {
		return err
	}
	if r.hasTE {
		if !r.teChunkedLast || r.teTwice {
			return ErrTransferEncode
		}
		// A Content-Length beside Transfer-Encoding is removed, and the
		// client connection is closed after the response.
		if r.hasCL {
			r.Fields[r.clField].flags |= fieldDropped
			r.forcedClose = true
		}
		if !r.VersionAtLeast11() {
			r.forcedClose = true
		}
		r.Body = BodyChunked
	} else if r.hasCL && r.ContentLength > 0 {
		r.Body = BodyLength
	}
	if r.VersionAtLeast11() {
		r.KeepAlive = !r.connClose
	} else {
		r.KeepAlive = r.connKeepAlive
	}
	if r.forcedClose {
		r.KeepAlive = false
	}
	r.Upgrade = r.connUpgrade && r.hasUpgrade
	if r.teOther {
		return ErrUnknownEncoding
	}
	return nil
}

// hostRules drops repeated identical Host fields, refuses different ones,
// and checks an absolute or authority target against Host after both lose
// a default port (measured: host_*, absolute_uri_*, connect_* goldens).
// The method is compared without case to find CONNECT's authority form.
func (r *Request) hostRules(buf []byte) error {
	for i := range r.Fields {
		f := &r.Fields[i]
		if !equalFold(f.Name.In(buf), "host") {
			continue
		}
		if r.host == 0 {
			r.host = i + 1
			continue
		}
		if !equalFoldBytes(f.Value.In(buf), r.Fields[r.host-1].Value.In(buf)) {
			return ErrHostConflict
		}
		f.flags |= fieldDropped
	}
	if r.Form != FormAbsolute && r.Form != FormAuthority {
		return nil
	}
	auth := r.Authority.In(buf)
	if at := lastIndexByte(auth, '@'); at >= 0 {
		auth = auth[at+1:]
	}
	var defPorts [2]string
	if r.Form == FormAuthority {
		defPorts = [2]string{"80", "443"}
	} else {
		u := r.URI.In(buf)
		defPorts[0] = defaultPortOf(u[:indexByte(u, ':')])
	}
	auth = cutDefaultPort(auth, defPorts)
	if r.host == 0 || len(auth) == 0 {
		return nil // measured: "http:///p" is not checked against Host
	}
	hf := &r.Fields[r.host-1]
	hv := hf.Value.In(buf)
	nh := cutDefaultPort(hv, defPorts)
	// The forwarded Host loses its default port only when the target lost
	// one too, or for an upper-case CONNECT (measured:
	// absolute_uri_host_default_port_only, connect_port_80,
	// connect_lowercase_method).
	cut := r.uriCut.Len() > 0 || r.Form == FormAuthority && string(r.Method.In(buf)) == "CONNECT"
	if cut && len(nh) != len(hv) {
		r.hostCut = Span{hf.Value.Start + int32(len(nh)), hf.Value.End}
	}
	if !equalFoldBytes(nh, auth) {
		return ErrHostMismatch
	}
	return nil
}

func cutDefaultPort(a []byte, ports [2]string) []byte {
	for _, p := range ports {
		if p == "" {
			continue
		}
		if n := len(a) - len(p) - 1; n >= 0 && a[n] == ':' && string(a[n+1:]) == p {
			return a[:n]
		}
	}
	return a
}

func indexByte(b []byte, c byte) int {
	for i := range b {
		if b[i] == c {
			return i
		}
	}
	return 0
}

func lastIndexByte(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}
