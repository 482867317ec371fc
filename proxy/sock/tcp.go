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

// TCPConn is a TCP connection made by DialTCP or accepted by a
// TCPListener. It is what a *net.TCPConn is to the engine (reads and
// writes through Go's poller, deadlines, half-closes, the descriptor for
// splice) without what the net package costs per connection:
//
//   - dialing: address parsing, the dial machinery, getsockname,
//     getpeername and getsockopt after the connect, and a park in the
//     poller for a connect that loopback has already finished (about
//     6 µs per new server connection in the close load's profile);
//   - accepting: getsockname for an address the listener knows;
//   - reads and writes: recvfrom(2) and sendto(2), as haproxy's, not
//     read(2) and write(2), which also go through the VFS layer;
//   - the poller: a socket joins Go's poller only when an operation would
//     block (haproxy also subscribes a socket only when it must wait). A
//     connection whose request, answer and close never wait — most new
//     connections on loopback — costs no epoll_ctl at all, where the net
//     package makes two (add, and delete at close).
//
// Until it joins the poller ("raw"), operations run under mu, so that a
// Close from another goroutine cannot close the descriptor under a
// system call; deadlines asked meanwhile are kept and checked, then
// handed to the poller.
type TCPConn struct {
	fd    int
	raddr *net.TCPAddr
	laddr net.Addr // nil until the first LocalAddr (a wildcard listener, a dial)

	polled atomic.Bool // f and rc are set (never unset)
	mu     sync.Mutex
	closed bool      // raw: under mu
	rdl    time.Time // raw: the deadlines asked (under mu)
	wdl    time.Time
	f      *os.File
	rc     syscall.RawConn

	// Poller I/O: the functions are bound once, at registration.
	readFn, writeFn func(fd uintptr) bool
	rbuf, wbuf      []byte
	rn, wn          int
	rerr, werr      error
}

// DialTCP connects to dst (raddr is dst as a net.Addr, shared by every
// connection to it and never written) within deadline (zero: none).
// keepAlive sets SO_KEEPALIVE (haproxy's srvtcpka: the system's timings).
// The socket is made and connected as haproxy does (TCP_NODELAY before
// the connect); a connect that returns EINPROGRESS is asked again at
// once, since on loopback the handshake is usually complete by then.
func DialTCP(dst netip.AddrPort, raddr *net.TCPAddr, deadline time.Time, keepAlive bool) (*TCPConn, error) {
	family, sa := unix.AF_INET, unix.Sockaddr(nil)
	if a := dst.Addr(); a.Is4() || a.Is4In6() {
		sa = &unix.SockaddrInet4{Port: int(dst.Port()), Addr: a.Unmap().As4()}
	} else {
		family = unix.AF_INET6
		sa6 := &unix.SockaddrInet6{Port: int(dst.Port()), Addr: a.As16()}
		if z := a.Zone(); z != "" {
			if ifi, err := net.InterfaceByName(z); err == nil {
				sa6.ZoneId = uint32(ifi.Index)
			}
		}
		sa = sa6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return nil, dialError(raddr, "socket", err)
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if keepAlive {
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
	}
	pending := false
	switch err = unix.Connect(fd, sa); err {
	case nil:
	case unix.EINPROGRESS, unix.EINTR:
		pending, err = connectAgain(fd, sa)
	}
	if err != nil {
		unix.Close(fd)
		return nil, dialError(raddr, "connect", err)
	}
	c := newTCPConn(fd, raddr, nil)
	if !pending {
		return c, nil
	}
	c.mu.Lock()
	err = c.registerLocked()
	c.mu.Unlock()
	if err != nil {
		c.Close()
		return nil, dialError(raddr, "connect", err)
	}
	if !deadline.IsZero() {
		c.f.SetWriteDeadline(deadline)
	}
	var cerr error
	werr := c.rc.Write(func(fd uintptr) bool {
		pending, cerr = connectAgain(int(fd), sa)
		return !pending
	})
	if !deadline.IsZero() {
		c.f.SetWriteDeadline(time.Time{})
	}
	if werr != nil {
		cerr = werr
	}
	if cerr != nil {
		c.Close()
		if cerr == os.ErrDeadlineExceeded {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: raddr, Err: cerr}
		}
		return nil, dialError(raddr, "connect", cerr)
	}
	return c, nil
}

// connectAgain asks a connect in progress how it went (haproxy's
// sock_conn_check does the same): pending while it goes on, else the
// connect's own error (nil: connected).
func connectAgain(fd int, sa unix.Sockaddr) (pending bool, err error) {
	switch err = unix.Connect(fd, sa); err {
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
	if !c.rdl.IsZero() {
		f.SetReadDeadline(c.rdl)
	}
	if !c.wdl.IsZero() {
		f.SetWriteDeadline(c.wdl)
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
// connection is open and the deadline (if any) not passed.
func (c *TCPConn) rawCheck(op string, deadline time.Time) error {
	if c.closed {
		return c.opError(op, net.ErrClosed)
	}
	if !deadline.IsZero() && !time.Now().Before(deadline) {
		return c.opError(op, os.ErrDeadlineExceeded)
	}
	return nil
}

// Read reads as net.TCPConn.Read: io.EOF at the end of the stream,
// os.ErrDeadlineExceeded when the read deadline passes.
func (c *TCPConn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if c.lockRaw() {
		if err := c.rawCheck("read", c.rdl); err != nil {
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
	err := c.rc.Read(c.readFn)
	c.rbuf = nil
	if err != nil {
		return 0, c.opError("read", err)
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

// recv reads into rbuf: false when it would block.
func (c *TCPConn) recv(fd uintptr) bool {
	for {
		r, _, e := syscall.Syscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&c.rbuf[0])), uintptr(len(c.rbuf)), 0, 0, 0)
		switch e {
		case 0:
			c.rn = int(r)
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

// Write writes all of b unless an error or the write deadline stops it.
func (c *TCPConn) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	c.wbuf, c.wn, c.werr = b, 0, nil
	if c.lockRaw() {
		if err := c.rawCheck("write", c.wdl); err != nil {
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
	if err := c.rc.Write(c.writeFn); err != nil {
		n := c.wn
		c.wbuf = nil
		return n, c.opError("write", err)
	}
	return c.writeResult()
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
		p := c.wbuf[c.wn:]
		r, _, e := syscall.Syscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), unix.MSG_NOSIGNAL, 0, 0)
		switch e {
		case 0:
			c.wn += int(r)
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
		return unix.Close(c.fd)
	}
	return c.f.Close()
}

// control runs fn on the open descriptor.
func (c *TCPConn) control(fn func(fd int)) error {
	if !c.lockRaw() {
		return c.rc.Control(func(fd uintptr) { fn(int(fd)) })
	}
	defer c.mu.Unlock()
	if c.closed {
		return net.ErrClosed
	}
	fn(c.fd)
	return nil
}

// RawFD is the descriptor, without joining the poller (show sess, the
// idle poller, peeks). It stays valid until Close.
func (c *TCPConn) RawFD() int { return c.fd }

// RemoteAddr is the server's address.
func (c *TCPConn) RemoteAddr() net.Addr { return c.raddr }

// LocalAddr asks the system the first time only: most connections are
// never asked.
func (c *TCPConn) LocalAddr() net.Addr {
	if c.laddr != nil {
		return c.laddr
	}
	var sa unix.Sockaddr
	c.control(func(fd int) { sa, _ = unix.Getsockname(fd) })
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
	if c.lockRaw() {
		c.rdl = t // handed to the poller if the socket joins it
		c.mu.Unlock()
		return nil
	}
	return c.f.SetReadDeadline(t)
}

func (c *TCPConn) SetWriteDeadline(t time.Time) error {
	if c.lockRaw() {
		c.wdl = t
		c.mu.Unlock()
		return nil
	}
	return c.f.SetWriteDeadline(t)
}

// SyscallConn gives the descriptor through the poller (splice, waits
// for readiness): the socket joins it.
func (c *TCPConn) SyscallConn() (syscall.RawConn, error) {
	c.mu.Lock()
	err := c.registerLocked()
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return c.rc, nil
}

// CloseWrite sends a FIN (shutdown SHUT_WR).
func (c *TCPConn) CloseWrite() error { return c.shutdown(unix.SHUT_WR) }

// CloseRead shuts the reading side: a pending Read returns end of stream.
func (c *TCPConn) CloseRead() error { return c.shutdown(unix.SHUT_RD) }

func (c *TCPConn) shutdown(how int) error {
	var err error
	if cerr := c.control(func(fd int) { err = unix.Shutdown(fd, how) }); cerr != nil {
		return cerr
	}
	if err != nil {
		return &net.OpError{Op: "shutdown", Net: "tcp", Addr: c.raddr, Err: os.NewSyscallError("shutdown", err)}
	}
	return nil
}

// SetLinger is net.TCPConn's: 0 makes Close reset the connection.
func (c *TCPConn) SetLinger(sec int) error {
	l := unix.Linger{}
	if sec >= 0 {
		l.Onoff, l.Linger = 1, int32(sec)
	}
	var err error
	if cerr := c.control(func(fd int) { err = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &l) }); cerr != nil {
		return cerr
	}
	return err
}

// SetKeepAlive sets SO_KEEPALIVE (haproxy's clitcpka/srvtcpka: the
// system's timings).
func (c *TCPConn) SetKeepAlive(on bool) error {
	v := 0
	if on {
		v = 1
	}
	var err error
	if cerr := c.control(func(fd int) { err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, v) }); cerr != nil {
		return cerr
	}
	return err
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
	sa    unix.Sockaddr
	err   error

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
	fd, raddr := l.nfd, sockaddrTCP(l.sa)
	l.sa = nil
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1) // as Go and haproxy do
	return newTCPConn(fd, raddr, l.laddr), nil
}

func (l *TCPListener) accept(fd uintptr) bool {
	for {
		nfd, sa, err := unix.Accept4(int(fd), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch err {
		case nil:
			l.nfd, l.sa = nfd, sa
			return true
		case unix.EINTR, unix.ECONNABORTED:
			continue // gone before it was accepted: the next one
		case unix.EAGAIN:
			return false
		}
		l.err = err
		return true
	}
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
