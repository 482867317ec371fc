package proxy

import (
	"container/heap"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A goroutine blocked in Read per idle keep-alive client costs its stack,
// and the buffers and parsers it holds, for as long as the client stays
// silent: about 26 KiB a connection against haproxy's 1.2 KiB
// (docs/performance.md, point 5). The idle poller parks such connections
// instead: their descriptors wait in one epoll set owned by one goroutine,
// and a connection that becomes readable, times out or meets a stop is
// handed to a waiting worker goroutine (or a new one). A parked
// connection holds only its idleNode and what its owner keeps beside it.

// idleWhy says why a parked connection left the poller.
type idleWhy uint8

const (
	idleReady   idleWhy = iota // readable, hung up or in error: read it
	idleExpired                // its deadline passed first
	idleStopped                // the poller stopped (soft stop, Close)
)

// idleWaker is the owner of a parked connection; idleWake runs in a
// goroutine of its own (a waiting worker or a new one), exactly once per
// successful park.
type idleWaker interface {
	idleWake(why idleWhy)
}

// idleNode is a connection's place in the poller; its owner keeps it for
// the connection's life so that the descriptor is registered only once.
type idleNode struct {
	fd    int32
	idx   int32 // position in the deadline heap; -1 when not in it
	until int64 // deadline in ns since idleEpoch; 0: none
	// registered: fd is in the epoll set (disarmed after each wake by
	// EPOLLONESHOT, re-armed by the next park with EPOLL_CTL_MOD).
	registered bool
	parked     bool
	w          idleWaker
}

// idleEpoch is the origin of the nodes' deadlines (monotonic clock).
var idleEpoch = time.Now()

func idleNow() int64 { return int64(time.Since(idleEpoch)) }

// idlePoller owns the epoll set. The set's own descriptor is in Go's
// network poller, so the poller goroutine waits without holding a thread,
// and its read deadline is the earliest parked deadline.
type idlePoller struct {
	fd   int // the epoll set (file.Fd would make the file blocking)
	file *os.File
	rc   syscall.RawConn

	mu       sync.Mutex
	byFD     []*idleNode // parked nodes by descriptor
	timers   idleHeap
	deadline int64 // the file's current read deadline (0: none)
	closed   bool
	done     chan struct{}

	// work hands woken connections to the goroutines waiting in worker
	// (waiting counts them): a goroutine whose connection parked or
	// ended serves the next wake with its stack already grown, where a
	// new goroutine would grow its stack again on every request
	// (runtime.copystack in the keep-alive profile).
	work    chan idleWork
	waiting atomic.Int32
}

type idleWork struct {
	n   *idleNode
	why idleWhy
}

// maxIdleWorkers bounds the goroutines waiting for a wake: each keeps a
// stack (a few KiB) for as long as it waits.
const maxIdleWorkers = 32

// idleEvents bounds the events taken per epoll_wait.
const idleEvents = 128

func newIdlePoller() (*idlePoller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	// Non-blocking, so that os.NewFile puts it in Go's poller.
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		return nil, err
	}
	f := os.NewFile(uintptr(epfd), "idle-epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	p := &idlePoller{fd: epfd, file: f, rc: rc, done: make(chan struct{}), work: make(chan idleWork)}
	go p.loop()
	return p, nil
}

// park waits for fd to become readable, for at most d (0: no deadline),
// then calls n.w.idleWake in a new goroutine. It reports false when the
// connection could not be parked (poller stopped, epoll refused it): the
// caller still owns it.
func (p *idlePoller) park(n *idleNode, d time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || n.parked || n.fd < 0 {
		return false
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT, Fd: n.fd}
	op := unix.EPOLL_CTL_MOD
	if !n.registered {
		op = unix.EPOLL_CTL_ADD
	}
	err := unix.EpollCtl(p.fd, op, int(n.fd), &ev)
	switch {
	case errors.Is(err, unix.EEXIST): // a descriptor number reused
		err = unix.EpollCtl(p.fd, unix.EPOLL_CTL_MOD, int(n.fd), &ev)
	case errors.Is(err, unix.ENOENT): // closed and reopened meanwhile
		err = unix.EpollCtl(p.fd, unix.EPOLL_CTL_ADD, int(n.fd), &ev)
	}
	if err != nil {
		return false
	}
	n.registered, n.parked = true, true
	for int(n.fd) >= len(p.byFD) {
		p.byFD = append(p.byFD, nil)
	}
	p.byFD[n.fd] = n
	n.idx, n.until = -1, 0
	if d > 0 {
		n.until = idleNow() + int64(d)
		heap.Push(&p.timers, n)
		// Only an earlier deadline moves the timer: the loop moves it
		// later itself when it fires (a timer update per park would cost
		// more than the occasional early wake).
		if p.deadline == 0 || n.until < p.deadline {
			p.setDeadline()
		}
	}
	return true
}

// setDeadline points the file's read deadline at the earliest parked
// deadline; called with mu held, so the last call always wins.
func (p *idlePoller) setDeadline() {
	var next int64
	if len(p.timers) > 0 {
		next = p.timers[0].until
	}
	if next == p.deadline {
		return
	}
	p.deadline = next
	if next == 0 {
		p.file.SetReadDeadline(time.Time{})
		return
	}
	p.file.SetReadDeadline(idleEpoch.Add(time.Duration(next)))
}

// unpark takes n out of the poller (mu held); the file's deadline stays
// as it is (see park).
func (p *idlePoller) unpark(n *idleNode) {
	n.parked = false
	p.byFD[n.fd] = nil
	if n.idx >= 0 {
		heap.Remove(&p.timers, int(n.idx))
	}
}

// loop waits for events and deadlines until the poller stops.
func (p *idlePoller) loop() {
	defer close(p.done)
	events := make([]unix.EpollEvent, idleEvents)
	for {
		got := 0
		err := p.rc.Read(func(fd uintptr) bool {
			n, err := epollPoll(int(fd), events)
			if err != nil || n <= 0 {
				return false // nothing yet (or EINTR): wait for the set to be readable
			}
			got = n
			return true
		})
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return
		}
		for _, ev := range events[:got] {
			fd := int(ev.Fd)
			if fd < len(p.byFD) && p.byFD[fd] != nil {
				n := p.byFD[fd]
				p.unpark(n)
				p.dispatch(n, idleReady)
			}
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			// The file is closed only by stop, under mu; anything
			// else would spin: give up parking, wake everyone.
			p.stopLocked()
			p.mu.Unlock()
			return
		}
		if err != nil || p.deadline == 0 && len(p.timers) > 0 {
			now := idleNow()
			for len(p.timers) > 0 && p.timers[0].until <= now {
				n := p.timers[0]
				p.unpark(n)
				p.dispatch(n, idleExpired)
			}
			p.setDeadline()
		}
		p.mu.Unlock()
	}
}

// epollPoll takes the events ready in epoll set epfd without waiting
// (epoll_pwait with a zero timeout and no signal mask, which every
// architecture has). It never blocks, so it goes through RawSyscall, as
// sock's socket calls do: x/sys's EpollWait tells the scheduler it enters
// a system call, and one entered while the Go runtime's monitor thread
// (sysmon) sleeps because the proxy was idle wakes that thread and resets
// it to checking every 20 µs, preempting the thread that serves requests
// on the proxy's CPU a few dozen times before it slows down again. Under
// the latency scenario's load, where the poller wakes each time a burst
// reaches connections parked since the last one, that was about 250
// preemptions a second against haproxy's 4 (docs/performance.md, point
// 10).
func epollPoll(epfd int, events []unix.EpollEvent) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// stop wakes every parked connection with idleStopped and refuses further
// parks; it returns once the loop has ended and the epoll set is closed.
func (p *idlePoller) stop() {
	p.mu.Lock()
	p.stopLocked()
	p.mu.Unlock()
	<-p.done
	p.file.Close()
}

func (p *idlePoller) stopLocked() {
	if p.closed {
		return
	}
	p.closed = true
	for _, n := range p.byFD {
		if n != nil {
			p.unpark(n)
			p.dispatch(n, idleStopped)
		}
	}
	p.byFD = nil
	close(p.work) // waiting workers end
	// An expired deadline ends the loop's wait at once.
	p.deadline = -1
	p.file.SetReadDeadline(time.Unix(1, 0))
}

// dispatch runs n's wake in a waiting worker, else in a new goroutine
// that becomes a worker afterwards (mu held).
func (p *idlePoller) dispatch(n *idleNode, why idleWhy) {
	select {
	case p.work <- idleWork{n, why}:
	default:
		go func() {
			n.w.idleWake(why)
			p.worker()
		}()
	}
}

// worker serves wakes until the poller stops, once the calling goroutine
// has nothing else to do; it returns at once when enough goroutines
// already wait.
func (p *idlePoller) worker() {
	for {
		if p.waiting.Add(1) > maxIdleWorkers {
			p.waiting.Add(-1)
			return
		}
		w, ok := <-p.work
		p.waiting.Add(-1)
		if !ok {
			return
		}
		w.n.w.idleWake(w.why)
	}
}

// idleHeap orders parked nodes by deadline.
type idleHeap []*idleNode

func (h idleHeap) Len() int           { return len(h) }
func (h idleHeap) Less(i, j int) bool { return h[i].until < h[j].until }
func (h idleHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = int32(i), int32(j)
}
func (h *idleHeap) Push(x any) {
	n := x.(*idleNode)
	n.idx = int32(len(*h))
	*h = append(*h, n)
}
func (h *idleHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	n.idx = -1
	return n
}
