package netio

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"goha/vrrp/packet"
)

// pair builds two namespaces joined by a veth pair (a: ens33
// 192.168.13.128/24, b: ens33 192.168.13.129/24), removed at cleanup.
func pair(t *testing.T) (a, b string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("not root: cannot create network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("ip (iproute2) not installed")
	}
	id := fmt.Sprintf("goha-nio-%d", os.Getpid())
	a, b = id+"-a", id+"-b"
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, ns := range []string{a, b} {
		ip("netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		// No duplicate address detection: link-local addresses are
		// usable at once.
		ip("netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0")
	}
	ip("link", "add", "gnio0", "netns", a, "type", "veth", "peer", "name", "gnio1", "netns", b)
	for _, s := range []struct{ ns, dev, addr string }{{a, "gnio0", "192.168.13.128/24"}, {b, "gnio1", "192.168.13.129/24"}} {
		ip("-n", s.ns, "link", "set", s.dev, "name", "ens33")
		ip("-n", s.ns, "addr", "add", s.addr, "dev", "ens33")
		ip("-n", s.ns, "link", "set", "ens33", "up")
		ip("-n", s.ns, "link", "set", "lo", "up")
	}
	return a, b
}

// inNS runs f on an OS thread inside namespace ns. Sockets created there
// stay in that namespace.
func inNS(t *testing.T, ns string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		// The thread is not unlocked: it dies with the goroutine rather
		// than returning to the pool in the wrong namespace.
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

func advert(t *testing.T, version uint8, src, dst netip.Addr) []byte {
	t.Helper()
	p := packet.Packet{Version: version, Type: packet.TypeAdvertisement, VRID: 80, Priority: 100,
		Interval: 1, AuthType: packet.AuthPassword, AuthData: packet.PasswordAuthData("1111"),
		Addresses: []netip.Addr{netip.MustParseAddr("192.168.13.144")}}
	if version == 3 {
		p.AuthType, p.AuthData, p.Interval = 0, [8]byte{}, 100
	}
	if dst.Is6() {
		p.Addresses = []netip.Addr{netip.MustParseAddr("2001:db8::144")}
	}
	b := make([]byte, p.Len())
	if _, err := p.Encode(b, src, dst); err != nil {
		t.Fatal(err)
	}
	return b
}

func listen(t *testing.T, ns string, cfg Config) *Conn {
	t.Helper()
	var c *Conn
	inNS(t, ns, func() {
		var err error
		if !cfg.Source.IsValid() {
			if cfg.Source, err = PrimaryAddr(cfg.Interface, cfg.IPv6); err != nil {
				t.Error(err)
				return
			}
		}
		if c, err = Listen(cfg); err != nil {
			t.Error(err)
		}
	})
	if c == nil {
		t.FailNow()
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// receive waits up to 3s for a datagram; it returns the message and the
// buffer it was read into (the IPv4 header is at its start).
func receive(t *testing.T, c *Conn) (Message, []byte) {
	t.Helper()
	type res struct {
		m   Message
		err error
	}
	ch := make(chan res, 1)
	buf := make([]byte, 2048)
	go func() {
		m, err := c.Receive(buf)
		ch <- res{m, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.m, buf
	case <-time.After(3 * time.Second):
		c.Close()
		t.Fatal("no datagram within 3s")
	}
	return Message{}, nil
}

var (
	vip4   = netip.MustParseAddr("192.168.13.144")
	expect = &packet.Expect{Version: 2, VRID: 80, AuthType: packet.AuthPassword,
		AuthData: packet.PasswordAuthData("1111"), Interval: 1, Addresses: []netip.Addr{vip4}}
)

func check(t *testing.T, e *packet.Expect, m Message) {
	t.Helper()
	var p packet.Packet
	rx := &packet.Received{Src: m.Src, Dst: m.Dst, TTL: m.TTL, IPHeaderLen: m.IPHeaderLen, IPTotalLen: m.IPTotalLen}
	if res := packet.Check(e, rx, m.Payload, &p, true); res.Reason != packet.OK {
		t.Fatalf("check: %s (%v)", res.Message("VI_1", "ens33"), res.Reason)
	}
}

// TestMulticastIPv4: an advert sent to 224.0.0.18 arrives with
// keepalived's IPv4 header (TOS 0xC0, TTL 255, DF unset, protocol 112)
// and passes keepalived's receive checks.
func TestMulticastIPv4(t *testing.T) {
	a, b := pair(t)
	ca := listen(t, a, Config{Interface: "ens33"})
	cb := listen(t, b, Config{Interface: "ens33"})
	src := ca.Source()
	if src != netip.MustParseAddr("192.168.13.128") {
		t.Fatalf("primary address %v", src)
	}
	dsts := ca.Destinations()
	if len(dsts) != 1 || dsts[0] != packet.GroupIPv4 {
		t.Fatalf("destinations %v", dsts)
	}
	msg := advert(t, 2, src, packet.GroupIPv4)
	if err := ca.Send(dsts[0], msg); err != nil {
		t.Fatal(err)
	}
	m, buf := receive(t, cb)
	if m.Src != src || m.Dst != packet.GroupIPv4 || m.TTL != 255 || m.IPHeaderLen != 20 || m.IPTotalLen != 20+len(msg) {
		t.Fatalf("received %+v", m)
	}
	if string(m.Payload) != string(msg) {
		t.Fatalf("payload % x, sent % x", m.Payload, msg)
	}
	var h packet.IPv4Header
	if err := h.UnmarshalBinary(buf); err != nil {
		t.Fatal(err)
	}
	if h.TOS != 0xC0 || h.DontFragment() || h.FlagsFrag != 0 || h.Protocol != 112 {
		t.Fatalf("IPv4 header: %+v", h)
	}
	check(t, expect, m)
}

// TestUnicastPeers: with unicast peers the advert goes to each peer, from
// unicast_src_ip, still with TTL 255; no group is joined.
func TestUnicastPeers(t *testing.T) {
	a, b := pair(t)
	peerB := netip.MustParseAddr("192.168.13.129")
	ca := listen(t, a, Config{Interface: "ens33", Peers: []netip.Addr{peerB}})
	cb := listen(t, b, Config{Interface: "ens33", Peers: []netip.Addr{netip.MustParseAddr("192.168.13.128")}})
	if d := ca.Destinations(); len(d) != 1 || d[0] != peerB {
		t.Fatalf("destinations %v", d)
	}
	msg := advert(t, 2, ca.Source(), peerB)
	if err := ca.Send(peerB, msg); err != nil {
		t.Fatal(err)
	}
	m, _ := receive(t, cb)
	if m.Dst != peerB || m.TTL != 255 {
		t.Fatalf("received %+v", m)
	}
	e := *expect
	e.Unicast = true
	check(t, &e, m)
}

// TestMulticastIPv6: VRRPv3 over IPv6 to ff02::12 from the link-local
// address, hop limit 255 reported from ancillary data.
func TestMulticastIPv6(t *testing.T) {
	a, b := pair(t)
	var ca, cb *Conn
	deadline := time.Now().Add(5 * time.Second)
	for {
		var errA, errB error
		inNS(t, a, func() { _, errA = PrimaryAddr("ens33", true) })
		inNS(t, b, func() { _, errB = PrimaryAddr("ens33", true) })
		if (errA == nil && errB == nil) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	ca = listen(t, a, Config{Interface: "ens33", IPv6: true})
	cb = listen(t, b, Config{Interface: "ens33", IPv6: true})
	msg := advert(t, 3, ca.Source(), packet.GroupIPv6)
	if err := ca.Send(packet.GroupIPv6, msg); err != nil {
		t.Fatal(err)
	}
	m, _ := receive(t, cb)
	if m.Src != ca.Source() || m.Dst != packet.GroupIPv6 || m.TTL != 255 || string(m.Payload) != string(msg) {
		t.Fatalf("received %+v (source %v)", m, ca.Source())
	}
	e := &packet.Expect{Version: 3, VRID: 80, IPv6: true, Addresses: []netip.Addr{netip.MustParseAddr("2001:db8::144")}}
	check(t, e, m)
}

// TestCloseUnblocksReceive: Close makes a pending Receive return.
func TestCloseUnblocksReceive(t *testing.T) {
	a, _ := pair(t)
	c := listen(t, a, Config{Interface: "ens33"})
	done := make(chan error, 1)
	go func() {
		_, err := c.Receive(make([]byte, 1500))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	c.Close()
	select {
	case err := <-done:
		if err != ErrClosed {
			t.Fatalf("Receive after Close: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Receive still blocked after Close")
	}
}
