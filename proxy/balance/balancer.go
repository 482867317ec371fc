// Package balance implements haproxy 2.6's load-balancing algorithms as pure
// code: a Balancer holds a backend's servers and their load-balancing state
// and answers Pick; the engine reports state changes (up/down, weight,
// connections taken and released). No sockets, goroutines or configuration
// text live here.
//
// Every algorithm reproduces the exact order of picks haproxy 2.6 makes
// (configuration.txt §4.2 "balance", "hash-type"); testdata/golden holds
// sequences recorded from the real binary that the tests replay.
//
// A Balancer is not safe for concurrent use; the engine serialises calls per
// backend (haproxy holds the backend's lbprm lock for the same operations).
package balance

import (
	"errors"
	"fmt"
	"time"
)

// Algorithm is the "balance" keyword's algorithm.
type Algorithm int

const (
	RoundRobin Algorithm = iota // dynamic weighted round robin (FWRR)
	StaticRR                    // static-rr: smooth weighted map walk
	LeastConn                   // fewest in-flight requests per weight
	First                       // lowest id with a free maxconn slot
	Source                      // client address hash
	URI                         // request target hash
	URLParam                    // query (or POST body) parameter hash
	Header                      // hdr(<name>) value hash
	RDPCookie                   // RDP "Cookie: mstshash=" value hash
	Random                      // random(<draws>) on the consistent tree
)

var algoNames = [...]string{"roundrobin", "static-rr", "leastconn", "first", "source", "uri", "url_param", "hdr", "rdp-cookie", "random"}

func (a Algorithm) String() string {
	if a >= 0 && int(a) < len(algoNames) {
		return algoNames[a]
	}
	return fmt.Sprintf("Algorithm(%d)", int(a))
}

// IsHash reports whether the algorithm hashes a request key.
func (a Algorithm) IsHash() bool { return a >= Source && a <= RDPCookie }

// HashType is "hash-type map-based" or "hash-type consistent".
type HashType int

const (
	MapBased HashType = iota
	Consistent
)

// Options are a backend's balancing settings, already resolved from the
// configuration (defaults applied by the parser).
type Options struct {
	Algorithm Algorithm

	// "balance uri [len N] [depth N] [whole] [path-only]".
	URILen, URIDepth      int
	URIWhole, URIPathOnly bool

	// Param is the url_param name, the hdr() header name or the rdp-cookie
	// name (empty rdp-cookie name = "mstshash", as haproxy defaults it).
	Param string
	// CheckPost is url_param's "check_post".
	CheckPost bool
	// UseDomainOnly is hdr()'s "use_domain_only".
	UseDomainOnly bool

	// Draws is random(<draws>); 0 means haproxy's default of 2.
	Draws int

	HashType  HashType
	HashFunc  HashFunc
	Avalanche bool

	// AllBackups is "option allbackups": all usable backups share the load
	// when no active server is left, instead of only the first one.
	AllBackups bool
	// HashBalanceFactor is "hash-balance-factor" (0 or > 100), the bounded
	// load limit for consistent hashing and random.
	HashBalanceFactor int
	// FullConn is the backend's "fullconn", used with server minconn to
	// scale dynamic maxconn; 0 disables the scaling.
	FullConn int
	// Seed replaces the xorshift state random starts from (0 = haproxy's
	// initial state for its first thread, so a fresh process picks the same
	// sequence).
	Seed uint32
}

// ServerConfig describes one "server" line, in declaration order.
type ServerConfig struct {
	Name string
	// ID is the server's "id" (puid); 0 assigns the first free id counting
	// from the server's position, as haproxy does.
	ID int
	// Weight is the user weight 0..256 (haproxy's default is 1; the parser
	// resolves it, 0 here really means 0).
	Weight int
	Backup bool
	// Disabled starts the server in maintenance ("disabled" keyword).
	Disabled bool
	// Down starts the server operationally down (e.g. "init-state down").
	Down                       bool
	MaxConn, MinConn, MaxQueue int
	// Slowstart is the "slowstart" warm-up after the server comes back;
	// haproxy keeps it in whole seconds, rounded up.
	Slowstart time.Duration
}

// Limits shared with the rest of haproxy (include/haproxy/server-t.h,
// backend-t.h).
const (
	MaxWeight   = 256                     // SRV_UWGHT_MAX
	weightScale = 16                      // BE_WEIGHT_SCALE
	ewghtMax    = MaxWeight * weightScale // SRV_EWGHT_MAX and SRV_EWGHT_RANGE
)

type lookupKind int

const (
	lkRR  lookupKind = iota // fwrr groups
	lkMap                   // static map
	lkLC                    // leastconn tree
	lkFAS                   // first-available tree
	lkCH                    // consistent hash tree
)

// Balancer is one backend's load-balancing state.
type Balancer struct {
	opts      Options
	kind      lookupKind
	hfunc     HashFunc
	avalanche bool
	dynamic   bool // BE_LB_PROP_DYN: weights may change at run time
	servers   []*Server

	srvAct, srvBck   int
	totWact, totWbck int
	totWeight        int
	totUsed          int
	fbck             *Server
	wmult, wdiv      int
	beconn           int
	served           int

	act, bck   fwrrGroup // roundrobin
	tAct, tBck srvTree   // leastconn, first

	mapSrv []*Server // static-rr and map-based hashing
	rrIdx  int

	chAct, chBck chTree // consistent hashing and random
	chLast       chRef

	prng uint32
}

// ErrStaticWeight is returned when a static algorithm is asked for a weight
// other than 0 or the initial one (server.c, "set weight").
var ErrStaticWeight = errors.New("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.")

// New builds the balancer for servers (declaration order) with opts, in the
// state haproxy has after parsing: every server up unless Disabled or Down.
func New(opts Options, servers []ServerConfig) (*Balancer, error) {
	if opts.Algorithm < RoundRobin || opts.Algorithm > Random {
		return nil, fmt.Errorf("balance: unknown algorithm %d", opts.Algorithm)
	}
	if opts.HashBalanceFactor != 0 && opts.HashBalanceFactor <= 100 {
		return nil, errors.New("balance: 'hash-balance-factor' must be 0 or greater than 100")
	}
	b := &Balancer{opts: opts, wmult: 1, wdiv: 1, prng: opts.Seed}
	if b.prng == 0 {
		b.prng = 2463534242 // statistical_prng_state's initial value
	}
	if b.opts.Draws <= 0 {
		b.opts.Draws = 2
	}
	if opts.Algorithm == RDPCookie && b.opts.Param == "" {
		b.opts.Param = "mstshash"
	}
	b.hfunc = opts.HashFunc
	b.avalanche = opts.Avalanche
	if opts.HashType == Consistent && opts.HashFunc == HashDefault {
		b.avalanche = true
	}
	if err := b.addServers(servers); err != nil {
		return nil, err
	}
	switch {
	case opts.Algorithm == RoundRobin:
		b.kind, b.dynamic = lkRR, true
		b.initFWRR()
	case opts.Algorithm == StaticRR:
		b.kind = lkMap
		b.initMap()
	case opts.Algorithm == LeastConn:
		b.kind, b.dynamic = lkLC, true
		b.initTree()
	case opts.Algorithm == First:
		b.kind, b.dynamic = lkFAS, true
		b.initTree()
	case opts.Algorithm == Random || opts.HashType == Consistent:
		b.kind, b.dynamic = lkCH, true
		b.initCHash()
	default:
		b.kind = lkMap
		b.initMap()
	}
	return b, nil
}

func (b *Balancer) addServers(cfgs []ServerConfig) error {
	used := map[int]bool{}
	names := map[string]bool{}
	for _, c := range cfgs {
		if c.Weight < 0 || c.Weight > MaxWeight {
			return fmt.Errorf("balance: server %s: weight %d out of range 0..%d", c.Name, c.Weight, MaxWeight)
		}
		if names[c.Name] {
			return fmt.Errorf("balance: duplicate server name %q", c.Name)
		}
		names[c.Name] = true
		if c.ID != 0 {
			if c.ID < 0 || used[c.ID] {
				return fmt.Errorf("balance: server %s: id %d invalid or already used", c.Name, c.ID)
			}
			used[c.ID] = true
		}
	}
	next := 1
	for i, c := range cfgs {
		s := &Server{name: c.Name, index: i, puid: c.ID, uweight: c.Weight, iweight: c.Weight,
			backup: c.Backup, maxconn: c.MaxConn, minconn: c.MinConn, maxqueue: c.MaxQueue,
			nextState: stRunning, slowSec: int((c.Slowstart + time.Second - 1) / time.Second)}
		if s.puid == 0 {
			// cfgparse.c: first spare id starting at the running counter.
			for used[next] {
				next++
			}
			s.puid = next
			used[next] = true
		}
		next++
		// cfgparse.c normalises minconn/maxconn this way.
		if s.minconn > s.maxconn {
			s.maxconn = s.minconn
		} else if s.maxconn != 0 && s.minconn == 0 {
			s.minconn = s.maxconn
		}
		if c.Disabled {
			s.nextAdmin |= admMaint
		}
		if c.Down {
			s.nextState = stStopped
		}
		b.servers = append(b.servers, s)
	}
	return nil
}

// Algorithm returns the configured algorithm.
func (b *Balancer) Algorithm() Algorithm { return b.opts.Algorithm }

// Options returns the options the balancer was built with.
func (b *Balancer) Options() Options { return b.opts }

// Servers returns the servers in declaration order.
func (b *Balancer) Servers() []*Server { return b.servers }

// Server returns the server named name, or nil.
func (b *Balancer) Server(name string) *Server {
	for _, s := range b.servers {
		if s.name == name {
			return s
		}
	}
	return nil
}

// Usable reports whether any server can take traffic (haproxy's
// tot_weight != 0). When Pick returns nil and Usable is true, every server
// is saturated and the request belongs in the backend queue; otherwise the
// answer is 503.
func (b *Balancer) Usable() bool { return b.totWeight != 0 }

// ActiveServers and BackupServers count the usable servers of each kind,
// as the "N active and M backup servers left" log text needs.
func (b *Balancer) ActiveServers() int { return b.srvAct }
func (b *Balancer) BackupServers() int { return b.srvBck }

// TotalWeight is the backend's current total effective weight in user
// weight units, as the stats "weight" column shows it.
func (b *Balancer) TotalWeight() int {
	return (b.totWeight*b.wmult + b.wdiv - 1) / b.wdiv
}

// SetBackendConnections tells the balancer the backend's current number of
// connections (beconn), which scales dynamic maxconn with FullConn.
func (b *Balancer) SetBackendConnections(n int) { b.beconn = n }

// recount recomputes the usable counts and total weights from the
// servers' next state (backend.c recount_servers).
func (b *Balancer) recount() {
	b.srvAct, b.srvBck, b.totWact, b.totWbck, b.fbck = 0, 0, 0, 0, nil
	for _, s := range b.servers {
		if !s.willBeUsable() {
			continue
		}
		if s.backup {
			if b.srvBck == 0 && !b.opts.AllBackups {
				b.fbck = s
			}
			b.srvBck++
			s.cumWeight = b.totWbck
			b.totWbck += s.nextEW
		} else {
			b.srvAct++
			s.cumWeight = b.totWact
			b.totWact += s.nextEW
		}
	}
}

// updateTotals derives the weight and server count lookups use: active
// servers if any, else the first backup alone, else all backups
// (backend.c update_backend_weight).
func (b *Balancer) updateTotals() {
	switch {
	case b.srvAct > 0:
		b.totWeight, b.totUsed = b.totWact, b.srvAct
	case b.fbck != nil:
		b.totWeight, b.totUsed = b.fbck.nextEW, 1
	default:
		b.totWeight, b.totUsed = b.totWbck, b.srvBck
	}
}

// initWeights computes every server's effective weight and commits the
// initial state.
func (b *Balancer) initWeights() {
	for _, s := range b.servers {
		s.nextEW = (s.uweight*b.wdiv + b.wmult - 1) / b.wmult
		s.commit()
	}
	b.recount()
	b.updateTotals()
}

// accountDown removes a server that was usable from the backend totals and
// elects a new first backup if it was the one (common part of the
// *_set_server_status_down functions).
func (b *Balancer) accountDown(s *Server) {
	if s.backup {
		b.totWbck -= s.curEW
		b.srvBck--
		if s == b.fbck {
			b.fbck = b.nextBackupAfter(s)
		}
	} else {
		b.totWact -= s.curEW
		b.srvAct--
	}
}

func (b *Balancer) nextBackupAfter(s *Server) *Server {
	for _, x := range b.servers[s.index+1:] {
		if x.backup && x.willBeUsable() {
			return x
		}
	}
	return nil
}

// accountUp adds a server that becomes usable; a backup declared before the
// current first backup takes its place.
func (b *Balancer) accountUp(s *Server) {
	if s.backup {
		b.totWbck += s.nextEW
		b.srvBck++
		if !b.opts.AllBackups {
			if b.fbck == nil || s.index < b.fbck.index {
				b.fbck = s
			}
		}
	} else {
		b.totWact += s.nextEW
		b.srvAct++
	}
}
