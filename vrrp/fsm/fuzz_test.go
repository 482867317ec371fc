package fsm

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz/FuzzMachine seeds")

// fuzzSeeds are event scripts in the byte language of FuzzMachine.
var fuzzSeeds = [][]byte{
	{0, 0, 1, 40, 1, 200},                   // start, timers, master
	{0, 0, 2, 10, 150, 2, 10, 0, 1, 10},     // backup follows, priority 0, takeover
	{6, 0, 0, 0, 1, 40, 3, 0, 100, 4, 0, 5}, // delta, start, master, fault, up, stop
	{7, 2, 0, 0, 2, 5, 255, 1, 50, 2, 5, 255, 4, 5},
}

func TestWriteMachineCorpus(t *testing.T) {
	if !*updateCorpus {
		t.Skip("only with -update-corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzMachine")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, b := range fuzzSeeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzMachine drives a machine with arbitrary event sequences and checks
// the invariants every shell relies on: no panic; VIPs are set exactly in
// MASTER; a BACKUP or MASTER always has a deadline and FAULT/STOP none;
// the effective priority stays in 1..254 unless owner; every transition
// to MASTER is announced by an advert first.
func FuzzMachine(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		cfg := tutorialMaster()
		if len(script) > 0 {
			// The first byte picks variants of the configuration.
			v := script[0]
			script = script[1:]
			if v&1 != 0 {
				cfg.Version, cfg.AdvertInterval = 3, time.Duration(1+v%50)*10*time.Millisecond
			}
			if v&2 != 0 {
				cfg.InitialState, cfg.Nopreempt = Backup, true
			}
			if v&4 != 0 {
				cfg.Priority = 255
			}
			if v&8 != 0 {
				cfg.InitialState, cfg.PreemptDelay = Backup, 3*time.Second
			}
			if v&16 != 0 {
				cfg.GARPMasterRefresh, cfg.GARPLowerPrioRepeat, cfg.GARPLowerPrioDelay = 2*time.Second, 2, time.Second
			}
		}
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		started, stopped := false, false
		next := func() byte {
			if len(script) == 0 {
				return 0
			}
			b := script[0]
			script = script[1:]
			return b
		}
		for len(script) > 0 {
			op := next() % 8
			var acts []Action
			switch op {
			case 0:
				if !started {
					acts, started = m.Start(now), true
				}
			case 1: // let time pass and run the due timers
				now = now.Add(time.Duration(next()) * 50 * time.Millisecond)
				for d := m.Deadline(); !d.IsZero() && !d.After(now); d = m.Deadline() {
					acts = append(acts, m.Timer(d)...)
					checkMasterAnnounced(t, m.out)
				}
			case 2:
				src := netip.AddrFrom4([4]byte{192, 168, 13, next()})
				acts = m.Received(now, Advert{Src: src, Priority: next(), Interval: time.Duration(1+next()%200) * 10 * time.Millisecond, Rejected: next()%7 == 0})
			case 3:
				acts = m.SetTrackDelta(now, int(int8(next())))
			case 4:
				acts = m.Down(now)
			case 5:
				acts = m.Up(now)
			case 6:
				if started {
					acts, stopped = m.Shutdown(now), true
				}
			case 7:
				now = now.Add(time.Duration(next()) * time.Millisecond)
			}
			checkMasterAnnounced(t, acts)
			if stopped {
				return
			}
			if !started {
				continue
			}
			s := m.State()
			if (s == Master) != m.VIPsSet() {
				t.Fatalf("state %v with VIPs set %v", s, m.VIPsSet())
			}
			if (s == Backup || s == Master) == m.sands.IsZero() {
				t.Fatalf("state %v with state timer %v", s, m.sands)
			}
			if p := m.Priority(); cfg.Priority != 255 && (p < 1 || p > 254) {
				t.Fatalf("effective priority %d", p)
			}
		}
	})
}

func checkMasterAnnounced(t *testing.T, acts []Action) {
	for i, a := range acts {
		if a.Kind == Log && strings.HasSuffix(a.Text, "Entering MASTER STATE") {
			if i == 0 || acts[i-1].Kind != SendAdvert || acts[i-1].Priority == 0 {
				t.Fatalf("MASTER without advert first: %v", acts)
			}
		}
	}
}
