package proxy

import (
	"net"

	"goha/parser/haproxy"
	"goha/proxy/check"
	"goha/proxy/http1"
	"goha/stats"
)

// buildStats builds the stats descriptors (package stats) of every
// frontend, backend and listen section, in configuration order, with
// haproxy's ids: a forced "id" is kept, the others take the next free
// number from 1 (proxy uuid and server puid, src/cfgparse.c
// check_config_validity). Defaults sections are not proxies.
func (e *Engine) buildStats() {
	used := map[int]bool{}
	// A "stats" line in global creates haproxy's CLI proxy (GLOBAL)
	// first: it takes uuid 1 (measured with haproxy 2.6.12).
	g := &e.cfg.Global
	if g.CLIFrontend {
		used[1] = true
	}
	feMaxConn := e.frontendMaxConnByBackend()
	for _, px := range e.cfg.Proxies {
		if px.Kind != haproxy.KindDefaults && px.ID > 0 {
			used[px.ID] = true
		}
	}
	next := 0
	for _, px := range e.cfg.Proxies {
		if px.Kind == haproxy.KindDefaults {
			continue
		}
		id := px.ID
		if id == 0 {
			for next++; used[next]; next++ {
			}
			id = next
		}
		sp := &stats.Proxy{Name: px.Name, ID: uint32(id), Mode: stats.ModeTCP}
		if px.Mode == haproxy.ModeHTTP {
			sp.Mode = stats.ModeHTTP
		}
		if px.Kind.IsFrontend() {
			sp.Cap |= stats.CapFE
			sp.MaxConn = uint32(px.MaxConn)
			if sp.MaxConn == 0 {
				sp.MaxConn = uint32(e.limits.MaxConn)
			}
		}
		if px.Disabled {
			sp.State.Store(uint32(stats.ProxyStopped))
		}
		e.stats = append(e.stats, sp)
		e.statsOf[px] = sp
		b := e.backends[px.Name]
		if !px.Kind.IsBackend() {
			continue
		}
		sp.Cap |= stats.CapBE
		sp.FullConn = uint32(px.FullConn)
		if sp.FullConn == 0 {
			// "fullconn" defaults to a tenth of the maxconn of the
			// frontends that may use the backend, rounded up, at least 1
			// (§4.2 "fullconn").
			sp.FullConn = uint32((feMaxConn[px.Name] + 9) / 10)
			if sp.FullConn == 0 {
				sp.FullConn = 1
			}
		}
		sp.Algo = algoName(px.Balance.Algo)
		sp.AllBackups = px.Options.AllBackups
		if px.Cookie != nil {
			sp.CookieName = px.Cookie.Name
		}
		sp.LastChange.Store(stats.Now().Unix)
		if b == nil {
			continue
		}
		b.st = sp
		for i, s := range px.Servers {
			// a server without "id" is numbered by its position
			// (measured: the 2nd server is 2 even when the 1st has id 7)
			sid := s.ID
			if sid == 0 {
				sid = i + 1
			}
			sv := &stats.Server{Name: s.Name, ID: uint32(sid), Addr: statsAddr(s.Address),
				Cookie: s.Cookie, Backup: s.Backup, MaxConn: uint32(s.MaxConn),
				MaxQueue: uint32(s.MaxQueue), MaxIdleConns: -1}
			w := uint32(s.Weight)
			sv.EWeight.Store(w)
			sv.UWeight.Store(w)
			sv.State.Store(uint32(stats.SrvRunning))
			if s.Disabled {
				sv.Admin.Store(stats.AdminMaint)
				sv.State.Store(uint32(stats.SrvStopped))
			}
			sv.LastChange.Store(stats.Now().Unix)
			rise, fall := s.Rise, s.Fall
			if rise == 0 {
				rise = 2
			}
			if fall == 0 {
				fall = 3
			}
			// a checked server starts up on the edge, at rise, until its
			// first check (src/server.c; measured before a first check
			// ends: check_health 2 and "UP 1/3" with rise 2 fall 3)
			health := int32(rise)
			if s.Disabled {
				health = 0
			}
			sv.SetCheck(stats.Check{Enabled: s.Check, Status: initialCheckStatus(s.Check),
				Rise: int32(rise), Fall: int32(fall), Health: health})
			sp.Servers = append(sp.Servers, sv)
			b.servers[i].st = sv
		}
	}
}

// frontendMaxConnByBackend sums, per backend name, the maxconn of the
// frontends that may send it traffic (default_backend, static
// use_backend, a listen section's own backend): haproxy's tot_fe_maxconn.
func (e *Engine) frontendMaxConnByBackend() map[string]int {
	out := map[string]int{}
	for _, px := range e.cfg.Proxies {
		if px.Kind == haproxy.KindDefaults || !px.Kind.IsFrontend() || px.Disabled {
			continue
		}
		mc := px.MaxConn
		if mc == 0 {
			mc = e.limits.MaxConn
		}
		seen := map[string]bool{}
		add := func(name string) {
			if name != "" && !seen[name] {
				seen[name] = true
				out[name] += mc
			}
		}
		if px.Kind == haproxy.KindListen {
			add(px.Name)
		}
		add(px.DefaultBackend)
		for _, u := range px.UseBackends {
			add(u.Backend)
		}
	}
	return out
}

// initialCheckStatus is what haproxy shows before the first check ends:
// "INI" for servers with checks (the stats column prints "* INI" while
// it runs); servers without checks show nothing (status "no check").
func initialCheckStatus(enabled bool) stats.CheckStatus {
	if enabled {
		return stats.ChkIni
	}
	return stats.ChkUnknown
}

// statsAddr is the addr column: "ip:port", "unix" for unix and abns
// servers, empty for sockpair ones (src/stats.c, addr_to_str).
func statsAddr(a haproxy.Address) string {
	switch a.Family {
	case haproxy.FamilyUnix, haproxy.FamilyABNS:
		return "unix"
	case haproxy.FamilySockPair, haproxy.FamilyFD:
		return ""
	}
	port := a.Port
	return net.JoinHostPort(a.Host, itoa(port))
}

func algoName(a haproxy.BalanceAlgo) string {
	switch a {
	case haproxy.BalanceStaticRR:
		return "static-rr"
	case haproxy.BalanceLeastConn:
		return "leastconn"
	case haproxy.BalanceFirst:
		return "first"
	case haproxy.BalanceSource:
		return "source"
	case haproxy.BalanceURI:
		return "uri"
	case haproxy.BalanceURLParam:
		return "url_param"
	case haproxy.BalanceHdr:
		return "hdr"
	case haproxy.BalanceRDPCookie:
		return "rdp-cookie"
	case haproxy.BalanceRandom:
		return "random"
	}
	return "roundrobin"
}

// onCheckStart shows a check in progress as haproxy's stats do while its
// check task runs: "* " before the last status, the check code reset and
// no description yet (src/check.c set_server_check_status with
// HCHK_STATUS_START, tcpcheck_main; measured: "* L7OK" with check_code 0).
func (e *Engine) onCheckStart(t *check.Target) {
	s := e.targets[t]
	if s == nil || s.st == nil {
		return
	}
	c := *s.st.Check()
	c.InProgress = true
	c.Code = 0
	c.Desc = ""
	s.st.SetCheck(c)
}

// checkSnapshot publishes a finished check to the server's stats (the
// check_status, check_code, check_duration and health columns).
func checkSnapshot(sv *stats.Server, ev check.Event) {
	if sv == nil {
		return
	}
	old := sv.Check()
	c := *old
	c.Enabled = true
	c.InProgress = false
	c.Status = stats.CheckStatusByInfo(ev.Result.Status.Code())
	c.Code = int32(ev.Result.Code)
	c.Duration = uint64(ev.Result.DurationMS)
	c.Desc = ev.Result.Info
	c.Health = int32(ev.Health.Value)
	if !ev.Result.Status.Passed() && ev.Changed {
		sv.C.FailedChecks.Add(1)
	}
	sv.SetCheck(c)
}

// countConn counts the bytes a client connection carries (haproxy's
// bytes_in: from the client, bytes_out: to the client). Each field has a
// single writer (the stream's goroutine, or one of pipe's two copiers:
// one reads, the other writes), so plain integers do.
type countConn struct {
	net.Conn
	in, out uint64
}

func (c *countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in += uint64(n)
	return n, err
}

func (c *countConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out += uint64(n)
	return n, err
}

// CloseWrite and CloseRead keep the half-closes of the wrapped TCP
// connection available (pipe, soft stop).
func (c *countConn) CloseWrite() error {
	if hc, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return hc.CloseWrite()
	}
	return c.Conn.Close()
}

func (c *countConn) CloseRead() error {
	if hc, ok := c.Conn.(interface{ CloseRead() error }); ok {
		return hc.CloseRead()
	}
	return nil
}

// flushBytes adds the bytes a connection counted since the last flush
// to the frontend, and to the backend and server that served them (mode
// tcp: haproxy counts the raw bytes).
func flushBytes(cc *countConn, done *[2]uint64, fe *stats.Proxy, be *backend, sv *server) {
	flushCounts([2]uint64{cc.in, cc.out}, done, fe, be, sv)
}

// countDenied counts a request denied by http-request rules (dreq), on
// the frontend and, once routed, on the backend.
func (s *stream) countDenied() {
	s.captureClientCookie() // a denied request's cookie is logged too
	s.f.st.FE.DeniedReq.Add(1)
	if s.be != nil && s.be.st != nil {
		s.be.st.BE.DeniedReq.Add(1)
	}
}

// countResponse counts the status sent to the client by class (hrsp_*).
func (s *stream) countResponse(status int) {
	s.status = status
	s.f.st.FE.AddResponse(status)
	// a listen section keeps one Counters per side: both count. The
	// backend's req_tot goes with its rsp[n]: every stream that ends
	// with a status once a backend is assigned (process_stream), whether
	// a server answered or the proxy did.
	if s.be != nil && s.be.st != nil {
		s.be.st.BE.AddResponse(status)
		s.be.st.BE.CumReq.Add(1)
	}
}

// countAttempt counts what connect did: retries, redispatches, and a
// failed connection (econ) on the backend and its last server.
func (s *stream) countAttempt(be *backend, res connectResult, err error) {
	countAttempt(be, res, err)
}

func countAttempt(be *backend, res connectResult, err error) {
	if be.st == nil {
		return
	}
	if res.retries > 0 {
		be.st.BE.Retries.Add(uint64(res.retries))
		if res.server != nil && res.server.st != nil {
			res.server.st.C.Retries.Add(uint64(res.retries))
		}
	}
	if res.redispat {
		be.st.BE.Redispatches.Add(1)
		if res.server != nil && res.server.st != nil {
			res.server.st.C.Redispatches.Add(1)
		}
	}
	if err == errConnFailed {
		be.st.BE.FailedConns.Add(1)
		if res.server != nil && res.server.st != nil {
			res.server.st.C.FailedConns.Add(1)
		}
	}
}

// countNewConn and countReuse count a new server connection and the
// reuse of an idle one (connect, reuse).
func countNewConn(be *backend, sv *server) {
	be.st.BE.Connect.Add(1)
	sv.st.C.Connect.Add(1)
}

func countReuse(be *backend, sv *server) {
	be.st.BE.Reuse.Add(1)
	sv.st.C.Reuse.Add(1)
}

// countRequestHead counts the request just parsed as haproxy's H1 layer
// hands it to the stream: its head in HTX form and whatever of a
// Content-Length body came with it (measured: a denied POST counts its
// body; the rest of a forwarded body is counted as it is copied).
func (s *stream) countRequestHead() {
	buf := s.cbuf[:s.clen]
	n := s.req.HTXSize(buf)
	if s.req.Body == http1.BodyLength {
		in := int64(s.clen - s.req.HeadLen)
		if in > s.req.ContentLength {
			in = s.req.ContentLength
		}
		n += int(in)
	}
	s.bytes[0] += uint64(n)
}

// countLocalResponse counts a response the proxy produced (error page,
// return, redirect) as haproxy's HTX message holds it: the head as built
// (a bodyless status keeps its content-length there) and the body unless
// the request was HEAD (htx_skip_msg_payload).
func (s *stream) countLocalResponse(r *http1.Response, msg []byte) {
	n := r.BuiltHTXSize(msg)
	if !isHEAD(s.txn.Method) {
		n += len(msg) - r.HeadLen
	}
	s.bytes[1] += uint64(n)
}

// countPage counts an applet's answer (stats page, Prometheus
// exporter) whose head starts out: the head as HTX and body bytes of data
// (measured: no end-of-trailers block once the applet's last chunk is
// out).
func (s *stream) countPage(out []byte, body int) {
	r := s.localResp
	r.Reset()
	if done, err := r.Parse(out); err != nil || !done {
		return
	}
	s.bytes[1] += uint64(r.HTXSize(out) + body)
}

// countingBackend is the backend whose bytes counters get the request's:
// before a backend is chosen haproxy's stream backend is the frontend
// itself, so a listen section's own BACKEND row counts what its rules
// answered (measured: listen-return in the bytes golden).
func (s *stream) countingBackend() *backend {
	if s.be != nil || s.f.cfg.Kind != haproxy.KindListen {
		return s.be
	}
	return s.f.e.backends[s.f.name]
}

// flushCounts adds the bytes counted since the last flush (cur minus
// done) to the frontend, and to the backend and server that served them.
func flushCounts(cur [2]uint64, done *[2]uint64, fe *stats.Proxy, be *backend, sv *server) {
	in, out := cur[0]-done[0], cur[1]-done[1]
	*done = cur
	if in == 0 && out == 0 {
		return
	}
	fe.FE.BytesIn.Add(in)
	fe.FE.BytesOut.Add(out)
	if be != nil && be.st != nil {
		be.st.BE.BytesIn.Add(in)
		be.st.BE.BytesOut.Add(out)
	}
	if sv != nil && sv.st != nil {
		sv.st.C.BytesIn.Add(in)
		sv.st.C.BytesOut.Add(out)
	}
}
