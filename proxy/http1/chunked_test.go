package http1

import (
	"bytes"
	"strings"
	"testing"
)

// decodeAll runs a decoder over in, fed in pieces of at most step bytes
// (the unconsumed rest is presented again with the next piece).
func decodeAll(in []byte, step int) (data []byte, trailers []string, used int, err error) {
	var d ChunkedDecoder
	var pending []byte
	fed := 0
	for !d.Done() {
		if fed < len(in) {
			n := min(step, len(in)-fed)
			pending = append(pending, in[fed:fed+n]...)
			fed += n
		}
		for {
			n, ev, p, err := d.Decode(pending)
			if err != nil {
				return nil, nil, 0, err
			}
			switch ev {
			case ChunkData:
				data = append(data, p...)
			case ChunkTrailer:
				trailers = append(trailers, string(p))
			}
			pending = pending[n:]
			used += n
			if n == 0 || ev == ChunkEnd {
				break
			}
		}
		if fed == len(in) && !d.Done() {
			if n, _, _, _ := d.Decode(pending); n == 0 {
				return data, trailers, used, errTruncated
			}
		}
	}
	return data, trailers, used, nil
}

var errTruncated = &Error{0, "truncated"}

func TestChunkedDecoder(t *testing.T) {
	cases := []struct {
		name, in string
		data     string
		trailers string
		err      error
	}{
		{"simple", "5\r\nhello\r\n0\r\n\r\n", "hello", "", nil},
		{"two chunks", "2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n", "hello", "", nil},
		{"hex and zeros", "000A\r\n0123456789\r\n00\r\n\r\n", "0123456789", "", nil},
		{"lower hex", "a\r\n0123456789\r\n0\r\n\r\n", "0123456789", "", nil},
		{"extension", "5;a=b;c=\"d;e\"\r\nhello\r\n0;x\r\n\r\n", "hello", "", nil},
		{"ctl in extension", "5;a\x01\r\nhello\r\n0\r\n\r\n", "hello", "", nil},
		{"bws", "5 \t\r\nhello\r\n0\r\n\r\n", "hello", "", nil},
		{"bws then ext", "5 ;x\r\nhello\r\n0\r\n\r\n", "hello", "", nil},
		{"bare lf", "5\nhello\n0\n\n", "hello", "", nil},
		{"trailers", "5\r\nhello\r\n0\r\nA: 1\r\nb: 2\r\n\r\n", "hello", "A: 1|b: 2", nil},
		{"folded trailer", "0\r\nA: 1\r\n 2\r\n\tz\r\nB: 3\n\n", "", "A: 1\r\n 2\r\n\tz|B: 3", nil},
		{"trailer starting with space", "0\r\n A: 1\r\n\r\n", "", "", ErrChunkTrailer},
		{"empty body", "0\r\n\r\n", "", "", nil},
		{"leading space", " 5\r\nhello\r\n0\r\n\r\n", "", "", ErrChunkSize},
		{"empty size", "\r\nhello\r\n0\r\n\r\n", "", "", ErrChunkSize},
		{"not hex", "zz\r\n", "", "", ErrChunkSize},
		{"negative", "-5\r\n", "", "", ErrChunkSize},
		{"overflow", "10000000000000000\r\n", "", "", ErrChunkSize},
		{"junk after size", "5x\r\n", "", "", ErrChunkSize},
		{"cr without lf", "5\rhello", "", "", ErrChunkSize},
		{"no crlf after data", "5\r\nhelloXX0\r\n\r\n", "", "", ErrChunkCRLF},
		{"trailer without colon", "0\r\nnocolon\r\n\r\n", "", "", ErrChunkTrailer},
		{"truncated", "5\r\nhel", "", "", errTruncated},
	}
	for _, c := range cases {
		for _, step := range []int{1, 2, 3, 7, 1 << 20} {
			data, tr, used, err := decodeAll([]byte(c.in), step)
			if err != c.err {
				t.Errorf("%s/step %d: err %v, want %v", c.name, step, err, c.err)
				continue
			}
			if err != nil {
				continue
			}
			if string(data) != c.data || strings.Join(tr, "|") != c.trailers || used != len(c.in) {
				t.Errorf("%s/step %d: data %q trailers %q used %d", c.name, step, data, tr, used)
			}
		}
	}
}

func TestChunkedLimits(t *testing.T) {
	d := ChunkedDecoder{MaxLine: 8}
	if _, _, _, err := d.Decode([]byte("5;" + strings.Repeat("x", 10))); err != ErrChunkLine {
		t.Errorf("long size line: %v", err)
	}
	d = ChunkedDecoder{MaxTrailers: 10}
	if _, _, _, err := d.Decode([]byte("0\r\nA: 123456789\r\n\r\n")); err != ErrChunkTrailer {
		t.Errorf("large trailers: %v", err)
	}
	d = ChunkedDecoder{MaxTrailers: 10}
	if _, _, _, err := d.Decode([]byte("0\r\nA: 1234567890123")); err != ErrChunkTrailer {
		t.Errorf("large incomplete trailer: %v", err)
	}
}

func TestChunkWriters(t *testing.T) {
	var out []byte
	out = AppendChunk(out, []byte("hello world"))
	out = AppendChunk(out, nil)
	out = AppendChunk(out, bytes.Repeat([]byte("x"), 255))
	out = AppendLastChunk(out)
	out = AppendTrailer(out, []byte("X-Sum:  12 "))
	out = append(out, "\r\n"...)
	want := "B\r\nhello world\r\n" + "FF\r\n" + strings.Repeat("x", 255) + "\r\n0\r\nx-sum: 12\r\n\r\n"
	if string(out) != want {
		t.Errorf("got %q", out)
	}
	data, tr, _, err := decodeAll(out, 5)
	if err != nil || len(data) != 266 || len(tr) != 1 {
		t.Errorf("round trip: %d bytes, %q, %v", len(data), tr, err)
	}
}
