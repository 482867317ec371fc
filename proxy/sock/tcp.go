package sock

import (
	"io"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TCPConn is a TCP connection made by DialTCP. It is what a
// *net.TCPConn is to the engine (reads and writes through Go's poller,
// deadlines, half-closes, the descriptor for splice) without what
// net.Dialer costs per connection: address parsing, the dial goroutine
// machinery, getsockname/getpeername/getsockopt after the connect, and
// a park in the poller for a connect that loopback has already finished.
// Per new server connection that was about 6 µs of the proxy's CPU
// (profile of the close load, docs/performance.md).
type TCPConn struct {
	f     *os.File
	rc    syscall.RawConn
	raddr *net.TCPAddr
	laddr net.Addr // on the first LocalAddr

	// Reads and writes are recvfrom(2) and sendto(2) through the poller
	// (rc), as haproxy's: read(2) and write(2) on a socket also go
	// through the VFS layer (about 0.2 µs each on this machine's kernel,
	// 4 per keep-alive request). The functions are bound once.
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
	c, err := newTCPConn(fd, raddr, nil)
	if err != nil {
		return nil, dialError(raddr, "connect", err)
	}
	if pending {
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
			c.f.Close()
			if cerr == os.ErrDeadlineExceeded {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: raddr, Err: cerr}
			}
			return nil, dialError(raddr, "connect", cerr)
		}
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

// newTCPConn hands the connected socket fd to Go's poller (the
// descriptor is the connection's from here on, closed on error).
func newTCPConn(fd int, raddr *net.TCPAddr, laddr net.Addr) (*TCPConn, error) {
	c := &TCPConn{f: os.NewFile(uintptr(fd), ""), raddr: raddr, laddr: laddr}
	rc, err := c.f.SyscallConn()
	if err != nil {
		c.f.Close()
		return nil, err
	}
	c.rc, c.readFn, c.writeFn = rc, c.recv, c.send
	return c, nil
}

// Read reads as net.TCPConn.Read: io.EOF at the end of the stream,
// os.ErrDeadlineExceeded when the read deadline passes.
func (c *TCPConn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	c.rbuf, c.rn, c.rerr = b, 0, nil
	err := c.rc.Read(c.readFn)
	c.rbuf = nil
	if err != nil {
		return 0, c.opError("read", err)
	}
	if c.rerr != nil {
		return 0, c.opError("read", os.NewSyscallError("recvfrom", c.rerr))
	}
	if c.rn == 0 {
		return 0, io.EOF
	}
	return c.rn, nil
}

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
	err := c.rc.Write(c.writeFn)
	n := c.wn
	c.wbuf = nil
	if err != nil {
		return n, c.opError("write", err)
	}
	if c.werr != nil {
		return n, c.opError("write", os.NewSyscallError("sendto", c.werr))
	}
	return n, nil
}

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
func (c *TCPConn) Close() error { return c.f.Close() }

// RemoteAddr is the server's address.
func (c *TCPConn) RemoteAddr() net.Addr { return c.raddr }

// LocalAddr asks the system the first time only: most connections are
// never asked.
func (c *TCPConn) LocalAddr() net.Addr {
	if c.laddr != nil {
		return c.laddr
	}
	var sa unix.Sockaddr
	c.rc.Control(func(fd uintptr) { sa, _ = unix.Getsockname(int(fd)) })
	if sa == nil {
		return &net.TCPAddr{}
	}
	c.laddr = sockaddrTCP(sa)
	return c.laddr
}

func (c *TCPConn) SetDeadline(t time.Time) error      { return c.f.SetDeadline(t) }
func (c *TCPConn) SetReadDeadline(t time.Time) error  { return c.f.SetReadDeadline(t) }
func (c *TCPConn) SetWriteDeadline(t time.Time) error { return c.f.SetWriteDeadline(t) }

// SyscallConn gives the descriptor (splice, show sess, liveness peeks).
func (c *TCPConn) SyscallConn() (syscall.RawConn, error) { return c.rc, nil }

// CloseWrite sends a FIN (shutdown SHUT_WR).
func (c *TCPConn) CloseWrite() error { return c.shutdown(unix.SHUT_WR) }

// CloseRead shuts the reading side: a pending Read returns end of stream.
func (c *TCPConn) CloseRead() error { return c.shutdown(unix.SHUT_RD) }

func (c *TCPConn) shutdown(how int) error {
	var err error
	if cerr := c.rc.Control(func(fd uintptr) { err = unix.Shutdown(int(fd), how) }); cerr != nil {
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
	if cerr := c.rc.Control(func(fd uintptr) { err = unix.SetsockoptLinger(int(fd), unix.SOL_SOCKET, unix.SO_LINGER, &l) }); cerr != nil {
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
	if cerr := c.rc.Control(func(fd uintptr) { err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_KEEPALIVE, v) }); cerr != nil {
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
	c, err := newTCPConn(fd, raddr, l.laddr)
	if err != nil {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.addr, Err: err}
	}
	return c, nil
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
