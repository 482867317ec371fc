package stats

import (
	"errors"
)

// ShowStatRequest is a parsed "show stat" command line.
type ShowStatRequest struct {
	Resolvers bool // "domain resolvers" (not rendered yet)
	Filter    Filter
	Format    Format
	Desc      bool
	NoMaint   bool
	HideDown  bool
}

// Errors "show stat" answers with, as haproxy words them (the CLI prints
// the text followed by a newline).
var (
	ErrInvalidDomain = errors.New("Invalid statistics domain.")
	ErrNoSuchProxy   = errors.New("No such proxy.")
)

// ProxyLookup returns a name-to-iid lookup over proxies, for ParseShowStat.
func ProxyLookup(proxies []*Proxy) func(string) (uint32, bool) {
	return func(name string) (uint32, bool) {
		for _, px := range proxies {
			if px.Name == name {
				return px.ID, true
			}
		}
		return 0, false
	}
}

// atoi is C's atoi(): leading blanks, an optional sign, then digits; it
// stops at the first other byte and yields 0 when there are no digits.
func atoi(s string) int32 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var v int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		v = v*10 + int64(s[i]-'0')
		if v > 1<<32 {
			v = 1 << 32 // overflow is undefined in C; keep it bounded
		}
	}
	if neg {
		v = -v
	}
	return int32(v)
}

// ParseShowStat parses the words of "show stat [domain <d>] [<iid> <type>
// <sid>] [typed|json|desc|no-maint|up]*" the way haproxy 2.6 does
// (cli_parse_show_stat): three non-empty words after "stat" are always
// taken as a filter; the proxy may be named or numbered; unknown trailing
// words are ignored. args[0:2] are "show", "stat".
func ParseShowStat(args []string, lookup func(string) (uint32, bool)) (ShowStatRequest, error) {
	var req ShowStatRequest
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	i := 2
	if arg(i) == "domain" {
		i++
		switch arg(i) {
		case "proxy":
			i++
		case "resolvers":
			req.Resolvers = true
			i++
		default:
			return req, ErrInvalidDomain
		}
	}
	if !req.Resolvers && arg(i) != "" && arg(i+1) != "" && arg(i+2) != "" {
		var iid int32
		if id, ok := lookup(arg(i)); ok {
			iid = int32(id)
		} else {
			iid = atoi(arg(i))
		}
		if iid == 0 {
			return req, ErrNoSuchProxy
		}
		req.Filter = Filter{Bound: true, IID: iid, Types: atoi(arg(i + 1)), SID: atoi(arg(i + 2))}
		i += 3
	}
	for ; arg(i) != ""; i++ {
		switch arg(i) {
		case "typed":
			req.Format = FormatTyped
		case "json":
			req.Format = FormatJSON
		case "desc":
			req.Desc = true
		case "no-maint":
			req.NoMaint = true
		case "up":
			req.HideDown = true
		}
	}
	return req, nil
}

// ShowInfoRequest is a parsed "show info" command line.
type ShowInfoRequest struct {
	Format Format
	Desc   bool
	Float  bool
}

// ParseShowInfo parses "show info [desc|json|typed|float]*".
func ParseShowInfo(args []string) ShowInfoRequest {
	var req ShowInfoRequest
	for i := 2; i < len(args) && args[i] != ""; i++ {
		switch args[i] {
		case "typed":
			req.Format = FormatTyped
		case "json":
			req.Format = FormatJSON
		case "desc":
			req.Desc = true
		case "float":
			req.Float = true
		}
	}
	return req
}

// PageHeaders are the response headers the stats page sends for a dump,
// in haproxy's order (stats_send_http_headers), lower-cased as its HTTP/1
// mux writes them; refresh is "stats refresh" in seconds (0: none, and
// ";norefresh" disables it). The HTTP layer adds transfer-encoding and
// connection headers itself.
func PageHeaders(format PageFormat, refresh int, noRefresh bool) [][2]string {
	ct := "text/plain"
	switch format {
	case PageHTML:
		ct = "text/html"
	case PageJSON, PageJSONSchema:
		ct = "application/json"
	case PagePrometheus:
		ct = PrometheusContentType
	}
	h := [][2]string{{"cache-control", "no-cache"}, {"content-type", ct}}
	if refresh > 0 && !noRefresh {
		h = append(h, [2]string{"refresh", itoa(refresh)})
	}
	return h
}

// PageFormat is the stats page's output format.
type PageFormat uint8

// Page formats: the HTML page, ";csv", ";json", and the Prometheus
// exporter (which sends the same cache-control and its own content-type).
const (
	PageHTML PageFormat = iota
	PageCSV
	PageJSON
	PagePrometheus
	PageTyped      // ";typed"
	PageJSONSchema // ";json-schema"
)

// AppendPageHeaders renders a stats page dump's response header block as
// haproxy's HTTP/1 mux sends it for a chunked answer: the headers of
// PageHeaders, then "transfer-encoding: chunked", "connection: close" when
// the request asked for it, and the blank line.
func AppendPageHeaders(b []byte, format PageFormat, refresh int, noRefresh, close bool) []byte {
	for _, h := range PageHeaders(format, refresh, noRefresh) {
		b = append(b, h[0]...)
		b = append(b, ": "...)
		b = append(b, h[1]...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "transfer-encoding: chunked\r\n"...)
	if close {
		b = append(b, "connection: close\r\n"...)
	}
	return append(b, "\r\n"...)
}

func itoa(v int) string {
	var buf [20]byte
	i := len(buf)
	neg := v < 0
	if neg {
		v = -v
	}
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}
