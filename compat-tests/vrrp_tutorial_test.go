package compattests

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"goha/internal/topo"
)

// failover is what one master/backup pair did, measured from the test's
// own actions (signal sent, process started) to the VIP appearing on the
// other node (netlink polls every 5 ms).
type failover struct {
	pair string
	// start: both daemons started -> VIP on master.
	start time.Duration
	// graceful: SIGTERM to master -> VIP on backup; client: -> the
	// client's ARP entry for the VIP names backup's MAC (GARP).
	graceful, client time.Duration
	// rejoin: master started again -> VIP back on master (it preempts).
	rejoin time.Duration
	// kill: SIGKILL of every master process -> VIP on backup;
	// lastAdvert: master's last advert seen on backup -> VIP on backup
	// (the master-down interval, 3 x 1 s + skew 0.805 s for priority 50).
	kill, lastAdvert time.Duration
	// staleLeft: the VIP stayed on the killed master; cleaned: how long
	// after the restart the stale VIP was removed; retake: restart ->
	// VIP on master again.
	staleLeft       bool
	cleaned, retake time.Duration
	// errors are rejected-advert lines in either log.
	errors []string
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}

// runFailover runs the tutorial's failover story with masterImpl on
// master and backupImpl on backup, checking at every step that exactly
// one node holds the VIP.
func runFailover(t *testing.T, n *vrrpNet, masterImpl, backupImpl vrrpImpl) failover {
	t.Helper()
	r := failover{pair: masterImpl.name + " master / " + backupImpl.name + " backup"}
	fail := func(format string, args ...any) failover {
		t.Errorf("%s: %s", r.pair, fmt.Sprintf(format, args...))
		return r
	}
	onlyOn := func(h *topo.Host) bool {
		other := n.backup
		if h == n.backup {
			other = n.master
		}
		return n.hasVIP(h) && !n.hasVIP(other)
	}

	t0 := time.Now()
	b := startVRRP(t, n.backup, backupImpl, "keepalived-backup.conf")
	m := startVRRP(t, n.master, masterImpl, "keepalived-master.conf")
	at, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) })
	if !ok {
		return fail("master never took the VIP; master log:\n%s", strings.Join(m.log(), "\n"))
	}
	r.start = at.Sub(t0)
	time.Sleep(1500 * time.Millisecond)
	if !onlyOn(n.master) {
		return fail("after start the VIP is not on master alone (master %v, backup %v)", n.hasVIP(n.master), n.hasVIP(n.backup))
	}
	if out, err := n.client.Output("ping", "-c1", "-W1", topo.VIP); err != nil {
		return fail("client cannot ping the VIP: %v %s", err, out)
	}
	if got := n.clientMAC(); got != n.mac(n.master) {
		return fail("client's ARP entry for the VIP is %q, master is %s", got, n.mac(n.master))
	}

	// Graceful stop: priority-0 advert, backup takes over after its skew.
	t1 := time.Now()
	m.signal(syscall.SIGTERM)
	if at, ok = pollUntil(5*time.Second, func() bool { return n.hasVIP(n.backup) }); !ok {
		return fail("backup did not take the VIP after SIGTERM of master")
	}
	r.graceful = at.Sub(t1)
	if at, ok = pollUntil(5*time.Second, func() bool { return n.clientMAC() == n.mac(n.backup) }); ok {
		r.client = at.Sub(t1)
	} else {
		t.Errorf("%s: client's ARP entry still %q after failover (backup %s)", r.pair, n.clientMAC(), n.mac(n.backup))
	}
	if !m.wait(5 * time.Second) {
		return fail("master did not exit after SIGTERM")
	}
	if n.hasVIP(n.master) {
		t.Errorf("%s: stopped master kept the VIP", r.pair)
	}
	if !m.pidFilesGone() {
		t.Errorf("%s: %s left its pid files", r.pair, masterImpl.name)
	}
	errs := m.packetErrors()

	// Master comes back and preempts (backup has nopreempt, master not).
	t2 := time.Now()
	m = startVRRP(t, n.master, masterImpl, "keepalived-master.conf")
	if at, ok = pollUntil(10*time.Second, func() bool { return onlyOn(n.master) }); !ok {
		return fail("restarted master did not take the VIP back (master %v, backup %v)", n.hasVIP(n.master), n.hasVIP(n.backup))
	}
	r.rejoin = at.Sub(t2)
	adverts := watchAdverts(t, n, topo.MasterAddr)
	time.Sleep(1500 * time.Millisecond)

	// Crash: SIGKILL every master process; backup waits the master-down
	// interval (3 x advert_int + skew).
	t3 := time.Now()
	m.kill()
	if at, ok = pollUntil(10*time.Second, func() bool { return n.hasVIP(n.backup) }); !ok {
		return fail("backup did not take the VIP after SIGKILL of master")
	}
	r.kill = at.Sub(t3)
	if last := adverts(); !last.IsZero() {
		r.lastAdvert = at.Sub(last)
	}
	r.staleLeft = n.hasVIP(n.master)
	errs = append(errs, m.packetErrors()...)

	// Restart after the crash: the stale VIP goes at start, then master
	// preempts again.
	t4 := time.Now()
	m = startVRRP(t, n.master, masterImpl, "keepalived-master.conf")
	if r.staleLeft {
		if at, ok = pollUntil(3*time.Second, func() bool { return !n.hasVIP(n.master) }); ok {
			r.cleaned = at.Sub(t4)
		} else {
			t.Errorf("%s: the stale VIP was not removed when master restarted", r.pair)
		}
	}
	if at, ok = pollUntil(10*time.Second, func() bool { return onlyOn(n.master) }); !ok {
		return fail("master did not retake the VIP after the crash restart")
	}
	r.retake = at.Sub(t4)

	// Both stop cleanly.
	m.signal(syscall.SIGTERM)
	if !m.wait(5 * time.Second) {
		t.Errorf("%s: master did not exit", r.pair)
	}
	b.signal(syscall.SIGTERM)
	if !b.wait(5 * time.Second) {
		t.Errorf("%s: backup did not exit", r.pair)
	}
	if n.hasVIP(n.master) || n.hasVIP(n.backup) {
		t.Errorf("%s: a VIP is left after both stopped (master %v, backup %v)", r.pair, n.hasVIP(n.master), n.hasVIP(n.backup))
	}
	r.errors = append(append(errs, m.packetErrors()...), b.packetErrors()...)
	for _, e := range r.errors {
		t.Errorf("%s: rejected advert: %s", r.pair, e)
	}
	t.Logf("%s: master log:\n%s", r.pair, strings.Join(m.log(), "\n"))
	t.Logf("%s: backup log:\n%s", r.pair, strings.Join(b.log(), "\n"))
	return r
}

// TestVRRPTutorialFailover runs the tutorial's master and backup files
// with keepalived on both nodes, govrrpd on both, and each mixed pair, and
// reports every timing side by side. govrrpd must match keepalived within
// 600 ms on each step (the steps take 0.8–4.4 s; keepalived itself was
// measured 430 ms slower than usual on a loaded machine), and the mixed pairs must behave as the pure ones
// (one master at a time, failover both ways, no rejected advert).
func TestVRRPTutorialFailover(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	var runs []failover
	for _, p := range [][2]vrrpImpl{{ka, ka}, {gv, gv}, {gv, ka}, {ka, gv}} {
		runs = append(runs, runFailover(t, n, p[0], p[1]))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-38s %8s %9s %8s %8s %8s %10s %6s %8s %8s\n", "pair", "start", "graceful", "client", "rejoin", "kill", "lastadv", "stale", "cleaned", "retake")
	for _, r := range runs {
		fmt.Fprintf(&b, "%-38s %8s %9s %8s %8s %8s %10s %6v %8s %8s\n", r.pair, ms(r.start), ms(r.graceful), ms(r.client),
			ms(r.rejoin), ms(r.kill), ms(r.lastAdvert), r.staleLeft, ms(r.cleaned), ms(r.retake))
	}
	t.Logf("VRRP failover timings (tutorial files, advert_int 1, backup priority 50):\n%s", b.String())
	ref, ours := runs[0], runs[1]
	for _, c := range []struct {
		what   string
		ka, gv time.Duration
	}{
		{"start -> VIP on master", ref.start, ours.start},
		{"SIGTERM -> VIP on backup", ref.graceful, ours.graceful},
		{"restart -> VIP back on master", ref.rejoin, ours.rejoin},
		{"SIGKILL -> VIP on backup", ref.kill, ours.kill},
		{"last advert -> VIP on backup", ref.lastAdvert, ours.lastAdvert},
		{"crash restart -> VIP on master", ref.retake, ours.retake},
	} {
		if c.ka == 0 || c.gv == 0 {
			continue // already reported
		}
		if d := c.gv - c.ka; d > 600*time.Millisecond || d < -600*time.Millisecond {
			t.Errorf("%s: govrrpd %v, keepalived %v", c.what, c.gv, c.ka)
		}
	}
	for _, r := range runs {
		if r.graceful >= time.Second {
			t.Errorf("%s: graceful failover took %v (want < 1s)", r.pair, r.graceful)
		}
		if r.staleLeft != ref.staleLeft {
			t.Errorf("%s: stale VIP left after SIGKILL = %v, keepalived %v", r.pair, r.staleLeft, ref.staleLeft)
		}
	}
}

// TestVRRPVIPLine: govrrpd installs the VIP exactly as keepalived does
// (`ip addr` shows the same line).
func TestVRRPVIPLine(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	lines := map[string]string{}
	for _, impl := range []vrrpImpl{ka, gv} {
		p := startVRRP(t, n.master, impl, "keepalived-master.conf")
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
			t.Fatalf("%s did not take the VIP", impl.name)
		}
		lines[impl.name] = n.vipLine(n.master)
		p.signal(syscall.SIGTERM)
		p.wait(5 * time.Second)
	}
	t.Logf("keepalived: %s\ngovrrpd:    %s", lines["keepalived"], lines["govrrpd"])
	if lines["keepalived"] == "" || lines["keepalived"] != lines["govrrpd"] {
		t.Errorf("VIP differs:\n keepalived %q\n govrrpd    %q", lines["keepalived"], lines["govrrpd"])
	}
}

// TestVRRPTutorialScript: the script variant. Nothing answers on
// master:80, so check_haproxy_status.sh fails (curl fails, and its
// `systemctl stop keepalived` fails too: no systemd here); with weight 0
// that puts master in FAULT and backup holds the VIP. Once a web server
// answers on master:80 the script succeeds and master takes the VIP back.
// Both daemons are measured in the same run.
func TestVRRPTutorialScript(t *testing.T) {
	ka, gv := vrrpImpls(t)
	for _, tool := range []string{"nginx", "curl", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	n := buildVRRPNet(t)
	type result struct{ toBackup, toMaster time.Duration }
	res := map[string]result{}
	for _, impl := range []vrrpImpl{ka, gv} {
		t0 := time.Now()
		b := startVRRP(t, n.backup, impl, "keepalived-backup.conf")
		m := startVRRP(t, n.master, impl, "keepalived-master-script.conf")
		at, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.backup) })
		if !ok {
			t.Fatalf("%s: backup did not take the VIP while master's check fails; master log:\n%s", impl.name, strings.Join(m.log(), "\n"))
		}
		var r result
		r.toBackup = at.Sub(t0)
		if n.hasVIP(n.master) {
			t.Errorf("%s: master holds the VIP although its check fails", impl.name)
		}
		web, err := n.master.StartNginx(80, "tutorial proxy stand-in\n")
		if err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		if at, ok = pollUntil(20*time.Second, func() bool { return n.hasVIP(n.master) && !n.hasVIP(n.backup) }); !ok {
			t.Errorf("%s: master did not take the VIP once its check passed; master log:\n%s", impl.name, strings.Join(m.log(), "\n"))
		} else {
			r.toMaster = at.Sub(t1)
		}
		res[impl.name] = r
		m.signal(syscall.SIGTERM)
		b.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		b.wait(5 * time.Second)
		web.Stop()
		t.Logf("%s master log:\n%s", impl.name, strings.Join(m.log(), "\n"))
	}
	t.Logf("script variant: start -> VIP on backup (master FAULT): keepalived %s, govrrpd %s; web server up -> VIP on master: keepalived %s, govrrpd %s (script interval 5s)",
		ms(res["keepalived"].toBackup), ms(res["govrrpd"].toBackup), ms(res["keepalived"].toMaster), ms(res["govrrpd"].toMaster))
}

// TestVRRPLinkEvents compares keepalived and govrrpd (same daemon on both
// nodes) when the network fails:
//
//   - split brain: master's bridge port leaves the bridge (its ens33 stays
//     up, nothing gets through): backup becomes MASTER too, as the
//     protocol demands; when the port comes back exactly one master
//     remains, within one advert interval;
//   - link down: master's ens33 goes down: master enters FAULT and drops
//     the VIP at once, backup takes over after the master-down interval;
//     link up: master returns and preempts.
func TestVRRPLinkEvents(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	port := func(attached bool) {
		t.Helper()
		// The master is the first host of the topology: bridge port p0.
		args := []string{"-n", n.tp.Bridge, "link", "set", "p0", "nomaster"}
		if attached {
			args = []string{"-n", n.tp.Bridge, "link", "set", "p0", "master", "br0"}
		}
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v %s", args, err, out)
		}
	}
	type result struct{ splitBoth, healOne, faultDrop, faultTake, linkBack time.Duration }
	res := map[string]result{}
	for _, impl := range []vrrpImpl{ka, gv} {
		var r result
		b := startVRRP(t, n.backup, impl, "keepalived-backup.conf")
		m := startVRRP(t, n.master, impl, "keepalived-master.conf")
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
			t.Fatalf("%s: master never took the VIP", impl.name)
		}
		time.Sleep(1500 * time.Millisecond)

		t0 := time.Now()
		port(false)
		if at, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.backup) && n.hasVIP(n.master) }); ok {
			r.splitBoth = at.Sub(t0)
		} else {
			t.Errorf("%s: split brain: master %v backup %v (want both)", impl.name, n.hasVIP(n.master), n.hasVIP(n.backup))
		}
		time.Sleep(1500 * time.Millisecond)
		t1 := time.Now()
		port(true)
		if at, ok := pollUntil(5*time.Second, func() bool { return n.hasVIP(n.master) != n.hasVIP(n.backup) }); ok {
			r.healOne = at.Sub(t1)
		} else {
			t.Errorf("%s: after healing: master %v backup %v (want one)", impl.name, n.hasVIP(n.master), n.hasVIP(n.backup))
		}
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) && !n.hasVIP(n.backup) }); !ok {
			t.Errorf("%s: master did not end up the only master after healing", impl.name)
		}
		time.Sleep(1500 * time.Millisecond)

		t2 := time.Now()
		if err := n.master.SetLink(false); err != nil {
			t.Fatal(err)
		}
		if at, ok := pollUntil(5*time.Second, func() bool { return !n.hasVIP(n.master) }); ok {
			r.faultDrop = at.Sub(t2)
		} else {
			t.Errorf("%s: master kept the VIP with its link down", impl.name)
		}
		if at, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.backup) }); ok {
			r.faultTake = at.Sub(t2)
		} else {
			t.Errorf("%s: backup did not take over from a master whose link is down", impl.name)
		}
		t3 := time.Now()
		if err := n.master.SetLink(true); err != nil {
			t.Fatal(err)
		}
		if at, ok := pollUntil(15*time.Second, func() bool { return n.hasVIP(n.master) && !n.hasVIP(n.backup) }); ok {
			r.linkBack = at.Sub(t3)
		} else {
			t.Errorf("%s: master did not take the VIP back after link up", impl.name)
		}
		m.signal(syscall.SIGTERM)
		b.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		b.wait(5 * time.Second)
		for _, p := range []*vrrpProc{m, b} {
			for _, e := range p.packetErrors() {
				t.Errorf("%s: rejected advert: %s", impl.name, e)
			}
		}
		t.Logf("%s master log:\n%s", impl.name, strings.Join(m.log(), "\n"))
		res[impl.name] = r
	}
	k, g := res["keepalived"], res["govrrpd"]
	t.Logf("link events (keepalived / govrrpd):\n"+
		"  split -> both MASTER        %s / %s\n"+
		"  heal -> one MASTER          %s / %s\n"+
		"  link down -> VIP off master %s / %s\n"+
		"  link down -> VIP on backup  %s / %s\n"+
		"  link up -> VIP on master    %s / %s",
		ms(k.splitBoth), ms(g.splitBoth), ms(k.healOne), ms(g.healOne), ms(k.faultDrop), ms(g.faultDrop),
		ms(k.faultTake), ms(g.faultTake), ms(k.linkBack), ms(g.linkBack))
	if g.healOne > time.Second {
		t.Errorf("govrrpd: two masters for %v after healing (want < 1 advert interval)", g.healOne)
	}
	for _, c := range [][2]time.Duration{{k.splitBoth, g.splitBoth}, {k.faultTake, g.faultTake}, {k.linkBack, g.linkBack}} {
		if d := c[1] - c[0]; c[0] > 0 && c[1] > 0 && (d > 500*time.Millisecond || d < -500*time.Millisecond) {
			t.Errorf("govrrpd %v vs keepalived %v", c[1], c[0])
		}
	}
}
