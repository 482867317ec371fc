package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"goha/internal/clock"
	"goha/parser/haproxy"
	"goha/proxy/balance"
	"goha/proxy/check"
	"goha/proxy/sock"
	"goha/stats"
	"goha/stats/page"
)

// backend is the runtime side of a backend (or listen) section: its
// servers, their balancer and health checks, and the connection policy
// (retries, redispatch, queueing).
type backend struct {
	name    string
	mode    haproxy.Mode
	cfg     *haproxy.Proxy
	rt      *proxyRT
	servers []*server

	// mu guards the balancer: picks and server state changes are
	// serialised, as haproxy serialises them under the lbprm lock.
	mu sync.Mutex
	lb *balance.Balancer
	// queue holds the requests waiting for a connection slot, oldest
	// first (haproxy's backend pendconn queue): a slot freed by a server
	// goes to the oldest waiter, on that server (queue.c
	// process_srv_queue), instead of to whoever picks next.
	queue []*pending
	// persistQueued counts the waiters of queue bound to one server by a
	// persistence cookie (pending.only).
	persistQueued int

	// reuse is "http-reuse": never, safe (default), aggressive, always.
	reuse              string
	retries            int
	redispatch         bool
	redispatchInterval int
	timeouts           haproxy.Timeouts
	// httpProbe is the HTTP health check of "option httpchk" with its
	// http-check send/expect rules; nil for plain connect checks.
	httpProbe *check.HTTPProbe
	// st is the backend's stats descriptor.
	st *stats.Proxy
	// page answers "stats uri" ("stats enable"), nil otherwise.
	page *page.Handler
	// log receives the backend's server state changes.
	log *sectionLog
	// srvTCPKA: "option srvtcpka" (or tcpka) asks for TCP keep-alive
	// probes on server connections.
	srvTCPKA bool
	// smartConnect: "option tcp-smart-connect" in a mode http backend,
	// whose request is always there to carry the handshake's last ACK
	// (haproxy sets TCP_QUICKACK off only with data to send: a mode tcp
	// connection has none yet when goproxy connects).
	smartConnect bool
	// cookie is the "cookie" persistence, nil without one.
	cookie *persistCookie
}

// server is one server line at run time.
type server struct {
	name string
	addr string // host:port to connect to
	lbs  *balance.Server
	be   *backend
	pool idlePool
	st   *stats.Server
	// ap is addr parsed, for logs (%si:%sp).
	ap netip.AddrPort
	// dest is ap ready for sock's dialer; nil when addr is not an IP
	// address and port (a name, a unix socket...).
	dest *sock.TCPDest
	// warmSince is when the slowstart ramp in progress began (under
	// be.mu); a newer ramp ends the older one's ticker.
	warmSince time.Time
	// mapPorts: the server line has no port or a +N/-N offset, so each
	// connection goes to the port the client reached plus portOfs
	// (haproxy's SRV_F_MAPPORTS, backend.c alloc_dst_address).
	mapPorts bool
	mapHost  string
	portOfs  int
	// cookie is the server's "cookie" value ("" for none).
	cookie string
}

// defaultRetries is CONN_RETRIES (configuration.txt §4.2 "retries").
const defaultRetries = 3

func algorithm(a haproxy.BalanceAlgo) balance.Algorithm {
	switch a {
	case haproxy.BalanceStaticRR:
		return balance.StaticRR
	case haproxy.BalanceLeastConn:
		return balance.LeastConn
	case haproxy.BalanceFirst:
		return balance.First
	case haproxy.BalanceSource:
		return balance.Source
	case haproxy.BalanceURI:
		return balance.URI
	case haproxy.BalanceURLParam:
		return balance.URLParam
	case haproxy.BalanceHdr:
		return balance.Header
	case haproxy.BalanceRDPCookie:
		return balance.RDPCookie
	case haproxy.BalanceRandom:
		return balance.Random
	}
	return balance.RoundRobin
}

func hashFunc(name string) balance.HashFunc {
	switch name {
	case "sdbm":
		return balance.HashSDBM
	case "djb2":
		return balance.HashDJB2
	case "wt6":
		return balance.HashWT6
	case "crc32":
		return balance.HashCRC32
	}
	return balance.HashDefault
}

func newBackend(px *haproxy.Proxy) (*backend, error) {
	// Cookie forms goproxy does not implement are refused: running
	// without them would silently break sticky sessions.
	pc, err := newPersistCookie(px)
	if err != nil {
		return nil, err
	}
	opts := balance.Options{
		Algorithm:     algorithm(px.Balance.Algo),
		URILen:        px.Balance.URILen,
		URIDepth:      px.Balance.URIDepth,
		URIWhole:      px.Balance.URIWhole,
		URIPathOnly:   px.Balance.URIPathOnly,
		Param:         px.Balance.Param,
		CheckPost:     px.Balance.CheckPost,
		UseDomainOnly: px.Balance.UseDomainOnly,
		Draws:         px.Balance.Draws,
		HashFunc:      hashFunc(px.HashType.Function),
		Avalanche:     px.HashType.Avalanche,
		AllBackups:    px.Options.AllBackups,
		FullConn:      px.FullConn,
	}
	if px.HashType.Consistent {
		opts.HashType = balance.Consistent
	}
	var scs []balance.ServerConfig
	for _, s := range px.Servers {
		scs = append(scs, balance.ServerConfig{
			Name: s.Name, ID: s.ID, Weight: s.Weight, Backup: s.Backup, Disabled: s.Disabled,
			MaxConn: s.MaxConn, MinConn: s.MinConn, MaxQueue: s.MaxQueue,
			Slowstart: s.Slowstart,
		})
	}
	lb, err := balance.New(opts, scs)
	if err != nil {
		return nil, fmt.Errorf("backend '%s': %v", px.Name, err)
	}
	b := &backend{
		name: px.Name, mode: px.Mode, cfg: px, lb: lb, cookie: pc,
		retries: px.Retries, redispatch: px.Options.Redispatch,
		redispatchInterval: px.Options.RedispatchInterval, timeouts: px.Timeouts,
		srvTCPKA:     px.Options.Set["srvtcpka"] || px.Options.Set["tcpka"],
		smartConnect: px.Options.Set["tcp-smart-connect"] && px.Mode == haproxy.ModeHTTP,
	}
	b.reuse = "safe"
	for _, st := range px.Other {
		if len(st.Args) == 2 && st.Args[0] == "http-reuse" {
			b.reuse = st.Args[1]
		}
	}
	for i, s := range px.Servers {
		addr := serverAddr(s.Address)
		ap, _ := netip.ParseAddrPort(addr)
		sv := &server{name: s.Name, addr: addr, ap: ap, lbs: lb.Servers()[i], be: b, cookie: s.Cookie}
		if ap.IsValid() {
			sv.dest = sock.NewTCPDest(ap)
		}
		if pc != nil && pc.dynamic && sv.cookie == "" {
			sv.cookie = dynamicCookie(pc.dynamicKey, ap)
		}
		if a := s.Address; a.PortOffset && a.Family != haproxy.FamilyUnix && a.Family != haproxy.FamilyABNS &&
			a.Family != haproxy.FamilySockPair && a.Family != haproxy.FamilyFD {
			sv.mapPorts, sv.mapHost, sv.portOfs = true, a.Host, a.Port
		}
		b.servers = append(b.servers, sv)
	}
	if px.Options.HTTPChk != nil {
		p, err := httpCheckProbe(px)
		if err != nil {
			return nil, err
		}
		b.httpProbe = &p
	}
	return b, nil
}

// serverAddr is the dial address of a server line (a sock.Target). A
// server without a port, or with a +N/-N offset, connects to the port the
// client reached (plus the offset, see server.mapPorts); its address here
// (port 80 or the offset) only names it.
func serverAddr(a haproxy.Address) string {
	switch a.Family {
	case haproxy.FamilyUnix:
		return "unix@" + a.Host
	case haproxy.FamilyABNS:
		return "abns@" + a.Host
	case haproxy.FamilySockPair:
		return "sockpair@" + strconv.Itoa(a.FD)
	}
	port := a.Port
	if a.PortOffset && port == 0 {
		port = 80
	}
	return net.JoinHostPort(a.Host, strconv.Itoa(port))
}

// byBalance maps a balancer server back to ours.
func (b *backend) byBalance(s *balance.Server) *server {
	if s == nil {
		return nil
	}
	return b.servers[s.Index()]
}

// pending is a request waiting in the backend queue; the server that
// frees a slot for it is sent on ch (with the slot already taken).
type pending struct {
	ch chan *server
	// only is the server a persistence cookie chose: the request waits
	// for a slot on it alone (haproxy's server queue), nil for any.
	only *server
}

// pick chooses a server and takes a connection slot on it. When usable
// servers exist but are all saturated (or others already wait, for the
// algorithms that queue first) the request joins the queue and p is
// returned to wait on. s and p are both nil when no server is usable.
func (b *backend) pick(req *balance.Request, avoid *server) (s *server, p *pending) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var av *balance.Server
	if avoid != nil {
		av = avoid.lbs
	}
	// requests waiting for their persistent server are in that server's
	// queue, not the backend's: they do not hold back a pick
	nq := len(b.queue) - b.persistQueued
	if nq == 0 || !b.lb.QueueFirst(nq, b.servedTotal()+nq) {
		if ps := b.lb.Pick(req, av); ps != nil {
			b.lb.TakeConn(ps)
			return b.byBalance(ps), nil
		}
	}
	if !b.lb.Usable() {
		return nil, nil
	}
	p = &pending{ch: make(chan *server, 1)}
	b.queue = append(b.queue, p)
	if b.st != nil {
		b.st.Enqueue(nil)
	}
	return nil, p
}

// dequeued counts a request leaving the backend queue.
func (b *backend) dequeued() {
	if b.st != nil {
		b.st.Dequeue(nil)
	}
}

// unqueue removes the i-th waiter from the queue and counts it out of the
// queue it was counted in.
func (b *backend) unqueue(i int) *pending {
	p := b.queue[i]
	copy(b.queue[i:], b.queue[i+1:])
	b.queue[len(b.queue)-1] = nil
	b.queue = b.queue[:len(b.queue)-1]
	if p.only != nil {
		b.persistQueued--
		b.lb.Dequeue(p.only.lbs)
		if b.st != nil {
			b.st.Dequeue(p.only.st)
		}
		return p
	}
	b.dequeued()
	return p
}

func (b *backend) servedTotal() int {
	n := 0
	for _, s := range b.servers {
		n += s.lbs.Served()
	}
	return n
}

// release gives back a connection slot; when requests wait, the oldest
// gets the slot on the same server if it is still usable.
func (b *backend) release(s *server) {
	b.mu.Lock()
	b.lb.DropConn(s.lbs)
	for i := 0; i < len(b.queue); {
		if max := b.lb.MaxConn(s.lbs); max > 0 && s.lbs.Served() >= max {
			break
		}
		// the oldest waiter this server may take: one of its own
		// (persistence) while it runs, any other while it is usable
		if q := b.queue[i]; q.only != nil && (q.only != s || !s.lbs.Running()) ||
			q.only == nil && !s.lbs.Usable() {
			i++
			continue
		}
		p := b.unqueue(i)
		b.lb.TakeConn(s.lbs)
		p.ch <- s
	}
	b.mu.Unlock()
}

// dispatchQueue hands queued requests to servers with room after a state
// change (a server came up or left): nil tells a waiter that no server is
// usable any more. Call with b.mu held.
func (b *backend) dispatchQueue() {
	for i := 0; i < len(b.queue); {
		var sv *server
		if o := b.queue[i].only; o != nil {
			// a persistent request waits for its own server (until
			// "timeout queue"), as in haproxy's server queue; when that
			// server goes down, "option redispatch" without "option
			// persist" hands it to the balancer (pendconn_redistribute)
			if !o.lbs.Running() && b.redispatch && (b.cookie == nil || !b.cookie.persist) {
				b.queue[i].only = nil
				b.persistQueued--
				b.lb.Dequeue(o.lbs)
				if b.st != nil {
					b.st.Dequeue(o.st)
					b.st.Enqueue(nil)
				}
			} else {
				if max := b.lb.MaxConn(o.lbs); !o.lbs.Running() || max > 0 && o.lbs.Served() >= max {
					i++
					continue
				}
				b.lb.TakeConn(o.lbs)
				b.unqueue(i).ch <- o
				continue
			}
		}
		if b.lb.Usable() {
			ps := b.lb.Pick(nil, nil)
			if ps == nil {
				i++
				continue
			}
			b.lb.TakeConn(ps)
			sv = b.byBalance(ps)
		}
		b.unqueue(i).ch <- sv
	}
}

// leaveQueue removes p from the queue; false means a server was already
// assigned to it (and sits in p.ch).
func (b *backend) leaveQueue(p *pending) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, q := range b.queue {
		if q == p {
			b.unqueue(i)
			return true
		}
	}
	return false
}

// Errors of connect, each mapped by the caller to haproxy's status and
// termination state.
var (
	errNoServer     = errors.New("no server available")      // 503, "SC"
	errQueueTimeout = errors.New("queue timeout")            // 503, "sQ"
	errConnFailed   = errors.New("cannot connect to server") // 503, "SC"
)

// connectResult says what connect did, for logs and counters.
type connectResult struct {
	server    *server
	retries   int
	redispat  bool
	queueWait time.Duration
	connWait  time.Duration
	// at is the monotonic instant the connection was had (or the last
	// attempt failed): read after a new connection or a wait, else the
	// start's (a reused connection takes no time worth a clock read).
	at int64
	// dataTerm is the termination cause once connected (pipe's letter,
	// 0 for a clean end): logged with the data phase 'D'.
	dataTerm byte
}

// turnaround is the pause before a retry: haproxy waits for the connect
// timeout's remainder, at most one second, before trying again (§4.2
// "retries").
func (b *backend) turnaround() time.Duration {
	d := time.Second
	if c := b.timeouts.Connect; c > 0 && c < d {
		d = c
	}
	return d
}

// connect picks a server and connects to it, retrying as haproxy 2.6 does
// (src/backend.c back_handle_st_cer, stream_choose_redispatch): after a
// failed connection, up to `retries` more attempts. With "option
// redispatch" a retry moves to another server when the server is not
// running, when the redispatch interval says so (by default on the last
// retry), or at once when the algorithm is not deterministic (round robin
// kind) and other active servers exist. A pause of min(timeout connect,
// 1s) precedes a retry on the same server, or any retry when moving would
// not help (hashing algorithms, a single active server).
//
// start is the monotonic instant the request got here (clock.Mono, read
// by the caller); dial reports whether it made a new connection (reusing
// one takes no time to measure).
func (b *backend) connect(ctx context.Context, req *balance.Request, persist *server, start int64, dial func(*server) (net.Conn, bool, error)) (net.Conn, connectResult, error) {
	var res connectResult
	// Counted as haproxy does: the server's stot for every connection
	// attempt, retries included; lbtot when the balancer picked a server
	// other than the previous attempt's (assign_server, connect_server).
	// A server named by a persistence cookie is not a pick.
	picked := persist == nil
	s := persist
	var err error
	var queued bool
	if s != nil {
		s, queued, err = b.waitPersist(ctx, s)
	} else {
		s, queued, err = b.waitPick(ctx, req, nil)
	}
	connStart := start
	if queued {
		connStart = clock.Mono()
	}
	res.queueWait = time.Duration(connStart - start)
	res.at = connStart
	if err != nil {
		return nil, res, err
	}
	now := connStart
	for n := 0; ; {
		if n > 0 {
			now = clock.Mono() // after a retry's pause
		}
		res.server = s
		counted := b.st != nil && s.st != nil
		if counted {
			// scur (and smax) count the attempt too; on success the
			// caller ends it with ServerEnd when the stream leaves.
			b.st.ServerAttempt(s.st, stats.At(now), picked)
			s.st.ServerStart()
		}
		picked = false
		c, fresh, err := dial(s)
		if fresh || err != nil {
			now = clock.Mono()
		}
		res.at = now
		res.connWait = time.Duration(now - connStart)
		if err == nil {
			return c, res, nil
		}
		if counted {
			s.st.ServerEnd()
		}
		b.release(s)
		n++
		if n > b.retries {
			return nil, res, errConnFailed
		}
		b.mu.Lock()
		rrKind := roundRobinKind(b.lb.Algorithm())
		multi := b.lb.ActiveServers() > 1
		usable := s.lbs.Usable()
		b.mu.Unlock()
		move := b.redispatch && (!usable || b.redispatchDue(n) || rrKind && multi)
		if !move || !rrKind || !multi {
			select {
			case <-ctx.Done():
				return nil, res, ctx.Err()
			case <-time.After(b.turnaround()):
			}
		}
		if !move {
			res.retries++
			b.mu.Lock()
			b.lb.TakeConn(s.lbs)
			b.mu.Unlock()
			continue
		}
		prev := s
		if s, _, err = b.waitPick(ctx, req, prev); err != nil {
			return nil, res, err
		}
		if s != prev {
			res.redispat = true
			picked = true
		}
	}
}

// redispatchDue applies "option redispatch <interval>" to retry number n
// (1-based): positive P redispatches every P-th retry, negative -P on the
// P-th retry before the last (-1, the default: the last one), 0 never.
func (b *backend) redispatchDue(n int) bool {
	iv := b.redispatchInterval
	switch {
	case iv > 0:
		return n%iv == 0
	case iv < 0:
		m := b.retries + 1 + iv
		return m > 0 && n%m == 0
	}
	return false
}

// waitPick picks a server, waiting in the backend queue while all usable
// servers are saturated, at most "timeout queue" (or "timeout connect"
// when unset, as haproxy does).
// queued reports whether it waited (time passed).
func (b *backend) waitPick(ctx context.Context, req *balance.Request, avoid *server) (sv *server, queued bool, err error) {
	sv, p := b.pick(req, avoid)
	if sv != nil {
		return sv, false, nil
	}
	if p == nil {
		return nil, false, errNoServer
	}
	sv, err = b.waitQueued(ctx, p)
	return sv, true, err
}

// waitPersist takes a slot on the server a persistence cookie chose, or
// waits for one in that server's queue when it is at its maxconn.
func (b *backend) waitPersist(ctx context.Context, sv *server) (*server, bool, error) {
	b.mu.Lock()
	if max := b.lb.MaxConn(sv.lbs); max == 0 || sv.lbs.Served() < max {
		b.lb.TakeConn(sv.lbs)
		b.mu.Unlock()
		return sv, false, nil
	}
	p := &pending{ch: make(chan *server, 1), only: sv}
	b.queue = append(b.queue, p)
	b.persistQueued++
	b.lb.Enqueue(sv.lbs)
	if b.st != nil {
		b.st.Enqueue(sv.st)
	}
	b.mu.Unlock()
	sv, err := b.waitQueued(ctx, p)
	return sv, true, err
}

// waitQueued waits for a queued request's server, at most "timeout
// queue" (or "timeout connect" when unset, as haproxy does).
func (b *backend) waitQueued(ctx context.Context, p *pending) (*server, error) {
	qt := b.timeouts.Queue
	if qt == 0 {
		qt = b.timeouts.Connect
	}
	var deadline <-chan time.Time
	if qt > 0 {
		t := time.NewTimer(qt)
		defer t.Stop()
		deadline = t.C
	}
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	select {
	case sv := <-p.ch:
		if sv == nil {
			return nil, errNoServer
		}
		return sv, nil
	case <-deadline:
		if !b.leaveQueue(p) {
			if sv := <-p.ch; sv != nil {
				return sv, nil
			}
			return nil, errNoServer
		}
		return nil, errQueueTimeout
	case <-done:
		if !b.leaveQueue(p) {
			if sv := <-p.ch; sv != nil {
				b.release(sv)
			}
		}
		return nil, ctx.Err()
	}
}

// tcpKeepAlive is what "option tcpka" (clitcpka, srvtcpka) asks for:
// SO_KEEPALIVE with the system's probe timings, as haproxy sets it.
var tcpKeepAlive = net.KeepAliveConfig{Enable: true, Idle: -1, Interval: -1, Count: -1}

// dialServer opens a new connection to s within "timeout connect".
// Without "option srvtcpka" (or tcpka) the connection has no TCP
// keep-alive probes, as with haproxy (Go would enable them: four
// setsockopt calls per connection). Dialer.DialTCP is not used: it binds
// the socket to a local port before connecting, which keeps the kernel
// from reusing ports in TIME-WAIT (measured: a new-connection load ran
// out of ports and spent its CPU in bind).
//
// dst is the address the client reached, for a server that maps ports.
func (b *backend) dialServer(s *server, dst net.Addr) (net.Conn, error) {
	if s.dest != nil && !s.mapPorts {
		c, err := s.dest.Dial(b.timeouts.Connect, sock.DialOpts{KeepAlive: b.srvTCPKA, DelayAck: b.smartConnect})
		if err != nil {
			return nil, err // a nil *sock.TCPConn must not become a non-nil net.Conn
		}
		return c, nil
	}
	d := net.Dialer{KeepAlive: -1}
	if b.srvTCPKA {
		d.KeepAliveConfig = tcpKeepAlive
	}
	if b.smartConnect {
		d.Control = delayAck
	}
	addr := s.addr
	if s.mapPorts {
		port := addrPortOf(dst).Port()
		addr = net.JoinHostPort(s.mapHost, strconv.Itoa(int(uint16(int(port)+s.portOfs))))
	}
	var ctx context.Context = context.Background()
	if t := b.timeouts.Connect; t > 0 {
		ctx = connectDeadline(time.Now().Add(t))
	}
	return sock.Dial(ctx, &d, sock.Target(addr))
}

// delayAck turns TCP_QUICKACK off on a socket about to connect (see
// sock.DialOpts.DelayAck); other sockets (unix@) are left alone.
func delayAck(network, address string, c syscall.RawConn) error {
	if !strings.HasPrefix(network, "tcp") {
		return nil
	}
	return quickAckOff(c)
}

// connectDeadline is a context with a deadline and nothing to cancel it:
// the connect waits for the socket with that deadline (a poller
// deadline), as with Dialer.Timeout, but without the timer of the
// derived context Dialer.Timeout makes (per connection: seen in the
// new-connection profile). Err stays nil: the net package asks for it
// only once Done is closed, which never happens.
type connectDeadline time.Time

// neverDone is the Done channel of every connectDeadline.
var neverDone = make(chan struct{})

func (d connectDeadline) Deadline() (time.Time, bool) { return time.Time(d), true }
func (connectDeadline) Done() <-chan struct{}         { return neverDone }
func (connectDeadline) Err() error                    { return nil }
func (connectDeadline) Value(any) any                 { return nil }

// AfterFunc makes context.AfterFunc (used by the connect) register
// nothing instead of starting a goroutine to watch Done.
func (connectDeadline) AfterFunc(func()) func() bool { return stopNothing }

func stopNothing() bool { return true }

// typeWord names the section in messages as haproxy's proxy_type_str: a
// listen section is a "proxy" (src/proxy.c proxy_cap_str; measured:
// "proxy 'l' has no server available!").
func (b *backend) typeWord() string {
	if b.cfg.Kind == haproxy.KindListen {
		return "proxy"
	}
	return "backend"
}

// checkTargets builds the health checks of the backend's servers and
// records which server each target checks.
func (b *backend) checkTargets(targets map[*check.Target]*server) []*check.Target {
	var ts []*check.Target
	for i, s := range b.cfg.Servers {
		if !s.Check {
			continue
		}
		rise, fall := s.Rise, s.Fall
		if rise == 0 {
			rise = 2
		}
		if fall == 0 {
			fall = 3
		}
		inter := s.Inter
		if inter == 0 {
			inter = check.DefaultInter
		}
		host, port := s.Address.Host, s.Address.Port
		if s.Addr != "" {
			host = s.Addr
		}
		if s.Port != 0 {
			port = s.Port
		}
		// "option httpchk" makes every check an HTTP one, in tcp mode too.
		var probe check.Probe = check.TCPProbe{}
		if b.httpProbe != nil {
			probe = *b.httpProbe
		}
		addr := net.JoinHostPort(host, strconv.Itoa(port))
		if s.Addr == "" && s.Port == 0 && s.Address.Family != haproxy.FamilyIPv4 &&
			s.Address.Family != haproxy.FamilyIPv6 && s.Address.Family != haproxy.FamilyHost {
			addr = serverAddr(s.Address) // unix@, abns@, sockpair@
		}
		ts = append(ts, &check.Target{
			Name:      b.name + "/" + s.Name,
			Addr:      addr,
			Probe:     probe,
			Health:    check.NewHealth(rise, fall, s.Disabled),
			Intervals: check.Intervals{Inter: inter, Fast: s.FastInter, Down: s.DownInter},
			Timeouts:  check.Timeouts{Connect: b.timeouts.Connect, Check: b.timeouts.Check},
			Paused:    s.Disabled,
		})
		targets[ts[len(ts)-1]] = b.servers[i]
	}
	return ts
}

// roundRobinKind reports whether an algorithm picks servers without regard
// to the request (haproxy's BE_LB_KIND_RR: roundrobin, static-rr, random),
// so that a failed server can be left at once for another.
func roundRobinKind(a balance.Algorithm) bool {
	return a == balance.RoundRobin || a == balance.StaticRR || a == balance.Random
}
