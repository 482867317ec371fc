package proxy

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"

	"goha/internal/clock"
	"goha/parser/haproxy"
	"goha/proxy/acl"
	"goha/proxy/balance"
	"goha/proxy/http1"
	plog "goha/proxy/log"
	"goha/proxy/sock"
	"goha/stats"
)

// bufSize is tune.bufsize: a request or response head must fit in it.
const bufSize = 16384

var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// stream is one client connection in mode http: requests are read, routed
// and forwarded one after the other (pipelined requests wait their turn).
type stream struct {
	f      *frontend
	client net.Conn
	src    net.Addr
	cbuf   []byte // client buffer: bytes read and not yet consumed
	clen   int
	sbuf   []byte // server buffer
	out    []byte // scratch for heads we write
	req    *http1.Request
	resp   *http1.Response
	nreq   int
	txn    acl.Txn
	// persistence cookie of this request (cookie.go): the log's client
	// and server cookie states, and whether the cookie chose the server
	ck, sck  byte
	ckDirect bool
	// the dates the request's persistence cookie carried (Unix seconds,
	// 0: none), for maxidle/maxlife
	ckLast, ckFirst int64
	// forcePersist, ignorePersist: the backend's first matching
	// force-persist or ignore-persist rule (SF_FORCE_PRST, SF_IGNORE_PRST)
	forcePersist, ignorePersist bool
	hdrs                        fieldHeaders
	// bodyInBuf is how much of the request body sits in cbuf after the
	// head (consumed together with it).
	bodyInBuf int
	// edits are the header changes of http-request rules and options,
	// applied to the forwarded head; respEdits those of http-response rules.
	edits, respEdits []headerEdit
	be               *backend
	// slen is how much of sbuf holds the response head being handled.
	slen int
	// localResp parses the responses the proxy generates itself.
	localResp *http1.Response
	// Rewrites of http-request rules: new target and method (nil when
	// unchanged), variables, scratch space for formats.
	newURI, newMethod []byte
	newStatus         int
	newReason         string
	vars              []variable
	arena, scratch    []byte
	// own is the session's idle server connection (to ownSrv), reused by
	// its next request to the same server; it joins the server's pool
	// when the session ends or moves elsewhere.
	own      net.Conn
	ownSrv   *server
	ownSince time.Time
	// view is the header list after header rules, for later ACLs.
	view headerView
	es   editScratch
	// bytes counts what the client sent and received as haproxy does
	// (HTX sizes, see http1.Request.HTXSize), per message head and body;
	// flushed has what was already added to the counters. sv is the
	// server of the current request (nil when none was connected).
	bytes   [2]uint64
	flushed [2]uint64
	sv      *server
	// What the log line of the current request needs (only kept when
	// the frontend logs): its request line, the instants of its steps,
	// the status sent and haproxy's termination state.
	logged                       bool
	reqLine                      []byte
	tStart, tHead, tQueue, tConn time.Time
	tData                        time.Time
	status                       int
	term                         [2]byte
	applet                       string // the service that answered ("<PROMEX>"), for the log
	retries                      int
	redisp                       bool
	bsrc                         netip.AddrPort
	rec                          plog.Record
	// assigned is the backend the request entered (its scur), left when
	// the request ends, before its log line.
	assigned *backend
	// tFirst: when the request's first byte came (Ti); reqID: its %rt;
	// caps: what the frontend captures of it (capture.go); noteFirst:
	// the frontend logs, so parseRequest notes tFirst.
	tFirst    time.Time
	reqID     uint32
	caps      streamCaptures
	noteFirst bool
	// quietClose: see noteQuietClose.
	quietClose bool
	// reqExpired: the first request's wait ran out while the
	// connection was parked (awaitRequest).
	reqExpired bool
	live       *liveStream // what "show sess" shows of it
	logArena   []byte      // the log line's sample values
	// idle is the connection's place in the idle poller, once parked;
	// slots: it holds maxconn slots (released by connEnd).
	idle  *idleSession
	slots bool
	hw    hotWait // a busy connection's wait for its next request
	// tick is the monotonic instant (clock.Mono) of the request's last
	// event: its head complete, its server connection had, its response
	// head come. What the request does between two events (counters,
	// "show sess" instants, the next read's timeout, the reuse of the
	// session's connection) counts from it: one clock read per event
	// instead of one per use (the clock was ~10 % of goproxy's user
	// time per keep-alive request), as haproxy counts from the instant
	// its poller returned (now_ms).
	tick int64
	// addrs: the client's and the frontend's address as the rules and
	// logs take them, converted once per connection (once per wake of
	// a parked one) instead of per request.
	addrs struct {
		src, dst netip.AddrPort
		ok       bool
	}
}

// clientAddrs returns the connection's source and destination.
func (s *stream) clientAddrs() (src, dst netip.AddrPort) {
	a := &s.addrs
	if !a.ok {
		a.src, a.dst, a.ok = addrPortOf(s.src), addrPortOf(s.client.LocalAddr()), true
	}
	return a.src, a.dst
}

// takeOwn returns the session's idle connection if it goes to sv and is
// still open; with trust, a connection used a moment ago is returned
// unchecked (see trustIdle).
func (s *stream) takeOwn(sv *server, trust bool) (net.Conn, bool) {
	c := s.own
	if c == nil || s.ownSrv != sv {
		return nil, false
	}
	s.own, s.ownSrv = nil, nil
	return reusable(c, s.ownSince, trust, s.tick)
}

// dropOwn gives the session's idle connection to its server's pool
// ("http-reuse never": closes it).
func (s *stream) dropOwn() {
	if s.own == nil {
		return
	}
	if s.ownSrv.be.reuse == "never" || s.ownSrv.mapPorts {
		s.own.Close()
	} else {
		s.ownSrv.pool.put(s.own, s.ownSince)
	}
	s.own, s.ownSrv = nil, nil
}

// fieldHeaders adapts a parsed head to acl.Headers without copying.
type fieldHeaders struct {
	buf    []byte
	fields []http1.Field
}

func (h *fieldHeaders) Len() int { return len(h.fields) }
func (h *fieldHeaders) At(i int) (name, value []byte) {
	f := &h.fields[i]
	return f.Name.In(h.buf), f.Value.In(h.buf)
}

// Errors that end a stream without an answer.
var errClientGone = errors.New("client closed")

// errBodyTimeout: the client stopped sending its request body. haproxy
// keeps waiting for the server meanwhile and answers 504 at "timeout
// server" (measured: timeout-client-body).
var errBodyTimeout = errors.New("request body timeout")

// bodyWait is how long a request body may stall: the longer of the client
// and server timeouts (see errBodyTimeout).
func (s *stream) bodyWait() time.Duration {
	d := s.f.timeouts.Client
	if s.be != nil && s.be.timeouts.Server > d {
		d = s.be.timeouts.Server
	}
	return d
}

// readHead reads until p parses a complete head from buf[:*n], reading
// from conn with the given inactivity timeout. now is the monotonic
// instant the first read's timeout counts from (0: the clock is read);
// later reads read it.
func readHead(conn net.Conn, buf []byte, n *int, timeout time.Duration, now int64, parse func([]byte) (bool, error)) (read bool, err error) {
	for {
		if *n > 0 {
			done, perr := parse(buf[:*n])
			if perr != nil {
				return true, perr
			}
			if done {
				return true, nil
			}
		}
		if *n == len(buf) {
			return true, http1.ErrHeadTooLarge
		}
		if timeout > 0 {
			setReadTimeoutFrom(conn, now, timeout)
			now = 0
		}
		m, rerr := conn.Read(buf[*n:])
		*n += m
		if m > 0 {
			read = true
		}
		if rerr != nil && m == 0 {
			return *n > 0, rerr
		}
	}
}

// setReadTimeoutFrom sets c's read deadline d after the monotonic
// instant now, read a moment ago (0: the clock is read).
func setReadTimeoutFrom(c net.Conn, now int64, d time.Duration) {
	if tc, ok := c.(*sock.TCPConn); ok {
		if now == 0 {
			now = clock.Mono()
		}
		tc.SetReadTimeoutFrom(now, d)
		return
	}
	c.SetReadDeadline(time.Now().Add(d))
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded)
}

// serveOne handles one request; it reports whether the client connection
// stays open for another.
func (s *stream) serveOne() bool {
	f := s.f
	s.req.Reset()
	// The first request waits "timeout http-request" (else client); a
	// kept-alive connection waits "timeout http-keep-alive" for the next
	// one to start (§4.2).
	wait := firstRequestWait(f)
	if s.nreq > 0 && s.clen == 0 && f.timeouts.HTTPKeepAlive > 0 {
		wait = f.timeouts.HTTPKeepAlive
	}
	// Between requests the connection is idle: a soft stop closes it.
	idle := s.nreq > 0 && s.clen == 0
	if idle && !f.e.enterIdle(s.live) {
		return false
	}
	s.tFirst = time.Time{}
	var got bool
	var err error
	if s.reqExpired {
		s.reqExpired = false // parked with nothing read: a timeout
		err = os.ErrDeadlineExceeded
	} else {
		got, err = readHead(s.client, s.cbuf, &s.clen, wait, 0, s.parseRequest)
	}
	if idle {
		f.e.leaveIdle(s.live)
	}
	s.be, s.sv = nil, nil
	s.logged, s.status, s.term, s.applet, s.quietClose = false, 0, [2]byte{}, "", false
	if err != nil {
		var perr *http1.Error
		switch {
		case errors.As(err, &perr):
			f.st.Request(stats.NowMs())
			f.st.FE.FailedReq.Add(1)
			f.st.FE.AddResponse(perr.Status)
			s.client.Write(http1.ErrorResponse(perr.Status))
			s.logBadRequest(perr.Status, 'P', 'R')
		case isTimeout(err) && (got || s.nreq == 0):
			f.st.FE.FailedReq.Add(1)
			f.st.FE.AddResponse(408)
			s.client.Write(http1.ErrorResponse(408))
			s.logBadRequest(408, 'c', 'R')
		case s.nreq == 0:
			// haproxy counts a connection closed before its first
			// request as a failed request with a 400 it could not send
			// (measured: req_tot, ereq and hrsp_4xx +1 for a
			// connect-then-close probe).
			f.st.Request(stats.NowMs())
			f.st.FE.FailedReq.Add(1)
			f.st.FE.AddResponse(400)
			if f.log == nil || !f.log.dontLogNull {
				s.logBadRequest(400, 'C', 'R')
			}
		}
		return false
	}
	s.nreq++
	s.tick = clock.Mono()
	s.live.begin(s.req.HeadLen, s.tick)
	s.countRequestHead()
	s.reqID = nextStreamID()
	if f.log != nil || f.caps != nil {
		s.startRequest()
	}
	f.st.Request(stats.MsAt(s.tick))
	f.e.process.CumReq.Add(1)
	s.edits, s.respEdits = s.edits[:0], s.respEdits[:0]
	s.ck, s.sck, s.ckDirect = 0, 0, false
	s.ckLast, s.ckFirst = 0, 0
	s.forcePersist, s.ignorePersist = false, false
	s.newURI, s.newMethod, s.newStatus = nil, nil, 0
	s.vars = s.vars[:0]
	s.be = nil
	s.resp.Reset()
	s.slen = 0
	// The head's read deadline stays: every later read of the client
	// sets its own when "timeout client" is set (body, tunnel, next
	// head), so it is cleared only without one (a timer update less per
	// request).
	if f.timeouts.Client == 0 {
		s.client.SetReadDeadline(time.Time{})
	}
	buf := s.cbuf[:s.clen]
	s.hdrs = fieldHeaders{buf: buf, fields: s.req.Fields}
	s.view.reset()
	src, dst := s.clientAddrs()
	s.txn = acl.Txn{
		Src: src, Dst: dst,
		Method: s.req.Method.In(buf), URI: s.req.URI.In(buf),
		Version: versionDigits(s.req), Headers: &s.hdrs, HTTP: true,
	}

	// Frontend rules, then routing (§4.2 "use_backend": first match wins).
	if done, keep := s.applyRules(f.rt.reqRules); done {
		return keep
	}
	if f.page != nil {
		// A frontend's stats URI is answered before use_backend, and
		// the log names the frontend as the backend ("fe fe/<STATS>").
		if handled, keep := s.serveStats(f.page, true); handled {
			return keep
		}
	}
	be := f.defBE
	for _, u := range f.uses {
		if u.cond.eval(s) {
			if u.dynamic != nil {
				// A name that resolves to no backend: the rule is
				// ignored (§4.2 "use_backend", dynamic form).
				s.arena = u.dynamic.eval(s, s.arena[:0])
				dyn := f.e.backends[string(s.arena)]
				if dyn == nil {
					continue
				}
				be = dyn
				break
			}
			be = u.be
			break
		}
	}
	if be == nil {
		// No backend to send to: haproxy 2.6 logs it as a failed
		// connection ("SC--") and, measured on 2.6.12, with no request
		// time (TR -1).
		s.term, s.tHead = [2]byte{'S', 'C'}, time.Time{}
		return s.answer(503)
	}
	s.be = be
	s.live.routed(be)
	// The stream enters the backend now (haproxy's stream_set_backend:
	// its stot counts requests its own rules deny or answer too).
	if be.st != nil {
		be.st.BackendAssign(stats.At(s.tick))
		s.assigned = be // left in run, before the log line
	}
	if be.cfg != f.cfg {
		if done, keep := s.applyRules(be.rt.reqRules); done {
			return keep
		}
	}
	if be.page != nil && be.cfg != f.cfg {
		if handled, keep := s.serveStats(be.page, false); handled {
			return keep
		}
	}
	return s.forward(be)
}

// The usual versions' digits, shared (acl samples only read them).
var version11, version10 = []byte("1.1"), []byte("1.0")

func versionDigits(r *http1.Request) []byte {
	switch {
	case r.Major == 1 && r.Minor == 1:
		return version11
	case r.Major == 1 && r.Minor == 0:
		return version10
	}
	return []byte{'0' + r.Major, '.', '0' + r.Minor}
}

// consume drops the current request head (and any body already skipped)
// from the client buffer, keeping pipelined bytes that follow.
func (s *stream) consume() {
	n := s.req.HeadLen + s.bodyInBuf
	if n > s.clen {
		n = s.clen
	}
	copy(s.cbuf, s.cbuf[n:s.clen])
	s.clen -= n
	s.bodyInBuf = 0
}

// skipRequestBody reads and discards a request body of known length (up
// to one buffer) so that the connection can carry another request.
func (s *stream) skipRequestBody() bool {
	switch s.req.Body {
	case http1.BodyNone:
		return true
	case http1.BodyLength:
		have := int64(s.clen - s.req.HeadLen)
		if have >= s.req.ContentLength {
			s.bodyInBuf = int(s.req.ContentLength)
			return true
		}
	}
	return false
}

// forward sends the request to a server of be and relays the response.
func (s *stream) forward(be *backend) bool {
	s.be = be
	buf := s.cbuf[:s.clen]
	key := balance.Request{Src: s.txn.Src.Addr(), URI: s.txn.URI}
	if be.lb.Options().Param != "" && be.lb.Algorithm() == balance.Header {
		key.Header, key.HasHeader = s.req.Lookup(buf, be.lb.Options().Param)
	}
	// http-reuse (§4.2): "safe" gives a session's first request a new
	// server connection and lets later ones reuse an idle one; "always"
	// (and "aggressive", for connections already reused) reuse for the
	// first request too; "never" does not reuse.
	reuse := be.reuse != "never" && (s.nreq > 1 || be.reuse == "always" || be.reuse == "aggressive")
	// A request that can be sent again (its body, if any, whole in the
	// buffer) may go on a reused connection without checking it first;
	// unchecked says the connection was taken that way.
	replayable := s.req.Body == http1.BodyNone ||
		s.req.Body == http1.BodyLength && int64(s.clen-s.req.HeadLen) >= s.req.ContentLength
	unchecked := false
	dial := func(sv *server) (net.Conn, bool, error) {
		// The session's own idle connection first, when it goes to the
		// same server (haproxy keeps it attached to the session).
		if c, u := s.takeOwn(sv, replayable); c != nil {
			countReuse(be, sv)
			unchecked = u
			return c, false, nil
		}
		// a server that maps ports goes where each client went: its
		// pooled connections may lead elsewhere (haproxy hashes the
		// destination into the reuse key; goproxy does not share them)
		if reuse && !sv.mapPorts {
			if c, u := sv.pool.get(replayable); c != nil {
				countReuse(be, sv)
				unchecked = u
				return c, false, nil
			}
		}
		unchecked = false
		countNewConn(be, sv)
		c, err := be.dialServer(sv, s.client.LocalAddr())
		return c, true, err
	}
	s.captureClientCookie()
	var persist *server
	if be.cookie != nil {
		persist = s.cookieRoute(be)
	}
	s.addUniqueIDHeader()
	ctx := context.Background()
	sc, res, err := be.connect(ctx, &key, persist, s.tick, dial)
	s.tick = res.at
	if persist != nil && res.server != persist {
		// redispatched (a retry, or its server went down while it
		// waited): haproxy clears SF_DIRECT, the new server's cookie goes
		s.ckDirect = false
	}
	s.countAttempt(be, res, err)
	s.retries, s.redisp = res.retries, res.redispat
	if err != nil {
		s.term = connectTerm(err)
		if res.server != nil {
			// The last server tried stays the stream's target, as in
			// haproxy: the log names it (Tw counted, Tc -1) and its
			// bytes counters get the 503 (measured).
			s.sv = res.server
			if s.logged {
				s.tQueue = s.tHead.Add(res.queueWait)
			}
		}
		return s.answer(503)
	}
	if s.logged {
		s.tQueue = s.tHead.Add(res.queueWait)
		s.tConn = s.tQueue.Add(res.connWait)
		s.bsrc = addrPortOf(sc.LocalAddr())
	}
	sv := res.server
	s.sv = sv
	s.live.connected(sv, sc, sessWaitResponse, s.tick)
	keepServer := false
	// ownSince is when the server connection went idle: the response
	// head's instant when the body came with it, else read at the end.
	ownSince := int64(0)
	defer func() {
		sv.st.ServerEnd()
		be.release(sv)
		if keepServer {
			s.dropOwn()
			var since time.Time
			if ownSince != 0 {
				since = clock.Time(ownSince)
			} else {
				since = s.now()
			}
			s.own, s.ownSrv, s.ownSince = sc, sv, since
			return
		}
		sc.Close()
	}()
	// redial replaces an unchecked connection that failed before the
	// first response byte (the server had closed it) with a new one, for
	// the request to go again; false when the server cannot be reached.
	redial := func() bool {
		unchecked = false
		sc.Close()
		countNewConn(be, sv)
		c, err := be.dialServer(sv, s.client.LocalAddr())
		if err != nil {
			s.term = [2]byte{'S', 'C'}
			return false
		}
		sc = c
		s.tick = clock.Mono()
		s.live.connected(sv, sc, sessWaitResponse, s.tick)
		if s.logged {
			s.bsrc = addrPortOf(sc.LocalAddr())
		}
		return true
	}

	// Request head, then body, then the response head: 1xx interim
	// responses are relayed until the final one.
	s.out = http1.AppendRequestHead(s.out[:0], buf, s.req)
	s.out = s.editRequestHead(s.out, be, serverClose(s.f.cfg, be.cfg))
	serverTimeout := be.timeouts.Server
	isHead := bytes.Equal(s.txn.Method, []byte("HEAD"))
	slen := 0
	for first := true; ; {
		if first {
			if _, err := sc.Write(s.out); err != nil {
				if unchecked && redial() {
					continue
				}
				return s.answer(503)
			}
			if err := s.copyRequestBody(sc, be); err != nil {
				if unchecked {
					// only server writes fail here: the body was buffered
					if redial() {
						continue
					}
					return s.answer(503)
				}
				if errors.Is(err, errClientGone) {
					return false
				}
				if errors.Is(err, errBodyTimeout) {
					s.sendLocal(s.errorPage(504), false)
					return false
				}
				// A malformed body is the client's fault: the H1 layer
				// answers 400 and closes, as for a bad head.
				var perr *http1.Error
				if errors.As(err, &perr) {
					s.client.Write(http1.ErrorResponse(perr.Status))
					return false
				}
				return s.answer(502)
			}
		}
		s.resp.Reset()
		s.resp.RequestHEAD = isHead
		if slen == 0 {
			// The server cannot have answered yet: a read now would only
			// find nothing (EAGAIN, ~1 system call per request in the
			// keep-alive load). The other streams' turns come first;
			// haproxy too reads when its poller says so.
			runtime.Gosched()
		}
		got, err := readHead(sc, s.sbuf, &slen, serverTimeout, s.tick, s.resp.Parse)
		s.tick = clock.Mono()
		if err != nil {
			if first && unchecked && !got && !isTimeout(err) {
				if redial() {
					continue
				}
				return s.answer(503)
			}
			be.st.BE.FailedResp.Add(1)
			sv.st.C.FailedResp.Add(1)
			if isTimeout(err) {
				s.term = [2]byte{'s', 'H'}
				return s.answer(504)
			}
			s.term = [2]byte{'S', 'H'}
			return s.answer(502)
		}
		s.bytes[1] += uint64(s.resp.HTXSize(s.sbuf[:slen]))
		first, unchecked = false, false
		if s.resp.Status >= 100 && s.resp.Status < 200 && s.resp.Status != 101 {
			s.out = http1.AppendResponseHead(s.out[:0], s.sbuf[:slen], s.resp, http1.ConnNothing)
			s.client.Write(s.out)
			copy(s.sbuf, s.sbuf[s.resp.HeadLen:slen])
			slen -= s.resp.HeadLen
			continue
		}
		break
	}
	sbuf := s.sbuf[:slen]
	s.slen = slen
	s.live.step(sessResponse, s.tick)
	if s.logged {
		s.tData = time.Now()
	}
	s.captureResponse(sbuf)
	// http-response rules: the backend's, then the frontend's (§4.2).
	if len(be.rt.respRules) > 0 && s.applyResponseRules(be.rt.respRules) ||
		be.cfg != s.f.cfg && len(s.f.rt.respRules) > 0 && s.applyResponseRules(s.f.rt.respRules) {
		s.resp.Reset()
		s.slen = 0
		return s.answer(502)
	}
	if be.cookie != nil {
		s.cookieResponse(be, sv, sbuf)
	}
	// Only the frontend's httpclose closes the client side; a backend's
	// acts on the server side (measured: conn-httpclose-backend).
	clientKeep := s.req.KeepAlive && s.resp.Body != http1.BodyUntilClose && !s.f.cfg.Options.HTTPClose && !s.f.e.stopping()
	cc := http1.ClientConnectionFor(s.req, s.resp)
	if !clientKeep && cc == http1.ConnNothing && s.resp.VersionAtLeast11() && s.req.VersionAtLeast11() {
		cc = http1.ConnClose
	}
	s.out = http1.AppendResponseHead(s.out[:0], sbuf, s.resp, cc)
	if len(s.respEdits) > 0 || s.newStatus != 0 {
		var first []byte
		if s.newStatus != 0 {
			reason := s.newReason
			if reason == "" {
				reason = reasonPhrase(s.newStatus)
			}
			eol := bytes.IndexByte(s.out, ' ')
			first = append(append([]byte{}, s.out[:eol]...), " "+itoa(s.newStatus)+" "+reason+"\r\n"...)
		}
		s.out = s.editHead(s.out, s.respEdits, first, false)
	}
	status := s.resp.Status
	if s.newStatus != 0 {
		status = s.newStatus
	}
	s.countResponse(status)
	// the server's req_tot goes with its rsp[n], when its response is
	// analysed (http_process_res_common)
	sv.st.C.AddResponse(s.resp.Status)
	sv.st.C.CumReq.Add(1)
	// A response whose whole body came with its head goes out in one
	// write: one system call per response instead of two (profiled in
	// docs/performance.md).
	whole := s.resp.Status != 101 && s.resp.Body == http1.BodyLength &&
		int64(len(sbuf)-s.resp.HeadLen) >= s.resp.ContentLength
	if whole {
		s.out = append(s.out, sbuf[s.resp.HeadLen:s.resp.HeadLen+int(s.resp.ContentLength)]...)
		s.bytes[1] += uint64(s.resp.ContentLength)
	}
	// A whole response is the last write when the client connection
	// closes after it (run finishes the stream at once): it goes out with
	// the FIN.
	var werr error
	if whole && !clientKeep {
		werr = s.writeLast(s.out)
	} else {
		_, werr = s.client.Write(s.out)
	}
	if werr != nil {
		return false
	}
	if whole {
		s.consume()
		keepServer = s.resp.KeepAlive && !serverClose(s.f.cfg, be.cfg)
		ownSince = s.tick
		s.noteQuietClose(clientKeep)
		return clientKeep
	}
	if s.resp.Status == 101 {
		// Protocol upgrade (WebSocket): a plain tunnel from now on.
		rest := sbuf[s.resp.HeadLen:]
		if len(rest) > 0 {
			s.client.Write(rest)
		}
		if n := s.clen - s.req.HeadLen; n > 0 {
			sc.Write(s.cbuf[s.req.HeadLen:s.clen])
			s.bytes[0] += uint64(n) // early tunnel data
		}
		s.clen = 0
		// the tunnel's bytes count as they pass
		cc := &countConn{Conn: s.client}
		t := tunnelTimeouts(s.f, be)
		t.ServerEndCloses = true
		pipe(cc, sc, t)
		s.bytes[0] += cc.in
		s.bytes[1] += uint64(len(rest)) + cc.out
		return false
	}
	complete, err := s.copyResponseBody(sc, sbuf[s.resp.HeadLen:])
	if err != nil || !complete {
		return false
	}
	s.consume()
	keepServer = s.resp.KeepAlive && !serverClose(s.f.cfg, be.cfg)
	s.noteQuietClose(clientKeep)
	return clientKeep
}

// noteQuietClose notes, after a response, that the client connection
// may simply close: the client asked to close it, and its last read took
// the request whole and nothing after it. haproxy then closes at once too
// (measured: shutdown and close, no read). A client that meant to keep
// the connection, or sent more, gets lingerClose's drain instead.
func (s *stream) noteQuietClose(keep bool) {
	s.quietClose = !keep && !s.req.KeepAlive && s.clen == 0
}

// anyHTTPClose reports whether "option httpclose" is set on the frontend
// or the backend.
func anyHTTPClose(fe, be *haproxy.Proxy) bool {
	return fe.Options.HTTPClose || be.Options.HTTPClose
}

// serverClose reports whether the server connection must close after each
// response ("option httpclose" or "option http-server-close").
func serverClose(fe, be *haproxy.Proxy) bool {
	return anyHTTPClose(fe, be) || fe.Options.HTTPServerClose || be.Options.HTTPServerClose
}

// editRequestHead applies the rules' edits and "option forwardfor" to a
// forwarded head; with httpclose/http-server-close the server is told
// "connection: close".
func (s *stream) editRequestHead(head []byte, be *backend, srvClose bool) []byte {
	var first []byte
	if s.newURI != nil || s.newMethod != nil {
		first = s.requestLine(head)
	}
	// "option forwardfor" in the frontend or the backend (http_ana.c,
	// http_process_request): the backend's header name wins; the header
	// is skipped when the client is in either proxy's "except" network,
	// or when it is already present and neither proxy asks to add it
	// always (if-none on both).
	fe, bf := s.f.cfg.Options.ForwardFor, be.cfg.Options.ForwardFor
	if fe == nil && bf == nil {
		return s.editHead(head, s.edits, first, srvClose)
	}
	name := ""
	if bf != nil {
		name = bf.Header
	} else {
		name = fe.Header
	}
	if name == "" {
		name = "x-forwarded-for"
	}
	ip := s.txn.Src.Addr()
	if !ip.IsValid() {
		// a unix or sockpair client: haproxy adds the header only for
		// IPv4 and IPv6 sources
		return s.editHead(head, s.edits, first, srvClose)
	}
	for _, ff := range []*haproxy.ForwardFor{fe, bf} {
		if ff != nil && ff.Except != "" {
			if p, err := parsePrefix(ff.Except); err == nil && p.Contains(ip) {
				return s.editHead(head, s.edits, first, srvClose)
			}
		}
	}
	always := fe != nil && !fe.IfNone || bf != nil && !bf.IfNone
	if !always {
		if _, ok := s.req.Lookup(s.cbuf[:s.clen], name); ok {
			return s.editHead(head, s.edits, first, srvClose)
		}
	}
	s.edits = append(s.edits, headerEdit{op: editAdd, name: lowerASCII(name), value: ip.AppendTo(nil)})
	return s.editHead(head, s.edits, first, srvClose)
}

// copyRequestBody forwards the request body: already-buffered bytes, then
// the rest from the client, re-chunking a chunked body as haproxy does.
func (s *stream) copyRequestBody(sc net.Conn, be *backend) error {
	switch s.req.Body {
	case http1.BodyNone:
		return nil
	case http1.BodyLength:
		inBuf := int64(s.clen - s.req.HeadLen)
		if inBuf >= s.req.ContentLength {
			s.bodyInBuf = int(s.req.ContentLength)
			_, err := sc.Write(s.cbuf[s.req.HeadLen : s.req.HeadLen+s.bodyInBuf])
			return err
		}
		if _, err := sc.Write(s.cbuf[s.req.HeadLen:s.clen]); err != nil {
			return err
		}
		s.bodyInBuf = s.clen - s.req.HeadLen
		rest := s.req.ContentLength - inBuf
		n, err := copyIdle(sc, s.client, s.bodyWait(), rest, s.sbuf)
		s.bytes[0] += uint64(n) // what came with the head is counted
		if n < rest {
			if isTimeout(err) {
				return errBodyTimeout
			}
			return errClientGone
		}
		return err
	case http1.BodyChunked:
		return s.copyChunked(sc)
	}
	return nil
}

// copyChunked decodes the client's chunked body and writes it re-chunked
// as haproxy does: one chunk for all the data at hand (what one read
// brought), extensions dropped, trailers with lower-case names.
func (s *stream) copyChunked(sc net.Conn) error {
	var dec http1.ChunkedDecoder
	pos := s.req.HeadLen
	rc := rechunker{out: s.out[:0], data: s.scratch[:0]}
	defer func() { s.scratch = rc.data[:0]; s.bytes[0] += uint64(rc.htx) }()
	for {
		n, ev, payload, err := dec.Decode(s.cbuf[pos:s.clen])
		if err != nil {
			return err
		}
		pos += n
		if rc.event(ev, payload) {
			_, err := sc.Write(rc.out)
			s.out = rc.out[:0]
			s.bodyInBuf = pos - s.req.HeadLen
			return err
		}
		if ev == http1.ChunkNeedMore || pos == s.clen {
			if out := rc.flush(); len(out) > 0 {
				if _, err := sc.Write(out); err != nil {
					return err
				}
				rc.out = out[:0]
			}
			// compact and read more
			copy(s.cbuf[s.req.HeadLen:], s.cbuf[pos:s.clen])
			s.clen -= pos - s.req.HeadLen
			pos = s.req.HeadLen
			if s.clen == len(s.cbuf) {
				return http1.ErrChunkLine
			}
			s.client.SetReadDeadline(deadline(s.bodyWait()))
			m, rerr := s.client.Read(s.cbuf[s.clen:])
			s.clen += m
			if rerr != nil && m == 0 {
				if isTimeout(rerr) {
					return errBodyTimeout
				}
				return errClientGone
			}
		}
	}
}

// rechunker re-encodes a decoded chunked body as haproxy forwards it, for
// requests and responses alike: the data of one read as one chunk, the
// last chunk, trailers with lower-case names, the final CRLF.
type rechunker struct {
	out, data []byte
	trailers  bool
	htx       int // the body's HTX size: data, trailers, end of trailers
}

// event takes one decoder event; it reports the end of the body, when out
// holds everything left to write.
func (r *rechunker) event(ev http1.ChunkEvent, payload []byte) (end bool) {
	switch ev {
	case http1.ChunkData:
		r.data = append(r.data, payload...)
		r.htx += len(payload)
	case http1.ChunkTrailer:
		r.htx += http1.TrailerHTXSize(payload)
		if !r.trailers {
			r.out = http1.AppendLastChunk(r.flush())
			r.trailers = true
		}
		r.out = http1.AppendTrailer(r.out, payload)
	case http1.ChunkEnd:
		r.htx += http1.HTXEndOfTrailers
		if !r.trailers {
			r.out = http1.AppendLastChunk(r.flush())
		}
		r.out = append(r.out, '\r', '\n')
		return true
	}
	return false
}

// flush appends the pending data as one chunk and returns out.
func (r *rechunker) flush() []byte {
	if len(r.data) > 0 {
		r.out = http1.AppendChunk(r.out, r.data)
		r.data = r.data[:0]
	}
	return r.out
}

func deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// copyResponseBody relays the response body; complete reports whether it
// ended cleanly so that both connections may be reused.
func (s *stream) copyResponseBody(sc net.Conn, inBuf []byte) (complete bool, err error) {
	switch s.resp.Body {
	case http1.BodyNone:
		return true, nil
	case http1.BodyLength:
		n := int64(len(inBuf))
		if n > s.resp.ContentLength {
			inBuf, n = inBuf[:s.resp.ContentLength], s.resp.ContentLength
		}
		if _, err := s.client.Write(inBuf); err != nil {
			return false, err
		}
		s.bytes[1] += uint64(n)
		rest := s.resp.ContentLength - n
		if rest == 0 {
			return true, nil
		}
		m, err := copyIdle(s.client, sc, s.srvTimeout(), rest, s.sbuf)
		s.bytes[1] += uint64(m)
		return m == rest, err
	case http1.BodyChunked:
		return s.relayChunked(sc, inBuf)
	default: // until close
		if _, err := s.client.Write(inBuf); err != nil {
			return false, err
		}
		m, err := copyIdle(s.client, sc, s.srvTimeout(), -1, s.sbuf)
		s.bytes[1] += uint64(len(inBuf)) + uint64(m)
		return false, err
	}
}

// requestLine is the forwarded request line with set-method/set-uri
// applied.
func (s *stream) requestLine(head []byte) []byte {
	eol := bytes.Index(head, []byte("\r\n"))
	line := head[:eol]
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	out := make([]byte, 0, eol+len(s.newURI)+2)
	if s.newMethod != nil {
		out = append(out, s.newMethod...)
	} else {
		out = append(out, line[:sp1]...)
	}
	out = append(out, ' ')
	if s.newURI != nil {
		out = append(out, s.newURI...)
	} else {
		out = append(out, line[sp1+1:sp2]...)
	}
	out = append(out, line[sp2:]...)
	return append(out, '\r', '\n')
}

func (s *stream) srvTimeout() time.Duration { return s.be.timeouts.Server }

// relayChunked decodes a chunked response and re-chunks it to the client
// (one chunk per read, as haproxy).
func (s *stream) relayChunked(sc net.Conn, inBuf []byte) (bool, error) {
	var dec http1.ChunkedDecoder
	n := copy(s.sbuf, inBuf)
	pos := 0
	rc := rechunker{out: s.out[:0], data: s.scratch[:0]}
	defer func() { s.scratch = rc.data[:0]; s.bytes[1] += uint64(rc.htx) }()
	for {
		used, ev, payload, err := dec.Decode(s.sbuf[pos:n])
		if err != nil {
			return false, err
		}
		pos += used
		if rc.event(ev, payload) {
			_, err := s.client.Write(rc.out)
			s.out = rc.out[:0]
			return err == nil, err
		}
		if ev == http1.ChunkNeedMore || pos == n {
			if out := rc.flush(); len(out) > 0 {
				if _, err := s.client.Write(out); err != nil {
					return false, err
				}
				rc.out = out[:0]
			}
			copy(s.sbuf, s.sbuf[pos:n])
			n -= pos
			pos = 0
			if n == len(s.sbuf) {
				return false, http1.ErrChunkLine
			}
			sc.SetReadDeadline(deadline(s.srvTimeout()))
			m, rerr := sc.Read(s.sbuf[n:])
			n += m
			if rerr != nil && m == 0 {
				return false, rerr
			}
		}
	}
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }

// writeLast writes the last bytes the client gets before the stream ends
// its connection, so that they leave with the FIN (see
// sock.TCPConn.WriteBeforeClose): the caller returns false at once, and
// run finishes the stream, whose close or lingerClose sends them.
func (s *stream) writeLast(b []byte) error {
	if tc, ok := s.client.(*sock.TCPConn); ok {
		_, err := tc.WriteBeforeClose(b)
		return err
	}
	_, err := s.client.Write(b)
	return err
}
