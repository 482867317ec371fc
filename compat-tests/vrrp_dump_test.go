package compattests

import (
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dumpConf is the tutorial's backup file with more of what the dump
// shows: a notify script on VI_1, and VI_2 (VRRPv3,
// no peer anywhere, a track_file, a weighted track_interface) in a sync group with VI_1, which keeps
// it in BACKUP wanting MASTER; VI_3 (VRID 82, alone on the segment)
// tracks a vrrp_script and a track_file, which the dump lists in their
// own sections.
func dumpConf(t *testing.T) string {
	t.Helper()
	backup, err := readSeed("keepalived-backup.conf")
	if err != nil {
		t.Fatal(err)
	}
	backup = strings.Replace(backup, "    advert_int 1", "    advert_int 1\n    notify_master \"/usr/bin/true master\"", 1)
	return "track_file tf_dump {\n    file /run/goha-dump-tf\n}\n" + backup +
		"\nvrrp_instance VI_2 {\n    state BACKUP\n    interface ens33\n    virtual_router_id 81\n    version 3\n    priority 60\n    advert_int 1\n    preempt_delay 2\n" +
		"    track_file {\n        tf_dump weight 5\n    }\n" +
		"    track_interface {\n        lo weight 10\n    }\n" +
		"    virtual_ipaddress {\n        192.168.13.145/24 label ens33:v2\n        192.168.13.146\n    }\n}\n" +
		"\nvrrp_sync_group VG_1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n" +
		"\nvrrp_script chk_dump {\n    script \"/usr/bin/true dump\"\n    interval 1\n    weight -5\n    rise 2\n    fall 2\n}\n" +
		"\ntrack_file tf_dump3 {\n    file /run/goha-dump-tf3\n    weight 2\n}\n" +
		"\nvrrp_instance VI_3 {\n    state BACKUP\n    interface ens33\n    virtual_router_id 82\n    priority 40\n    advert_int 1\n" +
		"    track_script {\n        chk_dump\n    }\n    track_file {\n        tf_dump3 weight -3\n    }\n" +
		"    virtual_ipaddress {\n        192.168.13.147/24\n    }\n}\n"
}

// dumpSections returns a keepalived.data with what legitimately differs
// masked: times and descriptor numbers (keepalived shares one socket per
// interface and family, govrrpd opens one per instance).
func dumpSections(data string) string {
	var out []string
	for _, l := range strings.Split(data, "\n") {
		l = regexp.MustCompile(`= \d+\.\d{6} \(.*\)$`).ReplaceAllString(l, "= <time>")
		l = regexp.MustCompile(`fd_in \d+, fd_out \d+`).ReplaceAllString(l, "fd_in <fd>, fd_out <fd>")
		l = regexp.MustCompile(`^ fd_in \d+ fd_out = \d+$`).ReplaceAllString(l, " fd_in <fd> fd_out = <fd>")
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// TestVRRPDataDump: SIGUSR1 writes /tmp/keepalived.data with keepalived's
// sections (Global definitions, VRRP Topology, Sockpool, Sync groups,
// Interfaces), for a MASTER (the tutorial's
// master) and for BACKUP instances with tracking, notify scripts, VRRPv3
// and a sync group. The daemons get private /tmp directories (/tmp is
// shared with other tests).
func TestVRRPDataDump(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	if err := n.backup.WriteFile("/etc/keepalived/dump.conf", dumpConf(t)); err != nil {
		t.Fatal(err)
	}
	if err := n.backup.WriteFile("/run/goha-dump-tf", "0\n"); err != nil {
		t.Fatal(err)
	}
	if err := n.backup.WriteFile("/run/goha-dump-tf3", "2\n"); err != nil {
		t.Fatal(err)
	}
	dumps := map[string][2]string{}

	for _, impl := range []vrrpImpl{ka, gv} {
		m := startVRRPWith(t, n.master, impl, "keepalived-master.conf", true)
		b := startVRRPWith(t, n.backup, impl, "dump.conf", true)
		if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
			t.Fatalf("%s: master did not take the VIP", impl.name)
		}
		time.Sleep(5 * time.Second)
		var got [2]string
		for i, p := range []*vrrpProc{m, b} {
			p.signal(syscall.SIGUSR1)
			var data []byte
			pollUntil(3*time.Second, func() bool {
				var err error
				data, err = os.ReadFile(p.tmpPath("keepalived.data"))
				// keepalived writes the file in several steps.
				return err == nil && strings.Contains(string(data), "------< Interfaces >------")
			})
			got[i] = dumpSections(string(data))
		}
		dumps[impl.name] = got
		m.signal(syscall.SIGTERM)
		b.signal(syscall.SIGTERM)
		m.wait(5 * time.Second)
		b.wait(5 * time.Second)
	}
	for i, host := range []string{"master", "backup"} {
		k, g := dumps["keepalived"][i], dumps["govrrpd"][i]
		if k == "" {
			t.Errorf("%s: keepalived wrote no VRRP Topology", host)
			continue
		}
		if k != g {
			t.Errorf("%s: keepalived.data differs (-keepalived +govrrpd):\n%s", host, lineDiff(k, g))
		}
	}
	t.Logf("backup keepalived.data (masked):\n%s", dumps["keepalived"][1])

}
