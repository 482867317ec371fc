package proxy

import (
	"net"
	"testing"
	"time"
)

// A server with "slowstart" comes back from DOWN at a fraction of its
// weight and reaches its full weight once the period is over.
func TestSlowstartRampsWeight(t *testing.T) {
	back := freePort(t)
	cfg := "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n" +
		"frontend fe\n    bind " + freePort(t) + "\n    default_backend be\n" +
		"backend be\n    server s1 " + back + " weight 100 slowstart 2s check inter 100ms rise 1 fall 1\n"
	logs := &logSink{}
	e := startEngine(t, cfg, logs)
	waitLog := func(sub string) {
		t.Helper()
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if logs.find(sub) != "" {
				return
			}
		}
		t.Fatalf("no %q in the logs", sub)
	}
	waitLog("be/s1 is DOWN")
	ln, err := net.Listen("tcp", back)
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
	waitLog("be/s1 is UP")
	b := e.backends["be"]
	weight := func() int {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.lb.StatsWeight(b.servers[0].lbs)
	}
	if w := weight(); w <= 0 || w >= 100 {
		t.Fatalf("weight just after coming back = %d, want a fraction of 100", w)
	}
	deadline := time.Now().Add(5 * time.Second)
	for weight() != 100 {
		if time.Now().After(deadline) {
			t.Fatalf("weight %d after the slowstart period, want 100", weight())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
