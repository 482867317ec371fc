package proxy

import (
	"context"
	"io"
	"net"
	"net/netip"
	"time"

	"goha/proxy/balance"
	"goha/stats"
)

// serveTCP is mode tcp: pick a server, connect (with retries), then copy
// bytes both ways until both sides are done. The copy refreshes an
// inactivity deadline before each read (timeout client/server/tunnel);
// that costs splice(2), which a later change can win back with a watchdog.
func (f *frontend) serveTCP(c net.Conn) {
	start := time.Now()
	be := f.defBE
	if be == nil {
		lingerClose(c)
		return
	}
	cc := &countConn{Conn: c}
	var res connectResult
	var err error
	if f.log != nil {
		defer func() { f.logTCP(cc, be, res, err, start) }()
	}
	req := balance.Request{Src: addrOf(c.RemoteAddr())}
	var sc net.Conn
	sc, res, err = be.connect(context.Background(), &req, func(sv *server) (net.Conn, error) {
		countNewConn(be, sv)
		return be.dialServer(sv)
	})
	countAttempt(be, res, err)
	if err != nil {
		// haproxy closes without a reset (measured: tcp-no-server).
		lingerClose(c)
		return
	}
	defer c.Close()
	defer sc.Close()
	defer be.release(res.server)
	be.st.BackendStart(res.server.st, stats.Now(), true)
	defer be.st.BackendEnd(res.server.st)
	idle := f.timeouts.Client
	if be.timeouts.Tunnel > 0 {
		idle = be.timeouts.Tunnel
	}
	pipe(cc, sc, idle, be.timeouts.Server)
	var done [2]uint64
	flushBytes(cc, &done, f.st, be, res.server)
}

func addrOf(a net.Addr) netip.Addr {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(ta.IP)
		return ip.Unmap()
	}
	return netip.Addr{}
}

// deadlineConn refreshes a read deadline before every read, so that an
// idle side times out after d (haproxy's client/server timeouts are
// inactivity timeouts).
type deadlineConn struct {
	net.Conn
	d time.Duration
}

func (c deadlineConn) Read(p []byte) (int, error) {
	if c.d > 0 {
		c.Conn.SetReadDeadline(time.Now().Add(c.d))
	}
	return c.Conn.Read(p)
}

// pipe copies both directions; when one side finishes sending, the other
// side's write half is shut (half-close) and copying the other way goes
// on, as haproxy forwards a FIN.
func pipe(client, server net.Conn, clientIdle, serverIdle time.Duration) {
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn, idle time.Duration) {
		var r io.Reader = src
		if idle > 0 {
			r = deadlineConn{src, idle}
		}
		_, err := io.Copy(dst, r)
		if tc, ok := dst.(interface{ CloseWrite() error }); ok && err == nil {
			tc.CloseWrite()
		} else {
			// an error (timeout, reset) ends the whole stream
			client.Close()
			server.Close()
		}
		done <- struct{}{}
	}
	go cp(server, client, clientIdle)
	cp(client, server, serverIdle)
	<-done
}
