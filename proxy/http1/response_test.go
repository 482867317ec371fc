package http1

import (
	"errors"
	"strings"
	"testing"
)

func TestResponseSemantics(t *testing.T) {
	cases := []struct {
		name, raw string
		head      bool
		status    int
		reason    string
		body      BodyKind
		length    int64
		keepAlive bool
		errStatus int
		forwarded string // AppendResponseHead with ConnNothing, "" to skip
	}{
		{"ok", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false, 200, "OK", BodyLength, 5, true, 0, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n"},
		{"no reason", "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", false, 404, "", BodyNone, 0, true, 0, "HTTP/1.1 404 \r\ncontent-length: 0\r\n\r\n"},
		{"until close", "HTTP/1.1 200 OK\r\n\r\n", false, 200, "OK", BodyUntilClose, 0, false, 0, ""},
		{"http10", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", false, 200, "OK", BodyLength, 1, false, 0, ""},
		{"http10 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n", false, 200, "OK", BodyLength, 1, true, 0, "HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\n"},
		{"head", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", true, 200, "OK", BodyNone, 0, true, 0, "HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n"},
		{"204", "HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n", false, 204, "No Content", BodyNone, 0, true, 0, "HTTP/1.1 204 No Content\r\n\r\n"},
		{"304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 2\r\n\r\n", false, 304, "Not Modified", BodyNone, 0, true, 0, ""},
		{"100", "HTTP/1.1 100 Continue\r\n\r\n", false, 100, "Continue", BodyNone, 0, true, 0, ""},
		{"chunked drops cl", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n", false, 200, "OK", BodyChunked, 0, true, 0, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"},
		{"te gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false, 0, "", 0, 0, false, 502, ""},
		{"bad version", "http/1.1 200 OK\r\n\r\n", false, 0, "", 0, 0, false, 502, ""},
		{"bad name", "HTTP/1.1 200 OK\r\nX Y: 1\r\n\r\n", false, 0, "", 0, 0, false, 502, ""},
		{"cl differ", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false, 0, "", 0, 0, false, 502, ""},
		{"switching", "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", false, 101, "Switching Protocols", BodyNone, 0, true, 0, "HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			buf := []byte(c.raw)
			r := NewResponse(DefaultLimits)
			r.RequestHEAD = c.head
			done, err := r.Parse(buf)
			if c.errStatus != 0 {
				var e *Error
				if !errors.As(err, &e) || e.Status != c.errStatus {
					t.Fatalf("err = %v, want %d", err, c.errStatus)
				}
				return
			}
			if !done || err != nil {
				t.Fatalf("Parse = %v %v", done, err)
			}
			if r.Status != c.status || string(r.Reason.In(buf)) != c.reason || r.Body != c.body ||
				c.body == BodyLength && r.ContentLength != c.length || r.KeepAlive != c.keepAlive {
				t.Errorf("status %d %q body %v %d keep %v", r.Status, r.Reason.In(buf), r.Body, r.ContentLength, r.KeepAlive)
			}
			if c.forwarded != "" {
				if got := string(AppendResponseHead(nil, buf, r, ConnNothing)); got != c.forwarded {
					t.Errorf("forwarded %q, want %q", got, c.forwarded)
				}
			}
		})
	}
}

func TestClientConnectionFor(t *testing.T) {
	resp := func(raw string) *Response {
		r := NewResponse(DefaultLimits)
		if _, err := r.Parse([]byte(raw)); err != nil {
			t.Fatal(err)
		}
		return r
	}
	req := func(raw string) *Request { return mustParseRequest(t, raw) }
	sized := resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n")
	cases := []struct {
		req  *Request
		resp *Response
		want ClientConnection
	}{
		{req("GET / HTTP/1.1\r\n\r\n"), sized, ConnNothing},
		{req("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"), sized, ConnClose},
		{req("GET / HTTP/1.0\r\n\r\n"), sized, ConnClose},
		{req("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), sized, ConnKeepAlive},
		{req("GET / HTTP/1.1\r\n\r\n"), resp("HTTP/1.1 200 OK\r\n\r\n"), ConnClose},
		{req("GET / HTTP/1.1\r\n\r\n"), resp("HTTP/1.0 200 OK\r\n\r\n"), ConnNothing},
		{req("GET / HTTP/1.1\r\n\r\n"), resp("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"), ConnKeepAlive},
		{req("GET / HTTP/1.1\r\n\r\n"), resp("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), ConnNothing},
	}
	for i, c := range cases {
		if got := ClientConnectionFor(c.req, c.resp); got != c.want {
			t.Errorf("case %d: %v, want %v", i, got, c.want)
		}
	}
}

func TestResponseIncremental(t *testing.T) {
	for name, in := range hostileResponses(t) {
		whole := NewResponse(DefaultLimits)
		wDone, wErr := whole.Parse(in)
		part := NewResponse(DefaultLimits)
		var pDone bool
		var pErr error
		for n := 0; n <= len(in) && !pDone && pErr == nil; n++ {
			pDone, pErr = part.Parse(in[:n])
		}
		if wDone != pDone || wErr != pErr || wDone && (whole.Status != part.Status || len(whole.Fields) != len(part.Fields) || whole.Body != part.Body) {
			t.Errorf("%s: whole %v %v, byte by byte %v %v", name, wDone, wErr, pDone, pErr)
		}
	}
}

func TestResponseLimits(t *testing.T) {
	small := Limits{BufSize: 256, MaxRewrite: 64, MaxHeaders: 3}
	r := NewResponse(small)
	if _, err := r.Parse([]byte("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")); err != ErrBadResponse {
		t.Errorf("too many fields: %v", err)
	}
	r = NewResponse(small)
	if _, err := r.Parse([]byte("HTTP/1.1 200 OK\r\nA: " + strings.Repeat("v", 200) + "\r\n\r\n")); err != ErrBadResponse {
		t.Errorf("too large: %v", err)
	}
	r = NewResponse(small)
	if _, err := r.Parse([]byte("HTTP/1.1 200 OK\r\nA: " + strings.Repeat("v", 300))); err != ErrBadResponse {
		t.Errorf("incomplete and full: %v", err)
	}
}
