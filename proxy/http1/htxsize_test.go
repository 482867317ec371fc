package http1

import "testing"

// Head sizes haproxy 2.6.12 counted (proxy/testdata/golden/bytes.txt: %U
// of a bodyless request, %B minus the body of a response).
var htxHeads = []struct {
	head string
	resp bool
	want int
}{
	{"GET /c/cl-small HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", false, 51},
	{"GET /c/req-host-dup HTTP/1.1\r\nHost: test\r\nhost: test\r\nConnection: close\r\n\r\n", false, 55},
	{"GET http://test:80/c/abs-uri HTTP/1.1\r\nHost: test:80\r\nConnection: close\r\n\r\n", false, 61},
	{"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 12:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 26\r\nLast-Modified: Wed, 25 Nov 2026 11:00:00 GMT\r\nETag: \"6565a1b0-1a\"\r\nAccept-Ranges: bytes\r\n\r\n", true, 225 - 26},
	{"HTTP/1.1 200 OK\r\nConnection: X-Foo , Y,keep-alive\r\nX-Foo: 1\r\nY: 2\r\nContent-Length: 2\r\n\r\n", true, 78 - 2},
	{"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n", true, 51 - 2},
	{"HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n", true, 61 - 2 - 1},
}

func TestHTXSize(t *testing.T) {
	for _, c := range htxHeads {
		buf := []byte(c.head)
		var got int
		if c.resp {
			r := NewResponse(DefaultLimits)
			if done, err := r.Parse(buf); !done || err != nil {
				t.Fatalf("%q: %v", c.head, err)
			}
			got = r.HTXSize(buf)
		} else {
			r := NewRequest(DefaultLimits)
			if done, err := r.Parse(buf); !done || err != nil {
				t.Fatalf("%q: %v", c.head, err)
			}
			got = r.HTXSize(buf)
		}
		if got != c.want {
			t.Errorf("%q: HTX size %d, haproxy counted %d", c.head, got, c.want)
		}
	}
}

// The per-request cost of counting: one pass over the parsed fields.
func BenchmarkHTXSize(b *testing.B) {
	buf := []byte(htxHeads[3].head)
	r := NewResponse(DefaultLimits)
	r.Parse(buf)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = r.HTXSize(buf)
	}
}
