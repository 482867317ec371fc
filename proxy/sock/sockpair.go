package sock

import (
	"errors"
	"net"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// sockpair@N (configuration.txt §11.1): N is one end of a connected unix
// stream socket. The connecting side makes a socketpair per connection and
// sends one end over N (SCM_RIGHTS, with two bytes of payload); the
// listening side receives it and uses it as an accepted connection
// (src/proto_sockpair.c send_fd_uxst / recv_fd_uxst).

// payloadLen is the data sent with each descriptor (haproxy's iobuf[2]).
const payloadLen = 2

// SockPairListener accepts the connections passed over a sockpair@ fd.
type SockPairListener struct {
	c       *net.UnixConn
	mu      sync.Mutex
	pending []int // descriptors received beyond the one returned
	addr    net.Addr
}

// ListenSockPair receives connections over fd (which stays open: the
// listener works on a duplicate).
func ListenSockPair(fd int) (*SockPairListener, error) {
	f, err := dupFile(fd, "sockpair@"+strconv.Itoa(fd))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		return nil, err
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, errors.New("sockpair: not a unix socket")
	}
	return &SockPairListener{c: uc, addr: &net.UnixAddr{Name: "sockpair@" + strconv.Itoa(fd), Net: "unix"}}, nil
}

// Accept waits for the next descriptor and returns it as a connection.
// The sending side closing its end ends the listener (io.EOF).
func (l *SockPairListener) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		if len(l.pending) > 0 {
			fd := l.pending[0]
			l.pending = l.pending[1:]
			l.mu.Unlock()
			if c, err := fdConn(fd); err == nil {
				return c, nil
			}
			continue
		}
		l.mu.Unlock()
		var buf [payloadLen]byte
		oob := make([]byte, unix.CmsgSpace(4*8))
		n, oobn, _, _, err := l.c.ReadMsgUnix(buf[:], oob)
		if err != nil {
			return nil, err
		}
		if n == 0 && oobn == 0 {
			return nil, net.ErrClosed
		}
		fds := parseRights(oob[:oobn])
		if len(fds) == 0 {
			continue // payload without a descriptor: nothing to accept
		}
		l.mu.Lock()
		l.pending = append(l.pending, fds...)
		l.mu.Unlock()
	}
}

func parseRights(oob []byte) []int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	var fds []int
	for _, m := range msgs {
		if r, err := unix.ParseUnixRights(&m); err == nil {
			fds = append(fds, r...)
		}
	}
	return fds
}

// fdConn wraps a received descriptor as a net.Conn (the descriptor is
// handed to the connection).
func fdConn(fd int) (net.Conn, error) {
	unix.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), "sockpair-conn")
	defer f.Close()
	return net.FileConn(f)
}

// Close stops accepting; descriptors received and not accepted are closed.
func (l *SockPairListener) Close() error {
	l.mu.Lock()
	for _, fd := range l.pending {
		unix.Close(fd)
	}
	l.pending = nil
	l.mu.Unlock()
	return l.c.Close()
}

// Addr is "sockpair@N".
func (l *SockPairListener) Addr() net.Addr { return l.addr }

// DialSockPair connects through fd: it makes a socketpair, sends one end
// over fd and returns the other as the connection.
func DialSockPair(fd int) (net.Conn, error) {
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socketpair", err)
	}
	rights := unix.UnixRights(sv[0])
	var payload [payloadLen]byte
	err = unix.Sendmsg(fd, payload[:], rights, nil, 0)
	unix.Close(sv[0]) // the peer holds its own copy now
	if err != nil {
		unix.Close(sv[1])
		return nil, os.NewSyscallError("sendmsg", err)
	}
	return fdConn(sv[1])
}
