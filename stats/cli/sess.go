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

// appendSessLine writes one "show sess" summary line in haproxy's layout
// (cli_io_handler_dump_sess). Internal task and buffer flags that goha
// does not have are printed as zero; the CLI's own line (own=true) shows
// the values haproxy shows for an idle CLI stream.
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
	b = strconv.AppendUint(b, uint64(ss.Calls), 10)
	b = append(b, " cpu=0 lat=0"...)
	if own {
		rx := HumanTime(timeout)
		b = append(b, " rq[f=c08002h,i=0,an=00h,rx="+rx+",wx=,ax=] rp[f=80008000h,i=0,an=00h,rx=,wx=,ax=]"...)
	} else {
		b = append(b, " rq[f=000000h,i="+strconv.FormatUint(uint64(ss.ReqBytes), 10)+",an=00h,rx=,wx=,ax=]"...)
		b = append(b, " rp[f=000000h,i="+strconv.FormatUint(uint64(ss.RespBytes), 10)+",an=00h,rx=,wx=,ax=]"...)
	}
	b = append(b, " scf=[8,0h,fd="+strconv.Itoa(ss.FrontFD)+"]"...)
	if own {
		b = append(b, " scb=[8,1h,fd=-1]"...)
	} else {
		b = append(b, " scb=[8,0h,fd="+strconv.Itoa(ss.BackFD)+"]"...)
	}
	if own {
		b = append(b, " exp="+HumanTime(timeout)+" rc=0 c_exp="...)
	} else {
		b = append(b, " exp= rc=0 c_exp="...)
	}
	return append(b, '\n')
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
