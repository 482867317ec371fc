package fsm

import (
	"testing"
	"time"

	"goha/vrrp/internal/golden"
	"goha/vrrp/packet"
)

// TestGoldenTimeToMaster compares, for each single-node capture, the time
// keepalived took from its start to its first advert as MASTER with the
// master-down interval our machine computes for the same configuration.
// keepalived needs a few tens of milliseconds to start; it can never be
// early.
func TestGoldenTimeToMaster(t *testing.T) {
	nodes := goldenNodes()
	for _, name := range []string{"v2-master", "v3-master", "v3-fast", "v3-ipv6", "v2-unicast", "v2-owner"} {
		n := nodes[name][0]
		sc, err := golden.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		start, _ := sc.EventTime("start lb1", 0)
		var first time.Time
		garps := 0
		for _, f := range sc.Frames {
			if f.Kind == golden.Advert && first.IsZero() {
				first = f.Time
			}
			if f.Kind == golden.GARP || f.Kind == golden.NA {
				garps++
			}
		}
		m, _ := New(n.cfg)
		m.Start(start)
		want := m.Deadline().Sub(start)
		got := first.Sub(start)
		t.Logf("%-10s keepalived start->MASTER %v, ours %v (+%v); %d GARP/NA frames", name, got.Round(time.Millisecond), want, (got - want).Round(time.Millisecond), garps)
		if got < want || got > want+100*time.Millisecond {
			t.Errorf("%s: keepalived became MASTER after %v, we compute %v", name, got, want)
		}
	}
}

// TestGoldenPairTakeover measures the tutorial pair: the backup's
// takeover after the master's priority-0 advert is its skew time
// (206/256 s for priority 50).
func TestGoldenPairTakeover(t *testing.T) {
	sc, err := golden.Load("v2-pair")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := New(tutorialBackup())
	skew := m.Skew(50)
	var zero time.Time
	n := 0
	for _, f := range sc.Of(golden.Advert) {
		var p packet.Packet
		if err := p.Decode(f.Payload, false); err != nil {
			t.Fatal(err)
		}
		switch {
		case f.Src == addrLB1 && p.Priority == 0:
			zero = f.Time
		case f.Src == addrLB2 && p.Priority == 50 && !zero.IsZero():
			d := f.Time.Sub(zero)
			t.Logf("priority-0 advert -> backup MASTER advert: %v (skew %v)", d.Round(time.Microsecond), skew)
			if d < skew || d > skew+50*time.Millisecond {
				t.Errorf("takeover after %v, skew is %v", d, skew)
			}
			zero = time.Time{}
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d takeovers measured, want 2", n)
	}
}
