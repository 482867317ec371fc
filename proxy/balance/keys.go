package balance

import (
	"bytes"
	"net/netip"
)

// Request holds the per-request inputs the hashing algorithms read. The
// engine fills only what the backend's algorithm needs (see
// Balancer.Algorithm); everything is borrowed, never retained or modified.
type Request struct {
	// Src is the client's source address ("balance source").
	Src netip.Addr
	// URI is the request target exactly as received ("balance uri",
	// "balance url_param").
	URI []byte
	// Post and Body serve "url_param <name> check_post": when the parameter
	// is not in the query string of a POST, the first body bytes are
	// searched.
	Post bool
	Body []byte
	// Header is the raw value of the first occurrence of the header named in
	// Options.Param ("balance hdr(<name>)"); HasHeader tells it was present.
	Header    []byte
	HasHeader bool
	// Payload is the beginning of a TCP request ("balance rdp-cookie").
	Payload []byte
}

// sourceKey folds an address the way get_server_sh does: the XOR of its
// 32-bit words read in network order. No string hash function is applied.
func sourceKey(a netip.Addr) uint32 {
	if a.Is4() {
		b := a.As4()
		return be32(b[:])
	}
	b := a.As16()
	return be32(b[0:4]) ^ be32(b[4:8]) ^ be32(b[8:12]) ^ be32(b[12:16])
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// URIKey returns the part of uri that "balance uri" hashes: it stops at the
// first '?' unless whole is set, considers at most maxLen bytes (0 = no
// limit) and at most depth directory levels (0 = no limit), the slash that
// ends the last level excluded (configuration.txt §4.2 "balance uri").
func URIKey(uri []byte, maxLen, depth int, whole bool) []byte {
	if maxLen > 0 && len(uri) > maxLen {
		uri = uri[:maxLen]
	}
	slashes := 0
	for i, c := range uri {
		switch {
		case c == '/':
			slashes++
			if depth > 0 && slashes == depth+1 {
				return uri[:i]
			}
		case c == '?' && !whole:
			return uri[:i]
		}
	}
	return uri
}

// PathOnly strips the scheme and authority of an absolute-form target, as
// "balance uri path-only" does; an asterisk or authority-form target has no
// path and yields an empty key.
func PathOnly(uri []byte) []byte {
	if len(uri) == 0 || uri[0] == '*' {
		return nil
	}
	if uri[0] == '/' {
		return uri
	}
	i := bytes.Index(uri, []byte("://"))
	if i < 0 {
		return nil // authority form: no path
	}
	rest := uri[i+3:]
	j := bytes.IndexByte(rest, '/')
	if j < 0 {
		return nil
	}
	return rest[j:]
}

// FindURLParam finds the value of query parameter name in uri the way
// get_server_ph does: parameters start after the first '?', are separated
// by '&', names compare case-sensitively, the value runs to the next '&'.
func FindURLParam(uri []byte, name string) ([]byte, bool) {
	q := bytes.IndexByte(uri, '?')
	if q < 0 {
		return nil, false
	}
	return findParam(uri[q+1:], name)
}

func findParam(params []byte, name string) ([]byte, bool) {
	n := len(name)
	for len(params) > n {
		if params[n] == '=' && string(params[:n]) == name {
			v := params[n+1:]
			if e := bytes.IndexByte(v, '&'); e >= 0 {
				v = v[:e]
			}
			return v, true
		}
		amp := bytes.IndexByte(params, '&')
		if amp < 0 {
			return nil, false
		}
		params = params[amp+1:]
	}
	return nil, false
}

// postParam mirrors get_server_ph_post: the body is searched like a query
// string, but a value whose first byte is not an HTTP token character is
// refused (or cut empty when it is a space or tab), as haproxy does.
func postParam(body []byte, name string) ([]byte, bool) {
	v, ok := findParam(body, name)
	if !ok {
		return nil, false
	}
	if len(v) > 0 && !isToken(v[0]) {
		if v[0] == ' ' || v[0] == '\t' || v[0] == '\r' || v[0] == '\n' {
			return v[:0], true
		}
		return nil, false
	}
	return v, true
}

func isToken(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
		return false
	}
	return true
}

// FirstHeaderValue returns the first comma-separated element of a header
// line value with surrounding spaces and tabs removed, honouring quoted
// strings, as haproxy's header lookup for "balance hdr()" does.
func FirstHeaderValue(v []byte) []byte {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	quoted, pair := false, false
	end := len(v)
scan:
	for i, c := range v {
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
		case c == ',':
			end = i
			break scan
		}
	}
	v = v[:end]
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

// DomainOnly keeps the label just before the last dot of a host name
// ("www.example.com" -> "example"), the "use_domain_only" option of
// "balance hdr()". Without a dot the whole value is kept.
func DomainOnly(v []byte) []byte {
	// haproxy scans backwards and never looks at the first byte, so a
	// leading dot does not count.
	if len(v) < 2 {
		return v
	}
	dot := bytes.LastIndexByte(v[1:], '.') + 1
	if dot == 0 {
		return v
	}
	// The byte right before that dot is skipped too by haproxy's walk.
	start := bytes.LastIndexByte(v[:dot-1], '.') + 1
	return v[start:dot]
}

// FindRDPCookie extracts the value of the RDP "Cookie: <name>=<value>\r\n"
// line that follows the 11-byte X.224 header of a connection request
// ("balance rdp-cookie"). An empty name accepts any cookie name.
func FindRDPCookie(payload []byte, name string) ([]byte, bool) {
	if len(payload) <= 11 {
		return nil, false
	}
	d := payload[11:]
	if len(d) <= 7 || !bytes.EqualFold(d[:7], []byte("Cookie:")) {
		return nil, false
	}
	d = d[7:]
	for len(d) > 0 && d[0] == ' ' {
		d = d[1:]
	}
	if name != "" {
		n := len(name)
		if len(d) <= n || d[n] != '=' || !bytes.EqualFold(d[:n], []byte(name)) {
			return nil, false
		}
		d = d[n+1:]
	} else {
		eq := bytes.IndexByte(d, '=')
		if eq < 0 || bytes.ContainsAny(d[:eq], "\r\n") {
			return nil, false
		}
		d = d[eq+1:]
	}
	cr := bytes.IndexByte(d, '\r')
	if cr < 0 || cr+1 >= len(d) || d[cr+1] != '\n' {
		return nil, false
	}
	return d[:cr], true
}
