package proxy

import "time"

// workerPool runs connection handlers on goroutines that live on for a
// while after their connection ends, to take the next one. A goroutine
// made for each new connection starts with a small stack and grows it
// (a copy of the whole stack each time) on its way down the connect
// path: copystack was about 6 % of goproxy's CPU under a
// new-connection-per-request load. A reused goroutine keeps its stack.
type workerPool struct {
	// work hands a handler to a worker waiting for one; unbuffered, so a
	// send succeeds only when a worker is idle.
	work chan func()
}

// workerIdle is how long an idle worker waits for another connection
// before it ends (an idle engine keeps no extra goroutines for long).
const workerIdle = time.Second

func newWorkerPool() *workerPool { return &workerPool{work: make(chan func())} }

// run runs fn on an idle worker, or on a new one when none is idle.
func (p *workerPool) run(fn func()) {
	select {
	case p.work <- fn:
	default:
		go p.worker(fn)
	}
}

func (p *workerPool) worker(fn func()) {
	var idle *time.Timer
	for {
		fn()
		fn = nil // the finished handler's captures are not kept
		if idle == nil {
			idle = time.NewTimer(workerIdle)
		} else {
			idle.Reset(workerIdle)
		}
		select {
		case fn = <-p.work:
		case <-idle.C:
			return
		}
	}
}
