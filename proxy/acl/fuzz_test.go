package acl

import (
	"net/netip"
	"strings"
	"testing"

	"goha/parser/haproxy"
)

// fuzzHeaders is a fixed header list for the fuzzed transactions.
type fuzzHeaders [][2][]byte

func (h fuzzHeaders) Len() int                      { return len(h) }
func (h fuzzHeaders) At(i int) (name, value []byte) { return h[i][0], h[i][1] }

// FuzzCompileMatch: any fetch, fetch arguments, -m method and patterns
// either compile or are refused with an error, and a compiled ACL
// evaluates any request without panicking.
func FuzzCompileMatch(f *testing.F) {
	seeds := [][6]string{
		{"path_beg", "", "", "/img /static", "GET", "/img/a.png"},
		{"url_reg", "", "", `\.html$`, "GET", "/index.html"},
		{"hdr", "host", "dom", "example.com", "GET", "/"},
		{"hdr_cnt", "x-a", "int", "gt 1", "POST", "/x?a=1"},
		{"src", "", "ip", "10.0.0.0/8 127.0.0.1", "GET", "/"},
		{"url_param", "id", "", "1:10", "GET", "/?id=5&x"},
		{"method", "", "", "GET HEAD", "HEAD", "/"},
		{"path", "", "len", "3", "GET", "/ab"},
		{"req.hdr", "x-b,1", "sub", "foo", "GET", "http://h/p"},
		{"dst_port", "", "", "80 8000-9000", "GET", "*"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], false)
	}
	f.Fuzz(func(t *testing.T, fetch, args, method, patterns, reqMethod, uri string, icase bool) {
		src := &haproxy.ACL{Name: "f", Fetch: fetch, Match: method, IgnoreCase: icase,
			Patterns: strings.Fields(patterns)}
		if args != "" {
			src.FetchArgs = strings.Split(args, ",")
		}
		a, err := Compile(src)
		if err != nil {
			return
		}
		hdrs := fuzzHeaders{
			{[]byte("Host"), []byte(uri)},
			{[]byte("X-A"), []byte(patterns)},
			{[]byte("x-a"), []byte(reqMethod)},
		}
		for _, http := range []bool{true, false} {
			a.Match(&Txn{
				Src: netip.MustParseAddrPort("127.0.0.1:40000"), Dst: netip.MustParseAddrPort("[::1]:80"),
				Method: []byte(reqMethod), URI: []byte(uri), Version: []byte("1.1"),
				Headers: hdrs, HTTP: http,
			})
		}
	})
}
