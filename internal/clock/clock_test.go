package clock

import (
	"math"
	"testing"
	"time"
)

func TestClockAgreesWithTime(t *testing.T) {
	before := time.Now()
	m, u := Mono(), UnixNano()
	after := time.Now()
	if u < before.UnixNano()-int64(time.Millisecond) || u > after.UnixNano()+int64(time.Millisecond) {
		t.Fatalf("UnixNano %d outside [%d, %d]", u, before.UnixNano(), after.UnixNano())
	}
	if got := Time(m); got.Before(before.Add(-time.Millisecond)) || got.After(after.Add(time.Millisecond)) {
		t.Fatalf("Time(Mono()) = %v outside [%v, %v]", got, before, after)
	}
	// base and baseMono are read a moment apart: within a millisecond
	if d := MonoOf(before) - m; d > int64(time.Millisecond) || d < -int64(time.Millisecond) {
		t.Fatalf("MonoOf(time.Now()) is %v from Mono()", time.Duration(d))
	}
	time.Sleep(20 * time.Millisecond)
	if s := Since(before); s < 20*time.Millisecond || s > time.Second {
		t.Fatalf("Since = %v after a 20 ms sleep", s)
	}
	if got := UnixNanoAt(m); got != u && (got-u > int64(time.Millisecond) || u-got > int64(time.Millisecond)) {
		t.Fatalf("UnixNanoAt(Mono()) = %d, UnixNano() = %d", got, u)
	}
}

func TestAfterSaturates(t *testing.T) {
	if got := After(Mono(), time.Duration(math.MaxInt64)); got != math.MaxInt64 {
		t.Fatalf("After(now, max) = %d", got)
	}
	if got := MonoOf(time.Now().Add(200 * 365 * 24 * time.Hour)); got <= Mono() {
		t.Fatalf("a deadline in 200 years converts to %d, not after now", got)
	}
	if got := After(5, 10); got != 15 {
		t.Fatalf("After(5, 10) = %d", got)
	}
}
