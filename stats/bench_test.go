package stats

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkRequestPath counts one proxied HTTP request the way the engine
// will: accept, session, request, backend and server, bytes, status, times.
// It must not allocate, and runs in parallel to show there is no lock.
func BenchmarkRequestPath(b *testing.B) {
	px := &Proxy{Name: "fe", ID: 2, Cap: CapFE | CapBE, Mode: ModeHTTP}
	sv := &Server{Name: "s1", ID: 1, MaxIdleConns: -1}
	px.Servers = []*Server{sv}
	l := &Listener{Name: "sock-1", ID: 1}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		clk := Now()
		for pb.Next() {
			px.Accept(l, clk.Ms)
			px.SessionStart(clk.Ms)
			px.Request(clk.Ms)
			px.BackendStart(sv, clk, true)
			px.FE.BytesIn.Add(120)
			px.FE.BytesOut.Add(900)
			sv.C.BytesIn.Add(120)
			sv.C.BytesOut.Add(900)
			px.FE.AddResponse(200)
			sv.C.AddResponse(200)
			sv.C.AddTimes(0, 1, 3, 4)
			px.BackendEnd(sv)
			px.SessionEnd(l)
		}
	})
}

// BenchmarkRequestPathSerial is the same work on one goroutine: the cost
// of counting without contention.
func BenchmarkRequestPathSerial(b *testing.B) {
	px := &Proxy{Name: "fe", ID: 2, Cap: CapFE | CapBE, Mode: ModeHTTP}
	sv := &Server{Name: "s1", ID: 1, MaxIdleConns: -1}
	l := &Listener{Name: "sock-1", ID: 1}
	clk := Now()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		px.Accept(l, clk.Ms)
		px.SessionStart(clk.Ms)
		px.Request(clk.Ms)
		px.BackendStart(sv, clk, true)
		px.FE.BytesIn.Add(120)
		px.FE.BytesOut.Add(900)
		sv.C.BytesIn.Add(120)
		sv.C.BytesOut.Add(900)
		px.FE.AddResponse(200)
		sv.C.AddResponse(200)
		sv.C.AddTimes(0, 1, 3, 4)
		px.BackendEnd(sv)
		px.SessionEnd(l)
	}
}

func bigConfig(backends, servers int) []*Proxy {
	var proxies []*Proxy
	for i := 0; i < backends; i++ {
		px := &Proxy{Name: fmt.Sprintf("be%04d", i), ID: uint32(i + 2), Cap: CapBE, Mode: ModeHTTP,
			FullConn: 100, Algo: "roundrobin"}
		for j := 0; j < servers; j++ {
			sv := &Server{Name: fmt.Sprintf("srv%02d", j), ID: uint32(j + 1), Addr: fmt.Sprintf("10.0.%d.%d:80", i%250, j), MaxIdleConns: -1}
			sv.State.Store(uint32(SrvRunning))
			sv.EWeight.Store(1)
			sv.UWeight.Store(1)
			sv.SetCheck(Check{Enabled: true, Status: ChkL7OK, Code: 200, Duration: 1, Desc: "HTTP status check returned code <3C>200<3E>", Rise: 2, Fall: 3, Health: 4})
			sv.C.CumSess.Store(uint64(1000 * j))
			px.Servers = append(px.Servers, sv)
		}
		proxies = append(proxies, px)
	}
	return proxies
}

// BenchmarkCSV2000x10 renders show stat for 2,000 backends of 10 servers.
func BenchmarkCSV2000x10(b *testing.B) {
	proxies := bigConfig(2000, 10)
	d := &StatDump{Options: Options{Legends: true}, Clock: Now()}
	buf := d.AppendAll(nil, proxies)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = d.AppendAll(buf[:0], proxies)
	}
}

func TestRequestPathDoesNotAllocate(t *testing.T) {
	px := &Proxy{Name: "fe", ID: 2, Cap: CapFE | CapBE, Mode: ModeHTTP}
	sv := &Server{Name: "s1", ID: 1, MaxIdleConns: -1}
	l := &Listener{Name: "sock-1", ID: 1}
	clk := Now()
	n := testing.AllocsPerRun(1000, func() {
		px.Accept(l, clk.Ms)
		px.SessionStart(clk.Ms)
		px.Request(clk.Ms)
		px.BackendStart(sv, clk, true)
		sv.C.AddResponse(200)
		sv.C.AddTimes(0, 1, 3, 4)
		px.BackendEnd(sv)
		px.SessionEnd(l)
	})
	if n != 0 {
		t.Fatalf("request path allocates %v times", n)
	}
}

func FuzzParseShowStat(f *testing.F) {
	for _, s := range []string{"show stat", "show stat typed", "show stat app 4 -1 json",
		"show stat domain resolvers", "show stat domain x", "show stat 3 2 -1 typed desc", "show stat -1 -1 -1 up no-maint"} {
		f.Add(s)
	}
	lookup := func(name string) (uint32, bool) { return 7, name == "app" }
	f.Fuzz(func(t *testing.T, line string) {
		req, err := ParseShowStat(strings.Fields(line), lookup)
		if err != nil {
			if err != ErrNoSuchProxy && err != ErrInvalidDomain {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if req.Filter.Bound && req.Filter.IID == 0 {
			t.Fatalf("bound filter with proxy 0 accepted: %q", line)
		}
		if req.Format > FormatJSON {
			t.Fatalf("bad format %d", req.Format)
		}
	})
}

// BenchmarkPrometheus2000x10 renders /metrics for 2,000 backends of 10 servers.
func BenchmarkPrometheus2000x10(b *testing.B) {
	proxies := bigConfig(2000, 10)
	in := &Info{}
	e := &PromExporter{}
	clk := Now()
	buf := e.Append(nil, in, proxies, clk)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = e.Append(buf[:0], in, proxies, clk)
	}
}

func FuzzParsePageURI(f *testing.F) {
	for _, s := range []string{";csv;norefresh;up;scope=AP", ";typed", "?scope=web01;csv", ";st=DONE;json-schema", "scope=a/b&x"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, uri string, refresh bool) {
		req := ParsePageURI(uri, refresh)
		if req.Scope != "" && (!validScope(req.Scope) || len(req.Scope) > scopeMaxLen || !strings.Contains(uri, req.Scope)) {
			t.Fatalf("bad scope %q from %q", req.Scope, uri)
		}
		if req.NoRefresh && !refresh {
			t.Fatal("norefresh without refresh")
		}
		if req.Format == PageHTML && strings.Contains(uri, ";csv") {
			t.Fatal(";csv ignored")
		}
	})
}
