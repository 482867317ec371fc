package balance

import (
	"testing"
)

// crc32Bitwise is haproxy's hash_crc32 loop: reflected polynomial
// 0xedb88320, one bit at a time.
func crc32Bitwise(key []byte) uint32 {
	h := ^uint32(0)
	for _, c := range key {
		h ^= uint32(c)
		for range 8 {
			if h&1 != 0 {
				h = h>>1 ^ 0xedb88320
			} else {
				h >>= 1
			}
		}
	}
	return ^h
}

func TestCRC32MatchesIEEE(t *testing.T) {
	for _, s := range []string{"", "a", "/index.html", "The quick brown fox jumps over the lazy dog"} {
		if got, want := hashBytes(HashCRC32, []byte(s)), crc32Bitwise([]byte(s)); got != want {
			t.Errorf("crc32(%q) = %#x, want %#x", s, got, want)
		}
	}
}

func TestHashKnownValues(t *testing.T) {
	// Small values worked out by hand from the definitions.
	tests := []struct {
		f    HashFunc
		in   string
		want uint32
	}{
		{HashSDBM, "", 0},
		{HashSDBM, "a", 97},
		{HashSDBM, "ab", 97*65599 + 98},
		{HashDJB2, "", 5381},
		{HashDJB2, "a", 5381*33 + 97},
		{HashWT6, "", 0xa53c965a ^ 0x5ca6953a},
		{HashDefault, "a", 97}, // default is sdbm
	}
	for _, tt := range tests {
		if got := hashBytes(tt.f, []byte(tt.in)); got != tt.want {
			t.Errorf("%v(%q) = %d, want %d", tt.f, tt.in, got, tt.want)
		}
	}
}

func TestURIKey(t *testing.T) {
	tests := []struct {
		uri        string
		len, depth int
		whole      bool
		want       string
	}{
		{"/a/b/c?x=1", 0, 0, false, "/a/b/c"},
		{"/a/b/c?x=1", 0, 0, true, "/a/b/c?x=1"},
		{"/a/b/c?x=1", 4, 0, false, "/a/b"},
		{"/a/b/c?x=1", 0, 1, false, "/a"},
		{"/a/b/c?x=1", 0, 2, false, "/a/b"},
		{"/a/b/c?x=1", 0, 5, false, "/a/b/c"},
		{"/a?b/c/d", 0, 1, true, "/a?b"},
		{"/a/b", 3, 1, false, "/a"},
		{"", 0, 0, false, ""},
	}
	for _, tt := range tests {
		if got := string(URIKey([]byte(tt.uri), tt.len, tt.depth, tt.whole)); got != tt.want {
			t.Errorf("URIKey(%q, len %d, depth %d, whole %v) = %q, want %q", tt.uri, tt.len, tt.depth, tt.whole, got, tt.want)
		}
	}
}

func TestPathOnly(t *testing.T) {
	tests := map[string]string{
		"/x?y":             "/x?y",
		"http://h/x?y":     "/x?y",
		"https://h:8443":   "",
		"*":                "",
		"example.com:443":  "",
		"http://u@h/p/q#f": "/p/q#f",
	}
	for in, want := range tests {
		if got := string(PathOnly([]byte(in))); got != want {
			t.Errorf("PathOnly(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindURLParam(t *testing.T) {
	tests := []struct {
		uri, name, want string
		found           bool
	}{
		{"/p?id=42", "id", "42", true},
		{"/p?a=1&id=42&b=2", "id", "42", true},
		{"/p?xid=1&id=2", "id", "2", true},
		{"/p?id=", "id", "", true},
		{"/p?id", "id", "", false},
		{"/p?ID=1", "id", "", false}, // names are case-sensitive
		{"/p/id=1", "id", "", false}, // only after '?'
		{"/p?a=1&&id=3", "id", "3", true},
		{"/p?a=b?id=3", "id", "", false},
		{"/p?id=1?x&y", "id", "1?x", true},
	}
	for _, tt := range tests {
		v, ok := FindURLParam([]byte(tt.uri), tt.name)
		if ok != tt.found || string(v) != tt.want {
			t.Errorf("FindURLParam(%q, %q) = %q, %v; want %q, %v", tt.uri, tt.name, v, ok, tt.want, tt.found)
		}
	}
}

func TestPostParam(t *testing.T) {
	tests := []struct {
		body, want string
		found      bool
	}{
		{"a=1&id=x7&b", "x7", true},
		{"id= spaced", "", true}, // a value starting with a space is cut empty
		{"id=\x01bin", "", false},
		{"nothing=here", "", false},
	}
	for _, tt := range tests {
		v, ok := postParam([]byte(tt.body), "id")
		if ok != tt.found || string(v) != tt.want {
			t.Errorf("postParam(%q) = %q, %v; want %q, %v", tt.body, v, ok, tt.want, tt.found)
		}
	}
}

func TestFirstHeaderValue(t *testing.T) {
	tests := map[string]string{
		"abc":        "abc",
		"  abc  ":    "abc",
		"a, b":       "a",
		` "x,y" , z`: `"x,y"`,
		`"a\",b", c`: `"a\",b"`,
		",a":         "",
		"\tk1 ,k2":   "k1",
	}
	for in, want := range tests {
		if got := string(FirstHeaderValue([]byte(in))); got != want {
			t.Errorf("FirstHeaderValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDomainOnly(t *testing.T) {
	tests := map[string]string{
		"www.example.com":       "example",
		"example.com":           "example",
		"localhost":             "localhost",
		"a.b.c.d":               "c",
		"example.com.":          "com",
		".com":                  ".com", // the first byte is never examined
		".example.com":          "example",
		"a..com":                "a.",
		"host.example.com:8080": "example",
	}
	for in, want := range tests {
		if got := string(DomainOnly([]byte(in))); got != want {
			t.Errorf("DomainOnly(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindRDPCookie(t *testing.T) {
	x224 := "\x03\x00\x00\x2c\x27\xe0\x00\x00\x00\x00\x00"
	tests := []struct {
		payload, name, want string
		found               bool
	}{
		{x224 + "Cookie: mstshash=alice\r\n", "mstshash", "alice", true},
		{x224 + "cookie:mstshash=bob\r\n", "MSTSHASH", "bob", true},
		{x224 + "Cookie: other=1\r\n", "mstshash", "", false},
		{x224 + "Cookie: other=1\r\n", "", "1", true},
		{x224 + "Cookie: mstshash=alice", "mstshash", "", false}, // no CRLF yet
		{x224 + "Hello", "mstshash", "", false},
		{"short", "mstshash", "", false},
	}
	for _, tt := range tests {
		v, ok := FindRDPCookie([]byte(tt.payload), tt.name)
		if ok != tt.found || string(v) != tt.want {
			t.Errorf("FindRDPCookie(%q, %q) = %q, %v; want %q, %v", tt.payload, tt.name, v, ok, tt.want, tt.found)
		}
	}
}
