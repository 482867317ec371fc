package proxy

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"goha/parser/haproxy"
)

// parsePrefix reads an address or network as haproxy's "except" does.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return a.Prefix(a.BitLen())
}

func addrPortOf(a net.Addr) netip.AddrPort {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(ta.IP)
		return netip.AddrPortFrom(ip.Unmap(), uint16(ta.Port))
	}
	return netip.AddrPort{}
}

// reasonPhrase is haproxy's reason for a status it generates (src/http.c
// http_get_reason); a code it does not name gets its class's word
// (measured: 299 "Success", 599 "Server Error"). The codes the behaviour
// suite uses are checked against haproxy 2.6 (rule-return-reasons).
func reasonPhrase(code int) string {
	if r, ok := reasons[code]; ok {
		return r
	}
	switch code / 100 {
	case 1:
		return "Informational"
	case 2:
		return "Success"
	case 3:
		return "Redirection"
	case 4:
		return "Client Error"
	case 5:
		return "Server Error"
	}
	return "Other"
}

var reasons = map[int]string{
	100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
	200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
	204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
	210: "Content Different", 226: "IM Used",
	300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
	304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
	310: "Too many Redirects",
	400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
	404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
	407: "Proxy Authentication Required", 408: "Request Time-out", 409: "Conflict", 410: "Gone",
	411: "Length Required", 412: "Precondition Failed", 413: "Request Entity Too Large",
	414: "Request-URI Too Long", 415: "Unsupported Media Type", 416: "Requested range unsatisfiable",
	417: "Expectation failed", 418: "I'm a teapot", 421: "Misdirected Request",
	422: "Unprocessable entity", 423: "Locked", 424: "Method failure", 425: "Too Early",
	426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
	431: "Request Header Fields Too Large", 449: "Retry With",
	450: "Blocked by Windows Parental Controls", 451: "Unavailable For Legal Reasons",
	456: "Unrecoverable Error", 499: "client has closed connection",
	500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway or Proxy Error",
	503: "Service Unavailable", 504: "Gateway Time-out", 505: "HTTP Version not supported",
	506: "Variant also negotiate", 507: "Insufficient storage", 508: "Loop detected",
	509: "Bandwidth Limit Exceeded", 510: "Not extended", 511: "Network authentication required",
	520: "Web server is returning an unknown error",
}

// serveStats answers the stats URI of a backend with "stats enable"
// (§4.2 "stats uri", "stats auth"). The page itself is issue 4's work; for
// now authentication is enforced and a CSV-less placeholder is not sent:
// the request falls through to the backend's servers when the URI does
// not match.
func (s *stream) serveStats(be *backend) (handled, keep bool) {
	st := &be.cfg.Stats
	uri := st.URI
	if uri == "" {
		uri = "/haproxy?stats"
	}
	if !bytes.HasPrefix(s.txn.URI, []byte(uri)) {
		return false, false
	}
	if len(st.Auths) > 0 && !s.authorised(st.Auths) {
		realm := st.Realm
		if realm == "" {
			realm = "HAProxy Statistics"
		}
		body := "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"
		out := "HTTP/1.1 401 Unauthorized\r\ncontent-length: " + strconv.Itoa(len(body)) + "\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"" + realm + "\"\r\n\r\n" + body
		keep := s.req.KeepAlive && s.skipRequestBody()
		s.client.Write([]byte(out))
		s.consume()
		return true, keep
	}
	return true, s.answerStatsPage(be)
}

func (s *stream) authorised(auths []haproxy.StatsAuth) bool {
	v, ok := s.req.Lookup(s.cbuf[:s.clen], "authorization")
	if !ok || len(v) < 6 || !strings.EqualFold(string(v[:6]), "basic ") {
		return false
	}
	dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(v[6:])))
	if err != nil {
		return false
	}
	ok = false
	for _, a := range auths {
		// constant time, and every entry compared
		if subtle.ConstantTimeCompare(dec, []byte(a.User+":"+a.Password)) == 1 {
			ok = true
		}
	}
	return ok
}

// answerStatsPage serves a minimal status page until the stats package
// renders haproxy's own (issue 4).
func (s *stream) answerStatsPage(be *backend) bool {
	var b strings.Builder
	b.WriteString("<html><body><h1>goproxy statistics</h1><table>\n")
	for _, bk := range s.f.e.backends {
		bk.mu.Lock()
		for _, sv := range bk.servers {
			state := "DOWN"
			if sv.lbs.Usable() {
				state = "UP"
			}
			b.WriteString("<tr><td>" + bk.name + "</td><td>" + sv.name + "</td><td>" + state + "</td><td>" + strconv.Itoa(sv.lbs.Weight()) + "</td></tr>\n")
		}
		bk.mu.Unlock()
	}
	b.WriteString("</table></body></html>\n")
	body := b.String()
	keep := s.req.KeepAlive && s.skipRequestBody()
	out := "HTTP/1.1 200 OK\r\ncontent-length: " + strconv.Itoa(len(body)) + "\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n" + body
	s.client.Write([]byte(out))
	s.consume()
	return keep
}
