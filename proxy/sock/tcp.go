package sock

import (
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

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
	c := &TCPConn{f: os.NewFile(uintptr(fd), ""), raddr: raddr}
	if c.rc, err = c.f.SyscallConn(); err != nil {
		c.f.Close()
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

func (c *TCPConn) Read(b []byte) (int, error)  { return c.f.Read(b) }
func (c *TCPConn) Write(b []byte) (int, error) { return c.f.Write(b) }

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
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		c.laddr = &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
	case *unix.SockaddrInet6:
		c.laddr = &net.TCPAddr{IP: append(net.IP(nil), a.Addr[:]...), Port: a.Port}
	default:
		return &net.TCPAddr{}
	}
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
