package http1

import "bytes"

// ChunkEvent says what a ChunkedDecoder.Decode call produced.
type ChunkEvent uint8

const (
	ChunkNeedMore ChunkEvent = iota // nothing usable yet: present the rest again with more bytes
	ChunkProgress                   // framing bytes consumed, nothing to hand out
	ChunkData                       // Payload holds body bytes
	ChunkTrailer                    // Payload holds one trailer line (no line ending)
	ChunkEnd                        // the body, trailers included, is complete
)

// Chunked-body errors; haproxy answers 400 to a request (502 for a response).
var (
	ErrChunkSize    = &Error{400, "invalid chunk size"}
	ErrChunkCRLF    = &Error{400, "chunk data not followed by CRLF"}
	ErrChunkLine    = &Error{400, "chunk size line too long"}
	ErrChunkTrailer = &Error{400, "invalid or too large trailers"}
)

// ChunkedDecoder decodes a chunked body (RFC 9112 §7.1) as haproxy 2.6
// accepts it: hex sizes with leading zeros, optional spaces or tabs after
// the size, extensions ignored whatever they hold, bare LF as line end,
// trailer lines passed on. Input may be split anywhere; Decode consumes
// what it can and the caller presents any unconsumed bytes again.
// The zero value is ready to use with haproxy's default limits.
type ChunkedDecoder struct {
	// MaxLine bounds a size line (0: tune.bufsize, 16384).
	MaxLine int
	// MaxTrailers bounds the trailer block (0: 15316, as the head).
	MaxTrailers int

	state     uint8
	remaining int64
	lineLen   int
	trailers  int
}

const (
	ckSize uint8 = iota
	ckSizeDigits
	ckSizeBWS
	ckExt
	ckSizeLF
	ckData
	ckDataCR
	ckDataLF
	ckTrailer
	ckDone
)

// Reset prepares the decoder for another body.
func (d *ChunkedDecoder) Reset() { *d = ChunkedDecoder{MaxLine: d.MaxLine, MaxTrailers: d.MaxTrailers} }

// Done reports whether the whole body has been decoded.
func (d *ChunkedDecoder) Done() bool { return d.state == ckDone }

// Decode consumes bytes from in and returns how many it used, what it
// found and, for ChunkData and ChunkTrailer, the bytes (a slice of in).
func (d *ChunkedDecoder) Decode(in []byte) (n int, ev ChunkEvent, payload []byte, err error) {
	maxLine := d.MaxLine
	if maxLine == 0 {
		maxLine = DefaultLimits.BufSize
	}
	for n < len(in) {
		c := in[n]
		switch d.state {
		case ckData:
			take := int64(len(in) - n)
			if take > d.remaining {
				take = d.remaining
			}
			d.remaining -= take
			if d.remaining == 0 {
				d.state = ckDataCR
			}
			return n + int(take), ChunkData, in[n : n+int(take)], nil
		case ckTrailer:
			return d.trailer(in, n)
		case ckDone:
			return n, ChunkEnd, nil, nil
		case ckSize:
			v, ok := hexVal(c)
			if !ok {
				return n, 0, nil, ErrChunkSize
			}
			d.remaining, d.lineLen, d.state = int64(v), 1, ckSizeDigits
		case ckSizeDigits:
			if v, ok := hexVal(c); ok {
				if d.remaining > (1<<63-1)>>4 {
					return n, 0, nil, ErrChunkSize
				}
				d.remaining = d.remaining<<4 | int64(v)
				break
			}
			if !d.sizeTail(c) {
				return n, 0, nil, ErrChunkSize
			}
		case ckSizeBWS:
			if !isLWS(c) && !d.sizeTail(c) {
				return n, 0, nil, ErrChunkSize
			}
		case ckExt:
			if c == '\r' || c == '\n' {
				d.sizeTail(c)
			}
		case ckSizeLF:
			if c != '\n' {
				return n, 0, nil, ErrChunkSize
			}
			d.sizeDone()
		case ckDataCR:
			switch c {
			case '\r':
				d.state = ckDataLF
			case '\n':
				d.state = ckSize
			default:
				return n, 0, nil, ErrChunkCRLF
			}
		case ckDataLF:
			if c != '\n' {
				return n, 0, nil, ErrChunkCRLF
			}
			d.state = ckSize
		}
		if d.state <= ckSizeLF {
			if d.lineLen++; d.lineLen > maxLine {
				return n, 0, nil, ErrChunkLine
			}
		}
		n++
	}
	if n == 0 {
		if d.state == ckDone {
			return 0, ChunkEnd, nil, nil
		}
		return 0, ChunkNeedMore, nil, nil
	}
	return n, ChunkProgress, nil, nil
}

// sizeTail handles a byte after the size digits: BWS, ';', CR or LF.
func (d *ChunkedDecoder) sizeTail(c byte) bool {
	switch {
	case isLWS(c):
		d.state = ckSizeBWS
	case c == ';':
		d.state = ckExt
	case c == '\r':
		d.state = ckSizeLF
	case c == '\n':
		d.sizeDone()
	default:
		return false
	}
	return true
}

func (d *ChunkedDecoder) sizeDone() {
	d.lineLen = 0
	if d.remaining == 0 {
		d.state = ckTrailer
	} else {
		d.state = ckData
	}
}

// trailer hands out one complete trailer field, obs-fold continuation
// lines included (so it needs the first byte after a line to know the
// field is complete), or the end of the body. haproxy forwards trailer
// names whatever they hold (measured: chunk_trailer_bad_name) but refuses
// a line without a colon (chunk_trailer_no_colon).
func (d *ChunkedDecoder) trailer(in []byte, n int) (int, ChunkEvent, []byte, error) {
	maxT := d.MaxTrailers
	if maxT == 0 {
		maxT = DefaultLimits.maxCost()
	}
	needMore := func() (int, ChunkEvent, []byte, error) {
		if d.trailers+len(in)-n > maxT {
			return n, 0, nil, ErrChunkTrailer
		}
		if n > 0 {
			return n, ChunkProgress, nil, nil
		}
		return 0, ChunkNeedMore, nil, nil
	}
	i := bytes.IndexByte(in[n:], '\n')
	if i < 0 {
		return needMore()
	}
	end := n + i // LF of the last line of this field
	if end == n || end == n+1 && in[n] == '\r' {
		d.state = ckDone
		return end + 1, ChunkEnd, nil, nil
	}
	if isLWS(in[n]) {
		return n, 0, nil, ErrChunkTrailer
	}
	for {
		if end+1 >= len(in) {
			return needMore()
		}
		if !isLWS(in[end+1]) {
			break
		}
		j := bytes.IndexByte(in[end+1:], '\n')
		if j < 0 {
			return needMore()
		}
		end += 1 + j
	}
	line := in[n:end]
	if line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	d.trailers += end + 1 - n
	if d.trailers > maxT || bytes.IndexByte(line, ':') <= 0 {
		return n, 0, nil, ErrChunkTrailer
	}
	return end + 1, ChunkTrailer, line, nil
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// AppendChunk writes data as one chunk the way haproxy re-encodes a body:
// upper-case hex size, CRLF, data, CRLF. Empty data writes nothing.
func AppendChunk(dst, data []byte) []byte {
	if len(data) == 0 {
		return dst
	}
	dst = appendHex(dst, uint64(len(data)))
	dst = append(dst, '\r', '\n')
	dst = append(dst, data...)
	return append(dst, '\r', '\n')
}

// AppendLastChunk writes the zero-size chunk that starts the trailers.
func AppendLastChunk(dst []byte) []byte { return append(dst, '0', '\r', '\n') }

// AppendTrailer writes one trailer field with its name in lower case and
// the line breaks of an obs-fold turned into spaces, as haproxy forwards
// trailers. Finish the block with a CRLF.
func AppendTrailer(dst, line []byte) []byte {
	i := bytes.IndexByte(line, ':')
	for _, c := range line[:i] {
		dst = append(dst, lower(c))
	}
	v := line[i+1:]
	for len(v) > 0 && isLWS(v[0]) {
		v = v[1:]
	}
	for len(v) > 0 && isLWS(v[len(v)-1]) {
		v = v[:len(v)-1]
	}
	dst = append(dst, ':', ' ')
	for _, c := range v {
		if c == '\r' || c == '\n' {
			c = ' '
		}
		dst = append(dst, c)
	}
	return append(dst, '\r', '\n')
}

func appendHex(dst []byte, v uint64) []byte {
	const digits = "0123456789ABCDEF"
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = digits[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}
