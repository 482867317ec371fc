package check

import (
	"net"
	"testing"
	"time"
)

// TestDeadlines: the limits of one check for the timeout settings measured
// with haproxy 2.6.12 (compat-tests TestCheckTimeouts compares the
// resulting durations with the real binary).
func TestDeadlines(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	start := time.Unix(1000, 0)
	tests := []struct {
		name      string
		inter     time.Duration
		to        Timeouts
		connected time.Duration // when the connection is established
		connect   time.Duration // connect deadline, from start
		rest      time.Duration // deadline after the connection, from start
	}{
		{"no timeout check: inter bounds it all", ms(50), Timeouts{Connect: ms(5000)}, ms(1), ms(50), ms(50)},
		{"no timeout check, short timeout connect ignored", ms(1000), Timeouts{Connect: ms(100)}, ms(1), ms(1000), ms(1000)},
		{"timeout check: connect min(inter, connect), then check", ms(50), Timeouts{Connect: ms(100), Check: ms(2000)}, ms(1), ms(50), ms(2001)},
		{"timeout check shorter than the connect deadline left", ms(1000), Timeouts{Connect: ms(100), Check: ms(20)}, ms(1), ms(100), ms(100)},
		{"timeout check longer than the connect deadline left", ms(1000), Timeouts{Connect: ms(100), Check: ms(330)}, ms(1), ms(100), ms(331)},
		{"timeout check without timeout connect", ms(2000), Timeouts{Check: ms(330)}, ms(1), ms(2000), ms(2000)},
		{"long timeout connect: inter", ms(1000), Timeouts{Connect: ms(3000), Check: ms(200)}, ms(1), ms(1000), ms(1000)},
	}
	for _, tt := range tests {
		d := NewDeadlines(start, tt.inter, tt.to)
		if got := d.Connect.Sub(start); got != tt.connect {
			t.Errorf("%s: connect deadline %v, want %v", tt.name, got, tt.connect)
		}
		if got := d.AfterConnect(start.Add(tt.connected)).Sub(start); got != tt.rest {
			t.Errorf("%s: deadline once connected %v, want %v", tt.name, got, tt.rest)
		}
	}
}

// TestFirstDelay: haproxy's start-up spreading (src/check.c
// start_check_task). Each check gets its position's share of the larger of
// the common interval (the smallest one of at least 1s) and its own.
func TestFirstDelay(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	tests := []struct {
		name   string
		starts []time.Duration
		max    time.Duration // max-spread-checks
		want   []time.Duration
	}{
		{"one server is checked at once", []time.Duration{ms(2000)}, 0, []time.Duration{0}},
		{"equal intervals", []time.Duration{ms(2000), ms(2000), ms(2000), ms(2000)}, 0, []time.Duration{0, ms(500), ms(1000), ms(1500)}},
		{"max-spread-checks", []time.Duration{ms(2000), ms(2000), ms(2000), ms(2000)}, ms(400), []time.Duration{0, ms(100), ms(200), ms(300)}},
		{"short intervals spread over their own", []time.Duration{ms(600), ms(600), ms(600)}, 0, []time.Duration{0, ms(200), ms(400)}},
		{"short ones spread over the common one", []time.Duration{ms(600), ms(600), ms(600), ms(3000)}, 0, []time.Duration{0, ms(750), ms(1500), ms(2250)}},
		{"a longer one spreads over its own", []time.Duration{ms(1000), ms(5000)}, 0, []time.Duration{0, ms(2500)}},
	}
	for _, tt := range tests {
		m := MinInter(tt.starts)
		for i, own := range tt.starts {
			if got := FirstDelay(m, own, tt.max, i, len(tt.starts)); got != tt.want[i] {
				t.Errorf("%s: check %d starts after %v, want %v", tt.name, i, got, tt.want[i])
			}
		}
	}
}

// TestSpread: "spread-checks 50" keeps every delay within ±50 % and
// varies it; 0 leaves it exact.
func TestSpread(t *testing.T) {
	const d = time.Second
	if got := spread(d, 0); got != d {
		t.Fatalf("spread-checks 0: %v", got)
	}
	seen := map[time.Duration]bool{}
	for i := 0; i < 100; i++ {
		got := spread(d, 50)
		if got < d/2 || got > d*3/2 {
			t.Fatalf("spread-checks 50: %v outside [500ms, 1.5s]", got)
		}
		seen[got] = true
	}
	if len(seen) < 10 {
		t.Errorf("spread-checks 50 gave %d distinct delays in 100", len(seen))
	}
}

// TestStopInterruptsCheck: a check waiting for a response that never comes
// ends at Stop, not at its deadline.
func TestStopInterruptsCheck(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c // never answers
		}
	}()
	started := make(chan struct{}, 1)
	tgt := &Target{Name: "be/s", Addr: ln.Addr().String(), Probe: HTTPProbe{}, Health: NewHealth(2, 3, false),
		Intervals: Intervals{Inter: time.Minute}}
	c := Start([]*Target{tgt}, Options{
		Started: func(*Target) { started <- struct{}{} },
		Notify:  func(ev Event) { t.Errorf("a stopped check reported %+v", ev.Result) },
	})
	<-started
	select {
	case conn := <-accepted:
		defer conn.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("the check never connected")
	}
	done := make(chan struct{})
	go func() { c.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop waits for the check's deadline (inter 1m)")
	}
}

// TestCheckerStarted: every check is announced before its result.
func TestCheckerStarted(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var trail []string
	done := make(chan struct{})
	tgt := &Target{Name: "be/s", Addr: ln.Addr().String(), Probe: TCPProbe{}, Health: NewHealth(2, 3, false),
		Intervals: Intervals{Inter: 20 * time.Millisecond}}
	c := Start([]*Target{tgt}, Options{
		Started: func(*Target) { trail = append(trail, "start") },
		Notify: func(ev Event) {
			trail = append(trail, ev.Result.Status.Code())
			if len(trail) == 6 {
				close(done)
			}
		},
	})
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	c.Stop()
	want := []string{"start", "L4OK", "start", "L4OK", "start", "L4OK"}
	if len(trail) < len(want) {
		t.Fatalf("trail %v", trail)
	}
	for i := range want {
		if trail[i] != want[i] {
			t.Fatalf("trail %v, want %v first", trail, want)
		}
	}
}
