package proxy

import (
	"fmt"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"

	"goha/parser/haproxy"
)

// Limits are the process-wide connection and descriptor limits haproxy
// 2.6 shows in "show info" (Ulimit-n, Maxsock, Maxconn, Hard_maxconn,
// Maxpipes) and applies: without "maxconn" in global it derives one
// from the file-descriptor limit (src/haproxy.c, compute_ideal_maxconn
// and compute_ideal_maxsock, v2.6.0).
type Limits struct {
	MaxConn  int // global maxconn, configured (or -n) or derived
	MaxSock  int // descriptors the process may need
	MaxPipes int // splice pipes (0: no splicing configured)
	UlimitN  int // RLIMIT_NOFILE haproxy sets: "ulimit-n" or MaxSock
	NbThread int // threads counted in the estimate
}

// defaultMaxConn is haproxy's DEFAULT_MAXCONN: the floor of a derived
// maxconn on tight descriptor limits.
const defaultMaxConn = 100

// DeriveLimits computes cfg's limits the way haproxy 2.6 does at start-up
// for a process whose RLIMIT_NOFILE was fdCur/fdMax at boot.
func DeriveLimits(cfg *haproxy.Config, fdCur, fdMax uint64) Limits {
	g := &cfg.Global
	l := Limits{MaxConn: g.MaxConn, NbThread: g.NbThread}
	if l.NbThread == 0 {
		// haproxy starts one thread per CPU it may run on (at most 64).
		l.NbThread = min(runtime.NumCPU(), 64)
	}
	fdHardLimit := globalInt(g, "fd-hard-limit")
	sock := baseSockets(cfg)
	if l.MaxConn == 0 {
		l.MaxConn = idealMaxConn(cfg, sock, l.NbThread, int(min(max(fdCur, fdMax), 1<<31-1)), fdHardLimit)
	}
	l.MaxPipes = globalInt(g, "maxpipes")
	if l.MaxPipes == 0 {
		l.MaxPipes = max(idealMaxPipes(cfg, l.MaxConn), 0)
	}
	// compute_ideal_maxsock: two descriptors per connection and per pipe,
	// one poller and one wake-up pipe per thread.
	l.MaxSock = sock + 2*l.MaxConn + 2*l.MaxPipes + 3*l.NbThread
	l.UlimitN = globalInt(g, "ulimit-n")
	if l.UlimitN == 0 {
		l.UlimitN = l.MaxSock
	}
	if fdHardLimit > 0 && l.UlimitN > fdHardLimit {
		// haproxy refuses to set it and falls back to the boot maximum
		// (ApplyFDLimit).
		l.UlimitN = int(min(fdMax, 1<<31-1))
	}
	return l
}

// FDLimits reads the process's RLIMIT_NOFILE (current, maximum); an
// infinite maximum reads as the current value, as haproxy does.
func FDLimits() (cur, max uint64) {
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) != nil {
		return 0, 0
	}
	if rl.Max == unix.RLIM_INFINITY {
		rl.Max = rl.Cur
	}
	return rl.Cur, rl.Max
}

// baseSockets is haproxy's global.maxsock before maxconn is known: 10
// reserved descriptors, one per listening socket (stats sockets
// included), one per server health check, agent check, "port" and
// "agent-port" keyword (haproxy counts each where it parses it), and the
// CLI frontend's maxconn.
func baseSockets(cfg *haproxy.Config) int {
	n := 10
	g := &cfg.Global
	for _, s := range g.StatsSockets {
		n += listeners(s.Address)
	}
	if g.CLIFrontend {
		if g.StatsMaxConn > 0 {
			n += g.StatsMaxConn
		} else {
			n += 10 // the CLI frontend's default maxconn
		}
	}
	for _, px := range cfg.Proxies {
		if px.Kind == haproxy.KindDefaults {
			continue
		}
		for _, b := range px.Binds {
			for _, a := range b.Addresses {
				n += listeners(a)
			}
		}
		if !px.Kind.IsBackend() {
			continue
		}
		inherited := len(px.DefaultServer.Options)
		for _, s := range px.Servers {
			if s.Check {
				n++
			}
			if s.AgentCheck {
				n++
			}
			own := s.Options
			if inherited <= len(own) {
				own = own[inherited:]
			}
			for _, o := range own {
				if o == "port" || o == "agent-port" {
					n++
				}
			}
		}
	}
	return n
}

// listeners is how many sockets one bind address opens (a port range
// opens one per port).
func listeners(a haproxy.Address) int {
	if a.PortEnd > a.Port {
		return a.PortEnd - a.Port + 1
	}
	return 1
}

// idealMaxConn is compute_ideal_maxconn without SSL engines: the
// descriptors left after listeners, checks, pollers and pipes, two per
// connection (2.5 when splicing is unbounded), at least 100.
func idealMaxConn(cfg *haproxy.Config, sock, threads, fdLimit, fdHardLimit int) int {
	remain := fdLimit
	if fdHardLimit > 0 && remain > fdHardLimit {
		remain = fdHardLimit
	}
	remain -= sock + 3*threads
	pipes := idealMaxPipes(cfg, 0)
	if pipes >= 0 && pipes*2 < remain {
		remain -= pipes * 2
	}
	var maxconn int
	if pipes < 0 {
		maxconn = 2 * remain / 5
	} else {
		maxconn = remain / 2
	}
	return max(maxconn, defaultMaxConn)
}

// idealMaxPipes is compute_ideal_maxpipes: a quarter of the connections
// of the proxies that splice; -1 when one of them is unbounded and no
// global maxconn bounds it (gmaxconn 0: not known yet).
func idealMaxPipes(cfg *haproxy.Config, gmaxconn int) int {
	fe, be, unlimited := 0, 0, false
	for _, px := range cfg.Proxies {
		if px.Kind == haproxy.KindDefaults || !splices(px) {
			continue
		}
		if px.Kind.IsFrontend() {
			fe += px.MaxConn
			if px.MaxConn == 0 {
				unlimited = true
				break
			}
		}
		if px.Kind.IsBackend() {
			m := px.FullConn
			if m == 0 {
				m = gmaxconn
			}
			be += m
			if m == 0 {
				unlimited = true
				break
			}
		}
	}
	pipes := max(fe, be)
	if gmaxconn > 0 {
		if pipes > gmaxconn || unlimited {
			pipes = gmaxconn
		}
	} else if unlimited {
		pipes = -1
	}
	if pipes >= 4 {
		return pipes / 4
	}
	return pipes
}

// splices: one of the "option splice-*" is set on px.
func splices(px *haproxy.Proxy) bool {
	s := px.Options.Set
	return s["splice-auto"] || s["splice-request"] || s["splice-response"]
}

// globalInt reads a numeric global keyword kept among the statements
// the parser does not model (0 when absent or not a number).
func globalInt(g *haproxy.Global, kw string) int {
	for _, st := range g.Other {
		if len(st.Args) > 1 && st.Args[0] == kw {
			if n, err := strconv.Atoi(st.Args[1]); err == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}

// LimitMessage is what ApplyFDLimit reports: an alert or a warning.
type LimitMessage struct {
	Alert bool
	Text  string
}

// ApplyFDLimit sets RLIMIT_NOFILE to "ulimit-n" or the estimated maxsock
// as haproxy does at start-up. When the system refuses, haproxy 2.6
// ("strict-limits" is its default) alerts and exits: fatal is true;
// under "no strict-limits" it keeps the highest value allowed and warns.
// It also reports, as haproxy does, a final limit below maxsock.
func (e *Engine) ApplyFDLimit() (msgs []LimitMessage, fatal bool) {
	strict := true
	for _, st := range e.cfg.Global.Other {
		if len(st.Args) > 0 && st.Args[0] == "strict-limits" {
			strict = st.Modifier != "no"
		}
	}
	want := uint64(e.limits.UlimitN)
	_, bootMax := FDLimits()
	hard := uint64(globalInt(&e.cfg.Global, "fd-hard-limit"))
	rl := unix.Rlimit{Cur: want, Max: max(bootMax, want)}
	if (hard > 0 && want > hard) || unix.Setrlimit(unix.RLIMIT_NOFILE, &rl) != nil {
		unix.Getrlimit(unix.RLIMIT_NOFILE, &rl)
		if strict {
			return []LimitMessage{{true, fmt.Sprintf("Cannot raise FD limit to %d, limit is %d.", want, rl.Cur)}}, true
		}
		// "try to set it to the max possible at least": haproxy 2.6.12
		// does not cap this second try with fd-hard-limit (measured).
		rl.Cur = rl.Max
		if unix.Setrlimit(unix.RLIMIT_NOFILE, &rl) == nil {
			unix.Getrlimit(unix.RLIMIT_NOFILE, &rl)
		}
		msgs = append(msgs, LimitMessage{false, fmt.Sprintf("Cannot raise FD limit to %d, limit is %d.", want, rl.Cur)})
		e.limits.UlimitN = int(rl.Cur)
	}
	unix.Getrlimit(unix.RLIMIT_NOFILE, &rl)
	if rl.Cur < uint64(e.limits.MaxSock) {
		msgs = append(msgs, LimitMessage{true, fmt.Sprintf("FD limit (%d) too low for maxconn=%d/maxsock=%d. Please raise 'ulimit-n' to %d or more to avoid any trouble.",
			rl.Cur, e.limits.MaxConn, e.limits.MaxSock, e.limits.MaxSock)})
		if strict {
			return msgs, true
		}
	}
	return msgs, false
}
