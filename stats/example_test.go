package stats_test

import (
	"fmt"
	"strings"

	"goha/stats"
)

// The engine describes its proxies once, counts on the request path, and
// renders on demand.
func Example() {
	web := &stats.Proxy{Name: "web", ID: 2, Cap: stats.CapFE, Mode: stats.ModeHTTP, MaxConn: 2000}
	app := &stats.Proxy{Name: "app", ID: 3, Cap: stats.CapBE, Mode: stats.ModeHTTP, FullConn: 200, Algo: "roundrobin"}
	s1 := &stats.Server{Name: "s1", ID: 1, Addr: "10.0.0.1:80", MaxIdleConns: -1}
	s1.State.Store(uint32(stats.SrvRunning))
	s1.EWeight.Store(1)
	s1.UWeight.Store(1)
	s1.SetCheck(stats.Check{Enabled: true, Status: stats.ChkL7OK, Code: 200, Desc: "OK", Rise: 2, Fall: 3, Health: 4})
	app.Servers = []*stats.Server{s1}
	proxies := []*stats.Proxy{web, app}

	clk := stats.Clock{Unix: 1_700_000_000, Ms: 42_000}
	web.Accept(nil, clk.Ms)
	web.SessionStart(clk.Ms)
	web.Request(clk.Ms)
	app.BackendStart(s1, clk, true)
	s1.C.AddResponse(200)
	app.BackendEnd(s1)
	web.SessionEnd(nil)

	d := &stats.StatDump{Format: stats.FormatTyped, Clock: clk}
	for _, line := range strings.Split(string(d.AppendAll(nil, proxies)), "\n") {
		if strings.HasPrefix(line, "S.3.1.") && (strings.Contains(line, ".stot.") || strings.Contains(line, ".status.") || strings.Contains(line, ".check_status.")) {
			fmt.Println(line)
		}
	}
	// Output:
	// S.3.1.7.stot.1:MCP:u64:1
	// S.3.1.17.status.1:SGP:str:UP
	// S.3.1.36.check_status.1:MOP:str:L7OK
}
