package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The load generators wrk cannot play: a bulk TCP reader, a crowd of idle
// keep-alive clients and an open-loop fixed-rate HTTP client. They run in
// the harness, on the load generator's CPU.

// bulkRead opens conns connections to addr and reads from all of them for
// d; it returns the bytes received.
func bulkRead(addr string, conns int, d time.Duration) (int64, error) {
	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	deadline := time.Now().Add(d)
	for range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return 0, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			c.SetReadDeadline(deadline)
			buf := make([]byte, 256<<10)
			for {
				n, err := c.Read(buf)
				total.Add(int64(n))
				if err != nil {
					var ne net.Error
					if !errors.As(err, &ne) || !ne.Timeout() {
						errs <- err
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		return total.Load(), fmt.Errorf("bulk read: %v", err)
	default:
	}
	return total.Load(), nil
}

// smallRequest is the request the harness's own clients send.
func smallRequest(path string) []byte {
	return []byte("GET " + path + " HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: gohabench\r\n\r\n")
}

// readResponse reads one HTTP/1.1 response with a Content-Length body
// (all our backends send one) and returns its status.
func readResponse(r *bufio.Reader) (int, error) {
	status, length := 0, -1
	for first := true; ; first = false {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if first {
			f := bytes.Fields(line)
			if len(f) < 2 {
				return 0, fmt.Errorf("bad status line %q", line)
			}
			status, _ = strconv.Atoi(string(f[1]))
			continue
		}
		if len(line) == 0 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(bytes.TrimSpace(k), []byte("content-length")) {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if length < 0 {
		return status, errors.New("response without content-length")
	}
	_, err := r.Discard(length)
	return status, err
}

// idleClients opens n connections to addr, sends one keep-alive request on
// each and reads the answer, and leaves them open. It returns the open
// connections (the caller closes them) and how many failed.
func idleClients(addr string, n int) ([]net.Conn, int) {
	conns := make([]net.Conn, n)
	var failed atomic.Int64
	var wg sync.WaitGroup
	work := make(chan int)
	req := smallRequest("/small")
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := bufio.NewReaderSize(nil, 4096)
			for i := range work {
				c, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					failed.Add(1)
					continue
				}
				c.SetDeadline(time.Now().Add(10 * time.Second))
				buf.Reset(c)
				if _, err := c.Write(req); err != nil {
					c.Close()
					failed.Add(1)
					continue
				}
				if st, err := readResponse(buf); err != nil || st != 200 {
					c.Close()
					failed.Add(1)
					continue
				}
				c.SetDeadline(time.Time{})
				conns[i] = c
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	open := conns[:0]
	for _, c := range conns {
		if c != nil {
			open = append(open, c)
		}
	}
	return open, int(failed.Load())
}

// stillOpen counts the connections the proxy has not closed: a read on a
// live idle connection times out, a closed one returns EOF at once.
func stillOpen(conns []net.Conn) int {
	deadline := time.Now().Add(20 * time.Millisecond)
	for _, c := range conns {
		c.SetReadDeadline(deadline)
	}
	time.Sleep(time.Until(deadline))
	alive := 0
	b := make([]byte, 1)
	for _, c := range conns {
		_, err := c.Read(b)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			alive++
		}
	}
	return alive
}

// latencyResult is an open-loop measurement (openloop.go): latencies are
// measured from the time each request was due, not from when a connection
// was free to send it, so a stalled proxy cannot hide its queue (no
// coordinated omission).
type latencyResult struct {
	Rate     float64 // requests per second asked for
	Achieved float64 // responses per second received in the window
	P50, P90 float64 // microseconds
	P99      float64
	P999     float64
	Errors   int
}

// percentile of sorted values (nearest rank).
func percentile[T int64 | float64](sorted []T, p float64) T {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

// fetchOnce checks that addr answers path with 200 and a body of want
// bytes before a run is timed.
func fetchOnce(addr, path string, want int) error {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(smallRequest(path)); err != nil {
		return err
	}
	r := bufio.NewReader(c)
	// Read the head ourselves to see the length.
	status, length := 0, -1
	for first := true; ; first = false {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		line = string(bytes.TrimRight([]byte(line), "\r\n"))
		if first {
			fmt.Sscanf(line, "HTTP/1.1 %d", &status)
			continue
		}
		if line == "" {
			break
		}
		if k, v, ok := bytes.Cut([]byte(line), []byte(":")); ok && bytes.EqualFold(bytes.TrimSpace(k), []byte("content-length")) {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if status != 200 || length != want {
		return fmt.Errorf("GET %s: status %d, content-length %d (want 200, %d)", path, status, length, want)
	}
	_, err = io.CopyN(io.Discard, r, int64(length))
	return err
}
