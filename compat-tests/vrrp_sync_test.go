package compattests

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// syncConf is the tutorial's backup file plus a second instance VI_2 (no
// peer anywhere) and a vrrp_sync_group holding both.
func syncConf(t *testing.T) string {
	t.Helper()
	backup, err := readSeed("keepalived-backup.conf")
	if err != nil {
		t.Fatal(err)
	}
	return backup + "\nvrrp_instance VI_2 {\n    state BACKUP\n    interface ens33\n    virtual_router_id 81\n    priority 50\n    advert_int 1\n" +
		"    virtual_ipaddress {\n        192.168.13.145/24\n    }\n}\n" +
		"\nvrrp_sync_group VG_1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
}

// syncLines keeps the state and group lines of a log, in order.
var syncLineRE = regexp.MustCompile(`\((VI_\d)\) Entering \w+ STATE.*|VRRP_Group\(VG_1\) Syncing instances to \w+ state`)

func syncLines(log []string) []string {
	var out []string
	for _, l := range log {
		if m := syncLineRE.FindString(l); m != "" {
			out = append(out, m)
		}
	}
	return out
}

// TestVRRPSyncGroupStates: a sync group moves its members to MASTER and
// BACKUP together. The daemon under test runs VI_1 (the tutorial's VRID
// 80) and VI_2 (VRID 81, which no other node runs) in one group on the
// backup host; keepalived with the tutorial's master file on the master
// host competes for VI_1 only. Alone, both members become MASTER; when
// the master node preempts VI_1, VI_2 must follow it to BACKUP and stay
// there (its own timer would make it MASTER), and when the master node
// dies both become MASTER again. The state lines must match keepalived's.
func TestVRRPSyncGroupStates(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	if err := n.backup.WriteFile("/etc/keepalived/syncstates.conf", syncConf(t)); err != nil {
		t.Fatal(err)
	}
	vi2 := func() bool {
		out, _ := n.backup.Output("ip", "-o", "addr", "show", "to", "192.168.13.145")
		return strings.TrimSpace(out) != ""
	}
	both := func() bool { return n.hasVIP(n.backup) && vi2() }
	none := func() bool { return !n.hasVIP(n.backup) && !vi2() }
	lines := map[string][]string{}
	timing := map[string][3]time.Duration{}
	for _, impl := range []vrrpImpl{ka, gv} {
		t0 := time.Now()
		b := startVRRP(t, n.backup, impl, "syncstates.conf")
		var tm [3]time.Duration
		if at, ok := pollUntil(10*time.Second, both); ok {
			tm[0] = at.Sub(t0)
		} else {
			t.Errorf("%s: alone, the group did not become MASTER (VI_1 %v, VI_2 %v)", impl.name, n.hasVIP(n.backup), vi2())
		}
		t1 := time.Now()
		m := startVRRP(t, n.master, ka, "keepalived-master.conf")
		if at, ok := pollUntil(10*time.Second, none); ok {
			tm[1] = at.Sub(t1)
		} else {
			t.Errorf("%s: preempted VI_1 did not take VI_2 to BACKUP (VI_1 %v, VI_2 %v)", impl.name, n.hasVIP(n.backup), vi2())
		}
		// VI_2 hears no master: only the group keeps it in BACKUP.
		if at, broke := pollUntil(5*time.Second, func() bool { return !none() }); broke {
			t.Errorf("%s: VIPs came back %v after the group went BACKUP (VI_1 %v, VI_2 %v)", impl.name, at.Sub(time.Now().Add(-5*time.Second)), n.hasVIP(n.backup), vi2())
		}
		// Timed from the dead master's last advert, not from the kill:
		// the kill falls anywhere in the advert interval.
		last := watchAdverts(t, n, "192.168.13.128")
		time.Sleep(1200 * time.Millisecond)
		m.kill()
		at, ok := pollUntil(10*time.Second, both)
		if t2 := last(); ok && !t2.IsZero() {
			tm[2] = at.Sub(t2)
		} else {
			t.Errorf("%s: after the master node died the group did not become MASTER (VI_1 %v, VI_2 %v)", impl.name, n.hasVIP(n.backup), vi2())
		}
		b.signal(syscall.SIGTERM)
		if !b.wait(5 * time.Second) {
			t.Errorf("%s did not stop", impl.name)
		}
		if vi2() || n.hasVIP(n.backup) {
			t.Errorf("%s: VIPs left after stop", impl.name)
		}
		lines[impl.name] = syncLines(b.log())
		timing[impl.name] = tm
		if t.Failed() {
			t.Logf("%s log:\n%s", impl.name, strings.Join(b.log(), "\n"))
		}
	}
	k, g := timing["keepalived"], timing["govrrpd"]
	t.Logf("group MASTER alone: keepalived %s govrrpd %s; BACKUP on preemption: %s / %s; MASTER after the master node's last advert: %s / %s",
		ms(k[0]), ms(g[0]), ms(k[1]), ms(g[1]), ms(k[2]), ms(g[2]))
	for i := range k {
		if d := g[i] - k[i]; k[i] > 0 && g[i] > 0 && (d > 700*time.Millisecond || d < -700*time.Millisecond) {
			t.Errorf("step %d: govrrpd %v vs keepalived %v", i, g[i], k[i])
		}
	}
	kl, gl := strings.Join(lines["keepalived"], "\n"), strings.Join(lines["govrrpd"], "\n")
	t.Logf("keepalived state lines:\n%s", kl)
	if kl != gl {
		t.Errorf("state lines differ:\nkeepalived:\n%s\ngovrrpd:\n%s", kl, gl)
	}
}
