package balance

import "time"

type srvState uint8

const (
	stStopped  srvState = iota // down
	stStarting                 // up, in slowstart
	stRunning                  // up
)

type admin uint8

const (
	admMaint admin = 1 << iota // maintenance ("disabled", "disable server")
	admDrain                   // drain: no new traffic
)

// Server is one server's load-balancing state. The engine reads it and
// changes it only through Balancer methods.
type Server struct {
	name     string
	index    int // declaration position
	puid     int
	uweight  int // current user weight
	iweight  int // initial user weight
	backup   bool
	maxconn  int
	minconn  int
	maxqueue int

	// haproxy commits "next" values to "cur" once the lb structures have
	// been updated; the lb code compares both to know what changed.
	curState, nextState srvState
	curAdmin, nextAdmin admin
	curEW, nextEW       int

	served int // connections being served
	queued int // requests waiting in this server's queue

	// slowstart, in whole seconds as haproxy counts them
	warmSec, slowSec int

	tree      *srvTree // lb_tree
	key       uint32
	npos      int // fwrr: next position
	lpos      int // fwrr: last position
	rweight   int // fwrr: remainder of weight divisions
	nextFull  *Server
	wscore    int // map fill score
	cumWeight int

	chKeys []uint32 // consistent hash points (lb_nodes keys)
	chNow  int      // points currently in the tree
}

func (s *Server) Name() string { return s.name }

// Index is the declaration position, from 0.
func (s *Server) Index() int { return s.index }

// ID is the server's numeric id (puid).
func (s *Server) ID() int { return s.puid }

func (s *Server) Backup() bool { return s.backup }

// Weight is the current user weight; InitialWeight the configured one.
func (s *Server) Weight() int        { return s.uweight }
func (s *Server) InitialWeight() int { return s.iweight }

// EffectiveWeight is the weight the algorithms use (user weight scaled by
// 16 for dynamic algorithms, divided by the weights' GCD for static ones,
// reduced during slowstart).
func (s *Server) EffectiveWeight() int { return s.curEW }

func (s *Server) Served() int { return s.served }
func (s *Server) Queued() int { return s.queued }

// Usable reports whether the server can be picked now.
func (s *Server) Usable() bool { return s.currentlyUsable() }

// Maintenance reports the admin maintenance flag.
func (s *Server) Maintenance() bool { return s.curAdmin&admMaint != 0 }

func usable(ew int, st srvState, adm admin) bool {
	return ew != 0 && adm&(admMaint|admDrain) == 0 && st != stStopped
}

func (s *Server) currentlyUsable() bool { return usable(s.curEW, s.curState, s.curAdmin) }
func (s *Server) willBeUsable() bool    { return usable(s.nextEW, s.nextState, s.nextAdmin) }

func (s *Server) changed() bool {
	return s.nextState != s.curState || s.nextAdmin != s.curAdmin || s.nextEW != s.curEW
}

func (s *Server) commit() {
	s.curState, s.curAdmin, s.curEW = s.nextState, s.nextAdmin, s.nextEW
}

// hasRoom is the saturation test of roundrobin, static-rr, first and the
// consistent-hash walk: no maxconn, or nobody queued and a free slot.
func (b *Balancer) hasRoom(s *Server) bool {
	return s.maxconn == 0 || (s.queued == 0 && s.served < b.dynMaxconn(s))
}

// dynMaxconn is the server's current connection limit (queue.c
// srv_dynamic_maxconn): minconn..maxconn scaled by the backend's load
// against fullconn, and ramped up during slowstart.
func (b *Balancer) dynMaxconn(s *Server) int {
	var max int
	switch {
	case b.opts.FullConn == 0 || b.beconn >= b.opts.FullConn:
		max = s.maxconn
	case s.minconn == s.maxconn:
		max = s.maxconn
	default:
		max = b.beconn * s.maxconn / b.opts.FullConn
		if max < s.minconn {
			max = s.minconn
		}
	}
	if s.curState == stStarting && s.warmSec < s.slowSec {
		max = max * (100 * s.warmSec / s.slowSec) / 100
		if max < 1 {
			max = 1
		}
	}
	return max
}

// MaxConn returns the server's current dynamic connection limit (0 = none).
func (b *Balancer) MaxConn(s *Server) int {
	if s.maxconn == 0 {
		return 0
	}
	return b.dynMaxconn(s)
}

// recalcEweight derives the next effective weight from the user weight and
// the slowstart progress (server.c server_recalc_eweight).
func (b *Balancer) recalcEweight(s *Server) {
	if s.nextState == stStarting && s.warmSec >= s.slowSec {
		s.nextState = stRunning
	}
	w := b.wdiv
	if s.nextState == stStarting && b.dynamic {
		w = (b.wdiv*s.warmSec + s.slowSec) / s.slowSec
	}
	s.nextEW = (s.uweight*w + b.wmult - 1) / b.wmult
}

// propagate hands a server's pending change to the algorithm (server.c
// srv_update_status: update_server_eweight when the algorithm has one,
// otherwise status up/down).
func (b *Balancer) propagate(s *Server) {
	switch b.kind {
	case lkRR:
		b.fwrrUpdateWeight(s)
	case lkLC, lkFAS:
		b.treeUpdateWeight(s)
	case lkCH:
		b.chashUpdateWeight(s)
	case lkMap:
		b.mapUpdate(s)
	}
}

// SetUp marks s operationally up (its health check passed). A server with
// a slowstart period comes back starting, at the smallest weight, and
// grows with Warmup. Like haproxy (server.c srv_set_running), a server in
// maintenance keeps its state until maintenance ends.
func (b *Balancer) SetUp(s *Server) {
	if s.curAdmin&admMaint != 0 || s.nextState != stStopped {
		return
	}
	b.comeBack(s)
}

// comeBack enters starting (slowstart) or running, measured from now.
func (b *Balancer) comeBack(s *Server) {
	s.nextState = stRunning
	s.warmSec = 0
	if s.slowSec > 0 {
		s.nextState = stStarting
	}
	b.recalcEweight(s)
	b.propagate(s)
}

// SetDown marks s operationally down (its health check failed); ignored
// during maintenance as in server.c srv_set_stopped.
func (b *Balancer) SetDown(s *Server) {
	if s.curAdmin&admMaint != 0 || s.nextState == stStopped {
		return
	}
	s.nextState = stStopped
	b.recalcEweight(s)
	b.propagate(s)
}

// SetMaintenance sets or clears maintenance ("disable server" / "enable
// server", the "disabled" keyword). Leaving maintenance brings the server
// straight back up (through slowstart if it has one), as haproxy does for
// a server whose checks are disabled or passing: checks restart from
// "rise" (server.c srv_update_status).
func (b *Balancer) SetMaintenance(s *Server, on bool) {
	if on {
		s.nextAdmin |= admMaint
		b.recalcEweight(s)
		b.propagate(s)
		return
	}
	if s.nextAdmin&admMaint == 0 {
		return
	}
	s.nextAdmin &^= admMaint
	b.comeBack(s)
}

// SetDrain sets or clears drain mode: the server keeps its connections but
// gets no new ones.
func (b *Balancer) SetDrain(s *Server, on bool) {
	if on {
		s.nextAdmin |= admDrain
	} else {
		s.nextAdmin &^= admDrain
	}
	b.recalcEweight(s)
	b.propagate(s)
}

// SetWeight applies the runtime "set weight" with an absolute user weight
// 0..256. Static algorithms (static-rr, map-based hashing) only accept 0 and
// the initial weight.
func (b *Balancer) SetWeight(s *Server, w int) error {
	if w < 0 || w > MaxWeight {
		return errorString("Absolute weight can only be between 0 and 256 inclusive.")
	}
	if w != 0 && w != s.iweight && !b.dynamic {
		return ErrStaticWeight
	}
	s.uweight = w
	b.recalcEweight(s)
	b.propagate(s)
	return nil
}

// Warmup advances a starting server to elapsed time since it came up: its
// effective weight (dynamic algorithms only) and its maxconn grow linearly
// in whole seconds, and it is fully up once its slowstart period is over.
// haproxy re-evaluates every max(1s, slowstart/20) (server.c
// server_warmup); the engine should call Warmup on the same schedule.
func (b *Balancer) Warmup(s *Server, elapsed time.Duration) {
	if s.curAdmin&admMaint != 0 {
		return
	}
	if s.nextState != stStarting {
		return
	}
	s.warmSec = int(elapsed / time.Second)
	b.recalcEweight(s)
	b.propagate(s)
}

// SetWeightPercent applies "set weight <pct>%": a share of the initial
// weight, capped at 256 (server.c server_parse_weight_change_request).
func (b *Balancer) SetWeightPercent(s *Server, pct int) error {
	if pct < 0 {
		return errorString("Relative weight must be positive.")
	}
	return b.SetWeight(s, min(s.iweight*min(pct, 25600)/100, MaxWeight))
}

// StatsWeight is the weight the stats page and "show stat" report for s:
// its effective weight back in user units.
func (b *Balancer) StatsWeight(s *Server) int {
	return (s.curEW*b.wmult + b.wdiv - 1) / b.wdiv
}

// Starting reports whether s is in its slowstart ramp.
func (s *Server) Starting() bool { return s.curState == stStarting }

// WarmupInterval is how often haproxy re-evaluates a starting server.
func (s *Server) WarmupInterval() time.Duration {
	return max(time.Second, time.Duration(s.slowSec)*time.Second/20)
}

// TakeConn records that s starts serving a connection (haproxy's served++
// and server_take_conn); leastconn and first reorder on it.
func (b *Balancer) TakeConn(s *Server) {
	s.served++
	b.served++
	b.reposition(s)
}

// DropConn records that s finished serving a connection.
func (b *Balancer) DropConn(s *Server) {
	if s.served > 0 {
		s.served--
		b.served--
	}
	b.reposition(s)
}

// Enqueue and Dequeue track requests waiting in s's own queue: a server
// with a queue counts as saturated, and leastconn counts queued requests
// as in flight the next time it re-sorts s. As in haproxy (queue.c), the
// queue itself does not re-sort; a dequeued request that starts being
// served is reported with TakeConn.
func (b *Balancer) Enqueue(s *Server) { s.queued++ }

func (b *Balancer) Dequeue(s *Server) {
	if s.queued > 0 {
		s.queued--
	}
}

func (b *Balancer) reposition(s *Server) {
	switch b.kind {
	case lkLC:
		b.fwlcReposition(s)
	case lkFAS:
		b.fasReposition(s)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// Running reports whether the server is up and not in maintenance, even
// when drained or at weight 0: a persistence cookie may still lead to it
// (haproxy tests cur_state != SRV_ST_STOPPED).
func (s *Server) Running() bool { return s.curState != stStopped && s.curAdmin&admMaint == 0 }
