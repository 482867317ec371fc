package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"goha/proxy/sock"
)

// wakeRecorder is a parked connection's owner that reports its wakes.
type wakeRecorder struct {
	node idleNode
	ch   chan idleWhy
}

func (w *wakeRecorder) idleWake(why idleWhy) { w.ch <- why }

func newRecorder(t *testing.T, c *net.TCPConn) *wakeRecorder {
	w := &wakeRecorder{ch: make(chan idleWhy, 4)}
	w.node.fd, w.node.w = int32(connFD(c)), w
	if w.node.fd < 0 {
		t.Fatal("no descriptor")
	}
	return w
}

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

func waitWake(t *testing.T, w *wakeRecorder, want idleWhy) {
	t.Helper()
	select {
	case got := <-w.ch:
		if got != want {
			t.Fatalf("woken with %d, want %d", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("not woken (want %d)", want)
	}
}

func notWoken(t *testing.T, w *wakeRecorder) {
	t.Helper()
	select {
	case got := <-w.ch:
		t.Fatalf("woken (%d) while silent", got)
	case <-time.After(50 * time.Millisecond):
	}
}

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// settle waits for the goroutine count to come down to at most n.
func settle(n int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		g := runtime.NumGoroutine()
		if g <= n || time.Now().After(deadline) {
			return g
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestIdlePollerParksWakesExpiresStops(t *testing.T) {
	fds, gor := openFDs(t), runtime.NumGoroutine()
	p, err := newIdlePoller()
	if err != nil {
		t.Fatal(err)
	}

	// Data wakes a parked connection, and wakes it once; the same node
	// parks again (re-armed) and wakes again, the data still unread.
	c1, s1 := tcpPair(t)
	w1 := newRecorder(t, s1)
	if !p.park(&w1.node, 10*time.Second) {
		t.Fatal("park refused")
	}
	if p.park(&w1.node, 10*time.Second) {
		t.Fatal("a parked node parked twice")
	}
	notWoken(t, w1)
	c1.Write([]byte("GET"))
	waitWake(t, w1, idleReady)
	notWoken(t, w1)
	if !p.park(&w1.node, 10*time.Second) {
		t.Fatal("park after a wake refused")
	}
	waitWake(t, w1, idleReady)

	// The client hanging up wakes it too (the read then sees EOF).
	c2, s2 := tcpPair(t)
	w2 := newRecorder(t, s2)
	p.park(&w2.node, 10*time.Second)
	c2.Close()
	waitWake(t, w2, idleReady)

	// Deadlines: a later park with an earlier deadline expires first,
	// the other stays parked.
	c3, s3 := tcpPair(t)
	c4, s4 := tcpPair(t)
	long, short := newRecorder(t, s3), newRecorder(t, s4)
	p.park(&long.node, time.Hour)
	p.park(&short.node, 30*time.Millisecond)
	waitWake(t, short, idleExpired)
	notWoken(t, long)
	if len(p.timers) != 1 || p.byFD[long.node.fd] != &long.node {
		t.Fatalf("after expiry: %d timers, long parked %v", len(p.timers), p.byFD[long.node.fd] != nil)
	}

	// A connection parked without deadline and one with: stop wakes both
	// and refuses new parks.
	c5, s5 := tcpPair(t)
	forever := newRecorder(t, s5)
	p.park(&forever.node, 0)
	p.stop()
	waitWake(t, long, idleStopped)
	waitWake(t, forever, idleStopped)
	if p.park(&short.node, time.Second) {
		t.Fatal("park after stop accepted")
	}

	// Nothing left behind: the epoll descriptor and the loop are gone.
	for _, c := range []net.Conn{c1, s1, s2, c3, s3, c4, s4, c5, s5} {
		c.Close()
	}
	if g := settle(gor); g > gor {
		t.Errorf("goroutines: %d after, %d before", g, gor)
	}
	if n := openFDs(t); n > fds {
		t.Errorf("open descriptors: %d after, %d before", n, fds)
	}
}

// A descriptor number reused by a new connection after the old one closed
// parks again (the old registration went with the close).
func TestIdlePollerReusedDescriptor(t *testing.T) {
	p, err := newIdlePoller()
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	for i := 0; i < 3; i++ {
		c, s := tcpPair(t)
		w := newRecorder(t, s)
		if !p.park(&w.node, 10*time.Second) {
			t.Fatalf("round %d: park refused", i)
		}
		c.Write([]byte("x"))
		waitWake(t, w, idleReady)
		c.Close()
		s.Close()
	}
}

// Through the engine: idle keep-alive clients hold no goroutine, their
// next request is served, "timeout http-keep-alive" closes them, and so
// does a stop.
func TestParkedKeepAliveConnections(t *testing.T) {
	rs, _ := realServer(t, "hello\n")
	fe, fe2 := freePort(t), freePort(t)
	e := startEngine(t, fmt.Sprintf(`defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend long
    bind %s
    timeout http-keep-alive 30s
    default_backend be
frontend short
    bind %s
    timeout http-keep-alive 300ms
    default_backend be
backend be
    server s1 %s
`, fe, fe2, rs), nil)
	const n = 100
	request := func(c net.Conn, r *bufio.Reader) error {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(b) != "hello\n" {
			return fmt.Errorf("status %d body %q", resp.StatusCode, b)
		}
		return nil
	}
	base := runtime.NumGoroutine()
	open := func(addr string) ([]net.Conn, []*bufio.Reader) {
		var conns []net.Conn
		var rds []*bufio.Reader
		for i := 0; i < n; i++ {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			r := bufio.NewReader(c)
			if err := request(c, r); err != nil {
				t.Fatalf("first request: %v", err)
			}
			conns, rds = append(conns, c), append(rds, r)
		}
		return conns, rds
	}
	conns, rds := open(fe)
	// Beside the parked connections wait at most maxIdleWorkers
	// goroutines for their wakes.
	if g := settle(base + maxIdleWorkers + n/10); g > base+maxIdleWorkers+n/10 {
		t.Errorf("%d idle keep-alive connections hold %d goroutines", n, g-base)
	}
	for i, c := range conns {
		if err := request(c, rds[i]); err != nil {
			t.Fatalf("request after parking: %v", err)
		}
	}

	// The short frontend's connections close at their keep-alive timeout.
	short, _ := open(fe2)
	for _, c := range short {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("after the keep-alive timeout: %v, want EOF", err)
		}
	}

	// A stop closes the long frontend's parked connections at once.
	e.Close()
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("after stop: %v, want EOF", err)
		}
	}
	if !e.Wait(5 * time.Second) {
		t.Error("connections still counted after stop")
	}
}

// Every stream field is either the connection's (kept across a park by
// idleSession or set again on wake), pooled scratch space, or the current
// request's (set before use by each request). A new field must be placed
// in one list; one that outlives a request must also be kept by
// idleSession.save/restore, or a parked connection would lose it.
func TestStreamFieldsClassified(t *testing.T) {
	perConn := "f client src addrs nreq own ownSrv ownSince bytes flushed tStart live idle slots noteFirst hw reqExpired"
	scratch := "req resp localResp cbuf sbuf out edits respEdits vars arena scratch reqLine logArena es"
	perRequest := "clen tick txn hdrs bodyInBuf be slen newURI newMethod newStatus newReason view sv logged " +
		"tHead tQueue tConn tData status term applet retries redisp bsrc rec tFirst reqID caps assigned ck sck ckDirect ckLast ckFirst forcePersist ignorePersist quietClose"
	known := map[string]bool{}
	for _, list := range []string{perConn, scratch, perRequest} {
		for _, name := range strings.Fields(list) {
			known[name] = true
		}
	}
	st := reflect.TypeOf(stream{})
	for i := 0; i < st.NumField(); i++ {
		if name := st.Field(i).Name; !known[name] {
			t.Errorf("stream field %q is not classified (idle_http.go: does it outlive a request?)", name)
		}
		delete(known, st.Field(i).Name)
	}
	for name := range known {
		t.Errorf("classified field %q is no longer in stream", name)
	}
}

// Parked connections that end (here at their keep-alive timeout) give
// back their maxconn slots: later clients are served.
func TestParkedConnectionsReleaseMaxconn(t *testing.T) {
	rs, _ := realServer(t, "hello\n")
	fe := freePort(t)
	startEngine(t, fmt.Sprintf(`global
    maxconn 2
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 100ms
frontend fe
    bind %s
    maxconn 2
    default_backend be
backend be
    server s1 %s
`, fe, rs), nil)
	for round := 0; round < 3; round++ {
		var conns []net.Conn
		for i := 0; i < 2; i++ {
			c, err := net.Dial("tcp", fe)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("round %d, client %d: %v (maxconn slots not released?)", round, i, err)
			}
			resp.Body.Close()
			conns = append(conns, c)
		}
		for _, c := range conns {
			if _, err := c.Read(make([]byte, 1)); err != io.EOF {
				t.Fatalf("round %d: %v after the keep-alive timeout, want EOF", round, err)
			}
		}
	}
}

// A busy connection (requests close together) waits in its goroutine
// between requests; it still closes at its keep-alive timeout once quiet,
// and at a stop while it waits.
func TestBusyKeepAliveConnection(t *testing.T) {
	rs, _ := realServer(t, "hello\n")
	fe, fe2 := freePort(t), freePort(t)
	e := startEngine(t, fmt.Sprintf(`defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend short
    bind %s
    timeout http-keep-alive 300ms
    default_backend be
frontend long
    bind %s
    timeout http-keep-alive 30s
    default_backend be
backend be
    server s1 %s
`, fe, fe2, rs), nil)
	busy := func(addr string) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		r := bufio.NewReader(c)
		for i := 0; i < 5; i++ {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			io.ReadAll(resp.Body)
		}
		return c
	}
	c := busy(fe)
	quiet := time.Now()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("quiet busy connection: %v, want EOF at the keep-alive timeout", err)
	}
	if d := time.Since(quiet); d < 200*time.Millisecond {
		t.Errorf("closed after %v, before its keep-alive timeout (300ms)", d)
	}
	c = busy(fe2)
	e.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("busy connection after stop: %v, want EOF", err)
	}
}

// A new connection whose request comes late waits for it in the idle
// poller (awaitRequest); once answered it parks at once, like a new
// connection whose request was there at accept, without joining Go's
// poller: a first request does not make a connection "hot" (when it did,
// the idle scenario's memory per connection tripled).
func TestLateFirstRequestParksAfterResponse(t *testing.T) {
	rs, _ := realServer(t, "hello\n")
	fe := freePort(t)
	e := startEngine(t, fmt.Sprintf(`defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend f
    bind %s
    default_backend be
backend be
    server s1 %s
`, fe, rs), nil)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	conns := make(chan net.Conn, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", fe)
			if err != nil {
				errs <- err
				return
			}
			conns <- c
			time.Sleep(20 * time.Millisecond) // the proxy parks it meanwhile (well within hotGrace)
			c.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				errs <- err
				return
			}
			if b, _ := io.ReadAll(resp.Body); string(b) != "hello\n" {
				errs <- fmt.Errorf("body %q", b)
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(conns)
	defer func() {
		for c := range conns {
			c.Close()
		}
	}()
	for err := range errs {
		t.Fatal(err)
	}
	p := e.idleP.Load()
	if p == nil {
		t.Fatal("no idle poller: the late requests did not wait in it")
	}
	parked := func() (all, polled int) {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, nd := range p.byFD {
			if nd == nil {
				continue
			}
			all++
			if tc, ok := nd.w.(*idleSession).client.(*sock.TCPConn); ok && tc.Polled() {
				polled++
			}
		}
		return all, polled
	}
	for end := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		all, polled := parked()
		if polled > 0 {
			t.Fatalf("%d of %d parked connections joined Go's poller after their first request", polled, all)
		}
		if all == n {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("%d of %d connections parked after their first response", all, n)
		}
	}
}
