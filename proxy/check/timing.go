package check

import (
	"context"
	"math/rand/v2"
	"net"
	"time"

	"goha/proxy/sock"
)

// Timeouts are the proxy timeouts a check obeys (configuration.txt §4.2
// "timeout check"); zero means unset.
type Timeouts struct {
	Connect time.Duration // "timeout connect"
	Check   time.Duration // "timeout check"
}

// Deadlines are the limits of one check as haproxy 2.6 arms its check task
// (src/tcpcheck.c tcpcheck_eval_connect):
//
//   - without "timeout check" the whole check (connect and response) has
//     inter, counted from its start;
//   - with "timeout check" the connect has min(inter, "timeout connect")
//     (inter alone when "timeout connect" is unset), and once connected
//     the check gets "timeout check" more.
//
// haproxy moves the task's expiry to "connected + timeout check" without
// requeuing the task, which still wakes at the connect deadline first: a
// "timeout check" shorter than what is left of the connect deadline does
// not shorten the check. Measured with haproxy 2.6.12 (inter 1s, timeout
// connect 100ms, timeout check 20ms, a server answering after 300ms):
// "Layer7 timeout, check duration: 101ms".
type Deadlines struct {
	Start   time.Time // the check's start: its duration counts from here
	Connect time.Time // the connection must be established by then
	check   time.Duration
}

// NewDeadlines returns the deadlines of a check starting at start.
func NewDeadlines(start time.Time, inter time.Duration, to Timeouts) Deadlines {
	connect := inter
	if to.Check > 0 && to.Connect > 0 && to.Connect < connect {
		connect = to.Connect
	}
	return Deadlines{Start: start, Connect: start.Add(connect), check: to.Check}
}

// AfterConnect returns the deadline of the rest of the check (sending the
// request, reading the response) once the connection is established at
// connected.
func (d Deadlines) AfterConnect(connected time.Time) time.Time {
	if d.check <= 0 {
		return d.Connect
	}
	if r := connected.Add(d.check); r.After(d.Connect) {
		return r
	}
	return d.Connect
}

// elapsedMS is the check duration haproxy reports (check_duration, "check
// duration: Nms"): from the check's start.
func (d Deadlines) elapsedMS() int64 { return time.Since(d.Start).Milliseconds() }

// dial connects to addr by the connect deadline; ctx only cancels (Stop).
func dial(ctx context.Context, addr string, dl Deadlines) (net.Conn, error) {
	ctx, cancel := context.WithDeadline(ctx, dl.Connect)
	defer cancel()
	var d net.Dialer
	return sock.Dial(ctx, &d, sock.Target(addr))
}

// FirstDelay returns when the check at position pos among n checks of the
// process starts (src/check.c start_check_task): its position's share of
// the larger of minInter (see MinInter) and its own start-up interval own,
// capped by "max-spread-checks" (maxSpread, 0: none). A process with one
// checked server checks it at once.
func FirstDelay(minInter, own, maxSpread time.Duration, pos, n int) time.Duration {
	if n == 0 {
		return 0
	}
	if own > minInter {
		minInter = own
	}
	if maxSpread > 0 && minInter > maxSpread {
		minInter = maxSpread
	}
	return minInter * time.Duration(pos) / time.Duration(n)
}

// interThreshold is SRV_CHK_INTER_THRES: intervals shorter than this do not
// dictate the spreading of other servers' first checks.
const interThreshold = time.Second

// MinInter returns the smallest start-up interval among those of at least
// one second, or zero: the period over which haproxy spreads the first
// checks of all servers (src/check.c start_checks).
func MinInter(starts []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range starts {
		if d >= interThreshold && (m == 0 || d < m) {
			m = d
		}
	}
	return m
}

// spread applies global "spread-checks" (percent, 0..50) to the delay
// before a server's next check: haproxy adds a random part of up to
// ±percent of it (src/check.c process_chk_conn).
func spread(d time.Duration, percent int) time.Duration {
	if percent <= 0 {
		return d
	}
	rv := d * time.Duration(percent) / 100
	return d + rv - time.Duration(2*float64(rv)*rand.Float64())
}
