package proxy

import (
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// closeListener closes a listener at soft stop without dropping the
// clients the kernel already accepted for it. A TCP listener sharing its
// port with a new process (SO_REUSEPORT, -sf reload) has its own accept
// queue; closing it resets every connection still queued there, which a
// busy or slow process has plenty of. So the queue is first emptied with
// non-blocking accept(2) calls and those clients are served like any
// other (the soft stop lets them finish); only a SYN arriving in the
// instant between the last accept and the close can still be lost
// (net.ipv4.tcp_migrate_req=1 makes the kernel move even those).
func (e *Engine) closeListener(ln net.Listener) {
	f := e.lnOwner[ln]
	var queued []net.Conn
	if tl, ok := ln.(syscall.Conn); ok && f != nil {
		if _, isUnix := ln.Addr().(*net.UnixAddr); !isUnix {
			queued = drainAcceptQueue(tl)
		}
	}
	ln.Close()
	for _, c := range queued {
		e.handle(f, c, false)
	}
}

// drainAcceptQueue accepts, without blocking, every connection waiting in
// tl's queue.
func drainAcceptQueue(tl syscall.Conn) []net.Conn {
	rc, err := tl.SyscallConn()
	if err != nil {
		return nil
	}
	var out []net.Conn
	rc.Control(func(fd uintptr) {
		for {
			nfd, _, err := unix.Accept4(int(fd), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return
			}
			file := os.NewFile(uintptr(nfd), "")
			c, err := net.FileConn(file)
			file.Close()
			if err == nil {
				out = append(out, c)
			}
		}
	})
	return out
}
