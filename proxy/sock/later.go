package sock

import (
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Sends at the end of the scheduler's round.
//
// A goroutine per stream sends its request to the server as soon as it
// has parsed it, so a round of the scheduler (the goroutines the poller
// made ready, run one after the other) spreads its sends over the whole
// round: the server, on the other core, answers each in a few
// microseconds and goes back to sleep before the next arrives, and
// every send wakes it again. On this machine a wake-up of a sleeping
// peer costs the sender about 11 µs (an inter-processor interrupt from a
// virtual CPU), and goproxy woke its peers 0.2 times per keep-alive
// request against haproxy's 0.085, which sends everything at the end of
// its poll loop's turn (docs/performance.md, point 13).
//
// WriteLater queues a small send instead, and an outbox goroutine makes
// all the queued sends once the round's other goroutines have run (it
// yields to the back of the run queue first, so it runs when the
// scheduler would otherwise poll for more). The sender does not read
// before its send has gone: the connection's reads report "would block"
// while the send is queued, so the stream waits in the poller for the
// answer, as haproxy does, without a read that finds nothing.

// Pending-send states of a TCPConn.
const (
	pendNone    int32 = iota
	pendQueued        // in the outbox; reads skip the read and wait
	pendSending       // the outbox is sending it: reads read
	pendFailed        // the outbox could not send all of it: the next read finishes the send
)

// ErrWriteLater is what a read returns (wrapped in a net.OpError) when a
// send queued by WriteLater failed: the connection could not take the
// bytes, which a Write would have reported.
var ErrWriteLater = errors.New("queued send failed")

// errFinishLater is recv's word to Read that the queued send failed.
var errFinishLater = errors.New("finish the queued send")

// laterMax bounds what WriteLater queues: a send that size goes into an
// empty socket buffer whole.
const laterMax = 4 << 10

// Outbox holds the sends queued in one scheduler round.
type Outbox struct {
	mu     sync.Mutex
	queued []*TCPConn
	spare  []*TCPConn
	kick   chan struct{}
}

// NewOutbox starts an outbox goroutine; it lives as long as the process.
func NewOutbox() *Outbox {
	o := &Outbox{kick: make(chan struct{}, 1)}
	go o.loop()
	return o
}

func (o *Outbox) loop() {
	for range o.kick {
		// To the back of the run queue: the goroutines made ready with
		// the senders run first, and their sends join this batch.
		runtime.Gosched()
		o.flush()
	}
}

// flush makes the sends queued so far.
func (o *Outbox) flush() {
	o.mu.Lock()
	batch := o.queued
	o.queued, o.spare = o.spare[:0], nil
	o.mu.Unlock()
	for i, c := range batch {
		c.flushLater()
		batch[i] = nil
	}
	o.mu.Lock()
	o.spare = batch[:0]
	o.mu.Unlock()
}

// WriteLater queues b (which the caller leaves untouched until the
// connection's next read returns) to be sent by o; false, with nothing
// queued, when b is too large or a send is pending already: then Write.
// The next Read waits for the answer without reading first; a failed
// send comes back as that read's error (ErrWriteLater), or is finished
// by it when the socket's buffer was full.
func (c *TCPConn) WriteLater(o *Outbox, b []byte) bool {
	if len(b) == 0 || len(b) > laterMax || c.pend.Load() != pendNone {
		return false
	}
	c.pbuf, c.pn, c.perr = b, 0, nil
	c.pend.Store(pendQueued)
	o.mu.Lock()
	first := len(o.queued) == 0
	o.queued = append(o.queued, c)
	o.mu.Unlock()
	if first {
		select {
		case o.kick <- struct{}{}:
		default:
		}
	}
	return true
}

// WritePending reports a send queued by WriteLater that has not gone yet.
func (c *TCPConn) WritePending() bool { return c.pend.Load() != pendNone }

// flushLater makes c's queued send (in the outbox goroutine).
func (c *TCPConn) flushLater() {
	if !c.pend.CompareAndSwap(pendQueued, pendSending) {
		return
	}
	if c.lockRaw() {
		if c.closed {
			c.perr = net.ErrClosed
		} else {
			c.sendLater(uintptr(c.fd))
		}
		c.mu.Unlock()
	} else {
		if c.laterFn == nil {
			c.laterFn = c.sendLater
		}
		// The function reports done at once: the write never waits
		// in the poller (its fd reference keeps a Close from freeing
		// the descriptor meanwhile).
		if err := c.rc.Write(c.laterFn); err != nil {
			c.perr = err
		}
	}
	if c.perr == nil && c.pn == len(c.pbuf) {
		c.pbuf = nil
		c.pend.Store(pendNone)
		return
	}
	c.pend.Store(pendFailed)
	// The sender may be waiting for its answer already: an expired
	// deadline ends its wait, and its read then finishes the send.
	if c.polled.Load() {
		c.mu.Lock()
		c.f.SetReadDeadline(time.Unix(1, 0))
		c.rdl.armed = 1
		c.mu.Unlock()
	}
}

// sendLater sends what it can of pbuf without waiting (perr: the error
// that stopped it); it reports true for the poller: never wait.
func (c *TCPConn) sendLater(fd uintptr) bool {
	for c.pn < len(c.pbuf) {
		r, e := sockIO(syscall.SYS_SENDTO, fd, c.pbuf[c.pn:], unix.MSG_NOSIGNAL)
		switch e {
		case 0:
			c.pn += r
			continue
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return true // not an error: the reader finishes it
		}
		c.perr = os.NewSyscallError("sendto", e)
		return true
	}
	return true
}

// finishLater is called by a read that found the queued send failed:
// the rest goes with a Write (which waits for room), or its error is
// the read's.
func (c *TCPConn) finishLater() error {
	b, n, err := c.pbuf, c.pn, c.perr
	c.pbuf, c.perr = nil, nil
	c.pend.Store(pendNone)
	if err != nil {
		return c.opError("write", errors.Join(ErrWriteLater, err))
	}
	if _, err := c.Write(b[n:]); err != nil {
		return errors.Join(ErrWriteLater, err)
	}
	return nil
}

// LaterState is for a caller that reads c's descriptor itself: queued,
// its read must wait (the answer to the queued send cannot have come);
// failed, it must finish the send first (SettleLater).
func (c *TCPConn) LaterState() (queued, failed bool) {
	switch c.pend.Load() {
	case pendQueued:
		return true, false
	case pendFailed:
		return false, true
	}
	return false, false
}

// SettleLater makes sure c's queued send has gone: it sends it here if
// the outbox has not yet, waits while the outbox sends it, finishes it
// if the outbox could not.
func (c *TCPConn) SettleLater() error {
	for {
		switch c.pend.Load() {
		case pendNone:
			return nil
		case pendQueued:
			if c.pend.CompareAndSwap(pendQueued, pendFailed) {
				return c.finishLater() // nothing sent yet: all of it
			}
		case pendSending:
			runtime.Gosched()
		case pendFailed:
			return c.finishLater()
		}
	}
}
