package stats

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFreqCtrSlidingSecond(t *testing.T) {
	var c FreqCtr
	base := uint32(10_000)
	for i := 0; i < 10; i++ {
		c.Add(base, 1)
	}
	if got := c.Read(base + 500); got != 10 {
		t.Fatalf("within the first second: got %d, want 10", got)
	}
	// Next period: 4 new events; the 10 old ones count for the part of the
	// previous second still inside the last 1000 ms.
	c.Add(base+1000, 4)
	if got := c.Read(base + 1250); got != 4+10*750/1000 {
		t.Fatalf("at +250ms of the next second: got %d, want %d", got, 4+10*750/1000)
	}
	if got := c.Read(base + 1999); got != 4 {
		// 10*1/1000 rounds to 0
		t.Fatalf("end of the next second: got %d, want 4", got)
	}
	// One full idle period later only the last second's events show, scaled.
	if got := c.Read(base + 2500); got != 4*500/1000 {
		t.Fatalf("after an idle half second: got %d, want %d", got, 4*500/1000)
	}
	if got := c.Read(base + 3500); got != 0 {
		t.Fatalf("after two idle periods: got %d, want 0", got)
	}
	// Missing two periods on update forgets the old ones.
	c.Add(base+5000, 1)
	if got := c.Read(base + 5000); got != 1 {
		t.Fatalf("after a long pause: got %d, want 1", got)
	}
}

func TestFreqCtrLowRateNoFlapping(t *testing.T) {
	// haproxy reports a single event of the previous second as 1/s for the
	// whole of the current second instead of decaying it to 0.
	var c FreqCtr
	c.Add(1000, 1)
	c.Add(2000, 0)
	if got := c.Read(2900); got != 1 {
		t.Fatalf("got %d, want 1", got)
	}
}

func TestFreqCtrConcurrent(t *testing.T) {
	var c FreqCtr
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				c.Add(50_000, 1)
			}
		}()
	}
	wg.Wait()
	if got := c.Read(50_000); got != 8000 {
		t.Fatalf("lost updates: got %d, want 8000", got)
	}
}

func TestSWRate(t *testing.T) {
	var s SWRate
	for i := 0; i < 10; i++ {
		s.Add(100)
	}
	// With fewer samples than the window, haproxy divides by the count.
	if got := s.Avg(10); got < 98 || got > 100 {
		t.Fatalf("avg over 10 samples: got %d", got)
	}
	for i := 0; i < 5000; i++ {
		s.Add(20)
	}
	if got := s.Avg(TimeSamples); got < 19 || got > 21 {
		t.Fatalf("converged avg: got %d, want ~20", got)
	}
}

func TestEventsCounting(t *testing.T) {
	px := &Proxy{Name: "fe", ID: 2, Cap: CapFE | CapBE, Mode: ModeHTTP}
	sv := &Server{Name: "s1", ID: 1, MaxIdleConns: -1}
	px.Servers = []*Server{sv}
	l := &Listener{Name: "sock-1", ID: 1}
	clk := Clock{Unix: 1000, Ms: 1_000_000}
	for i := 0; i < 3; i++ {
		px.Accept(l, clk.Ms)
		px.SessionStart(clk.Ms)
		px.Request(clk.Ms)
		px.BackendStart(sv, clk, true)
	}
	px.BackendEnd(sv)
	px.SessionEnd(l)
	var r Row
	FillFrontend(&r, px, clk)
	want := map[int]uint64{FScur: 2, FSmax: 3, FStot: 3, FRate: 3, FRateMax: 3, FReqTot: 3, FReqRate: 3, FConnTot: 3, FConnRateMax: 3}
	for f, v := range want {
		if r[f].U != v {
			t.Errorf("frontend %s = %d, want %d", fieldNames[f].name, r[f].U, v)
		}
	}
	FillServer(&r, px, sv, clk, Options{})
	if r[FStot].U != 3 || r[FLbtot].U != 3 || r[FScur].U != 2 || r[FSmax].U != 3 || r[FLastsess].I != 0 {
		t.Errorf("server row: stot=%d lbtot=%d scur=%d smax=%d lastsess=%d", r[FStot].U, r[FLbtot].U, r[FScur].U, r[FSmax].U, r[FLastsess].I)
	}
	FillListener(&r, px, l, Options{})
	if r[FStot].U != 3 || r[FScur].U != 2 {
		t.Errorf("listener row: stot=%d scur=%d", r[FStot].U, r[FScur].U)
	}
}

// clearColumns are the counters and maxima that do not move on their own
// between two captures (no traffic ran between them).
var clearColumns = []int{FStot, FBin, FBout, FDreq, FDresp, FEcon, FEresp, FWretr, FWredis,
	FSmax, FQmax, FRateMax, FReqRateMax, FConnRateMax, FConnTot, FLbtot, FReqTot, FHrsp1xx,
	FHrsp2xx, FHrsp3xx, FHrsp4xx, FHrsp5xx, FHrspOther, FCliAbrt, FSrvAbrt, FQtimeMax,
	FCtimeMax, FRtimeMax, FTtimeMax, FConnect, FReuse}

// TestGoldenClearCounters applies our "clear counters" and "clear counters
// all" to the state haproxy showed just before it ran them, and compares
// with what haproxy showed just after.
func TestGoldenClearCounters(t *testing.T) {
	for _, tc := range []struct {
		before, after string
		all           bool
	}{{"transition_up.csv", "clear_counters.csv", false}, {"clear_counters.csv", "clear_counters_all.csv", true}} {
		proxies := buildModel(t, parseCSVStat(t, cliBody(readGolden(t, tc.before))))
		ClearCounters(proxies, tc.all)
		got := parseCSVStat(t, renderStat(proxies, FormatCSV, cliOptions, Filter{}))
		want := parseCSVStat(t, cliBody(readGolden(t, tc.after)))
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows, want %d", tc.after, len(got), len(want))
		}
		cols := append([]int{}, clearColumns...)
		for f := NumStaticFields; f < NumFields; f++ {
			cols = append(cols, f)
		}
		if tc.all {
			cols = append(cols, FLastsess, FQtime, FCtime, FRtime, FTtime, FChkfail)
		}
		for i := range want {
			for _, f := range cols {
				if got[i][f] != want[i][f] {
					t.Errorf("%s %s/%s %s: got %q, haproxy %q", tc.after, want[i][FPxname], want[i][FSvname],
						fieldNames[f].name, got[i][f], want[i][f])
				}
			}
		}
	}
}

func TestParseShowStat(t *testing.T) {
	lookup := func(name string) (uint32, bool) {
		if name == "app" {
			return 3, true
		}
		return 0, false
	}
	for _, tc := range []struct {
		line string
		want ShowStatRequest
		err  error
	}{
		{"show stat", ShowStatRequest{}, nil},
		{"show stat typed", ShowStatRequest{Format: FormatTyped}, nil},
		{"show stat json desc", ShowStatRequest{Format: FormatJSON, Desc: true}, nil},
		{"show stat 2 -1 -1 up no-maint", ShowStatRequest{Filter: Filter{Bound: true, IID: 2, Types: -1, SID: -1}, HideDown: true, NoMaint: true}, nil},
		{"show stat app 4 -1", ShowStatRequest{Filter: Filter{Bound: true, IID: 3, Types: 4, SID: -1}}, nil},
		{"show stat 3 2 -1 typed", ShowStatRequest{Filter: Filter{Bound: true, IID: 3, Types: 2, SID: -1}, Format: FormatTyped}, nil},
		{"show stat -1 -1 -1", ShowStatRequest{Filter: Filter{Bound: true, IID: -1, Types: -1, SID: -1}}, nil},
		{"show stat domain proxy typed", ShowStatRequest{Format: FormatTyped}, nil},
		{"show stat domain resolvers", ShowStatRequest{Resolvers: true}, nil},
		{"show stat domain foo", ShowStatRequest{}, ErrInvalidDomain},
		// three words are a filter even when they look like options
		{"show stat typed json desc", ShowStatRequest{}, ErrNoSuchProxy},
		{"show stat nosuch 1 1", ShowStatRequest{}, ErrNoSuchProxy},
		{"show stat 12abc 1x 2", ShowStatRequest{Filter: Filter{Bound: true, IID: 12, Types: 1, SID: 2}}, nil},
	} {
		got, err := ParseShowStat(strings.Fields(tc.line), lookup)
		if err != tc.err || (err == nil && got != tc.want) {
			t.Errorf("%q: got %+v, %v; want %+v, %v", tc.line, got, err, tc.want, tc.err)
		}
	}
}

// TestConcurrentCountAndDump counts on the request path, changes server
// state and check results, and dumps, all at once; run with -race.
func TestConcurrentCountAndDump(t *testing.T) {
	proxies := bigConfig(3, 4)
	fe := &Proxy{Name: "fe", ID: 1, Cap: CapFE, Mode: ModeHTTP, Listeners: []*Listener{{Name: "sock-1", ID: 1}}}
	proxies = append([]*Proxy{fe}, proxies...)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			be := proxies[1+g]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				clk := Now()
				sv := be.Servers[i%len(be.Servers)]
				fe.Accept(fe.Listeners[0], clk.Ms)
				fe.SessionStart(clk.Ms)
				fe.Request(clk.Ms)
				be.BackendStart(sv, clk, true)
				sv.C.AddResponse(200)
				sv.C.AddTimes(0, 1, 2, 3)
				be.BackendEnd(sv)
				fe.SessionEnd(fe.Listeners[0])
				if i%50 == 0 {
					sv.SetCheck(Check{Enabled: true, Status: ChkL4OK, Rise: 2, Fall: 3, Health: int32(i % 5)})
					sv.Admin.Store(uint32(i/50%2) * AdminDrain)
				}
			}
		}(g)
	}
	d := &StatDump{}
	e := &PromExporter{}
	in := &Info{}
	var buf []byte
	for i := 0; i < 50; i++ {
		d.Clock = Now()
		buf = d.AppendAll(buf[:0], proxies)
		buf = e.Append(buf[:0], in, proxies, d.Clock)
		if i == 25 {
			ClearCounters(proxies, i%2 == 0)
		}
	}
	close(stop)
	wg.Wait()
	var r Row
	FillFrontend(&r, fe, Now())
	if r[FScur].U != 0 || r[FStot].U == 0 {
		t.Fatalf("after the run: scur=%d stot=%d", r[FScur].U, r[FStot].U)
	}
}

func TestProcessInfo(t *testing.T) {
	p := &Process{Started: time.Unix(1000, 0)}
	clk := Clock{Unix: 1000 + 90061, Ms: 777_000}
	for i := 0; i < 5; i++ {
		p.Conn(clk.Ms)
		p.Sess(clk.Ms)
	}
	p.Out(clk.Ms, 64*10)
	in := &Info{}
	p.Fill(in, clk)
	f := in.Fields()
	if f[IUptime].S != "1d 1h01m01s" || in.U[IMaxConnRate] != 5 || in.U[ISessRate] != 5 || in.U[IBytesOutRate] != 640 {
		t.Fatalf("uptime %q maxconnrate %d sessrate %d bytesoutrate %d", f[IUptime].S, in.U[IMaxConnRate], in.U[ISessRate], in.U[IBytesOutRate])
	}
	p.ClearMax()
	p.Fill(in, clk)
	if in.U[IMaxConnRate] != 0 || in.U[ICumConns] != 5 {
		t.Fatalf("after clear: max %d cum %d", in.U[IMaxConnRate], in.U[ICumConns])
	}
	if Tainted(0) != "0" || Tainted(0x12) != "0x12" {
		t.Fatal("tainted format")
	}
}

func TestSetServerStateBookkeeping(t *testing.T) {
	px := &Proxy{Name: "be", ID: 2, Cap: CapBE, Mode: ModeHTTP}
	a := &Server{Name: "a", ID: 1, MaxIdleConns: -1}
	b := &Server{Name: "b", ID: 2, MaxIdleConns: -1}
	for _, s := range []*Server{a, b} {
		s.EWeight.Store(1)
		s.UWeight.Store(1)
		s.State.Store(uint32(SrvRunning))
		s.SetCheck(Check{Enabled: true, Status: ChkL4OK, Rise: 2, Fall: 3, Health: 4})
		s.LastChange.Store(100)
	}
	px.Servers = []*Server{a, b}
	px.LastChange.Store(100)

	px.SetServerState(a, SrvStopped, 110) // b still up: backend stays UP
	px.SetServerState(b, SrvStopped, 120) // backend loses its last server
	px.SetServerState(a, SrvRunning, 150) // and gets one back after 30s

	var r Row
	clk := Clock{Unix: 160}
	FillBackend(&r, px, clk, Options{})
	if r[FStatus].S != "UP" || r[FChkdown].U != 1 || r[FDowntime].U != 30 || r[FLastchg].U != 10 {
		t.Errorf("backend: status=%s chkdown=%d downtime=%d lastchg=%d", r[FStatus].S, r[FChkdown].U, r[FDowntime].U, r[FLastchg].U)
	}
	FillServer(&r, px, a, clk, Options{})
	if r[FChkdown].U != 1 || r[FDowntime].U != 40 || r[FLastchg].U != 10 {
		t.Errorf("server a: chkdown=%d downtime=%d lastchg=%d", r[FChkdown].U, r[FDowntime].U, r[FLastchg].U)
	}
	FillServer(&r, px, b, clk, Options{})
	// b is still DOWN: its downtime runs on from its last change
	if r[FChkdown].U != 1 || r[FDowntime].U != 40 || r[FLastchg].U != 40 {
		t.Errorf("server b: chkdown=%d downtime=%d lastchg=%d", r[FChkdown].U, r[FDowntime].U, r[FLastchg].U)
	}
}
