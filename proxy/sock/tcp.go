package sock

import (
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TCPConn is a TCP connection made by a TCPDest or accepted by a
// TCPListener. It is what a *net.TCPConn is to the engine (reads and
// writes through Go's poller, deadlines, half-closes, the descriptor for
// splice) without what the net package costs per connection:
//
//   - dialing: address parsing, the dial machinery, getsockname,
//     getpeername and getsockopt after the connect, and a park in the
//     poller for a connect that loopback has already finished (about
//     6 µs per new server connection in the close load's profile);
//   - accepting: getsockname for an address the listener knows, and the
//     getsockopt(SO_PROTOCOL) x/sys/unix's Accept4 makes to decode the
//     peer's address;
//   - reads and writes: recvfrom(2) and sendto(2), as haproxy's, not
//     read(2) and write(2), which also go through the VFS layer;
//   - the poller: a socket joins Go's poller only when an operation would
//     block (haproxy also subscribes a socket only when it must wait). A
//     connection whose request, answer and close never wait — most new
//     connections on loopback — costs no epoll_ctl at all, where the net
//     package makes two (add, and delete at close);
//   - deadlines: see armRead.
//
// Until it joins the poller ("raw"), operations run under mu, so that a
// Close from another goroutine cannot close the descriptor under a
// system call; deadlines asked meanwhile are kept and checked, then
// handed to the poller.
type TCPConn struct {
	fd    int
	raddr *net.TCPAddr
	laddr net.Addr // nil until the first LocalAddr (a wildcard listener, a dial)

	polled   atomic.Bool // f and rc are set (never unset)
	mu       sync.Mutex
	closed   bool     // raw: under mu
	lingers  bool     // SO_LINGER with a time was set: close may wait (under mu)
	rdl, wdl deadline // see armRead
	f        *os.File
	rc       syscall.RawConn

	// Poller I/O: the functions are bound once, at registration. The
	// poller calls one at once, before any wait, even right after a
	// raw attempt found the socket not ready: it clears the readiness
	// it may have recorded, so it must try again (skipping that try
	// lost wake-ups).
	readFn, writeFn func(fd uintptr) bool
	rbuf, wbuf      []byte
	rn, wn          int
	rerr, werr      error
	wflags          uintptr // sendto's flags beyond MSG_NOSIGNAL for wbuf
}

// TCPDest is a server address made ready for connecting once, for every
// connection to it: its socket address in the kernel's form (no
// per-connection conversion or allocation) and its net.Addr.
type TCPDest struct {
	family int
	sa     unix.RawSockaddrInet6 // or a RawSockaddrInet4 in its first bytes
	salen  uintptr
	raddr  *net.TCPAddr
}

// NewTCPDest prepares dst.
func NewTCPDest(dst netip.AddrPort) *TCPDest {
	d := &TCPDest{raddr: net.TCPAddrFromAddrPort(dst)}
	port := dst.Port()
	if a := dst.Addr(); a.Is4() || a.Is4In6() {
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(&d.sa))
		sa4.Family = unix.AF_INET
		putPort(&sa4.Port, port)
		sa4.Addr = a.Unmap().As4()
		d.family, d.salen = unix.AF_INET, unix.SizeofSockaddrInet4
		return d
	}
	d.sa.Family = unix.AF_INET6
	putPort(&d.sa.Port, port)
	d.sa.Addr = dst.Addr().As16()
	if z := dst.Addr().Zone(); z != "" {
		if ifi, err := net.InterfaceByName(z); err == nil {
			d.sa.Scope_id = uint32(ifi.Index)
		}
	}
	d.family, d.salen = unix.AF_INET6, unix.SizeofSockaddrInet6
	return d
}

// putPort stores a port in network byte order.
func putPort(dst *uint16, port uint16) {
	b := (*[2]byte)(unsafe.Pointer(dst))
	b[0], b[1] = byte(port>>8), byte(port)
}

// connect asks the kernel to connect fd to d.
//
// The socket is non-blocking, so connect never sleeps, but on loopback
// the whole handshake runs inside it (tens of µs): through the
// scheduler's system-call path (syscall.Syscall) sysmon could take the P
// away meanwhile and hand it to another thread, a context switch each
// way on the proxy's one CPU. RawSyscall keeps the P.
func (d *TCPDest) connect(fd int) error {
	_, _, e := syscall.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&d.sa)), d.salen)
	if e != 0 {
		return e
	}
	return nil
}

// DialTCP connects to dst within timeout (0: none); see TCPDest.Dial.
func DialTCP(dst netip.AddrPort, timeout time.Duration, opts DialOpts) (*TCPConn, error) {
	return NewTCPDest(dst).Dial(timeout, opts)
}

// DialOpts are the socket options a dial sets before its connect.
type DialOpts struct {
	// KeepAlive sets SO_KEEPALIVE (haproxy's srvtcpka: the system's
	// timings).
	KeepAlive bool
	// DelayAck turns TCP_QUICKACK off, so that the handshake's last ACK
	// waits for the first data and leaves on its segment instead of
	// alone (haproxy's "option tcp-smart-connect"): for a caller that
	// writes at once; else the ACK leaves when the delayed-ACK timer
	// ends, and a server that speaks first waits for it.
	DelayAck bool
}

// Dial connects to d within timeout (0: none). The socket is made and
// connected as haproxy does (TCP_NODELAY, then opts, before the
// connect); a connect that returns EINPROGRESS is asked again at once,
// since on loopback the handshake is usually complete by then.
func (d *TCPDest) Dial(timeout time.Duration, opts DialOpts) (*TCPConn, error) {
	fd, err := unix.Socket(d.family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return nil, dialError(d.raddr, "socket", err)
	}
	setsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if opts.KeepAlive {
		setsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
	}
	if opts.DelayAck {
		setsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_QUICKACK, 0)
	}
	pending := false
	switch err = d.connect(fd); err {
	case nil:
	case unix.EINPROGRESS, unix.EINTR:
		pending, err = d.connectAgain(fd)
	}
	if err != nil {
		unix.Close(fd)
		return nil, dialError(d.raddr, "connect", err)
	}
	c := newTCPConn(fd, d.raddr, nil)
	if !pending {
		return c, nil
	}
	c.mu.Lock()
	err = c.registerLocked()
	c.mu.Unlock()
	if err != nil {
		c.Close()
		return nil, dialError(d.raddr, "connect", err)
	}
	if timeout > 0 {
		c.armWrite(monoAfter(nanotime(), timeout))
	}
	var cerr error
	werr := c.waitWrite(func(fd uintptr) bool {
		pending, cerr = d.connectAgain(int(fd))
		return !pending
	})
	if timeout > 0 {
		c.armWrite(0)
	}
	if werr != nil {
		cerr = werr
	}
	if cerr != nil {
		c.Close()
		if cerr == os.ErrDeadlineExceeded {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: d.raddr, Err: cerr}
		}
		return nil, dialError(d.raddr, "connect", cerr)
	}
	return c, nil
}

// connectAgain asks a connect in progress how it went (haproxy's
// sock_conn_check does the same): pending while it goes on, else the
// connect's own error (nil: connected).
func (d *TCPDest) connectAgain(fd int) (pending bool, err error) {
	switch err = d.connect(fd); err {
	case nil, unix.EISCONN:
		return false, nil
	case unix.EALREADY, unix.EINPROGRESS, unix.EINTR:
		return true, nil
	}
	return false, err
}

func dialError(raddr *net.TCPAddr, call string, err error) error {
	return &net.OpError{Op: "dial", Net: "tcp", Addr: raddr, Err: os.NewSyscallError(call, err)}
}

// deadline is one direction's deadline: the one asked (monotonic, 0:
// none) and the one the poller has (under the connection's mu).
type deadline struct {
	asked atomic.Int64
	armed int64
}

// newTCPConn makes the connection of socket fd (a raw one: see TCPConn).
func newTCPConn(fd int, raddr *net.TCPAddr, laddr net.Addr) *TCPConn {
	return &TCPConn{fd: fd, raddr: raddr, laddr: laddr}
}

// registerLocked hands the socket to Go's poller (under mu).
func (c *TCPConn) registerLocked() error {
	if c.polled.Load() {
		return nil
	}
	if c.closed {
		return net.ErrClosed
	}
	f := os.NewFile(uintptr(c.fd), "")
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	c.f, c.rc, c.readFn, c.writeFn = f, rc, c.recv, c.send
	for _, write := range [2]bool{false, true} {
		if m := c.deadline(write).asked.Load(); m != 0 {
			c.setPollDeadline(write, m)
		}
	}
	c.polled.Store(true)
	return nil
}

// lockRaw locks mu and reports true while the socket is raw (not in the
// poller yet); once it has joined, false, with mu left unlocked.
func (c *TCPConn) lockRaw() bool {
	if c.polled.Load() {
		return false
	}
	c.mu.Lock()
	if c.polled.Load() {
		c.mu.Unlock()
		return false
	}
	return true
}

// rawCheck is what the poller checks before an operation: the
// connection is open and the deadline (monotonic, 0: none) not passed.
func (c *TCPConn) rawCheck(op string, deadline int64) error {
	if c.closed {
		return c.opError(op, net.ErrClosed)
	}
	if deadline != 0 && nanotime() >= deadline {
		return c.opError(op, os.ErrDeadlineExceeded)
	}
	return nil
}

// Deadlines are armed in the poller lazily. Moving a deadline there
// costs two clock reads and a timer update, and the engine moves the
// read deadline of a keep-alive connection forward at every request. So
// a deadline that moves later is only recorded (asked); the poller keeps
// the earlier one (armed), and when that one expires, the wait checks the
// deadline asked: passed, it is a timeout; not yet, the poller gets it
// and the wait goes on. A deadline moved earlier (a timeout shortened,
// a wait interrupted from another goroutine) is armed at once.

// armRead asks for the read deadline m (monotonic, 0: none).
func (c *TCPConn) armRead(m int64) { c.arm(false, m) }

// armWrite is armRead for writes.
func (c *TCPConn) armWrite(m int64) { c.arm(true, m) }

func (c *TCPConn) deadline(write bool) *deadline {
	if write {
		return &c.wdl
	}
	return &c.rdl
}

func (c *TCPConn) arm(write bool, m int64) {
	d := c.deadline(write)
	d.asked.Store(m)
	if !c.polled.Load() {
		return // registerLocked arms it if the socket joins
	}
	c.mu.Lock()
	if m != 0 && (d.armed == 0 || m < d.armed) {
		c.setPollDeadline(write, m)
	}
	c.mu.Unlock()
}

// setPollDeadline gives the poller the deadline m (mu held, or before
// the socket is published as polled).
func (c *TCPConn) setPollDeadline(write bool, m int64) {
	if write {
		c.f.SetWriteDeadline(monoTime(m))
	} else {
		c.f.SetReadDeadline(monoTime(m))
	}
	c.deadline(write).armed = m
}

// rearm is called when the poller's deadline expired: true when the
// deadline asked has not passed, which the poller now has.
func (c *TCPConn) rearm(write bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.deadline(write).asked.Load()
	if m != 0 && nanotime() >= m {
		return false
	}
	c.setPollDeadline(write, m)
	return true
}

// waitRead runs fn through the poller (the socket has joined it) until
// it reports done, under the deadline asked.
func (c *TCPConn) waitRead(fn func(fd uintptr) bool) error {
	for {
		err := c.rc.Read(fn)
		if err != os.ErrDeadlineExceeded || !c.rearm(false) {
			return err
		}
	}
}

func (c *TCPConn) waitWrite(fn func(fd uintptr) bool) error {
	for {
		err := c.rc.Write(fn)
		if err != os.ErrDeadlineExceeded || !c.rearm(true) {
			return err
		}
	}
}

// Read reads as net.TCPConn.Read: io.EOF at the end of the stream,
// os.ErrDeadlineExceeded when the read deadline passes.
func (c *TCPConn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if c.lockRaw() {
		if err := c.rawCheck("read", c.rdl.asked.Load()); err != nil {
			c.mu.Unlock()
			return 0, err
		}
		c.rbuf, c.rn, c.rerr = b, 0, nil
		done := c.recv(uintptr(c.fd))
		c.rbuf = nil
		if done {
			c.mu.Unlock()
			return c.readResult()
		}
		err := c.registerLocked() // it would block: wait in the poller
		c.mu.Unlock()
		if err != nil {
			return 0, c.opError("read", err)
		}
	}
	c.rbuf, c.rn, c.rerr = b, 0, nil
	err := c.waitRead(c.readFn)
	c.rbuf = nil
	if err != nil {
		return 0, c.opError("read", err)
	}
	return c.readResult()
}

// TryRead reads what has come, without waiting and without joining the
// poller: syscall.EAGAIN when nothing has (or when the socket is in the
// poller already), io.EOF at the end of the stream.
func (c *TCPConn) TryRead(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if !c.lockRaw() {
		return 0, syscall.EAGAIN
	}
	if c.closed {
		c.mu.Unlock()
		return 0, c.opError("read", net.ErrClosed)
	}
	c.rbuf, c.rn, c.rerr = b, 0, nil
	done := c.recv(uintptr(c.fd))
	c.rbuf = nil
	c.mu.Unlock()
	if !done {
		return 0, syscall.EAGAIN
	}
	return c.readResult()
}

func (c *TCPConn) readResult() (int, error) {
	n, err := c.rn, c.rerr
	c.rn, c.rerr = 0, nil
	if err != nil {
		return 0, c.opError("read", os.NewSyscallError("recvfrom", err))
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// rawIOMax is the largest read or write made with a raw system call (no
// word to the scheduler): a non-blocking recvfrom or sendto of that much
// on a socket returns in a few microseconds, and the scheduler's
// bookkeeping around a system call (entersyscall, exitsyscall) was about
// 4 % of goproxy's user time per keep-alive request. Larger copies go
// through syscall.Syscall, so that a long one lets other goroutines run.
const rawIOMax = 16 << 10

// recv reads into rbuf: false when it would block.
func (c *TCPConn) recv(fd uintptr) bool {
	for {
		r, e := sockIO(syscall.SYS_RECVFROM, fd, c.rbuf, 0)
		switch e {
		case 0:
			c.rn = r
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		c.rerr = e
		return true
	}
}

// Recv is recvfrom(2) on socket fd with flags, no address asked:
// syscall.Errno errors, EAGAIN when nothing is there.
func Recv(fd int, p []byte, flags int) (int, error) {
	n, e := sockIO(syscall.SYS_RECVFROM, uintptr(fd), p, uintptr(flags))
	if e != 0 {
		return 0, e
	}
	return n, nil
}

// sockIO makes recvfrom or sendto (trap) on p, raw up to rawIOMax.
func sockIO(trap, fd uintptr, p []byte, flags uintptr) (int, syscall.Errno) {
	if len(p) <= rawIOMax {
		r, _, e := syscall.RawSyscall6(trap, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)), flags, 0, 0)
		return int(r), e
	}
	r, _, e := syscall.Syscall6(trap, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)), flags, 0, 0)
	return int(r), e
}

// Write writes all of b unless an error or the write deadline stops it.
func (c *TCPConn) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	c.wbuf, c.wn, c.werr = b, 0, nil
	if c.lockRaw() {
		if err := c.rawCheck("write", c.wdl.asked.Load()); err != nil {
			c.mu.Unlock()
			c.wbuf = nil
			return 0, err
		}
		if c.send(uintptr(c.fd)) {
			c.mu.Unlock()
			return c.writeResult()
		}
		err := c.registerLocked() // the socket's buffer is full: wait in the poller
		c.mu.Unlock()
		if err != nil {
			n := c.wn
			c.wbuf = nil
			return n, c.opError("write", err)
		}
	}
	if err := c.waitWrite(c.writeFn); err != nil {
		n := c.wn
		c.wbuf = nil
		return n, c.opError("write", err)
	}
	return c.writeResult()
}

// WriteBeforeClose writes b as Write does, for a caller that closes (or
// shuts down) the connection right after: the last part of b stays in the
// kernel (MSG_MORE) until then, and goes out in one segment with the FIN,
// where a send and then a close make two (each segment sent on loopback
// costs its receiver's processing too, on the sender's CPU). A caller
// that does not close at once leaves that part unsent.
func (c *TCPConn) WriteBeforeClose(b []byte) (int, error) {
	c.wflags = unix.MSG_MORE
	n, err := c.Write(b)
	c.wflags = 0
	return n, err
}

func (c *TCPConn) writeResult() (int, error) {
	n, err := c.wn, c.werr
	c.wbuf, c.werr = nil, nil
	if err != nil {
		return n, c.opError("write", os.NewSyscallError("sendto", err))
	}
	return n, nil
}

// send writes what is left of wbuf: false when it would block first.
func (c *TCPConn) send(fd uintptr) bool {
	for c.wn < len(c.wbuf) {
		r, e := sockIO(syscall.SYS_SENDTO, fd, c.wbuf[c.wn:], unix.MSG_NOSIGNAL|c.wflags)
		switch e {
		case 0:
			c.wn += r
			continue
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		c.werr = e
		return true
	}
	return true
}

func (c *TCPConn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.laddr, Addr: c.raddr, Err: err}
}

// Close closes the connection (a FIN, or a reset after SetLinger(0)).
func (c *TCPConn) Close() error {
	if c.lockRaw() {
		defer c.mu.Unlock()
		if c.closed {
			return c.opError("close", net.ErrClosed)
		}
		c.closed = true
		if c.lingers {
			return unix.Close(c.fd)
		}
		// Without a linger time close(2) of a socket does not wait (the
		// FIN or RST goes out behind it): no system-call bookkeeping,
		// as for the other calls that cannot block.
		return errnoErr(syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(c.fd), 0, 0))
	}
	return c.f.Close()
}

// Socket calls made on the descriptor by sockCall.
const (
	callShutdown  = iota // arg: how
	callLinger           // arg: seconds, < 0 off
	callKeepAlive        // arg: 0 or 1
)

// sockCall makes one of the calls above on the open descriptor; a raw
// socket's costs no closure (no allocation).
func (c *TCPConn) sockCall(call, arg int) error {
	if c.lockRaw() {
		defer c.mu.Unlock()
		if c.closed {
			return net.ErrClosed
		}
		if call == callLinger && arg > 0 {
			c.lingers = true
		}
		return doSockCall(c.fd, call, arg)
	}
	var err error
	if cerr := c.rc.Control(func(fd uintptr) { err = doSockCall(int(fd), call, arg) }); cerr != nil {
		return cerr
	}
	return err
}

func doSockCall(fd, call, arg int) error {
	switch call {
	case callShutdown:
		return errnoErr(syscall.RawSyscall(syscall.SYS_SHUTDOWN, uintptr(fd), uintptr(arg), 0))
	case callLinger:
		var l unix.Linger
		if arg >= 0 {
			l.Onoff, l.Linger = 1, int32(arg)
		}
		return errnoErr(syscall.RawSyscall6(syscall.SYS_SETSOCKOPT, uintptr(fd), unix.SOL_SOCKET, unix.SO_LINGER, uintptr(unsafe.Pointer(&l)), unsafe.Sizeof(l), 0))
	case callKeepAlive:
		return setsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, arg)
	}
	return syscall.EINVAL
}

// setsockoptInt sets an int option with a raw system call (it does not
// block).
func setsockoptInt(fd, level, opt, v int) error {
	i := int32(v)
	return errnoErr(syscall.RawSyscall6(syscall.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), uintptr(unsafe.Pointer(&i)), 4, 0))
}

func errnoErr(_, _ uintptr, e syscall.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

// Polled reports whether the socket has joined Go's poller (it never
// leaves it): what a connection that never waited saves (tests).
func (c *TCPConn) Polled() bool { return c.polled.Load() }

// RawFD is the descriptor, without joining the poller (show sess, the
// idle poller, peeks). It stays valid until Close.
func (c *TCPConn) RawFD() int { return c.fd }

// RemoteAddr is the peer's address.
func (c *TCPConn) RemoteAddr() net.Addr { return c.raddr }

// LocalAddr asks the system the first time only: most connections are
// never asked.
func (c *TCPConn) LocalAddr() net.Addr {
	if c.laddr != nil {
		return c.laddr
	}
	var sa unix.Sockaddr
	if c.lockRaw() {
		if !c.closed {
			sa, _ = unix.Getsockname(c.fd)
		}
		c.mu.Unlock()
	} else {
		c.rc.Control(func(fd uintptr) { sa, _ = unix.Getsockname(int(fd)) })
	}
	if sa == nil {
		return &net.TCPAddr{}
	}
	c.laddr = sockaddrTCP(sa)
	return c.laddr
}

func (c *TCPConn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

func (c *TCPConn) SetReadDeadline(t time.Time) error {
	c.armRead(monoOf(t))
	return nil
}

func (c *TCPConn) SetWriteDeadline(t time.Time) error {
	c.armWrite(monoOf(t))
	return nil
}

// SetReadTimeout sets the read deadline d from now (d ≤ 0: none), with
// one clock read where SetReadDeadline(time.Now().Add(d)) makes two.
func (c *TCPConn) SetReadTimeout(d time.Duration) { c.SetReadTimeoutFrom(nanotime(), d) }

// SetReadTimeoutFrom sets the read deadline d after the monotonic
// instant now (clock.Mono, read by the caller a moment ago: no clock
// read here).
func (c *TCPConn) SetReadTimeoutFrom(now int64, d time.Duration) {
	m := int64(0)
	if d > 0 {
		m = monoAfter(now, d)
	}
	c.armRead(m)
}

// SyscallConn gives the descriptor through the poller (splice, waits
// for readiness): the socket joins it. Its waits keep the connection's
// deadlines (see armRead).
func (c *TCPConn) SyscallConn() (syscall.RawConn, error) {
	c.mu.Lock()
	err := c.registerLocked()
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return (*polledConn)(c), nil
}

// polledConn is a TCPConn's syscall.RawConn.
type polledConn TCPConn

func (p *polledConn) Control(fn func(fd uintptr)) error { return p.rc.Control(fn) }
func (p *polledConn) Read(fn func(fd uintptr) bool) error {
	return (*TCPConn)(p).waitRead(fn)
}
func (p *polledConn) Write(fn func(fd uintptr) bool) error {
	return (*TCPConn)(p).waitWrite(fn)
}

// CloseWrite sends a FIN (shutdown SHUT_WR).
func (c *TCPConn) CloseWrite() error { return c.shutdown(unix.SHUT_WR) }

// CloseRead shuts the reading side: a pending Read returns end of stream.
func (c *TCPConn) CloseRead() error { return c.shutdown(unix.SHUT_RD) }

func (c *TCPConn) shutdown(how int) error {
	if err := c.sockCall(callShutdown, how); err != nil {
		if err == net.ErrClosed {
			return err
		}
		return &net.OpError{Op: "shutdown", Net: "tcp", Addr: c.raddr, Err: os.NewSyscallError("shutdown", err)}
	}
	return nil
}

// SetLinger is net.TCPConn's: 0 makes Close reset the connection.
func (c *TCPConn) SetLinger(sec int) error { return c.sockCall(callLinger, sec) }

// SetKeepAlive sets SO_KEEPALIVE (haproxy's clitcpka/srvtcpka: the
// system's timings).
func (c *TCPConn) SetKeepAlive(on bool) error {
	v := 0
	if on {
		v = 1
	}
	return c.sockCall(callKeepAlive, v)
}

// TCPListener is a TCP listener whose Accept returns *TCPConn, with
// accept4(2) through Go's poller: what net.TCPListener.Accept does,
// without its getsockname (the listener's address is the connections'
// own unless it is a wildcard) and its netFD set-up. A
// net.TCPListener's SyscallConn cannot wait for readiness, so the
// listener holds its socket as an *os.File.
type TCPListener struct {
	f     *os.File
	rc    syscall.RawConn
	addr  *net.TCPAddr
	laddr net.Addr // addr, or nil for a wildcard (asked per connection when needed)
	fn    func(fd uintptr) bool
	nfd   int
	rsa   unix.RawSockaddrAny // the peer of the connection accepted
	err   error
	// noDelay: the listening socket has TCP_NODELAY, which Linux
	// copies to every connection it accepts (one setsockopt per
	// connection fewer than Go and haproxy make).
	noDelay bool

	closed atomic.Bool
}

// OwnTCPListener takes tl's socket over (tl is closed, the socket stays
// open and listening in the returned listener).
func OwnTCPListener(tl *net.TCPListener) (*TCPListener, error) {
	rc, err := tl.SyscallConn()
	if err != nil {
		return nil, err
	}
	nfd := -1
	var derr error
	if err := rc.Control(func(fd uintptr) { nfd, derr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, os.NewSyscallError("fcntl", derr)
	}
	addr, _ := tl.Addr().(*net.TCPAddr)
	tl.Close()
	l := &TCPListener{f: os.NewFile(uintptr(nfd), ""), addr: addr}
	l.noDelay = setsockoptInt(nfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1) == nil
	if l.rc, err = l.f.SyscallConn(); err != nil {
		l.f.Close()
		return nil, err
	}
	if addr != nil && !addr.IP.IsUnspecified() && addr.Zone == "" {
		l.laddr = addr
	}
	l.fn = l.accept
	return l, nil
}

// Accept waits for the next connection (net.Listener).
func (l *TCPListener) Accept() (net.Conn, error) {
	c, err := l.AcceptTCP()
	if err != nil {
		return nil, err // not a non-nil net.Conn holding a nil *TCPConn
	}
	return c, nil
}

// AcceptTCP waits for the next connection. Errors are
// net.TCPListener's: a timeout at the deadline, net.ErrClosed-like
// once closed.
func (l *TCPListener) AcceptTCP() (*TCPConn, error) {
	l.err = nil
	if err := l.rc.Read(l.fn); err != nil {
		if l.closed.Load() {
			err = net.ErrClosed // os says "use of closed file"
		}
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.addr, Err: err}
	}
	if l.err != nil {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.addr, Err: os.NewSyscallError("accept4", l.err)}
	}
	fd := l.nfd
	if !l.noDelay {
		setsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1) // as Go and haproxy do
	}
	// the connection and its peer's address in one allocation
	b := new(acceptedConn)
	b.conn = TCPConn{fd: fd, raddr: rawTCPAddr(&l.rsa, &b.peer), laddr: l.laddr}
	return &b.conn, nil
}

func (l *TCPListener) accept(fd uintptr) bool {
	for {
		// accept4 itself: x/sys/unix's Accept4 asks getsockopt
		// (SO_PROTOCOL) and allocates to decode the peer's address.
		n := uint32(unsafe.Sizeof(l.rsa))
		nfd, _, e := syscall.RawSyscall6(unix.SYS_ACCEPT4, fd, uintptr(unsafe.Pointer(&l.rsa)), uintptr(unsafe.Pointer(&n)), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
		switch e {
		case 0:
			l.nfd = int(nfd)
			return true
		case unix.EINTR, unix.ECONNABORTED:
			continue // gone before it was accepted: the next one
		case unix.EAGAIN:
			return false
		}
		l.err = e
		return true
	}
}

// tcpAddrBox holds a net.TCPAddr and its IP's bytes.
type tcpAddrBox struct {
	addr net.TCPAddr
	ip   [16]byte
}

// acceptedConn is an accepted connection with its peer's address.
type acceptedConn struct {
	conn TCPConn
	peer tcpAddrBox
}

// rawTCPAddr decodes a peer's address as the kernel gave it, into b.
func rawTCPAddr(rsa *unix.RawSockaddrAny, b *tcpAddrBox) *net.TCPAddr {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		b.ip[10], b.ip[11] = 0xff, 0xff
		copy(b.ip[12:], sa.Addr[:])
		b.addr.Port = port(&sa.Port)
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		b.ip = sa.Addr
		b.addr.Port = port(&sa.Port)
		if sa.Scope_id != 0 {
			if ifi, err := net.InterfaceByIndex(int(sa.Scope_id)); err == nil {
				b.addr.Zone = ifi.Name
			}
		}
	default:
		return &b.addr
	}
	b.addr.IP = b.ip[:]
	return &b.addr
}

// port reads a port in network byte order.
func port(p *uint16) int {
	b := (*[2]byte)(unsafe.Pointer(p))
	return int(b[0])<<8 | int(b[1])
}

// Close closes the socket: a pending Accept returns an error.
func (l *TCPListener) Close() error {
	l.closed.Store(true)
	return l.f.Close()
}

// Addr is the address the listener is bound to.
func (l *TCPListener) Addr() net.Addr { return l.addr }

// SyscallConn gives the descriptor (socket options, draining the accept
// queue at soft stop).
func (l *TCPListener) SyscallConn() (syscall.RawConn, error) { return l.rc, nil }

// SetDeadline bounds the pending and next Accept.
func (l *TCPListener) SetDeadline(t time.Time) error { return l.f.SetReadDeadline(t) }

func sockaddrTCP(sa unix.Sockaddr) *net.TCPAddr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
	case *unix.SockaddrInet6:
		ta := &net.TCPAddr{IP: append(net.IP(nil), a.Addr[:]...), Port: a.Port}
		if a.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(a.ZoneId)); err == nil {
				ta.Zone = ifi.Name
			}
		}
		return ta
	}
	return &net.TCPAddr{}
}
