package page

import (
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"goha/stats"
	"goha/stats/cli"
)

// User is one "stats auth <user>:<password>" line.
type User struct{ Name, Password string }

// Config is a proxy's "stats" keywords (configuration.txt §4.2 "stats *").
type Config struct {
	URI         string // "stats uri" prefix; default "/haproxy?stats"
	Realm       string // "stats realm"; default "HAProxy Statistics"
	Users       []User // "stats auth"; empty means no authentication
	Refresh     int    // "stats refresh" in seconds; 0: none
	HideVersion bool   // "stats hide-version"
	ShowLegends bool   // "stats show-legends": addr, cookie, algo, check details
	ShowNode    string // "stats show-node [name]": the node name shown ("" hides)
	ShowDesc    string // "stats show-desc [text]"
	Scope       []string
	// Self is the name of the proxy serving the page, for "stats scope .".
	Self string
	// Admin is "stats admin { if | unless } <cond>": the engine evaluates
	// the condition for this request (after authentication, like haproxy).
	// nil means no admin rights.
	Admin func(r *Request) bool
}

// DefaultURI and DefaultRealm are haproxy's defaults.
const (
	DefaultURI   = "/haproxy?stats"
	DefaultRealm = "HAProxy Statistics"
)

// Request is the part of an HTTP request the stats page looks at. The
// engine fills it from the request it parsed (no net/http needed).
type Request struct {
	Method string
	URI    string              // request target as received ("/stats;csv")
	Header func(string) string // header lookup by lower-case name ("authorization")
	Body   []byte              // POST body (application/x-www-form-urlencoded)
	// Conn carries whatever the engine needs to evaluate Config.Admin.
	Conn any
}

// Response is what the stats page answers. Headers are lower-case, in the
// order haproxy sends them; the engine adds framing (content-length or
// chunked) and connection headers as its HTTP layer does.
type Response struct {
	Status  int
	Reason  string
	Headers [][2]string
	Body    []byte
	// NotChunked: the answer's 200 does not announce a chunked body;
	// haproxy chunks the dump only for an HTTP/1.1 request other than
	// HEAD (http_handle_stats, STAT_CHUNKED).
	NotChunked bool
	// Client10: the request was HTTP/1.0. haproxy's HTTP/1 layer then
	// chunks the dump itself, after the connection header, and says
	// "connection: keep-alive" when the connection stays (measured on
	// 2.6.12).
	Client10 bool
}

// Handler serves one proxy's stats page from the engine's Runtime.
type Handler struct {
	Config  Config
	Runtime cli.Runtime
}

// Matches reports whether uri is for the stats page ("stats uri" is a
// prefix of the request URI, as haproxy matches it).
func (h *Handler) Matches(uri string) bool { return strings.HasPrefix(uri, h.uri()) }

func (h *Handler) uri() string {
	if h.Config.URI == "" {
		return DefaultURI
	}
	return h.Config.URI
}

// The 401 body haproxy sends (its HTTP_401 error message).
const unauthorizedBody = "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"

// The 503 body haproxy sends (its HTTP_503 error message).
const unavailableBody = "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"

// authorized checks "stats auth" users in constant time: every user is
// compared, whatever matched before, so the time does not tell which
// part was wrong.
func (h *Handler) authorized(r *Request) bool {
	if len(h.Config.Users) == 0 {
		return true
	}
	auth := ""
	if r.Header != nil {
		auth = r.Header("authorization")
	}
	const prefix = "basic "
	if len(auth) < len(prefix) || !strings.EqualFold(auth[:len(prefix)], prefix) {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(auth[len(prefix):]))
	if err != nil {
		return false
	}
	name, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return false
	}
	match := 0
	for _, u := range h.Config.Users {
		n := subtle.ConstantTimeCompare([]byte(name), []byte(u.Name))
		p := subtle.ConstantTimeCompare([]byte(pass), []byte(u.Password))
		match |= n & p
	}
	return match == 1
}

// Respond answers one request for the stats page: authentication, then
// GET/HEAD dumps (HTML, ;csv, ;json, ;typed) or a POST admin action, as
// http_handle_stats and the stats applet do in haproxy 2.6.
func (h *Handler) Respond(r *Request) Response {
	realm := h.Config.Realm
	if realm == "" {
		realm = DefaultRealm
	}
	if !h.authorized(r) {
		return Response{Status: 401, Reason: "Unauthorized", Headers: [][2]string{
			{"content-length", strconv.Itoa(len(unauthorizedBody))},
			{"cache-control", "no-cache"},
			{"content-type", "text/html"},
			{"www-authenticate", `Basic realm="` + realm + `"`},
		}, Body: []byte(unauthorizedBody)}
	}
	rest := strings.TrimPrefix(r.URI, h.uri())
	preq := stats.ParsePageURI(rest, h.Config.Refresh > 0)
	admin := h.Config.Admin != nil && h.Config.Admin(r)
	switch r.Method {
	case "GET", "HEAD":
	case "POST":
		code := "DENY"
		if admin {
			code = h.applyPost(r.Body)
		}
		return h.redirect(code, preq)
	default:
		// haproxy 2.6.12 answers other methods with its 503 page
		// (observed; the IVAL status exists but is not reached).
		return Response{Status: 503, Reason: "Service Unavailable", Headers: [][2]string{
			{"content-length", strconv.Itoa(len(unavailableBody))},
			{"cache-control", "no-cache"},
			{"content-type", "text/html"},
		}, Body: []byte(unavailableBody)}
	}
	var body []byte
	clk := h.Runtime.Clock()
	proxies := h.Runtime.Proxies()
	switch preq.Format {
	case stats.PageCSV, stats.PageTyped, stats.PageJSON:
		d := &stats.StatDump{
			Format:    preq.Format.StatFormat(),
			Clock:     clk,
			Options:   stats.Options{Legends: h.Config.ShowLegends, HideDown: preq.HideDown, NoMaint: preq.NoMaint},
			Scope:     preq.Scope,
			ConfScope: h.Config.Scope,
			Self:      h.Config.Self,
		}
		body = d.AppendAll(nil, proxies)
	case stats.PageJSONSchema:
		// not rendered by goha yet: answer an empty schema document
		body = []byte("{}\n")
	default:
		body = h.html(preq, admin, clk, proxies)
	}
	resp := Response{Status: 200, Reason: "OK", Body: body}
	for _, hd := range stats.PageHeaders(preq.Format, h.Config.Refresh, preq.NoRefresh) {
		resp.Headers = append(resp.Headers, hd)
	}
	if r.Method == "HEAD" {
		resp.Body = nil
	}
	return resp
}

// redirect is the 303 haproxy answers a POST with, so that reloading the
// page does not post again: "<uri>;st=<code>[;up][;norefresh][;scope=x]".
func (h *Handler) redirect(code string, preq stats.PageRequest) Response {
	loc := h.uri() + ";st=" + code + h.keep(preq)
	return Response{Status: 303, Reason: "See Other", Headers: [][2]string{
		{"cache-control", "no-cache"},
		{"content-type", "text/plain"},
		{"content-length", "0"},
		{"location", loc},
	}}
}

// keep is the part of the URI options that survives links and redirects.
func (h *Handler) keep(preq stats.PageRequest) string {
	s := ""
	if preq.HideDown {
		s += ";up"
	}
	if preq.NoRefresh {
		s += ";norefresh"
	}
	if preq.Scope != "" {
		s += ";scope=" + preq.Scope
	}
	return s
}

// applyPost runs the admin form's action ("b" backend, "action", "s"
// servers; later values of b and action win, as haproxy parses them from
// the end) and returns the status code for the redirect.
func (h *Handler) applyPost(body []byte) string {
	var backend, action string
	var servers []string
	haveB, haveA := false, false
	params := strings.Split(string(body), "&")
	for i := len(params) - 1; i >= 0; i-- {
		k, v, _ := strings.Cut(params[i], "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			break
		}
		switch {
		case k == "b" && !haveB:
			backend, haveB = v, true
		case k == "action" && !haveA:
			action, haveA = v, true
		case k == "s":
			servers = append(servers, v)
		}
	}
	var px *stats.Proxy
	if haveB {
		px = findBackend(h.Runtime.Proxies(), backend)
		if px == nil {
			return "ERRP"
		}
	}
	var act cli.AdminAction
	switch action {
	case "ready", "enable", "start":
		act = cli.AdminReady
	case "drain", "stop":
		act = cli.AdminDrain
	case "maint", "disable":
		act = cli.AdminMaintenance
	case "":
		if haveA {
			return "ERRP"
		}
	default:
		// health/agent/shutdown actions need the checker: not offered
		return "ERRP"
	}
	if px == nil || !haveA {
		return "NONE"
	}
	total, altered := 0, 0
	for _, name := range servers {
		total++
		for _, sv := range px.Servers {
			if sv.Name == name {
				h.Runtime.SetServerAdmin(px, sv, act)
				altered++
				break
			}
		}
	}
	switch {
	case total == 0:
		return "NONE"
	case altered == 0:
		return "ERRP"
	case altered == total:
		return "DONE"
	}
	return "PART"
}

// findBackend finds a backend by name or "#<id>" (the form sends "#id").
func findBackend(proxies []*stats.Proxy, name string) *stats.Proxy {
	for _, px := range proxies {
		if px.Cap&stats.CapBE == 0 {
			continue
		}
		if px.Name == name || (strings.HasPrefix(name, "#") && name[1:] == strconv.FormatUint(uint64(px.ID), 10)) {
			return px
		}
	}
	return nil
}

// ServeHTTP serves the page through net/http (off the proxy's hot path),
// for engines or tools that use it; Respond is the engine-neutral form.
func (h *Handler) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	var body []byte
	if hr.Method == "POST" {
		body, _ = io.ReadAll(io.LimitReader(hr.Body, 1<<20))
	}
	resp := h.Respond(&Request{
		Method: hr.Method,
		URI:    hr.RequestURI,
		Header: func(name string) string { return hr.Header.Get(name) },
		Body:   body,
		Conn:   hr,
	})
	for _, hd := range resp.Headers {
		w.Header().Set(hd[0], hd[1])
	}
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}

// AppendHead renders resp's status line and header block as haproxy's
// HTTP/1 layer sends them: dumps (200) are chunked, the fixed answers
// carry their content-length, "connection: close" when the client asked
// for it. The body follows, chunked for 200 answers (AppendChunked).
func AppendHead(b []byte, resp Response, close bool) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(resp.Status), 10)
	b = append(b, ' ')
	b = append(b, resp.Reason...)
	b = append(b, "\r\n"...)
	for _, hd := range resp.Headers {
		b = append(b, hd[0]...)
		b = append(b, ": "...)
		b = append(b, hd[1]...)
		b = append(b, "\r\n"...)
	}
	conn := ""
	switch {
	case close:
		conn = "connection: close\r\n"
	case resp.Client10:
		conn = "connection: keep-alive\r\n"
	}
	if resp.Client10 {
		b = append(b, conn...)
	}
	if resp.Status == 200 && !resp.NotChunked {
		b = append(b, "transfer-encoding: chunked\r\n"...)
	}
	if !resp.Client10 {
		b = append(b, conn...)
	}
	return append(b, "\r\n"...)
}
