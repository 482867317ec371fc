package proxy

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"goha/proxy/http1"
	"goha/stats/page"
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

// serveStats answers the stats URI of a section with "stats enable"
// (§4.2 "stats uri", "stats auth") through goha/stats/page; a request
// whose URI does not match goes on to the servers. own: the page belongs
// to the frontend's own section (its frontend or listen pass).
func (s *stream) serveStats(h *page.Handler, own bool) (handled, keep bool) {
	if h == nil || !h.Matches(string(s.txn.URI)) {
		return false, false
	}
	s.applet = "<STATS>"
	buf := s.cbuf[:s.clen]
	r := &page.Request{Method: string(s.txn.Method), URI: string(s.txn.URI), Conn: s,
		Header: func(name string) string {
			v, _ := s.req.Lookup(buf, name)
			return string(v)
		}}
	if s.req.Body == http1.BodyLength {
		// The admin form's POST body may follow its head in another
		// segment: wait for it (it fits in the buffer; a larger body
		// is not a form haproxy's page sends).
		need := s.req.HeadLen + int(s.req.ContentLength)
		if need <= len(s.cbuf) && s.clen < need {
			readHead(s.client, s.cbuf, &s.clen, s.bodyWait(), 0, func(b []byte) (bool, error) { return len(b) >= need, nil })
		}
		if s.clen >= need {
			r.Body = s.cbuf[s.req.HeadLen:need]
		}
	}
	keep = s.canKeep()
	resp := h.Respond(r)
	s.f.st.FE.Intercepted.Add(1)
	if own {
		// haproxy runs the stats page of the frontend's own section in
		// its frontend pass, before a backend is assigned (the
		// switching rules are skipped), so only the frontend counts
		// the response; a page reached through use_backend counts on
		// that backend too.
		s.status = resp.Status
		s.f.st.FE.AddResponse(resp.Status)
	} else {
		s.countResponse(resp.Status)
	}
	// haproxy 2.6 logs the stats applet's answers as "LR--" with zero
	// queue, connect and response times; its 401 (credentials asked) it
	// logs as status 400 with no response time (measured on 2.6.12:
	// "0/0/0/-1/0 400 ... LR--" for a 401 sent to the client).
	s.term = [2]byte{'L', 'R'}
	s.tQueue, s.tConn, s.tData = s.tHead, s.tHead, s.tHead
	if resp.Status == 401 {
		s.status, s.tData = 400, time.Time{}
	}
	close := !keep || s.f.e.stopping()
	resp.NotChunked = string(s.txn.Method) == "HEAD"
	resp.Client10 = s.req.Major == 1 && s.req.Minor == 0
	s.out = page.AppendHead(s.out[:0], resp, close)
	switch {
	case string(s.txn.Method) == "HEAD":
	case resp.Status == 200:
		// dumps are chunked (AppendHead announced it): one chunk, then
		// the last one
		if len(resp.Body) > 0 {
			s.out = strconv.AppendInt(s.out, int64(len(resp.Body)), 16)
			s.out = append(s.out, "\r\n"...)
			s.out = append(s.out, resp.Body...)
			s.out = append(s.out, "\r\n"...)
		}
		s.out = append(s.out, "0\r\n\r\n"...)
	default:
		s.out = append(s.out, resp.Body...)
	}
	body := len(resp.Body)
	if string(s.txn.Method) == "HEAD" {
		body = 0
	}
	s.countPage(s.out, body)
	_, err := s.client.Write(s.out)
	s.consume()
	return true, keep && !close && err == nil
}
