package proxy

import (
	"net"
	"sync/atomic"
	"time"
)

// workerPool runs connection handlers on goroutines that live on for a
// while after their connection ends, to take the next one. A goroutine
// made for each new connection starts with a small stack and grows it
// (a copy of the whole stack each time) on its way down the connect
// path: copystack was about 6 % of goproxy's CPU under a
// new-connection-per-request load. A reused goroutine keeps its stack.
//
// An idle worker waits on the channel alone: a timer of its own (reset
// and selected on at each connection) cost more than the hand-over
// itself. Instead a reaper retires, every workerIdle, the workers none
// of the connections of that period needed (the fewest idle at any
// moment), and ends when no worker is left.
type workerPool struct {
	// work hands a connection to a worker waiting for one; unbuffered,
	// so a send succeeds only when a worker is idle. A zero job retires
	// the worker that takes it.
	work   chan connJob
	serve  func(connJob)
	period time.Duration // workerIdle (shorter in tests)

	workers atomic.Int32 // alive
	idle    atomic.Int32 // waiting on work
	low     atomic.Int32 // the fewest idle since the reaper last looked
	reaping atomic.Bool  // the reaper runs
}

// connJob is an accepted connection to serve (Engine.serveConn).
type connJob struct {
	f     *frontend
	c     net.Conn
	slots bool
}

// workerIdle is how long an idle worker may wait for another connection
// before it is retired (an idle engine keeps no extra goroutines for
// long).
const workerIdle = time.Second

func newWorkerPool(serve func(connJob)) *workerPool {
	return &workerPool{work: make(chan connJob), serve: serve, period: workerIdle}
}

// run serves j on an idle worker, or on a new one when none is idle.
func (p *workerPool) run(j connJob) {
	select {
	case p.work <- j:
	default:
		p.workers.Add(1)
		if p.reaping.CompareAndSwap(false, true) {
			go p.reap()
		}
		go p.worker(j)
	}
}

func (p *workerPool) worker(j connJob) {
	for {
		p.serve(j)
		j = connJob{} // the finished connection is not kept
		p.idle.Add(1)
		j = <-p.work
		if n := p.idle.Add(-1); n < p.low.Load() {
			p.low.Store(n)
		}
		if j.c == nil {
			p.workers.Add(-1)
			return
		}
	}
}

// reap retires the workers that stayed idle through a whole period.
func (p *workerPool) reap() {
	t := time.NewTicker(p.period)
	defer t.Stop()
	for range t.C {
		surplus := p.low.Swap(p.idle.Load())
		for ; surplus > 0; surplus-- {
			select {
			case p.work <- connJob{}:
			default:
				surplus = 0
			}
		}
		if p.workers.Load() == 0 {
			p.reaping.Store(false)
			// a worker made meanwhile may have found the flag still set
			if p.workers.Load() == 0 || !p.reaping.CompareAndSwap(false, true) {
				return
			}
		}
	}
}
