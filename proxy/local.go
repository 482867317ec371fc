package proxy

import (
	"net"
	"syscall"
	"time"

	"goha/proxy/http1"
	"goha/proxy/sock"
)

// canKeep reports whether the client connection may carry another request
// after a response the proxy generates itself: the request asked for
// keep-alive and its body (if any) can be skipped.
func (s *stream) canKeep() bool {
	return s.req.KeepAlive && s.skipRequestBody()
}

// answer sends one of haproxy's own responses for code: the section's
// errorfile when there is one (the backend's first, then the frontend's),
// else the built-in page as haproxy's HTX layer holds it.
func (s *stream) answer(code int) bool {
	msg := s.errorPage(code)
	if msg == nil {
		// unknown code: haproxy falls back to its 500 page? It uses the
		// code's own page when the table has one; keep 500's text.
		msg = http1.ErrorResponseHTX(500)
	}
	return s.sendLocal(msg, s.canKeep())
}

func (s *stream) errorPage(code int) []byte {
	if s.be != nil && s.be.rt != nil {
		if m := s.be.rt.errors[code]; m != nil {
			return m
		}
	}
	if m := s.f.rt.errors[code]; m != nil {
		return m
	}
	return http1.ErrorResponseHTX(code)
}

// sendLocal writes a response the proxy produces itself (a complete
// HTTP/1 message: a built-in page, an errorfile, a return or redirect) the
// way haproxy's H1 layer writes it: names in lower case, Connection fields
// dropped, then the connection header haproxy chooses (http1 NOTES,
// "Client connection"): "connection: close" on an HTTP/1.1 message when
// the connection closes, "keep-alive" to a 1.0 client when it stays. A
// message whose body runs until the close (errorfile without
// Content-Length) closes the connection. It reports whether the client
// connection stays open.
func (s *stream) sendLocal(msg []byte, keep bool) bool {
	r := s.localResp
	r.Reset()
	done, err := r.Parse(msg)
	if err != nil || !done {
		s.client.Write(msg)
		s.consume()
		return false
	}
	s.countResponse(r.Status)
	s.countLocalResponse(r, msg)
	keep = keep && r.KeepAlive && r.Body != http1.BodyUntilClose
	cc := http1.ConnNothing
	if r.VersionAtLeast11() {
		switch {
		case !keep:
			cc = http1.ConnClose
		case !s.req.VersionAtLeast11():
			cc = http1.ConnKeepAlive
		}
	} else if keep {
		cc = http1.ConnKeepAlive
	}
	out := http1.AppendResponseHead(s.out[:0], msg, r, cc)
	if !isHEAD(s.txn.Method) {
		out = append(out, msg[r.HeadLen:]...)
	}
	s.out = out[:0]
	if keep {
		s.client.Write(out)
	} else {
		s.writeLast(out)
	}
	s.consume()
	return keep
}

func isHEAD(m []byte) bool { return string(m) == "HEAD" }

// lingerClose closes a client connection without resetting it: closing a
// socket with unread input makes the kernel send a RST, which can destroy
// the response not yet read by the client. haproxy drains what the client
// already sent before closing; so do we, briefly.
func lingerClose(c net.Conn) {
	switch c.(type) {
	case *net.TCPConn, *sock.TCPConn:
		c.(interface{ CloseWrite() error }).CloseWrite()
		if n, err := peek(c); err == syscall.EAGAIN || err == nil && n == 0 { // nothing unread, or the client's FIN
			c.Close()
			return
		}
		var buf [4096]byte
		c.SetReadDeadline(time.Now().Add(lingerTime))
		for {
			if _, err := c.Read(buf[:]); err != nil {
				break
			}
		}
	}
	c.Close()
}

// lingerTime bounds the drain of lingerClose.
const lingerTime = 200 * time.Millisecond
