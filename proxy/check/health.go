package check

import "time"

// Health is a server's check counter as haproxy keeps it (src/check.c
// set_server_check_status): a value from 0 to Rise+Fall-1. The server is up
// when the value is at least Rise. A failure decrements it and, once below
// Rise, drops it to 0 (down); a success increments it and, once at Rise,
// lifts it to Rise+Fall-1 (fully up). Both directions therefore need
// consecutive results: Fall failures to go down from fully up, Rise
// successes to come up from down.
type Health struct {
	Rise, Fall int
	Value      int
}

// NewHealth returns the counter of a server at start-up. haproxy starts
// every checked server up but "on the edge": Value = Rise, so the very first
// failure marks it down, and one success makes it fully up (src/server.c).
// A disabled server starts at 0 (maintenance).
func NewHealth(rise, fall int, disabled bool) Health {
	h := Health{Rise: rise, Fall: fall, Value: rise}
	if disabled {
		h.Value = 0
	}
	return h
}

// Up reports whether the server counts as up.
func (h *Health) Up() bool { return h.Value >= h.Rise }

// FullyUp reports whether the counter is at its maximum.
func (h *Health) FullyUp() bool { return h.Value == h.Rise+h.Fall-1 }

// Transition is what one check result did to the server.
type Transition int

const (
	NoChange Transition = iota
	WentUp
	WentDown
)

// Pass applies a successful check. changed reports whether the counter
// moved (haproxy logs "Health check ... succeeded" only then, with
// option log-health-checks).
func (h *Health) Pass() (t Transition, changed bool) {
	if h.Value >= h.Rise+h.Fall-1 {
		return NoChange, false
	}
	wasUp := h.Up()
	h.Value++
	if h.Value >= h.Rise {
		h.Value = h.Rise + h.Fall - 1
	}
	if !wasUp && h.Up() {
		return WentUp, true
	}
	return NoChange, true
}

// Fail applies a failed check.
func (h *Health) Fail() (t Transition, changed bool) {
	if h.Value <= 0 {
		return NoChange, false
	}
	wasUp := h.Up()
	h.Value--
	if h.Value < h.Rise {
		h.Value = 0
	}
	if wasUp && !h.Up() {
		return WentDown, true
	}
	return NoChange, true
}

// Intervals are a server's check timings (§5.2 "inter", "fastinter",
// "downinter"); zero Fast/Down mean "use Inter".
type Intervals struct {
	Inter, Fast, Down time.Duration
}

// DefaultInter is haproxy's check interval when none is set (DEF_CHKINTR).
const DefaultInter = 2 * time.Second

// Next returns the delay until the next check (src/server.c srv_getinter):
// Inter when fully up; Down (else Inter) when fully down; Fast (else Inter)
// while transitioning, which includes the start-up state.
func (iv Intervals) Next(h *Health) time.Duration {
	switch {
	case h.FullyUp():
		return iv.Inter
	case h.Value == 0:
		if iv.Down > 0 {
			return iv.Down
		}
		return iv.Inter
	}
	if iv.Fast > 0 {
		return iv.Fast
	}
	return iv.Inter
}
