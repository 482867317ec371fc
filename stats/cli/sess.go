package cli

import (
	"strconv"
	"strings"
)

// HumanTime is haproxy's human_time() for t seconds: at most two units among d, h, m, s,
// and "0s" for zero.
func HumanTime(t int64) string {
	if t < 0 {
		return "?"
	}
	var b strings.Builder
	cnt := 2
	if t >= 86400 {
		b.WriteString(strconv.FormatInt(t/86400, 10) + "d")
		cnt--
	}
	if cnt > 0 && t%86400/3600 != 0 {
		b.WriteString(strconv.FormatInt(t%86400/3600, 10) + "h")
		cnt--
	}
	if cnt > 0 && t%3600/60 != 0 {
		b.WriteString(strconv.FormatInt(t%3600/60, 10) + "m")
		cnt--
	}
	if (cnt > 0 && t%60 != 0) || t == 0 {
		b.WriteString(strconv.FormatInt(t%60, 10) + "s")
	}
	return b.String()
}

// hexAlt is C's "%#x": "0" for zero, "0x.." otherwise.
func hexAlt(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// sessFlags are the flag words haproxy 2.6.12 prints for a stream in
// each state (measured with "show sess" on streams waiting in a queue,
// for a response, forwarding one, and on a connected TCP session):
// request channel flags and analysers, response channel flags and
// analysers, front and back stream-connector state and flags.
var sessFlags = [...]struct {
	rqF, rqAn, rpF, rpAn string
	scfF, scbSt, scbF    string
}{
	SessWaitServer:   {"4dc00000", "8000", "80000000", "00", "280", "2", "11"},
	SessWaitResponse: {"49c40000", "8000", "80400000", "1400000", "80", "8", "11"},
	SessResponse:     {"49c40000", "8000", "80040000", "4000000", "80", "8", "11"},
	SessTCP:          {"84a020", "00", "80008000", "00", "0", "8", "1"},
}

// tcpRequestFlags are the request channel's flags and read timer of a
// connected TCP session as haproxy 2.6.12 prints them (measured): 0x40000
// once the client sent data, 0xa020 instead of 0x8000 once it closed its
// side (and then no read timer).
func tcpRequestFlags(ss Session) (flags, rx string) {
	f := uint64(0x800000)
	if ss.ClientData {
		f |= 0x40000
	}
	if ss.ClientClosed {
		f |= 0xa020
	} else {
		f |= 0x8000
		if ss.ReqExpireSec >= 0 {
			rx = HumanTime(ss.ReqExpireSec)
		}
	}
	return strconv.FormatUint(f, 16), rx
}

// appendSessLine writes one "show sess" summary line in haproxy's layout
// (cli_io_handler_dump_sess). The CLI's own line (own=true) shows the
// values haproxy shows for an idle CLI stream; the engine's streams show
// their state's flags, their buffered bytes, their descriptors and the
// time left before the timeout they wait on (rx of the response channel
// while a server is expected to talk, and the stream's expiry).
func appendSessLine(b []byte, ss Session, own bool, epoch uint64, timeout int64) []byte {
	b = append(b, "0x"...)
	b = strconv.AppendUint(b, ss.ID, 16)
	b = append(b, ": proto="...)
	b = append(b, ss.Proto...)
	be, srv := ss.Backend, ss.Server
	if be == "" {
		be = "<NONE>"
	}
	if srv == "" {
		srv = "<none>"
	}
	b = append(b, " src="+ss.Src+" fe="+ss.Frontend+" be="+be+" srv="+srv...)
	b = append(b, " ts=00 epoch="+hexAlt(epoch)+" age="+HumanTime(ss.AgeSec)...)
	b = append(b, " calls="...)
	b = strconv.AppendUint(b, uint64(ss.Calls), 10)
	b = append(b, " rate="...)
	if own {
		b = strconv.AppendUint(b, uint64(ss.Calls), 10)
	} else {
		b = strconv.AppendUint(b, uint64(ss.Rate), 10)
	}
	b = append(b, " cpu=0 lat=0"...)
	if own {
		rx := HumanTime(timeout)
		b = append(b, " rq[f=c08002h,i=0,an=00h,rx="+rx+",wx=,ax=] rp[f=80008000h,i=0,an=00h,rx=,wx=,ax=]"...)
		b = append(b, " scf=[8,0h,fd="+strconv.Itoa(ss.FrontFD)+"] scb=[8,1h,fd=-1]"...)
		return append(b, " exp="+HumanTime(timeout)+" rc=0 c_exp=\n"...)
	}
	fl := sessFlags[SessWaitServer]
	if int(ss.State) < len(sessFlags) {
		fl = sessFlags[ss.State]
	}
	exp := ""
	if ss.ExpireSec >= 0 {
		exp = HumanTime(ss.ExpireSec)
	}
	rpRx, cExp := "", ""
	if ss.State == SessWaitServer {
		cExp = exp // the connect (or queue) timer
	} else {
		rpRx = exp // the server's read timer
	}
	rqF, rqRx := fl.rqF, ""
	if ss.State == SessTCP {
		rqF, rqRx = tcpRequestFlags(ss)
		if ss.ReqExpireSec >= 0 && (ss.ReqExpireSec < ss.ExpireSec || ss.ExpireSec < 0) {
			exp = HumanTime(ss.ReqExpireSec)
		}
	}
	b = append(b, " rq[f="+rqF+"h,i="+strconv.FormatUint(uint64(ss.ReqBytes), 10)+",an="+fl.rqAn+"h,rx="+rqRx+",wx=,ax=]"...)
	b = append(b, " rp[f="+fl.rpF+"h,i="+strconv.FormatUint(uint64(ss.RespBytes), 10)+",an="+fl.rpAn+"h,rx="+rpRx+",wx=,ax=]"...)
	b = append(b, " scf=[8,"+fl.scfF+"h,fd="+strconv.Itoa(ss.FrontFD)+"]"...)
	b = append(b, " scb=["+fl.scbSt+","+fl.scbF+"h,fd="+strconv.Itoa(ss.BackFD)+"]"...)
	return append(b, " exp="+exp+" rc=0 c_exp="+cExp+"\n"...)
}

// cmdShowSess lists the streams: the engine's, then the CLI's own one
// (haproxy lists streams in creation order; the CLI stream asking is the
// newest). "show sess <id>" prints that stream's summary line or
// "Session not found.".
func cmdShowSess(s *session, args []string) string {
	if !s.has(LevelOperator) {
		return permissionDenied
	}
	sessions := s.rt().Sessions()
	own := Session{ID: s.id, Proto: s.proto, Src: s.src, Frontend: "GLOBAL", FrontFD: s.fd, BackFD: -1, Calls: 1}
	target := arg(args, 2)
	if target != "" && target != "all" {
		id, err := strconv.ParseUint(strings.TrimPrefix(target, "0x"), 16, 64)
		if err == nil {
			for _, ss := range sessions {
				if ss.ID == id {
					return string(appendSessLine(nil, ss, false, 0, 0))
				}
			}
			if id == own.ID {
				return string(appendSessLine(nil, own, true, s.epoch, int64(s.timeout.Seconds())))
			}
		}
		return "Session not found.\n"
	}
	var b []byte
	for _, ss := range sessions {
		b = appendSessLine(b, ss, false, 0, 0)
	}
	return string(appendSessLine(b, own, true, s.epoch, int64(s.timeout.Seconds())))
}
