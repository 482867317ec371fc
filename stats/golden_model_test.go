package stats

// Builds our model (proxies, servers, listeners, counters and states) back
// from haproxy's own output, so rendering it must give haproxy's bytes.

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// testClock is the instant every golden is re-rendered at; ages and rates
// are seeded relative to it.
var testClock = Clock{Unix: 2_000_000_000, Ms: 5_000_000}

func readGolden(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatalf("missing golden (regenerate with -update): %v", err)
	}
	return string(b)
}

// cliBody drops the empty line haproxy's CLI prints after every answer.
func cliBody(s string) string { return strings.TrimSuffix(s, "\n") }

// statRow is one stats line as strings, indexed by field (the "-" column
// removed); "" is an empty field.
type statRow [NumFields]string

func parseCSVStat(t testing.TB, text string) []statRow {
	t.Helper()
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || !strings.HasPrefix(recs[0][0], "# ") {
		t.Fatalf("no CSV header")
	}
	var rows []statRow
	for _, rec := range recs[1:] {
		var row statRow
		j := 0
		for i, v := range rec {
			if i == NumStaticFields { // the "-" separator
				continue
			}
			if j < NumFields {
				row[j] = v
			}
			j++
		}
		rows = append(rows, row)
	}
	return rows
}

// parseTypedStat turns "show stat typed" back into rows.
func parseTypedStat(t testing.TB, text string) []statRow {
	t.Helper()
	var rows []statRow
	idx := map[string]int{}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		parts := strings.SplitN(line, ":", 4)
		if len(parts) != 4 {
			t.Fatalf("bad typed line %q", line)
		}
		key := strings.SplitN(parts[0], ".", 5)
		obj := key[0] + "." + key[1] + "." + key[2]
		n, ok := idx[obj]
		if !ok {
			n = len(rows)
			idx[obj] = n
			rows = append(rows, statRow{})
		}
		pos, _ := strconv.Atoi(key[3])
		rows[n][pos] = parts[3]
	}
	return rows
}

// parseJSONStat turns "show stat json" back into rows. haproxy does not
// escape strings in it (a check message with a quote yields invalid JSON),
// so this reads its fixed layout instead of using encoding/json.
func parseJSONStat(t testing.TB, text string) []statRow {
	t.Helper()
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "[[{") || !strings.HasSuffix(text, "}]]") {
		t.Fatalf("not a show stat json document")
	}
	// Separators swallow the "}}" closing each object; only the very last
	// object keeps it.
	var rows []statRow
	for _, line := range strings.Split(text[2:len(text)-2], `}}],[{"objType"`) {
		var row statRow
		for _, obj := range strings.Split(line, `}},{"objType"`) {
			_, rest, ok := strings.Cut(obj, `"field":{"pos":`)
			if !ok {
				t.Fatalf("no field in %q", obj)
			}
			posText, _, _ := strings.Cut(rest, ",")
			pos, err := strconv.Atoi(posText)
			if err != nil || pos >= NumFields {
				t.Fatalf("bad pos in %q", obj)
			}
			_, val, ok := strings.Cut(rest, `"value":{"type":"`)
			if !ok {
				t.Fatalf("no value in %q", obj)
			}
			typ, v, _ := strings.Cut(val, `","value":`)
			v = strings.TrimSuffix(v, "}}")
			if typ == "str" {
				v = strings.TrimSuffix(strings.TrimPrefix(v, `"`), `"`)
			}
			row[pos] = v
		}
		rows = append(rows, row)
	}
	return rows
}

func num(t testing.TB, s string) uint64 {
	if s == "" {
		return 0
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

func inum(t testing.TB, s string) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// seedRate makes Read(testClock.Ms) return v.
func seedRate(c *FreqCtr, v uint64) {
	c.tick.Store(testClock.Ms)
	c.curr.Store(uint32(v))
	c.prev.Store(0)
}

func seedAvg(s *SWRate, avg uint64, win uint32) { s.SetSum(uint32(avg) * win) }

// setCounters stores the counter columns shared by every object type.
func setCounters(t testing.TB, c *Counters, r *statRow, stot *atomic.Uint64) {
	set := func(a *atomic.Uint64, f int) { a.Store(num(t, r[f])) }
	set(stot, FStot)
	set(&c.BytesIn, FBin)
	set(&c.BytesOut, FBout)
	set(&c.DeniedReq, FDreq)
	set(&c.DeniedResp, FDresp)
	set(&c.FailedReq, FEreq)
	set(&c.FailedConns, FEcon)
	set(&c.FailedResp, FEresp)
	set(&c.Retries, FWretr)
	set(&c.Redispatches, FWredis)
	set(&c.DeniedConn, FDcon)
	set(&c.DeniedSess, FDses)
	set(&c.FailedRewr, FWrew)
	set(&c.InternalErr, FEint)
	set(&c.CliAborts, FCliAbrt)
	set(&c.SrvAborts, FSrvAbrt)
	set(&c.Intercepted, FIntercepted)
	set(&c.CompIn, FCompIn)
	set(&c.CompOut, FCompOut)
	set(&c.CompByp, FCompByp)
	set(&c.CompRsp, FCompRsp)
	set(&c.CumReq, FReqTot)
	set(&c.Rsp[1], FHrsp1xx)
	set(&c.Rsp[2], FHrsp2xx)
	set(&c.Rsp[3], FHrsp3xx)
	set(&c.Rsp[4], FHrsp4xx)
	set(&c.Rsp[5], FHrsp5xx)
	set(&c.Rsp[0], FHrspOther)
	set(&c.CacheLookups, FCacheLookups)
	set(&c.CacheHits, FCacheHits)
	set(&c.Connect, FConnect)
	set(&c.Reuse, FReuse)
	set(&c.CumLbConn, FLbtot)
	set(&c.FailedChecks, FChkfail)
	set(&c.FailedHana, FHanafail)
	set32 := func(a *atomic.Uint32, f int) { a.Store(uint32(num(t, r[f]))) }
	set32(&c.ConnMax, FSmax)
	set32(&c.NbPendMax, FQmax)
	set32(&c.SpsMax, FRateMax)
	set32(&c.CpsMax, FConnRateMax)
	set32(&c.RpsMax, FReqRateMax)
	set32(&c.QTimeMax, FQtimeMax)
	set32(&c.CTimeMax, FCtimeMax)
	set32(&c.DTimeMax, FRtimeMax)
	set32(&c.TTimeMax, FTtimeMax)
	if r[FLastsess] != "" {
		if v := inum(t, r[FLastsess]); v >= 0 {
			c.LastSess.Store(testClock.Unix - v)
		}
	}
}

func setTimes(t testing.TB, c *Counters, r *statRow, http bool) {
	samples := num(t, r[FLbtot])
	if http {
		samples = num(t, r[FReqTot])
	}
	win := timeWindow(samples)
	seedAvg(&c.QTime, num(t, r[FQtime]), win)
	seedAvg(&c.CTime, num(t, r[FCtime]), win)
	seedAvg(&c.DTime, num(t, r[FRtime]), win)
	seedAvg(&c.TTime, num(t, r[FTtime]), win)
}

func setModules(t testing.TB, m *ModuleCounters, r *statRow) {
	for f := NumStaticFields; f < NumFields; f++ {
		m.V[f-NumStaticFields].Store(num(t, r[f]))
	}
}

func parseMode(s string) Mode {
	for m := ModeTCP; m <= ModePeers; m++ {
		if m.String() == s {
			return m
		}
	}
	return ModeTCP
}

// parseCheck rebuilds a check snapshot from the check_* or agent_* columns.
func parseCheck(t testing.TB, r *statRow, enabledCol, status, code, dur, desc, rise, fall, health int) Check {
	var c Check
	c.Enabled = r[enabledCol] != ""
	if !c.Enabled {
		return c
	}
	if r[status] == "" {
		c.Paused = true
		return c
	}
	st := r[status]
	if strings.HasPrefix(st, "* ") {
		c.InProgress = true
		st = st[2:]
	}
	c.Status = CheckStatusByInfo(st)
	if c.Status == ChkUnknown && st != "UNK" {
		t.Fatalf("unknown check status %q", st)
	}
	c.Code = int32(num(t, r[code]))
	c.Duration = num(t, r[dur])
	c.Desc = r[desc]
	c.Rise, c.Fall, c.Health = int32(num(t, r[rise])), int32(num(t, r[fall])), int32(num(t, r[health]))
	return c
}

// buildModel turns haproxy's rows into our proxies.
func buildModel(t testing.TB, rows []statRow) []*Proxy {
	t.Helper()
	var proxies []*Proxy
	byName := map[string]*Proxy{}
	get := func(r *statRow) *Proxy {
		px := byName[r[FPxname]]
		if px == nil {
			px = &Proxy{Name: r[FPxname], ID: uint32(num(t, r[FIid])), Mode: parseMode(r[FMode])}
			byName[px.Name] = px
			proxies = append(proxies, px)
		}
		return px
	}
	type pending struct {
		sv  *Server
		row *statRow
	}
	var servers []pending
	var backends []*statRow
	for i := range rows {
		r := &rows[i]
		px := get(r)
		switch num(t, r[FType]) {
		case TypeFrontend:
			px.Cap |= CapFE
			px.MaxConn = uint32(num(t, r[FSlim]))
			px.RateLimit = uint32(num(t, r[FRateLim]))
			for s := ProxyOpen; s <= ProxyStopped; s++ {
				if s.String() == r[FStatus] {
					px.State.Store(uint32(s))
				}
			}
			px.FeConn.Store(int32(num(t, r[FScur])))
			setCounters(t, &px.FE, r, &px.FE.CumSess)
			px.FE.CumConn.Store(num(t, r[FConnTot]))
			seedRate(&px.FeSessRate, num(t, r[FRate]))
			seedRate(&px.FeReqRate, num(t, r[FReqRate]))
			seedRate(&px.FeConnRate, num(t, r[FConnRate]))
			setModules(t, &px.FEMod, r)
		case TypeListener:
			l := &Listener{Name: r[FSvname], ID: uint32(num(t, r[FSid])), Addr: r[FAddr], MaxConn: uint32(num(t, r[FSlim]))}
			for s := ListenerWaiting; s <= ListenerFull; s++ {
				if s.String() == r[FStatus] {
					l.Status.Store(uint32(s))
				}
			}
			l.NbConn.Store(int32(num(t, r[FScur])))
			setCounters(t, &l.C, r, &l.C.CumConn)
			setModules(t, &l.Mod, r)
			px.Listeners = append(px.Listeners, l)
		case TypeServer:
			sv := &Server{Name: r[FSvname], ID: uint32(num(t, r[FSid])), Addr: r[FAddr], Cookie: r[FCookie],
				Backup: r[FBck] == "1", MaxConn: uint32(num(t, r[FSlim])), MaxQueue: uint32(num(t, r[FQlimit])),
				MaxIdleConns: -1, Observe: r[FHanafail] != ""}
			if r[FSrcIlim] != "" {
				sv.MaxIdleConns = int32(num(t, r[FSrcIlim]))
			}
			px.Servers = append(px.Servers, sv)
			servers = append(servers, pending{sv, r})
		case TypeBackend:
			px.Cap |= CapBE
			backends = append(backends, r)
		default:
			t.Fatalf("unknown type in row %v", r[:2])
		}
	}
	for _, p := range servers {
		sv, r := p.sv, p.row
		px := byName[r[FPxname]]
		if tr := r[FTracked]; tr != "" {
			pn, sn, _ := strings.Cut(tr, "/")
			sv.TrackProxy = pn
			for _, o := range byName[pn].Servers {
				if o.Name == sn {
					sv.Track = o
				}
			}
		}
		sv.SetCheck(parseCheck(t, r, FChkfail, FCheckStatus, FCheckCode, FCheckDuration, FLastChk, FCheckRise, FCheckFall, FCheckHealth))
		sv.SetAgent(parseCheck(t, r, FAgentStatus, FAgentStatus, FAgentCode, FAgentDuration, FLastAgt, FAgentRise, FAgentFall, FAgentHealth))
		sv.EWeight.Store(uint32(num(t, r[FWeight])))
		sv.UWeight.Store(uint32(num(t, r[FUweight])))
		sv.CurSess.Store(int32(num(t, r[FScur])))
		sv.Queue.Store(int32(num(t, r[FQcur])))
		sv.IdleConns.Store(uint32(num(t, r[FSrvIcur])))
		sv.IdleNb.Store(uint32(num(t, r[FIdleConnCur])))
		sv.SafeNb.Store(uint32(num(t, r[FSafeConnCur])))
		sv.UsedConns.Store(uint32(num(t, r[FUsedConnCur])))
		sv.NeedConns.Store(uint32(num(t, r[FNeedConnEst])))
		setCounters(t, &sv.C, r, &sv.C.CumSess)
		sv.C.DownTrans.Store(num(t, r[FChkdown]))
		setTimes(t, &sv.C, r, px.Mode == ModeHTTP)
		seedRate(&sv.SessRate, num(t, r[FRate]))
		setModules(t, &sv.Mod, r)
		sv.LastChange.Store(testClock.Unix - int64(num(t, r[FLastchg])))
		setServerState(t, sv, r[FStatus])
		if r[FThrottle] != "" {
			sv.State.Store(uint32(SrvStarting))
			sv.Throttle.Store(uint32(num(t, r[FThrottle])))
		}
		dt := int64(num(t, r[FDowntime]))
		if ServerState(sv.State.Load()) == SrvStopped {
			dt -= testClock.Unix - sv.LastChange.Load()
		}
		sv.DownTime.Store(dt)
	}
	for _, r := range backends {
		px := byName[r[FPxname]]
		px.FullConn = uint32(num(t, r[FSlim]))
		px.Algo = r[FAlgo]
		px.CookieName = r[FCookie]
		px.BeConn.Store(int32(num(t, r[FScur])))
		px.Queue.Store(int32(num(t, r[FQcur])))
		setCounters(t, &px.BE, r, &px.BE.CumConn)
		setTimes(t, &px.BE, r, px.Mode == ModeHTTP)
		seedRate(&px.BeSessRate, num(t, r[FRate]))
		setModules(t, &px.BEMod, r)
		px.DownTrans.Store(num(t, r[FChkdown]))
		px.LastChange.Store(testClock.Unix - int64(num(t, r[FLastchg])))
		dt := int64(num(t, r[FDowntime]))
		if Summarize(px).TotalWeight == 0 {
			dt -= testClock.Unix - px.LastChange.Load()
		}
		px.DownTime.Store(dt)
	}
	return proxies
}

// setServerState inverts the status column.
func setServerState(t testing.TB, sv *Server, status string) {
	chk := *sv.Check()
	ref := trackEnd(sv)
	word, frac, _ := strings.Cut(status, " ")
	var a, b int32
	if frac != "" && frac[0] != '(' {
		fmt.Sscanf(frac, "%d/%d", &a, &b)
	}
	switch {
	case strings.HasPrefix(status, "MAINT (via"):
		sv.Admin.Store(AdminIMaint)
	case status == "MAINT (resolution)":
		sv.Admin.Store(AdminRMaint)
	case word == "MAINT":
		sv.Admin.Store(AdminMaint)
	case word == "UP" || word == "no" || word == "DRAIN":
		sv.State.Store(uint32(SrvRunning))
		if word == "DRAIN" {
			sv.Admin.Store(AdminDrain)
		}
		if frac != "" && frac[0] != '(' && ref == sv {
			chk.Health = a + chk.Rise - 1
		}
	case word == "NOLB":
		sv.State.Store(uint32(SrvStopping))
	case word == "DOWN":
		sv.State.Store(uint32(SrvStopped))
		if frac != "" && frac[0] != '(' && ref == sv {
			chk.Health = a
		}
	default:
		t.Fatalf("unknown server status %q", status)
	}
	if sv.Check().Enabled {
		sv.SetCheck(chk)
	}
}

// diffLines reports the first differing line of two texts.
func diffLines(t *testing.T, name, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			t.Errorf("%s: line %d differs\nhaproxy: %q\ngoha:    %q", name, i+1, w, g)
			return
		}
	}
	t.Errorf("%s differs (lengths %d vs %d)", name, len(want), len(got))
}
