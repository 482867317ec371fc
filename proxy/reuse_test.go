package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// closingServer answers one request per connection with a keep-alive
// response naming the connection (1, 2, ...), then closes it at once: a
// server connection the proxy keeps is dead by the next request.
func closingServer(t *testing.T) (addr string, conns *atomic.Int32) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns = new(atomic.Int32)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n := conns.Add(1)
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				req, err := http.ReadRequest(r)
				if err != nil {
					return
				}
				req.Body.Close()
				body := fmt.Sprint(n)
				fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			}()
		}
	}()
	return ln.Addr().String(), conns
}

// A kept server connection reused within trustIdle is not checked first;
// when the server has closed it, the request goes again on a new
// connection and the client sees a normal answer.
func TestReusedDeadConnectionRetried(t *testing.T) {
	srv, conns := closingServer(t)
	fe := freePort(t)
	e := startEngine(t, fmt.Sprintf(`defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s
`, fe, srv), nil)
	c, err := net.Dial("tcp", fe)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	for i, path := range []string{"/a", "/b", "/c"} {
		if i > 0 {
			time.Sleep(50 * time.Millisecond) // the server's close arrives
		}
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("request %s: %v", path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != fmt.Sprint(i+1) {
			t.Fatalf("request %s: status %d, body %q, want 200 from connection %d", path, resp.StatusCode, b, i+1)
		}
	}
	if n := conns.Load(); n != 3 {
		t.Fatalf("server saw %d connections, want 3", n)
	}
	be := e.backends["be"]
	if reuse, conn := be.st.BE.Reuse.Load(), be.st.BE.Connect.Load(); reuse != 2 || conn != 3 {
		t.Fatalf("reuse %d, connect %d: want 2 unchecked reuses and 3 connections", reuse, conn)
	}
}

// SO_KEEPALIVE is on a server connection only with "option srvtcpka"
// (or tcpka), as in haproxy.
func TestServerTCPKeepAliveOption(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	for _, tc := range []struct {
		opt  string
		want int
	}{{"", 0}, {"option srvtcpka", 1}, {"option tcpka", 1}} {
		fe := freePort(t)
		e := startEngine(t, fmt.Sprintf("defaults\n    mode http\n    timeout connect 1s\nfrontend fe\n    bind %s\n    default_backend be\nbackend be\n    %s\n    server s1 %s\n", fe, tc.opt, ln.Addr()), nil)
		be := e.backends["be"]
		c, err := be.dialServer(be.servers[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		rc, _ := c.(syscall.Conn).SyscallConn()
		got := -1
		rc.Control(func(fd uintptr) { got, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE) })
		c.Close()
		if got != tc.want {
			t.Errorf("%q: SO_KEEPALIVE %d, want %d", tc.opt, got, tc.want)
		}
	}
}

// "timeout connect" bounds a connect that gets no answer: a listener
// whose accept queue is full drops the SYN, and the dial fails after the
// timeout, not after the kernel's minutes of SYN retries.
func TestDialServerConnectTimeout(t *testing.T) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := syscall.Getsockname(fd)
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	// fill the accept queue (never accepted)
	for i := 0; i < 3; i++ {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			defer c.Close()
		}
	}
	fe := freePort(t)
	e := startEngine(t, fmt.Sprintf("defaults\n    mode http\n    timeout connect 300ms\nfrontend fe\n    bind %s\n    default_backend be\nbackend be\n    server s1 %s\n", fe, addr), nil)
	be := e.backends["be"]
	start := time.Now()
	c, err := be.dialServer(be.servers[0], nil)
	took := time.Since(start)
	if err == nil {
		c.Close()
		t.Fatal("connect to a full accept queue succeeded")
	}
	if !isTimeout(err) || took < 250*time.Millisecond || took > 5*time.Second {
		t.Fatalf("dial: %v after %v, want a timeout after about 300ms", err, took)
	}
}
