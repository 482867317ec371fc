package proxy

import (
	"bytes"
	"testing"
)

// The forwarded Cookie value: ours deleted (insert+indirect) with one of
// its delimiters, or stripped of "SRV~" (prefix); the others kept with the
// blanks around '=' removed (the bytes haproxy 2.6 forwards, measured in
// the cookie-* behaviour cases).
func TestRewriteRequestCookie(t *testing.T) {
	for _, c := range []struct {
		in   string
		flag byte
		want string
		keep bool
	}{
		{"SRV=a", 'd', "", false},
		{"SRV=a; x=1", 'd', "x=1", true},
		{"x=1; SRV=b", 'd', "x=1", true},
		{"x=1; SRV=a; y = 2", 'd', "x=1; y=2", true},
		{"x=1", 'd', "x=1", true},
		{"JSESSIONID=b~abc", 'p', "JSESSIONID=abc", true},
		{"x=1; JSESSIONID=a~zz; y=2", 'p', "x=1; JSESSIONID=zz; y=2", true},
		{"JSESSIONID=nodelim", 'p', "JSESSIONID=nodelim", true},
		{"a = 1; SRV = q", 0, "a=1; SRV=q", true},
	} {
		name := "SRV"
		if c.flag == 'p' {
			name = "JSESSIONID"
		}
		got, keep := rewriteRequestCookie(nil, []byte(c.in), name, c.flag)
		if string(got) != c.want || keep != c.keep {
			t.Errorf("%q %c: got %q %v, want %q %v", c.in, c.flag, got, keep, c.want, c.keep)
		}
	}
}

// Hostile Cookie and Set-Cookie values never panic, and the rewrite never
// grows a value nor leaves the persistence cookie in place in delete mode.
func FuzzCookieRewrite(f *testing.F) {
	for _, s := range []string{"SRV=a; x=1", "x=\"a;b\"; SRV = b ,y=2", "$Path=/; SRV=", "SRV", ";;=;", "SRV=a~b|c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, flag := range []byte{0, 'd', 'p'} {
			out, _ := rewriteRequestCookie(nil, []byte(v), "SRV", flag)
			if len(out) > len(v) {
				t.Fatalf("%q grew to %q", v, out)
			}
			if flag == 'd' {
				eachCookie(out, func(name, _ []byte) {
					if string(name) == "SRV" && !bytes.Contains([]byte(v), []byte("\"")) {
						t.Fatalf("%q: SRV left in %q", v, out)
					}
				})
			}
		}
		for _, op := range []byte{'r', 'p'} {
			rewriteSetCookie([]byte(v), op, "s1")
		}
		setCookieIs([]byte(v), []byte("SRV"))
	})
}
