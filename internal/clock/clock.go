// Package clock reads the time cheaply for the request path. time.Now
// reads two clocks (wall and monotonic); a new connection through
// goproxy asked for the time about seven times, and in a keep-alive load
// those reads were about a tenth of goproxy's user time. Mono reads the
// monotonic clock alone, and UnixNano derives the wall clock from it.
package clock

import (
	"math"
	"time"
	_ "unsafe" // go:linkname
)

// nanotime is the runtime's monotonic clock: the one in time.Now's
// monotonic reading and in the network poller's deadlines.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// base and baseMono are read together at start-up: every conversion goes
// through them.
var (
	base     = time.Now()
	baseMono = nanotime()
	baseUnix = base.UnixNano()
)

// Mono is the monotonic clock in nanoseconds (an arbitrary origin).
func Mono() int64 { return nanotime() }

// UnixNano is the wall clock as time.Now().UnixNano() gives it, derived
// from the monotonic clock: it does not follow a step of the system's
// clock made after start-up, which only the age of things in "show
// sess" and stats would show.
func UnixNano() int64 { return UnixNanoAt(nanotime()) }

// UnixNanoAt is UnixNano at the monotonic instant m.
func UnixNanoAt(m int64) int64 { return baseUnix + m - baseMono }

// Since is time.Since(t) for t from time.Now (or a monotonic instant
// derived from one), with one clock read.
func Since(t time.Time) time.Duration {
	return time.Duration(nanotime()-baseMono) - t.Sub(base)
}

// MonoOf is the monotonic instant of t (exact when t has a monotonic
// reading), saturated for instants centuries away.
func MonoOf(t time.Time) int64 { return After(baseMono, t.Sub(base)) }

// After is the instant d after m, saturated at the largest.
func After(m int64, d time.Duration) int64 {
	if d > 0 && int64(d) > math.MaxInt64-m {
		return math.MaxInt64
	}
	return m + int64(d)
}

// Time is the instant m as a time.Time with a monotonic reading.
func Time(m int64) time.Time { return base.Add(time.Duration(m - baseMono)) }
