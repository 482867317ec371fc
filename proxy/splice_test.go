package proxy

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"goha/stats"
)

// The spliced data path (splice.go) must move every byte unchanged, count
// exactly what crossed the client connection, keep the half-close rules,
// and still end a transfer whose peer went quiet after its inactivity
// timeout — but not one whose peer is slow yet keeps sending.

func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed)}).Read(b)
	return b
}

// listenLoop accepts connections on a loopback port and hands each to fn.
func listenLoop(t *testing.T, fn func(c *net.TCPConn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); fn(c.(*net.TCPConn)) }()
		}
	}()
	return ln.Addr().String()
}

func proxyStats(t *testing.T, e *Engine, name string) *stats.Proxy {
	t.Helper()
	for _, px := range e.Proxies() {
		if px.Name == name {
			return px
		}
	}
	t.Fatalf("no proxy %q in the stats", name)
	return nil
}

// waitCounter waits until get() returns want (the counters are added when
// the stream ends, just after the client saw its last byte).
func waitCounter(t *testing.T, what string, get func() uint64, want uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for get() != want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := get(); got != want {
		t.Errorf("%s = %d, want %d", what, got, want)
	}
}

func TestSpliceTCPLargeBothWaysByteExact(t *testing.T) {
	up, down := randomBytes(6<<20+123, 1), randomBytes(9<<20+7, 2)
	gotUp := make(chan []byte, 1)
	srv := listenLoop(t, func(c *net.TCPConn) {
		// Answer at once while the upload is still coming: both
		// directions are in flight together.
		done := make(chan struct{})
		go func() { c.Write(down); c.CloseWrite(); close(done) }()
		b, _ := io.ReadAll(c)
		gotUp <- b
		<-done
	})
	fe := freePort(t)
	e := startEngine(t, fmt.Sprintf(`defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
listen bulk
    bind %s
    server s1 %s
`, fe, srv), nil)
	c, err := net.Dial("tcp", fe)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	go func() { c.Write(up); c.(*net.TCPConn).CloseWrite() }()
	back, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(back, down) {
		t.Fatalf("download: %d of %d bytes, equal %v, err %v", len(back), len(down), bytes.Equal(back, down), err)
	}
	if b := <-gotUp; !bytes.Equal(b, up) {
		t.Fatalf("upload: %d of %d bytes, equal %v", len(b), len(up), bytes.Equal(b, up))
	}
	px := proxyStats(t, e, "bulk")
	waitCounter(t, "bin", px.FE.BytesIn.Load, uint64(len(up)))
	waitCounter(t, "bout", px.FE.BytesOut.Load, uint64(len(down)))
	waitCounter(t, "server bout", px.Servers[0].C.BytesOut.Load, uint64(len(down)))
}

// A server that sends for longer than "timeout server", in bursts closer
// together than it, is not cut; once it goes quiet (without closing) the
// tunnel ends after the timeout, counted from its last byte.
func TestSpliceTCPTimeoutIsInactivity(t *testing.T) {
	const idle = 800 * time.Millisecond
	burst := randomBytes(256<<10, 3)
	const bursts = 12 // ~100 ms apart: 1.2 s of sending, more than idle
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	srv := listenLoop(t, func(c *net.TCPConn) {
		for i := 0; i < bursts; i++ {
			if _, err := c.Write(burst); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		<-hold // stalled: open, silent
	})
	fe := freePort(t)
	startEngine(t, fmt.Sprintf(`defaults
    mode tcp
    timeout connect 1s
    timeout client 30s
    timeout server %dms
listen slow
    bind %s
    server s1 %s
`, idle.Milliseconds(), fe, srv), nil)
	c, err := net.Dial("tcp", fe)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	var got []byte
	var last time.Time
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			got = append(got, buf[:n]...)
			last = time.Now()
		}
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the proxy never closed the stalled tunnel")
			}
			break
		}
	}
	closed := time.Since(last)
	if want := bytes.Repeat(burst, bursts); !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d (equal %v)", len(got), len(want), bytes.Equal(got, want))
	}
	// The close comes one timeout after the server's last byte, which the
	// proxy relayed just before the client read it.
	if closed < idle*8/10 {
		t.Errorf("closed %v after the last byte, before the %v inactivity timeout", closed, idle)
	}
}

// An HTTP body of known length and one that runs until the server closes
// pass byte-exact, both ways; the frontend counts every byte the client
// sent and received.
func TestSpliceHTTPLargeBodiesByteExact(t *testing.T) {
	body := randomBytes(5<<20+17, 4)
	upload := randomBytes(3<<20+5, 5)
	srv := listenLoop(t, func(c *net.TCPConn) {
		head := make([]byte, 0, 512)
		one := make([]byte, 1)
		for !bytes.HasSuffix(head, []byte("\r\n\r\n")) {
			if _, err := c.Read(one); err != nil {
				return
			}
			head = append(head, one[0])
		}
		switch {
		case bytes.HasPrefix(head, []byte("GET /length ")):
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(body))
			c.Write(body)
		case bytes.HasPrefix(head, []byte("GET /close ")):
			io.WriteString(c, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
			c.Write(body)
			c.CloseWrite()
		case bytes.HasPrefix(head, []byte("POST /echo ")):
			got := make([]byte, len(upload))
			if _, err := io.ReadFull(c, got); err != nil {
				return
			}
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(got))
			c.Write(got)
		}
		io.Copy(io.Discard, c)
	})
	fe := freePort(t)
	e := startEngine(t, fmt.Sprintf(`defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s
`, fe, srv), nil)
	exchange := func(req string, reqBody []byte) []byte {
		t.Helper()
		c, err := net.Dial("tcp", fe)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		go func() { io.WriteString(c, req); c.Write(reqBody) }()
		b, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("%q: %v after %d bytes", req, err, len(b))
		}
		return b
	}
	bodyOf := func(resp []byte) []byte {
		i := bytes.Index(resp, []byte("\r\n\r\n"))
		if i < 0 {
			t.Fatalf("no head in %q", resp[:min(len(resp), 200)])
		}
		return resp[i+4:]
	}
	px := proxyStats(t, e, "fe")
	// all three exchanges; the frontend's bin and bout they added (mode
	// http counts as haproxy's HTX does, flushed before the close)
	round := func() (in, out uint64) {
		in0, out0 := px.FE.BytesIn.Load(), px.FE.BytesOut.Load()
		for _, path := range []string{"/length", "/close"} {
			resp := exchange("GET "+path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", nil)
			if got := bodyOf(resp); !bytes.Equal(got, body) {
				t.Errorf("%s: body of %d bytes, want %d (equal %v)", path, len(got), len(body), bytes.Equal(got, body))
			}
		}
		resp := exchange(fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n", len(upload)), upload)
		if got := bodyOf(resp); !bytes.Equal(got, upload) {
			t.Errorf("echoed upload of %d bytes, want %d (equal %v)", len(got), len(upload), bytes.Equal(got, upload))
		}
		return px.FE.BytesIn.Load() - in0, px.FE.BytesOut.Load() - out0
	}
	in, out := round()
	if in < uint64(len(upload)) || out < uint64(2*len(body)+len(upload)) {
		t.Errorf("bin %d, bout %d: less than the bodies", in, out)
	}
	// The same exchanges through user space (no pipe to be had) count
	// the same.
	var in2, out2 uint64
	withoutPipes(func() { in2, out2 = round() })
	if in2 != in || out2 != out {
		t.Errorf("spliced: bin %d, bout %d; through user space: bin %d, bout %d", in, out, in2, out2)
	}
}

// A server that stops in the middle of a long body, and a client that
// stops in the middle of a long upload, are given up after the timeout.
func TestSpliceHTTPStalledPeers(t *testing.T) {
	const idle = 500 * time.Millisecond
	part := randomBytes(1<<20, 6)
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	srv := listenLoop(t, func(c *net.TCPConn) {
		buf := make([]byte, 4096)
		n, _ := c.Read(buf)
		if bytes.HasPrefix(buf[:n], []byte("GET ")) {
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", 4*len(part))
			c.Write(part)
		}
		// a POST: read what comes, answer nothing
		go io.Copy(io.Discard, c)
		<-hold
	})
	fe := freePort(t)
	startEngine(t, fmt.Sprintf(`defaults
    mode http
    timeout connect 1s
    timeout client %dms
    timeout server %dms
frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s
`, idle.Milliseconds(), idle.Milliseconds(), fe, srv), nil)

	t.Run("server", func(t *testing.T) {
		c, err := net.Dial("tcp", fe)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
		start := time.Now()
		b, err := io.ReadAll(c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("the proxy never gave up the stalled server (%d bytes)", len(b))
		}
		i := bytes.Index(b, []byte("\r\n\r\n"))
		if i < 0 || !bytes.Equal(b[i+4:], part) {
			t.Fatalf("want the head and the %d bytes the server sent, got %d bytes", len(part), len(b))
		}
		if d := time.Since(start); d < idle*8/10 {
			t.Errorf("closed after %v, before the %v timeout", d, idle)
		}
	})
	t.Run("client", func(t *testing.T) {
		c, err := net.Dial("tcp", fe)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		fmt.Fprintf(c, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", 4*len(part))
		c.Write(part)
		b, err := io.ReadAll(c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("the proxy never gave up the stalled upload")
		}
		// haproxy answers 504 at "timeout server" (errBodyTimeout).
		if !strings.HasPrefix(string(b), "HTTP/1.1 504 ") {
			t.Errorf("stalled upload answered %q", b[:min(len(b), 80)])
		}
	})
}

// copyIdle itself: counts on both sides, the user-space path when no
// pipe can be had, and every pipe back in the pool afterwards.
func TestCopyIdleCountsAndFallback(t *testing.T) {
	data := randomBytes(2<<20+9, 7)
	pair := func() (a, b *net.TCPConn) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ch := make(chan net.Conn, 1)
		go func() { c, _ := ln.Accept(); ch <- c }()
		x, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		y := <-ch
		t.Cleanup(func() { x.Close(); y.Close() })
		return x.(*net.TCPConn), y.(*net.TCPConn)
	}
	run := func(t *testing.T, limit int64) {
		srcW, srcR := pair()
		dstW, dstR := pair()
		go func() { srcW.Write(data); srcW.CloseWrite() }()
		got := make(chan []byte, 1)
		go func() { b, _ := io.ReadAll(dstR); got <- b }()
		in, out := &countConn{Conn: srcR}, &countConn{Conn: dstW}
		n, err := copyIdle(out, in, 5*time.Second, limit, nil)
		dstW.CloseWrite()
		want := data
		if limit >= 0 {
			want = data[:limit]
		}
		if err != nil || n != int64(len(want)) {
			t.Fatalf("copyIdle = %d, %v; want %d", n, err, len(want))
		}
		if b := <-got; !bytes.Equal(b, want) {
			t.Fatalf("copied %d bytes, want %d (equal %v)", len(b), len(want), bytes.Equal(b, want))
		}
		if in.in != uint64(len(want)) || out.out != uint64(len(want)) {
			t.Errorf("counted in %d, out %d; want %d", in.in, out.out, len(want))
		}
	}
	t.Run("splice", func(t *testing.T) { run(t, -1) })
	t.Run("splice-limit", func(t *testing.T) { run(t, 1<<20+3) })
	t.Run("no-pipe", func(t *testing.T) {
		withoutPipes(func() { run(t, -1) })
	})
	pipes.mu.Lock()
	defer pipes.mu.Unlock()
	if pipes.open != len(pipes.free) {
		t.Errorf("%d pipes open, %d in the pool: a copy kept one", pipes.open, len(pipes.free))
	}
}

// withoutPipes runs fn as if every pipe were taken: copies go through
// user space.
func withoutPipes(fn func()) {
	var p pipePair
	if getPipe(&p) { // the pool's limits are set on first use
		putPipe(p)
	}
	pipes.mu.Lock()
	saved, free := pipes.limit, pipes.free
	pipes.limit, pipes.free = 0, nil
	pipes.mu.Unlock()
	defer func() {
		pipes.mu.Lock()
		pipes.limit, pipes.free = saved, append(free, pipes.free...)
		pipes.mu.Unlock()
	}()
	fn()
}
