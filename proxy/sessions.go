package proxy

import (
	"io"
	"net"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"goha/internal/clock"
	"goha/stats/cli"
)

// streamTable lists the client connections in progress for "show sess".
// A connection registers once (a doubly linked list under mu from accept
// to close: no allocation, unlike the sync.Map it replaced, whose Store
// and Delete were about 1 % of the CPU per new connection); what its
// requests do is published with atomics, taking no lock.
type streamTable struct {
	mu   sync.Mutex
	head *liveStream
	seq  atomic.Uint64
}

// The stream states the engine reports (see cli.SessState).
const (
	sessWaitResponse = cli.SessWaitResponse
	sessResponse     = cli.SessResponse
	sessTCP          = cli.SessTCP
)

// streamIDBase and streamIDStep make stream ids look like the heap
// addresses haproxy prints, and keep them apart from the CLI's own ids.
const (
	streamIDBase = 0x7f0000000000
	streamIDStep = 0x40
)

// liveStream is what "show sess" reads of one client connection while its
// goroutine serves it. In haproxy an HTTP stream lives from a complete
// request head to the end of its response: between requests (or while a
// head is still arriving) the connection has no stream and is not listed.
type liveStream struct {
	t     *streamTable
	fe    *frontend
	proto string
	addr  net.Addr // the client's: "show sess" formats it
	cfd   int
	conn  net.Conn
	// waiting: the connection waits for its next request in its
	// goroutine (Engine.enterIdle); a stop ends that wait.
	waiting atomic.Bool

	prev, next *liveStream // in t's list (under t.mu)
	listed     bool

	id    atomic.Uint64 // 0: no stream right now
	start atomic.Int64  // UnixNano: the stream's start
	since atomic.Int64  // UnixNano: the start of its current state
	last  atomic.Int64  // UnixNano: its last step
	calls atomic.Uint32
	state atomic.Uint32 // cli.SessState
	be    atomic.Pointer[backend]
	srv   atomic.Pointer[server]
	sfd   atomic.Int32
	// sconn is the last server connection and sconnFD its descriptor;
	// only the stream's own goroutine touches them.
	sconn   net.Conn
	sconnFD int32
	head    atomic.Uint32 // bytes of the request head held

	// a TCP session's reads (watch): their instants, whether the client
	// sent anything and whether it closed; the idle timeouts that apply
	cliRead, srvRead atomic.Int64
	cliData, cliEOF  atomic.Bool
	cliIdle, srvIdle atomic.Int64 // time.Duration
}

// open registers a client connection of fe.
func (t *streamTable) open(fe *frontend, c net.Conn) *liveStream {
	l := &liveStream{t: t, fe: fe, proto: "tcpv4", cfd: connFD(c), addr: c.RemoteAddr(), conn: c}
	switch a := l.addr.(type) {
	case *net.TCPAddr:
		if a.IP.To4() == nil {
			l.proto = "tcpv6"
		}
	case *net.UnixAddr:
		l.proto = "unix_stream"
	}
	l.sfd.Store(-1)
	t.mu.Lock()
	l.next, l.listed = t.head, true
	if t.head != nil {
		t.head.prev = l
	}
	t.head = l
	t.mu.Unlock()
	return l
}

func (t *streamTable) close(l *liveStream) {
	if l == nil {
		return
	}
	t.mu.Lock()
	if l.listed {
		if l.prev != nil {
			l.prev.next = l.next
		} else {
			t.head = l.next
		}
		if l.next != nil {
			l.next.prev = l.prev
		}
		l.prev, l.next, l.listed = nil, nil, false
	}
	t.mu.Unlock()
}

// all returns the connections listed now.
func (t *streamTable) all() []*liveStream {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []*liveStream
	for l := t.head; l != nil; l = l.next {
		out = append(out, l)
	}
	return out
}

// src is the client as "show sess" prints it.
func (l *liveStream) src() string {
	switch a := l.addr.(type) {
	case *net.TCPAddr:
		return a.IP.String() + ":" + strconv.Itoa(a.Port)
	case *net.UnixAddr:
		// haproxy prints the listener's id; goha does not number a
		// frontend's listeners yet, so the first one's is shown
		return "unix:1"
	}
	return ""
}

// begin starts a stream on the connection (a request head was read, or
// a TCP connection was accepted) at the monotonic instant m.
func (l *liveStream) begin(headLen int, m int64) {
	if l == nil {
		return
	}
	now := clock.UnixNanoAt(m)
	l.be.Store(nil)
	l.srv.Store(nil)
	l.sfd.Store(-1)
	l.head.Store(uint32(headLen))
	l.state.Store(uint32(cli.SessWaitServer))
	l.calls.Store(1)
	l.start.Store(now)
	l.since.Store(now)
	l.last.Store(now)
	l.id.Store(streamIDBase + l.t.seq.Add(1)*streamIDStep)
}

// step records a state change of the stream at the monotonic instant m.
func (l *liveStream) step(st cli.SessState, m int64) {
	if l == nil {
		return
	}
	now := clock.UnixNanoAt(m)
	l.state.Store(uint32(st))
	l.since.Store(now)
	l.last.Store(now)
	l.calls.Add(1)
}

// routed records the backend the stream goes to.
func (l *liveStream) routed(be *backend) {
	if l == nil {
		return
	}
	l.be.Store(be) // routing follows the head at once: no new instant
	l.calls.Add(1)
}

// connected records the server connection the stream got.
func (l *liveStream) connected(sv *server, c net.Conn, st cli.SessState, m int64) {
	if l == nil {
		return
	}
	l.srv.Store(sv)
	if c != l.sconn {
		// A kept-alive server connection carries the session's next
		// requests: its descriptor is looked up (SyscallConn allocates)
		// only when the connection changes, not per request. sconn
		// holds the connection, so its address cannot be reused.
		l.sconn, l.sconnFD = c, int32(connFD(c))
	}
	l.sfd.Store(l.sconnFD)
	l.head.Store(0) // forwarded
	l.step(st, m)
}

// end closes the stream; the connection stays registered until closed.
func (l *liveStream) end() {
	if l != nil {
		l.id.Store(0)
	}
}

// snapshot returns the stream as "show sess" prints it; ok is false when
// the connection has no stream.
func (l *liveStream) snapshot(now time.Time) (cli.Session, int64, bool) {
	id := l.id.Load()
	start := l.start.Load()
	if id == 0 {
		return cli.Session{}, 0, false
	}
	ss := cli.Session{ID: id, Proto: l.proto, Src: l.src(), Frontend: l.fe.name,
		FrontFD: l.cfd, BackFD: int(l.sfd.Load()), Calls: l.calls.Load(),
		State: cli.SessState(l.state.Load()), ReqBytes: l.head.Load(), ExpireSec: -1}
	// whole seconds apart, as haproxy subtracts its truncated clocks
	ss.AgeSec = now.Unix() - time.Unix(0, start).Unix()
	if now.Sub(time.Unix(0, l.last.Load())) < time.Second {
		ss.Rate = 1
	}
	be := l.be.Load()
	if be != nil {
		ss.Backend = be.name
	}
	switch {
	case ss.State == cli.SessTCP:
		// a connected TCP session waits on each side's idle timer
		ss.ClientData, ss.ClientClosed = l.cliData.Load(), l.cliEOF.Load()
		ss.ReqExpireSec = -1
		if !ss.ClientClosed {
			ss.ReqExpireSec = timeLeft(time.Duration(l.cliIdle.Load()), now, l.cliRead.Load())
		}
		ss.ExpireSec = timeLeft(time.Duration(l.srvIdle.Load()), now, l.srvRead.Load())
	case be != nil:
		// the queue (or connect) timeout before a server, the server
		// timeout after
		d := be.timeouts.Server
		if ss.State == cli.SessWaitServer {
			d = be.timeouts.Queue
			if d == 0 {
				d = be.timeouts.Connect
			}
		}
		ss.ExpireSec = timeLeft(d, now, l.since.Load())
	}
	if sv := l.srv.Load(); sv != nil {
		ss.Server = sv.name
	}
	return ss, start, true
}

// timeLeft is what remains of timeout d started at from (UnixNano), in
// whole seconds; -1 when there is no timeout.
func timeLeft(d time.Duration, now time.Time, from int64) int64 {
	if d <= 0 {
		return -1
	}
	left := d - now.Sub(time.Unix(0, from))
	if left < 0 {
		left = 0
	}
	return int64(left / time.Second)
}

// watch wraps one side of a connected TCP session so that its reads are
// seen by "show sess" (the client's data and close, each side's idle
// timer); idle is that side's inactivity timeout.
func (l *liveStream) watch(c net.Conn, server bool, idle time.Duration) net.Conn {
	if l == nil {
		return c
	}
	now := clock.UnixNano()
	if server {
		l.srvIdle.Store(int64(idle))
		l.srvRead.Store(now)
	} else {
		l.cliIdle.Store(int64(idle))
		l.cliRead.Store(now)
	}
	return &watchedConn{Conn: c, l: l, server: server}
}

type watchedConn struct {
	net.Conn
	l      *liveStream
	server bool
}

func (c *watchedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.noted(n, err)
	return n, err
}

// noted records a read of n bytes ending with err, done through Read or
// past it (the spliced data path, splice.go).
func (c *watchedConn) noted(n int, err error) {
	now := clock.UnixNano()
	if c.server {
		c.l.srvRead.Store(now)
		return
	}
	c.l.cliRead.Store(now)
	if n > 0 && !c.l.cliData.Load() {
		c.l.cliData.Store(true)
	}
	if err == io.EOF {
		c.l.cliEOF.Store(true)
	}
}

// CloseWrite and CloseRead keep the half-closes pipe uses.
func (c *watchedConn) CloseWrite() error {
	if hc, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return hc.CloseWrite()
	}
	return c.Conn.Close()
}

func (c *watchedConn) CloseRead() error {
	if hc, ok := c.Conn.(interface{ CloseRead() error }); ok {
		return hc.CloseRead()
	}
	return nil
}

// Sessions lists the streams in progress, oldest first.
func (e *Engine) Sessions() []cli.Session {
	now := time.Now()
	type entry struct {
		ss    cli.Session
		start int64
	}
	var list []entry
	for _, l := range e.streams.all() {
		if ss, start, ok := l.snapshot(now); ok {
			list = append(list, entry{ss, start})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].start < list[j].start })
	out := make([]cli.Session, len(list))
	for i := range list {
		out[i] = list[i].ss
	}
	return out
}

// connFD returns the descriptor of a TCP connection (-1 if it has none).
func connFD(c net.Conn) int {
	for {
		u, ok := c.(interface{ Unwrap() net.Conn })
		if !ok {
			break
		}
		c = u.Unwrap()
	}
	if r, ok := c.(interface{ RawFD() int }); ok {
		return r.RawFD() // without making the socket join Go's poller
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return -1
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}
