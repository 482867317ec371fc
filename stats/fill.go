package stats

import (
	"strconv"
)

// Row is one stats line: every field of the proxy domain, static and module.
type Row [NumFields]Field

// Object types, as the "type" column and "show stat <iid> <type> <sid>"
// number them (STATS_TYPE_*).
const (
	TypeFrontend = 0
	TypeBackend  = 1
	TypeServer   = 2
	TypeListener = 3
)

// Options select what a dump shows, like haproxy's STAT_* flags.
type Options struct {
	// Legends adds addr, cookie and algo. The CLI sets it for "operator"
	// level and above; the stats page with "stats show-legends".
	Legends bool
	// HideDown ("up") skips servers that are DOWN and not changing state
	// and adds " (up/total)" to backend status; NoMaint ("no-maint") skips
	// servers in maintenance.
	HideDown, NoMaint bool
}

// Clock is the instant a dump describes: unix seconds for ages and
// downtimes, NowMs for rates.
type Clock struct {
	Unix int64
	Ms   uint32
}

func (r *Row) reset() { *r = Row{} }

// fmtHealth fills a transitional status format such as "UP %d/%d" (the
// only verb pattern stateFormats uses) with its two numbers.
func fmtHealth(format string, a, b int32) string {
	word := format[:len(format)-len(" %d/%d")]
	return word + " " + strconv.Itoa(int(a)) + "/" + strconv.Itoa(int(b))
}

func moduleFields(r *Row, m *ModuleCounters, from, to int) {
	for f := from; f < to; f++ {
		t := tCounter
		switch f {
		case FH2OpenConnections, FH2BackendOpenStreams, FH1OpenConnections, FH1OpenStreams:
			t = tGauge
		}
		r[f] = u64(t, m.V[f-NumStaticFields].Load())
	}
}

func timeWindow(samples uint64) uint32 {
	if samples > 0 && samples < TimeSamples {
		return uint32(samples)
	}
	return TimeSamples
}

func lastSess(c *Counters, now int64) int32 {
	if ls := c.LastSess.Load(); ls != 0 {
		return int32(now - ls)
	}
	return -1
}

// FillFrontend fills r with a frontend line (stats_fill_fe_stats).
func FillFrontend(r *Row, px *Proxy, clk Clock) {
	r.reset()
	c := &px.FE
	r[FPxname] = str(tName, px.Name)
	r[FSvname] = str(tName, "FRONTEND")
	r[FMode] = str(tConfSvc, px.Mode.String())
	r[FScur] = u32(tGauge, uint32(px.FeConn.Load()))
	r[FSmax] = u32(tMax, c.ConnMax.Load())
	r[FSlim] = u32(tLimit, px.MaxConn)
	r[FStot] = u64(tCounter, c.CumSess.Load())
	r[FBin] = u64(tCounter, c.BytesIn.Load())
	r[FBout] = u64(tCounter, c.BytesOut.Load())
	r[FDreq] = u64(tCounter, c.DeniedReq.Load())
	r[FDresp] = u64(tCounter, c.DeniedResp.Load())
	r[FEreq] = u64(tCounter, c.FailedReq.Load())
	r[FDcon] = u64(tCounter, c.DeniedConn.Load())
	r[FDses] = u64(tCounter, c.DeniedSess.Load())
	r[FStatus] = str(tStatus, ProxyState(px.State.Load()).String())
	r[FPid] = u32(tKey, 1)
	r[FIid] = u32(tKeySvc, px.ID)
	r[FSid] = u32(tKeySvc, 0)
	r[FType] = u32(tConfSvc, TypeFrontend)
	r[FRate] = u32(tRate, px.FeSessRate.Read(clk.Ms))
	r[FRateLim] = u32(tLimit, px.RateLimit)
	r[FRateMax] = u32(tMax, c.SpsMax.Load())
	r[FWrew] = u64(tCounter, c.FailedRewr.Load())
	r[FEint] = u64(tCounter, c.InternalErr.Load())
	if px.Mode == ModeHTTP {
		httpResponses(r, c)
		r[FIntercepted] = u64(tCounter, c.Intercepted.Load())
		r[FCacheLookups] = u64(tCounter, c.CacheLookups.Load())
		r[FCacheHits] = u64(tCounter, c.CacheHits.Load())
	}
	r[FReqRate] = u32(tRate, px.FeReqRate.Read(clk.Ms))
	r[FReqRateMax] = u32(tMax, c.RpsMax.Load())
	r[FReqTot] = u64(tCounter, c.CumReq.Load())
	r[FCompIn] = u64(tCounter, c.CompIn.Load())
	r[FCompOut] = u64(tCounter, c.CompOut.Load())
	r[FCompByp] = u64(tCounter, c.CompByp.Load())
	r[FCompRsp] = u64(tCounter, c.CompRsp.Load())
	r[FConnRate] = u32(tRate, px.FeConnRate.Read(clk.Ms))
	r[FConnRateMax] = u32(tMax, c.CpsMax.Load())
	r[FConnTot] = u64(tCounter, c.CumConn.Load())
	// ssl, h2 and h1 modules all count on frontends.
	moduleFields(r, &px.FEMod, NumStaticFields, NumFields)
}

func httpResponses(r *Row, c *Counters) {
	r[FHrsp1xx] = u64(tCounter, c.Rsp[1].Load())
	r[FHrsp2xx] = u64(tCounter, c.Rsp[2].Load())
	r[FHrsp3xx] = u64(tCounter, c.Rsp[3].Load())
	r[FHrsp4xx] = u64(tCounter, c.Rsp[4].Load())
	r[FHrsp5xx] = u64(tCounter, c.Rsp[5].Load())
	r[FHrspOther] = u64(tCounter, c.Rsp[0].Load())
}

// FillListener fills r with a listener line (stats_fill_li_stats).
func FillListener(r *Row, px *Proxy, l *Listener, opt Options) {
	r.reset()
	c := &l.C
	r[FPxname] = str(tName, px.Name)
	r[FSvname] = str(tName, l.Name)
	r[FMode] = str(tConfSvc, px.Mode.String())
	r[FScur] = u32(tGauge, uint32(l.NbConn.Load()))
	r[FSmax] = u32(tMax, c.ConnMax.Load())
	r[FSlim] = u32(tLimit, l.MaxConn)
	r[FStot] = u64(tCounter, c.CumConn.Load())
	r[FBin] = u64(tCounter, c.BytesIn.Load())
	r[FBout] = u64(tCounter, c.BytesOut.Load())
	r[FDreq] = u64(tCounter, c.DeniedReq.Load())
	r[FDresp] = u64(tCounter, c.DeniedResp.Load())
	r[FEreq] = u64(tCounter, c.FailedReq.Load())
	r[FDcon] = u64(tCounter, c.DeniedConn.Load())
	r[FDses] = u64(tCounter, c.DeniedSess.Load())
	r[FStatus] = str(tStatus, ListenerStatus(l.Status.Load()).String())
	r[FPid] = u32(tKey, 1)
	r[FIid] = u32(tKeySvc, px.ID)
	r[FSid] = u32(tKeySvc, l.ID)
	r[FType] = u32(tConfSvc, TypeListener)
	r[FWrew] = u64(tCounter, c.FailedRewr.Load())
	r[FEint] = u64(tCounter, c.InternalErr.Load())
	if opt.Legends && l.Addr != "" {
		r[FAddr] = str(tConfSvc, l.Addr)
	}
	// only the ssl module counts per listener
	moduleFields(r, &l.Mod, FSslSess, FH2HeadersRcvd)
}

// serverDisplayState is haproxy's srv_stats_state; the status column's
// format depends on it.
type serverDisplayState uint8

const (
	stDown serverDisplayState = iota
	stDownAgent
	stGoingUp
	stUpGoingDown
	stUp
	stNolbGoingDown
	stNolb
	stDrainGoingDown
	stDrain
	stDrainAgent
	stNoCheck
)

var stateFormats = [...]string{"DOWN", "DOWN (agent)", "DOWN %d/%d", "UP %d/%d", "UP",
	"NOLB %d/%d", "NOLB", "DRAIN %d/%d", "DRAIN", "DRAIN (agent)", "no check"}

// displayState mirrors stats_fill_sv_stats_computestate(): sv is the
// server, ref the end of its tracking chain (whose checks decide).
func displayState(sv, ref *Server) serverDisplayState {
	chk, agt := ref.Check(), ref.Agent()
	switch ServerState(sv.State.Load()) {
	case SrvRunning, SrvStarting:
		st := stUp
		if chk.Enabled && chk.Health < chk.Rise+chk.Fall-1 {
			st = stUpGoingDown
		}
		if sv.Admin.Load()&AdminDrain != 0 {
			switch {
			case agt.Enabled:
				st = stDrainAgent
			case st == stUpGoingDown:
				st = stDrainGoingDown
			default:
				st = stDrain
			}
		}
		if st == stUp && !chk.Enabled {
			st = stNoCheck
		}
		return st
	case SrvStopping:
		if (!sv.Check().Enabled && sv.Track == nil) || chk.Health == chk.Rise+chk.Fall-1 {
			return stNolb
		}
		return stNolbGoingDown
	}
	switch {
	case agt.Enabled && agt.Health == 0:
		return stDownAgent
	case chk.Enabled && chk.Health == 0:
		return stDown
	case agt.Enabled || chk.Enabled:
		return stGoingUp
	}
	return stDown
}

// trackEnd follows the tracking chain to the server whose checks count.
func trackEnd(sv *Server) *Server {
	ref := sv
	for ref.Track != nil {
		ref = ref.Track
	}
	return ref
}

// serverStatus renders the status column of a server line.
func serverStatus(sv *Server) string {
	adm := sv.Admin.Load()
	switch {
	case adm&AdminRMaint != 0:
		return "MAINT (resolution)"
	case adm&AdminIMaint != 0:
		name := ""
		if sv.Track != nil {
			name = sv.Track.Name
		}
		return "MAINT (via " + sv.TrackProxy + "/" + name + ")"
	case adm&AdminMaint != 0:
		return "MAINT"
	}
	ref := trackEnd(sv)
	st := displayState(sv, ref)
	f := stateFormats[st]
	if f[len(f)-1] != 'd' {
		return f
	}
	chk := ref.Check()
	if ServerState(ref.State.Load()) != SrvStopped {
		return fmtHealth(f, chk.Health-chk.Rise+1, chk.Fall)
	}
	return fmtHealth(f, chk.Health, chk.Rise)
}

func checkActive(c *Check) bool { return c.Enabled && !c.Paused }

func checkStatusText(c *Check) string {
	if c.InProgress {
		return "* " + c.Status.Info()
	}
	return c.Status.Info()
}

// srvDowntime mirrors srv_downtime().
func srvDowntime(sv *Server, now int64) uint32 {
	lc := sv.LastChange.Load()
	if ServerState(sv.State.Load()) != SrvStopped || lc >= now {
		return uint32(sv.DownTime.Load())
	}
	return uint32(now - lc + sv.DownTime.Load())
}

// FillServer fills r with a server line (stats_fill_sv_stats).
func FillServer(r *Row, px *Proxy, sv *Server, clk Clock, opt Options) {
	r.reset()
	c := &sv.C
	ref := trackEnd(sv)
	chk, agt := sv.Check(), sv.Agent()
	refChk := ref.Check()
	samples := c.CumLbConn.Load()
	if px.Mode == ModeHTTP {
		samples = c.CumReq.Load()
	}
	win := timeWindow(samples)

	r[FPxname] = str(tName, px.Name)
	r[FSvname] = str(tName, sv.Name)
	r[FMode] = str(tConfSvc, px.Mode.String())
	r[FQcur] = u32(tGauge, uint32(sv.Queue.Load()))
	r[FQmax] = u32(tMax, c.NbPendMax.Load())
	r[FScur] = u32(tGauge, uint32(sv.CurSess.Load()))
	r[FSmax] = u32(tMax, c.ConnMax.Load())
	if sv.MaxConn != 0 {
		r[FSlim] = u32(tLimit, sv.MaxConn)
	}
	r[FSrvIcur] = u32(tGauge, sv.IdleConns.Load())
	if sv.MaxIdleConns != -1 {
		r[FSrcIlim] = u32(tLimit, uint32(sv.MaxIdleConns))
	}
	r[FStot] = u64(tCounter, c.CumSess.Load())
	r[FBin] = u64(tCounter, c.BytesIn.Load())
	r[FBout] = u64(tCounter, c.BytesOut.Load())
	r[FDresp] = u64(tCounter, c.DeniedResp.Load())
	r[FEcon] = u64(tCounter, c.FailedConns.Load())
	r[FEresp] = u64(tCounter, c.FailedResp.Load())
	r[FWretr] = u64(tCounter, c.Retries.Load())
	r[FWredis] = u64(tCounter, c.Redispatches.Load())
	r[FWrew] = u64(tCounter, c.FailedRewr.Load())
	r[FEint] = u64(tCounter, c.InternalErr.Load())
	r[FConnect] = u64(tCounter, c.Connect.Load())
	r[FReuse] = u64(tCounter, c.Reuse.Load())
	r[FIdleConnCur] = u32(tGauge, sv.IdleNb.Load())
	r[FSafeConnCur] = u32(tGauge, sv.SafeNb.Load())
	r[FUsedConnCur] = u32(tGauge, sv.UsedConns.Load())
	r[FNeedConnEst] = u32(tGauge, sv.NeedConns.Load())
	r[FStatus] = str(tStatus, serverStatus(sv))
	r[FLastchg] = u32(tAge, uint32(clk.Unix-sv.LastChange.Load()))
	r[FWeight] = u32(tAvg, sv.EWeight.Load())
	r[FUweight] = u32(tAvg, sv.UWeight.Load())
	act, bck := uint32(1), uint32(0)
	if sv.Backup {
		act, bck = 0, 1
	}
	r[FAct] = u32(tStatus, act)
	r[FBck] = u32(tStatus, bck)
	if chk.Enabled {
		r[FChkfail] = u64(tCounter, c.FailedChecks.Load())
		r[FChkdown] = u64(tCounter, c.DownTrans.Load())
		r[FDowntime] = u32(tCounter, srvDowntime(sv, clk.Unix))
	}
	if sv.MaxQueue != 0 {
		r[FQlimit] = u32(tConfSvc, sv.MaxQueue)
	}
	r[FPid] = u32(tKey, 1)
	r[FIid] = u32(tKeySvc, px.ID)
	r[FSid] = u32(tKeySvc, sv.ID)
	if ServerState(sv.State.Load()) == SrvStarting && sv.Admin.Load()&AdminDrain == 0 {
		r[FThrottle] = u32(tAvg, sv.Throttle.Load())
	}
	r[FLbtot] = u64(tCounter, c.CumLbConn.Load())
	if sv.Track != nil {
		r[FTracked] = str(tCfgName, sv.TrackProxy+"/"+sv.Track.Name)
	}
	r[FType] = u32(tConfSvc, TypeServer)
	r[FRate] = u32(tRate, sv.SessRate.Read(clk.Ms))
	r[FRateMax] = u32(tMax, c.SpsMax.Load())
	if checkActive(chk) {
		r[FCheckStatus] = str(tOutput, checkStatusText(chk))
		if chk.Status >= ChkL57Data {
			r[FCheckCode] = u32(tOutput, uint32(chk.Code))
		}
		if chk.Status >= ChkChecked {
			r[FCheckDuration] = u64(tDur, chk.Duration)
		}
		r[FCheckDesc] = str(tOutput, chk.Status.Desc())
		r[FLastChk] = str(tOutput, chk.Desc)
		r[FCheckRise] = u32(tConfSvc, uint32(refChk.Rise))
		r[FCheckFall] = u32(tConfSvc, uint32(refChk.Fall))
		r[FCheckHealth] = u32(tConfSvc, uint32(refChk.Health))
	}
	if checkActive(agt) {
		r[FAgentStatus] = str(tOutput, checkStatusText(agt))
		if agt.Status >= ChkL57Data {
			r[FAgentCode] = u32(tOutput, uint32(agt.Code))
		}
		r[FAgentDuration] = u64(tDur, agt.Duration)
		r[FAgentDesc] = str(tOutput, agt.Status.Desc())
		r[FLastAgt] = str(tOutput, agt.Desc)
		r[FAgentRise] = u32(tConfSvc, uint32(agt.Rise))
		r[FAgentFall] = u32(tConfSvc, uint32(agt.Fall))
		r[FAgentHealth] = u32(tConfSvc, uint32(agt.Health))
	}
	if px.Mode == ModeHTTP {
		r[FReqTot] = u64(tCounter, c.CumReq.Load())
		httpResponses(r, c)
	}
	if ref.Observe {
		r[FHanafail] = u64(tCounter, c.FailedHana.Load())
	}
	r[FCliAbrt] = u64(tCounter, c.CliAborts.Load())
	r[FSrvAbrt] = u64(tCounter, c.SrvAborts.Load())
	r[FLastsess] = s32(tAge, lastSess(c, clk.Unix))
	r[FQtime] = u32(tAvg, c.QTime.Avg(win))
	r[FCtime] = u32(tAvg, c.CTime.Avg(win))
	r[FRtime] = u32(tAvg, c.DTime.Avg(win))
	r[FTtime] = u32(tAvg, c.TTime.Avg(win))
	r[FQtimeMax] = u32(tMax, c.QTimeMax.Load())
	r[FCtimeMax] = u32(tMax, c.CTimeMax.Load())
	r[FRtimeMax] = u32(tMax, c.DTimeMax.Load())
	r[FTtimeMax] = u32(tMax, c.TTimeMax.Load())
	if opt.Legends {
		if sv.Addr != "" {
			r[FAddr] = str(tConfSvc, sv.Addr)
		}
		if sv.Cookie != "" {
			r[FCookie] = str(tCfgName, sv.Cookie)
		}
	}
	// only the ssl module counts per server
	moduleFields(r, &sv.Mod, FSslSess, FH2HeadersRcvd)
}

// BackendSummary is what haproxy derives from the servers' states when it
// recounts a backend (recount_servers, stats_fill_be_stats_computesrv).
type BackendSummary struct {
	Act, Bck     uint32 // usable active / backup servers
	TotalWeight  uint32 // weight of the servers taking traffic
	TotalUWeight uint32 // their user weights
	Up, Total    int    // servers not DOWN, all servers
}

// Summarize recounts a backend's servers.
func Summarize(px *Proxy) BackendSummary {
	var s BackendSummary
	var wact, wbck, uwact, uwbck uint32
	var first *Server
	for _, sv := range px.Servers {
		s.Total++
		if ServerState(sv.State.Load()) != SrvStopped {
			s.Up++
		}
		if !sv.usable() {
			continue
		}
		if sv.Backup {
			if s.Bck == 0 && !px.AllBackups {
				first = sv
			}
			s.Bck++
			wbck += sv.EWeight.Load()
			uwbck += sv.UWeight.Load()
		} else {
			s.Act++
			wact += sv.EWeight.Load()
			uwact += sv.UWeight.Load()
		}
	}
	switch {
	case s.Act > 0:
		s.TotalWeight, s.TotalUWeight = wact, uwact
	case first != nil:
		s.TotalWeight, s.TotalUWeight = first.EWeight.Load(), first.UWeight.Load()
	default:
		s.TotalWeight, s.TotalUWeight = wbck, uwbck
	}
	return s
}

// beDowntime mirrors be_downtime().
func beDowntime(px *Proxy, totWeight uint32, now int64) uint32 {
	lc := px.LastChange.Load()
	if totWeight > 0 && lc < now {
		return uint32(px.DownTime.Load())
	}
	return uint32(now - lc + px.DownTime.Load())
}

// FillBackend fills r with a backend line (stats_fill_be_stats).
func FillBackend(r *Row, px *Proxy, clk Clock, opt Options) {
	r.reset()
	c := &px.BE
	sum := Summarize(px)
	samples := c.CumLbConn.Load()
	if px.Mode == ModeHTTP {
		samples = c.CumReq.Load()
	}
	win := timeWindow(samples)

	r[FPxname] = str(tName, px.Name)
	r[FSvname] = str(tName, "BACKEND")
	r[FMode] = str(tConfSvc, px.Mode.String())
	r[FQcur] = u32(tGauge, uint32(px.Queue.Load()))
	r[FQmax] = u32(tMax, c.NbPendMax.Load())
	r[FScur] = u32(tGauge, uint32(px.BeConn.Load()))
	r[FSmax] = u32(tMax, c.ConnMax.Load())
	r[FSlim] = u32(tLimit, px.FullConn)
	r[FStot] = u64(tCounter, c.CumConn.Load())
	r[FBin] = u64(tCounter, c.BytesIn.Load())
	r[FBout] = u64(tCounter, c.BytesOut.Load())
	r[FDreq] = u64(tCounter, c.DeniedReq.Load())
	r[FDresp] = u64(tCounter, c.DeniedResp.Load())
	r[FEcon] = u64(tCounter, c.FailedConns.Load())
	r[FEresp] = u64(tCounter, c.FailedResp.Load())
	r[FWretr] = u64(tCounter, c.Retries.Load())
	r[FWredis] = u64(tCounter, c.Redispatches.Load())
	r[FWrew] = u64(tCounter, c.FailedRewr.Load())
	r[FEint] = u64(tCounter, c.InternalErr.Load())
	r[FConnect] = u64(tCounter, c.Connect.Load())
	r[FReuse] = u64(tCounter, c.Reuse.Load())
	status := "DOWN"
	if sum.TotalWeight > 0 || len(px.Servers) == 0 {
		status = "UP"
	}
	if opt.HideDown || opt.NoMaint {
		status += " (" + strconv.Itoa(sum.Up) + "/" + strconv.Itoa(sum.Total) + ")"
	}
	r[FStatus] = str(tStatus, status)
	// haproxy 2.6.12 prints these as 0 in stats; only its Prometheus
	// exporter aggregates them.
	r[FAggServerStatus] = u32(tGauge, 0)
	r[FAggServerCheckStatus] = u32(tGauge, 0)
	r[FAggCheckStatus] = u32(tGauge, 0)
	r[FWeight] = u32(tAvg, sum.TotalWeight)
	r[FUweight] = u32(tAvg, sum.TotalUWeight)
	r[FAct] = u32(tGauge, sum.Act)
	r[FBck] = u32(tGauge, sum.Bck)
	r[FChkdown] = u64(tCounter, px.DownTrans.Load())
	r[FLastchg] = u32(tAge, uint32(clk.Unix-px.LastChange.Load()))
	if len(px.Servers) > 0 {
		r[FDowntime] = u32(tCounter, beDowntime(px, sum.TotalWeight, clk.Unix))
	}
	r[FPid] = u32(tKey, 1)
	r[FIid] = u32(tKeySvc, px.ID)
	r[FSid] = u32(tKeySvc, 0)
	r[FLbtot] = u64(tCounter, c.CumLbConn.Load())
	r[FType] = u32(tConfSvc, TypeBackend)
	r[FRate] = u32(tGauge, px.BeSessRate.Read(clk.Ms))
	r[FRateMax] = u32(tGauge, c.SpsMax.Load())
	if opt.Legends {
		if px.CookieName != "" {
			r[FCookie] = str(tCfgName, px.CookieName)
		}
		r[FAlgo] = str(tConfSvc, px.Algo)
	}
	if px.Mode == ModeHTTP {
		r[FReqTot] = u64(tCounter, c.CumReq.Load())
		httpResponses(r, c)
		r[FCacheLookups] = u64(tCounter, c.CacheLookups.Load())
		r[FCacheHits] = u64(tCounter, c.CacheHits.Load())
	}
	r[FCliAbrt] = u64(tCounter, c.CliAborts.Load())
	r[FSrvAbrt] = u64(tCounter, c.SrvAborts.Load())
	r[FCompIn] = u64(tCounter, c.CompIn.Load())
	r[FCompOut] = u64(tCounter, c.CompOut.Load())
	r[FCompByp] = u64(tCounter, c.CompByp.Load())
	r[FCompRsp] = u64(tCounter, c.CompRsp.Load())
	r[FLastsess] = s32(tAge, lastSess(c, clk.Unix))
	r[FQtime] = u32(tAvg, c.QTime.Avg(win))
	r[FCtime] = u32(tAvg, c.CTime.Avg(win))
	r[FRtime] = u32(tAvg, c.DTime.Avg(win))
	r[FTtime] = u32(tAvg, c.TTime.Avg(win))
	r[FQtimeMax] = u32(tMax, c.QTimeMax.Load())
	r[FCtimeMax] = u32(tMax, c.CTimeMax.Load())
	r[FRtimeMax] = u32(tMax, c.DTimeMax.Load())
	r[FTtimeMax] = u32(tMax, c.TTimeMax.Load())
	moduleFields(r, &px.BEMod, NumStaticFields, NumFields)
}
