package proxy

import (
	"net"
	"runtime"
	"sync"
	"syscall"
	"time"

	"goha/internal/clock"
	"goha/proxy/http1"
	"goha/proxy/sock"
)

// Streams, their buffers and parsers are pooled: a keep-alive connection
// waiting for its next request gives them back and parks in the engine's
// idle poller with only an idleSession (idle.go explains why).

var streamPool = sync.Pool{New: func() any {
	return &stream{req: http1.NewRequest(http1.DefaultLimits), resp: http1.NewResponse(http1.DefaultLimits),
		localResp: http1.NewResponse(http1.DefaultLimits), cbuf: make([]byte, bufSize), sbuf: make([]byte, bufSize)}
}}

// getStream returns a clean stream for client connection c, with its
// buffers.
func getStream(f *frontend, c net.Conn) *stream {
	s := streamPool.Get().(*stream)
	s.f, s.client = f, c
	s.noteFirst = f.log != nil
	return s
}

// putStream returns s, with its buffers, to the pool. Only buffers and
// scratch space survive, emptied as between two requests: nothing of this
// connection can reach the next one.
//
// The kept fields are copied out, the stream cleared in place, and they
// go back: a composite literal assigned to *s was built whole on the
// stack first (a 2.2 KiB frame, written and copied for every connection
// the close load made).
func putStream(s *stream) {
	req, resp, localResp := s.req, s.resp, s.localResp
	cbuf, sbuf, out := s.cbuf[:bufSize], s.sbuf[:bufSize], s.out[:0]
	edits, respEdits, vars := s.edits[:0], s.respEdits[:0], s.vars[:0]
	arena, scratch, reqLine, logArena := s.arena[:0], s.scratch[:0], s.reqLine[:0], s.logArena[:0]
	es, check := s.es, s.hw.check
	*s = stream{}
	s.req, s.resp, s.localResp = req, resp, localResp
	s.cbuf, s.sbuf, s.out = cbuf, sbuf, out
	s.edits, s.respEdits, s.vars = edits, respEdits, vars
	s.arena, s.scratch, s.reqLine, s.logArena = arena, scratch, reqLine, logArena
	s.es, s.hw.check = es, check
	streamPool.Put(s)
}

// idleSession is what a parked connection keeps between two requests:
// the stream's state that outlives a request.
type idleSession struct {
	node     idleNode
	f        *frontend
	client   net.Conn
	slots    bool
	nreq     int
	own      net.Conn
	ownSrv   *server
	ownSince time.Time
	bytes    [2]uint64
	flushed  [2]uint64
	tStart   time.Time
}

// save keeps what of s outlives the request just served; restore puts it
// back in a fresh stream. A stream field that outlives a request belongs
// here (TestStreamFieldsClassified lists them all).
func (is *idleSession) save(s *stream) {
	is.nreq, is.own, is.ownSrv, is.ownSince, is.tStart = s.nreq, s.own, s.ownSrv, s.ownSince, s.tStart
	is.bytes, is.flushed = s.bytes, s.flushed
}

func (is *idleSession) restore(s *stream) {
	s.idle, s.slots, s.src = is, is.slots, is.client.RemoteAddr()
	s.nreq, s.own, s.ownSrv, s.ownSince, s.tStart = is.nreq, is.own, is.ownSrv, is.ownSince, is.tStart
	s.bytes, s.flushed = is.bytes, is.flushed
	is.own, is.ownSrv = nil, nil
}

// serveHTTP serves the requests of one client connection; it ends the
// connection (connEnd) itself, possibly from another goroutine after the
// connection was parked.
func (f *frontend) serveHTTP(c net.Conn, slots bool) {
	s := getStream(f, c)
	s.slots = slots
	s.src = c.RemoteAddr()
	s.live = f.e.streams.open(f, c)
	s.tStart = s.now()
	if s.awaitRequest() {
		return
	}
	s.run()
}

// awaitRequest parks a new connection whose request has not come yet
// (true: the idle poller's wake serves it). Waiting in Go's poller
// instead costs the socket's registration there (fcntl, two epoll_ctl,
// a read that finds nothing again, an os.File): about 0.6 of each new
// connection in the close load were still waiting for their request when
// accepted. A request already there is read into the buffer, for
// serveOne to parse.
func (s *stream) awaitRequest() bool {
	tc, ok := s.client.(*sock.TCPConn)
	if !ok {
		return false
	}
	n, err := tc.TryRead(s.cbuf)
	if n > 0 {
		s.clen = n
		return false
	}
	if err != syscall.EAGAIN {
		return false // the end, or an error: serveOne meets it again
	}
	return s.park(firstRequestWait(s.f))
}

// firstRequestWait is how long a connection may take to start its first
// request: "timeout http-request", else "timeout client" (§4.2).
func firstRequestWait(f *frontend) time.Duration {
	if f.timeouts.HTTPRequest > 0 {
		return f.timeouts.HTTPRequest
	}
	return f.timeouts.Client
}

// run serves requests until the connection ends or parks.
func (s *stream) run() {
	for {
		keep := s.serveOne()
		s.live.end()
		if s.assigned != nil {
			// haproxy's stream leaves its backend (beconn) before the
			// final log line, which shows the count without it
			s.assigned.st.BackendLeave()
			s.assigned = nil
		}
		if s.logged {
			s.logRequest()
		}
		flushCounts(s.bytes, &s.flushed, s.f.st, s.countingBackend(), s.sv)
		if !keep {
			s.finish()
			return
		}
		s.tStart = s.now()
		if s.clen > 0 {
			continue // pipelined: the next request is here
		}
		wait := keepAliveWait(s.f)
		if s.hw.on {
			g := hotGrace
			if wait > 0 && wait < g {
				g = wait
			}
			if !s.f.e.enterIdle(s.live) { // stopping
				s.finish()
				return
			}
			ready := s.waitHot(g)
			s.f.e.leaveIdle(s.live)
			if ready {
				continue
			}
			s.hw.on = false
			if wait > 0 {
				if wait -= g; wait <= 0 {
					s.finish() // the keep-alive timeout passed: closed silently, as serveOne does
					return
				}
			}
		}
		if s.park(wait) {
			return
		}
	}
}

// now is the time for the stream's instants: time.Now when the frontend
// logs (its log lines show dates), else the monotonic clock alone, read
// once instead of twice (clock.Time's wall part does not follow a step
// of the system clock).
func (s *stream) now() time.Time {
	if s.noteFirst {
		return time.Now()
	}
	return clock.Time(clock.Mono())
}

// finish ends the client connection and the stream.
func (s *stream) finish() {
	f, slots := s.f, s.slots
	f.e.streams.close(s.live)
	// The session ends when the proxy closes, not when the client's FIN
	// comes back: haproxy's scur drops as it closes (measured: smax 1
	// for clients one after another).
	f.sessionEnd()
	if s.quietClose {
		// The client's connection first: the end of a response written
		// with WriteBeforeClose leaves with its FIN.
		s.client.Close() // a FIN, as shutdown and close would send
		s.dropOwn()
	} else {
		s.dropOwn() // before the drain, which may last lingerTime
		lingerClose(s.client)
	}
	putStream(s)
	f.connEnd(slots)
}

// park hands the connection to the idle poller until its next request
// starts; false when it cannot be parked (the stream goes on waiting in
// its own goroutine).
func (s *stream) park(wait time.Duration) bool {
	p := s.f.e.idlePoller()
	if p == nil {
		return false
	}
	is := s.idle
	if is == nil {
		is = &idleSession{f: s.f, client: s.client, slots: s.slots}
		is.node.fd, is.node.w = int32(connFD(s.client)), is
	}
	is.save(s)
	if !p.park(&is.node, wait) {
		s.idle = is
		return false
	}
	// From here on the session may already run in another goroutine.
	// "show sess" lists no stream between two requests: the connection
	// leaves its table while parked (a new entry when it wakes).
	s.f.e.streams.close(s.live)
	s.own, s.ownSrv = nil, nil
	putStream(s)
	return true
}

// keepAliveWait is how long a kept-alive connection may stay silent
// before its next request starts, as serveOne waits for it (§4.2
// "timeout http-keep-alive": else http-request, else client).
func keepAliveWait(f *frontend) time.Duration {
	if f.timeouts.HTTPKeepAlive > 0 {
		return f.timeouts.HTTPKeepAlive
	}
	return firstRequestWait(f)
}

// idleWake resumes a parked session in a fresh stream; on expiry or stop
// the connection closes without an answer, as a silent keep-alive
// connection does when its wait ends.
func (is *idleSession) idleWake(why idleWhy) {
	s := getStream(is.f, is.client)
	is.restore(s)
	switch {
	case s.nreq == 0:
		// A new connection that waited for its first request
		// (awaitRequest): serveOne answers an expiry as it answers a
		// request that did not come in time; after a stop it waits for
		// the request in this goroutine, as it would have.
		s.reqExpired = why == idleExpired
	case why != idleReady:
		s.finish()
		return
	}
	s.live = is.f.e.streams.open(is.f, is.client)
	// A request that came soon after the last response marks a busy
	// connection: it waits in its goroutine first next time. A first
	// request proves nothing: a new connection parks at once after its
	// response, as when its request was there at accept (holding nothing
	// while idle: the idle scenario's memory per connection went from
	// 1.0 to 3.3 KiB when first requests counted).
	s.hw.on = s.nreq > 0 && clock.Since(s.tStart) < hotGrace
	s.run()
}

// Parking costs a few system calls and a hand-over per request (about
// 20 % of the CPU per keep-alive request when every response parked). A
// connection whose last request came within hotGrace of the response
// before it is busy: it waits for its next request in its own goroutine,
// up to hotGrace, as before the poller existed, and parks only when that
// wait runs out. A connection that sent one request and went quiet parks
// at once, holding nothing.
const hotGrace = 100 * time.Millisecond

// hotWait is a busy connection's wait for its next request: the first
// bytes are read straight into the stream's buffer (one read when they
// are there already, as before the poller existed), and serveOne parses
// and times them as for any other request.
type hotWait struct {
	on    bool
	rc    syscall.RawConn
	check func(fd uintptr) bool // ready, bound once per pooled stream
	buf   []byte                // where ready reads: the free client buffer
	got   int                   // bytes ready read
}

// ready is called by rc.Read: first at once, then each time the network
// poller reports the descriptor readable. A read that would block waits;
// data, end or error end the wait (serveOne's own read then sees the end
// or the error again).
func (h *hotWait) ready(fd uintptr) bool {
	n, err := sock.Recv(int(fd), h.buf, 0) // recvfrom, not read: no VFS layer (sock.TCPConn)
	if err == syscall.EAGAIN {
		return false
	}
	if n > 0 {
		h.got = n
	}
	return true
}

// waitHot waits at most d for the client's next bytes; false when none
// came (the client did not close either).
func (s *stream) waitHot(d time.Duration) bool {
	h := &s.hw
	if h.rc == nil {
		sc, ok := s.client.(syscall.Conn)
		if !ok {
			return false
		}
		rc, err := sc.SyscallConn()
		if err != nil {
			return false
		}
		h.rc = rc
	}
	if h.check == nil {
		h.check = h.ready
	}
	h.buf, h.got = s.cbuf[s.clen:], 0
	// from the response's end, read just before (tStart)
	setReadTimeoutFrom(s.client, clock.MonoOf(s.tStart), d)
	runtime.Gosched() // the response just went out: see forward's Gosched
	err := h.rc.Read(h.check)
	s.clen += h.got
	h.buf = nil
	return err == nil || !isTimeout(err)
}
