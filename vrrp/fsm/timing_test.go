package fsm

import (
	"testing"
	"time"

	"goha/vrrp/internal/golden"
	"goha/vrrp/packet"
)

// TestGoldenTimeToMaster compares, for each single-node capture, the time
// keepalived took to its first advert as MASTER with the master-down
// interval our machine computes for the same configuration. Measured from
// the process launch it includes keepalived's start-up, so it can only be
// longer. Measured from the console line keepalived prints as it arms the
// timer it can only be shorter, give or take the scheduling slack, since
// keepalived's console output is buffered and reaches us late.
func TestGoldenTimeToMaster(t *testing.T) {
	nodes := goldenNodes()
	for _, name := range []string{"v2-master", "v3-master", "v3-fast", "v3-ipv6", "v2-unicast", "v3-unicast", "v2-owner"} {
		n := nodes[name][0]
		sc, err := golden.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		start, _ := sc.EventTime("start lb1", 0)
		inits := sc.InitTimes("lb1")
		if len(inits) == 0 {
			t.Fatalf("%s: no console times (regenerate the golden files)", name)
		}
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
		fromStart, fromInit := first.Sub(start), first.Sub(inits[0])
		t.Logf("%-10s MASTER %v after launch, %v after init; ours %v; %d GARP/NA frames",
			name, fromStart.Round(time.Millisecond), fromInit.Round(time.Millisecond), want, garps)
		if fromStart < want {
			t.Errorf("%s: keepalived became MASTER %v after launch, before our %v", name, fromStart, want)
		}
		if fromInit > want+50*time.Millisecond {
			t.Errorf("%s: keepalived became MASTER %v after init, we compute %v", name, fromInit, want)
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
