package proxy

import (
	"errors"
	"io"
	"net"
	"sync/atomic"
	"time"
)

// A pipe joins a client and a server connection once no more parsing is
// needed (mode tcp, HTTP tunnels) and forwards bytes both ways as haproxy
// 2.6 does (measured against it, behaviour cases tcp-*-fin and
// timeout-*-fin):
//
//   - Each direction ends on its own. A FIN from one side is forwarded as
//     a FIN to the other (half-close) and the other direction goes on.
//   - A side's inactivity timeout (timeout client/server, or tunnel) is a
//     read timeout: it ends that side's direction like a FIN would
//     (haproxy shuts the channel for reading, src/stream.c), it does not
//     abort the stream.
//   - A read timeout is pushed back by bytes written to that side, not only
//     by bytes read from it: a silent client downloading stays alive (no
//     "option independent-streams").
//   - Once the pipe has shut its write side towards a side, that side's read
//     timeout becomes "timeout client-fin" / "timeout server-fin" when set
//     (src/stconn.c: the stream connector's hcto).
//   - A write that makes no progress for the side's timeout, a reset or
//     any other error aborts both sides.
//   - In an HTTP tunnel (after a 101), the server's end (FIN or read
//     timeout) closes the client at once: haproxy ends the HTTP stream
//     then (measured: timeout-tunnel-client-fin-unset), so client-fin has
//     no effect there.
//
// The stream ends, both connections are closed by the caller, when both
// directions are done.

// pipeTimeouts are the inactivity timeouts of a pipe (0: none).
type pipeTimeouts struct {
	Client, Server time.Duration
	// ClientFin and ServerFin replace Client and Server once the pipe has
	// shut its write side towards that side (0: unchanged).
	ClientFin, ServerFin time.Duration
	// ServerEndCloses: the server's end closes both sides (HTTP tunnels).
	ServerEndCloses bool
}

// pipeSide is one connection of a pipe and the state of its read timeout,
// shared by the direction reading it and the direction writing to it.
type pipeSide struct {
	conn net.Conn
	// idle is the current read timeout in ns (0: none); it changes once,
	// to the fin timeout.
	idle atomic.Int64
	// write is the write timeout (the side's base timeout).
	write time.Duration
	// fin is the read timeout after we shut our write side towards it.
	fin time.Duration
	// timeoutCause and errorCause are the termination-state letters of a
	// timeout or an error on this side ('c'/'C' client, 's'/'S' server).
	timeoutCause, errorCause byte
	// last is when bytes last moved from or to conn (ns since base).
	last atomic.Int64
	base time.Time
}

func newPipeSide(c net.Conn, idle, fin time.Duration, base time.Time, timeoutCause, errorCause byte) *pipeSide {
	s := &pipeSide{conn: c, write: idle, fin: fin, base: base, timeoutCause: timeoutCause, errorCause: errorCause}
	s.idle.Store(int64(idle))
	return s
}

func (s *pipeSide) now() int64 { return int64(time.Since(s.base)) }

// armRead sets the read deadline for the next read. The timeout is read
// again after setting it: when finShut changed it meanwhile, the deadline
// is set once more, so that the shorter fin timeout is never lost.
func (s *pipeSide) armRead() {
	for {
		d := s.idle.Load()
		if d == 0 {
			s.conn.SetReadDeadline(time.Time{})
		} else {
			s.conn.SetReadDeadline(time.Now().Add(time.Duration(d)))
		}
		if s.idle.Load() == d {
			return
		}
	}
}

// stillAlive reports, after a read timeout, whether bytes moved since the
// deadline was armed; if so the deadline is moved to last activity + idle.
// As in armRead, a change to the fin timeout meanwhile is not lost.
func (s *pipeSide) stillAlive() bool {
	for {
		d := s.idle.Load()
		if d == 0 {
			s.conn.SetReadDeadline(time.Time{})
			return true
		}
		last := s.last.Load()
		if s.now()-last >= d {
			return false
		}
		s.conn.SetReadDeadline(s.base.Add(time.Duration(last + d)))
		if s.idle.Load() == d {
			return true
		}
	}
}

// finShut is called once the pipe has shut its write side towards s: its
// read timeout becomes the fin timeout, counted from now.
func (s *pipeSide) finShut() {
	if s.fin == 0 {
		return
	}
	s.last.Store(s.now())
	s.idle.Store(int64(s.fin))
	s.conn.SetReadDeadline(time.Now().Add(s.fin))
}

// pipe forwards both directions until both are done (see above). It
// returns the first letter of the termination state (configuration.txt
// §8.5) of the first timeout or error, 0 when both sides ended with a FIN:
// 'c'/'s' a client/server timeout, 'C'/'S' a client/server error. As with
// haproxy, a client timeout that only half-closed the stream still
// reports 'c' (measured: tcplog "cD" with timeout client, the stream
// ended later by the server side).
func pipe(client, server net.Conn, t pipeTimeouts) byte {
	base := time.Now()
	cs := newPipeSide(client, t.Client, t.ClientFin, base, 'c', 'C')
	ss := newPipeSide(server, t.Server, t.ServerFin, base, 's', 'S')
	var first atomic.Uint32
	done := make(chan struct{})
	go func() {
		forward(ss, cs, false, &first)
		close(done)
	}()
	forward(cs, ss, t.ServerEndCloses, &first)
	<-done
	return byte(first.Load())
}

// forward copies src to dst until src's FIN or read timeout (then dst's
// write side is shut, or both sides are closed with endCloses) or an
// error (then both sides are closed). Between two TCP sockets the bytes
// are spliced (splice.go), else they go through a buffer.
//
// first receives the termination letter of the first timeout or error of
// the pipe (recorded before aborting, so the other direction's resulting
// error does not overwrite it).
func forward(dst, src *pipeSide, endCloses bool, first *atomic.Uint32) {
	src.armRead()
	_, err, writeErr := spliceSides(dst, src, -1)
	if errors.Is(err, errCannotSplice) {
		err, writeErr = copyThrough(dst, src)
	}
	note := func(cause byte) { first.CompareAndSwap(0, uint32(cause)) }
	switch {
	case writeErr && isTimeout(err):
		note(dst.timeoutCause)
	case writeErr:
		note(dst.errorCause)
	case err != nil && isTimeout(err):
		note(src.timeoutCause)
	case err != nil:
		note(src.errorCause)
	}
	abort := func() {
		src.conn.Close()
		dst.conn.Close()
	}
	if writeErr || err != nil && !isTimeout(err) {
		abort()
		return
	}
	hc, ok := dst.conn.(interface{ CloseWrite() error })
	if endCloses || !ok || hc.CloseWrite() != nil {
		abort()
		return
	}
	dst.finShut()
}

// copyThrough is forward's copy through user space; it returns nil at
// src's FIN, the read timeout when src went quiet, or the error that
// ended it (writeErr: a write to dst failed).
func copyThrough(dst, src *pipeSide) (err error, writeErr bool) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for {
		src.armRead()
		n, err := src.conn.Read(buf)
		if n > 0 {
			src.last.Store(src.now())
			if werr := writeAll(dst, buf[:n]); werr != nil {
				return werr, true
			}
		}
		if err == nil {
			continue
		}
		if isTimeout(err) && src.stillAlive() {
			continue
		}
		if err == io.EOF {
			return nil, false
		}
		return err, false
	}
}

// writeAll writes b to s within s's write timeout, which any progress
// pushes back.
func writeAll(s *pipeSide, b []byte) error {
	for len(b) > 0 {
		if s.write > 0 {
			s.conn.SetWriteDeadline(time.Now().Add(s.write))
		}
		n, err := s.conn.Write(b)
		if n > 0 {
			s.last.Store(s.now())
		}
		b = b[n:]
		if err != nil && !(isTimeout(err) && n > 0) {
			return err
		}
	}
	return nil
}
