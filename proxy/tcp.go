package proxy

import (
	"context"
	"net"
	"net/netip"
	"time"

	"goha/internal/clock"
	"goha/proxy/balance"
	"goha/stats"
)

// serveTCP is mode tcp: pick a server, connect (with retries), then copy
// bytes both ways until both sides are done (pipe).
func (f *frontend) serveTCP(c net.Conn) {
	start := time.Now()
	id := nextStreamID()
	be := f.defBE
	if be == nil {
		lingerClose(c)
		return
	}
	live := f.e.streams.open(f, c)
	defer f.e.streams.close(live)
	live.begin(0, clock.MonoOf(start))
	live.routed(be)
	if be.st != nil {
		be.st.BackendAssign(stats.Now())
		defer be.st.BackendLeave()
	}
	cc := &countConn{Conn: c}
	var res connectResult
	var err error
	if f.log != nil {
		defer func() { f.logTCP(cc, be, res, err, start, id) }()
	}
	req := balance.Request{Src: addrOf(c.RemoteAddr())}
	var sc net.Conn
	sc, res, err = be.connect(context.Background(), &req, nil, clock.Mono(), func(sv *server) (net.Conn, bool, error) {
		countNewConn(be, sv)
		c, err := be.dialServer(sv, c.LocalAddr())
		return c, true, err
	})
	countAttempt(be, res, err)
	if err != nil {
		// haproxy closes without a reset (measured: tcp-no-server).
		lingerClose(c)
		return
	}
	live.connected(res.server, sc, sessTCP, res.at)
	defer c.Close()
	defer sc.Close()
	defer be.release(res.server)
	defer res.server.st.ServerEnd() // started by connect
	t := tunnelTimeouts(f, be)
	res.dataTerm = pipe(live.watch(cc, false, t.Client), live.watch(sc, true, t.Server), t)
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

// tunnelTimeouts are the timeouts of a pipe between f's client and a
// server of be: timeout client and server, both replaced by timeout tunnel
// when set (configuration.txt §4.2 "timeout tunnel"), and the half-closed
// ones (client-fin from the frontend, server-fin from the backend).
func tunnelTimeouts(f *frontend, be *backend) pipeTimeouts {
	t := pipeTimeouts{Client: f.timeouts.Client, Server: be.timeouts.Server,
		ClientFin: f.timeouts.ClientFin, ServerFin: be.timeouts.ServerFin}
	if be.timeouts.Tunnel > 0 {
		t.Client, t.Server = be.timeouts.Tunnel, be.timeouts.Tunnel
	}
	return t
}
