package log

import (
	"strings"
	"time"
)

// DefaultMaxLen is haproxy's default syslog line length (MAX_SYSLOG_LEN);
// the rendered message is limited to the largest `len` of all log targets.
const DefaultMaxLen = 1024

// lineWriter mirrors sess_build_logline()'s output cursor: the message may
// use at most end-1 bytes (one is kept for the C string terminator), and
// each helper keeps haproxy's rule about what survives when space runs out.
type lineWriter struct {
	buf []byte
	end int // absolute len(buf) limit including the terminator
}

func (w *lineWriter) size() int { return w.end - len(w.buf) }

// char is LOGCHAR(): append one byte if room remains.
func (w *lineWriter) char(c byte) bool {
	if len(w.buf) < w.end-1 {
		w.buf = append(w.buf, c)
		return true
	}
	return false
}

// strlcpy2 copies as much of s as fits and returns how much it copied.
func (w *lineWriter) strlcpy2(s string) int {
	n := len(s)
	if n > w.size()-1 {
		n = w.size() - 1
	}
	if n < 0 {
		n = 0
	}
	for i := 0; i < n; i++ {
		if s[i] == 0 {
			n = i
			break
		}
	}
	w.buf = append(w.buf, s[:n]...)
	return n
}

// int writes a decimal number only if it fits whole (ltoa_o, lltoa).
func (w *lineWriter) int(n int64) bool {
	var tmp [24]byte
	b := appendInt(tmp[:0], n)
	if len(b)+1 > w.size() {
		return false
	}
	w.buf = append(w.buf, b...)
	return true
}

func appendInt(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		return appendUint(b, uint64(-n))
	}
	return appendUint(b, uint64(n))
}

func appendUint(b []byte, n uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// appendPad writes n on exactly width digits (utoa_pad with size width+1).
func appendPad(b []byte, n uint64, width int) []byte {
	start := len(b)
	for i := 0; i < width; i++ {
		b = append(b, '0')
	}
	for i := len(b) - 1; i >= start && n > 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}

// hex writes n as %0*X: like snprintf, a result that does not fit is
// refused, except the one-byte-short case haproxy accepts truncated.
func (w *lineWriter) hex(n uint64, width int) (ok, stop bool) {
	var tmp [24]byte
	b := tmp[:0]
	digits := 1
	for v := n >> 4; v > 0; v >>= 4 {
		digits++
	}
	for ; digits < width; digits++ {
		b = append(b, '0')
	}
	start := len(b)
	for v := n; ; v >>= 4 {
		b = append(b, hexDigits[v&15])
		if v <= 15 {
			break
		}
	}
	for i, j := start, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return w.rawSnprintf(b)
}

// rawSnprintf applies snprintf's truncation and haproxy's "iret > size"
// test to an already formatted value.
func (w *lineWriter) rawSnprintf(b []byte) (ok, stop bool) {
	size := w.size()
	if len(b) > size {
		return false, false
	}
	if len(b) == size { // snprintf dropped the last byte, haproxy moved on
		w.buf = append(w.buf, b[:size-1]...)
		return true, true
	}
	w.buf = append(w.buf, b...)
	return true, false
}

// text is lf_text_len(): optional quotes, optional +E escaping, '-' for a
// missing mandatory value. It commits nothing when it fails.
func (w *lineWriter) text(src []byte, opts Options) bool {
	return w.textString(bytesView(src), src != nil, opts)
}

func (w *lineWriter) textString(src string, present bool, opts Options) bool {
	mark := len(w.buf)
	size := w.size()
	if size < 2 {
		return false
	}
	if opts&OptQuote != 0 {
		w.buf = append(w.buf, '"')
		size--
	}
	// haproxy tests the value's length, then copies it as a C string: a
	// value starting with NUL prints nothing rather than '-'.
	hasValue := present && len(src) > 0
	if i := indexNUL(src); i >= 0 {
		src = src[:i]
	}
	if hasValue {
		var copied int
		if opts&OptEscape != 0 {
			// haproxy 2.6.12 carries the backport of "BUG/MINOR: log:
			// improper behavior when escaping log data": escape_string()
			// gets dst+size-1 as its end, so at most size-2 bytes come out.
			stop := len(w.buf) + size - 2
			if size-1 <= 0 {
				w.buf = w.buf[:mark]
				return false
			}
			start := len(w.buf)
			for i := 0; len(w.buf) < stop && i < len(src); i++ {
				c := src[i]
				if !rfc5424Escape[c] {
					w.buf = append(w.buf, c)
					continue
				}
				if len(w.buf)+2 >= stop {
					break
				}
				w.buf = append(w.buf, '\\', c)
			}
			copied = len(w.buf) - start
		} else {
			n := len(src) + 1
			if n > size {
				n = size
			}
			copied = n - 1
			w.buf = append(w.buf, src[:copied]...)
		}
		size -= copied
	} else if opts&(OptQuote|OptMandatory) == OptMandatory {
		if size < 2 {
			w.buf = w.buf[:mark]
			return false
		}
		w.buf = append(w.buf, '-')
		size--
	}
	if opts&OptQuote != 0 {
		if size < 2 {
			w.buf = w.buf[:mark]
			return false
		}
		w.buf = append(w.buf, '"')
	}
	return true
}

func indexNUL(s string) int { return strings.IndexByte(s, 0) }

// encode is lf_encode_string()/lf_encode_chunk(): bytes of set become
// '#XX'; under +E, '"', '\' and ']' get a backslash. It silently stops
// when the line is full.
func (w *lineWriter) encode(s string, set *byteSet, opts Options) {
	w.encodeWith(s, '#', set, opts)
}

// encodeWith is encode() with another escape character ('%' for the
// samples of unique-id-format).
func (w *lineWriter) encodeWith(s string, escape byte, set *byteSet, opts Options) {
	stop := w.end - 1
	if len(w.buf) >= w.end {
		return
	}
	esc := opts&OptEscape != 0
	for i := 0; i < len(s) && len(w.buf) < stop; {
		// Copy the run of bytes that need no encoding in one go.
		j := i
		for j < len(s) && !set[s[j]] && !(esc && rfc5424Escape[s[j]]) {
			j++
		}
		if run := j - i; run > 0 {
			if room := stop - len(w.buf); run > room {
				run = room
			}
			w.buf = append(w.buf, s[i:i+run]...)
			i += run
			continue
		}
		c := s[i]
		if !set[c] { // +E: backslash before '"', '\' or ']'
			if len(w.buf)+2 >= stop {
				break
			}
			w.buf = append(w.buf, '\\', c)
			i++
			continue
		}
		if len(w.buf)+3 >= stop {
			break
		}
		w.buf = append(w.buf, escape, hexDigits[c>>4], hexDigits[c&15])
		i++
	}
}

// encodeCString is encode() for values haproxy holds as C strings.
func (w *lineWriter) encodeCString(s string, set *byteSet, opts Options) {
	if i := indexNUL(s); i >= 0 {
		s = s[:i]
	}
	w.encode(s, set, opts)
}

var monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// date writes "dd/Mmm/yyyy:HH:MM:SS" then suffix; tail picks the
// variant: milliseconds (date2str_log), "+0000" (gmt2str_log) or the
// local offset (localdate2str_log).
func (w *lineWriter) date(t time.Time, tail int) bool {
	need := 25
	if tail != tailMillis {
		need = 27
	}
	if w.size() < need {
		return false
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b := w.buf
	b = appendPad(b, uint64(d), 2)
	b = append(b, '/')
	b = append(b, monthNames[mo-1]...)
	b = append(b, '/')
	b = appendPad(b, uint64(y), 4)
	b = append(b, ':')
	b = appendPad(b, uint64(h), 2)
	b = append(b, ':')
	b = appendPad(b, uint64(mi), 2)
	b = append(b, ':')
	b = appendPad(b, uint64(s), 2)
	switch tail {
	case tailMillis:
		b = append(b, '.')
		b = appendPad(b, uint64(t.Nanosecond()/1e6)%1000, 3)
	case tailGMT:
		b = append(b, " +0000"...)
	case tailOffset:
		b = append(b, ' ')
		b = appendOffset(b, t, false)
	}
	w.buf = b
	return true
}

const (
	tailMillis = iota
	tailGMT
	tailOffset
)

// appendOffset writes the zone offset as "+hhmm" (or "+hh:mm").
func appendOffset(b []byte, t time.Time, colon bool) []byte {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	off %= 86400
	off /= 60
	b = append(b, sign)
	b = appendPad(b, uint64(off/60), 2)
	if colon {
		b = append(b, ':')
	}
	return appendPad(b, uint64(off%60), 2)
}
