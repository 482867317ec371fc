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

// The dates of a persistence cookie: 4-second units in 5 base64
// characters ("AAAAB" is 4 s after the epoch), last then first.
func TestCookieDates(t *testing.T) {
	if got := s30ToB64(1); got != "AAAAB" {
		t.Errorf("s30ToB64(1) = %q", got)
	}
	now := int64(1_764_000_000)
	enc := s30ToB64(now >> 2)
	if b64ToS30([]byte(enc)) != now>>2 || b64ToS30([]byte("AA=AB")) != -1 {
		t.Errorf("round trip of %q failed", enc)
	}
	last, first := cookieDates([]byte(enc + "|" + s30ToB64((now-400)>>2)))
	if last != now>>2<<2 || first != (now-400)>>2<<2 {
		t.Errorf("dates %d %d", last, first)
	}
	if last, first := cookieDates([]byte("xx|AAAAB")); last != 0 || first != 4 {
		t.Errorf("short last date: %d %d", last, first)
	}
	s := &stream{}
	pc := &persistCookie{maxIdle: 3600, maxLife: 7200}
	for _, c := range []struct {
		last, first int64
		want        byte
	}{
		{now - 10, now - 10, 0}, {now - 3601, 0, ckExpired}, {now - 10, now - 7201, ckOld},
		{now + 86401, 0, ckExpired}, {0, 0, 0},
	} {
		s.ck, s.ckLast, s.ckFirst = 0, c.last, c.first
		exp := s.cookieExpired(pc, now)
		if exp != (c.want != 0) || s.ck != c.want {
			t.Errorf("last %d first %d: expired %v state %c", c.last-now, c.first-now, exp, s.ck)
		}
	}
}

// Published XXH64 (seed 0) values.
func TestXXH64(t *testing.T) {
	for in, want := range map[string]uint64{
		"":  0xef46db3751d8e999,
		"a": 0xd24ec4f1a98c6e5b,
	} {
		if got := xxh64([]byte(in)); got != want {
			t.Errorf("xxh64(%q) = %x, want %x", in, got, want)
		}
	}
}
