package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"goha/parser/haproxy"
	"goha/proxy/check"
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

	mu        sync.Mutex
	listeners []net.Listener
	conns     sync.WaitGroup
	closing   chan struct{}
	// idle holds the client connections waiting for their next request;
	// a soft stop closes them (haproxy does not wait for idle clients).
	idle map[net.Conn]struct{}
	// gsem bounds the connections of the whole process (global maxconn,
	// configuration.txt §3.2), taken after the frontend's own sem.
	gsem chan struct{}
	// paused: the listeners are closed until Resume.
	paused bool
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
		rts: map[*haproxy.Proxy]*proxyRT{}, closing: make(chan struct{})}
	// haproxy 2.6 derives a global maxconn from the file-descriptor limit
	// when none is set; without one, only the frontends' limits apply.
	if cfg.Global.MaxConn > 0 {
		e.gsem = make(chan struct{}, cfg.Global.MaxConn)
	}
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
	return e, nil
}

func (e *Engine) newFrontend(px *haproxy.Proxy) (*frontend, error) {
	rt := e.rts[px]
	f := &frontend{name: px.Name, cfg: px, mode: px.Mode, rt: rt, timeouts: px.Timeouts, e: e}
	maxconn := px.MaxConn
	if maxconn == 0 {
		maxconn = e.cfg.Global.MaxConn
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
				lns, err := listen(a, b, !e.opts.NoReusePort)
				if err != nil {
					e.Close()
					return fmt.Errorf("Starting frontend %s: cannot bind socket (%v) [%s]", f.name, err, a.Raw)
				}
				for _, ln := range lns {
					e.listeners = append(e.listeners, ln)
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
		e.checker = check.Start(targets, e.onCheck)
	}
	go e.sweepPools()
	for _, px := range e.cfg.Proxies {
		if px.Kind != haproxy.KindDefaults && !px.Disabled {
			e.opts.Logf("notice", "Proxy %s started.", px.Name)
		}
	}
	return nil
}

// listen opens the sockets of one bind address (a port range gives
// several).
func listen(a haproxy.Address, b *haproxy.Bind, reusePort bool) ([]net.Listener, error) {
	switch a.Family {
	case haproxy.FamilyUnix:
		os.Remove(a.Host)
		ln, err := net.Listen("unix", a.Host)
		if err != nil {
			return nil, err
		}
		return []net.Listener{ln}, nil
	case haproxy.FamilyFD:
		f := os.NewFile(uintptr(a.FD), "fd@"+strconv.Itoa(a.FD))
		ln, err := net.FileListener(f)
		if err != nil {
			return nil, err
		}
		return []net.Listener{ln}, nil
	}
	network := "tcp"
	switch {
	case a.Family == haproxy.FamilyIPv4:
		network = "tcp4"
	case a.Family == haproxy.FamilyIPv6 && b.V6Only:
		network = "tcp6"
	}
	var out []net.Listener
	end := a.PortEnd
	if end < a.Port {
		end = a.Port
	}
	lc := net.ListenConfig{}
	if reusePort {
		lc.Control = func(network, address string, c syscall.RawConn) error {
			var serr error
			c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, unix.SO_REUSEPORT, 1)
			})
			return serr
		}
	}
	host := a.Host
	if host == "*" {
		host = "" // "*:80": every address
	}
	for p := a.Port; p <= end; p++ {
		ln, err := lc.Listen(context.Background(), network, net.JoinHostPort(host, strconv.Itoa(p)))
		if err != nil {
			for _, l := range out {
				l.Close()
			}
			return nil, err
		}
		out = append(out, ln)
	}
	return out, nil
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
			return
		}
		e.conns.Add(1)
		go func() {
			defer e.conns.Done()
			if f.sem != nil {
				defer func() { <-f.sem }()
			}
			if e.gsem != nil {
				defer func() { <-e.gsem }()
			}
			if f.mode == haproxy.ModeHTTP {
				f.serveHTTP(c)
			} else {
				f.serveTCP(c)
			}
		}()
	}
}

// onCheck applies a health-check result to the server's balancer state
// and logs transitions in haproxy's words.
func (e *Engine) onCheck(ev check.Event) {
	s := e.targets[ev.Target]
	if s == nil || ev.Transition == check.NoChange {
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
	} else {
		b.lb.SetDown(s.lbs)
	}
	b.dispatchQueue()
	act, bck := b.lb.ActiveServers(), b.lb.BackupServers()
	b.mu.Unlock()
	// haproxy prints both transitions as warnings on stderr (its syslog
	// levels differ: alert for DOWN, notice for UP).
	e.opts.Logf("warning", "%s", stateMessage(s, ev, act, bck))
	if ev.Transition == check.WentDown && act+bck == 0 {
		e.opts.Logf("alert", "backend '%s' has no server available!", b.name)
	}
}

// stateMessage is haproxy's server state-change line (src/server.c
// srv_append_status), for example: Server httpservers/http1 is DOWN,
// reason: Layer4 connection problem, info: "Connection refused", check
// duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0
// requeued, 0 remaining in queue.
func stateMessage(s *server, ev check.Event, act, bck int) string {
	state := "UP"
	if ev.Transition == check.WentDown {
		state = "DOWN"
	}
	msg := fmt.Sprintf("Server %s/%s is %s, reason: %s", s.be.name, s.name, state, ev.Result.Status.Desc())
	if ev.Result.Code != 0 {
		msg += fmt.Sprintf(", code: %d", ev.Result.Code)
	}
	if ev.Result.Info != "" && !ev.Result.Status.Passed() {
		msg += fmt.Sprintf(", info: \"%s\"", ev.Result.Info)
	}
	msg += fmt.Sprintf(", check duration: %dms. %d active and %d backup servers %s.", ev.Result.DurationMS, act, bck, map[bool]string{true: "online", false: "left"}[ev.Transition == check.WentUp])
	if ev.Transition == check.WentDown {
		msg += fmt.Sprintf(" %d sessions active, %d requeued, %d remaining in queue.", s.lbs.Served(), 0, 0)
	} else {
		msg += fmt.Sprintf(" %d sessions requeued, %d total in queue.", 0, 0)
	}
	return msg
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
		ln.Close()
	}
	for c := range e.idle {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.CloseRead() // the pending read returns EOF: the stream ends
		}
	}
	if e.checker != nil {
		e.checker.Stop()
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

// enterIdle records c as waiting for its next request; false once the
// engine is closing (the connection must end).
func (e *Engine) enterIdle(c net.Conn) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopping() {
		return false
	}
	if e.idle == nil {
		e.idle = map[net.Conn]struct{}{}
	}
	e.idle[c] = struct{}{}
	return true
}

func (e *Engine) leaveIdle(c net.Conn) {
	e.mu.Lock()
	delete(e.idle, c)
	e.mu.Unlock()
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
	for _, f := range e.front {
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
				lns, err := listen(a, b, !e.opts.NoReusePort)
				if err != nil {
					if firstErr == nil {
						firstErr = fmt.Errorf("Resuming frontend %s: cannot bind socket (%v) [%s]", f.name, err, a.Raw)
					}
					continue
				}
				for _, ln := range lns {
					e.listeners = append(e.listeners, ln)
					go e.serve(f, ln)
				}
			}
		}
		e.opts.Logf("warning", "Resumed %s %s.", "frontend", f.name)
	}
	return firstErr
}
