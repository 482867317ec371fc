package check

import (
	"context"
	"sync"
	"time"
)

// Target is one server to check.
type Target struct {
	Name      string // "backend/server", for the caller's use
	Addr      string // host:port to probe (check addr/port applied), or unix@/abns@/sockpair@ (sock.Target)
	Probe     Probe
	Health    Health
	Intervals Intervals
	// Timeout bounds one check: "timeout check" when set, else inter
	// (§4.2 "timeout check").
	Timeout time.Duration
	// Paused: the server is in maintenance and is not checked (a
	// "disabled" server starts so). Set it before Start; afterwards use
	// Checker.Pause and Checker.Resume.
	Paused bool
}

// Event reports one finished check of a target.
type Event struct {
	Target     *Target
	Result     Result
	Transition Transition
	Changed    bool // the health counter moved
	Health     Health
}

// Checker runs the checks of many targets until Stop.
type Checker struct {
	notify func(Event)
	stop   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex // serialises notify and Health updates
}

// Start launches one goroutine per target. The first checks are spread
// over the smallest interval as haproxy spreads them. notify is called for
// every result, one at a time.
func Start(targets []*Target, notify func(Event)) *Checker {
	c := &Checker{notify: notify, stop: make(chan struct{})}
	var starts []time.Duration
	for _, t := range targets {
		starts = append(starts, t.Intervals.Next(&t.Health))
	}
	minInter := MinInter(starts)
	for i, t := range targets {
		first := FirstDelay(minInter, i, len(targets))
		if starts[i] < first {
			first = starts[i]
		}
		c.wg.Add(1)
		go c.loop(t, first)
	}
	return c
}

func (c *Checker) loop(t *Target, delay time.Duration) {
	defer c.wg.Done()
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-timer.C:
		}
		// a server in maintenance is not checked; its task keeps its
		// period (src/check.c process_chk_conn: "goto reschedule")
		c.mu.Lock()
		if t.Paused {
			timer.Reset(t.Intervals.Next(&t.Health))
			c.mu.Unlock()
			continue
		}
		c.mu.Unlock()
		timeout := t.Timeout
		if timeout <= 0 {
			timeout = t.Intervals.Inter
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		done := make(chan Result, 1)
		go func() { done <- t.Probe.Run(ctx, t.Addr) }()
		var r Result
		select {
		case r = <-done:
		case <-c.stop:
			cancel()
			<-done
			return
		}
		cancel()
		c.mu.Lock()
		if t.Paused {
			// paused while the probe ran: its result would describe a
			// server that is no longer checked
			timer.Reset(t.Intervals.Next(&t.Health))
			c.mu.Unlock()
			continue
		}
		var tr Transition
		var changed bool
		if r.Status.Passed() {
			tr, changed = t.Health.Pass()
		} else {
			tr, changed = t.Health.Fail()
		}
		ev := Event{Target: t, Result: r, Transition: tr, Changed: changed, Health: t.Health}
		next := t.Intervals.Next(&t.Health)
		if c.notify != nil {
			c.notify(ev)
		}
		c.mu.Unlock()
		timer.Reset(next)
	}
}

// Pause stops checking t, as haproxy does for a server entering
// maintenance (src/server.c srv_update_status: CHK_ST_PAUSED, health 0):
// no probe runs until Resume, and a probe in flight is not counted.
func (c *Checker) Pause(t *Target) {
	c.mu.Lock()
	t.Paused = true
	t.Health.Value = 0
	c.mu.Unlock()
}

// Resume checks t again once its server leaves maintenance: the health
// restarts at Rise ("start OK but check immediately", so one failure
// takes it down) and the next check comes at the task's next period.
func (c *Checker) Resume(t *Target) {
	c.mu.Lock()
	t.Paused = false
	t.Health.Value = t.Health.Rise
	c.mu.Unlock()
}

// Stop ends every check and waits for the goroutines.
func (c *Checker) Stop() {
	close(c.stop)
	c.wg.Wait()
}
