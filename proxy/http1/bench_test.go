package http1

import (
	"fmt"
	"strings"
	"testing"
)

// browserRequest is a typical browser navigation: 12 header fields.
var browserRequest = []byte("GET /static/app.js?v=3 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Referer: https://www.example.com/index.html\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"If-None-Match: \"5d8c72a5edda8\"\r\n" +
	"\r\n")

// request30 carries 30 header fields, as in issue 7's acl scenario.
var request30 = func() []byte {
	var b strings.Builder
	b.WriteString("GET /index.html HTTP/1.1\r\nHost: 192.168.13.128\r\n")
	for i := 1; i < 30; i++ {
		fmt.Fprintf(&b, "X-Header-%02d: value-%02d-abcdefghijklmnopqrstuvwxyz\r\n", i, i)
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}()

var typicalResponse = []byte("HTTP/1.1 200 OK\r\n" +
	"Server: nginx/1.22.1\r\n" +
	"Date: Wed, 25 Nov 2026 14:00:00 GMT\r\n" +
	"Content-Type: text/html\r\n" +
	"Content-Length: 612\r\n" +
	"Last-Modified: Tue, 24 Nov 2026 10:00:00 GMT\r\n" +
	"Connection: keep-alive\r\n" +
	"ETag: \"5d8c72a5-264\"\r\n" +
	"Accept-Ranges: bytes\r\n" +
	"\r\n")

func benchRequest(b *testing.B, raw []byte) {
	r := NewRequest(DefaultLimits)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset()
		if done, err := r.Parse(raw); !done || err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRequest(b *testing.B) {
	b.Run("browser12", func(b *testing.B) { benchRequest(b, browserRequest) })
	b.Run("headers30", func(b *testing.B) { benchRequest(b, request30) })
}

func BenchmarkParseResponse(b *testing.B) {
	r := NewResponse(DefaultLimits)
	b.SetBytes(int64(len(typicalResponse)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset()
		if done, err := r.Parse(typicalResponse); !done || err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAndForward is the proxy's per-request head work: parse,
// look up Host, write the forwarded head into a reused buffer.
func BenchmarkParseAndForward(b *testing.B) {
	r := NewRequest(DefaultLimits)
	out := make([]byte, 0, 4096)
	b.SetBytes(int64(len(browserRequest)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset()
		if done, err := r.Parse(browserRequest); !done || err != nil {
			b.Fatal(err)
		}
		if _, ok := r.Lookup(browserRequest, "host"); !ok {
			b.Fatal("no host")
		}
		out = AppendRequestHead(out[:0], browserRequest, r)
	}
}

func BenchmarkChunkedDecode(b *testing.B) {
	var body []byte
	for i := 0; i < 16; i++ {
		body = AppendChunk(body, []byte(strings.Repeat("x", 1000)))
	}
	body = append(AppendLastChunk(body), '\r', '\n')
	var d ChunkedDecoder
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		d.Reset()
		in := body
		for !d.Done() {
			n, _, _, err := d.Decode(in)
			if err != nil {
				b.Fatal(err)
			}
			in = in[n:]
		}
	}
}

// TestParseAllocatesNothing pins the zero-allocation promise outside of
// benchmark runs.
func TestParseAllocatesNothing(t *testing.T) {
	r := NewRequest(DefaultLimits)
	resp := NewResponse(DefaultLimits)
	out := make([]byte, 0, 4096)
	n := testing.AllocsPerRun(100, func() {
		r.Reset()
		r.Parse(request30)
		out = AppendRequestHead(out[:0], request30, r)
		resp.Reset()
		resp.Parse(typicalResponse)
	})
	if n != 0 {
		t.Errorf("%v allocations per parse", n)
	}
}
