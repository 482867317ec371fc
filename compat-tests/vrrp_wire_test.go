package compattests

import (
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"goha/internal/topo"
)

// confVariant rewrites a tutorial file: "v3" uses VRRPv3 (no
// authentication block: VRRPv3 has none), "unicast" adds unicast_src_ip
// self and unicast_peer peer, "v3-unicast" both.
func confVariant(conf, variant, self, peer string) string {
	if strings.HasPrefix(variant, "v3") {
		conf = regexp.MustCompile(`(?s)authentication \{.*?\n\s*\}\n`).ReplaceAllString(conf, "")
		conf = strings.Replace(conf, "virtual_router_id 80", "virtual_router_id 80\n    version 3", 1)
	}
	if strings.HasSuffix(variant, "unicast") {
		conf = strings.Replace(conf, "virtual_router_id 80",
			"virtual_router_id 80\n    unicast_src_ip "+self+"\n    unicast_peer {\n        "+peer+"\n    }", 1)
	}
	return conf
}

// writeVariants writes master-<variant>.conf and backup-<variant>.conf
// into /etc/keepalived of master and backup.
func writeVariants(t *testing.T, n *vrrpNet, variants ...string) {
	t.Helper()
	for _, v := range variants {
		for _, f := range []struct {
			host       *topo.Host
			src, name  string
			self, peer string
		}{
			{n.master, "keepalived-master.conf", "master-" + v + ".conf", topo.MasterAddr, topo.BackupAddr},
			{n.backup, "keepalived-backup.conf", "backup-" + v + ".conf", topo.BackupAddr, topo.MasterAddr},
		} {
			b, err := readSeed(f.src)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.host.WriteFile("/etc/keepalived/"+f.name, confVariant(b, v, f.self, f.peer)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// packetSocket opens an AF_PACKET socket for ethertype proto inside host
// h's network namespace (a socket keeps the namespace it was made in).
func packetSocket(t *testing.T, h *topo.Host, proto uint16) int {
	t.Helper()
	fd := -1
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The thread goes back to our namespace before it is unlocked:
		// a thread left in the host's namespace would make topo's Close
		// (which kills every process found in it) kill the test.
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			t.Error(err)
			return
		}
		defer orig.Close()
		ns, err := netns.GetFromName(h.NS)
		if err != nil {
			t.Error(err)
			return
		}
		defer ns.Close()
		if err := netns.Set(ns); err != nil {
			t.Error(err)
			return
		}
		s, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(proto<<8|proto>>8))
		if err := netns.Set(orig); err == nil {
			runtime.UnlockOSThread()
		}
		if err != nil {
			t.Error(err)
			return
		}
		unix.SetsockoptTimeval(s, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Usec: 100000})
		fd = s
	}()
	<-done
	if fd < 0 {
		t.FailNow()
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// capture reads frames from fd for d and returns those keep accepts.
func capture(fd int, d time.Duration, keep func([]byte) bool) [][]byte {
	var out [][]byte
	buf := make([]byte, 2048)
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil || n <= 0 {
			continue
		}
		if keep(buf[:n]) {
			out = append(out, append([]byte(nil), buf[:n]...))
		}
	}
	return out
}

// isVRRP: an IPv4 frame carrying protocol 112.
func isVRRP(f []byte) bool { return len(f) > 34 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 112 }

// isGARPFrom: an ARP request whose sender and target are the VIP.
func isGARP(f []byte) bool {
	return len(f) >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 1 &&
		string(f[28:32]) == string([]byte{192, 168, 13, 144}) && string(f[38:42]) == string([]byte{192, 168, 13, 144})
}

// masked hides what legitimately differs between two senders' frames:
// the IPv4 identification (the kernel picks it under IP_HDRINCL) and the
// header checksum that covers it.
func masked(f []byte) string {
	g := append([]byte(nil), f...)
	if isVRRP(g) {
		g[18], g[19] = 0, 0 // identification
		g[24], g[25] = 0, 0 // header checksum
	}
	return hex.EncodeToString(g)
}

// TestVRRPWire: for the tutorial's master file in four variants (VRRPv2
// with PASS auth as written, VRRPv3, and both over unicast), the adverts
// and gratuitous ARPs govrrpd puts on the wire are byte-identical to
// keepalived 2.2.7's (IPv4 identification and header checksum aside),
// seen from the backup host.
func TestVRRPWire(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	variants := []string{"v2", "v3", "unicast", "v3-unicast"}
	writeVariants(t, n, variants...)
	vrrpSock := packetSocket(t, n.backup, unix.ETH_P_IP)
	arpSock := packetSocket(t, n.backup, unix.ETH_P_ARP)
	for _, v := range variants {
		frames := map[string][2]string{}
		for _, impl := range []vrrpImpl{ka, gv} {
			capture(vrrpSock, 150*time.Millisecond, func([]byte) bool { return false }) // drain
			p := startVRRP(t, n.master, impl, "master-"+v+".conf")
			if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
				t.Fatalf("%s %s: master did not take the VIP:\n%s", v, impl.name, strings.Join(p.log(), "\n"))
			}
			garps := capture(arpSock, 300*time.Millisecond, isGARP)
			adverts := capture(vrrpSock, 1200*time.Millisecond, isVRRP)
			p.signal(syscall.SIGTERM)
			p.wait(5 * time.Second)
			if len(adverts) == 0 || len(garps) == 0 {
				t.Errorf("%s %s: captured %d adverts, %d gratuitous ARPs", v, impl.name, len(adverts), len(garps))
				continue
			}
			frames[impl.name] = [2]string{masked(adverts[len(adverts)-1]), masked(garps[0])}
			if len(garps) != 5 {
				t.Logf("%s %s: %d gratuitous ARPs in the first 300ms", v, impl.name, len(garps))
			}
		}
		k, g := frames["keepalived"], frames["govrrpd"]
		if k[0] == "" || g[0] == "" {
			continue
		}
		t.Logf("%s advert: keepalived %s", v, k[0])
		if k[0] != g[0] {
			t.Errorf("%s advert differs:\n keepalived %s\n govrrpd    %s", v, k[0], g[0])
		}
		if k[1] != g[1] {
			t.Errorf("%s gratuitous ARP differs:\n keepalived %s\n govrrpd    %s", v, k[1], g[1])
		}
	}
}

// TestVRRPInterop: govrrpd and keepalived share one virtual router in
// each role, over VRRPv3 multicast and VRRPv2/v3 unicast (the tutorial's
// VRRPv2 multicast pairs run in TestVRRPTutorialFailover): one master at
// a time, failover on SIGTERM, and no advert rejected by either side.
func TestVRRPInterop(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	variants := []string{"v3", "unicast", "v3-unicast"}
	writeVariants(t, n, variants...)
	for _, v := range variants {
		for _, pair := range [][2]vrrpImpl{{gv, ka}, {ka, gv}} {
			name := v + ": " + pair[0].name + " master / " + pair[1].name + " backup"
			b := startVRRP(t, n.backup, pair[1], "backup-"+v+".conf")
			m := startVRRP(t, n.master, pair[0], "master-"+v+".conf")
			if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) }); !ok {
				t.Errorf("%s: master did not take the VIP", name)
			}
			time.Sleep(2 * time.Second)
			if !n.hasVIP(n.master) || n.hasVIP(n.backup) {
				t.Errorf("%s: VIP on master %v, on backup %v (want master only)", name, n.hasVIP(n.master), n.hasVIP(n.backup))
			}
			t0 := time.Now()
			m.signal(syscall.SIGTERM)
			at, ok := pollUntil(5*time.Second, func() bool { return n.hasVIP(n.backup) })
			if !ok {
				t.Errorf("%s: backup did not take over", name)
			}
			m.wait(5 * time.Second)
			b.signal(syscall.SIGTERM)
			b.wait(5 * time.Second)
			for _, p := range []*vrrpProc{m, b} {
				for _, e := range p.packetErrors() {
					t.Errorf("%s: %s rejected an advert: %s", name, p.impl.name, e)
				}
			}
			t.Logf("%s: SIGTERM -> VIP on backup %s", name, ms(at.Sub(t0)))
			if t.Failed() {
				t.Logf("master log:\n%s\nbackup log:\n%s", strings.Join(m.log(), "\n"), strings.Join(b.log(), "\n"))
			}
		}
	}
}

// ipv6Conf is vrrp/testdata/golden/conf/v3-ipv6.conf made a master or a
// backup (priority 50).
func ipv6Conf(t *testing.T, backup bool) string {
	b, err := os.ReadFile("../vrrp/testdata/golden/conf/v3-ipv6.conf")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if backup {
		s = strings.Replace(strings.Replace(s, "state MASTER", "state BACKUP", 1), "priority 100", "priority 50", 1)
	}
	return s
}

// has6 reports whether h holds the global IPv6 VIP of v3-ipv6.conf.
func has6(h *topo.Host) bool {
	out, _ := h.Output("ip", "-o", "-6", "addr", "show", "to", "2001:db8:13::144")
	return strings.TrimSpace(out) != ""
}

// isVRRP6: an IPv6 frame whose next header is VRRP.
func isVRRP6(f []byte) bool { return len(f) > 54 && f[12] == 0x86 && f[13] == 0xdd && f[20] == 112 }

// TestVRRPIPv6: VRRPv3 over IPv6 (ff02::12, link-local source, hop limit
// 255, IPv6 VIPs): the advert is byte-identical to keepalived's (flow
// label aside: the kernel picks it), and the two daemons share the
// virtual router in both roles.
func TestVRRPIPv6(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	if err := n.master.WriteFile("/etc/keepalived/v6-master.conf", ipv6Conf(t, false)); err != nil {
		t.Fatal(err)
	}
	if err := n.backup.WriteFile("/etc/keepalived/v6-backup.conf", ipv6Conf(t, true)); err != nil {
		t.Fatal(err)
	}
	sock := packetSocket(t, n.backup, unix.ETH_P_IPV6)
	adverts := map[string]string{}
	for _, impl := range []vrrpImpl{ka, gv} {
		p := startVRRP(t, n.master, impl, "v6-master.conf")
		if _, ok := pollUntil(15*time.Second, func() bool { return has6(n.master) }); !ok {
			t.Fatalf("%s: IPv6 master did not take its VIPs:\n%s", impl.name, strings.Join(p.log(), "\n"))
		}
		frames := capture(sock, 1200*time.Millisecond, isVRRP6)
		p.signal(syscall.SIGTERM)
		p.wait(5 * time.Second)
		if len(frames) == 0 {
			t.Errorf("%s: no IPv6 advert captured", impl.name)
			continue
		}
		f := frames[len(frames)-1]
		f[15] &= 0xf0 // flow label
		f[16], f[17] = 0, 0
		adverts[impl.name] = hex.EncodeToString(f)
	}
	t.Logf("IPv6 advert: keepalived %s", adverts["keepalived"])
	if adverts["keepalived"] != adverts["govrrpd"] {
		t.Errorf("IPv6 advert differs:\n keepalived %s\n govrrpd    %s", adverts["keepalived"], adverts["govrrpd"])
	}
	for _, pair := range [][2]vrrpImpl{{gv, ka}, {ka, gv}} {
		name := "IPv6: " + pair[0].name + " master / " + pair[1].name + " backup"
		b := startVRRP(t, n.backup, pair[1], "v6-backup.conf")
		m := startVRRP(t, n.master, pair[0], "v6-master.conf")
		if _, ok := pollUntil(15*time.Second, func() bool { return has6(n.master) }); !ok {
			t.Errorf("%s: master did not take the VIPs", name)
		}
		time.Sleep(2 * time.Second)
		if !has6(n.master) || has6(n.backup) {
			t.Errorf("%s: VIP on master %v, backup %v (want master only)", name, has6(n.master), has6(n.backup))
		}
		t0 := time.Now()
		m.signal(syscall.SIGTERM)
		at, ok := pollUntil(5*time.Second, func() bool { return has6(n.backup) })
		if !ok {
			t.Errorf("%s: backup did not take over", name)
		}
		m.wait(5 * time.Second)
		b.signal(syscall.SIGTERM)
		b.wait(5 * time.Second)
		for _, p := range []*vrrpProc{m, b} {
			for _, e := range p.packetErrors() {
				t.Errorf("%s: %s rejected an advert: %s", name, p.impl.name, e)
			}
		}
		t.Logf("%s: SIGTERM -> VIP on backup %s", name, ms(at.Sub(t0)))
		if t.Failed() {
			t.Logf("master log:\n%s\nbackup log:\n%s", strings.Join(m.log(), "\n"), strings.Join(b.log(), "\n"))
		}
	}
}

// watchAdverts records, on backup, when adverts from src arrive; the
// returned function stops the watch and gives the last arrival.
func watchAdverts(t *testing.T, n *vrrpNet, src string) func() time.Time {
	fd := packetSocket(t, n.backup, unix.ETH_P_IP)
	want := []byte{192, 168, 13, 0}
	fmt.Sscanf(src, "192.168.13.%d", &want[3])
	stop := make(chan struct{})
	result := make(chan time.Time, 1)
	go func() {
		var last time.Time
		buf := make([]byte, 2048)
		for {
			select {
			case <-stop:
				result <- last
				return
			default:
			}
			k, _, err := unix.Recvfrom(fd, buf, 0)
			if err == nil && isVRRP(buf[:k]) && string(buf[26:30]) == string(want) {
				last = time.Now()
			}
		}
	}()
	return func() time.Time {
		close(stop)
		return <-result
	}
}

// TestVRRPRejects: adverts that fail keepalived's checks are dropped,
// counted and logged in keepalived's words. keepalived runs the master
// (tutorial file); the backup, keepalived then govrrpd, has another
// password, then another advert interval: each logs the same rejection and,
// seeing no valid master, becomes MASTER too.
func TestVRRPRejects(t *testing.T) {
	ka, gv := vrrpImpls(t)
	n := buildVRRPNet(t)
	backup, _ := readSeed("keepalived-backup.conf")
	variants := map[string]string{
		"password": strings.Replace(backup, "auth_pass 1111", "auth_pass 2222", 1),
		"interval": strings.Replace(backup, "advert_int 1", "advert_int 2", 1),
	}
	for name, conf := range variants {
		if err := n.backup.WriteFile("/etc/keepalived/reject-"+name+".conf", conf); err != nil {
			t.Fatal(err)
		}
	}
	stamp := regexp.MustCompile(`^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: `)
	for _, name := range []string{"password", "interval"} {
		lines, counted := map[string]string{}, map[string]string{}
		for _, impl := range []vrrpImpl{ka, gv} {
			m := startVRRP(t, n.master, ka, "keepalived-master.conf")
			b := startVRRPWith(t, n.backup, impl, "reject-"+name+".conf", true)
			if _, ok := pollUntil(10*time.Second, func() bool { return n.hasVIP(n.master) && n.hasVIP(n.backup) }); !ok {
				t.Errorf("%s %s: master %v backup %v (want both MASTER)", name, impl.name, n.hasVIP(n.master), n.hasVIP(n.backup))
			}
			time.Sleep(1500 * time.Millisecond)
			b.signal(syscall.SIGUSR2)
			var stats string
			pollUntil(3*time.Second, func() bool {
				bs, err := os.ReadFile(b.tmpPath("keepalived.stats"))
				stats = string(bs)
				return err == nil && strings.Contains(stats, "Priority Zero:\n    Received: 0\n    Sent: ")
			})
			m.signal(syscall.SIGTERM)
			b.signal(syscall.SIGTERM)
			m.wait(5 * time.Second)
			b.wait(5 * time.Second)
			seen := map[string]bool{}
			var rejected []string
			for _, l := range b.packetErrors() {
				l = stamp.ReplaceAllString(l, "")
				if !seen[l] {
					seen[l] = true
					rejected = append(rejected, l)
				}
			}
			counters := regexp.MustCompile(`(?m)^    (Advertisement Interval|Failure): \d+$`).FindAllString(stats, -1)
			lines[impl.name] = strings.Join(rejected, "\n")
			t.Logf("%s, %s backup: rejections %q; counters %q", name, impl.name, rejected, counters)
			// How many adverts get rejected depends on timing (a
			// rejected advert re-arms a master's advert timer, so two
			// masters mute each other): compare which counters moved.
			var moved []string
			for _, c := range counters {
				if !strings.HasSuffix(c, ": 0") {
					moved = append(moved, strings.Fields(c)[0])
				}
			}
			counted[impl.name] = strings.Join(moved, ",")
		}
		if lines["keepalived"] == "" || lines["keepalived"] != lines["govrrpd"] {
			t.Errorf("%s: rejection lines differ:\n keepalived %q\n govrrpd    %q", name, lines["keepalived"], lines["govrrpd"])
		}
		if counted["keepalived"] != counted["govrrpd"] {
			t.Errorf("%s: counters that moved: keepalived %q, govrrpd %q", name, counted["keepalived"], counted["govrrpd"])
		}
	}
}
