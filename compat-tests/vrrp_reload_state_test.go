package compattests

import (
	"fmt"
	"regexp"
	"sort"
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
// stays BACKUP, neither logging a transition. A second reload changes
// advert_int and the password on both nodes, a third adds a weight-0
// track_script (keepalived takes a script new on reload as good until it
// reports), a fourth replaces the backup's nopreempt by a preempt_delay,
// with the same outcome. The
// lines both log after the reloads must match keepalived's, and the
// counters show no transition.
func TestVRRPReloadKeepsState(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	master, _ := readSeed("keepalived-master.conf")
	backup, _ := readSeed("keepalived-backup.conf")
	garp := func(conf string) string {
		return strings.Replace(conf, "    advert_int 1", "    advert_int 1\n    garp_master_repeat 2\n    garp_master_refresh 60\n    notify_master \"/usr/bin/true reloaded\"", 1)
	}
	// The steps: each is the change both nodes reload.
	steps := []func(string) string{
		garp,
		// advert_int and the password, on both nodes at once.
		func(conf string) string {
			return strings.Replace(strings.Replace(garp(conf), "advert_int 1", "advert_int 2", 1), "auth_pass 1111", "auth_pass 2222", 1)
		},
		// a track_script added (a script that succeeds, weight 0)
		func(conf string) string {
			c := strings.Replace(strings.Replace(garp(conf), "advert_int 1", "advert_int 2", 1), "auth_pass 1111", "auth_pass 2222", 1)
			c = strings.Replace(c, "    advert_int 2", "    advert_int 2\n    track_script {\n        chk_reload\n    }", 1)
			return "vrrp_script chk_reload {\n    script \"/usr/bin/true\"\n    interval 1\n}\n" + c
		},
		// the backup's nopreempt replaced by a preempt_delay
		func(conf string) string {
			return strings.Replace(garp(conf), "    nopreempt", "    preempt_delay 2", 1)
		},
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
		var mLines, bLines []string
		for i, step := range steps {
			for _, h := range []struct {
				conf string
				host interface{ WriteFile(string, string) error }
			}{{step(master), n.master}, {step(backup), n.backup}} {
				if err := h.host.WriteFile("/etc/keepalived/reloadstate.conf", h.conf); err != nil {
					t.Fatal(err)
				}
			}
			mMark, bMark := len(m.log()), len(b.log())
			b.signal(syscall.SIGHUP)
			m.signal(syscall.SIGHUP)
			if at, broke := pollUntil(3*time.Second, func() bool { return !n.hasVIP(n.master) || n.hasVIP(n.backup) }); broke {
				t.Errorf("%s: step %d: %v after the reload the master lost the VIP (%v) or the backup took it (%v)",
					impl.name, i, at.Sub(time.Now().Add(-3*time.Second)), !n.hasVIP(n.master), n.hasVIP(n.backup))
			}
			ms, bs := readStats(t, m), readStats(t, b)
			for _, s := range []string{ms, bs} {
				if !strings.Contains(s, "Became master: 1\n  Released master: 0\n") && !strings.Contains(s, "Became master: 0\n  Released master: 0\n") {
					t.Errorf("%s: step %d: counters after the reload:\n%s", impl.name, i, s)
				}
			}
			mLines = append(mLines, fmt.Sprintf("-- step %d", i), stateReloadLines(m.log()[mMark:]))
			bLines = append(bLines, fmt.Sprintf("-- step %d", i), stateReloadLines(b.log()[bMark:]))
		}
		logs[impl.name] = [2]string{strings.Join(mLines, "\n"), strings.Join(bLines, "\n")}
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

// stateReloadLines is reloadLines with the pid masked and without the
// rejections of the one advert that may cross the reloads of the two
// nodes (sent with the old password or interval): whether one does
// depends on timing, for keepalived as for govrrpd.
func stateReloadLines(lines []string) string {
	pid := regexp.MustCompile(`process\(\d+\)`)
	crossing := regexp.MustCompile(`invalid passwd|advertisement interval mismatch|[Aa]dvert(isement)? interval`)
	var out []string
	for _, l := range reloadLines(lines) {
		if !crossing.MatchString(l) {
			out = append(out, pid.ReplaceAllString(l, "process(N)"))
		}
	}
	// Within one reload, events of independent timers (a new script's
	// first result, the gratuitous ARPs) come in either order, with
	// keepalived as with govrrpd: compare them as a set.
	sort.Strings(out)
	return strings.Join(out, "\n")
}
