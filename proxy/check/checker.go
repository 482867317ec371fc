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
	// Timeouts are the backend's "timeout connect" and "timeout check"
	// (see Deadlines).
	Timeouts Timeouts
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

// Options are what a Checker reports to and the process-wide settings.
type Options struct {
	// Notify is called for every result, one at a time.
	Notify func(Event)
	// Started is called when a check of t begins (haproxy's stats show
	// the check in progress), one at a time with Notify.
	Started func(t *Target)
	// SpreadChecks is global "spread-checks": a random ± percentage
	// added to each delay between checks.
	SpreadChecks int
	// MaxSpreadChecks is global "max-spread-checks": the longest period
	// the first checks are spread over (0: no limit).
	MaxSpreadChecks time.Duration
}

// Checker runs the checks of many targets until Stop.
type Checker struct {
	opt    Options
	ctx    context.Context // cancelled by Stop
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex // serialises the callbacks and Health updates
}

// Start launches one goroutine per target, the first checks spread over
// time as haproxy spreads them at start-up (FirstDelay).
func Start(targets []*Target, opt Options) *Checker {
	c := &Checker{opt: opt}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	var starts []time.Duration
	for _, t := range targets {
		starts = append(starts, t.Intervals.Next(&t.Health))
	}
	minInter := MinInter(starts)
	for i, t := range targets {
		c.wg.Add(1)
		go c.loop(t, FirstDelay(minInter, starts[i], opt.MaxSpreadChecks, i, len(targets)))
	}
	return c
}

// loop checks t, each check starting the delay its state asks for
// (Intervals.Next) after the end of the previous one, as haproxy
// schedules the check task when a check ends.
func (c *Checker) loop(t *Target, delay time.Duration) {
	defer c.wg.Done()
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-timer.C:
		}
		// a server in maintenance is not checked; its task wakes every
		// inter (src/check.c process_chk_conn: "goto reschedule")
		c.mu.Lock()
		if t.Paused {
			timer.Reset(t.Intervals.Inter)
			c.mu.Unlock()
			continue
		}
		if c.opt.Started != nil {
			c.opt.Started(t)
		}
		c.mu.Unlock()
		dl := NewDeadlines(time.Now(), t.Intervals.Inter, t.Timeouts)
		r := t.Probe.Run(c.ctx, t.Addr, dl)
		if c.ctx.Err() != nil {
			return
		}
		c.mu.Lock()
		if t.Paused {
			// paused while the probe ran: its result would describe a
			// server that is no longer checked
			timer.Reset(t.Intervals.Inter)
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
		next := spread(t.Intervals.Next(&t.Health), c.opt.SpreadChecks)
		if c.opt.Notify != nil {
			c.opt.Notify(ev)
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
	c.cancel()
	c.wg.Wait()
}
