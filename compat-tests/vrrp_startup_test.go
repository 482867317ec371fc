package compattests

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startupLines is a start-up log up to the first state line and the
// socket pool after it, without time stamps, with what names the program
// or the process masked, and without the lines of keepalived's
// internals govrrpd has no counterpart for (its netlink channels, its
// interface address cache, its scheduling notice). "Starting VRRP child
// process" and "Startup complete" are left out too (checked apart):
// keepalived's parent logs them, and where they fall among its child's
// lines varies from run to run.
func startupLines(log []string) []string {
	stamp := regexp.MustCompile(`^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: `)
	internal := regexp.MustCompile(`^(Registering Kernel netlink|Registering gratuitous ARP shared channel|Assigned address|NOTICE: setting config option max_auto_priority|Script user)`)
	var out []string
	for _, l := range log {
		l = stamp.ReplaceAllString(l, "")
		switch {
		case internal.MatchString(l), strings.HasPrefix(l, "   "), l == "Startup complete", strings.HasPrefix(l, "Starting VRRP child process"):
			continue
		case strings.HasPrefix(l, "Starting Keepalived v2.2.7"), strings.HasPrefix(l, "Starting govrrpd"):
			l = "Starting <program>"
		case strings.HasPrefix(l, "Running on Linux"):
			l = "Running on Linux <kernel>"
		case strings.HasPrefix(l, "Command line:"):
			l = "Command line: <args>"
		}
		l = regexp.MustCompile(`pid=\d+`).ReplaceAllString(l, "pid=<pid>")
		l = regexp.MustCompile(`fd\(\d+,\d+\)`).ReplaceAllString(l, "fd(<fd>)")
		out = append(out, l)
		if strings.HasPrefix(l, "VRRP sockpool") {
			break
		}
	}
	return out
}

// TestVRRPStartupLines: the lines from start to the initial states are
// keepalived's, in its order (-D: with the detail lines), for the
// tutorial's master and for two instances in a sync group.
func TestVRRPStartupLines(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	if err := n.backup.WriteFile("/etc/keepalived/startup.conf", syncConf(t)); err != nil {
		t.Fatal(err)
	}
	got := map[string][2][]string{}
	for _, impl := range []vrrpImpl{ka, gv} {
		m := startVRRP(t, n.master, impl, "keepalived-master.conf")
		b := startVRRP(t, n.backup, impl, "startup.conf")
		var r [2][]string
		for i, p := range []*vrrpProc{m, b} {
			// keepalived's parent and child write their lines
			// independently: wait for both processes' last start-up line
			if _, ok := pollUntil(5*time.Second, func() bool {
				l := strings.Join(p.log(), "\n")
				return strings.Contains(l, "VRRP sockpool") && strings.Contains(l, ": Startup complete")
			}); !ok {
				t.Errorf("%s: no socket pool line:\n%s", impl.name, strings.Join(p.log(), "\n"))
			}
			r[i] = startupLines(p.log())
			for _, want := range []string{": Startup complete", ": Starting VRRP child process, pid="} {
				if !strings.Contains(strings.Join(p.log(), "\n"), want) {
					t.Errorf("%s: no %q", impl.name, want[2:])
				}
			}
		}
		got[impl.name] = r
		m.signal(syscall.SIGTERM)
		b.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		b.wait(5 * time.Second)
	}
	for i, host := range []string{"master", "backup"} {
		k, g := strings.Join(got["keepalived"][i], "\n"), strings.Join(got["govrrpd"][i], "\n")
		t.Logf("%s: keepalived start-up:\n%s", host, k)
		if k != g {
			t.Errorf("%s: start-up lines differ:\nkeepalived:\n%s\ngovrrpd:\n%s", host, k, g)
		}
	}
}
