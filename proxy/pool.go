package proxy

import (
	"net"
	"sync"
	"syscall"
	"time"

	"goha/internal/clock"
	"goha/proxy/sock"
)

// idlePool keeps a server's idle keep-alive connections for reuse
// ("http-reuse safe"). The newest is reused first: it is the least likely
// to have been closed by the server.
type idlePool struct {
	mu    sync.Mutex
	conns []idleConn
}

// idleConn is an idle server connection and when it went idle.
type idleConn struct {
	c     net.Conn
	since time.Time
}

// maxIdlePerServer bounds the pool (haproxy's pool-max-conn is unlimited
// by default; idle connections cost the server too).
const maxIdlePerServer = 64

// trustIdle is how long an idle server connection is reused without
// first asking the kernel whether the server closed it: asking costs a
// system call per request (a third of a keep-alive request's reads,
// docs/performance.md), and a server closes a connection used that
// recently only in a race, which the caller covers by sending the
// request again on a new connection (see stream.forward). haproxy needs
// neither: its idle connections stay in its poller.
const trustIdle = 500 * time.Millisecond

// put adds c, idle since the given instant.
func (p *idlePool) put(c net.Conn, since time.Time) {
	p.mu.Lock()
	if len(p.conns) >= maxIdlePerServer {
		p.mu.Unlock()
		resetClose(c)
		return
	}
	p.conns = append(p.conns, idleConn{c, since})
	p.mu.Unlock()
}

// get returns an idle connection still open, or nil. With trust, a
// connection idle for less than trustIdle is returned unchecked
// (unchecked true): the caller must be able to send its request again.
func (p *idlePool) get(trust bool) (c net.Conn, unchecked bool) {
	for {
		p.mu.Lock()
		n := len(p.conns)
		if n == 0 {
			p.mu.Unlock()
			return nil, false
		}
		ic := p.conns[n-1]
		p.conns[n-1] = idleConn{}
		p.conns = p.conns[:n-1]
		p.mu.Unlock()
		if c, unchecked := reusable(ic.c, ic.since, trust, clock.Mono()); c != nil {
			return c, unchecked
		}
	}
}

// reusable decides on an idle connection taken for a request: returned
// unchecked when trusted and idle for less than trustIdle, else returned
// only if alive (and closed otherwise). now is the monotonic instant
// of the request (clock.Mono).
func reusable(c net.Conn, since time.Time, trust bool, now int64) (net.Conn, bool) {
	if trust && time.Duration(now-clock.MonoOf(since)) < trustIdle {
		return c, true
	}
	if alive(c) {
		return c, false
	}
	c.Close()
	return nil, false
}

// alive tells whether an idle connection is still open: a non-blocking
// peek that would block means yes; EOF or unexpected data means no.
func alive(c net.Conn) bool {
	_, err := peek(c)
	return err == syscall.EAGAIN
}

// peek looks, without blocking or consuming, at whether c has a byte
// unread: (0, EAGAIN) when nothing, (0, nil) at the peer's FIN. It goes by
// the descriptor (connFD), so that a sock.TCPConn need not join Go's
// poller for it.
func peek(c net.Conn) (int, error) {
	fd := connFD(c)
	if fd < 0 {
		return 0, syscall.EBADF
	}
	var one [1]byte
	return sock.Recv(fd, one[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
}

func (p *idlePool) closeAll() {
	p.mu.Lock()
	for _, ic := range p.conns {
		ic.c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
}

// sweep closes the idle connections the server has closed meanwhile.
func (p *idlePool) sweep() {
	p.mu.Lock()
	kept := p.conns[:0]
	for _, ic := range p.conns {
		if alive(ic.c) {
			kept = append(kept, ic)
		} else {
			ic.c.Close()
		}
	}
	for i := len(kept); i < len(p.conns); i++ {
		p.conns[i] = idleConn{}
	}
	p.conns = kept
	p.mu.Unlock()
}

// resetClose closes an idle server connection with a reset, as haproxy
// closes a server connection it cannot keep (SO_LINGER 0, measured with
// strace): no FIN exchange and no TIME-WAIT socket left behind, which a
// new-connection-per-request load would otherwise pile up by the
// thousand.
func resetClose(c net.Conn) {
	if tc, ok := c.(interface{ SetLinger(int) error }); ok {
		tc.SetLinger(0)
	}
	c.Close()
}
