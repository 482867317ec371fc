package sock

import (
	"time"

	"goha/internal/clock"
)

// Connection deadlines are kept as instants of the monotonic clock
// (clock.Mono: one clock read where time.Now makes two); 0 is none.

func nanotime() int64 { return clock.Mono() }

// monoOf converts a deadline.
func monoOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return notNone(clock.MonoOf(t))
}

// monoAfter is the deadline d after the instant m.
func monoAfter(m int64, d time.Duration) int64 { return notNone(clock.After(m, d)) }

func notNone(m int64) int64 {
	if m == 0 {
		return 1
	}
	return m
}

// monoTime converts back.
func monoTime(m int64) time.Time {
	if m == 0 {
		return time.Time{}
	}
	return clock.Time(m)
}
