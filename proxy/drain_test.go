package proxy

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSoftStopServesQueuedClients: clients the kernel accepted but the
// engine had not taken yet (here held back by frontend maxconn 1) are
// answered at soft stop, not reset with the listener (what a -sf reload
// under load would otherwise lose).
func TestSoftStopServesQueuedClients(t *testing.T) {
	addr := freePort(t)
	e := startEngine(t, `defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind `+addr+`
    maxconn 1
    http-request return status 200 content-type text/plain string ok
`, nil)
	// The first client takes the only slot and stays idle (keep-alive).
	first, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	io.WriteString(first, "GET / HTTP/1.1\r\nhost: x\r\n\r\n")
	buf := make([]byte, 512)
	first.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := first.Read(buf); err != nil || !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 200") {
		t.Fatalf("first client: %q %v", buf[:n], err)
	}
	// Three more wait in the kernel's accept queue with their request.
	var queued []net.Conn
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET / HTTP/1.1\r\nhost: x\r\n\r\n")
		queued = append(queued, c)
	}
	time.Sleep(100 * time.Millisecond)
	e.Close()
	for i, c := range queued {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, err := io.ReadAll(c)
		if !strings.HasPrefix(string(b), "HTTP/1.1 200") {
			t.Errorf("queued client %d: got %q, %v (want an answer, not a reset)", i, b, err)
		}
	}
	if !e.Wait(5 * time.Second) {
		t.Error("connections still open 5 s after the soft stop")
	}
}
