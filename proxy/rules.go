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
	"goha/proxy/http1"
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

func reasonPhrase(code int) string {
	switch code {
	case 200:
		return "OK"
	case 301:
		return "Moved Permanently"
	case 302:
		return "Found"
	case 303:
		return "See Other"
	case 307:
		return "Temporary Redirect"
	case 308:
		return "Permanent Redirect"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	}
	return "OK"
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

var _ = http1.ErrorResponse
