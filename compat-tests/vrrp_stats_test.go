package compattests

import (
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readStats sends SIGUSR2 and returns the complete keepalived.stats.
func readStats(t *testing.T, p *vrrpProc) string {
	t.Helper()
	os.Remove(p.tmpPath("keepalived.stats"))
	p.signal(syscall.SIGUSR2)
	var text string
	pollUntil(3*time.Second, func() bool {
		bs, err := os.ReadFile(p.tmpPath("keepalived.stats"))
		text = string(bs)
		return err == nil && strings.Contains(text, "Priority Zero:\n    Received: ") &&
			regexp.MustCompile(`Priority Zero:\n    Received: \d+\n    Sent: \d+\n`).MatchString(text)
	})
	return text
}

// TestVRRPStatsFailover: the SIGUSR2 counters of the tutorial's master
// and backup after a failover and a failback, keepalived and govrrpd
// side by side. Backup starts, master starts and takes the VIP, master
// stops (a priority-0 advert: backup becomes MASTER), master starts
// again and preempts (backup releases MASTER). Then both write their
// stats. The numbers of adverts depend on timing and are masked; every
// other counter (became/released master, priority zero received/sent,
// packet and authentication errors) must match.
func TestVRRPStatsFailover(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	advertLines := regexp.MustCompile(`(?m)^  Advertisements:\n    Received: \d+\n    Sent: \d+$`)
	mask := func(s string) string {
		return advertLines.ReplaceAllString(s, "  Advertisements:\n    Received: N\n    Sent: N")
	}
	got := map[string][2]string{}
	for _, impl := range []vrrpImpl{ka, gv} {
		b := startVRRPWith(t, n.backup, impl, "keepalived-backup.conf", true)
		m := startVRRP(t, n.master, impl, "keepalived-master.conf")
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
			t.Fatalf("%s: master did not take the VIP:\n%s", impl.name, strings.Join(m.log(), "\n"))
		}
		time.Sleep(1500 * time.Millisecond)
		m.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		if _, ok := pollUntil(5*time.Second, func() bool { return n.hasVIP(n.backup) }); !ok {
			t.Fatalf("%s: backup did not take the VIP:\n%s", impl.name, strings.Join(b.log(), "\n"))
		}
		time.Sleep(1500 * time.Millisecond)
		m = startVRRPWith(t, n.master, impl, "keepalived-master.conf", true)
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) && !n.hasVIP(n.backup) }); !ok {
			t.Fatalf("%s: master did not take the VIP back:\n%s", impl.name, strings.Join(m.log(), "\n"))
		}
		time.Sleep(2500 * time.Millisecond)
		ms, bs := readStats(t, m), readStats(t, b)
		t.Logf("%s master:\n%s\n%s backup:\n%s", impl.name, ms, impl.name, bs)
		got[impl.name] = [2]string{mask(ms), mask(bs)}
		m.signal(syscall.SIGTERM)
		b.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		b.wait(5 * time.Second)
	}
	for i, host := range []string{"master", "backup"} {
		k, g := got["keepalived"][i], got["govrrpd"][i]
		if k == "" || k != g {
			t.Errorf("%s: stats differ (-keepalived +govrrpd):\n%s", host, lineDiff(k, g))
		}
	}
}
