package fsm

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"goha/vrrp/internal/golden"
	"goha/vrrp/packet"
)

// These tests replay the runs of the real keepalived 2.2.7 recorded in
// vrrp/testdata/golden: each node's start/stop actions and the adverts the
// other node sent (with their capture times) drive our machine, and the
// log lines, adverts and GARP bursts it produces must match keepalived's
// console log and the captured frames.

var (
	addrLB1 = netip.MustParseAddr("192.168.13.128")
	addrLB2 = netip.MustParseAddr("192.168.13.129")
	addrVIP = netip.MustParseAddr("192.168.13.144")
	lb1LL   = netip.MustParseAddr("fe80::c0ff:fea8:d80")
)

func tutorialMaster() Config {
	c := Config{Name: "VI_1", Interface: "ens33", VRID: 80, Priority: 100, Version: 2,
		AdvertInterval: time.Second, InitialState: Master, SourceAddr: addrLB1,
		Addresses: []netip.Addr{addrVIP}}
	c.DefaultGARP()
	return c
}

func tutorialBackup() Config {
	c := tutorialMaster()
	c.Priority, c.InitialState, c.Nopreempt, c.SourceAddr = 50, Backup, true, addrLB2
	return c
}

type goldenNode struct {
	name string // lb1 or lb2
	cfg  Config
	src  netip.Addr // our advert source
	peer netip.Addr // the other node's advert source, if any
	// scripts maps the tracked scripts of script.log to their weights.
	scripts map[string]int
}

func goldenNodes() map[string][]goldenNode {
	v3 := tutorialMaster()
	v3.Version = 3
	fast := v3
	fast.Priority, fast.AdvertInterval = 150, 350*time.Millisecond
	v6 := v3
	v6.Name, v6.SourceAddr = "VI_6", lb1LL
	v6.Addresses = []netip.Addr{netip.MustParseAddr("fe80::80"), netip.MustParseAddr("2001:db8:13::144")}
	uni := tutorialMaster()
	uni.Unicast = true
	owner := tutorialMaster()
	owner.Priority = 255
	uni3 := v3
	uni3.Unicast = true
	v3backup := v3
	v3backup.Priority, v3backup.InitialState, v3backup.AdvertInterval, v3backup.SourceAddr = 50, Backup, 2*time.Second, addrLB2
	tracked := tutorialMaster()
	tracked.InitPending = 1 // chk_fault has weight 0
	preempting := tutorialBackup()
	preempting.Nopreempt = false
	return map[string][]goldenNode{
		"v2-track": {
			{"lb1", tracked, addrLB1, addrLB2, map[string]int{"weight": -60, "fault": 0}},
			{"lb2", preempting, addrLB2, addrLB1, nil},
		},
		"v3-unicast": {{"lb1", uni3, addrLB1, netip.Addr{}, nil}},
		"v3-pair": {
			{"lb1", v3, addrLB1, addrLB2, nil},
			{"lb2", v3backup, addrLB2, addrLB1, nil},
		},
		"v2-split": {
			{"lb1", tutorialMaster(), addrLB1, addrLB2, nil},
			{"lb2", tutorialBackup(), addrLB2, addrLB1, nil},
		},
		"v2-master":  {{"lb1", tutorialMaster(), addrLB1, netip.Addr{}, nil}},
		"v3-master":  {{"lb1", v3, addrLB1, netip.Addr{}, nil}},
		"v3-fast":    {{"lb1", fast, addrLB1, netip.Addr{}, nil}},
		"v3-ipv6":    {{"lb1", v6, lb1LL, netip.Addr{}, nil}},
		"v2-unicast": {{"lb1", uni, addrLB1, netip.Addr{}, nil}},
		"v2-owner":   {{"lb1", owner, addrLB1, netip.Addr{}, nil}},
		"v2-pair": {
			{"lb1", tutorialMaster(), addrLB1, addrLB2, nil},
			{"lb2", tutorialBackup(), addrLB2, addrLB1, nil},
		},
	}
}

type timedAction struct {
	at time.Time
	a  Action
}

// replay drives one node through a golden scenario and returns every
// action with the time it was produced.
func replay(t *testing.T, sc *golden.Scenario, n goldenNode) []timedAction {
	t.Helper()
	type input struct {
		at     time.Time
		what   string
		adv    Advert
		script string
		ok     bool
	}
	var inputs []input
	// Starts are the harness's launch times: keepalived initialises the
	// instance some tens of milliseconds later (more on a loaded machine),
	// which the timer anchoring below absorbs.
	for _, e := range sc.Events {
		if strings.HasSuffix(e.What, " "+n.name) {
			inputs = append(inputs, input{at: e.Time, what: strings.Fields(e.What)[0]})
		}
	}
	for _, f := range sc.Of(golden.Advert) {
		if n.peer.IsValid() && f.Src == n.peer {
			var p packet.Packet
			if err := p.Decode(f.Payload, f.Src.Is6()); err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, input{at: f.Time, what: "advert",
				adv: Advert{Src: f.Src, Priority: p.Priority, Interval: p.IntervalDuration()}})
		}
	}
	if n.scripts != nil {
		// script.log: "<unix ns> <script> <exit code>" per run; keepalived
		// acts on each result (rise = fall = 1).
		b, err := os.ReadFile(filepath.Join(sc.Dir, "script.log"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var ns int64
			var name string
			var rc int
			if _, err := fmt.Sscan(line, &ns, &name, &rc); err != nil {
				t.Fatalf("script.log %q: %v", line, err)
			}
			at := time.Unix(0, ns)
			if n.scripts[name] == 0 && rc != 0 {
				// The log line is written when the script runs;
				// keepalived acts when it has reaped it, some ms
				// later. A master entering FAULT shows when: its
				// priority-0 adverts.
				for _, f := range sc.Of(golden.Advert) {
					if f.Src == n.src && len(f.Payload) > 2 && f.Payload[2] == 0 &&
						!f.Time.Before(at.Add(-early)) && f.Time.Sub(at) < maxLag {
						at = f.Time
						break
					}
				}
			}
			inputs = append(inputs, input{at: at, what: "script", script: name, ok: rc == 0})
		}
	}
	sort.SliceStable(inputs, func(i, j int) bool { return inputs[i].at.Before(inputs[j].at) })
	// Script results: the first one of a weight-0 script settles it,
	// later ones matter when they change.
	last := map[string]*bool{}
	delta := map[string]int{}

	var out []timedAction
	var m *Machine
	record := func(at time.Time, acts []Action) {
		for _, a := range acts {
			out = append(out, timedAction{at, a})
		}
	}
	// keepalived's own adverts, to follow its scheduling latency: its
	// timers fire late, never early, and it re-arms them from the time
	// they actually ran. When our state timer is due and keepalived's
	// matching advert went out a little later, we fire at that time.
	var own []time.Time
	for _, f := range sc.Of(golden.Advert) {
		if f.Src == n.src {
			own = append(own, f.Time)
		}
	}
	nextOwn := func(d time.Time) (time.Time, bool) {
		for len(own) > 0 && own[0].Before(d.Add(-early)) {
			own = own[1:]
		}
		if len(own) > 0 && own[0].Sub(d) <= maxLag {
			c := own[0]
			own = own[1:]
			return c, true
		}
		return time.Time{}, false
	}
	runTimers := func(until time.Time) {
		for m != nil {
			d := m.Deadline()
			if d.IsZero() || d.After(until) {
				return
			}
			at := d
			if d.Equal(m.sands) && (m.state == Master || m.state == Backup) {
				c, ok := nextOwn(d)
				if ok && c.After(until) {
					// keepalived handled the next input first.
					own = append([]time.Time{c}, own...)
					return
				}
				if ok && c.After(d) {
					at = c
				}
			}
			record(at, m.Timer(at))
		}
	}
	for _, in := range inputs {
		runTimers(in.at)
		switch in.what {
		case "start":
			var err error
			if m, err = New(n.cfg); err != nil {
				t.Fatal(err)
			}
			record(in.at, m.Start(in.at))
		case "stop":
			record(in.at, m.Shutdown(in.at))
			m = nil
		case "advert":
			if m != nil {
				record(in.at, m.Received(in.at, in.adv))
			}
		case "script":
			if m == nil {
				continue
			}
			weight := n.scripts[in.script]
			prev := last[in.script]
			last[in.script] = &in.ok
			if prev != nil && *prev == in.ok {
				continue
			}
			d, fault := TrackWeight(weight, false, in.ok)
			switch {
			case weight != 0:
				delta[in.script] = d
				sum := 0
				for _, v := range delta {
					sum += v
				}
				record(in.at, m.SetTrackDelta(in.at, sum))
			case prev == nil:
				record(in.at, m.Settle(in.at, !fault))
			case fault:
				record(in.at, m.Down(in.at))
			default:
				record(in.at, m.Up(in.at))
			}
		}
	}
	return out
}

// keepalivedLog returns the instance lines of a node's console log.
func keepalivedLog(t *testing.T, sc *golden.Scenario, node string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(sc.Dir, node+".log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		// "Wed Nov 25 14:27:37 2026: (VI_1) Entering MASTER STATE"
		_, msg, ok := strings.Cut(s.Text(), ": ")
		if ok && strings.HasPrefix(msg, "(VI_") {
			lines = append(lines, msg)
		}
	}
	return lines
}

func TestGoldenReplay(t *testing.T) {
	for name, nodes := range goldenNodes() {
		for _, n := range nodes {
			t.Run(name+"/"+n.name, func(t *testing.T) {
				sc, err := golden.Load(name)
				if err != nil {
					t.Fatalf("%v (regenerate with go test ./vrrp/internal/capture -update)", err)
				}
				acts := replay(t, sc, n)

				// 1. Log lines, in keepalived's words and order (-D).
				var logs []string
				for _, ta := range acts {
					if ta.a.Kind == Log {
						logs = append(logs, ta.a.Text)
					}
				}
				want := keepalivedLog(t, sc, n.name)
				if strings.Join(logs, "\n") != strings.Join(want, "\n") {
					t.Errorf("log lines differ\nours:\n  %s\nkeepalived:\n  %s",
						strings.Join(logs, "\n  "), strings.Join(want, "\n  "))
				}

				// 2. Adverts: same priorities, same times (keepalived
				// starts up to ~40ms after the harness's start stamp and
				// runs a little late on each timer).
				var ours []timedAction
				for _, ta := range acts {
					if ta.a.Kind == SendAdvert && !(ta.a.Priority != 0 && stopsWithin(sc, n.name, ta.at, 60*time.Millisecond)) && !cut(sc, ta.at) {
						ours = append(ours, ta)
					}
				}
				var theirs []golden.Frame
				for _, f := range sc.Of(golden.Advert) {
					if f.Src == n.src {
						theirs = append(theirs, f)
					}
				}
				if len(ours) != len(theirs) {
					t.Fatalf("%d adverts, keepalived sent %d", len(ours), len(theirs))
				}
				var lag lagCheck
				for i := range ours {
					var p packet.Packet
					if err := p.Decode(theirs[i].Payload, n.src.Is6()); err != nil {
						t.Fatal(err)
					}
					if p.Priority != ours[i].a.Priority {
						t.Errorf("advert %d: priority %d, keepalived %d", i, ours[i].a.Priority, p.Priority)
					}
					lag.check(t, fmt.Sprintf("advert %d (prio %d)", i, p.Priority), theirs[i].Time.Sub(ours[i].at))
				}

				// 3. Gratuitous ARP / NA bursts: garp_master_repeat
				// announcements per address at MASTER and again
				// garp_master_delay later.
				var garps []time.Time
				for _, ta := range acts {
					if ta.a.Kind == SendGARP {
						for r := 0; r < ta.a.Repeat*len(n.cfg.Addresses); r++ {
							garps = append(garps, ta.at)
						}
					}
				}
				var theirGARPs []golden.Frame
				for _, f := range append(sc.Of(golden.GARP), sc.Of(golden.NA)...) {
					if string(f.SrcMAC) == string(macOf(sc, n.name)) {
						theirGARPs = append(theirGARPs, f)
					}
				}
				if len(garps) != len(theirGARPs) {
					t.Fatalf("%d announcements, keepalived sent %d", len(garps), len(theirGARPs))
				}
				sort.Slice(theirGARPs, func(i, j int) bool { return theirGARPs[i].Time.Before(theirGARPs[j].Time) })
				lag = lagCheck{}
				for i := range garps {
					lag.check(t, fmt.Sprintf("announcement %d", i), theirGARPs[i].Time.Sub(garps[i]))
				}
			})
		}
	}
}

// maxLag is how late keepalived may run behind our schedule in the
// captures (it shares two cores with other test suites, and starts up
// after the harness's launch stamp); early is how early it may seem (the
// capture and our event stamps come from different clocks reads).
const (
	maxLag = 400 * time.Millisecond
	early  = 5 * time.Millisecond
)

// lagCheck bounds how late keepalived is compared with our schedule.
// keepalived is never early; it starts some tens of milliseconds after the
// harness's timestamp and, as it re-arms each timer from the time it
// actually ran, a loaded machine (scripts forking, five test suites on two
// cores) makes it drift further behind at each step until an outside
// event re-anchors it.
type lagCheck struct {
	prev time.Duration
	seen bool
}

func (l *lagCheck) check(t *testing.T, what string, d time.Duration) {
	t.Helper()
	switch {
	case d < -early:
		t.Errorf("%s: keepalived was %v early", what, -d)
	case d > maxLag:
		t.Errorf("%s: keepalived was %v late", what, d)
	}
	l.prev, l.seen = d, true
}

// cut reports whether VRRP was cut between the nodes at time at (the
// harness drops protocol 112 on both egresses, so neither the peer nor the
// capture saw adverts sent then).
func cut(sc *golden.Scenario, at time.Time) bool {
	from, ok := sc.EventTime("cut both", 0)
	if !ok || at.Before(from) {
		return false
	}
	to, ok := sc.EventTime("heal both", 0)
	return !ok || at.Before(to)
}

// stopsWithin reports whether the node was stopped less than d after at:
// keepalived runs late by a few ms per timer, so an advert we send just
// before the stop may not have gone out from keepalived.
func stopsWithin(sc *golden.Scenario, node string, at time.Time, d time.Duration) bool {
	for _, e := range sc.Events {
		if e.What == "stop "+node && !e.Time.Before(at) && e.Time.Sub(at) < d {
			return true
		}
	}
	return false
}

func macOf(sc *golden.Scenario, node string) []byte {
	s := sc.MAC1
	if node == "lb2" {
		s = sc.MAC2
	}
	var b []byte
	for _, h := range strings.Split(s, ":") {
		var v byte
		for _, c := range h {
			v = v<<4 | byte(strings.IndexRune("0123456789abcdef", c))
		}
		b = append(b, v)
	}
	return b
}
