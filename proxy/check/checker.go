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

// Checker runs the checks of many targets until Stop. Between two checks
// a target holds a runtime timer, not a goroutine: a probe runs in the
// timer's goroutine and schedules the next one when it ends. With one
// goroutine parked per target, 2,000 backends of 10 checked servers
// held 20,000 stacks (goproxy's RSS one second after start-up was
// 1.7 × haproxy's); now only the probes in flight hold one.
type Checker struct {
	opt      Options
	ctx      context.Context // cancelled by Stop
	cancel   context.CancelFunc
	inflight sync.WaitGroup // probes running (Add under mu, before stopped)
	mu       sync.Mutex     // serialises the callbacks and Health updates
	stopped  bool
	tasks    []*task
}

// task is one target's schedule: its timer fires the next check.
type task struct {
	t     *Target
	timer *time.Timer
}

// Start schedules every target's first check, spread over time as
// haproxy spreads them at start-up (FirstDelay).
func Start(targets []*Target, opt Options) *Checker {
	c := &Checker{opt: opt}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	var starts []time.Duration
	for _, t := range targets {
		starts = append(starts, t.Intervals.Next(&t.Health))
	}
	minInter := MinInter(starts)
	c.tasks = make([]*task, len(targets))
	c.mu.Lock() // a first check due at once waits until every timer is made
	for i, t := range targets {
		k := &task{t: t}
		c.tasks[i] = k
		k.timer = time.AfterFunc(FirstDelay(minInter, starts[i], opt.MaxSpreadChecks, i, len(targets)), func() { c.run(k) })
	}
	c.mu.Unlock()
	return c
}

// run is one check of k's target; the next starts the delay its state
// asks for (Intervals.Next) after the end of this one, as haproxy
// schedules the check task when a check ends.
func (c *Checker) run(k *task) {
	t := k.t
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	// a server in maintenance is not checked; its task wakes every
	// inter (src/check.c process_chk_conn: "goto reschedule")
	if t.Paused {
		k.timer.Reset(t.Intervals.Inter)
		c.mu.Unlock()
		return
	}
	c.inflight.Add(1)
	defer c.inflight.Done()
	if c.opt.Started != nil {
		c.opt.Started(t)
	}
	c.mu.Unlock()
	dl := NewDeadlines(time.Now(), t.Intervals.Inter, t.Timeouts)
	r := t.Probe.Run(c.ctx, t.Addr, dl)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return
	}
	if t.Paused {
		// paused while the probe ran: its result would describe a
		// server that is no longer checked
		k.timer.Reset(t.Intervals.Inter)
		return
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
	k.timer.Reset(next)
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

// Stop ends every check and waits for the probes in flight (cancelled:
// their results are not reported).
func (c *Checker) Stop() {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	c.stopped = true
	for _, k := range c.tasks {
		k.timer.Stop()
	}
	c.mu.Unlock()
	c.cancel()
	c.inflight.Wait()
}
