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

// headerEdit is one change to the forwarded request head.
type headerEdit struct {
	op          int
	name, value string // name in lower case
}

const (
	editAdd = iota // add-header: append a field
	editSet        // set-header: remove every field of that name, append one
	editDel        // del-header: remove every field of that name
)

// applyEdits rewrites a head produced by http1.AppendRequestHead (one
// "name: value" line per field, names in lower case). Added fields go
// after the existing ones, before the "connection: keep-alive" haproxy's
// H1 layer appends for HTTP/1.0.
func applyEdits(head []byte, edits []headerEdit) []byte {
	if len(edits) == 0 {
		return head
	}
	lines := bytes.SplitAfter(head[:len(head)-2], []byte("\r\n"))
	out := make([]byte, 0, len(head)+128)
	out = append(out, lines[0]...)
	var tail []byte
	for _, l := range lines[1:] {
		if len(l) == 0 {
			continue
		}
		name := l[:bytes.IndexByte(l, ':')]
		drop := false
		for _, e := range edits {
			if (e.op == editSet || e.op == editDel) && string(name) == e.name {
				drop = true
			}
		}
		if drop {
			continue
		}
		if bytes.Equal(l, []byte("connection: keep-alive\r\n")) {
			tail = l
			continue
		}
		out = append(out, l...)
	}
	for _, e := range edits {
		if e.op == editAdd || e.op == editSet {
			out = append(out, e.name...)
			out = append(out, ':', ' ')
			out = append(out, e.value...)
			out = append(out, '\r', '\n')
		}
	}
	out = append(out, tail...)
	return append(out, '\r', '\n')
}

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

// applyRules runs http-request rules in order (§4.2 "http-request"): the
// first final action (allow, deny, return, redirect, tarpit, auth) stops
// the list. done reports that the request was answered; keep whether the
// client connection stays open.
func (s *stream) applyRules(rules []*haproxy.HTTPRule) (done, keep bool) {
	for _, r := range rules {
		if !s.f.e.conds[r.Cond].Eval(&s.txn) {
			continue
		}
		switch r.Action {
		case "allow":
			return false, false
		case "deny", "tarpit":
			code := r.Status
			if code == 0 {
				code = 403
			}
			return true, s.answer(code)
		case "return":
			return true, s.answerReturn(r)
		case "redirect":
			return true, s.redirect(r)
		case "add-header":
			s.edits = append(s.edits, headerEdit{op: editAdd, name: lowerASCII(r.HeaderName), value: r.Value})
		case "set-header":
			s.edits = append(s.edits, headerEdit{op: editSet, name: lowerASCII(r.HeaderName), value: r.Value})
		case "del-header":
			s.edits = append(s.edits, headerEdit{op: editDel, name: lowerASCII(r.HeaderName)})
		}
	}
	return false, false
}

// answerReturn is "http-request return [status N] [content-type T]
// [string S]".
func (s *stream) answerReturn(r *haproxy.HTTPRule) bool {
	code := r.Status
	if code == 0 {
		code = 200
	}
	var body, ctype string
	for i := 0; i+1 < len(r.Args); i++ {
		switch r.Args[i] {
		case "content-type":
			ctype = r.Args[i+1]
		case "string", "lf-string":
			body = r.Args[i+1]
		}
	}
	keep := s.req.KeepAlive && s.skipRequestBody()
	out := []byte("HTTP/1.1 " + strconv.Itoa(code) + " " + reasonPhrase(code) + "\r\n")
	out = append(out, "content-length: "+strconv.Itoa(len(body))+"\r\n"...)
	if ctype != "" {
		out = append(out, "content-type: "+ctype+"\r\n"...)
	}
	if !keep {
		out = append(out, "connection: close\r\n"...)
	}
	out = append(out, "\r\n"+body...)
	s.client.Write(out)
	s.consume()
	return keep
}

// redirect is "http-request redirect location|prefix|scheme <to> [code N]".
func (s *stream) redirect(r *haproxy.HTTPRule) bool {
	code := r.Status
	if code == 0 {
		code = 302
	}
	to := r.Value
	if to == "" && len(r.Args) > 1 {
		to = r.Args[1]
	}
	switch r.RedirectTyp {
	case "prefix":
		to = strings.TrimSuffix(to, "/") + string(s.txn.URI)
	case "scheme":
		host, _ := s.req.Lookup(s.cbuf[:s.clen], "host")
		to = to + "://" + string(host) + string(s.txn.URI)
	}
	keep := s.req.KeepAlive && s.skipRequestBody()
	out := "HTTP/1.1 " + strconv.Itoa(code) + " " + reasonPhrase(code) + "\r\ncontent-length: 0\r\nlocation: " + to + "\r\ncache-control: no-cache\r\n"
	if !keep {
		out += "connection: close\r\n"
	}
	s.client.Write([]byte(out + "\r\n"))
	s.consume()
	return keep
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
