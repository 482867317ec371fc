package main

import (
	"bufio"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestContentLength(t *testing.T) {
	for head, want := range map[string]int{
		"HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 34": 34,
		"HTTP/1.1 200 OK\r\ncontent-length:7\r\nDate: today": 7,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked":      -1,
		"HTTP/1.1 200 OK\r\nContent-Length: 1x":              -1,
		"HTTP/1.1 204 No Content\r\nX-Content-Length: 5\r\n": -1,
	} {
		if got := contentLength([]byte(head)); got != want {
			t.Errorf("contentLength(%q) = %d, want %d", head, got, want)
		}
	}
}

// slowServer answers every request with a 34-byte body after delay,
// in two writes (head, then body) so that a response can come in parts.
func slowServer(t *testing.T, delay time.Duration, status string) (string, *atomic.Int64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var served atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if strings.TrimSpace(line) != "" {
						continue
					}
					time.Sleep(delay)
					c.Write([]byte("HTTP/1.1 " + status + "\r\nContent-Length: 34\r\n\r\n"))
					c.Write([]byte(smallBody))
					served.Add(1)
				}
			}()
		}
	}()
	return ln.Addr().String(), &served
}

func TestOpenLoopTimesEveryRequest(t *testing.T) {
	addr, served := slowServer(t, 2*time.Millisecond, "200 OK")
	c, err := dialOpenLoop(addr, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	var lat []int64
	// 1,000 req/s for 50 ms skipped and 200 ms measured: 250 requests,
	// 200 of them timed.
	got, err := c.run(1000, 50*time.Millisecond, 200*time.Millisecond, &lat)
	if err != nil {
		t.Fatal(err)
	}
	if served.Load() != 250 || len(lat) != 200 || got.errors != 0 {
		t.Fatalf("served %d, timed %d, errors %d; want 250, 200, 0", served.Load(), len(lat), got.errors)
	}
	var res latencyResult
	latencyPercentiles(&res, lat) // sorts lat
	maxUs := float64(lat[len(lat)-1]) / 1e3
	// Every response took the server's 2 ms at least; 4 connections
	// at 1 ms per request keep up, so nothing waits for long.
	if res.P50 < 2000 || res.P50 > 50000 || maxUs > 500000 {
		t.Errorf("p50 %.0f µs, max %.0f µs; want 2–50 ms and under 0.5 s", res.P50, maxUs)
	}
	// The connections stay open for the next slice.
	if _, err := c.run(1000, 0, 20*time.Millisecond, &lat); err != nil || len(lat) != 220 {
		t.Errorf("second slice: %v, %d timed (want 220)", err, len(lat))
	}
}

func TestOpenLoopCountsQueueing(t *testing.T) {
	// One connection, 10 ms per response, 200 req/s: requests pile up,
	// and each one's wait since it was due counts.
	addr, _ := slowServer(t, 10*time.Millisecond, "200 OK")
	c, err := dialOpenLoop(addr, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	var lat []int64
	if _, err := c.run(200, 0, 100*time.Millisecond, &lat); err != nil {
		t.Fatal(err)
	}
	var res latencyResult
	if len(lat) == 0 {
		t.Fatal("no request timed")
	}
	latencyPercentiles(&res, lat) // sorts lat
	maxUs := float64(lat[len(lat)-1]) / 1e3
	// 20 requests due within 100 ms, served one per 10 ms: the last
	// waits about 100 ms.
	if len(lat) != 20 || maxUs < 80000 {
		t.Errorf("%d timed, max %.0f µs; want 20 and the last near 100 ms", len(lat), maxUs)
	}
}

func TestOpenLoopCountsErrors(t *testing.T) {
	addr, _ := slowServer(t, 0, "503 Service Unavailable")
	c, err := dialOpenLoop(addr, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	var lat []int64
	got, err := c.run(500, 0, 20*time.Millisecond, &lat)
	if err != nil || got.errors != 10 {
		t.Errorf("err %v, %d errors; want 10 (every response a 503)", err, got.errors)
	}
}
