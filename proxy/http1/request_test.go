package http1

import (
	"errors"
	"strings"
	"testing"
)

func mustParseRequest(t *testing.T, raw string) *Request {
	t.Helper()
	r := NewRequest(DefaultLimits)
	done, err := r.Parse([]byte(raw))
	if err != nil || !done {
		t.Fatalf("Parse(%q) = %v, %v", raw, done, err)
	}
	return r
}

func TestRequestFieldsKeepCaseAndOrder(t *testing.T) {
	raw := "GET /a?b HTTP/1.1\r\nHost: x\r\nX-Mixed-Case:  v1 \r\nACCEPT: */*\r\nx-mixed-case: v2\r\n\r\nBODY"
	buf := []byte(raw)
	r := mustParseRequest(t, raw)
	if got := string(r.Method.In(buf)); got != "GET" {
		t.Errorf("method %q", got)
	}
	if got := string(r.URI.In(buf)); got != "/a?b" {
		t.Errorf("uri %q", got)
	}
	if r.Major != 1 || r.Minor != 1 || r.Form != FormOrigin {
		t.Errorf("version %d.%d form %d", r.Major, r.Minor, r.Form)
	}
	var names, values []string
	for _, f := range r.Fields {
		names = append(names, string(f.Name.In(buf)))
		values = append(values, string(f.Value.In(buf)))
	}
	if strings.Join(names, ",") != "Host,X-Mixed-Case,ACCEPT,x-mixed-case" || strings.Join(values, ",") != "x,v1,*/*,v2" {
		t.Errorf("fields %q %q", names, values)
	}
	if v, ok := r.Lookup(buf, "x-mixed-case"); !ok || string(v) != "v1" {
		t.Errorf("Lookup = %q %v", v, ok)
	}
	if _, ok := r.Lookup(buf, "missing"); ok {
		t.Error("Lookup found a missing field")
	}
	if n := r.Count(buf, "x-mixed-case"); n != 2 {
		t.Errorf("Count = %d", n)
	}
	if r.HeadLen != len(raw)-len("BODY") {
		t.Errorf("HeadLen %d", r.HeadLen)
	}
}

func TestRequestSemantics(t *testing.T) {
	cases := []struct {
		name, raw string
		body      BodyKind
		length    int64
		keepAlive bool
		upgrade   bool
		expect    bool
		status    int // 0: accepted
	}{
		{"get11", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", BodyNone, 0, true, false, false, 0},
		{"get11 close", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", BodyNone, 0, false, false, false, 0},
		{"get10", "GET / HTTP/1.0\r\n\r\n", BodyNone, 0, false, false, false, 0},
		{"get10 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", BodyNone, 0, true, false, false, 0},
		{"post length", "POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n", BodyLength, 12, true, false, false, 0},
		{"length zero", "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", BodyNone, 0, true, false, false, 0},
		{"chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", BodyChunked, 0, true, false, false, 0},
		{"te and cl close", "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", BodyChunked, 3, false, false, false, 0},
		{"te in 1.0 closes", "POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n", BodyChunked, 0, false, false, false, 0},
		{"cl list", "POST / HTTP/1.1\r\nContent-Length: 7 , 7\r\nContent-Length: 7\r\n\r\n", BodyLength, 7, true, false, false, 0},
		{"cl differ", "POST / HTTP/1.1\r\nContent-Length: 7\r\nContent-Length: 8\r\n\r\n", 0, 0, false, false, false, 400},
		{"cl folded list", "POST / HTTP/1.1\r\nContent-Length: 7,\r\n 7\r\n\r\n", BodyLength, 7, true, false, false, 0},
		{"te gzip", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 0, 0, false, false, false, 400},
		{"te gzip chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0, 0, false, false, false, 422},
		{"te chunked twice", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 0, false, false, false, 400},
		{"upgrade", "GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n", BodyNone, 0, true, true, false, 0},
		{"upgrade header only", "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", BodyNone, 0, true, false, false, 0},
		{"expect", "PUT / HTTP/1.1\r\nExpect:  100-CONTINUE \r\nContent-Length: 1\r\n\r\n", BodyLength, 1, true, false, true, 0},
		{"version 2.0 is 1.1", "GET / HTTP/2.0\r\n\r\n", BodyNone, 0, true, false, false, 0},
		{"version 0.9 is 1.0", "GET / HTTP/0.9\r\n\r\n", BodyNone, 0, false, false, false, 0},
		{"http09", "GET /\r\n\r\n", 0, 0, false, false, false, 400},
		{"host mismatch", "GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n", 0, 0, false, false, false, 400},
		{"host default port", "GET http://a:80/ HTTP/1.1\r\nHost: A\r\n\r\n", BodyNone, 0, true, false, false, 0},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 0, 0, false, false, false, 400},
		{"connect needs port", "CONNECT a HTTP/1.1\r\n\r\n", 0, 0, false, false, false, 400},
		{"fragment", "GET /#x HTTP/1.1\r\n\r\n", 0, 0, false, false, false, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewRequest(DefaultLimits)
			done, err := r.Parse([]byte(c.raw))
			if c.status != 0 {
				var e *Error
				if !errors.As(err, &e) || e.Status != c.status {
					t.Fatalf("err = %v, want status %d", err, c.status)
				}
				return
			}
			if err != nil || !done {
				t.Fatalf("Parse = %v, %v", done, err)
			}
			if r.Body != c.body || c.body == BodyLength && r.ContentLength != c.length || r.KeepAlive != c.keepAlive || r.Upgrade != c.upgrade || r.Expect100 != c.expect {
				t.Errorf("body %v len %d keep %v upgrade %v expect %v", r.Body, r.ContentLength, r.KeepAlive, r.Upgrade, r.Expect100)
			}
		})
	}
}

func TestRequestForwardedHead(t *testing.T) {
	cases := []struct{ in, out string }{
		{"GET  /p   HTTP/1.1\r\nX-A:  a \r\nHOST: h\r\n\r\n", "GET /p HTTP/1.1\r\nx-a: a\r\nhost: h\r\n\r\n"},
		{"GET / HTTP/1.0\r\nConnection: close, X-Y\r\n\r\n", "GET / HTTP/1.0\r\nconnection: X-Y\r\nconnection: keep-alive\r\n\r\n"},
		{"GET / HTTP/1.1\r\nConnection: X-A, close, X-B\r\n\r\n", "GET / HTTP/1.1\r\nconnection: X-A,X-B\r\n\r\n"},
		{"GET / HTTP/1.1\r\nX-F: a\r\n\tb\r\n\r\n", "GET / HTTP/1.1\r\nx-f: a  \tb\r\n\r\n"},
		{"POST / HTTP/1.1\r\nContent-Length: 05, 5\r\nContent-Length: 5\r\n\r\n", "POST / HTTP/1.1\r\ncontent-length: 5\r\n\r\n"},
		{"GET https://h:443/x HTTP/1.1\r\nHost: h:443\r\n\r\n", "GET https://h/x HTTP/1.1\r\nhost: h\r\n\r\n"},
		{"GET / HTTP/3.0\r\n\r\n", "GET / HTTP/1.1\r\n\r\n"},
	}
	for _, c := range cases {
		r := mustParseRequest(t, c.in)
		if got := string(AppendRequestHead(nil, []byte(c.in), r)); got != c.out {
			t.Errorf("%q:\n got %q\nwant %q", c.in, got, c.out)
		}
	}
}

func TestRequestLimits(t *testing.T) {
	small := Limits{BufSize: 256, MaxRewrite: 64, MaxHeaders: 4}
	r := NewRequest(small)
	_, err := r.Parse([]byte("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"))
	if err != ErrTooManyHeaders {
		t.Errorf("4 fields with maxhdr 4: %v", err)
	}
	r = NewRequest(small)
	if done, err := r.Parse([]byte("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")); !done || err != nil {
		t.Errorf("3 fields with maxhdr 4: %v %v", done, err)
	}
	// Budget: 256-64-44 = 148 bytes of start line, fields and overheads.
	r = NewRequest(small)
	line := "GET / HTTP/1.1\r\nA: " + strings.Repeat("v", 148-32-3-1-8-9-8-1) + "\r\n\r\n"
	if done, err := r.Parse([]byte(line)); !done || err != nil {
		t.Errorf("at budget: %v %v", done, err)
	}
	r = NewRequest(small)
	line = "GET / HTTP/1.1\r\nA: " + strings.Repeat("v", 148-32-3-1-8-9-8) + "\r\n\r\n"
	if _, err := r.Parse([]byte(line)); err != ErrHeadTooLarge {
		t.Errorf("over budget: %v", err)
	}
	// An incomplete head that fills the buffer is refused.
	r = NewRequest(small)
	if _, err := r.Parse([]byte("GET /" + strings.Repeat("a", 300))); err != ErrHeadTooLarge {
		t.Errorf("full buffer: %v", err)
	}
}

func TestRequestResetReuses(t *testing.T) {
	r := NewRequest(DefaultLimits)
	a := []byte("POST /a HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\n")
	b := []byte("GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
	if done, err := r.Parse(a); !done || err != nil {
		t.Fatal(err)
	}
	r.Reset()
	if done, err := r.Parse(b); !done || err != nil {
		t.Fatal(err)
	}
	if r.Body != BodyNone || !r.KeepAlive || len(r.Fields) != 1 || string(r.URI.In(b)) != "/b" {
		t.Errorf("state leaked across Reset: %+v", r.head)
	}
}

// TestRequestIncremental feeds every hostile input one byte at a time and
// checks the verdict and the spans equal those of a single parse.
func TestRequestIncremental(t *testing.T) {
	inputs := hostileInputs(t)
	for name, in := range inputs {
		whole := NewRequest(DefaultLimits)
		wDone, wErr := whole.Parse(in)
		part := NewRequest(DefaultLimits)
		var pDone bool
		var pErr error
		for n := 0; n <= len(in) && !pDone && pErr == nil; n++ {
			pDone, pErr = part.Parse(in[:n])
		}
		if wDone != pDone || wErr != pErr {
			t.Errorf("%s: whole %v %v, byte by byte %v %v", name, wDone, wErr, pDone, pErr)
			continue
		}
		if wDone && !sameRequest(whole, part) {
			t.Errorf("%s: split parse differs", name)
		}
	}
}

func sameRequest(a, b *Request) bool {
	if a.Method != b.Method || a.URI != b.URI || a.HeadLen != b.HeadLen || a.Body != b.Body ||
		a.ContentLength != b.ContentLength || a.KeepAlive != b.KeepAlive || len(a.Fields) != len(b.Fields) {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i] != b.Fields[i] {
			return false
		}
	}
	return true
}
