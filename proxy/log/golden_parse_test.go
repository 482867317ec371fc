package log

// Reading golden lines back: the syslog header and, through a regular
// expression built from the compiled program, every value a log line
// shows. The values then go into a Record that is rendered again; the
// test requires the very same bytes.

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// parsedHeader is what a golden line's syslog header says.
type parsedHeader struct {
	time     time.Time
	hostname string
	tag      string
	pid      int
	sd       string
	msg      string
}

var (
	reLocal   = regexp.MustCompile(`^<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) ([^\[ ]+)\[(\d+)\]: (.*)$`)
	reRFC3164 = regexp.MustCompile(`^<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) (\S+) ([^\[ ]+)\[(\d+)\]: (.*)$`)
	reRFC5424 = regexp.MustCompile(`^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\]|\\.)*\])+) (.*)$`)
	rePrio    = regexp.MustCompile(`^<(\d+)>(.*)$`)
	reTimed   = regexp.MustCompile(`^<(\d+)>(\S+) (.*)$`)
	reISO     = regexp.MustCompile(`^(\S+) (.*)$`)
)

func parseLegacyTime(s string) (time.Time, error) {
	return time.ParseInLocation("Jan _2 15:04:05", s, time.Local)
}

func parseHeaderLine(f Format, hostname bool, line string) (parsedHeader, error) {
	var h parsedHeader
	if f == FormatUnspec {
		f = FormatLocal
		if hostname {
			f = FormatRFC3164
		}
	}
	var err error
	fail := func() (parsedHeader, error) { return h, fmt.Errorf("%s header not recognised in %q", f, line) }
	switch f {
	case FormatLocal:
		m := reLocal.FindStringSubmatch(line)
		if m == nil {
			return fail()
		}
		h.time, err = parseLegacyTime(m[2])
		h.tag, h.msg = m[3], m[5]
		h.pid, _ = strconv.Atoi(m[4])
	case FormatRFC3164:
		m := reRFC3164.FindStringSubmatch(line)
		if m == nil {
			return fail()
		}
		h.time, err = parseLegacyTime(m[2])
		h.hostname, h.tag, h.msg = m[3], m[4], m[6]
		if h.hostname == "localhost" {
			h.hostname = ""
		}
		h.pid, _ = strconv.Atoi(m[5])
	case FormatRFC5424:
		m := reRFC5424.FindStringSubmatch(line)
		if m == nil {
			return fail()
		}
		h.time, err = time.Parse(time.RFC3339Nano, m[2])
		if m[3] != "-" {
			h.hostname = m[3]
		}
		h.tag, h.sd, h.msg = m[4], m[7], m[8]
		h.pid, _ = strconv.Atoi(m[5])
	case FormatPriority, FormatShort:
		m := rePrio.FindStringSubmatch(line)
		if m == nil {
			return fail()
		}
		h.msg = m[2]
	case FormatTimed:
		m := reTimed.FindStringSubmatch(line)
		if m == nil {
			return fail()
		}
		h.time, err = time.Parse(time.RFC3339Nano, m[2])
		h.msg = m[3]
	case FormatISO:
		m := reISO.FindStringSubmatch(line)
		if m == nil {
			return fail()
		}
		h.time, err = time.Parse(time.RFC3339Nano, m[1])
		h.msg = m[2]
	default:
		h.msg = line
	}
	return h, err
}

// frontendShape is what the verification knows about the proxy a line
// came from, beyond its log format.
type frontendShape struct {
	http, ssl, logASAP bool
	reqCaps, rspCaps   int
}

// lineParser matches a message against one compiled program.
type lineParser struct {
	prog  *Program
	shape frontendShape
	re    *regexp.Regexp
	slots []slot // one per node that captures
}

type slot struct {
	node  *node
	group int // first capture group
}

func newLineParser(p *Program, shape frontendShape) (*lineParser, error) {
	lp := &lineParser{prog: p, shape: shape}
	var b strings.Builder
	b.WriteString("^")
	group := 1
	lastIsSpace := true
	quoted := func(o Options, inner string) string {
		if o&OptQuote != 0 {
			if o&OptEscape != 0 && inner == `.*?` {
				inner = `(?:[^"\\]|\\.)*`
			}
			return `"(` + inner + `)"`
		}
		return `(` + inner + `)`
	}
	for i := range p.nodes {
		n := &p.nodes[i]
		frag := ""
		groups := 1
		switch n.kind {
		case kindSeparator:
			if !lastIsSpace {
				b.WriteString(" ")
				lastIsSpace = true
			}
			continue
		case kindText:
			b.WriteString(regexp.QuoteMeta(n.text))
			lastIsSpace = false
			continue
		case kindReqHeaders, kindRspHeaders, kindReqHdrList, kindRspHdrList:
			caps := shape.reqCaps
			if n.kind == kindRspHeaders || n.kind == kindRspHdrList {
				caps = shape.rspCaps
			}
			if caps == 0 {
				continue
			}
			if n.kind == kindReqHeaders || n.kind == kindRspHeaders {
				frag = quoted(n.opts, `\{[^{}]*\}`)
			} else {
				parts := make([]string, caps)
				for j := range parts {
					parts[j] = quoted(n.opts, `.*?`)
				}
				frag = strings.Join(parts, " ")
				groups = caps
			}
		case kindTa, kindTt, kindTu, kindBytesOut, kindRetries:
			frag = `(\+?)(-?\d+)`
			groups = 2
		case kindTh, kindTi, kindTR, kindTq, kindTw, kindTc, kindTr, kindTd, kindStatus, kindBytesIn,
			kindActConn, kindFeConn, kindBeConn, kindSrvConn, kindSrvQueue, kindBackendQueue:
			frag = `(-?\d+)`
		case kindTimestamp, kindMillis, kindReqCounter, kindLogCount, kindPID:
			if n.opts&OptHexa != 0 {
				frag = `([0-9A-F]+)`
			} else {
				frag = `(\d+)`
			}
		case kindClientPort, kindFrontendPort, kindBackendPort, kindServerPort:
			if n.opts&OptHexa != 0 {
				frag = `([0-9A-F]{4}|-|"")`
			} else {
				frag = `(\d+|-|"")`
			}
		case kindDate, kindReqDate:
			frag = `(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3})`
		case kindDateGMT, kindReqDateGMT:
			frag = `(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000)`
		case kindDateLocal, kindReqDateLocal:
			frag = `(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})`
		case kindTermState:
			frag = `(..)`
		case kindTermStateCk:
			frag = `(....)`
		case kindFrontendXprt:
			frag = quoted(n.opts, `.*?`)
		case kindRequest:
			frag = quoted(n.opts, `<BADREQ>|\S+ \S+(?: \S+)?`)
		case kindMethod, kindVersion:
			frag = quoted(n.opts, `\S+`)
		case kindPath, kindPathOnly, kindQuery, kindURI:
			frag = quoted(n.opts, `\S*`)
		default: // addresses, names, texts, samples, request parts
			if n.kind == kindClientIP || n.kind == kindFrontendIP || n.kind == kindServerIP || n.kind == kindBackendIP {
				if n.opts&OptHexa != 0 {
					frag = `([0-9A-F]+|-|"")`
					break
				}
			}
			frag = quoted(n.opts, `.*?`)
		}
		lp.slots = append(lp.slots, slot{node: n, group: group})
		group += groups
		b.WriteString(frag)
		lastIsSpace = false
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, err
	}
	lp.re = re
	return lp, nil
}

// decodeHash undoes the '#XX' encoding of headers and request lines.
func decodeHash(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && i+2 < len(s) {
			if v, err := hex.DecodeString(s[i+1 : i+3]); err == nil {
				out = append(out, v[0])
				i += 2
				continue
			}
		}
		out = append(out, s[i])
	}
	return out
}

func parseAddr(s string, hexa bool) netip.Addr {
	if s == "-" || s == "" || s == `""` {
		return netip.Addr{}
	}
	if hexa {
		b, err := hex.DecodeString(s)
		if err != nil {
			return netip.Addr{}
		}
		a, _ := netip.AddrFromSlice(b)
		return a
	}
	a, _ := netip.ParseAddr(s)
	return a
}

func parsePort(s string, hexa bool) (uint16, bool) {
	if s == "-" || s == "" || s == `""` {
		return 0, false
	}
	base := 10
	if hexa {
		base = 16
	}
	v, err := strconv.ParseUint(s, base, 16)
	return uint16(v), err == nil
}

var captureSampleRe = regexp.MustCompile(`^capture\.req\.hdr\((\d+)\)$`)

// unescape undoes +E's backslashes.
func unescape(s string, opts Options) string {
	if opts&OptEscape == 0 || !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// optional turns a rendered '-' (or an empty quoted value) back into nil.
func optional(s string) []byte {
	if s == "-" || s == "" {
		return nil
	}
	return []byte(s)
}

// parse reads msg back into a Record. Everything the line shows comes from
// the line; what it does not show keeps a neutral value.
func (lp *lineParser) parse(msg string) (*Record, error) {
	m := lp.re.FindStringSubmatch(msg)
	if m == nil {
		return nil, fmt.Errorf("line does not match %q:\n%s", lp.prog.source, msg)
	}
	r := &Record{
		BackendHTTP: lp.shape.http,
		LogASAP:     lp.shape.logASAP,
		FrontendSSL: lp.shape.ssl,
		Samples:     make([][]byte, len(lp.prog.samples)),
	}
	if lp.shape.reqCaps > 0 {
		r.RequestCaptures = make([][]byte, lp.shape.reqCaps)
	}
	if lp.shape.rspCaps > 0 {
		r.ResponseCaptures = make([][]byte, lp.shape.rspCaps)
	}
	timers := map[varKind]int64{}
	var clientIP, feIP, srvIP, bkIP netip.Addr
	var clientPort, fePort, srvPort, bkPort uint16
	var acceptMS, reqMS, gmtDate, tsDate, msOnly = time.Time{}, time.Time{}, time.Time{}, time.Time{}, -1
	var reqParts = map[varKind]string{}
	for _, s := range lp.slots {
		v := unescape(m[s.group], s.node.opts)
		hexa := s.node.opts&OptHexa != 0
		num := func() int64 { x, _ := strconv.ParseInt(v, 10, 64); return x }
		switch k := s.node.kind; k {
		case kindTa, kindTt, kindTu, kindBytesOut, kindRetries:
			x, _ := strconv.ParseInt(m[s.group+1], 10, 64)
			switch k {
			case kindBytesOut:
				r.BytesOut = x
			case kindRetries:
				r.Retries, r.Redispatched = int(x), v == "+"
			default:
				timers[k] = x
			}
		case kindTh, kindTi, kindTR, kindTq, kindTw, kindTc, kindTr, kindTd:
			timers[k] = num()
		case kindStatus:
			r.Status = int(num())
		case kindBytesIn:
			r.BytesIn = num()
		case kindActConn:
			r.ActConn = num()
		case kindFeConn:
			r.FeConn = num()
		case kindBeConn:
			r.BeConn = num()
		case kindSrvConn:
			r.SrvConn = num()
		case kindSrvQueue:
			r.SrvQueue = num()
		case kindBackendQueue:
			r.BackendQueue = num()
		case kindTimestamp:
			base := 10
			if hexa {
				base = 16
			}
			x, _ := strconv.ParseInt(v, base, 64)
			tsDate = time.Unix(x, 0)
		case kindMillis:
			base := 10
			if hexa {
				base = 16
			}
			x, _ := strconv.ParseInt(v, base, 64)
			msOnly = int(x)
		case kindReqCounter, kindLogCount, kindPID:
			base := 10
			if hexa {
				base = 16
			}
			x, _ := strconv.ParseUint(v, base, 32)
			switch k {
			case kindReqCounter:
				r.RequestCounter = uint32(x)
			case kindLogCount:
				r.LogCounter = uint32(x)
			default:
				r.PID = int(x)
			}
		case kindClientIP, kindFrontendIP:
			if v == "unix" {
				r.UnixListener = true
			} else if k == kindClientIP {
				clientIP = parseAddr(v, hexa)
			} else {
				feIP = parseAddr(v, hexa)
			}
		case kindClientPort:
			clientPort, _ = parsePort(v, hexa)
		case kindFrontendPort:
			fePort, _ = parsePort(v, hexa)
		case kindServerIP:
			srvIP = parseAddr(v, hexa)
		case kindServerPort:
			srvPort, _ = parsePort(v, hexa)
		case kindBackendIP:
			bkIP = parseAddr(v, hexa)
		case kindBackendPort:
			bkPort, _ = parsePort(v, hexa)
		case kindDate:
			acceptMS, _ = time.ParseInLocation("02/Jan/2006:15:04:05.000", v, time.Local)
		case kindReqDate:
			reqMS, _ = time.ParseInLocation("02/Jan/2006:15:04:05.000", v, time.Local)
		case kindDateGMT, kindReqDateGMT:
			gmtDate, _ = time.Parse("02/Jan/2006:15:04:05 -0700", v)
		case kindDateLocal, kindReqDateLocal:
			gmtDate, _ = time.Parse("02/Jan/2006:15:04:05 -0700", v)
		case kindTermState, kindTermStateCk:
			r.TermCause, r.TermPhase = v[0], v[1]
			if k == kindTermStateCk && (v[2] != '-' || v[3] != '-') {
				r.BackendCookies = true
				r.ClientCookieState, r.ServerCookieState = v[2], v[3]
			}
		case kindFrontendXprt:
			r.FrontendName = strings.TrimSuffix(v, "~")
		case kindFrontend:
			r.FrontendName = v
		case kindBackend:
			r.BackendName = v
		case kindServer:
			r.ServerName = v
		case kindClientCookie:
			r.ClientCookie = optional(v)
		case kindServerCookie:
			r.ServerCookie = optional(v)
		case kindHostname:
			r.Hostname = v
		case kindSSLVersion:
			r.SSLVersion = v
		case kindSSLCipher:
			r.SSLCipher = v
		case kindUniqueID:
			r.UniqueID = optional(v)
		case kindSample:
			r.Samples[s.node.sample] = optional(v)
		case kindReqHeaders, kindRspHeaders:
			caps := r.RequestCaptures
			if k == kindRspHeaders {
				caps = r.ResponseCaptures
			}
			for i, part := range strings.Split(strings.Trim(v, "{}"), "|") {
				if i < len(caps) {
					caps[i] = decodeHash(part)
				}
			}
		case kindReqHdrList, kindRspHdrList:
			caps := r.RequestCaptures
			if k == kindRspHdrList {
				caps = r.ResponseCaptures
			}
			for i := range caps {
				part := unescape(m[s.group+i], s.node.opts)
				if part == "-" && s.node.opts&OptQuote == 0 {
					caps[i] = nil
				} else {
					caps[i] = decodeHash(part)
				}
			}
		case kindRequest:
			if v != badReq {
				r.RequestLine = decodeHash(v)
			}
		default:
			reqParts[k] = v
		}
	}
	// A sample that is a request capture shows the same value.
	for _, s := range lp.slots {
		if m := captureSampleRe.FindStringSubmatch(s.node.text); s.node.kind == kindSample && m != nil && r.Samples[s.node.sample] != nil {
			i, _ := strconv.Atoi(m[1])
			if i < len(r.RequestCaptures) && r.RequestCaptures[i] != nil {
				r.Samples[s.node.sample] = r.RequestCaptures[i]
			}
		}
	}
	if r.RequestLine == nil && reqParts[kindMethod] != "" && reqParts[kindMethod] != badReq {
		r.RequestLine = []byte(reqParts[kindMethod] + " " + reqParts[kindURI] + " " + reqParts[kindVersion])
	}
	if r.UnixListener {
		r.ListenerID = int(clientPort)
		if clientPort == 0 {
			r.ListenerID = int(fePort)
		}
	}
	if clientIP.IsValid() {
		r.Client = netip.AddrPortFrom(clientIP, clientPort)
	}
	if feIP.IsValid() {
		r.Frontend = netip.AddrPortFrom(feIP, fePort)
	}
	if srvIP.IsValid() {
		r.Server = netip.AddrPortFrom(srvIP, srvPort)
	}
	if bkIP.IsValid() {
		r.BackendSource = netip.AddrPortFrom(bkIP, bkPort)
	}

	// Timers: invert haproxy's differences (see Record's documentation).
	get := func(k varKind, def int64) (int64, bool) {
		v, ok := timers[k]
		if !ok {
			return def, false
		}
		return v, true
	}
	th, _ := get(kindTh, 0)
	ti, _ := get(kindTi, 0)
	r.Handshake, r.Idle = th, ti
	r.Request = -1
	if tq, ok := get(kindTq, 0); ok {
		r.Request = tq
	} else if tr, ok := get(kindTR, 0); ok && tr >= 0 {
		r.Request = tr + ti + th
	}
	r.Queue = after(get(kindTw, -1))(r.Request)
	r.Connect = after(get(kindTc, -1))(r.Queue)
	r.Data = after(get(kindTr, -1))(r.Connect)
	if tt, ok := get(kindTt, 0); ok {
		r.Close = tt
	} else if ta, ok := get(kindTa, 0); ok {
		r.Close = ta
		if ti >= 0 {
			r.Close += ti + th
		}
	} else if tu, ok := get(kindTu, 0); ok {
		r.Close = tu + ti
	}
	if _, ok := timers[kindTr]; !ok {
		if td, ok := get(kindTd, 0); ok && r.Connect >= 0 && !r.BackendHTTP {
			r.Close = td + r.Connect
		}
	}

	// Dates: the most precise one the line shows.
	switch {
	case !acceptMS.IsZero():
		r.AcceptDate = acceptMS
	case !reqMS.IsZero():
		r.AcceptDate = reqMS
		if r.Idle >= 0 {
			r.AcceptDate = reqMS.Add(-time.Duration(r.Idle+r.Handshake) * time.Millisecond)
		}
	case !gmtDate.IsZero():
		r.AcceptDate = gmtDate.In(time.Local)
	case !tsDate.IsZero():
		r.AcceptDate = tsDate.In(time.Local)
	}
	if msOnly >= 0 && !r.AcceptDate.IsZero() {
		r.AcceptDate = r.AcceptDate.Truncate(time.Second).Add(time.Duration(msOnly) * time.Millisecond)
	}
	return r, nil
}

// after inverts "v = X - base" into X, keeping -1 for "never happened".
func after(v int64, _ bool) func(base int64) int64 {
	return func(base int64) int64 {
		if v == -1 {
			return -1
		}
		return v + base
	}
}
