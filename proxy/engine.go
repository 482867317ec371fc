package proxy

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"goha/parser/haproxy"
	"goha/proxy/check"
	plog "goha/proxy/log"
	"goha/stats"
	"goha/stats/cli"
	"goha/stats/page"
)

// Options tune an Engine.
type Options struct {
	// Logf receives process-level messages haproxy prints to stderr and
	// sends to its logs (server state changes, "Proxy X started."). nil
	// discards them.
	Logf func(level, format string, args ...any)
	// NoReusePort disables SO_REUSEPORT on listeners (haproxy -dR). With
	// it, a reloading process (-sf) binds beside the old one.
	NoReusePort bool
	// FDLimits gives the RLIMIT_NOFILE (current, maximum) a derived
	// global maxconn is computed from; nil reads the process's own.
	FDLimits func() (cur, max uint64)
}

// Engine runs a configuration: it binds the frontends, balances requests
// over the backends' servers and checks their health.
type Engine struct {
	cfg      *haproxy.Config
	opts     Options
	front    []*frontend
	backends map[string]*backend
	targets  map[*check.Target]*server
	checker  *check.Checker
	// rts holds each section's compiled rules and error pages; read-only
	// after New.
	rts map[*haproxy.Proxy]*proxyRT

	// workers run the connections' handlers.
	workers *workerPool

	mu        sync.Mutex
	listeners []net.Listener
	conns     sync.WaitGroup
	closing   chan struct{}
	// A soft stop closes the client connections waiting for their next
	// request (haproxy does not wait for idle clients): those in their
	// goroutine are marked in the stream table (enterIdle). idleP parks
	// the idle keep-alive connections (idle.go); made on first use, nil
	// when the system refused it (idleFailed).
	idleP      atomic.Pointer[idlePoller]
	idleFailed bool
	// gsem bounds the connections of the whole process (global maxconn,
	// configuration.txt §3.2), taken after the frontend's own sem.
	gsem chan struct{}
	// limits are the global maxconn, maxsock... "show info" reports.
	limits Limits
	// paused: the listeners are closed until Resume.
	paused bool

	// stats holds the stats descriptors of every section, in
	// configuration order (show stat's order); statsOf maps a section to
	// its own. Read-only after New; their counters are atomics.
	stats   []*stats.Proxy
	statsOf map[*haproxy.Proxy]*stats.Proxy
	process stats.Process
	// cli serves the "stats socket" lines (nil without any).
	cli *cli.Server
	// lnOwner maps each listener to its frontend ("disable frontend").
	lnOwner map[net.Listener]*frontend
	// streams lists the connections in progress ("show sess").
	streams streamTable
}

// addListener records ln as one of f's listeners.
func (e *Engine) addListener(f *frontend, ln net.Listener) {
	e.listeners = append(e.listeners, ln)
	if e.lnOwner == nil {
		e.lnOwner = map[net.Listener]*frontend{}
	}
	e.lnOwner[ln] = f
}

// frontend is a frontend or listen section at run time.
type frontend struct {
	name     string
	cfg      *haproxy.Proxy
	mode     haproxy.Mode
	rt       *proxyRT
	uses     []useBackend
	defBE    *backend
	timeouts haproxy.Timeouts
	e        *Engine
	// sem bounds concurrent connections (frontend maxconn): further
	// clients wait in the kernel's accept queue, as with haproxy.
	sem chan struct{}
	// st is the frontend's stats descriptor.
	st *stats.Proxy
	// log sends the frontend's stream lines (nil: no logging).
	log *sectionLog
	// caps is what it captures of each request (nil: nothing).
	caps *frontCaptures
	// page answers the frontend's own "stats uri", nil without stats.
	page *page.Handler
	// cliTCPKA: "option clitcpka" (or tcpka) asks for TCP keep-alive
	// probes on client connections.
	cliTCPKA bool
}

type useBackend struct {
	cond *cond
	be   *backend
	// dynamic is the "%[...]" form: the backend is named by a format.
	dynamic *logFormat
}

// New prepares an engine for cfg; nothing is bound until Start.
func New(cfg *haproxy.Config, opts Options) (*Engine, error) {
	if opts.Logf == nil {
		opts.Logf = func(string, string, ...any) {}
	}
	e := &Engine{cfg: cfg, opts: opts, backends: map[string]*backend{}, targets: map[*check.Target]*server{},
		rts: map[*haproxy.Proxy]*proxyRT{}, closing: make(chan struct{}), statsOf: map[*haproxy.Proxy]*stats.Proxy{}}
	e.process.Started = time.Now()
	e.workers = newWorkerPool(e.serveConn)
	// haproxy 2.6 derives a global maxconn from the file-descriptor limit
	// when none is set: it bounds the process and every frontend without
	// its own maxconn.
	if opts.FDLimits == nil {
		opts.FDLimits = FDLimits
	}
	fdCur, fdMax := opts.FDLimits()
	e.limits = DeriveLimits(cfg, fdCur, fdMax)
	e.gsem = make(chan struct{}, e.limits.MaxConn)
	for _, px := range cfg.Proxies {
		if px.Kind == haproxy.KindDefaults || px.Disabled {
			continue
		}
		rt, err := newProxyRT(cfg, px)
		if err != nil {
			return nil, err
		}
		e.rts[px] = rt
	}
	for _, px := range cfg.Proxies {
		if px.Disabled || !px.Kind.IsBackend() || px.Kind == haproxy.KindDefaults {
			continue
		}
		b, err := newBackend(px)
		if err != nil {
			return nil, err
		}
		b.rt = e.rts[px]
		e.backends[px.Name] = b
	}
	for _, px := range cfg.Proxies {
		if px.Disabled || !px.Kind.IsFrontend() || px.Kind == haproxy.KindDefaults || len(px.Binds) == 0 {
			continue
		}
		f, err := e.newFrontend(px)
		if err != nil {
			return nil, err
		}
		e.front = append(e.front, f)
	}
	e.buildStats()
	for _, f := range e.front {
		f.st = e.statsOf[f.cfg]
	}
	if err := e.buildPages(); err != nil {
		return nil, err
	}
	if err := e.buildLogs(); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Engine) newFrontend(px *haproxy.Proxy) (*frontend, error) {
	rt := e.rts[px]
	f := &frontend{name: px.Name, cfg: px, mode: px.Mode, rt: rt, timeouts: px.Timeouts, e: e,
		cliTCPKA: px.Options.Set["clitcpka"] || px.Options.Set["tcpka"]}
	maxconn := px.MaxConn
	if maxconn == 0 {
		maxconn = e.limits.MaxConn
	}
	if maxconn > 0 {
		f.sem = make(chan struct{}, maxconn)
	}
	for _, u := range px.UseBackends {
		c, err := rt.cc.compile(u.Cond)
		if err != nil {
			return nil, fmt.Errorf("parsing [%s:%d] : %v", u.File, u.Line, err)
		}
		ub := useBackend{cond: c, be: e.backends[u.Backend]}
		if strings.Contains(u.Backend, "%[") {
			if ub.dynamic, err = compileFormat(u.Backend); err != nil {
				return nil, fmt.Errorf("parsing [%s:%d] : %v", u.File, u.Line, err)
			}
		}
		f.uses = append(f.uses, ub)
	}
	if px.DefaultBackend != "" {
		f.defBE = e.backends[px.DefaultBackend]
	} else if px.Kind == haproxy.KindListen {
		f.defBE = e.backends[px.Name]
	}
	return f, nil
}

// Start binds every frontend and starts health checks. On error nothing
// stays bound.
func (e *Engine) Start() error {
	for _, f := range e.front {
		for _, b := range f.cfg.Binds {
			for _, a := range b.Addresses {
				lns, err := e.listen(a, b)
				if err != nil {
					e.Close()
					return fmt.Errorf("Starting frontend %s: cannot bind socket (%w) [%s]", f.name, err, a.Raw)
				}
				for _, ln := range lns {
					e.addListener(f, ln)
					go e.serve(f, ln)
				}
			}
		}
	}
	var targets []*check.Target
	for _, px := range e.cfg.Proxies {
		if b := e.backends[px.Name]; b != nil {
			targets = append(targets, b.checkTargets(e.targets)...)
		}
	}
	if len(targets) > 0 {
		e.checker = check.Start(targets, check.Options{Notify: e.onCheck, Started: e.onCheckStart, SpreadChecks: e.cfg.Global.SpreadChecks, MaxSpreadChecks: e.cfg.Global.MaxSpreadChecks})
	}
	if err := e.startCLI(); err != nil {
		e.Close()
		return err
	}
	go e.sweepPools()
	for _, px := range e.cfg.Proxies {
		if px.Kind != haproxy.KindDefaults && !px.Disabled {
			// stderr only: haproxy 2.6 does not send it to the logs
			// (measured, TestObserveStateLogs)
			e.opts.Logf("notice", "Proxy %s started.", px.Name)
		}
	}
	return nil
}

func (e *Engine) serve(f *frontend, ln net.Listener) {
	for {
		if f.sem != nil {
			select {
			case f.sem <- struct{}{}:
			case <-e.closing:
				return
			}
		}
		c, err := ln.Accept()
		if err == nil && e.gsem != nil {
			// Taken after Accept: a slot reserved by an idle accept loop
			// would starve the other frontends. This listener stops
			// accepting until a slot frees (at most one connection per
			// listener waits accepted).
			select {
			case e.gsem <- struct{}{}:
			case <-e.closing:
				c.Close()
				if f.sem != nil {
					<-f.sem
				}
				return
			}
		}
		if err != nil {
			if f.sem != nil {
				<-f.sem
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			if msg := outOfResources(err); msg != "" {
				// haproxy logs it (at emerg, to the proxy's log servers
				// only) and pauses the listener for 100 ms (src/sock.c
				// sock_accept_conn, listener.c transient_error); stopping
				// here would leave the port deaf for good.
				if f.log != nil {
					f.log.logger.Send(plog.LevelEmerg, []byte(fmt.Sprintf(msg, f.name, e.limits.MaxSock)), nil)
				}
				select {
				case <-time.After(100 * time.Millisecond):
				case <-e.closing:
					return
				}
				continue
			}
			return
		}
		if f.cliTCPKA {
			if tc, ok := c.(interface{ SetKeepAlive(bool) error }); ok {
				tc.SetKeepAlive(true) // SO_KEEPALIVE alone, as tcpKeepAlive
			}
		}
		e.handle(f, c, true)
	}
}

// handle serves one accepted connection in its own goroutine. slots: the
// connection holds a frontend (and global) maxconn slot, released at its
// end.
func (e *Engine) handle(f *frontend, c net.Conn, slots bool) {
	now := stats.NowMs()
	f.st.Accept(nil, now)
	f.st.SessionStart(now)
	e.process.Conn(now)
	e.process.Sess(now)
	e.conns.Add(1)
	e.workers.run(connJob{f, c, slots})
}

// serveConn serves an accepted connection (on a worker: workerPool).
func (e *Engine) serveConn(j connJob) {
	f, c := j.f, j.c
	// In mode http haproxy says "Connect from" for each stream, that is
	// each request parsed (see serveOne).
	if f.log != nil && f.mode != haproxy.ModeHTTP {
		f.logConnect(c.RemoteAddr(), c.LocalAddr())
	}
	if f.mode == haproxy.ModeHTTP {
		f.serveHTTP(c, j.slots) // calls connEnd, maybe from another goroutine
		if p := e.idleP.Load(); p != nil {
			p.worker()
		}
		return
	}
	f.serveTCP(c)
	f.sessionEnd()
	f.connEnd(j.slots)
}

// connEnd releases what an accepted connection held: its maxconn slots
// (when it took them), its place in Wait and in the session counters.
func (f *frontend) connEnd(slots bool) {
	e := f.e
	if slots && e.gsem != nil {
		<-e.gsem
	}
	if slots && f.sem != nil {
		<-f.sem
	}
	e.conns.Done()
}

// sessionEnd counts the end of a client session (scur, current
// connections); connEnd follows once the connection is released.
func (f *frontend) sessionEnd() {
	f.st.SessionEnd(nil)
	f.e.process.CurrConns.Add(-1)
}

// onCheck applies a health-check result to the server's balancer state
// and logs transitions in haproxy's words.
func (e *Engine) onCheck(ev check.Event) {
	s := e.targets[ev.Target]
	if s == nil {
		return
	}
	checkSnapshot(s.st, ev)
	if ev.Transition == check.NoChange {
		return
	}
	b := s.be
	b.mu.Lock()
	// A transition to the state the balancer already has (the checker's
	// first results) must not touch it: re-adding a server would move it
	// in the round-robin order.
	if (ev.Transition == check.WentUp) == s.lbs.Usable() {
		b.mu.Unlock()
		return
	}
	if ev.Transition == check.WentUp {
		b.lb.SetUp(s.lbs)
		if s.lbs.Starting() {
			s.warmSince = time.Now()
			go e.warmup(b, s, s.warmSince)
		}
	} else {
		b.lb.SetDown(s.lbs)
	}
	b.dispatchQueue()
	act, bck := b.lb.ActiveServers(), b.lb.BackupServers()
	served := s.lbs.Served() // read under the lock (the request path writes it)
	if b.st != nil && s.st != nil {
		st := stats.SrvRunning
		if ev.Transition == check.WentDown {
			st = stats.SrvStopped
		}
		b.st.SetServerState(s.st, st, stats.Now().Unix)
	}
	b.mu.Unlock()
	// haproxy prints both transitions as warnings on stderr and sends
	// them to the backend's logs at the message's level (alert for DOWN,
	// notice for UP).
	ref := plog.ServerRef{Backend: b.name, Server: s.name, Backup: s.lbs.Backup()}
	ci := checkInfo(ev.Result.Status.Code(), ev.Result.Code, ev.Result.Info, ev.Result.DurationMS)
	if ev.Result.Status.Passed() {
		ci.Info = ""
	}
	counts := plog.ServerCounts{Active: act, Backup: bck, Sessions: served}
	var msg []byte
	var level int
	if ev.Transition == check.WentDown {
		msg, level = plog.ServerDown(nil, ref, ci, counts, false)
	} else {
		msg, level = plog.ServerUp(nil, ref, ci, counts)
	}
	e.logServerState(b, msg, level)
	if ev.Transition == check.WentDown && act+bck == 0 {
		// stderr quotes the name, the log line does not (src/backend.c
		// set_backend_down: ha_alert and send_log differ).
		e.opts.Logf("alert", "%s '%s' has no server available!", b.typeWord(), b.name)
		msg, level = plog.NoServerAvailable(nil, b.typeWord(), b.name)
		if b.log != nil {
			b.log.logger.Send(level, msg, nil)
		}
	}
}

// Close stops accepting, stops checks and closes idle server connections.
// Connections in progress finish on their own.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	select {
	case <-e.closing:
		return nil
	default:
	}
	close(e.closing)
	for _, ln := range e.listeners {
		e.closeListener(ln)
	}
	for _, l := range e.streams.all() {
		if l.waiting.Load() {
			if tc, ok := l.conn.(interface{ CloseRead() error }); ok {
				tc.CloseRead() // the pending read returns EOF: the stream ends
			}
		}
	}
	if p := e.idleP.Load(); p != nil {
		p.stop() // parked connections close
	}
	if e.checker != nil {
		e.checker.Stop()
	}
	if e.cli != nil {
		e.cli.Close()
	}
	for _, b := range e.backends {
		for _, s := range b.servers {
			s.pool.closeAll()
		}
	}
	return nil
}

// Wait waits up to d for connections in progress to end.
func (e *Engine) Wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() { e.conns.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// sweepPools releases, every second, the idle server connections their
// server closed.
func (e *Engine) sweepPools() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-e.closing:
			return
		case <-t.C:
		}
		for _, b := range e.backends {
			for _, s := range b.servers {
				s.pool.sweep()
			}
		}
	}
}

func (e *Engine) stopping() bool {
	select {
	case <-e.closing:
		return true
	default:
		return false
	}
}

// enterIdle marks l's connection as waiting for its next request; false
// once the engine is closing (the connection must end). The mark is set
// before the check and Close sets closing before it looks at the marks:
// a connection entering as the engine closes is either seen by Close or
// sees the close itself (no lock, no map update per request).
func (e *Engine) enterIdle(l *liveStream) bool {
	if l == nil {
		return !e.stopping()
	}
	l.waiting.Store(true)
	if e.stopping() {
		l.waiting.Store(false)
		return false
	}
	return true
}

// idlePoller returns the engine's idle poller, nil once stopping or when
// none can be made (connections then wait in their own goroutine).
func (e *Engine) idlePoller() *idlePoller {
	if p := e.idleP.Load(); p != nil {
		return p // stopped with the engine: it refuses parks itself
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.idleP.Load(); p != nil || e.idleFailed || e.stopping() {
		return p
	}
	p, err := newIdlePoller()
	if err != nil {
		e.idleFailed = true
		return nil
	}
	e.idleP.Store(p)
	return p
}

func (e *Engine) leaveIdle(l *liveStream) {
	if l != nil {
		l.waiting.Store(false)
	}
}

// Pause closes every listener without touching the connections in
// progress, the checks or the idle pools: new clients are refused until
// Resume (haproxy's SIGTTOU; it logs "Paused frontend fe."). haproxy keeps
// the port bound while paused; a closed Go listener does not.
func (e *Engine) Pause() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopping() || e.paused {
		return nil
	}
	e.paused = true
	for _, ln := range e.listeners {
		ln.Close()
	}
	e.listeners = nil
	e.lnOwner = nil
	for _, f := range e.front {
		f.st.State.Store(uint32(stats.ProxyPaused))
		e.opts.Logf("warning", "Paused %s %s.", "frontend", f.name)
	}
	return nil
}

// Resume binds the listeners again after Pause (haproxy's SIGTTIN).
func (e *Engine) Resume() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopping() || !e.paused {
		return nil
	}
	e.paused = false
	var firstErr error
	for _, f := range e.front {
		for _, b := range f.cfg.Binds {
			for _, a := range b.Addresses {
				lns, err := e.listen(a, b)
				if err != nil {
					if firstErr == nil {
						firstErr = fmt.Errorf("Resuming frontend %s: cannot bind socket (%v) [%s]", f.name, err, a.Raw)
					}
					continue
				}
				for _, ln := range lns {
					e.addListener(f, ln)
					go e.serve(f, ln)
				}
			}
		}
		f.st.State.Store(uint32(stats.ProxyOpen))
		e.opts.Logf("warning", "Resumed %s %s.", "frontend", f.name)
	}
	return firstErr
}

// outOfResources gives haproxy's log message (a format taking the proxy
// and maxsock) for an accept error that passes once descriptors or memory
// are freed; "" for any other error.
func outOfResources(err error) string {
	switch {
	case errors.Is(err, syscall.ENFILE):
		return "Proxy %s reached system FD limit (maxsock=%d). Please check system tunables."
	case errors.Is(err, syscall.EMFILE):
		return "Proxy %s reached process FD limit (maxsock=%d). Please check 'ulimit-n' and restart."
	case errors.Is(err, syscall.ENOBUFS), errors.Is(err, syscall.ENOMEM):
		return "Proxy %s reached system memory limit (maxsock=%d). Please check system tunables."
	}
	return ""
}
