package stats

import (
	"time"

	"goha/internal/clock"
)

// Now reads both clocks a dump or an event needs, with one monotonic
// clock read (the wall clock derived from it: clock.UnixNano).
func Now() Clock { return At(clock.Mono()) }

// At is Now at the monotonic instant m (clock.Mono): the request path
// reads the clock once per event and counts everything of that event at
// that instant.
func At(m int64) Clock {
	return Clock{Unix: clock.UnixNanoAt(m) / int64(time.Second), Ms: msAt(m)}
}

// The functions below are what the engine calls on the request path. Each
// is a handful of atomic adds and compare-and-swaps: no lock, no allocation.

// Accept counts a connection accepted by listener l (nil when the frontend
// has no "option socket-stats") of frontend px.
func (px *Proxy) Accept(l *Listener, now uint32) {
	px.FE.CumConn.Add(1)
	updateMax(&px.FE.CpsMax, px.FeConnRate.Add(now, 1))
	if l != nil {
		l.C.CumConn.Add(1)
		updateMax(&l.C.ConnMax, uint32(l.NbConn.Add(1)))
	}
}

// SessionStart counts a session opened on frontend px (after tcp-request
// connection rules accepted it).
func (px *Proxy) SessionStart(now uint32) {
	px.FE.CumSess.Add(1)
	updateMax(&px.FE.ConnMax, uint32(px.FeConn.Add(1)))
	updateMax(&px.FE.SpsMax, px.FeSessRate.Add(now, 1))
}

// SessionEnd counts the end of a frontend session and of its connection.
func (px *Proxy) SessionEnd(l *Listener) {
	px.FeConn.Add(-1)
	if l != nil {
		l.NbConn.Add(-1)
	}
}

// Request counts an HTTP request parsed by frontend px.
func (px *Proxy) Request(now uint32) {
	px.FE.CumReq.Add(1)
	updateMax(&px.FE.RpsMax, px.FeReqRate.Add(now, 1))
}

// BackendStart counts a stream entering backend px and, once a server is
// chosen, that server; lb says the load-balancing algorithm picked it
// (lbtot), as opposed to persistence or "use-server".
func (px *Proxy) BackendStart(sv *Server, clk Clock, lb bool) {
	px.BE.CumConn.Add(1)
	updateMax(&px.BE.ConnMax, uint32(px.BeConn.Add(1)))
	updateMax(&px.BE.SpsMax, px.BeSessRate.Add(clk.Ms, 1))
	px.BE.LastSess.Store(clk.Unix)
	if lb {
		px.BE.CumLbConn.Add(1)
	}
	if sv != nil {
		sv.C.CumSess.Add(1)
		updateMax(&sv.C.ConnMax, uint32(sv.CurSess.Add(1)))
		updateMax(&sv.C.SpsMax, sv.SessRate.Add(clk.Ms, 1))
		sv.C.LastSess.Store(clk.Unix)
		if lb {
			sv.C.CumLbConn.Add(1)
		}
	}
}

// BackendEnd counts a stream leaving backend px (and server sv).
func (px *Proxy) BackendEnd(sv *Server) {
	px.BeConn.Add(-1)
	if sv != nil {
		sv.CurSess.Add(-1)
	}
}

// Enqueue and Dequeue track a backend's (sv == nil) or a server's queue.
func (px *Proxy) Enqueue(sv *Server) {
	if sv != nil {
		updateMax(&sv.C.NbPendMax, uint32(sv.Queue.Add(1)))
		return
	}
	updateMax(&px.BE.NbPendMax, uint32(px.Queue.Add(1)))
}

// Dequeue is the counterpart of Enqueue.
func (px *Proxy) Dequeue(sv *Server) {
	if sv != nil {
		sv.Queue.Add(-1)
		return
	}
	px.Queue.Add(-1)
}

// ClearCounters is the CLI's "clear counters" (all=false: only maxima) and
// "clear counters all" over every proxy, listener and server. The module
// counters (ssl, h2, h1) are "clearable" in haproxy and reset in both cases
// (verified against haproxy 2.6.12, testdata/golden/clear_counters*.csv).
// The process-wide maxima of show info are the caller's to reset.
func ClearCounters(proxies []*Proxy, all bool) {
	clear := func(c *Counters) {
		if all {
			c.ClearAll()
		} else {
			c.ClearMax()
		}
	}
	for _, px := range proxies {
		clear(&px.FE)
		clear(&px.BE)
		px.FEMod.Clear()
		px.BEMod.Clear()
		for _, sv := range px.Servers {
			clear(&sv.C)
			sv.Mod.Clear()
		}
		for _, l := range px.Listeners {
			// haproxy only resets conn_max on listeners without "all"
			if all {
				l.C.ClearAll()
			} else {
				l.C.ConnMax.Store(0)
			}
			l.Mod.Clear()
		}
	}
}

// The counting points of haproxy 2.6, for engines that follow them one by
// one (BackendStart does all at once):
//
//   - BackendAssign when a stream is given to backend px (stream_set_backend:
//     stot, scur, session rate), whether or not a server is ever reached —
//     a request denied or answered by the backend's rules counts too;
//   - ServerAttempt for each connection attempt to server sv, retries
//     included (stot, session rate, last session), with lb when the
//     balancer picked it (lbtot on the server and the backend);
//   - ServerStart/ServerEnd while the stream holds sv (scur).

// BackendAssign counts a stream entering backend px.
func (px *Proxy) BackendAssign(clk Clock) {
	px.BE.CumConn.Add(1)
	updateMax(&px.BE.ConnMax, uint32(px.BeConn.Add(1)))
	updateMax(&px.BE.SpsMax, px.BeSessRate.Add(clk.Ms, 1))
	px.BE.LastSess.Store(clk.Unix)
}

// BackendLeave counts a stream leaving backend px (BackendAssign's end).
func (px *Proxy) BackendLeave() { px.BeConn.Add(-1) }

// ServerAttempt counts one connection attempt of a stream of backend px on
// sv.
func (px *Proxy) ServerAttempt(sv *Server, clk Clock, lb bool) {
	sv.C.CumSess.Add(1)
	updateMax(&sv.C.SpsMax, sv.SessRate.Add(clk.Ms, 1))
	sv.C.LastSess.Store(clk.Unix)
	if lb {
		sv.C.CumLbConn.Add(1)
		px.BE.CumLbConn.Add(1)
	}
}

// ServerStart and ServerEnd bracket the time a stream holds sv.
func (sv *Server) ServerStart() { updateMax(&sv.C.ConnMax, uint32(sv.CurSess.Add(1))) }

// ServerEnd is ServerStart's end.
func (sv *Server) ServerEnd() { sv.CurSess.Add(-1) }
