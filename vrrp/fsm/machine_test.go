package fsm

import (
	"net/netip"
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const us = time.Microsecond

// step is one event of a scenario, at an offset from t0. want lists the
// actions (detail log lines are left out unless the step sets detail).
type step struct {
	at       time.Duration
	do       string // start, timer, rx, delta, down, up, stop
	adv      Advert
	delta    int
	detail   bool
	want     []string
	state    State
	deadline time.Duration // -1: no deadline
}

func rx(src string, prio uint8) Advert {
	return Advert{Src: netip.MustParseAddr(src), Priority: prio, Interval: time.Second}
}

func rx3(src string, prio uint8, interval time.Duration) Advert {
	return Advert{Src: netip.MustParseAddr(src), Priority: prio, Interval: interval}
}

var (
	becomeMaster100 = []string{"advert prio 100", "log (VI_1) Entering MASTER STATE", "add VIPs", "garp x5"}
	leaveToBackup   = []string{"log (VI_1) Entering BACKUP STATE", "remove VIPs"}
)

func runSteps(t *testing.T, cfg Config, steps []step) {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range steps {
		now := t0.Add(s.at)
		var acts []Action
		switch s.do {
		case "start":
			acts = m.Start(now)
		case "timer":
			if d := m.Deadline(); d.IsZero() || d.After(now) {
				t.Fatalf("step %d: timer at %v but deadline is %v", i, s.at, d.Sub(t0))
			}
			acts = m.Timer(now)
		case "rx":
			acts = m.Received(now, s.adv)
		case "delta":
			acts = m.SetTrackDelta(now, s.delta)
		case "down":
			acts = m.Down(now)
		case "up":
			acts = m.Up(now)
		case "stop":
			acts = m.Shutdown(now)
		default:
			t.Fatalf("bad step %q", s.do)
		}
		got := []string{}
		for _, a := range acts {
			if a.Kind == Log && a.Detail && !s.detail {
				continue
			}
			got = append(got, a.String())
		}
		want := s.want
		if want == nil {
			want = []string{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("step %d (%s at %v): actions\n  got  %q\n  want %q", i, s.do, s.at, got, want)
		}
		if m.State() != s.state {
			t.Errorf("step %d (%s at %v): state %v, want %v", i, s.do, s.at, m.State(), s.state)
		}
		var dl time.Duration = -1
		if d := m.Deadline(); !d.IsZero() {
			dl = d.Sub(t0)
		}
		if dl != s.deadline {
			t.Errorf("step %d (%s at %v): deadline %v, want %v", i, s.do, s.at, dl, s.deadline)
		}
	}
}

const (
	// master down for priority 100, v2 (or v3 at 1s): 3s + 156/256 s.
	down100 = 3*time.Second + 609375*us
	skew100 = 609375 * us
	sec     = time.Second
)

func TestTransitions(t *testing.T) {
	backupCfg := tutorialMaster()
	backupCfg.InitialState = Backup
	owner := tutorialMaster()
	owner.Priority = 255
	ownerBackup := owner
	ownerBackup.InitialState = Backup
	nopreempt := tutorialMaster()
	nopreempt.InitialState, nopreempt.Nopreempt = Backup, true
	hpsa := tutorialMaster()
	hpsa.HigherPrioSendAdvert = true
	lpna := tutorialMaster()
	lpna.LowerPrioNoAdvert = true
	adverts5 := tutorialMaster()
	adverts5.DownTimerAdverts = 5
	noGARPDelay := tutorialMaster()
	noGARPDelay.GARPMasterDelay = 0

	// A master reached the normal way, at down100.
	master := []step{
		{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}, state: Backup, deadline: down100},
		{at: down100, do: "timer", want: becomeMaster100, state: Master, deadline: down100 + sec},
	}
	with := func(tail ...step) []step { return append(append([]step(nil), master...), tail...) }

	tests := []struct {
		desc  string
		cfg   Config
		steps []step
	}{
		{"RFC 3768 6.4.1: state MASTER prio 100 starts BACKUP and waits 3*interval+skew (measured 3.64s in keepalived)", tutorialMaster(), with(
			step{at: down100 + sec, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: down100 + 2*sec},
			step{at: down100 + 2*sec, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: down100 + 3*sec},
			step{at: down100 + 3*sec, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: down100 + 4*sec},
			step{at: down100 + 4*sec, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: down100 + 5*sec},
			// garp_master_delay 5s: the second burst, then the advert.
			step{at: down100 + 5*sec, do: "timer", want: []string{"garp x5", "advert prio 100"}, state: Master, deadline: down100 + 6*sec},
		)},
		{"state BACKUP behaves the same", backupCfg, []step{
			{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}, state: Backup, deadline: down100},
			{at: down100, do: "timer", want: becomeMaster100, state: Master, deadline: down100 + sec},
		}},
		{"address owner with state MASTER is MASTER after 1us, without BACKUP (init)", owner, []step{
			{at: 0, do: "start", want: []string{"remove VIPs (force)"}, state: Backup, deadline: us},
			{at: us, do: "timer", detail: true, want: []string{"log-detail (VI_1) Receive advertisement timeout", "advert prio 255",
				"log (VI_1) Entering MASTER STATE", "log-detail (VI_1) setting VIPs.", "add VIPs",
				"log-detail (VI_1) Sending/queueing gratuitous ARPs on ens33 for 192.168.13.144", "garp x5"}, state: Master, deadline: us + sec},
		}},
		{"address owner with state BACKUP waits 3s + 1/256s", ownerBackup, []step{
			{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}, state: Backup, deadline: 3*sec + 3906*us},
		}},
		{"down_timer_adverts 5", adverts5, []step{
			{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}, state: Backup, deadline: 5*sec + skew100},
		}},
		{"RFC 3768 6.4.2: backup resets the down timer on an advert of higher priority", tutorialMaster(), []step{
			{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}, state: Backup, deadline: down100},
			{at: 2 * sec, do: "rx", adv: rx("192.168.13.129", 150), state: Backup, deadline: 2*sec + down100},
			{at: 4 * sec, do: "rx", adv: rx("192.168.13.129", 100), state: Backup, deadline: 4*sec + down100},
		}},
		{"preemption: backup discards lower-priority adverts and takes over on time", tutorialMaster(), []step{
			{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}, state: Backup, deadline: down100},
			{at: 1 * sec, do: "rx", adv: rx("192.168.13.129", 50), want: []string{"log (VI_1) received lower priority (50) advert from 192.168.13.129 - discarding"}, state: Backup, deadline: down100},
			{at: 2 * sec, do: "rx", adv: rx("192.168.13.129", 50), want: []string{"log (VI_1) received lower priority (50) advert from 192.168.13.129 - discarding"}, state: Backup, deadline: down100},
			{at: down100, do: "timer", want: becomeMaster100, state: Master, deadline: down100 + sec},
		}},
		{"nopreempt: a lower-priority master is followed", nopreempt, []step{
			{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}, state: Backup, deadline: down100},
			{at: 1 * sec, do: "rx", adv: rx("192.168.13.129", 50), state: Backup, deadline: sec + down100},
			{at: 2 * sec, do: "rx", adv: rx("192.168.13.129", 50), state: Backup, deadline: 2*sec + down100},
		}},
		{"rejected adverts do not touch a backup's timer", tutorialMaster(), []step{
			{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}, state: Backup, deadline: down100},
			{at: 2 * sec, do: "rx", adv: Advert{Src: addrLB2, Priority: 200, Rejected: true}, state: Backup, deadline: down100},
		}},
		{"RFC 3768 6.4.2: priority 0 advert -> master after skew only", tutorialMaster(), []step{
			{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}, state: Backup, deadline: down100},
			{at: 1 * sec, do: "rx", adv: rx("192.168.13.129", 150), state: Backup, deadline: sec + down100},
			{at: 2 * sec, do: "rx", adv: rx("192.168.13.129", 0), detail: true, want: []string{"log-detail (VI_1) Backup received priority 0 advertisement"}, state: Backup, deadline: 2*sec + skew100},
			{at: 2*sec + skew100, do: "timer", want: becomeMaster100, state: Master, deadline: 3*sec + skew100},
		}},
		{"RFC 3768 6.4.3: master yields to higher priority", tutorialMaster(), with(
			step{at: 4 * sec, do: "rx", adv: rx("192.168.13.129", 150), want: append([]string{"log (VI_1) Master received advert from 192.168.13.129 with higher priority 150, ours 100"}, leaveToBackup...), state: Backup, deadline: 4*sec + down100},
			// The delayed GARP burst is cancelled with the VIPs.
			step{at: 4*sec + down100, do: "timer", want: becomeMaster100, state: Master, deadline: 5*sec + down100},
		)},
		{"master yields to equal priority from a higher address", tutorialMaster(), with(
			step{at: 4 * sec, do: "rx", adv: rx("192.168.13.200", 100), want: append([]string{"log (VI_1) Master received advert from 192.168.13.200 with same priority 100 but higher IP address than ours"}, leaveToBackup...), state: Backup, deadline: 4*sec + down100},
		)},
		{"master answers equal priority from a lower address and a lower priority with an advert and GARPs, and GARPs again garp_lower_prio_delay later", tutorialMaster(), with(
			step{at: 4 * sec, do: "rx", adv: rx("192.168.13.2", 100), want: []string{"log (VI_1) Received advert from 192.168.13.2 with lower priority 100, ours 100, forcing new election", "advert prio 100", "garp x5"}, state: Master, deadline: 5 * sec},
			step{at: 4500 * time.Millisecond, do: "rx", adv: rx("192.168.13.129", 50), want: []string{"log (VI_1) Received advert from 192.168.13.129 with lower priority 50, ours 100, forcing new election", "advert prio 100", "garp x5"}, state: Master, deadline: 5500 * time.Millisecond},
			step{at: 5500 * time.Millisecond, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: 6500 * time.Millisecond},
			step{at: 6500 * time.Millisecond, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: 7500 * time.Millisecond},
			step{at: 7500 * time.Millisecond, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: 8500 * time.Millisecond},
			step{at: 8500 * time.Millisecond, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: down100 + 5*sec},
			// garp_master_delay after MASTER, then one burst per
			// lower-priority advert, each garp_lower_prio_delay later.
			step{at: down100 + 5*sec, do: "timer", want: []string{"garp x5"}, state: Master, deadline: 9 * sec},
			step{at: 9 * sec, do: "timer", want: []string{"garp x5"}, state: Master, deadline: 9500 * time.Millisecond},
			step{at: 9500 * time.Millisecond, do: "timer", want: []string{"garp x5", "advert prio 100"}, state: Master, deadline: 10500 * time.Millisecond},
		)},
		{"equal priority from our own address is a warning", tutorialMaster(), with(
			step{at: 4 * sec, do: "rx", adv: rx("192.168.13.128", 100), want: []string{"log (VI_1) WARNING - equal priority advert received from remote host with our IP address."}, state: Master, deadline: 5 * sec},
		)},
		{"master answers a priority 0 advert at once", tutorialMaster(), with(
			step{at: 4 * sec, do: "rx", adv: rx("192.168.13.129", 0), detail: true, want: []string{"advert prio 100", "log-detail (VI_1) Master received priority 0 message"}, state: Master, deadline: 5 * sec},
		)},
		{"any packet re-arms the master's advert timer, even a rejected one", tutorialMaster(), with(
			step{at: 4 * sec, do: "rx", adv: Advert{Src: addrLB2, Priority: 200, Rejected: true}, state: Master, deadline: 5 * sec},
		)},
		{"two address owners: the local one drops to 254 and yields", owner, []step{
			{at: 0, do: "start", want: []string{"remove VIPs (force)"}, state: Backup, deadline: us},
			{at: us, do: "timer", want: []string{"advert prio 255", "log (VI_1) Entering MASTER STATE", "add VIPs", "garp x5"}, state: Master, deadline: us + sec},
			{at: sec, do: "rx", adv: rx("192.168.13.129", 255), want: []string{
				"log (VI_1) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority",
				"log (VI_1) Master received advert from 192.168.13.129 with higher priority 255, ours 254",
				"log (VI_1) Entering BACKUP STATE", "remove VIPs"}, state: Backup, deadline: sec + 3*sec + 7812*us},
		}},
		{"higher_prio_send_advert", hpsa, with(
			step{at: 4 * sec, do: "rx", adv: rx("192.168.13.129", 150), want: append([]string{"advert prio 100", "log (VI_1) Master received advert from 192.168.13.129 with higher priority 150, ours 100"}, leaveToBackup...), state: Backup, deadline: 4*sec + down100},
		)},
		{"lower_prio_no_advert: no answer and no re-arm", lpna, with(
			step{at: 4 * sec, do: "rx", adv: rx("192.168.13.129", 50), want: []string{"log (VI_1) Received advert from 192.168.13.129 with lower priority 50, ours 100", "garp x5"}, state: Master, deadline: down100 + sec},
		)},
		{"garp_master_delay 0 disables the second burst", noGARPDelay, with(
			step{at: down100 + sec, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: down100 + 2*sec},
		)},
		{"SIGTERM of a master: priority 0 advert, VIPs removed, STOP", tutorialMaster(), with(
			step{at: 5 * sec, do: "stop", detail: true, want: []string{"advert prio 0", "log-detail (VI_1) sent 0 priority", "log-detail (VI_1) removing VIPs.", "remove VIPs"}, state: Stop, deadline: -1},
		)},
		{"SIGTERM of a backup: nothing on the wire", tutorialMaster(), []step{
			{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}, state: Backup, deadline: down100},
			{at: sec, do: "stop", state: Stop, deadline: -1},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) { runSteps(t, tc.cfg, tc.steps) })
	}
}
