package compattests

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestVRRPReloadVIPs: a reload that changes only virtual_ipaddress keeps
// the MASTER and its untouched addresses: keepalived adds the new
// addresses and removes the dropped ones in place, without a state change
// or a priority-0 advert (the backup never takes over). The lines the
// master logs after each reload must match keepalived's.
func TestVRRPReloadVIPs(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	master, _ := readSeed("keepalived-master.conf")
	backup, _ := readSeed("keepalived-backup.conf")
	has := func(addr string) bool {
		out, _ := n.master.Output("ip", "-o", "addr", "show", "to", addr)
		return strings.TrimSpace(out) != ""
	}
	// Both nodes reload the same address list: a backup drops adverts
	// whose list differs from its own.
	withVIPs := func(conf string, vips ...string) string {
		return strings.Replace(conf, "192.168.13.144/24", strings.Join(vips, "\n        "), 1)
	}
	steps := []struct {
		vips       []string
		want, gone []string
	}{
		{[]string{"192.168.13.144/24", "192.168.13.146/24"}, []string{"192.168.13.144", "192.168.13.146"}, nil},
		{[]string{"192.168.13.146/24"}, []string{"192.168.13.146"}, []string{"192.168.13.144"}},
	}
	logs := map[string][]string{}
	for _, impl := range []vrrpImpl{ka, gv} {
		if err := n.master.WriteFile("/etc/keepalived/reloadvips.conf", master); err != nil {
			t.Fatal(err)
		}
		if err := n.backup.WriteFile("/etc/keepalived/reloadvips.conf", backup); err != nil {
			t.Fatal(err)
		}
		b := startVRRP(t, n.backup, impl, "reloadvips.conf")
		m := startVRRP(t, n.master, impl, "reloadvips.conf")
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
			t.Fatalf("%s: master did not take the VIP", impl.name)
		}
		time.Sleep(time.Second)
		var after []string
		for i, s := range steps {
			if err := n.master.WriteFile("/etc/keepalived/reloadvips.conf", withVIPs(master, s.vips...)); err != nil {
				t.Fatal(err)
			}
			if err := n.backup.WriteFile("/etc/keepalived/reloadvips.conf", withVIPs(backup, s.vips...)); err != nil {
				t.Fatal(err)
			}
			b.signal(syscall.SIGHUP)
			mark := len(m.log())
			// The addresses kept must never go away, and the backup
			// must not take over.
			var kept []string
			prev := []string{"192.168.13.144"}
			if i > 0 {
				prev = steps[i-1].want
			}
			for _, a := range s.want {
				if contains(prev, a) {
					kept = append(kept, a)
				}
			}
			m.signal(syscall.SIGHUP)
			ok := false
			if at, broke := pollUntil(3*time.Second, func() bool {
				for _, a := range kept {
					if !has(a) {
						return true
					}
				}
				ok = true
				for _, a := range s.want {
					ok = ok && has(a)
				}
				for _, a := range s.gone {
					ok = ok && !has(a)
				}
				return n.hasVIP(n.backup)
			}); broke {
				t.Errorf("%s: step %d: %v after the reload a kept address went away or the backup took over (backup %v)",
					impl.name, i, at.Sub(time.Now().Add(-3*time.Second)), n.hasVIP(n.backup))
			}
			if !ok {
				t.Errorf("%s: step %d: addresses %v present / %v absent not reached", impl.name, i, s.want, s.gone)
			}
			after = append(after, reloadLines(m.log()[mark:])...)
		}
		logs[impl.name] = after
		m.signal(syscall.SIGTERM)
		b.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		b.wait(5 * time.Second)
		if has("192.168.13.146") || n.hasVIP(n.master) {
			t.Errorf("%s: VIPs left after stop", impl.name)
		}
		if t.Failed() {
			t.Logf("%s master log:\n%s", impl.name, strings.Join(m.log(), "\n"))
		}
	}
	k, g := strings.Join(logs["keepalived"], "\n"), strings.Join(logs["govrrpd"], "\n")
	t.Logf("keepalived after the reloads:\n%s", k)
	if k != g {
		t.Errorf("lines after the reloads differ:\nkeepalived:\n%s\ngovrrpd:\n%s", k, g)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// reloadLines keeps the instance lines a reload logs, without time
// stamps: the reload's own lines (where keepalived's parent logs "Reload
// complete" among its child's lines varies), the socket pools and the
// per-packet ARP lines are left out.
var reloadSkip = regexp.MustCompile(`Reload|Opening file|Configuration file|Assigned address|VRRP sockpool|Sending gratuitous ARP on|Script user`)

func reloadLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		l = regexp.MustCompile(`^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: `).ReplaceAllString(l, "")
		if !reloadSkip.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}
