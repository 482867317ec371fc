package log

import (
	"net/netip"
	"time"
)

// Append renders r through the program and appends the message to dst.
// maxLen bounds the message as haproxy's global max_syslog_len does (the
// largest `len` of the log targets; 0 means DefaultMaxLen): at most
// maxLen-1 bytes are written. An empty result means "nothing to log", as
// in haproxy. Append does not allocate when dst has room.
func (p *Program) Append(dst []byte, r *Record, maxLen int) []byte {
	if maxLen <= 0 {
		maxLen = DefaultMaxLen
	}
	w := lineWriter{buf: dst, end: len(dst) + maxLen}
	lastIsSpace := true
	nspaces := 0
	for i := range p.nodes {
		n := &p.nodes[i]
		mark := len(w.buf)
		ok, stop := true, false
		switch n.kind {
		case kindSeparator:
			if !lastIsSpace {
				ok = w.char(' ')
				lastIsSpace = true
			}
			if !ok {
				return w.buf
			}
			continue
		case kindText:
			if w.strlcpy2(n.text) == 0 {
				return w.buf
			}
		case kindSample:
			var v []byte
			if n.sample < len(r.Samples) {
				v = r.Samples[n.sample]
			}
			if n.http {
				w.encodeWith(bytesView(v), '%', httpEncode, n.opts)
				break
			}
			ok = w.text(v, n.opts)
		case kindClientIP:
			ok, stop = w.ip(r.Client, r.UnixListener, n.opts)
		case kindClientPort:
			ok, stop = w.port(r.Client, r.UnixListener, r.ListenerID, n.opts)
		case kindFrontendIP:
			ok, stop = w.ip(r.Frontend, r.UnixListener && !r.NoFrontendAddr, n.opts)
		case kindFrontendPort:
			ok, stop = w.port(r.Frontend, r.UnixListener && !r.NoFrontendAddr, r.ListenerID, n.opts)
		case kindBackendIP:
			ok, stop = w.ip(r.BackendSource, false, n.opts)
		case kindBackendPort:
			ok, stop = w.port(r.BackendSource, false, 0, n.opts)
		case kindServerIP:
			ok, stop = w.ip(r.Server, false, n.opts)
		case kindServerPort:
			ok, stop = w.port(r.Server, false, 0, n.opts)
		case kindDate:
			ok = w.date(r.AcceptDate, tailMillis)
		case kindReqDate:
			ok = w.date(r.requestDate(), tailMillis)
		case kindDateGMT:
			ok = w.date(r.AcceptDate.UTC(), tailGMT)
		case kindReqDateGMT:
			ok = w.date(r.requestDate().UTC(), tailGMT)
		case kindDateLocal:
			ok = w.date(r.AcceptDate, tailOffset)
		case kindReqDateLocal:
			ok = w.date(r.requestDate(), tailOffset)
		case kindTimestamp:
			if n.opts&OptHexa != 0 {
				ok, stop = w.hex(uint64(uint32(r.AcceptDate.Unix())), 4)
			} else {
				ok = w.int(r.AcceptDate.Unix())
			}
		case kindMillis:
			ms := uint64(r.AcceptDate.Nanosecond() / 1e6)
			if n.opts&OptHexa != 0 {
				ok, stop = w.hex(ms, 2)
			} else if w.size() < 4 {
				ok = false
			} else {
				w.buf = appendPad(w.buf, ms, 3)
			}
		case kindFrontend:
			ok = w.textString(r.FrontendName, true, n.opts)
		case kindFrontendXprt:
			if n.opts&OptQuote != 0 && !w.char('"') {
				return w.buf
			}
			if w.strlcpy2(r.FrontendName) == 0 {
				return w.buf
			}
			if r.FrontendSSL && !w.char('~') {
				return w.buf
			}
			if n.opts&OptQuote != 0 && !w.char('"') {
				return w.buf
			}
		case kindSSLCipher:
			ok = w.textString(r.SSLCipher, true, n.opts)
		case kindSSLVersion:
			ok = w.textString(r.SSLVersion, true, n.opts)
		case kindBackend:
			ok = w.textString(r.BackendName, true, n.opts)
		case kindServer:
			name := r.ServerName
			if name == "" {
				name = "<NOSRV>"
			}
			ok = w.textString(name, true, n.opts)
		case kindTh:
			ok = w.int(r.Handshake)
		case kindTi:
			ok = w.int(r.Idle)
		case kindTR:
			v := int64(-1)
			if r.Request >= 0 {
				v = r.Request - r.Idle - r.Handshake
			}
			ok = w.int(v)
		case kindTq:
			ok = w.int(r.Request)
		case kindTw:
			ok = w.int(since(r.Queue, r.Request))
		case kindTc:
			ok = w.int(since(r.Connect, r.Queue))
		case kindTr:
			ok = w.int(since(r.Data, r.Connect))
		case kindTd:
			if r.BackendHTTP {
				ok = w.int(until(r.Data, r.Close))
			} else {
				ok = w.int(until(r.Connect, r.Close))
			}
		case kindTa, kindTt, kindTu:
			if r.LogASAP && !w.char('+') {
				return w.buf
			}
			mark = len(w.buf)
			v := r.Close
			switch {
			case n.kind == kindTa && r.Idle >= 0:
				v -= r.Idle + r.Handshake
			case n.kind == kindTu && r.Idle >= 0:
				v -= r.Idle
			}
			ok = w.int(v)
		case kindStatus:
			ok = w.int(int64(r.Status))
		case kindBytesOut:
			if r.LogASAP && !w.char('+') {
				return w.buf
			}
			mark = len(w.buf)
			ok = w.int(r.BytesOut)
		case kindBytesIn:
			ok = w.int(r.BytesIn)
		case kindClientCookie:
			ok = w.textString(bytesView(r.ClientCookie), true, n.opts)
		case kindServerCookie:
			ok = w.textString(bytesView(r.ServerCookie), true, n.opts)
		case kindTermState:
			if !w.char(orDash(r.TermCause)) || !w.char(orDash(r.TermPhase)) {
				return w.buf
			}
		case kindTermStateCk:
			ck, sck := byte('-'), byte('-')
			if r.BackendCookies {
				ck, sck = orN(r.ClientCookieState), orN(r.ServerCookieState)
			}
			if !w.char(orDash(r.TermCause)) || !w.char(orDash(r.TermPhase)) || !w.char(ck) || !w.char(sck) {
				return w.buf
			}
		case kindActConn:
			ok = w.int(r.ActConn)
		case kindFeConn:
			ok = w.int(r.FeConn)
		case kindBeConn:
			ok = w.int(r.BeConn)
		case kindSrvConn:
			ok = w.int(r.SrvConn)
		case kindRetries:
			if r.Redispatched && !w.char('+') {
				return w.buf
			}
			mark = len(w.buf)
			ok = w.int(int64(r.Retries))
		case kindSrvQueue:
			ok = w.int(r.SrvQueue)
		case kindBackendQueue:
			ok = w.int(r.BackendQueue)
		case kindReqHeaders, kindRspHeaders:
			caps := r.RequestCaptures
			if n.kind == kindRspHeaders {
				caps = r.ResponseCaptures
			}
			if len(caps) == 0 {
				continue // prints nothing, and leaves the separator state alone
			}
			if !w.captureBlock(caps, n.opts) {
				return w.buf
			}
		case kindReqHdrList, kindRspHdrList:
			caps := r.RequestCaptures
			if n.kind == kindRspHdrList {
				caps = r.ResponseCaptures
			}
			if len(caps) == 0 {
				continue
			}
			if !w.captureList(caps, n.opts) {
				return w.buf
			}
		case kindRequest:
			q := n.opts&OptQuote != 0
			if q && !w.char('"') {
				return w.buf
			}
			if r.RequestLine == nil {
				w.encode(badReq, urlEncode, n.opts)
			} else {
				w.encodeCString(bytesView(r.RequestLine), urlEncode, n.opts)
			}
			if q && !w.char('"') {
				return w.buf
			}
		case kindPath, kindPathOnly, kindQuery, kindURI, kindMethod, kindVersion:
			q := n.opts&OptQuote != 0
			if q && !w.char('"') {
				return w.buf
			}
			w.encode(requestPart(n.kind, r.RequestLine, &nspaces), urlEncode, n.opts)
			if q && !w.char('"') {
				return w.buf
			}
		case kindReqCounter:
			if n.opts&OptHexa != 0 {
				ok, stop = w.hex(uint64(r.RequestCounter), 4)
			} else {
				ok = w.int(int64(r.RequestCounter))
			}
		case kindLogCount:
			if n.opts&OptHexa != 0 {
				ok, stop = w.hex(uint64(r.LogCounter), 4)
			} else {
				ok = w.int(int64(r.LogCounter))
			}
		case kindHostname:
			ok = w.textString(r.Hostname, true, n.opts)
		case kindPID:
			if n.opts&OptHexa != 0 {
				ok, stop = w.hex(uint64(uint32(r.PID)), 4)
			} else {
				ok = w.int(int64(r.PID))
			}
		case kindUniqueID:
			ok = w.text(r.UniqueID, n.opts)
		}
		if !ok {
			w.buf = w.buf[:mark]
			return w.buf
		}
		lastIsSpace = false
		if stop {
			return w.buf
		}
	}
	return w.buf
}

const badReq = "<BADREQ>"

// since is "X - Y when X happened", the shape of most haproxy timers.
func since(x, y int64) int64 {
	if x >= 0 {
		return x - y
	}
	return -1
}

// until is "end - X when X happened".
func until(x, end int64) int64 {
	if x >= 0 {
		return end - x
	}
	return -1
}

func orDash(c byte) byte {
	if c == 0 {
		return '-'
	}
	return c
}

func orN(c byte) byte {
	if c == 0 {
		return 'N'
	}
	return c
}

// requestDate is %tr's date: accept date plus the handshake and idle
// times, when the idle time is known.
func (r *Record) requestDate() time.Time {
	if r.Idle >= 0 {
		return r.AcceptDate.Add(time.Duration(r.Idle+r.Handshake) * time.Millisecond)
	}
	return r.AcceptDate
}

// ip is lf_ip(): text address (through lf_text, so quoting applies), or
// upper-case hex of the address bytes with +X.
func (w *lineWriter) ip(a netip.AddrPort, unix bool, opts Options) (ok, stop bool) {
	if unix {
		if opts&OptHexa != 0 {
			return false, false
		}
		return w.textString("unix", true, opts), false
	}
	if !a.IsValid() {
		return w.textString("", false, opts), false
	}
	addr := a.Addr()
	if opts&OptHexa != 0 {
		var tmp [32]byte
		b := tmp[:0]
		if addr.Is4() {
			v := addr.As4()
			for _, c := range v {
				b = append(b, hexDigits[c>>4], hexDigits[c&15])
			}
		} else {
			v := addr.As16()
			for _, c := range v {
				b = append(b, hexDigits[c>>4], hexDigits[c&15])
			}
		}
		return w.rawSnprintf(b)
	}
	var tmp [64]byte
	return w.textString(bytesView(addr.AppendTo(tmp[:0])), true, opts), false
}

// port is lf_port(); unix listeners print their listener id.
func (w *lineWriter) port(a netip.AddrPort, unix bool, id int, opts Options) (ok, stop bool) {
	if unix {
		return w.int(int64(id)), false
	}
	if !a.IsValid() {
		return w.textString("", false, opts), false
	}
	if opts&OptHexa != 0 {
		p := a.Port()
		b := [4]byte{hexDigits[p>>12&15], hexDigits[p>>8&15], hexDigits[p>>4&15], hexDigits[p&15]}
		return w.rawSnprintf(b[:])
	}
	return w.int(int64(a.Port())), false
}

// captureBlock is %hr/%hs: {v1|v2|...}, optionally quoted.
func (w *lineWriter) captureBlock(caps [][]byte, opts Options) bool {
	q := opts&OptQuote != 0
	if q && !w.char('"') {
		return false
	}
	if !w.char('{') {
		return false
	}
	for i, c := range caps {
		if i > 0 && !w.char('|') {
			return false
		}
		if c != nil {
			w.encodeCString(bytesView(c), hdrEncode, opts)
		}
	}
	if !w.char('}') {
		return false
	}
	return !q || w.char('"')
}

// captureList is %hrl/%hsl: values separated by spaces, '-' for an absent
// one unless quoted.
func (w *lineWriter) captureList(caps [][]byte, opts Options) bool {
	q := opts&OptQuote != 0
	for i, c := range caps {
		if i > 0 && !w.char(' ') {
			return false
		}
		if q && !w.char('"') {
			return false
		}
		if c != nil {
			w.encodeCString(bytesView(c), hdrEncode, opts)
		} else if !q && !w.char('-') {
			return false
		}
		if q && !w.char('"') {
			return false
		}
	}
	return true
}
