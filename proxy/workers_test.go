package proxy

import (
	"net"
	"sync"
	"testing"
	"time"
)

// Workers are reused while connections keep coming, and retired once a
// whole period passes without needing them.
func TestWorkerPoolReusesAndRetires(t *testing.T) {
	var mu sync.Mutex
	served := map[net.Conn]bool{}
	release := make(chan struct{})
	var wg sync.WaitGroup
	p := newWorkerPool(func(j connJob) {
		<-release
		mu.Lock()
		served[j.c] = true
		mu.Unlock()
		wg.Done()
	})
	p.period = 100 * time.Millisecond
	conns := make([]net.Conn, 8)
	for i := range conns {
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		conns[i] = a
	}
	// Four at once: four workers.
	wg.Add(4)
	for _, c := range conns[:4] {
		p.run(connJob{c: c})
	}
	if n := p.workers.Load(); n != 4 {
		t.Fatalf("%d workers for 4 concurrent connections", n)
	}
	for range 4 {
		release <- struct{}{}
	}
	wg.Wait()
	waitFor(t, func() bool { return p.idle.Load() == 4 })
	// Four more, one after another: the idle workers take them.
	for _, c := range conns[4:] {
		wg.Add(1)
		p.run(connJob{c: c})
		release <- struct{}{}
		wg.Wait()
		waitFor(t, func() bool { return p.idle.Load() == 4 })
	}
	if n := p.workers.Load(); n != 4 {
		t.Fatalf("%d workers after reuse, want 4", n)
	}
	mu.Lock()
	if len(served) != 8 {
		t.Fatalf("served %d connections, want 8", len(served))
	}
	mu.Unlock()
	// Nothing more: all are retired, and the reaper ends.
	waitFor(t, func() bool { return p.workers.Load() == 0 && !p.reaping.Load() })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(3 * time.Second); !cond(); {
		if time.Now().After(end) {
			t.Fatal("condition not reached in 3 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
