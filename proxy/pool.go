package proxy

import (
	"net"
	"sync"
	"time"
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

// alive tells whether an idle connection is still open: a read that would
// block means yes; EOF or unexpected data means the server closed it (or
// broke the protocol) and it must not be reused.
func alive(c net.Conn) bool {
	var one [1]byte
	c.SetReadDeadline(time.Now())
	n, err := c.Read(one[:])
	c.SetReadDeadline(time.Time{})
	if n > 0 {
		return false
	}
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func (p *idlePool) closeAll() {
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
}
