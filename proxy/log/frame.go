package log

import (
	"time"
)

// Header carries what build_log_header() (src/log.c) needs besides the
// format: the sender's identity and the time of emission.
type Header struct {
	Format   Format
	Facility int
	Level    int
	// Hostname is log-send-hostname's value; empty when not configured.
	// It turns the default format into rfc3164 and fills rfc5424's
	// HOSTNAME; rfc3164 without it says "localhost".
	Hostname string
	Tag      string // log-tag, "haproxy" by default
	PID      int
	// StructuredData is the rendered log-format-sd ("- " by default);
	// trailing spaces are dropped as haproxy does.
	StructuredData []byte
	// Time is when the message is sent: rfc3164/local print its second
	// in its Location, rfc5424/timed/iso its microsecond.
	Time time.Time
}

// effectiveFormat resolves FormatUnspec as haproxy does for its own logs.
func (h *Header) effectiveFormat() Format {
	if h.Format != FormatUnspec {
		return h.Format
	}
	if h.Hostname != "" {
		return FormatRFC3164
	}
	if h.Tag != "" {
		return FormatLocal
	}
	return FormatRaw
}

// AppendHeader appends the syslog header of h's format to dst.
func AppendHeader(dst []byte, h *Header) []byte {
	f := h.effectiveFormat()
	switch f {
	case FormatLocal, FormatRFC3164, FormatRFC5424, FormatPriority:
		dst = appendPriority(dst, h.Facility<<3+h.Level)
	case FormatTimed, FormatShort:
		dst = appendPriority(dst, h.Level)
	}
	switch f {
	case FormatLocal, FormatRFC3164:
		// "Mmm dd hh:mm:ss " with a space-padded day (RFC 3164 §4.1.2).
		t := h.Time
		_, mo, d := t.Date()
		hh, mm, ss := t.Clock()
		dst = append(dst, monthNames[mo-1]...)
		dst = append(dst, ' ')
		if d < 10 {
			dst = append(dst, ' ')
		}
		dst = appendUint(dst, uint64(d))
		dst = append(dst, ' ')
		dst = appendPad(dst, uint64(hh), 2)
		dst = append(dst, ':')
		dst = appendPad(dst, uint64(mm), 2)
		dst = append(dst, ':')
		dst = appendPad(dst, uint64(ss), 2)
		dst = append(dst, ' ')
	case FormatRFC5424:
		dst = append(dst, "1 "...)
		dst = appendISOTime(dst, h.Time)
	case FormatTimed, FormatISO:
		dst = appendISOTime(dst, h.Time)
	}
	switch f {
	case FormatRFC3164:
		if h.Hostname != "" {
			dst = append(dst, h.Hostname...)
			dst = append(dst, ' ')
		} else {
			dst = append(dst, "localhost "...)
		}
		fallthrough
	case FormatLocal:
		if h.Tag == "" {
			break
		}
		dst = append(dst, h.Tag...)
		dst = append(dst, '[')
		dst = appendUint(dst, uint64(h.PID))
		dst = append(dst, "]: "...)
	case FormatRFC5424:
		dst = appendOrNil(dst, h.Hostname)
		dst = appendOrNil(dst, h.Tag)
		dst = appendUint(dst, uint64(h.PID))
		dst = append(dst, ' ')
		dst = append(dst, "- "...) // MSGID
		sd := h.StructuredData
		for len(sd) > 0 && sd[len(sd)-1] == ' ' {
			sd = sd[:len(sd)-1]
		}
		dst = appendOrNil(dst, bytesView(sd))
	}
	return dst
}

func appendOrNil(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "- "...)
	}
	dst = append(dst, s...)
	return append(dst, ' ')
}

func appendPriority(dst []byte, prio int) []byte {
	dst = append(dst, '<')
	dst = appendUint(dst, uint64(prio))
	return append(dst, '>')
}

// appendISOTime writes timeofday_as_iso_us(1): local time with
// microseconds and a "+hh:mm" offset, then a space.
func appendISOTime(dst []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	hh, mm, ss := t.Clock()
	dst = appendPad(dst, uint64(y), 4)
	dst = append(dst, '-')
	dst = appendPad(dst, uint64(mo), 2)
	dst = append(dst, '-')
	dst = appendPad(dst, uint64(d), 2)
	dst = append(dst, 'T')
	dst = appendPad(dst, uint64(hh), 2)
	dst = append(dst, ':')
	dst = appendPad(dst, uint64(mm), 2)
	dst = append(dst, ':')
	dst = appendPad(dst, uint64(ss), 2)
	dst = append(dst, '.')
	dst = appendPad(dst, uint64(t.Nanosecond()/1000), 6)
	dst = appendOffset(dst, t, true)
	return append(dst, ' ')
}

// trimMessage drops the trailing LFs and NULs haproxy strips before
// sending.
func trimMessage(msg []byte) []byte {
	for len(msg) > 0 && (msg[len(msg)-1] == '\n' || msg[len(msg)-1] == 0) {
		msg = msg[:len(msg)-1]
	}
	return msg
}

// AppendDatagram appends the datagram haproxy sends to a UDP or unix
// socket target: header and message cut together at maxLen bytes (`len`,
// 0 meaning DefaultMaxLen), then a '\n' that the cut never removes.
func AppendDatagram(dst []byte, h *Header, msg []byte, maxLen int) []byte {
	return appendFramed(dst, h, msg, maxLen)
}

// AppendStreamLine appends what haproxy writes to a stdout/stderr/fd
// target: header and message cut at maxLen-1 bytes, then '\n'
// (fd_write_frag_line()).
func AppendStreamLine(dst []byte, h *Header, msg []byte, maxLen int) []byte {
	if maxLen <= 0 {
		maxLen = DefaultMaxLen
	}
	return appendFramed(dst, h, msg, maxLen-1)
}

func appendFramed(dst []byte, h *Header, msg []byte, maxLen int) []byte {
	if maxLen <= 0 {
		maxLen = DefaultMaxLen
	}
	start := len(dst)
	dst = AppendHeader(dst, h)
	if len(dst)-start > maxLen {
		dst = dst[:start+maxLen]
	}
	msg = trimMessage(msg)
	if room := maxLen - (len(dst) - start); len(msg) > room {
		msg = msg[:room]
	}
	dst = append(dst, msg...)
	return append(dst, '\n')
}
