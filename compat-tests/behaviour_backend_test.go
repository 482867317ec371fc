package compattests

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// scriptServer is a behaviour-suite backend on 127.0.0.1. By default it
// echoes: the response body is the exact bytes it received for the request
// (head and raw body), so a transcript shows what the proxy forwarded. The
// request path selects a scripted behaviour instead:
//
//	/slow/<ms>...   wait <ms> before answering
//	/close...       answer with "Connection: close" and close
//	/chunked...     answer with a chunked body (two chunks and a trailer)
//	/status/<n>...  answer status n (204/304/1xx without a body)
//	/hdrs...        answer with a fixed set of headers (http-response rules)
//	/drop...        close without answering
//	/garbage...     answer something that is not HTTP
//	/http10...      answer HTTP/1.0 with a body delimited by the close
//	/continue...    send "100 Continue" before reading the body
//	/ws...          answer 101 and echo raw bytes from then on
//	/wshold...      as /ws, but keep the connection open after the proxy's FIN
//	/wshalf...      answer 101, send "bye\n", shut its write side, read to the end
//	/half...        read the request, send the response, then shut its write side
//
// A connection that does not start with an HTTP request line is raw (mode
// tcp cases); its first word selects:
//
//	hold...   echo, and keep the connection open after the proxy's FIN
//	half...   send "bye\n", shut its write side, read to the end
//	drip...   send "tick\n" six times 100 ms apart, then "end\n", then echo
//	other     echo, and shut its write side after the proxy's FIN
type scriptServer struct {
	name  string
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
	// quit closes on stop: held connections end then.
	quit     chan struct{}
	quitOnce sync.Once
}

// stop closes the listener and every accepted connection, as a server
// process that exits.
func (s *scriptServer) stop() {
	s.quitOnce.Do(func() { close(s.quit) })
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
}

func startScriptServer(t *testing.T, name string) *scriptServer {
	t.Helper()
	// a port found free may be taken by another process before we bind
	// it: try a few
	var ln net.Listener
	var err error
	for i := 0; i < 5; i++ {
		if ln, err = net.Listen("tcp4", freeLoopback(t)); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	s := &scriptServer{name: name, ln: ln, conns: map[net.Conn]bool{}, quit: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[c] = true
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
			}()
		}
	}()
	t.Cleanup(s.stop)
	return s
}

func (s *scriptServer) addr() string { return s.ln.Addr().String() }

// serve handles one connection; a connection that does not look like HTTP
// (mode tcp cases) is echoed raw.
func (s *scriptServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	// nth counts the requests of this connection: the echo tells it
	// (x-nth) so that transcripts show server connection reuse.
	nth := 0
	for {
		nth++
		head, err := readHTTPHead(br)
		if err != nil {
			if len(head) > 0 {
				s.serveRaw(c, br, head)
			}
			return
		}
		line := string(head[:bytes.IndexByte(head, '\n')])
		fields := strings.Fields(line)
		path := ""
		if len(fields) > 1 {
			path = fields[1]
		}
		if i := strings.Index(path, "://"); i >= 0 {
			if j := strings.IndexByte(path[i+3:], '/'); j >= 0 {
				path = path[i+3+j:]
			}
		}
		hl := strings.ToLower(string(head))
		if strings.HasPrefix(path, "/continue") && strings.Contains(hl, "\nexpect: 100-continue") {
			c.Write([]byte("HTTP/1.1 100 Continue\r\n\r\n"))
		}
		body, err := readHTTPBody(br, hl)
		got := append(append([]byte{}, head...), body...)
		if err != nil {
			return
		}
		closeAfter := strings.Contains(hl, "\nconnection: close") || strings.HasPrefix(line, "GET / HTTP/1.0") && !strings.Contains(hl, "keep-alive")
		if strings.Contains(line, "HTTP/1.0") && !strings.Contains(hl, "\nconnection: keep-alive") {
			closeAfter = true
		}
		isHead := strings.HasPrefix(line, "HEAD ")
		switch {
		case strings.HasPrefix(path, "/slow/"):
			ms, _ := strconv.Atoi(leadingDigits(path[6:]))
			time.Sleep(time.Duration(ms) * time.Millisecond)
		case strings.HasPrefix(path, "/drop"):
			return
		case strings.HasPrefix(path, "/garbage"):
			c.Write([]byte("this is not http\r\n\r\n"))
			return
		case strings.HasPrefix(path, "/http10"):
			c.Write([]byte("HTTP/1.0 200 OK\r\nx-server: " + s.name + "\r\n\r\n"))
			c.Write(got)
			return
		case strings.HasPrefix(path, "/wshold"), strings.HasPrefix(path, "/wshalf"):
			c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + wsAccept(hl) + "x-server: " + s.name + "\r\n\r\n"))
			if strings.HasPrefix(path, "/wshalf") {
				s.halfClose(c, br)
				return
			}
			io.Copy(c, br)
			s.hold()
			return
		case strings.HasPrefix(path, "/ws"):
			c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + wsAccept(hl) + "x-server: " + s.name + "\r\n\r\n"))
			io.Copy(c, br)
			return
		case strings.HasPrefix(path, "/chunked"):
			var b bytes.Buffer
			b.WriteString("HTTP/1.1 200 OK\r\nx-server: " + s.name + "\r\nTransfer-Encoding: chunked\r\n")
			if closeAfter {
				b.WriteString("Connection: close\r\n")
			}
			b.WriteString("\r\n")
			if !isHead {
				b.WriteString("5\r\nhello\r\n")
				b.WriteString(strconv.FormatInt(int64(len(got)), 16) + ";ext=1\r\n")
				b.Write(got)
				b.WriteString("\r\n0\r\nX-Trailer: done\r\n\r\n")
			}
			c.Write(b.Bytes())
			if closeAfter {
				return
			}
			continue
		case strings.HasPrefix(path, "/status/"):
			code := leadingDigits(path[8:])
			var b bytes.Buffer
			b.WriteString("HTTP/1.1 " + code + " Scripted\r\nx-server: " + s.name + "\r\n")
			if code == "204" || code == "304" || code[0] == '1' {
				if code == "304" {
					b.WriteString("ETag: \"x\"\r\n")
				}
				b.WriteString("\r\n")
				c.Write(b.Bytes())
				if closeAfter {
					return
				}
				continue
			}
			b.WriteString("Content-Length: " + strconv.Itoa(len(got)) + "\r\n\r\n")
			if !isHead {
				b.Write(got)
			}
			c.Write(b.Bytes())
			if closeAfter {
				return
			}
			continue
		case strings.HasPrefix(path, "/cc/"):
			// a response with the cache-control written after /cc/
			// ("cookie ... nocache" cases)
			b := "HTTP/1.1 200 OK\r\nx-server: " + s.name + "\r\nCache-Control: " + path[4:] + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
			c.Write([]byte(b))
			return
		case strings.HasPrefix(path, "/sc/"):
			// the server sets the cookie written after /sc/ (persistence
			// cookie rewrite, prefix and insert cases)
			var b bytes.Buffer
			b.WriteString("HTTP/1.1 200 OK\r\nx-server: " + s.name + "\r\nSet-Cookie: " + path[4:] + "; path=/\r\nSet-Cookie: other=1\r\nContent-Length: 2\r\n")
			if closeAfter {
				b.WriteString("Connection: close\r\n")
			}
			b.WriteString("\r\nok")
			c.Write(b.Bytes())
			if closeAfter {
				return
			}
			continue
		case strings.HasPrefix(path, "/hdrs"):
			var b bytes.Buffer
			b.WriteString("HTTP/1.1 200 OK\r\nServer: script\r\nX-Powered-By: go\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Version: v1.2.3\r\nCache-Control: private\r\nx-server: " + s.name + "\r\nContent-Length: 2\r\n\r\nok")
			c.Write(b.Bytes())
			if closeAfter {
				return
			}
			continue
		}
		var b bytes.Buffer
		b.WriteString("HTTP/1.1 200 OK\r\nx-server: " + s.name + "\r\nx-nth: " + strconv.Itoa(nth) + "\r\nContent-Type: text/plain\r\n")
		if strings.HasPrefix(path, "/close") {
			closeAfter = true
		}
		if closeAfter {
			b.WriteString("Connection: close\r\n")
		}
		b.WriteString("Content-Length: " + strconv.Itoa(len(got)) + "\r\n\r\n")
		if !isHead {
			b.Write(got)
		}
		c.Write(b.Bytes())
		if strings.HasPrefix(path, "/half") {
			c.(*net.TCPConn).CloseWrite()
			io.Copy(io.Discard, br)
			return
		}
		if closeAfter {
			return
		}
	}
}

// serveRaw serves a connection that is not HTTP; head is what was read of
// it so far.
func (s *scriptServer) serveRaw(c net.Conn, br *bufio.Reader, head []byte) {
	switch {
	case bytes.HasPrefix(head, []byte("hold")):
		c.Write(head)
		io.Copy(c, br)
		s.hold()
	case bytes.HasPrefix(head, []byte("half")):
		s.halfClose(c, br)
	case bytes.HasPrefix(head, []byte("drip")):
		for i := 0; i < 6; i++ {
			c.Write([]byte("tick\n"))
			time.Sleep(100 * time.Millisecond)
		}
		c.Write([]byte("end\n"))
		io.Copy(c, br)
		c.(*net.TCPConn).CloseWrite()
	default:
		c.Write(head)
		io.Copy(c, br)
		c.(*net.TCPConn).CloseWrite()
	}
}

// hold keeps a connection open (its caller's deferred Close waits) until
// the server stops or for at most 5 s.
func (s *scriptServer) hold() {
	select {
	case <-s.quit:
	case <-time.After(5 * time.Second):
	}
}

// halfClose sends "bye\n", shuts the write side and reads to the end: the
// proxy decides when the connection ends.
func (s *scriptServer) halfClose(c net.Conn, br *bufio.Reader) {
	c.Write([]byte("bye\n"))
	c.(*net.TCPConn).CloseWrite()
	io.Copy(io.Discard, br)
}

// wsAccept is the Sec-WebSocket-Accept field for the request's key
// (RFC 6455 §4.2.2); haproxy checks it.
func wsAccept(hl string) string {
	i := strings.Index(hl, "\nsec-websocket-key:")
	if i < 0 {
		return ""
	}
	k := hl[i+19:]
	k = strings.TrimSpace(k[:strings.IndexByte(k, '\n')])
	// the key's case matters: hl is lower-cased, so the tests use keys
	// without upper-case letters.
	h := sha1.Sum([]byte(k + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return "Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(h[:]) + "\r\n"
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return "0"
	}
	return s[:i]
}

// readHTTPHead reads up to the blank line; on a non-HTTP start it returns
// what it read with an error.
func readHTTPHead(br *bufio.Reader) ([]byte, error) {
	var head []byte
	for {
		line, err := br.ReadSlice('\n')
		head = append(head, line...)
		if err != nil {
			if err == bufio.ErrBufferFull {
				continue
			}
			return head, err
		}
		if len(head) == len(line) && !bytes.Contains(line, []byte(" HTTP/")) {
			return head, io.ErrUnexpectedEOF
		}
		if string(line) == "\r\n" || string(line) == "\n" {
			return head, nil
		}
	}
}

// readHTTPBody reads a request body as framed by its (lower-cased) head and
// returns its raw bytes.
func readHTTPBody(br *bufio.Reader, hl string) ([]byte, error) {
	if strings.Contains(hl, "\ntransfer-encoding: chunked") {
		var raw []byte
		for {
			line, err := br.ReadString('\n')
			raw = append(raw, line...)
			if err != nil {
				return raw, err
			}
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.SplitN(line, ";", 2)[0]), 16, 64)
			if n == 0 {
				for {
					l, err := br.ReadString('\n')
					raw = append(raw, l...)
					if err != nil || l == "\r\n" || l == "\n" {
						return raw, err
					}
				}
			}
			data := make([]byte, n+2)
			if _, err := io.ReadFull(br, data); err != nil {
				return raw, err
			}
			raw = append(raw, data...)
		}
	}
	if i := strings.Index(hl, "\ncontent-length:"); i >= 0 {
		v := hl[i+16:]
		v = strings.TrimSpace(v[:strings.IndexByte(v, '\n')])
		n, _ := strconv.Atoi(v)
		body := make([]byte, n)
		_, err := io.ReadFull(br, body)
		return body, err
	}
	return nil, nil
}

// blackhole is a listening socket whose accept queue is full, so that
// further SYNs are dropped and connects hang: "timeout connect" on
// loopback.
func blackhole(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	// the port may have TIME_WAIT connections from an earlier run
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	// a port found free may be taken before the bind: try others
	for attempt := 1; ; attempt++ {
		_, ps, _ := net.SplitHostPort(freeLoopback(t))
		pn, _ := strconv.Atoi(ps)
		err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: pn})
		if err == nil {
			break
		}
		if err != syscall.EADDRINUSE || attempt == 5 {
			t.Fatal(err)
		}
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	lsa, _ := syscall.Getsockname(fd)
	port := lsa.(*syscall.SockaddrInet4).Port
	addr := "127.0.0.1:" + strconv.Itoa(port)
	var fill []net.Conn
	for i := 0; i < 4; i++ {
		c, err := net.DialTimeout("tcp4", addr, 100*time.Millisecond)
		if err != nil {
			break
		}
		fill = append(fill, c)
	}
	t.Cleanup(func() {
		for _, c := range fill {
			c.Close()
		}
		syscall.Close(fd)
	})
	return addr
}

// deadAddr is a loopback port with nothing listening: connection refused.
func deadAddr(t *testing.T) string {
	t.Helper()
	return freeLoopback(t)
}
