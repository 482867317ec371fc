package cli_test

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"goha/stats"
	"goha/stats/cli"
)

// engine is the smallest Runtime: one backend with one server, every
// change applied to the stats model with the reference helpers.
type engine struct {
	proxies []*stats.Proxy
	process stats.Process
}

func (e *engine) Proxies() []*stats.Proxy { return e.proxies }
func (e *engine) Clock() stats.Clock      { return stats.Now() }
func (e *engine) Info(clk stats.Clock) *stats.Info {
	in := &stats.Info{}
	in.S[stats.IName], in.S[stats.IVersion] = "HAProxy", "2.6.12"
	e.process.Fill(in, clk)
	return in
}
func (e *engine) ServerDetail(px *stats.Proxy, sv *stats.Server) cli.ServerDetail {
	d := cli.DetailFromModel(sv)
	d.IWeight, d.DynamicLB, d.Port = 1, true, 8080
	return d
}
func (e *engine) SetServerAdmin(px *stats.Proxy, sv *stats.Server, a cli.AdminAction) {
	cli.ApplyAdmin(px, sv, a, stats.Now().Unix) // then update the LB tree
}
func (e *engine) SetServerWeight(px *stats.Proxy, sv *stats.Server, w uint32) {
	cli.ApplyWeight(sv, w) // then update the LB tree
}
func (e *engine) PauseFrontend(px *stats.Proxy) error {
	px.State.Store(uint32(stats.ProxyPaused))
	return nil
}
func (e *engine) ResumeFrontend(px *stats.Proxy) error {
	px.State.Store(uint32(stats.ProxyOpen))
	return nil
}
func (e *engine) ClearCounters(all bool) {
	stats.ClearCounters(e.proxies, all)
	e.process.ClearMax()
}
func (e *engine) Sessions() []cli.Session { return nil }

func Example() {
	sv := &stats.Server{Name: "s1", ID: 1, Addr: "127.0.0.1:8080", MaxIdleConns: -1}
	sv.State.Store(uint32(stats.SrvRunning))
	sv.EWeight.Store(1)
	sv.UWeight.Store(1)
	sv.SetCheck(stats.Check{Rise: 2, Fall: 3, Health: 2})
	sv.LastChange.Store(stats.Now().Unix)
	be := &stats.Proxy{Name: "be", ID: 2, Cap: stats.CapBE, Mode: stats.ModeHTTP, Servers: []*stats.Server{sv}}

	dir, _ := os.MkdirTemp("", "cli-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "admin.sock")
	l, _ := cli.ListenUnix(path, 0o600) // stats socket <path> mode 600 level admin
	srv := &cli.Server{Runtime: &engine{proxies: []*stats.Proxy{be}}}
	go srv.ServeSocket(cli.Socket{Listener: l, Level: cli.LevelAdmin, ID: 1})
	defer srv.Close()

	// srv_time_since_last_change counts whole seconds since "disable
	// server" changed the state: start just after a second begins, so
	// that a second's boundary does not fall between the commands.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 20*time.Millisecond)))
	// one connection per command, as "echo <cmd> | socat stdio <sock>"
	for _, cmd := range []string{"set weight be/s1 0", "get weight be/s1", "disable server be/s1", "show servers state be"} {
		c, _ := net.Dial("unix", path)
		io.WriteString(c, cmd+"\n")
		out, _ := io.ReadAll(c)
		c.Close()
		fmt.Printf("%s -> %q\n", cmd, out)
	}
	// Output:
	// set weight be/s1 0 -> "\n"
	// get weight be/s1 -> "0 (initial 1)\n\n"
	// disable server be/s1 -> "\n"
	// show servers state be -> "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n2 be 1 s1 127.0.0.1 0 1 0 1 0 1 0 0 0 0 0 0 - 8080 - 0 0 - - 0\n\n"
}
