package sock

import (
	"bytes"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// heldOutbox is an outbox whose sends go only when the test flushes it.
func heldOutbox() *Outbox { return &Outbox{kick: make(chan struct{}, 1)} }

// polledPair is connectedPair with the dialled end in the poller, as
// WriteLater's callers have it.
func polledPair(t *testing.T) (*TCPConn, net.Conn) {
	t.Helper()
	c, p := connectedPair(t)
	if _, err := c.SyscallConn(); err != nil {
		t.Fatal(err)
	}
	return c, p
}

// readAsync reads c once in a goroutine.
func readAsync(c *TCPConn, d time.Duration) chan result {
	out := make(chan result, 1)
	go func() {
		c.SetReadDeadline(time.Now().Add(d))
		b := make([]byte, 64)
		n, err := c.Read(b)
		out <- result{string(b[:n]), err}
	}()
	return out
}

type result struct {
	s   string
	err error
}

// A queued send goes when the outbox flushes; the read after it waits
// for the answer without reading first, and gets it.
func TestWriteLaterSendsAtFlush(t *testing.T) {
	c, p := polledPair(t)
	o := heldOutbox()
	if !c.WriteLater(o, []byte("ping")) {
		t.Fatal("WriteLater refused a small send")
	}
	if c.WriteLater(o, []byte("again")) {
		t.Fatal("WriteLater queued a second send beside a pending one")
	}
	// Data the peer sent before the flush is not read while the send
	// is queued: the read waits, it does not fail.
	got := readAsync(c, 5*time.Second)
	p.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, _ := p.Read(make([]byte, 8)); n != 0 {
		t.Fatal("the peer got bytes before the flush")
	}
	select {
	case r := <-got:
		t.Fatalf("read returned before the flush: %q, %v", r.s, r.err)
	case <-time.After(50 * time.Millisecond):
	}
	o.flush()
	if c.WritePending() {
		t.Fatal("send still pending after the flush")
	}
	p.SetReadDeadline(time.Now().Add(2 * time.Second))
	b := make([]byte, 8)
	n, err := p.Read(b)
	if err != nil || string(b[:n]) != "ping" {
		t.Fatalf("peer read %q, %v", b[:n], err)
	}
	p.Write([]byte("pong"))
	if r := <-got; r.err != nil || r.s != "pong" {
		t.Fatalf("read %q, %v; want pong", r.s, r.err)
	}
}

// A send the socket's buffer cannot take whole at the flush is finished
// by the connection's next read, which then waits for the answer.
func TestWriteLaterFinishedByRead(t *testing.T) {
	c, p := polledPair(t)
	// Fill the socket's buffers: the flush then sends nothing.
	junk := make([]byte, 64<<10)
	filled := 0
	for {
		n, err := unix.SendmsgN(c.fd, junk, nil, nil, unix.MSG_DONTWAIT)
		if err == syscall.EAGAIN {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		filled += n
	}
	msg := bytes.Repeat([]byte("m"), laterMax)
	o := heldOutbox()
	if !c.WriteLater(o, msg) {
		t.Fatal("WriteLater refused")
	}
	o.flush()
	if !c.WritePending() {
		t.Fatal("a send that could not go is not pending")
	}
	got := readAsync(c, 5*time.Second)
	p.SetReadDeadline(time.Now().Add(5 * time.Second))
	all, err := io.ReadAll(io.LimitReader(p, int64(filled+len(msg))))
	if err != nil || len(all) != filled+len(msg) || !bytes.Equal(all[filled:], msg) {
		t.Fatalf("peer read %d bytes (want %d), %v; tail intact: %v", len(all), filled+len(msg), err, len(all) == filled+len(msg) && bytes.Equal(all[filled:], msg))
	}
	p.Write([]byte("done"))
	if r := <-got; r.err != nil || r.s != "done" {
		t.Fatalf("read %q, %v; want done", r.s, r.err)
	}
}

// A send that fails at the flush (the peer reset the connection) is the
// next read's error, marked ErrWriteLater.
func TestWriteLaterErrorComesBackOnRead(t *testing.T) {
	c, p := polledPair(t)
	p.(*net.TCPConn).SetLinger(0)
	p.Close() // a reset
	time.Sleep(50 * time.Millisecond)
	o := heldOutbox()
	if !c.WriteLater(o, []byte("ping")) {
		t.Fatal("WriteLater refused")
	}
	o.flush()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := c.Read(make([]byte, 8))
	if !errors.Is(err, ErrWriteLater) {
		t.Fatalf("read error %v, want ErrWriteLater", err)
	}
	if c.WritePending() {
		t.Fatal("still pending after the error was reported")
	}
}

// SettleLater sends a queued send at once; the outbox's flush then finds
// nothing to send (the peer gets it once).
func TestSettleLaterSendsOnce(t *testing.T) {
	c, p := polledPair(t)
	o := heldOutbox()
	c.WriteLater(o, []byte("once"))
	if err := c.SettleLater(); err != nil {
		t.Fatal(err)
	}
	o.flush()
	c.Close()
	p.SetReadDeadline(time.Now().Add(2 * time.Second))
	b, err := io.ReadAll(p)
	if err != nil || string(b) != "once" {
		t.Fatalf("peer read %q, %v; want once", b, err)
	}
}

// An outbox started by NewOutbox flushes by itself.
func TestOutboxFlushesByItself(t *testing.T) {
	c, p := polledPair(t)
	if !c.WriteLater(NewOutbox(), []byte("ping")) {
		t.Fatal("WriteLater refused")
	}
	got := readAsync(c, 5*time.Second)
	p.SetReadDeadline(time.Now().Add(2 * time.Second))
	b := make([]byte, 8)
	if n, err := p.Read(b); err != nil || string(b[:n]) != "ping" {
		t.Fatalf("peer read %q, %v", b[:n], err)
	}
	p.Write([]byte("pong"))
	if r := <-got; r.err != nil || r.s != "pong" {
		t.Fatalf("read %q, %v", r.s, r.err)
	}
}
