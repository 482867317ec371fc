package fsm

import (
	"testing"
	"time"
)

func TestPreemptDelay(t *testing.T) {
	cfg := tutorialMaster()
	cfg.InitialState, cfg.Priority, cfg.PreemptDelay = Backup, 150, 10*time.Second
	down150 := 3*sec + 414062*us // 3s + 106/256 s
	init := []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}
	discard := []string{"log (VI_1) received lower priority (100) advert from 192.168.13.129 - discarding"}
	steps := []step{
		{at: 0, do: "start", want: init, state: Backup, deadline: down150},
		// The first lower-priority advert starts the delay and is obeyed.
		{at: 1 * sec, do: "rx", adv: rx("192.168.13.129", 100), detail: true, want: []string{"log-detail (VI_1) start preempt delay (10.000000)"}, state: Backup, deadline: sec + down150},
	}
	// While the delay runs, the lower-priority master is followed.
	for s := 2; s <= 10; s++ {
		at := time.Duration(s) * sec
		steps = append(steps, step{at: at, do: "rx", adv: rx("192.168.13.129", 100), state: Backup, deadline: at + down150})
	}
	// Once it has expired (at 11s) adverts are discarded and the down
	// timer armed at 10s runs out.
	for s := 11; s <= 13; s++ {
		steps = append(steps, step{at: time.Duration(s) * sec, do: "rx", adv: rx("192.168.13.129", 100), want: discard, state: Backup, deadline: 10*sec + down150})
	}
	steps = append(steps, step{at: 10*sec + down150, do: "timer",
		want:  []string{"advert prio 150", "log (VI_1) Entering MASTER STATE", "add VIPs", "garp x5"},
		state: Master, deadline: 11*sec + down150})
	runSteps(t, cfg, steps)

	t.Run("a higher-priority master stops the delay", func(t *testing.T) {
		runSteps(t, cfg, []step{
			{at: 0, do: "start", want: init, state: Backup, deadline: down150},
			{at: 1 * sec, do: "rx", adv: rx("192.168.13.129", 100), state: Backup, deadline: sec + down150},
			{at: 2 * sec, do: "rx", adv: rx("192.168.13.130", 200), detail: true, want: []string{"log-detail (VI_1) stop preempt delay"}, state: Backup, deadline: 2*sec + down150},
		})
	})
}

func TestTrackingWeights(t *testing.T) {
	init := []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}
	t.Run("weight +10 on a priority 150 instance: 160 from the start (REFERENCE 4.2, verified)", func(t *testing.T) {
		cfg := tutorialMaster()
		cfg.Priority = 150
		m, _ := New(cfg)
		m.SetTrackDelta(t0, 10)
		got := m.Start(t0)
		if got[0].Text != "(VI_1) Changing effective priority from 150 to 160" {
			t.Fatalf("first action %v", got[0])
		}
		if d := m.Deadline().Sub(t0); d != 3*sec+375000*us { // 3s + 96/256 s
			t.Errorf("master down %v, want 3.375s", d)
		}
	})
	t.Run("backup: priority change moves the running deadline by the skew change", func(t *testing.T) {
		runSteps(t, tutorialMaster(), []step{
			{at: 0, do: "start", want: init, state: Backup, deadline: down100},
			{at: sec, do: "delta", delta: -60, want: []string{"log (VI_1) Changing effective priority from 100 to 40"}, state: Backup, deadline: 3*sec + 843750*us},
			{at: 2 * sec, do: "delta", delta: -60, state: Backup, deadline: 3*sec + 843750*us},
		})
	})
	t.Run("clamped to 1..254", func(t *testing.T) {
		runSteps(t, tutorialMaster(), []step{
			{at: 0, do: "start", want: init, state: Backup, deadline: down100},
			{at: sec, do: "delta", delta: -300, want: []string{"log (VI_1) Changing effective priority from 100 to 1"}, state: Backup, deadline: 3*sec + 996093*us},
			{at: sec, do: "delta", delta: 300, want: []string{"log (VI_1) Changing effective priority from 1 to 254"}, state: Backup, deadline: 3*sec + 7812*us},
			{at: sec, do: "delta", delta: 154, state: Backup, deadline: 3*sec + 7812*us},
			{at: sec, do: "delta", delta: 155, state: Backup, deadline: 3*sec + 7812*us},
		})
	})
	t.Run("the address owner is never adjusted", func(t *testing.T) {
		cfg := tutorialMaster()
		cfg.Priority = 255
		m, _ := New(cfg)
		m.Start(t0)
		if acts := m.SetTrackDelta(t0, -50); len(acts) != 0 || m.Priority() != 255 {
			t.Errorf("owner adjusted: %v, priority %d", acts, m.Priority())
		}
	})
	t.Run("a master advertises its new priority from the next advert", func(t *testing.T) {
		runSteps(t, tutorialMaster(), []step{
			{at: 0, do: "start", want: init, state: Backup, deadline: down100},
			{at: down100, do: "timer", want: becomeMaster100, state: Master, deadline: down100 + sec},
			{at: down100 + 500*time.Millisecond, do: "delta", delta: -70, want: []string{"log (VI_1) Changing effective priority from 100 to 30"}, state: Master, deadline: down100 + sec},
			{at: down100 + sec, do: "timer", want: []string{"advert prio 30"}, state: Master, deadline: down100 + 2*sec},
		})
	})
}

func TestFault(t *testing.T) {
	init := []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}
	t.Run("master: interface down (or weight-0 script failure) -> FAULT with priority 0 adverts", func(t *testing.T) {
		runSteps(t, tutorialMaster(), []step{
			{at: 0, do: "start", want: init, state: Backup, deadline: down100},
			{at: down100, do: "timer", want: becomeMaster100, state: Master, deadline: down100 + sec},
			// keepalived sends two: one in leave_master, one in restore_interface.
			// The delayed GARP timer armed at MASTER stays (as keepalived's
			// timer thread does) and fires into nothing.
			{at: 4 * sec, do: "down", want: []string{"log (VI_1) Entering FAULT STATE", "advert prio 0", "advert prio 0", "remove VIPs"}, state: Fault, deadline: down100 + 5*sec},
			{at: 5 * sec, do: "down", state: Fault, deadline: down100 + 5*sec},
			{at: 6 * sec, do: "up", state: Fault, deadline: down100 + 5*sec},
			{at: 7 * sec, do: "up", want: []string{"log (VI_1) Entering BACKUP STATE"}, state: Backup, deadline: down100 + 5*sec},
			{at: down100 + 5*sec, do: "timer", state: Backup, deadline: 7*sec + down100},
			{at: 7*sec + down100, do: "timer", want: becomeMaster100, state: Master, deadline: 8*sec + down100},
		})
	})
	t.Run("backup -> FAULT quietly", func(t *testing.T) {
		runSteps(t, tutorialMaster(), []step{
			{at: 0, do: "start", want: init, state: Backup, deadline: down100},
			{at: sec, do: "down", want: []string{"log (VI_1) Entering FAULT STATE"}, state: Fault, deadline: -1},
			{at: 2 * sec, do: "rx", adv: rx("192.168.13.129", 0), state: Fault, deadline: -1},
		})
	})
	t.Run("down before start -> FAULT (init)", func(t *testing.T) {
		runSteps(t, tutorialMaster(), []step{
			{at: 0, do: "down", state: Init, deadline: -1},
			{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering FAULT STATE (init)"}, state: Fault, deadline: -1},
			{at: sec, do: "up", want: []string{"log (VI_1) Entering BACKUP STATE"}, state: Backup, deadline: sec + down100},
		})
	})
	t.Run("unicast: coming up announces our own address", func(t *testing.T) {
		cfg := tutorialMaster()
		cfg.Unicast = true
		runSteps(t, cfg, []step{
			{at: 0, do: "start", want: init, state: Backup, deadline: down100},
			{at: sec, do: "down", want: []string{"log (VI_1) Entering FAULT STATE"}, state: Fault, deadline: -1},
			{at: 2 * sec, do: "up", detail: true, want: []string{"log (VI_1) Entering BACKUP STATE", "log-detail VI_1: sending gratuitous ARP for 192.168.13.128", "garp 192.168.13.128"}, state: Backup, deadline: 2*sec + down100},
		})
	})
}

func TestVRRPv3Timers(t *testing.T) {
	cfg := tutorialMaster()
	cfg.Version = 3
	init := []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}
	t.Run("skew scales with the interval: prio 150 at 350ms", func(t *testing.T) {
		c := cfg
		c.Priority, c.AdvertInterval = 150, 350*time.Millisecond
		// 3*350ms + 106*35*625/16 us = 1.05s + 144921us (measured 1.206s in keepalived)
		runSteps(t, c, []step{{at: 0, do: "start", want: init, state: Backup, deadline: 1050*time.Millisecond + 144921*us}})
	})
	t.Run("RFC 5798 6.4.2: backup adopts the master's interval, and drops it on becoming master", func(t *testing.T) {
		runSteps(t, cfg, []step{
			{at: 0, do: "start", want: init, state: Backup, deadline: down100},
			// 3*500ms + 156*50*625/16 us
			{at: sec, do: "rx", adv: rx3("192.168.13.129", 200, 500*time.Millisecond), detail: true,
				want: []string{"log-detail (VI_1) advertisement interval updated from 1000ms to 500ms by master"}, state: Backup, deadline: sec + 1500*time.Millisecond + 304687*us},
			{at: 2 * sec, do: "rx", adv: rx3("192.168.13.129", 0, 500*time.Millisecond), state: Backup, deadline: 2*sec + 304687*us},
			{at: 2*sec + 304687*us, do: "timer", detail: true, want: []string{"log-detail (VI_1) Receive advertisement timeout", "advert prio 100", "log (VI_1) Entering MASTER STATE",
				"log-detail (VI_1) changing advert interval from 500ms to locally configured 1000ms", "log-detail (VI_1) setting VIPs.", "add VIPs",
				"log-detail (VI_1) Sending/queueing gratuitous ARPs on ens33 for 192.168.13.144", "garp x5"}, state: Master, deadline: 3*sec + 304687*us},
		})
	})
	t.Run("master adopts the interval of a higher-priority master", func(t *testing.T) {
		m, _ := New(cfg)
		m.Start(t0)
		m.Timer(t0.Add(down100))
		m.Received(t0.Add(5*sec), rx3("192.168.13.129", 200, 2*sec))
		if m.State() != Backup || m.MasterAdvertInterval() != 2*sec {
			t.Fatalf("state %v interval %v", m.State(), m.MasterAdvertInterval())
		}
		m.Timer(t0.Add(down100 + 5*sec)) // the delayed GARP timer, now a no-op
		if d := m.Deadline().Sub(t0); d != 5*sec+6*sec+1218750*us {
			t.Errorf("deadline %v", d)
		}
	})
}

func TestGARPSchedule(t *testing.T) {
	init := []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)"}
	t.Run("garp_master_refresh 3s with repeat 2", func(t *testing.T) {
		cfg := tutorialMaster()
		cfg.GARPMasterRefresh, cfg.GARPMasterRefreshRepeat, cfg.GARPMasterDelay = 3*sec, 2, 0
		steps := []step{
			{at: 0, do: "start", want: init, state: Backup, deadline: down100},
			{at: down100, do: "timer", want: becomeMaster100, state: Master, deadline: down100 + sec},
			{at: down100 + sec, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: down100 + 2*sec},
			{at: down100 + 2*sec, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: down100 + 3*sec},
			// Refresh is due strictly after 3s, so it goes with the advert at 4s.
			{at: down100 + 3*sec, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: down100 + 4*sec},
			{at: down100 + 4*sec, do: "timer", want: []string{"advert prio 100", "garp x2"}, state: Master, deadline: down100 + 5*sec},
		}
		runSteps(t, cfg, steps)
	})
	t.Run("garp_lower_prio_repeat 3 with delay 2s", func(t *testing.T) {
		cfg := tutorialMaster()
		cfg.GARPLowerPrioRepeat, cfg.GARPLowerPrioDelay, cfg.GARPMasterDelay = 3, 2*sec, 0
		runSteps(t, cfg, []step{
			{at: 0, do: "start", want: init, state: Backup, deadline: down100},
			{at: down100, do: "timer", want: becomeMaster100, state: Master, deadline: down100 + sec},
			{at: 4 * sec, do: "rx", adv: rx("192.168.13.129", 50), want: []string{"log (VI_1) Received advert from 192.168.13.129 with lower priority 50, ours 100, forcing new election", "advert prio 100", "garp x3"}, state: Master, deadline: 5 * sec},
			{at: 5 * sec, do: "timer", want: []string{"advert prio 100"}, state: Master, deadline: 6 * sec},
			{at: 6 * sec, do: "timer", want: []string{"garp x3", "advert prio 100"}, state: Master, deadline: 7 * sec},
		})
	})
}

func TestNotify(t *testing.T) {
	cfg := tutorialMaster()
	cfg.NotifyMaster = []string{"/etc/keepalived/master.sh"}
	cfg.NotifyStop = []string{"/etc/keepalived/stop.sh", "now"}
	cfg.Notify = []string{"/etc/keepalived/notify.sh"}
	runSteps(t, cfg, []step{
		{at: 0, do: "start", want: []string{"remove VIPs (force)", "log (VI_1) Entering BACKUP STATE (init)",
			`notify BACKUP ["/etc/keepalived/notify.sh" "INSTANCE" "VI_1" "BACKUP" "100"]`}, state: Backup, deadline: down100},
		{at: down100, do: "timer", want: []string{"advert prio 100", "log (VI_1) Entering MASTER STATE", "add VIPs", "garp x5",
			`notify MASTER ["/etc/keepalived/master.sh"]`,
			`notify MASTER ["/etc/keepalived/notify.sh" "INSTANCE" "VI_1" "MASTER" "100"]`}, state: Master, deadline: down100 + sec},
		{at: 5 * sec, do: "stop", want: []string{"advert prio 0", "remove VIPs",
			`notify STOP ["/etc/keepalived/stop.sh" "now"]`,
			`notify STOP ["/etc/keepalived/notify.sh" "INSTANCE" "VI_1" "STOP" "100"]`}, state: Stop, deadline: -1},
	})
}

func TestConfigWarnings(t *testing.T) {
	cfg := tutorialMaster()
	cfg.Nopreempt, cfg.PreemptDelay = true, 5*time.Second
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"(VI_1) Warning - nopreempt will not work with initial state MASTER - clearing",
		"(VI_1) Warning - preempt delay will not work with initial state MASTER - clearing",
	}
	if got := m.Warnings(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("warnings %q", got)
	}
	if c := m.Config(); c.Nopreempt || c.PreemptDelay != 0 {
		t.Errorf("not cleared: %+v", c)
	}
	owner := tutorialMaster()
	owner.InitialState, owner.Priority, owner.Nopreempt = Backup, 255, true
	m, _ = New(owner)
	if m.Config().Nopreempt || len(m.Warnings()) != 1 {
		t.Errorf("owner nopreempt not cleared: %q", m.Warnings())
	}
	for _, bad := range []Config{{Version: 4, Priority: 1}, {Priority: 0}, {Priority: 1, Version: 2, AdvertInterval: 256 * time.Second}, {Priority: 1, Version: 3, AdvertInterval: 41 * time.Second}} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v) accepted", bad)
		}
	}
}

func TestCheckAddresses(t *testing.T) {
	m, _ := New(tutorialMaster())
	m.Start(t0)
	if !m.CheckAddresses(addrLB2, true) {
		t.Error("unknown master must be checked")
	}
	m.Received(t0.Add(sec), rx("192.168.13.129", 150))
	if m.CheckAddresses(addrLB2, true) {
		t.Error("skip_check_adv_addr: known master must not be checked")
	}
	if !m.CheckAddresses(addrLB2, false) || !m.CheckAddresses(addrVIP, true) {
		t.Error("must check without skip_check_adv_addr or from another sender")
	}
}
