package http1

import "bytes"

// AppendRequestHead appends the request head as haproxy 2.6 forwards it to
// a server (measured, see NOTES.md): single spaces in the request line, a
// version above 1.1 written as HTTP/1.1, a default port cut from an
// absolute target and from Host, header names in lower case in their
// original order, values trimmed with obs-folds turned into spaces,
// dropped fields left out, close/keep-alive removed from Connection, and
// "connection: keep-alive" added last to an HTTP/1.0 request that keeps
// the server connection open. buf is the buffer r was parsed from.
func AppendRequestHead(dst, buf []byte, r *Request) []byte {
	dst = append(dst, r.Method.In(buf)...)
	dst = append(dst, ' ')
	dst = appendCut(dst, buf, r.URI, r.uriCut)
	dst = append(dst, ' ')
	dst = appendVersion(dst, buf, &r.head)
	dst = append(dst, '\r', '\n')
	for i := range r.Fields {
		f := &r.Fields[i]
		if f.Dropped() {
			continue
		}
		cut := Span{}
		if i == r.host-1 {
			cut = r.hostCut
		}
		dst = appendField(dst, buf, &r.head, i, cut)
	}
	if !r.VersionAtLeast11() && !r.forcedClose {
		dst = append(dst, "connection: keep-alive\r\n"...)
	}
	return append(dst, '\r', '\n')
}

// ClientConnection says what a response to the client must say about its
// connection.
type ClientConnection uint8

const (
	ConnNothing   ClientConnection = iota // nothing to add
	ConnKeepAlive                         // add "connection: keep-alive"
	ConnClose                             // add "connection: close"
)

// ClientConnectionFor is haproxy's choice for the response to req. The
// forwarded response keeps the server's version, and haproxy says what
// that version would not imply: keep-alive on an HTTP/1.0 response or to
// an HTTP/1.0 client, close on an HTTP/1.1 response (measured: http10_*,
// connection_close, cl_te_both, resp_http1*_until_close,
// resp_http10_keepalive).
func ClientConnectionFor(req *Request, resp *Response) ClientConnection {
	keep := req.KeepAlive && resp.Body != BodyUntilClose && (resp.VersionAtLeast11() || resp.KeepAlive)
	if resp.VersionAtLeast11() {
		switch {
		case !keep:
			return ConnClose
		case !req.VersionAtLeast11():
			return ConnKeepAlive
		}
		return ConnNothing
	}
	if keep {
		return ConnKeepAlive
	}
	return ConnNothing
}

// AppendResponseHead appends the response head as haproxy 2.6 sends it to
// the client: the version normalised like requests, the reason as
// received (an empty one still gets its space), names in lower case,
// dropped fields left out, then the connection header chosen by cc.
func AppendResponseHead(dst, buf []byte, r *Response, cc ClientConnection) []byte {
	dst = appendVersion(dst, buf, &r.head)
	dst = append(dst, ' ')
	dst = append(dst, r.StatusText.In(buf)...)
	dst = append(dst, ' ')
	dst = append(dst, r.Reason.In(buf)...)
	dst = append(dst, '\r', '\n')
	for i := range r.Fields {
		if !r.Fields[i].Dropped() {
			dst = appendField(dst, buf, &r.head, i, Span{})
		}
	}
	switch cc {
	case ConnKeepAlive:
		dst = append(dst, "connection: keep-alive\r\n"...)
	case ConnClose:
		dst = append(dst, "connection: close\r\n"...)
	}
	return append(dst, '\r', '\n')
}

func appendVersion(dst, buf []byte, h *head) []byte {
	if h.Major > 1 || h.Major == 1 && h.Minor > 1 {
		return append(dst, "HTTP/1.1"...)
	}
	return append(dst, h.VersionText.In(buf)...)
}

// appendCut appends s without the bytes of cut (a sub-span, or empty).
func appendCut(dst, buf []byte, s, cut Span) []byte {
	if cut.Len() == 0 {
		return append(dst, s.In(buf)...)
	}
	dst = append(dst, buf[s.Start:cut.Start]...)
	return append(dst, buf[cut.End:s.End]...)
}

func appendField(dst, buf []byte, h *head, i int, cut Span) []byte {
	f := &h.Fields[i]
	name := f.Name.In(buf)
	for _, c := range name {
		dst = append(dst, lower(c))
	}
	dst = append(dst, ':', ' ')
	switch {
	case h.hasCL && i == h.clField:
		dst = append(dst, h.clValue.In(buf)...)
	case len(name) == 10 && equalFold(name, "connection"):
		dst = appendConnectionTokens(dst, f.Value.In(buf))
	case f.Folded():
		for _, c := range f.Value.In(buf) {
			if c == '\r' || c == '\n' {
				c = ' '
			}
			dst = append(dst, c)
		}
	default:
		dst = appendCut(dst, buf, f.Value, cut)
	}
	return append(dst, '\r', '\n')
}

// appendConnectionTokens writes the Connection value haproxy keeps once
// close and keep-alive are gone (h1_parse_connection_header): the value
// as received up to the first removed token, later kept tokens trimmed
// and joined by a bare comma (measured: connection_kept_tokens_list,
// and the conn-spaced case of proxy's bytes golden). cleanConnectionLen
// walks the same way.
func appendConnectionTokens(dst, v []byte) []byte {
	start, p := len(dst), 0
	for w := 0; w < len(v); w++ {
		if isLWS(v[w]) {
			continue
		}
		e := bytes.IndexByte(v[w:], ',')
		if e < 0 {
			e = len(v)
		} else {
			e += w
		}
		tok := trimLWS(v[w:e])
		if !equalFold(tok, "close") && !equalFold(tok, "keep-alive") {
			if len(dst)-start == p {
				dst = append(dst, v[p:e]...) // nothing removed so far
			} else {
				if len(dst) > start {
					dst = append(dst, ',')
				}
				dst = append(dst, tok...)
			}
		}
		w, p = e, e
	}
	return dst
}
