package check

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// countingProbe passes every check and counts them.
type countingProbe struct{ n atomic.Int64 }

func (p *countingProbe) Run(ctx context.Context, addr string, dl Deadlines) Result {
	p.n.Add(1)
	return Result{Status: StatusL4OK}
}

// TestCheckerPause: a paused target (maintenance) is not probed and
// reports nothing; resumed, its health restarts at rise and probes go on.
// A target paused from the start ("disabled") is not probed either.
func TestCheckerPause(t *testing.T) {
	const inter = 10 * time.Millisecond
	live, disabled := &countingProbe{}, &countingProbe{}
	a := &Target{Name: "be/a", Probe: live, Health: NewHealth(2, 3, false), Intervals: Intervals{Inter: inter}}
	b := &Target{Name: "be/b", Probe: disabled, Health: NewHealth(2, 3, true), Intervals: Intervals{Inter: inter}, Paused: true}
	var events atomic.Int64
	c := Start([]*Target{a, b}, Options{Notify: func(ev Event) {
		if ev.Target == a {
			events.Add(1)
		}
	}})
	defer c.Stop()
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(inter) {
			if time.Now().After(deadline) {
				t.Fatal(what)
			}
		}
	}
	waitFor("a is never checked", func() bool { return events.Load() >= 3 })

	c.Pause(a)
	time.Sleep(3 * inter) // a probe already running ends
	probes, evs := live.n.Load(), events.Load()
	time.Sleep(10 * inter)
	if n := live.n.Load() - probes; n != 0 {
		t.Errorf("%d probes while paused", n)
	}
	if n := events.Load() - evs; n != 0 {
		t.Errorf("%d events while paused", n)
	}
	c.mu.Lock()
	if a.Health.Value != 0 {
		t.Errorf("paused health %d, want 0", a.Health.Value)
	}
	c.mu.Unlock()

	c.Resume(a)
	c.mu.Lock()
	if h := a.Health.Value; h != 2 && h != 4 {
		t.Errorf("resumed health %d, want rise (2), or fully up after a check", h)
	}
	c.mu.Unlock()
	waitFor("a is not checked after Resume", func() bool { return live.n.Load() > probes })
	if n := disabled.n.Load(); n != 0 {
		t.Errorf("a target paused from the start was probed %d times", n)
	}
}
