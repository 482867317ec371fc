package compattests

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestVRRPReloadKeepsState: a reload that changes an instance's settings
// other than its priority and addresses (here the gratuitous ARP
// settings and a notify script) keeps the instance's state, as
// keepalived 2.2.7 keeps every instance of the same virtual router
// (vrrp_exist, restore_vrrp_state): the master stays MASTER with the VIP
// (no priority-0 advert, so the backup never takes over) and the backup
// stays BACKUP, neither logging a transition. The lines both log after
// the reload must match keepalived's, and so must the counters.
func TestVRRPReloadKeepsState(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	master, _ := readSeed("keepalived-master.conf")
	backup, _ := readSeed("keepalived-backup.conf")
	changed := func(conf string) string {
		return strings.Replace(conf, "    advert_int 1", "    advert_int 1\n    garp_master_repeat 2\n    garp_master_refresh 60\n    notify_master \"/usr/bin/true reloaded\"", 1)
	}
	logs := map[string][2]string{}
	for _, impl := range []vrrpImpl{ka, gv} {
		if err := n.master.WriteFile("/etc/keepalived/reloadstate.conf", master); err != nil {
			t.Fatal(err)
		}
		if err := n.backup.WriteFile("/etc/keepalived/reloadstate.conf", backup); err != nil {
			t.Fatal(err)
		}
		b := startVRRPWith(t, n.backup, impl, "reloadstate.conf", true)
		m := startVRRPWith(t, n.master, impl, "reloadstate.conf", true)
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
			t.Fatalf("%s: master did not take the VIP", impl.name)
		}
		time.Sleep(1500 * time.Millisecond)
		for _, h := range []struct {
			conf string
			host interface{ WriteFile(string, string) error }
		}{{changed(master), n.master}, {changed(backup), n.backup}} {
			if err := h.host.WriteFile("/etc/keepalived/reloadstate.conf", h.conf); err != nil {
				t.Fatal(err)
			}
		}
		mMark, bMark := len(m.log()), len(b.log())
		b.signal(syscall.SIGHUP)
		m.signal(syscall.SIGHUP)
		if at, broke := pollUntil(3*time.Second, func() bool { return !n.hasVIP(n.master) || n.hasVIP(n.backup) }); broke {
			t.Errorf("%s: %v after the reload the master lost the VIP (%v) or the backup took it (%v)",
				impl.name, at.Sub(time.Now().Add(-3*time.Second)), !n.hasVIP(n.master), n.hasVIP(n.backup))
		}
		ms, bs := readStats(t, m), readStats(t, b)
		for _, s := range []string{ms, bs} {
			if !strings.Contains(s, "Became master: 1\n  Released master: 0\n") && !strings.Contains(s, "Became master: 0\n  Released master: 0\n") {
				t.Errorf("%s: counters after the reload:\n%s", impl.name, s)
			}
		}
		pid := regexp.MustCompile(`process\(\d+\)`)
		logs[impl.name] = [2]string{
			pid.ReplaceAllString(strings.Join(reloadLines(m.log()[mMark:]), "\n"), "process(N)"),
			pid.ReplaceAllString(strings.Join(reloadLines(b.log()[bMark:]), "\n"), "process(N)"),
		}
		m.signal(syscall.SIGTERM)
		b.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		b.wait(5 * time.Second)
		if t.Failed() {
			t.Logf("%s master log:\n%s\nbackup log:\n%s", impl.name, strings.Join(m.log(), "\n"), strings.Join(b.log(), "\n"))
		}
	}
	for i, host := range []string{"master", "backup"} {
		k, g := logs["keepalived"][i], logs["govrrpd"][i]
		t.Logf("keepalived %s after the reload:\n%s", host, k)
		if k != g {
			t.Errorf("%s: lines after the reload differ (-keepalived +govrrpd):\n%s", host, lineDiff(k, g))
		}
	}
}
