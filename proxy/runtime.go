package proxy

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"

	"goha/parser/haproxy"
	"goha/proxy/balance"
	"goha/proxy/check"
	plog "goha/proxy/log"
	"goha/proxy/sock"
	"goha/stats"
	"goha/stats/cli"
	"goha/stats/page"
)

// The engine is the runtime API's and the stats page's Runtime
// (goha/stats/cli.Runtime): they read the stats model and change server
// states and weights through the methods below.
var _ cli.Runtime = (*Engine)(nil)

// Proxies returns the stats descriptors in configuration order.
func (e *Engine) Proxies() []*stats.Proxy { return e.stats }

// Clock is the instant a dump describes.
func (e *Engine) Clock() stats.Clock { return stats.Now() }

// Info returns "show info": the static fields, then the moving ones.
func (e *Engine) Info(clk stats.Clock) *stats.Info {
	in := &stats.Info{}
	in.S[stats.IName] = "HAProxy"
	in.S[stats.IVersion] = "2.6.12"
	in.S[stats.IReleaseDate] = "2023/03/28"
	in.U[stats.INbthread] = 1
	in.U[stats.INbproc] = 1
	in.U[stats.IProcessNum] = 1
	in.U[stats.IPid] = uint64(os.Getpid())
	in.U[stats.INbthread] = uint64(e.limits.NbThread)
	in.U[stats.IUlimitN] = uint64(e.limits.UlimitN)
	in.U[stats.IMaxsock] = uint64(e.limits.MaxSock)
	in.U[stats.IMaxconn] = uint64(e.limits.MaxConn)
	in.U[stats.IHardMaxconn] = uint64(e.limits.MaxConn)
	in.U[stats.IMaxpipes] = uint64(e.limits.MaxPipes)
	e.process.Fill(in, clk)
	return in
}

// backendOf finds the runtime backend of a stats proxy.
func (e *Engine) backendOf(px *stats.Proxy) *backend {
	b := e.backends[px.Name]
	if b == nil || b.st != px {
		return nil
	}
	return b
}

func (e *Engine) serverOf(px *stats.Proxy, sv *stats.Server) (*backend, *server) {
	b := e.backendOf(px)
	if b == nil {
		return nil, nil
	}
	for _, s := range b.servers {
		if s.st == sv {
			return b, s
		}
	}
	return b, nil
}

// ServerDetail adds the configuration's figures to the stats model's.
func (e *Engine) ServerDetail(px *stats.Proxy, sv *stats.Server) cli.ServerDetail {
	d := cli.DetailFromModel(sv)
	b, s := e.serverOf(px, sv)
	if s == nil {
		return d
	}
	d.IWeight = uint32(s.lbs.InitialWeight())
	d.DynamicLB = !staticWeights(b.lb.Algorithm())
	for _, cs := range b.cfg.Servers {
		if cs.Name != s.name {
			continue
		}
		d.Port = uint16(cs.Address.Port)
		d.ForcedID = cs.ID > 0
		d.CheckPort = uint16(cs.Port)
		d.CheckAddr = cs.Addr
	}
	d.BackendForcedID = b.cfg.ID > 0
	return d
}

// staticWeights: algorithms whose weights are fixed at start (static-rr
// and the hashes unless consistent) accept only 0% and 100%.
func staticWeights(a balance.Algorithm) bool {
	switch a {
	case balance.RoundRobin, balance.LeastConn, balance.First, balance.Random:
		return false
	}
	return true
}

// SetServerAdmin applies a forced state change to the stats model and to
// the balancer under the backend lock, so that a server put in
// maintenance or drain takes no new request once this returns.
func (e *Engine) SetServerAdmin(px *stats.Proxy, sv *stats.Server, a cli.AdminAction) {
	b, s := e.serverOf(px, sv)
	if s == nil {
		cli.ApplyAdmin(px, sv, a, stats.Now().Unix)
		return
	}
	// Maintenance pauses the server's health checks (haproxy 2.6 sends
	// none then, measured); leaving it resumes them with the health at
	// rise. The checker is paused before the model changes and resumed
	// after, so that no check result lands in between.
	t := e.checkTargetOf(s)
	if t != nil && a == cli.AdminMaintenance {
		e.checker.Pause(t)
	}
	b.mu.Lock()
	usableBefore := b.lb.ActiveServers() + b.lb.BackupServers()
	oldAdm, oldState := sv.Admin.Load(), stats.ServerState(sv.State.Load())
	changed := cli.ApplyAdmin(px, sv, a, stats.Now().Unix) != ""
	b.lb.SetMaintenance(s.lbs, a == cli.AdminMaintenance)
	b.lb.SetDrain(s.lbs, a == cli.AdminDrain)
	b.dispatchQueue()
	act, bck := b.lb.ActiveServers(), b.lb.BackupServers()
	served := s.lbs.Served()
	newAdm, newState := sv.Admin.Load(), stats.ServerState(sv.State.Load())
	b.mu.Unlock()
	if t != nil && oldAdm&stats.AdminAnyMaint != 0 && newAdm&stats.AdminAnyMaint == 0 {
		e.checker.Resume(t)
	}
	if !changed {
		return
	}
	// haproxy's words for each forced change (srv_update_status in
	// src/server.c), on stderr as warnings and to the backend's logs.
	ref := plog.ServerRef{Backend: b.name, Server: s.name, Backup: s.lbs.Backup()}
	counts := plog.ServerCounts{Active: act, Backup: bck, Sessions: served}
	wasMaint, isMaint := oldAdm&stats.AdminAnyMaint != 0, newAdm&stats.AdminAnyMaint != 0
	var msg []byte
	var level int
	switch {
	case !wasMaint && isMaint:
		msg, level = plog.ServerEnterMaint(nil, ref, "", nil, counts, oldState == stats.SrvStopped, false, true)
	case wasMaint && !isMaint:
		msg, level = plog.ServerLeaveMaint(nil, ref, plog.LeaveForcedMaint, "", newState == stats.SrvStopped, newAdm&stats.AdminDrain != 0)
	case newAdm&stats.AdminDrain != 0:
		msg, level = plog.ServerEnterDrain(nil, ref, counts)
	default:
		msg, level = plog.ServerLeaveDrain(nil, ref, newState == stats.SrvStopped)
	}
	e.logServerState(b, msg, level)
	if usableBefore > 0 && act+bck == 0 {
		e.opts.Logf("alert", "%s '%s' has no server available!", b.typeWord(), b.name)
		msg, level = plog.NoServerAvailable(nil, b.typeWord(), b.name)
		if b.log != nil {
			b.log.logger.Send(level, msg, nil)
		}
	}
}

// checkTargetOf returns the health-check target of s (nil without
// "check").
func (e *Engine) checkTargetOf(s *server) *check.Target {
	if e.checker == nil {
		return nil
	}
	for t, ts := range e.targets {
		if ts == s {
			return t
		}
	}
	return nil
}

// SetServerWeight sets a server's user weight in the model and the
// balancer.
func (e *Engine) SetServerWeight(px *stats.Proxy, sv *stats.Server, w uint32) {
	b, s := e.serverOf(px, sv)
	if s == nil {
		cli.ApplyWeight(sv, w)
		return
	}
	b.mu.Lock()
	cli.ApplyWeight(sv, w)
	b.lb.SetWeight(s.lbs, int(w))
	b.dispatchQueue()
	b.mu.Unlock()
}

// PauseFrontend is "disable frontend": the frontend's listeners close
// (new clients are refused; haproxy keeps the port bound and leaves them
// in the accept queue), connections in progress go on.
func (e *Engine) PauseFrontend(px *stats.Proxy) error {
	f := e.frontendOf(px)
	if f == nil {
		return fmt.Errorf("no such frontend")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	keep := e.listeners[:0]
	for _, ln := range e.listeners {
		if e.lnOwner[ln] == f {
			ln.Close()
			delete(e.lnOwner, ln)
			continue
		}
		keep = append(keep, ln)
	}
	e.listeners = keep
	px.State.Store(uint32(stats.ProxyPaused))
	e.opts.Logf("warning", "Paused %s %s.", "frontend", f.name)
	return nil
}

// ResumeFrontend is "enable frontend": the listeners are bound again.
func (e *Engine) ResumeFrontend(px *stats.Proxy) error {
	f := e.frontendOf(px)
	if f == nil {
		return fmt.Errorf("no such frontend")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopping() {
		return fmt.Errorf("stopping")
	}
	if err := e.bindFrontend(f); err != nil {
		return err
	}
	px.State.Store(uint32(stats.ProxyOpen))
	e.opts.Logf("warning", "Resumed %s %s.", "frontend", f.name)
	return nil
}

func (e *Engine) frontendOf(px *stats.Proxy) *frontend {
	for _, f := range e.front {
		if f.st == px {
			return f
		}
	}
	return nil
}

// bindFrontend opens f's listeners and serves them; call with e.mu held.
func (e *Engine) bindFrontend(f *frontend) error {
	for _, b := range f.cfg.Binds {
		for _, a := range b.Addresses {
			lns, err := e.listen(a, b)
			if err != nil {
				return fmt.Errorf("Resuming frontend %s: cannot bind socket (%v) [%s]", f.name, err, a.Raw)
			}
			for _, ln := range lns {
				e.addListener(f, ln)
				go e.serve(f, ln)
			}
		}
	}
	return nil
}

// ClearCounters is "clear counters [all]".
func (e *Engine) ClearCounters(all bool) {
	stats.ClearCounters(e.stats, all)
	e.process.ClearMax()
}

// buildPages prepares the stats page of each section with "stats enable"
// (or any "stats" keyword implying it), compiling "stats admin" rules. A
// frontend answers its own stats URI before its use_backend rules run (a
// "frontend stats" section needs no backend), a backend after them; a
// listen section shares one page between both roles.
func (e *Engine) buildPages() error {
	for _, b := range e.backends {
		h, err := e.pageFor(b.cfg, b.name, b.rt)
		if err != nil {
			return err
		}
		b.page = h
	}
	for _, f := range e.front {
		if b := e.backends[f.name]; b != nil && b.cfg == f.cfg {
			f.page = b.page
			continue
		}
		h, err := e.pageFor(f.cfg, f.name, f.rt)
		if err != nil {
			return err
		}
		f.page = h
	}
	return nil
}

// pageFor is the stats page of one section, nil without "stats enable".
func (e *Engine) pageFor(cfg *haproxy.Proxy, name string, rt *proxyRT) (*page.Handler, error) {
	st := &cfg.Stats
	if !st.Enabled {
		return nil, nil
	}
	pc := page.Config{URI: st.URI, Realm: st.Realm, Refresh: int(st.Refresh.Seconds()),
		HideVersion: st.HideVersion, ShowLegends: st.ShowLegends, ShowDesc: st.ShowDesc,
		Scope: st.Scopes, Self: name}
	if st.ShowNodeSet {
		pc.ShowNode = st.ShowNode
		if pc.ShowNode == "" {
			pc.ShowNode, _ = os.Hostname()
		}
	}
	for _, a := range st.Auths {
		pc.Users = append(pc.Users, page.User{Name: a.User, Password: a.Password})
	}
	if len(st.Admin) > 0 {
		var conds []*cond
		for _, c := range st.Admin {
			cc, err := rt.cc.compile(c)
			if err != nil {
				return nil, fmt.Errorf("proxy '%s': stats admin: %v", name, err)
			}
			conds = append(conds, cc)
		}
		pc.Admin = func(r *page.Request) bool {
			s, _ := r.Conn.(*stream)
			if s == nil {
				return false
			}
			for _, c := range conds {
				if c.eval(s) {
					return true
				}
			}
			return false
		}
	}
	return &page.Handler{Config: pc, Runtime: e}, nil
}

// startCLI serves every global "stats socket" line (management guide
// §9.3) with "stats timeout".
func (e *Engine) startCLI() error {
	socks := e.cfg.Global.StatsSockets
	if len(socks) == 0 {
		return nil
	}
	e.cli = &cli.Server{Runtime: e, Timeout: e.cfg.Global.StatsTimeout, OnConn: func() { nextStreamID() }}
	for i, ss := range socks {
		var ln net.Listener
		var err error
		switch ss.Address.Family {
		case haproxy.FamilyUnix:
			mode := os.FileMode(ss.Mode)
			if mode == 0 {
				mode = 0o600
			}
			ln, err = cli.ListenUnix(ss.Address.Host, mode)
		case haproxy.FamilyABNS:
			ln, err = sock.ListenAbstract(ss.Address.Host)
		case haproxy.FamilyFD:
			ln, err = sock.ListenFD(ss.Address.FD, 4096)
		case haproxy.FamilySockPair:
			ln, err = sock.ListenSockPair(ss.Address.FD)
		default:
			lc := net.ListenConfig{}
			lc.SetMultipathTCP(false) // plain TCP, as haproxy (see Engine.listen)
			ln, err = lc.Listen(context.Background(), "tcp", net.JoinHostPort(ss.Address.Host, strconv.Itoa(ss.Address.Port)))
		}
		if err != nil {
			return fmt.Errorf("Starting proxy GLOBAL: cannot bind UNIX socket (%v) [%s]", err, ss.Address.Raw)
		}
		level := cli.LevelAdmin
		if ss.Level != "" {
			if l, ok := cli.ParseLevel(ss.Level); ok {
				level = l
			}
		}
		go e.cli.ServeSocket(cli.Socket{Listener: ln, Level: level, ID: i + 1})
	}
	return nil
}
