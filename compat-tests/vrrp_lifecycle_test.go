package compattests

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// secondInstance is a vrrp_instance appended to the master's file for the
// reload test: another VRID and VIP on the same interface.
const secondInstance = `
vrrp_instance VI_2 {
    state MASTER
    interface ens33
    virtual_router_id 81
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.13.145/24
    }
}
`

// TestVRRPReload: SIGHUP with the file unchanged keeps the instance's
// state and VIP (the VIP never leaves master, never shows on backup);
// SIGHUP after adding an instance starts it while VI_1 keeps its state.
// Checked for keepalived and govrrpd alike.
func TestVRRPReload(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	master, _ := readSeed("keepalived-master.conf")
	holders := map[string]string{}
	defer func() {
		if holders["keepalived"] != holders["govrrpd"] {
			t.Errorf("after a priority reload: keepalived %q, govrrpd %q", holders["keepalived"], holders["govrrpd"])
		}
	}()
	for _, impl := range []vrrpImpl{ka, gv} {
		if err := n.master.WriteFile("/etc/keepalived/reload.conf", master); err != nil {
			t.Fatal(err)
		}
		b := startVRRP(t, n.backup, impl, "keepalived-backup.conf")
		m := startVRRP(t, n.master, impl, "reload.conf")
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
			t.Fatalf("%s: master did not take the VIP", impl.name)
		}
		steady := func(what string, d time.Duration) {
			if at, broke := pollUntil(d, func() bool { return !n.hasVIP(n.master) || n.hasVIP(n.backup) }); broke {
				t.Errorf("%s: %s: VIP moved %v after the reload (master %v, backup %v)", impl.name, what,
					at.Sub(time.Now().Add(-d)), n.hasVIP(n.master), n.hasVIP(n.backup))
			}
		}
		m.signal(syscall.SIGHUP)
		steady("unchanged reload", 4*time.Second)

		if err := n.master.WriteFile("/etc/keepalived/reload.conf", master+secondInstance); err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		m.signal(syscall.SIGHUP)
		second := func() bool {
			out, _ := n.master.Output("ip", "-o", "addr", "show", "to", "192.168.13.145")
			return strings.TrimSpace(out) != ""
		}
		at, ok := pollUntil(10*time.Second, second)
		if !ok {
			t.Errorf("%s: the added instance did not take its VIP", impl.name)
		}
		steady("reload adding VI_2", 500*time.Millisecond)
		t.Logf("%s: reload adding VI_2 -> its VIP after %s", impl.name, ms(at.Sub(t0)))

		// Priority 100 -> 40 (below backup's 50; backup has nopreempt):
		// keepalived applies it in place and stays MASTER.
		if err := n.master.WriteFile("/etc/keepalived/reload.conf",
			strings.Replace(master, "priority 100", "priority 40", 1)+secondInstance); err != nil {
			t.Fatal(err)
		}
		m.signal(syscall.SIGHUP)
		time.Sleep(5 * time.Second)
		holder := map[bool]string{true: "master", false: "backup"}[n.hasVIP(n.master)]
		if n.hasVIP(n.master) == n.hasVIP(n.backup) {
			holder = fmt.Sprintf("master %v backup %v", n.hasVIP(n.master), n.hasVIP(n.backup))
		}
		fd := packetSocket(t, n.backup, unix.ETH_P_IP)
		prio := "no advert"
		for _, f := range capture(fd, 1500*time.Millisecond, isVRRP) {
			if f[26+3] == 128 && f[35] == 80 { // from .128, VRID 80
				prio = fmt.Sprintf("advertised priority %d", f[36])
			}
		}
		holders[impl.name] = holder + ", " + prio
		t.Logf("%s: reload with priority 40 -> VIP on %s", impl.name, holders[impl.name])
		m.signal(syscall.SIGTERM)
		b.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		b.wait(5 * time.Second)
		if second() || n.hasVIP(n.master) {
			t.Errorf("%s: VIPs left after stop", impl.name)
		}
		if t.Failed() {
			t.Logf("%s master log:\n%s", impl.name, strings.Join(m.log(), "\n"))
		}
	}
}

// TestVRRPStartStopCycles: 100 start/SIGTERM cycles of govrrpd leave no
// VIP, no pid file and no process behind, and every run exits 0; a few of
// them reach MASTER first, so the VIP is added and removed too.
func TestVRRPStartStopCycles(t *testing.T) {
	_, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	owner, _ := readSeed("keepalived-master.conf")
	// Priority 255 (address owner) becomes MASTER at once.
	owner = strings.Replace(owner, "priority 100", "priority 255", 1)
	if err := n.master.WriteFile("/etc/keepalived/owner.conf", owner); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	masters := 0
	for i := 0; i < 100; i++ {
		conf, wantVIP := "keepalived-master.conf", false
		if i%10 == 0 {
			conf, wantVIP = "owner.conf", true
		}
		p := startVRRP(t, n.master, gv, conf)
		if _, ok := pollUntil(5*time.Second, func() bool {
			for _, l := range p.log() {
				if strings.Contains(l, "Entering BACKUP STATE (init)") || strings.Contains(l, "Entering MASTER STATE") {
					return true
				}
			}
			return false
		}); !ok {
			t.Fatalf("cycle %d: govrrpd did not start:\n%s", i, strings.Join(p.log(), "\n"))
		}
		if wantVIP {
			if _, ok := pollUntil(2*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
				t.Fatalf("cycle %d: owner did not take the VIP", i)
			}
			masters++
		}
		p.signal(syscall.SIGTERM)
		if !p.wait(5 * time.Second) {
			t.Fatalf("cycle %d: govrrpd did not exit on SIGTERM", i)
		}
		if code := p.cmd.ProcessState.ExitCode(); code != 0 {
			t.Fatalf("cycle %d: exit code %d:\n%s", i, code, strings.Join(p.log(), "\n"))
		}
		if n.hasVIP(n.master) {
			t.Fatalf("cycle %d: VIP left on master", i)
		}
		if !p.pidFilesGone() {
			t.Fatalf("cycle %d: pid files left", i)
		}
	}
	t.Logf("100 start/stop cycles (%d of them through MASTER) in %v", masters, time.Since(start))
	// Nothing of ours is left in master's namespace (only topo's holder).
	out, _ := exec.Command("ip", "netns", "pids", n.master.NS).Output()
	for _, pid := range strings.Fields(string(out)) {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%s/comm", pid))
		if c := strings.TrimSpace(string(comm)); c == "govrrpd" {
			t.Errorf("govrrpd process %s still running", pid)
		}
	}
}

// TestVRRPNotify: notify_backup/master/stop and the generic notify
// script run with keepalived's arguments at the same transitions
// (start -> BACKUP -> MASTER -> stop), for keepalived and govrrpd.
func TestVRRPNotify(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	master, _ := readSeed("keepalived-master.conf")
	conf := strings.Replace(master, "virtual_router_id 80", `virtual_router_id 80
    notify_master "/etc/keepalived/notify.sh master"
    notify_backup "/etc/keepalived/notify.sh backup"
    notify_stop "/etc/keepalived/notify.sh stop"
    notify /etc/keepalived/notify.sh`, 1)
	if err := n.master.WriteFile("/etc/keepalived/notify.conf", conf); err != nil {
		t.Fatal(err)
	}
	if err := n.master.WriteFile("/etc/keepalived/notify.sh", "#!/bin/sh\necho \"$*\" >> /run/notify.log\n"); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, impl := range []vrrpImpl{ka, gv} {
		os.Remove(n.master.Path("/run/notify.log"))
		p := startVRRP(t, n.master, impl, "notify.conf")
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
			t.Fatalf("%s: master did not take the VIP", impl.name)
		}
		time.Sleep(500 * time.Millisecond)
		p.signal(syscall.SIGTERM)
		p.wait(5 * time.Second)
		time.Sleep(500 * time.Millisecond) // notify scripts run detached
		b, _ := os.ReadFile(n.master.Path("/run/notify.log"))
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		got[impl.name] = lines
		t.Logf("%s notify calls:\n%s", impl.name, strings.Join(lines, "\n"))
	}
	// Scripts run concurrently, so compare the calls as sets of lines.
	count := func(l []string) map[string]int {
		m := map[string]int{}
		for _, s := range l {
			m[s]++
		}
		return m
	}
	k, g := count(got["keepalived"]), count(got["govrrpd"])
	if fmt.Sprint(k) != fmt.Sprint(g) {
		t.Errorf("notify calls differ:\n keepalived %v\n govrrpd    %v", got["keepalived"], got["govrrpd"])
	}
}

// TestVRRPTrackFile: a track_file with weight 0 on master: writing a
// non-zero value puts master in FAULT (priority-0 advert, VIP to backup),
// writing 0 brings it back and it preempts. keepalived and govrrpd side by
// side (keepalived watches with inotify, govrrpd polls every 100 ms).
func TestVRRPTrackFile(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	master, _ := readSeed("keepalived-master.conf")
	conf := "track_file tf_fault {\n    file /run/goha-track\n}\n" +
		strings.Replace(master, "virtual_router_id 80", "virtual_router_id 80\n    track_file {\n        tf_fault weight 0\n    }", 1)
	if err := n.master.WriteFile("/etc/keepalived/trackfile.conf", conf); err != nil {
		t.Fatal(err)
	}
	set := func(v string) {
		if err := n.master.WriteFile("/run/goha-track", v+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	type result struct{ fault, back time.Duration }
	res := map[string]result{}
	for _, impl := range []vrrpImpl{ka, gv} {
		set("0")
		b := startVRRP(t, n.backup, impl, "keepalived-backup.conf")
		m := startVRRP(t, n.master, impl, "trackfile.conf")
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
			t.Fatalf("%s: master did not take the VIP:\n%s", impl.name, strings.Join(m.log(), "\n"))
		}
		time.Sleep(1500 * time.Millisecond)
		var r result
		t0 := time.Now()
		set("1")
		if at, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.backup) && !n.hasVIP(n.master) }); ok {
			r.fault = at.Sub(t0)
		} else {
			t.Errorf("%s: track file 1: master %v backup %v", impl.name, n.hasVIP(n.master), n.hasVIP(n.backup))
		}
		t1 := time.Now()
		set("0")
		if at, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) && !n.hasVIP(n.backup) }); ok {
			r.back = at.Sub(t1)
		} else {
			t.Errorf("%s: track file 0: master %v backup %v", impl.name, n.hasVIP(n.master), n.hasVIP(n.backup))
		}
		m.signal(syscall.SIGTERM)
		b.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		b.wait(5 * time.Second)
		res[impl.name] = r
		t.Logf("%s master log:\n%s", impl.name, strings.Join(m.log(), "\n"))
	}
	k, g := res["keepalived"], res["govrrpd"]
	t.Logf("track_file: file 1 -> VIP on backup: keepalived %s, govrrpd %s; file 0 -> VIP on master: keepalived %s, govrrpd %s",
		ms(k.fault), ms(g.fault), ms(k.back), ms(g.back))
	for _, c := range [][2]time.Duration{{k.fault, g.fault}, {k.back, g.back}} {
		if d := c[1] - c[0]; c[0] > 0 && c[1] > 0 && (d > 400*time.Millisecond || d < -400*time.Millisecond) {
			t.Errorf("govrrpd %v vs keepalived %v", c[1], c[0])
		}
	}
}

// TestVRRPDaemonize: without -n govrrpd detaches as keepalived does: the
// command returns 0 at once, the daemon's pid is in the pid files, it runs
// VRRP, and SIGTERM to that pid stops it and removes the files.
func TestVRRPDaemonize(t *testing.T) {
	_, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	owner, _ := readSeed("keepalived-master.conf")
	owner = strings.Replace(owner, "priority 100", "priority 255", 1)
	if err := n.master.WriteFile("/etc/keepalived/owner.conf", owner); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, err := n.master.Output(gv.bin, "-f", "/etc/keepalived/owner.conf", "-p", "/run/goha-d.pid", "-r", "/run/goha-d-vrrp.pid")
	if err != nil {
		t.Fatalf("govrrpd without -n: %v %s", err, out)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("govrrpd without -n took %v to return", d)
	}
	var pid int
	if _, ok := pollUntil(5*time.Second, func() bool {
		b, err := os.ReadFile(n.master.Path("/run/goha-d-vrrp.pid"))
		if err != nil {
			return false
		}
		_, err = fmt.Sscan(string(b), &pid)
		return err == nil && pid > 0
	}); !ok {
		t.Fatal("no pid file from the detached daemon")
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if _, ok := pollUntil(5*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
		t.Fatal("detached daemon did not take the VIP")
	}
	syscall.Kill(pid, syscall.SIGTERM)
	if _, ok := pollUntil(5*time.Second, func() bool { return syscall.Kill(pid, 0) != nil }); !ok {
		t.Fatal("detached daemon did not stop on SIGTERM")
	}
	for _, f := range []string{"/run/goha-d.pid", "/run/goha-d-vrrp.pid"} {
		if _, err := os.Stat(n.master.Path(f)); err == nil {
			t.Errorf("%s left behind", f)
		}
	}
	if n.hasVIP(n.master) {
		t.Error("VIP left behind")
	}
}

// TestVRRPStats: SIGUSR2 writes /tmp/keepalived.stats in keepalived's
// layout with the same counters (the number of adverts sent depends on
// timing and is compared loosely).
func TestVRRPStats(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	sentLine := regexp.MustCompile(`(?m)^    Sent: (\d+)$`)
	got := map[string]string{}
	for _, impl := range []vrrpImpl{ka, gv} {
		b := startVRRP(t, n.backup, impl, "keepalived-backup.conf")
		m := startVRRPWith(t, n.master, impl, "keepalived-master.conf", true)
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
			t.Fatalf("%s: master did not take the VIP:\n%s", impl.name, strings.Join(m.log(), "\n"))
		}
		time.Sleep(2500 * time.Millisecond)
		m.signal(syscall.SIGUSR2)
		var text string
		pollUntil(3*time.Second, func() bool {
			bs, err := os.ReadFile(m.tmpPath("keepalived.stats"))
			text = string(bs)
			return err == nil && strings.Contains(text, "Priority Zero:\n    Received: 0\n    Sent: ")
		})
		m.signal(syscall.SIGTERM)
		b.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		b.wait(5 * time.Second)
		t.Logf("%s:\n%s", impl.name, text)
		// Adverts sent: 3 or 4 in 2.5 s as master; mask the count.
		first := true
		got[impl.name] = sentLine.ReplaceAllStringFunc(text, func(s string) string {
			if first {
				first = false
				return "    Sent: N"
			}
			return s
		})
	}
	if got["keepalived"] == "" || got["keepalived"] != got["govrrpd"] {
		t.Errorf("stats differ:\n keepalived %q\n govrrpd    %q", got["keepalived"], got["govrrpd"])
	}
}

// TestVRRPSyncGroupFault: VI_1 (the tutorial's VIP) and VI_2 (VRID 81,
// .145, tracking a file) in one vrrp_sync_group on master: when the file
// faults VI_2, the group puts VI_1 in FAULT too and .144 moves to backup;
// when the file recovers, master takes both back. keepalived and govrrpd
// side by side.
func TestVRRPSyncGroupFault(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	master, _ := readSeed("keepalived-master.conf")
	backup, _ := readSeed("keepalived-backup.conf")
	vi2 := func(state string, prio int, track bool) string {
		s := fmt.Sprintf("\nvrrp_instance VI_2 {\n    state %s\n    interface ens33\n    virtual_router_id 81\n    priority %d\n    advert_int 1\n", state, prio)
		if track {
			s += "    track_file {\n        tf_sync weight 0\n    }\n"
		}
		return s + "    virtual_ipaddress {\n        192.168.13.145/24\n    }\n}\n"
	}
	group := "\nvrrp_sync_group VG_1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
	if err := n.master.WriteFile("/etc/keepalived/sync.conf",
		"track_file tf_sync {\n    file /run/goha-sync\n}\n"+master+vi2("MASTER", 100, true)+group); err != nil {
		t.Fatal(err)
	}
	if err := n.backup.WriteFile("/etc/keepalived/sync.conf", backup+vi2("BACKUP", 50, false)); err != nil {
		t.Fatal(err)
	}
	set := func(v string) {
		if err := n.master.WriteFile("/run/goha-sync", v+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	type result struct {
		fault, back time.Duration
		synced      bool
	}
	res := map[string]result{}
	for _, impl := range []vrrpImpl{ka, gv} {
		set("0")
		b := startVRRP(t, n.backup, impl, "sync.conf")
		m := startVRRP(t, n.master, impl, "sync.conf")
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
			t.Fatalf("%s: master did not take the VIP:\n%s", impl.name, strings.Join(m.log(), "\n"))
		}
		time.Sleep(1500 * time.Millisecond)
		var r result
		t0 := time.Now()
		set("1")
		if at, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.backup) && !n.hasVIP(n.master) }); ok {
			r.fault = at.Sub(t0)
		} else {
			t.Errorf("%s: VI_2's fault did not move VI_1's VIP: master %v backup %v", impl.name, n.hasVIP(n.master), n.hasVIP(n.backup))
		}
		t1 := time.Now()
		set("0")
		if at, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) && !n.hasVIP(n.backup) }); ok {
			r.back = at.Sub(t1)
		} else {
			t.Errorf("%s: VI_1's VIP did not come back: master %v backup %v", impl.name, n.hasVIP(n.master), n.hasVIP(n.backup))
		}
		m.signal(syscall.SIGTERM)
		b.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		b.wait(5 * time.Second)
		for _, l := range m.log() {
			if strings.Contains(l, "VRRP_Group(VG_1) Syncing instances to FAULT state") {
				r.synced = true
			}
		}
		res[impl.name] = r
		t.Logf("%s master log:\n%s", impl.name, strings.Join(m.log(), "\n"))
	}
	k, g := res["keepalived"], res["govrrpd"]
	t.Logf("sync group: VI_2 fault -> VI_1's VIP on backup: keepalived %s, govrrpd %s; recovery -> VIP on master: keepalived %s, govrrpd %s; \"Syncing instances to FAULT state\" logged: %v / %v",
		ms(k.fault), ms(g.fault), ms(k.back), ms(g.back), k.synced, g.synced)
	if k.synced != g.synced {
		t.Errorf("group FAULT line: keepalived %v, govrrpd %v", k.synced, g.synced)
	}
	for _, c := range [][2]time.Duration{{k.fault, g.fault}, {k.back, g.back}} {
		if d := c[1] - c[0]; c[0] > 0 && c[1] > 0 && (d > 500*time.Millisecond || d < -500*time.Millisecond) {
			t.Errorf("govrrpd %v vs keepalived %v", c[1], c[0])
		}
	}
}
