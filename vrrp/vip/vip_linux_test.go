package vip

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"goha/vrrp/packet"
)

// pair builds namespaces a and b joined by a veth pair named ens33 on
// both sides (a: 192.168.13.128/24, b: 192.168.13.129/24).
func pair(t *testing.T) (a, b string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("not root: cannot create network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("ip (iproute2) not installed")
	}
	id := fmt.Sprintf("goha-vip-%d", os.Getpid())
	a, b = id+"-a", id+"-b"
	for _, ns := range []string{a, b} {
		ip(t, "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		ip(t, "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0")
	}
	ip(t, "link", "add", "gvip0", "netns", a, "type", "veth", "peer", "name", "gvip1", "netns", b)
	for _, s := range []struct{ ns, dev, addr string }{{a, "gvip0", "192.168.13.128/24"}, {b, "gvip1", "192.168.13.129/24"}} {
		ip(t, "-n", s.ns, "link", "set", s.dev, "name", "ens33")
		ip(t, "-n", s.ns, "addr", "add", s.addr, "dev", "ens33")
		ip(t, "-n", s.ns, "link", "set", "ens33", "up")
	}
	return a, b
}

func ip(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func inNS(t *testing.T, ns string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread dies with us
		h, err := netns.GetFromName(ns)
		if err != nil {
			t.Error(err)
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			t.Error(err)
			return
		}
		f()
	}()
	<-done
}

// addrLine returns `ip -o addr` lines for addr in ns, without the
// interface index and the lifetime words that differ between runs.
func addrLine(t *testing.T, ns, addr string) string {
	out := ip(t, "-n", ns, "-o", "addr", "show", "to", addr)
	out = regexp.MustCompile(`^\d+: `).ReplaceAllString(strings.TrimSpace(out), "")
	return regexp.MustCompile(`\\\s+valid_lft.*$`).ReplaceAllString(out, "")
}

// TestAddMatchesIproute: each virtual_ipaddress form is installed exactly
// as `ip addr add` installs the same words (keepalived builds the same
// netlink request): no invented broadcast, label, scope, brd +.
func TestAddMatchesIproute(t *testing.T) {
	a, b := pair(t)
	cases := []struct {
		addr Address
		ip   []string
	}{
		{Address{Prefix: netip.MustParsePrefix("192.168.13.144/24")}, []string{"192.168.13.144/24"}},
		{Address{Prefix: netip.MustParsePrefix("192.168.13.145/32")}, []string{"192.168.13.145/32"}},
		{Address{Prefix: netip.MustParsePrefix("10.7.7.7/24"), Broadcast: "+", Label: "ens33:vip", Scope: "link"},
			[]string{"10.7.7.7/24", "brd", "+", "label", "ens33:vip", "scope", "link"}},
		{Address{Prefix: netip.MustParsePrefix("10.9.9.9/16"), Broadcast: "10.9.255.254", Scope: "host"},
			[]string{"10.9.9.9/16", "brd", "10.9.255.254", "scope", "host"}},
		{Address{Prefix: netip.MustParsePrefix("2001:db8::144/64")}, []string{"2001:db8::144/64", "nodad"}},
	}
	for _, c := range cases {
		inNS(t, a, func() {
			if err := Add(c.addr, "ens33"); err != nil {
				t.Error(err)
			}
			// Twice is fine (a VIP already there after a reload).
			if err := Add(c.addr, "ens33"); err != nil {
				t.Error(err)
			}
		})
		ip(t, append(append([]string{"-n", b, "addr", "add"}, c.ip...), "dev", "ens33")...)
		ours, want := addrLine(t, a, c.addr.Prefix.Addr().String()), addrLine(t, b, c.addr.Prefix.Addr().String())
		if ours == "" || ours != want {
			t.Errorf("%v:\n ours     %q\n iproute2 %q", c.ip, ours, want)
		}
		var present bool
		inNS(t, a, func() {
			var err error
			if present, err = Present(c.addr, "ens33"); err != nil {
				t.Error(err)
			}
			if err := Remove(c.addr, "ens33"); err != nil {
				t.Error(err)
			}
			// Removing an absent address is the start-up cleanup's
			// normal case.
			if err := Remove(c.addr, "ens33"); err != nil {
				t.Error(err)
			}
		})
		if !present {
			t.Errorf("%v: Present said false after Add", c.ip)
		}
		if l := addrLine(t, a, c.addr.Prefix.Addr().String()); l != "" {
			t.Errorf("%v still there after Remove: %q", c.ip, l)
		}
	}
}

// TestAnnounce: the peer receives keepalived's gratuitous ARP frame.
func TestAnnounce(t *testing.T) {
	a, b := pair(t)
	var rx int
	inNS(t, b, func() {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(htons(unix.ETH_P_ARP)))
		if err != nil {
			t.Error(err)
			return
		}
		rx = fd
	})
	if rx == 0 {
		t.FailNow()
	}
	defer unix.Close(rx)
	unix.SetsockoptTimeval(rx, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 3})
	vip := netip.MustParseAddr("192.168.13.144")
	var mac net.HardwareAddr
	inNS(t, a, func() {
		an, err := NewAnnouncer()
		if err != nil {
			t.Error(err)
			return
		}
		defer an.Close()
		ifi, _ := net.InterfaceByName("ens33")
		mac = ifi.HardwareAddr
		time.Sleep(10 * time.Millisecond)
		if err := an.Announce("ens33", vip); err != nil {
			t.Error(err)
		}
	})
	want := make([]byte, packet.GARPLen)
	if _, err := packet.GratuitousARP(want, mac, vip); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	for {
		n, _, err := unix.Recvfrom(rx, buf, 0)
		if err != nil {
			t.Fatalf("no gratuitous ARP received: %v", err)
		}
		if n >= packet.GARPLen && string(buf[:packet.GARPLen]) == string(want) {
			return
		}
	}
}
