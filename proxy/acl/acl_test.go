package acl

import (
	"net/netip"
	"testing"

	"goha/parser/haproxy"
)

// Edge cases of configuration.txt §7.1 not covered by the golden requests.
func TestMatchers(t *testing.T) {
	tests := []struct {
		desc     string
		method   string
		icase    bool
		patterns []string
		sample   sample
		want     bool
	}{
		{"dir needs whole slash part", mDir, false, []string{"img"}, sample{kind: kStr, str: []byte("/images/a")}, false},
		{"dir ignores pattern slashes", mDir, false, []string{"/img/"}, sample{kind: kStr, str: []byte("/a/img/b")}, true},
		{"dir stops at ?", mDir, false, []string{"b"}, sample{kind: kStr, str: []byte("/a/b?x")}, true},
		{"dom dot parts", mDom, false, []string{"example"}, sample{kind: kStr, str: []byte("www.example.com")}, true},
		{"dom not substring", mDom, false, []string{"exam"}, sample{kind: kStr, str: []byte("www.example.com")}, false},
		{"dom port", mDom, false, []string{"com"}, sample{kind: kStr, str: []byte("www.example.com:8080")}, true},
		{"int range open low", mInt, false, []string{":1023"}, sample{kind: kInt, i: 80}, true},
		{"int range open high", mInt, false, []string{"1024:"}, sample{kind: kInt, i: 80}, false},
		{"int operator persists", mInt, false, []string{"lt", "0", "5"}, sample{kind: kInt, i: 4}, true},
		{"int gt", mInt, false, []string{"gt", "5"}, sample{kind: kInt, i: 5}, false},
		{"int range with dash", mInt, false, []string{"1-65535"}, sample{kind: kInt, i: 8080}, true},
		{"int leading dash is an upper bound", mInt, false, []string{"-10"}, sample{kind: kInt, i: 3}, true},
		{"ip abbreviated is inet_aton", mIP, false, []string{"10.12/16"}, sample{kind: kIP, ip: netip.MustParseAddr("10.0.3.4")}, true},
		{"ip abbreviated, not zero-filled", mIP, false, []string{"10.12/16"}, sample{kind: kIP, ip: netip.MustParseAddr("10.12.3.4")}, false},
		{"ip three parts", mIP, false, []string{"192.168.1"}, sample{kind: kIP, ip: netip.MustParseAddr("192.168.0.1")}, true},
		{"ip dotted mask", mIP, false, []string{"192.168.0.0/255.255.0.0"}, sample{kind: kIP, ip: netip.MustParseAddr("192.168.9.9")}, true},
		{"ipv4 pattern, mapped v6 sample", mIP, false, []string{"127.0.0.1/8"}, sample{kind: kIP, ip: netip.MustParseAddr("::ffff:127.0.0.9")}, true},
		{"ipv6 pattern, v4 sample mapped", mIP, false, []string{"::ffff:10.0.0.0/104"}, sample{kind: kIP, ip: netip.MustParseAddr("10.1.1.1")}, true},
		{"bin", mBin, false, []string{"48656c6c6f"}, sample{kind: kStr, str: []byte("Hello")}, true},
		{"beg -i", mBeg, true, []string{"WWW."}, sample{kind: kStr, str: []byte("www.x")}, true},
		{"len", mLen, false, []string{"3"}, sample{kind: kStr, str: []byte("abc")}, true},
		{"reg -i", mReg, true, []string{`\.HTML$`}, sample{kind: kStr, str: []byte("/a.html")}, true},
	}
	for _, tt := range tests {
		m, err := compileMatcher(tt.method, tt.icase, tt.patterns)
		if err != nil {
			t.Fatalf("%s: %v", tt.desc, err)
		}
		if got := m.match(&tt.sample); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.desc, got, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		acl  haproxy.ACL
		want string
	}{
		{haproxy.ACL{Fetch: "nosuchfetch"}, "unknown fetch method 'nosuchfetch' in ACL expression 'nosuchfetch'"},
		{haproxy.ACL{Fetch: "path_reg", Patterns: []string{"(unclosed"}}, "regex '(unclosed' is invalid"},
		{haproxy.ACL{Fetch: "src", Patterns: []string{"300.1.1.1"}}, "'300.1.1.1' is not a valid IPv4 or IPv6 address"},
		{haproxy.ACL{Fetch: "dst_port", Patterns: []string{"eighty"}}, "'eighty' is not a number"},
		{haproxy.ACL{Fetch: "dst_port", Patterns: []string{"5-3"}}, "'5-3' is not a valid number range"},
		{haproxy.ACL{Fetch: "path", Files: []string{"testdata/missing.lst"}}, "failed to open pattern file <testdata/missing.lst>"},
	}
	for _, tt := range tests {
		_, err := Compile(&tt.acl)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%+v: got %v, want %q", tt.acl, err, tt.want)
		}
	}
}

func TestUnknownACLInCondition(t *testing.T) {
	set, _ := NewSet(nil)
	_, err := set.Cond(&haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "nope"}}}})
	if err == nil || err.Error() != "no such ACL : 'nope'" {
		t.Fatalf("got %v", err)
	}
}

func TestSameNameIsOr(t *testing.T) {
	set, err := NewSet([]*haproxy.ACL{
		{Name: "static", Fetch: "path_beg", Patterns: []string{"/img"}},
		{Name: "static", Fetch: "path_end", Patterns: []string{".css"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := set.Cond(&haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "static"}}}})
	for uri, want := range map[string]bool{"/img/a": true, "/s/a.css": true, "/x": false} {
		txn := &Txn{HTTP: true, URI: []byte(uri), Method: []byte("GET"), Version: []byte("1.1")}
		if got := c.Eval(txn); got != want {
			t.Errorf("%s: got %v want %v", uri, got, want)
		}
	}
}

// The tutorial's routing decision: acl html url_reg -i \.html$ ; use_backend
// httpservers if html. Evaluated per request, it must not allocate.
func BenchmarkTutorialACL(b *testing.B) {
	set, err := NewSet([]*haproxy.ACL{{Name: "html", Fetch: "url_reg", IgnoreCase: true, Patterns: []string{`\.html$`}}})
	if err != nil {
		b.Fatal(err)
	}
	c, _ := set.Cond(&haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "html"}}}})
	hs := rawHeaders{{[]byte("Host"), []byte("192.168.13.144")}, {[]byte("User-Agent"), []byte("curl/7.88.1")}, {[]byte("Accept"), []byte("*/*")}}
	txn := &Txn{HTTP: true, Method: []byte("GET"), URI: []byte("/index.html"), Version: []byte("1.1"), Headers: hs}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !c.Eval(txn) {
			b.Fatal("no match")
		}
	}
}

func BenchmarkHeaderACL(b *testing.B) {
	set, _ := NewSet([]*haproxy.ACL{{Name: "h", Fetch: "hdr_dom", FetchArgs: []string{"host"}, IgnoreCase: true, Patterns: []string{"example"}}})
	c, _ := set.Cond(&haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "h"}, {Name: "METH_GET"}}}})
	hs := rawHeaders{{[]byte("Host"), []byte("www.Example.com")}, {[]byte("Accept"), []byte("*/*")}}
	txn := &Txn{HTTP: true, Method: []byte("GET"), URI: []byte("/"), Version: []byte("1.1"), Headers: hs}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !c.Eval(txn) {
			b.Fatal("no match")
		}
	}
}
