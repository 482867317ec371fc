package proxy

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"goha/internal/clock"
	"goha/stats/cli"
)

// TestSessionsListStreams: a request waiting for its server is listed
// with its frontend, backend, server and state; once answered, the
// keep-alive connection has no stream and is not listed.
func TestSessionsListStreams(t *testing.T) {
	release := make(chan struct{})
	srv, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	go func() {
		c, err := srv.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		c.Read(buf)
		<-release
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		c.Read(buf)
	}()
	addr := freePort(t)
	e := startEngine(t, fmt.Sprintf(`defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 7s
frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s
`, addr, srv.Addr()), nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	var list []cli.Session
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if list = e.Sessions(); len(list) == 1 && list[0].State == cli.SessWaitResponse {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sessions: %+v", list)
		}
	}
	ss := list[0]
	if ss.Frontend != "fe" || ss.Backend != "be" || ss.Server != "s1" || ss.Src != c.LocalAddr().String() ||
		ss.Proto != "tcpv4" || ss.FrontFD < 0 || ss.BackFD < 0 || ss.ExpireSec < 5 || ss.ExpireSec > 7 {
		t.Errorf("stream: %+v", ss)
	}
	close(release)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	n, _ := c.Read(buf)
	if !strings.HasSuffix(string(buf[:n]), "ok") {
		t.Fatalf("response %q", buf[:n])
	}
	for deadline := time.Now().Add(5 * time.Second); len(e.Sessions()) != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("an idle keep-alive connection is listed: %+v", e.Sessions())
		}
	}
}

// BenchmarkStreamTable is the cost "show sess" adds to a connection
// (register, one HTTP stream, unregister) and to each further request
// (begin, route, connect, response, end), from all cores at once.
func BenchmarkStreamTable(b *testing.B) {
	var tab streamTable
	fe := &frontend{name: "fe"}
	be := &backend{name: "be"}
	sv := &server{name: "s1"}
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	b.Run("connection", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l := tab.open(fe, c1)
				l.begin(100, clock.Mono())
				l.end()
				tab.close(l)
			}
		})
	})
	b.Run("request", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			l := tab.open(fe, c1)
			defer tab.close(l)
			for pb.Next() {
				l.begin(100, clock.Mono())
				l.routed(be)
				l.connected(sv, nil, sessWaitResponse, clock.Mono())
				l.step(sessResponse, clock.Mono())
				l.end()
			}
		})
	})
}
