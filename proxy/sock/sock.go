// Package sock opens the sockets of haproxy's non-IP address forms
// (configuration.txt §11 "Address formats"): unix@ paths, abns@ abstract
// names, inherited fd@ listeners and sockpair@ descriptors, for listening
// (bind lines) and for connecting (server lines, health checks).
package sock

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// sunPathLen is the size of sockaddr_un.sun_path on Linux.
const sunPathLen = 108

// AbstractName is the Go name ("@...") of haproxy's abns@name: haproxy
// binds and connects with the whole sockaddr_un, so the abstract name is
// name followed by NUL bytes up to the end of sun_path. A shorter name
// would be another socket (socat's "abstract:" form is the short one).
func AbstractName(name string) string {
	b := make([]byte, sunPathLen)
	b[0] = '@'
	copy(b[1:], name)
	return string(b)
}

// Target is where a server line connects, in haproxy's spelling: "ip:port"
// for TCP, or "unix@/path", "abns@name", "sockpair@fd".
type Target string

// Dial connects to t with d (its Timeout applies to TCP and unix
// connects).
func Dial(ctx context.Context, d *net.Dialer, t Target) (net.Conn, error) {
	s := string(t)
	switch {
	case strings.HasPrefix(s, "unix@"):
		return d.DialContext(ctx, "unix", s[5:])
	case strings.HasPrefix(s, "abns@"):
		return d.DialContext(ctx, "unix", AbstractName(s[5:]))
	case strings.HasPrefix(s, "sockpair@"):
		fd, err := strconv.Atoi(s[9:])
		if err != nil {
			return nil, fmt.Errorf("bad sockpair target %q", s)
		}
		return DialSockPair(fd)
	}
	return d.DialContext(ctx, "tcp", s)
}

// ListenUnix binds a unix stream socket at path as haproxy does
// (src/sock_unix.c): bound under a temporary name, given its owner and
// mode, then renamed over path, so that a process taking over (-sf) never
// leaves path missing. uid or gid -1 keep the owner; mode 0 keeps the
// umask's mode. The file is not removed on close: the next process may
// own it already (haproxy leaves it too).
func ListenUnix(path string, mode os.FileMode, uid, gid int) (net.Listener, error) {
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	if len(tmp) >= sunPathLen {
		return nil, fmt.Errorf("name too long for UNIX socket (limit usually 97)")
	}
	if err := os.Remove(tmp); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("error when trying to unlink previous UNIX socket (%v)", unwrapErrno(err))
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, err
	}
	ln.SetUnlinkOnClose(false)
	fail := func(what string, err error) (net.Listener, error) {
		ln.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("%s (%v)", what, unwrapErrno(err))
	}
	if uid != -1 || gid != -1 {
		if err := os.Chown(tmp, uid, gid); err != nil {
			return fail("cannot change UNIX socket ownership", err)
		}
	}
	if mode != 0 {
		if err := os.Chmod(tmp, mode); err != nil {
			return fail("cannot change UNIX socket ownership", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail("cannot switch final and temporary UNIX sockets", err)
	}
	return ln, nil
}

// ListenAbstract binds haproxy's abns@name.
func ListenAbstract(name string) (net.Listener, error) {
	return net.Listen("unix", AbstractName(name))
}

// ListenFD makes a listener of an inherited socket fd, listening on it
// first when it is only bound (configuration.txt §11.1: "The fd must be
// bound and may or may not already be listening"). fd itself stays open:
// the listener works on a duplicate, so that it can be made again after a
// pause.
func ListenFD(fd, backlog int) (net.Listener, error) {
	if err := unix.Listen(fd, backlog); err != nil {
		return nil, os.NewSyscallError("listen", err)
	}
	f, err := dupFile(fd, "fd@"+strconv.Itoa(fd))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return net.FileListener(f)
}

func dupFile(fd int, name string) (*os.File, error) {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("dup", err)
	}
	return os.NewFile(uintptr(nfd), name), nil
}

func unwrapErrno(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	if le, ok := err.(*os.LinkError); ok {
		return le.Err
	}
	return err
}
