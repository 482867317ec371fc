package proxy

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// "option tcp-smart-connect" in a mode http backend: the request carries
// the handshake's last ACK, and the server takes in one segment fewer
// per connection than without the option (haproxy's default, kept).
func TestTCPSmartConnect(t *testing.T) {
	// The server answers with the number of segments its socket took in
	// by the time the request had arrived.
	srv := listenLoop(t, func(c *net.TCPConn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		segs := "?"
		rc, _ := c.SyscallConn()
		rc.Control(func(fd uintptr) {
			if info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
				segs = strconv.Itoa(int(info.Segs_in))
			}
		})
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(segs), segs)
	})
	plainFE, smartFE := freePort(t), freePort(t)
	startEngine(t, fmt.Sprintf(`defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
frontend plain
    bind %s
    default_backend plain
frontend smart
    bind %s
    default_backend smart
backend plain
    server s1 %s
backend smart
    option tcp-smart-connect
    server s1 %s
`, plainFE, smartFE, srv, srv), nil)
	segs := func(fe string) int {
		t.Helper()
		code, body := get(t, "http://"+fe+"/")
		n, err := strconv.Atoi(body)
		if code != 200 || err != nil {
			t.Fatalf("%s: %d %q", fe, code, body)
		}
		return n
	}
	plain := segs(plainFE)
	// a stall longer than the delayed-ACK timer between the connect and
	// the request's send would let the ACK go alone: the best of three
	smart := segs(smartFE)
	for i := 0; i < 2 && smart >= plain; i++ {
		smart = min(smart, segs(smartFE))
	}
	if smart != plain-1 {
		t.Fatalf("the server took in %d segments by the request with tcp-smart-connect, %d without: want one fewer", smart, plain)
	}
}
