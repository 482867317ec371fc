package proxy

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"goha/parser/haproxy"
	plog "goha/proxy/log"
	"goha/stats"
)

// Logging (configuration.txt §3.1 "log", §4.2 "log", §8): each section
// with "log" targets (its own, or the global ones through "log global")
// gets a Logger from goha/proxy/log; a frontend renders one line per
// stream (HTTP request or TCP session) with its log-format (option
// httplog, httplog clf, tcplog or log-format), or a "Connect from" line
// at accept when it has none.

// sectionLog is the logging side of a section.
type sectionLog struct {
	logger *plog.Logger
	prog   *plog.Program // nil: "Connect from" lines only
	http   bool
	// dontLogNull skips sessions that carried no data (option
	// dontlognull).
	dontLogNull    bool
	dontLogNormal  bool
	separateErrors bool
	counter        atomic.Uint32 // %lc
	samples        logSamples    // the format's %[...]
	// errProg is the error-log-format (nil: prog), for the requests
	// rejected before a stream exists; sdProg the log-format-sd.
	errProg, sdProg *plog.Program
}

// reqCounter is haproxy's global request counter (%rt): every stream
// takes the next value (each HTTP request, each TCP connection, each
// runtime API connection, measured with haproxy 2.6.12), whether its
// frontend logs or not; a request refused before it became a stream
// takes one only when it is logged.
var reqCounter atomic.Uint32

// nextStreamID takes the next %rt value.
func nextStreamID() uint32 { return reqCounter.Add(1) - 1 }

// newSectionLog builds the logger of px; nil when it logs nothing.
func newSectionLog(px *haproxy.Proxy, hostname string) (*sectionLog, error) {
	if px.NoLog || len(px.Logs) == 0 {
		return nil, nil
	}
	var targets []*plog.Target
	for _, lt := range px.Logs {
		if lt.Global && lt.Address == "" {
			continue
		}
		t, err := plog.ParseTarget(logArgs(lt), false)
		if err != nil {
			return nil, err
		}
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		return nil, nil
	}
	lg, err := plog.NewLogger(targets, hostname, "haproxy")
	if err != nil {
		return nil, err
	}
	sl := &sectionLog{logger: lg, http: px.Mode == haproxy.ModeHTTP, dontLogNull: px.Options.DontLogNull}
	format := px.LogFormat
	if format == "" {
		switch {
		case px.Options.HTTPLog && px.Options.HTTPLogCLF:
			format, _ = plog.OptionFormat("httplog clf", sl.http)
		case px.Options.HTTPLog:
			format, _ = plog.OptionFormat("httplog", sl.http)
		case px.Options.TCPLog:
			format, _ = plog.OptionFormat("tcplog", sl.http)
		}
	}
	if format != "" {
		if sl.prog, err = plog.Compile(format, plog.CompileOptions{HTTP: sl.http}); err != nil {
			return nil, err
		}
	}
	for _, st := range px.Other {
		if len(st.Args) == 2 && (st.Args[0] == "error-log-format" || st.Args[0] == "log-format-sd") {
			prog, err := plog.Compile(st.Args[1], plog.CompileOptions{HTTP: sl.http})
			if err != nil {
				return nil, err
			}
			if st.Args[0] == "error-log-format" {
				sl.errProg = prog
			} else {
				sl.sdProg = prog
			}
		}
		if len(st.Args) == 2 && st.Args[0] == "option" {
			switch st.Args[1] {
			case "dontlog-normal":
				sl.dontLogNormal = true
			case "log-separate-errors":
				sl.separateErrors = true
			}
		}
	}
	return sl, nil
}

// logArgs rebuilds the arguments of a "log" line for plog.ParseTarget.
func logArgs(lt haproxy.LogTarget) []string {
	args := []string{lt.Address}
	if lt.MaxLen > 0 {
		args = append(args, "len", strconv.Itoa(lt.MaxLen))
	}
	// The parser fills "rfc3164" when no format is given, and haproxy's
	// default differs from an explicit rfc3164 (no "localhost" in the
	// header): rfc3164 is taken as the default (an explicit "format
	// rfc3164" loses its hostname until the parser keeps the difference).
	if lt.Format != "" && lt.Format != "rfc3164" {
		args = append(args, "format", lt.Format)
	}
	if lt.Sample != "" {
		args = append(args, "sample", lt.Sample)
	}
	args = append(args, lt.Facility)
	if lt.Level != "" {
		args = append(args, lt.Level)
		if lt.MinLevel != "" {
			args = append(args, lt.MinLevel)
		}
	}
	return args
}

// buildLogs prepares the frontends' loggers and the process logger
// (global targets) for server state changes.
func (e *Engine) buildLogs() error {
	// haproxy's headers carry no hostname unless "log-send-hostname"
	// (§3.1) is set.
	host := ""
	for _, st := range e.cfg.Global.Other {
		if len(st.Args) > 0 && st.Args[0] == "log-send-hostname" {
			host, _ = os.Hostname()
			if len(st.Args) > 1 {
				host = st.Args[1]
			}
		}
	}
	for _, f := range e.front {
		sl, err := newSectionLog(f.cfg, host)
		if err != nil {
			return err
		}
		f.log = sl
		warn := func(expr string, err error) {
			e.opts.Logf("warning", "proxy '%s': %%[%s] in a log format: %v; it logs '-'.", f.name, expr, err)
		}
		if sl != nil {
			sl.samples = compileLogSamples(sl.prog, warn)
		}
		if f.mode == haproxy.ModeHTTP {
			if f.caps, err = newFrontCaptures(f.cfg); err != nil {
				return err
			}
			if f.caps != nil {
				f.caps.uidSamples = compileLogSamples(f.caps.uid, warn)
			}
		}
	}
	for _, b := range e.backends {
		sl, err := newSectionLog(b.cfg, host)
		if err != nil {
			return err
		}
		b.log = sl
	}
	return nil
}

// logStream sends a finished stream's line.
func (sl *sectionLog) logStream(r *plog.Record) {
	if sl == nil {
		return
	}
	sl.logWith(sl.prog, r)
}

// logWith sends r rendered with prog (the log-format or the
// error-log-format).
func (sl *sectionLog) logWith(prog *plog.Program, r *plog.Record) {
	if prog == nil {
		return
	}
	if sl.dontLogNull && r.BytesIn == 0 && r.Status == 0 {
		return
	}
	level, send := r.StreamLogLevel(sl.http, sl.dontLogNormal, sl.separateErrors)
	if !send {
		return
	}
	r.LogCounter = sl.counter.Add(1) - 1
	sl.logger.SendRecord(level, prog, sl.sdProg, r)
}

// logConnect is the "Connect from" line of a frontend without a format.
func (f *frontend) logConnect(src, dst net.Addr) {
	sl := f.log
	if sl == nil || sl.prog != nil {
		return
	}
	r := &plog.Record{Client: addrPortOf(src), Frontend: addrPortOf(dst), FrontendName: f.name}
	f.noteUnixClient(r, dst)
	msg, level := plog.ConnectFrom(nil, r, f.mode == haproxy.ModeHTTP)
	sl.logger.Send(level, msg, nil)
}

// msSince is the time from t0 to t in ms, -1 when t is zero.
func msSince(t0, t time.Time) int64 {
	if t.IsZero() {
		return -1
	}
	return t.Sub(t0).Milliseconds()
}

// logServerState writes a server state change the way haproxy does: on
// stderr (through Options.Logf, as a warning) and to the backend's logs
// at the message's own level.
func (e *Engine) logServerState(b *backend, msg []byte, level int) {
	e.opts.Logf("warning", "%s", msg)
	if b.log != nil {
		b.log.logger.Send(level, msg, nil)
	}
}

// checkInfo converts a check result for the state-change messages.
func checkInfo(code string, httpCode int, info string, ms int64) *plog.CheckInfo {
	return &plog.CheckInfo{Status: plog.CheckStatus(stats.CheckStatusByInfo(code)), Code: httpCode, Info: info, DurationMS: ms}
}

// startRequest notes what the logs and captures of a request just parsed
// need; haproxy's frontend_accept runs per stream, so the "Connect from"
// line of a frontend without a log format comes once per request, none
// for a rejected head (measured with haproxy 2.6.12).
func (s *stream) startRequest() {
	f := s.f
	s.startLog()
	if f.caps != nil {
		s.captureRequest(f.caps)
	}
	if f.log != nil {
		f.logConnect(s.src, s.client.LocalAddr())
	}
}

// parseRequest parses a request head; for a log line it notes when its
// first byte came: the first call sees the first bytes read (or those
// already buffered).
func (s *stream) parseRequest(buf []byte) (bool, error) {
	if s.noteFirst && s.tFirst.IsZero() {
		s.tFirst = time.Now()
	}
	return s.req.Parse(buf)
}

// startLog notes what the log line of a request just parsed needs.
func (s *stream) startLog() {
	s.logged = true
	s.tHead = time.Now()
	s.tQueue, s.tConn, s.tData = time.Time{}, time.Time{}, time.Time{}
	s.retries, s.redisp, s.bsrc = 0, false, netip.AddrPort{}
	buf := s.cbuf[:s.clen]
	line := buf[:s.req.HeadLen]
	for i := 0; i < len(line); i++ {
		if line[i] == '\r' || line[i] == '\n' {
			line = line[:i]
			break
		}
	}
	s.reqLine = append(s.reqLine[:0], line...)
}

// connectTerm is the termination state of a failed connect (§8.5):
// "SC" no server or connection refused, "sQ" queue timeout.
func connectTerm(err error) [2]byte {
	if err == errQueueTimeout {
		return [2]byte{'s', 'Q'}
	}
	return [2]byte{'S', 'C'}
}

// logRequest renders and sends the line of the request just handled.
func (s *stream) logRequest() {
	if s.f.log == nil {
		return // a unique id or captures without logs
	}
	r := &s.rec
	s.fillRecord(r)
	r.UniqueID = s.uniqueID(r, false)
	s.f.log.samples.fill(s, r, &s.logArena, false)
	s.f.log.logStream(r)
}

// fillRecord fills r with what the current request's line can print, as
// of now.
func (s *stream) fillRecord(r *plog.Record) {
	f := s.f
	r.Reset()
	end := time.Now()
	r.Client, r.Frontend = s.clientAddrs()
	f.noteUnixClient(r, s.client.LocalAddr())
	r.AcceptDate = s.tStart
	// Th is 0 without a TLS handshake; Ti runs from the accept (or the
	// end of the previous request) to the request's first byte; Tq
	// (Request) to its complete head (src/mux_h1.c, t_idle).
	r.Handshake, r.Idle = 0, 0
	if !s.tFirst.IsZero() && s.tFirst.After(s.tStart) {
		r.Idle = s.tFirst.Sub(s.tStart).Milliseconds()
	}
	r.Request = msSince(s.tStart, s.tHead)
	r.Queue, r.Connect, r.Data = msSince(s.tStart, s.tQueue), msSince(s.tStart, s.tConn), msSince(s.tStart, s.tData)
	r.Close = end.Sub(s.tStart).Milliseconds()
	r.BackendHTTP = true
	r.Status = s.status
	r.BytesIn = int64(s.bytes[0] - s.flushed[0])
	r.BytesOut = int64(s.bytes[1] - s.flushed[1])
	if s.term[0] != 0 {
		r.TermCause, r.TermPhase = s.term[0], s.term[1]
	} else if s.be == nil || s.sv == nil {
		// answered by the proxy itself (rules, stats page)
		r.TermCause, r.TermPhase = 'P', 'R'
		if s.status < 400 {
			r.TermCause, r.TermPhase = '-', '-'
		}
	}
	if s.be != nil && s.be.cookie != nil {
		r.BackendCookies = true
		r.ClientCookieState, r.ServerCookieState = s.ck, s.sck
	}
	r.ActConn = f.e.process.CurrConns.Load()
	r.FeConn = int64(f.st.FeConn.Load())
	r.FrontendName = f.name
	r.BackendName = f.name
	if s.be != nil {
		r.BackendName = s.be.name
		if s.be.st != nil {
			r.BeConn = int64(s.be.st.BeConn.Load())
		}
	}
	if s.sv != nil {
		r.ServerName = s.sv.name
		r.Server = s.sv.ap
		r.BackendSource = s.bsrc
		if s.sv.st != nil {
			r.SrvConn = int64(s.sv.st.CurSess.Load())
		}
	} else if s.applet != "" {
		r.ServerName = s.applet
	}
	r.Retries = s.retries
	r.Redispatched = s.redisp
	r.RequestLine = s.reqLine
	r.PID = os.Getpid()
	r.RequestCounter = s.reqID
	if fc := f.caps; fc != nil {
		r.RequestCaptures = append(r.RequestCaptures, s.caps.req...)
		r.ResponseCaptures = append(r.ResponseCaptures, s.caps.resp...)
		if s.caps.hasCli {
			r.ClientCookie = s.caps.cli
		}
		if s.caps.hasSrv {
			r.ServerCookie = s.caps.srv
		}
	}
}

// logTCP sends the line of a TCP session when it ends.
func (f *frontend) logTCP(cc *countConn, be *backend, res connectResult, err error, start time.Time, id uint32) {
	r := &plog.Record{}
	r.Reset()
	r.RequestCounter = id
	r.Client, r.Frontend = addrPortOf(cc.RemoteAddr()), addrPortOf(cc.LocalAddr())
	f.noteUnixClient(r, cc.LocalAddr())
	r.AcceptDate = start
	r.Request = 0
	r.Queue = res.queueWait.Milliseconds()
	r.Connect, r.Data = -1, -1
	if err == nil {
		r.Connect = r.Queue + res.connWait.Milliseconds()
		if res.dataTerm != 0 {
			r.TermCause, r.TermPhase = res.dataTerm, 'D'
		}
	} else {
		r.TermCause, r.TermPhase = connectTerm(err)[0], connectTerm(err)[1]
	}
	r.Close = time.Since(start).Milliseconds()
	r.BytesIn, r.BytesOut = int64(cc.in), int64(cc.out)
	r.ActConn = f.e.process.CurrConns.Load()
	r.FeConn = int64(f.st.FeConn.Load())
	r.FrontendName, r.BackendName = f.name, be.name
	if be.st != nil {
		r.BeConn = int64(be.st.BeConn.Load())
	}
	if sv := res.server; sv != nil && err == nil {
		r.ServerName, r.Server = sv.name, sv.ap
		if sv.st != nil {
			r.SrvConn = int64(sv.st.CurSess.Load())
		}
	}
	r.Retries, r.Redispatched = res.retries, res.redispat
	r.PID = os.Getpid()
	f.log.logStream(r)
}

// logBadRequest logs a request the parser rejected, or a connection that
// ended before its first request, as haproxy's sess_log() does: no
// backend (the frontend's name), <NOSRV>, "<BADREQ>", and the parser's
// status and termination state (measured: 400 PR-- for a malformed
// request line, 400 CR-- for a client that closed first).
func (s *stream) logBadRequest(status int, cause, phase byte) {
	f := s.f
	if f.log == nil || f.log.prog == nil && f.log.errProg == nil {
		return
	}
	prog := f.log.errProg
	if prog == nil {
		prog = f.log.prog
	}
	r := &s.rec
	r.Reset()
	r.Client, r.Frontend = s.clientAddrs()
	f.noteUnixClient(r, s.client.LocalAddr())
	r.AcceptDate = s.tStart
	r.Request, r.Queue, r.Connect, r.Data = -1, -1, -1, -1
	r.Close = time.Since(s.tStart).Milliseconds()
	r.BackendHTTP = true
	r.Status = status
	r.TermCause, r.TermPhase = cause, phase
	r.ActConn = f.e.process.CurrConns.Load()
	r.FeConn = int64(f.st.FeConn.Load())
	r.FrontendName, r.BackendName = f.name, f.name
	r.PID = os.Getpid()
	r.RequestCounter = nextStreamID()
	f.log.logWith(prog, r)
}
