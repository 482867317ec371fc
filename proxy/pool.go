package proxy

import (
	"net"
	"sync"
	"syscall"
)

// idlePool keeps a server's idle keep-alive connections for reuse
// ("http-reuse safe"). The newest is reused first: it is the least likely
// to have been closed by the server.
type idlePool struct {
	mu    sync.Mutex
	conns []net.Conn
}

// maxIdlePerServer bounds the pool (haproxy's pool-max-conn is unlimited
// by default; idle connections cost the server too).
const maxIdlePerServer = 64

func (p *idlePool) put(c net.Conn) {
	p.mu.Lock()
	if len(p.conns) >= maxIdlePerServer {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.conns = append(p.conns, c)
	p.mu.Unlock()
}

// get returns an idle connection still open, or nil.
func (p *idlePool) get() net.Conn {
	for {
		p.mu.Lock()
		n := len(p.conns)
		if n == 0 {
			p.mu.Unlock()
			return nil
		}
		c := p.conns[n-1]
		p.conns = p.conns[:n-1]
		p.mu.Unlock()
		if alive(c) {
			return c
		}
		c.Close()
	}
}

// alive tells whether an idle connection is still open: a non-blocking
// peek that would block means yes; EOF or unexpected data means no.
func alive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	open := false
	var one [1]byte
	rc.Control(func(fd uintptr) {
		_, _, err := syscall.Recvfrom(int(fd), one[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = err == syscall.EAGAIN
	})
	return open
}

func (p *idlePool) closeAll() {
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
}

// sweep closes the idle connections the server has closed meanwhile.
func (p *idlePool) sweep() {
	p.mu.Lock()
	kept := p.conns[:0]
	for _, c := range p.conns {
		if alive(c) {
			kept = append(kept, c)
		} else {
			c.Close()
		}
	}
	for i := len(kept); i < len(p.conns); i++ {
		p.conns[i] = nil
	}
	p.conns = kept
	p.mu.Unlock()
}
