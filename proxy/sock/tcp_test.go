package sock

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func dialLoopback(t *testing.T, ln net.Listener, timeout time.Duration) (*TCPConn, error) {
	t.Helper()
	ap := netip.MustParseAddrPort(ln.Addr().String())
	return DialTCP(ap, timeout, DialOpts{})
}

func TestDialTCPExchangesAndHalfCloses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c) // until our CloseWrite
		c.Write([]byte("re:" + string(b)))
		got <- c.RemoteAddr().String()
	}()
	c, err := dialLoopback(t, ln, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.RemoteAddr().String() != ln.Addr().String() {
		t.Errorf("RemoteAddr %v, want %v", c.RemoteAddr(), ln.Addr())
	}
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	b, err := io.ReadAll(c)
	if err != nil || string(b) != "re:ping" {
		t.Fatalf("read %q, %v", b, err)
	}
	if peer := <-got; peer != c.LocalAddr().String() {
		t.Errorf("LocalAddr %v, the server saw %v", c.LocalAddr(), peer)
	}
	var fd int
	rc, _ := c.SyscallConn()
	rc.Control(func(f uintptr) { fd = int(f) })
	if v, _ := unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY); v != 1 {
		t.Errorf("TCP_NODELAY %d, want 1 as haproxy", v)
	}
	if v, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE); v != 0 {
		t.Errorf("SO_KEEPALIVE %d without srvtcpka", v)
	}
}

func TestDialTCPRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // nothing listens there now
	_, err = dialLoopback(t, ln, 2*time.Second)
	var oe *net.OpError
	if !errors.Is(err, syscall.ECONNREFUSED) || !errors.As(err, &oe) || oe.Op != "dial" {
		t.Fatalf("err %v, want a dial error with ECONNREFUSED", err)
	}
}

// A listener whose accept queue is full drops SYNs: the connect stays in
// progress until the deadline.
func TestDialTCPTimesOut(t *testing.T) {
	fd, port := boundLoopbackSocket(t)
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	ap := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(port))
	var fill []*TCPConn
	defer func() {
		for _, c := range fill {
			c.Close()
		}
	}()
	for i := 0; i < 8; i++ {
		start := time.Now()
		c, err := DialTCP(ap, 300*time.Millisecond, DialOpts{})
		if err == nil {
			fill = append(fill, c)
			continue
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("err %v, want a timeout", err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("err %v is not a net.Error timeout", err)
		}
		if d := time.Since(start); d < 250*time.Millisecond || d > 2*time.Second {
			t.Fatalf("timed out after %v, want about 300ms", d)
		}
		return
	}
	t.Fatal("the accept queue never filled")
}

func TestSetLingerZeroResets(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	res := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			res <- err
			return
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, err = c.Read(make([]byte, 1))
		res <- err
	}()
	c, err := dialLoopback(t, ln, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetLinger(0); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := <-res; !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the server read %v, want a reset", err)
	}
}

// Close of a raw socket: a plain FIN without linger (the raw close), and
// after SetLinger with a time the data still goes out before it.
func TestCloseSendsFINWithOrWithoutLinger(t *testing.T) {
	for _, linger := range []int{-1, 1} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		res := make(chan []byte, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				res <- nil
				return
			}
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			b, _ := io.ReadAll(c) // until the FIN; an error (a reset) leaves it short
			res <- b
		}()
		c, err := dialLoopback(t, ln, 0)
		if err != nil {
			t.Fatal(err)
		}
		if linger >= 0 {
			if err := c.SetLinger(linger); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.Write([]byte("last words")); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatalf("linger %d: close: %v", linger, err)
		}
		if err := c.Close(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("linger %d: second close: %v, want net.ErrClosed", linger, err)
		}
		if got := <-res; string(got) != "last words" {
			t.Errorf("linger %d: the server read %q, want all of it then the end", linger, got)
		}
		ln.Close()
	}
}

func TestOwnTCPListenerAccepts(t *testing.T) {
	for _, tc := range []struct{ network, bind, host string }{
		{"tcp4", "127.0.0.1:0", "127.0.0.1"},
		{"tcp4", "0.0.0.0:0", "127.0.0.1"},
		{"tcp6", "[::1]:0", "::1"},
	} {
		bind := tc.bind
		ln, err := net.Listen(tc.network, bind)
		if err != nil {
			if tc.network == "tcp6" {
				t.Logf("no IPv6 loopback here: %v", err)
				continue
			}
			t.Fatal(err)
		}
		l, err := OwnTCPListener(ln.(*net.TCPListener))
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		// the dialer under test too, by address family
		cli, err := DialTCP(netip.AddrPortFrom(netip.MustParseAddr(tc.host), uint16(port)), time.Second, DialOpts{})
		if err != nil {
			t.Fatal(err)
		}
		c, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		// TCP_NODELAY, set on the listener, came with the connection
		if v, err := unix.GetsockoptInt(c.(*TCPConn).RawFD(), unix.IPPROTO_TCP, unix.TCP_NODELAY); v != 1 || err != nil {
			t.Errorf("%s: accepted connection's TCP_NODELAY %d, %v", bind, v, err)
		}
		if c.RemoteAddr().String() != cli.LocalAddr().String() || c.LocalAddr().String() != cli.RemoteAddr().String() {
			t.Errorf("%s: accepted %v -> %v, the client is %v -> %v", bind, c.RemoteAddr(), c.LocalAddr(), cli.LocalAddr(), cli.RemoteAddr())
		}
		cli.Write([]byte("x"))
		b := make([]byte, 4)
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if n, err := c.Read(b); n != 1 || err != nil {
			t.Errorf("read %d, %v", n, err)
		}
		cli.Close()
		if n, err := c.Read(b); n != 0 || err != io.EOF {
			t.Errorf("after the client's close: %d, %v; want io.EOF", n, err)
		}
		c.Close()

		l.SetDeadline(time.Now().Add(50 * time.Millisecond))
		var ne net.Error
		if _, err := l.Accept(); !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("Accept past the deadline: %v, want a timeout", err)
		}
		l.SetDeadline(time.Time{})
		done := make(chan error, 1)
		go func() { _, err := l.Accept(); done <- err }()
		time.Sleep(20 * time.Millisecond)
		l.Close()
		select {
		case err := <-done:
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("Close did not end a pending Accept")
		}
	}
}

// connectedPair is a dialed connection and its accepted peer on loopback,
// both closed at the test's end.
func connectedPair(t *testing.T) (*TCPConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			peer <- c
		}
	}()
	c, err := dialLoopback(t, ln, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	p := <-peer
	t.Cleanup(func() { p.Close() })
	return c, p
}

// A connection starts outside Go's poller and joins it when an operation
// would block: a read waiting for late data, a write larger than the
// socket's buffers, a read past its deadline, a Close under a blocked
// read all behave as net.TCPConn's.
func TestTCPConnJoinsPollerWhenBlocked(t *testing.T) {
	c, p := connectedPair(t)
	if c.polled.Load() {
		t.Fatal("a connected loopback socket joined the poller before any wait")
	}

	// A deadline already passed: a timeout, data or not.
	c.SetReadDeadline(time.Now().Add(-time.Second))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v", err)
	}
	// Late data with a deadline set while raw.
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	go func() { time.Sleep(50 * time.Millisecond); p.Write([]byte("late")) }()
	b := make([]byte, 8)
	if n, err := c.Read(b); err != nil || string(b[:n]) != "late" {
		t.Fatalf("late read %q, %v", b[:n], err)
	}
	if !c.polled.Load() {
		t.Fatal("a read that had to wait did not join the poller")
	}
	// The deadline handed to the poller still holds.
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Read(b); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read with nothing to come: %v", err)
	}
	c.SetReadDeadline(time.Time{})

	// A write larger than the buffers completes once the peer reads.
	big := make([]byte, 8<<20)
	got := make(chan int64, 1)
	go func() { n, _ := io.Copy(io.Discard, p); got <- n }()
	if n, err := c.Write(big); n != len(big) || err != nil {
		t.Fatalf("big write: %d, %v", n, err)
	}
	c.CloseWrite()
	if n := <-got; n != int64(len(big)) {
		t.Fatalf("the peer read %d of %d", n, len(big))
	}

	// Close ends a blocked read.
	res := make(chan error, 1)
	go func() { _, err := c.Read(b); res <- err }()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-res:
		if err == nil {
			t.Fatal("read after Close: no error")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not end a blocked read")
	}
}

// A raw connection (never in the poller) closes once, and its
// descriptor goes.
func TestRawTCPConnClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := dialLoopback(t, ln, 0)
	if err != nil {
		t.Fatal(err)
	}
	fd := c.RawFD()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != unix.EBADF {
		t.Errorf("descriptor %d still open after Close (%v)", fd, err)
	}
}

// Deadlines reach the poller lazily (armRead): one moved later while a
// read waits still ends the read at the later instant, not the earlier;
// one moved earlier ends it at once; one cleared lets it wait on.
func TestTCPConnLazyDeadlines(t *testing.T) {
	c, p := connectedPair(t)
	b := make([]byte, 8)

	// Join the poller with a short deadline, then move it later.
	c.SetReadTimeout(100 * time.Millisecond)
	start := time.Now()
	res := make(chan error, 1)
	go func() { _, err := c.Read(b); res <- err }()
	time.Sleep(30 * time.Millisecond)
	c.SetReadDeadline(start.Add(400 * time.Millisecond))
	err := <-res
	if el := time.Since(start); !errors.Is(err, os.ErrDeadlineExceeded) || el < 380*time.Millisecond || el > 2*time.Second {
		t.Fatalf("read with its deadline moved later: %v after %v, want a timeout at 400 ms", err, el)
	}

	// Moved earlier from another goroutine: the read ends at once.
	c.SetReadDeadline(time.Now().Add(time.Hour))
	start = time.Now()
	go func() { _, err := c.Read(b); res <- err }()
	time.Sleep(30 * time.Millisecond)
	c.SetReadDeadline(time.Now())
	err = <-res
	if el := time.Since(start); !errors.Is(err, os.ErrDeadlineExceeded) || el > time.Second {
		t.Fatalf("read interrupted by an earlier deadline: %v after %v", err, el)
	}

	// Cleared after a short one was armed: the read waits for data.
	c.SetReadTimeout(50 * time.Millisecond)
	go func() { time.Sleep(20 * time.Millisecond); c.SetReadDeadline(time.Time{}) }()
	go func() { time.Sleep(200 * time.Millisecond); p.Write([]byte("data")) }()
	if n, err := c.Read(b); err != nil || string(b[:n]) != "data" {
		t.Fatalf("read with its deadline cleared: %q, %v", b[:n], err)
	}

	// The same through SyscallConn (splice, hot waits).
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadTimeout(50 * time.Millisecond)
	c.SetReadTimeout(250 * time.Millisecond)
	start = time.Now()
	err = rc.Read(func(fd uintptr) bool {
		_, err := Recv(int(fd), b, 0)
		return err != syscall.EAGAIN
	})
	if el := time.Since(start); !errors.Is(err, os.ErrDeadlineExceeded) || el < 230*time.Millisecond {
		t.Fatalf("raw read wait: %v after %v, want a timeout at 250 ms", err, el)
	}
}

// WriteBeforeClose keeps the end of what it writes in the kernel until
// the connection closes, when it leaves with the FIN: the peer reads
// nothing before the close, then all of it and the end. A plain Write
// after it sends at once again, the held part first.
func TestWriteBeforeCloseLeavesWithTheFIN(t *testing.T) {
	c, p := connectedPair(t)
	if _, err := c.WriteBeforeClose([]byte("last words")); err != nil {
		t.Fatal(err)
	}
	var b [64]byte
	p.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, err := p.Read(b[:]); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("before the close the peer read %q (%v), want nothing yet", b[:n], err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	p.SetReadDeadline(time.Now().Add(2 * time.Second))
	if got, err := io.ReadAll(p); string(got) != "last words" || err != nil {
		t.Fatalf("after the close the peer read %q (%v), want all of it then the end", got, err)
	}

	c, p = connectedPair(t)
	if _, err := c.WriteBeforeClose([]byte("held ")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("and sent")); err != nil {
		t.Fatal(err)
	}
	p.SetReadDeadline(time.Now().Add(2 * time.Second))
	want := "held and sent"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(p, got); string(got) != want || err != nil {
		t.Fatalf("with the connection open the peer read %q (%v), want %q", got, err, want)
	}
}

// segsIn is the number of segments the kernel has taken in on c.
func segsIn(t *testing.T, c net.Conn) uint32 {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var info *unix.TCPInfo
	var ierr error
	rc.Control(func(fd uintptr) { info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO) })
	if ierr != nil {
		t.Fatal(ierr)
	}
	return info.Segs_in
}

// With DelayAck the handshake's last ACK waits for the first data and
// leaves on its segment: the server's socket takes in one segment fewer
// than after a plain dial (the SYN and the data, not the SYN, a bare ACK
// and the data).
func TestDialDelayAckSavesTheBareACK(t *testing.T) {
	serverSegs := func(opts DialOpts) uint32 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		c, err := DialTCP(netip.MustParseAddrPort(ln.Addr().String()), time.Second, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := io.ReadFull(s, make([]byte, 5)); err != nil {
			t.Fatal(err)
		}
		return segsIn(t, s)
	}
	plain := serverSegs(DialOpts{})
	// a stall longer than the delayed-ACK timer between the connect and
	// the write would send the ACK alone: the best of three
	delayed := serverSegs(DialOpts{DelayAck: true})
	for i := 0; i < 2 && delayed >= plain; i++ {
		delayed = min(delayed, serverSegs(DialOpts{DelayAck: true}))
	}
	if delayed != plain-1 {
		t.Fatalf("the server took in %d segments with DelayAck, %d without: want one fewer", delayed, plain)
	}
}
