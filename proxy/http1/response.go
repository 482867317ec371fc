package http1

// Response is a parsed response head. Set RequestHEAD (and Reset between
// messages) before Parse: a response to HEAD has no body.
type Response struct {
	head
	Status      int
	StatusText  Span // the status digits as received
	Reason      Span
	RequestHEAD bool
}

// NewResponse returns a response parser with the given limits.
func NewResponse(l Limits) *Response {
	r := &Response{}
	r.init(l)
	return r
}

// Reset prepares r for the next message; RequestHEAD is cleared too.
func (r *Response) Reset() {
	h := r.head
	h.reset()
	*r = Response{head: h}
}

// Parse works as Request.Parse. Errors carry Status 502: what haproxy
// answers the client when a server's response is invalid.
func (r *Response) Parse(buf []byte) (done bool, err error) {
	if r.limits.BufSize == 0 {
		r.init(DefaultLimits)
	}
	for r.state != stDone {
		s, e, ok := r.nextLine(buf)
		if !ok {
			if err := r.needMore(buf); err != nil {
				return false, ErrBadResponse
			}
			return false, nil
		}
		switch r.state {
		case stStart:
			if s == e {
				continue
			}
			if err := r.statusLine(buf, s, e); err != nil {
				return false, err
			}
			r.state = stFields
		case stFields:
			if s == e {
				r.HeadLen = r.pos
				r.state = stDone
				return true, r.finish(buf)
			}
			if err := r.fieldLine(buf, s, e, true); err != nil {
				return false, ErrBadResponse
			}
		}
	}
	return true, nil
}

// statusLine parses "HTTP/x.y SP status [SP reason]". haproxy takes any
// number of status digits (measured: 20 and 1000 pass) and an empty reason.
func (r *Response) statusLine(buf []byte, s, e int) error {
	i := s
	for i < e && !isLWS(buf[i]) {
		i++
	}
	if r.version(buf, s, i) != nil {
		return ErrBadStatusLine
	}
	for i < e && isLWS(buf[i]) {
		i++
	}
	ds := i
	status := 0
	for i < e && isDigit(buf[i]) {
		if status < 1e6 {
			status = status*10 + int(buf[i]-'0')
		}
		i++
	}
	if i == ds || i < e && !isLWS(buf[i]) {
		return ErrBadStatusLine
	}
	r.Status, r.StatusText = status, Span{int32(ds), int32(i)}
	for i < e && isLWS(buf[i]) {
		i++
	}
	r.Reason = Span{int32(i), int32(e)}
	r.cost = htxStartLineCost + r.VersionText.Len() + r.StatusText.Len() + r.Reason.Len() + htxEOHCost
	return nil
}

// finish resolves the body and connection rules of a response: any
// Transfer-Encoding but a single final chunked is a 502 (measured:
// resp_te_gzip, resp_te_chunked_twice); with chunked, Content-Length is
// dropped; 1xx, 204, 304 and responses to HEAD have no body and a 204
// loses its Content-Length; without length the body runs until close.
func (r *Response) finish(buf []byte) error {
	if err := r.applyPending(buf, true); err != nil {
		return ErrBadResponse
	}
	if r.hasTE && (!r.teChunkedLast || r.teTwice || r.teOther) {
		return ErrBadResponse
	}
	noBody := r.Status < 200 || r.Status == 204 || r.Status == 304 || r.RequestHEAD
	switch {
	case r.hasTE:
		if r.hasCL {
			r.Fields[r.clField].flags |= fieldDropped
		}
		r.Body = BodyChunked
	case r.hasCL:
		if r.ContentLength > 0 {
			r.Body = BodyLength
		}
	default:
		r.Body = BodyUntilClose
	}
	if noBody {
		r.Body = BodyNone
		if r.hasCL && (r.Status < 200 || r.Status == 204) {
			r.Fields[r.clField].flags |= fieldDropped
		}
	}
	if r.VersionAtLeast11() {
		r.KeepAlive = !r.connClose
	} else {
		r.KeepAlive = r.connKeepAlive
	}
	if r.Body == BodyUntilClose {
		r.KeepAlive = false
	}
	r.Upgrade = r.Status == 101 && r.connUpgrade
	return nil
}
