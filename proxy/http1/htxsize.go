package http1

import "bytes"

// haproxy 2.6 counts an HTTP message's bytes (log %U and %B, stats bin and
// bout) as the data of its internal HTX form, not as the bytes on the
// wire: the channel's total grows by what the H1 layer hands the stream
// (src/stconn.c, sc_conn_recv: ic->total += ret, ret being HTX data).
// In that form a start line is a struct htx_sl (20 bytes: flags, method
// or status, three part lengths) followed by its three parts, a header
// field is its name and its trimmed value, the end of the headers and the
// end of the trailers are one byte each (htx_add_endof), body data counts
// as itself (chunk framing excluded), a trailer as its name and value.
// The head is taken after the H1 parser's own rewrites (src/h1.c): a
// Connection field without its close/keep-alive tokens, one Content-Length
// reduced to its number (none beside Transfer-Encoding), repeated Host
// fields dropped, an absolute URI and its Host without a default port.
const (
	htxStartLineSize = 20 // sizeof(struct htx_sl)
	htxEndOfBlock    = 1  // EOH and EOT blocks
)

// HTXEndOfTrailers is what the end of a chunked body adds (the EOT
// block), trailers or not.
const HTXEndOfTrailers = htxEndOfBlock

// HTXSize is the size haproxy gives the request head in its HTX form;
// buf is the buffer given to Parse.
func (r *Request) HTXSize(buf []byte) int {
	n := htxStartLineSize + r.Method.Len() + r.URI.Len() - r.uriCut.Len() + r.VersionText.Len()
	n += r.fieldsHTXSize(buf)
	if r.host > 0 {
		n -= r.hostCut.Len()
	}
	return n
}

// HTXSize is the size haproxy gives the response head in its HTX form.
func (r *Response) HTXSize(buf []byte) int {
	n := htxStartLineSize + r.VersionText.Len() + r.StatusText.Len() + r.Reason.Len()
	return n + r.fieldsHTXSize(buf)
}

// fieldsHTXSize counts the fields haproxy's H1 parser keeps and the end
// of headers.
func (h *head) fieldsHTXSize(buf []byte) int {
	n := htxEndOfBlock
	for i := range h.Fields {
		f := &h.Fields[i]
		if h.hasCL && i == h.clField {
			// kept with its number only, unless Transfer-Encoding came
			// too; the H1 output drops it from a 1xx or 204 later,
			// after it was counted
			if !h.hasTE {
				n += f.Name.Len() + h.clValue.Len()
			}
			continue
		}
		if f.flags&fieldDropped != 0 {
			continue
		}
		v := f.Value.Len()
		if f.Name.Len() == 10 && equalFold(f.Name.In(buf), "connection") {
			v = cleanConnectionLen(f.Value.In(buf))
		}
		n += f.Name.Len() + v
	}
	return n
}

// cleanConnectionLen is the length of a Connection value once haproxy
// removed its close and keep-alive tokens (h1_parse_connection_header
// with H1_MF_CLEAN_CONN_HDR): the text is kept as received up to the
// first removed token, later kept tokens are appended after a comma.
func cleanConnectionLen(v []byte) int {
	length, p := 0, 0
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
			if length == p {
				length = e // nothing removed so far: the text as it is
			} else {
				if length > 0 {
					length++
				}
				length += len(tok)
			}
		}
		w, p = e, e
	}
	return length
}

// TrailerHTXSize is the HTX size of one trailer line as the chunked
// decoder hands it out ("name: value", no line ending).
func TrailerHTXSize(line []byte) int {
	c := bytes.IndexByte(line, ':')
	if c < 0 {
		return len(line)
	}
	return c + len(trimLWS(line[c+1:]))
}

// BuiltHTXSize is the HTX size of a response head haproxy built itself
// from text (its error messages, errorfiles: http_str_to_htx), whose
// Connection header it keeps as written instead of cleaning it as its H1
// parser does for a server's response (measured: the Prometheus
// exporter's 400 counts "connection: close" in %B).
func (r *Response) BuiltHTXSize(buf []byte) int {
	n := r.HTXSize(buf)
	for i := range r.Fields {
		f := &r.Fields[i]
		if f.Name.Len() != 10 || !equalFold(f.Name.In(buf), "connection") {
			continue
		}
		if f.flags&fieldDropped != 0 {
			n += f.Name.Len() + f.Value.Len()
		} else {
			n += f.Value.Len() - cleanConnectionLen(f.Value.In(buf))
		}
	}
	return n
}
