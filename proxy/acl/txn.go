package acl

import (
	"bytes"
	"net/netip"
)

// Headers gives indexed access to a request's header fields in the order
// they were received, names in their original case. The engine implements it
// over its parsed message so that no header is copied.
type Headers interface {
	Len() int
	At(i int) (name, value []byte)
}

// Txn is what ACLs look at: the connection's addresses and the request.
type Txn struct {
	Src, Dst netip.AddrPort
	Method   []byte
	URI      []byte // the request target exactly as received
	Version  []byte // "1.1", "1.0"
	Headers  Headers
	// HTTP is false on a TCP stream (no request parsed).
	HTTP bool
}

// path returns the URI's path: from the first slash after any scheme and
// authority, up to the question mark (configuration.txt §7.3.6 "path").
// For "*" or an authority-form target there is no path.
func path(uri []byte) ([]byte, bool) {
	p := uri
	if len(p) == 0 {
		return nil, false
	}
	if p[0] != '/' {
		// absolute-form: skip "scheme://authority"
		i := bytes.Index(p, []byte("://"))
		if i < 0 {
			return nil, false
		}
		p = p[i+3:]
		j := bytes.IndexByte(p, '/')
		if j < 0 {
			return nil, false
		}
		p = p[j:]
	}
	if q := bytes.IndexByte(p, '?'); q >= 0 {
		p = p[:q]
	}
	return p, true
}

// query returns what follows the first '?', and whether there was one.
func query(uri []byte) ([]byte, bool) {
	q := bytes.IndexByte(uri, '?')
	if q < 0 {
		return nil, false
	}
	return uri[q+1:], true
}

// host returns the authority of an absolute-form URI.
func uriHost(uri []byte) []byte {
	i := bytes.Index(uri, []byte("://"))
	if i < 0 {
		return nil
	}
	h := uri[i+3:]
	if j := bytes.IndexAny(h, "/?"); j >= 0 {
		h = h[:j]
	}
	return h
}

// equalFold compares ASCII case-insensitively without allocating.
func equalFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// trimOWS removes spaces and tabs around a header value part.
func trimOWS(v []byte) []byte {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}
