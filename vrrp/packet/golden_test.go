package packet

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"

	"goha/vrrp/internal/golden"
)

// goldenInstance is the configuration a golden scenario ran keepalived
// with, seen from one sender.
type goldenInstance struct {
	version  uint8
	priority uint8
	interval uint16
	auth     AuthType
	password string
	addrs    []netip.Addr
	src, dst netip.Addr
	// alt is another priority the sender may advertise (a tracked
	// script's weight applied), or 0.
	alt uint8
}

var (
	lb1 = netip.MustParseAddr("192.168.13.128")
	lb2 = netip.MustParseAddr("192.168.13.129")
	vip = []netip.Addr{netip.MustParseAddr("192.168.13.144")}
	// lb1's link-local address, derived by the kernel from the fixed MAC
	// the capture harness gives ens33.
	lb1LL = netip.MustParseAddr("fe80::c0ff:fea8:d80")
)

// goldenScenarios maps each capture to the instances whose adverts it
// holds, keyed by IP source.
var goldenScenarios = map[string]map[netip.Addr]goldenInstance{
	"v2-master":  {lb1: {2, 100, 1, AuthPassword, "1111", vip, lb1, GroupIPv4, 0}},
	"v2-owner":   {lb1: {2, 255, 1, AuthPassword, "1111", vip, lb1, GroupIPv4, 0}},
	"v2-unicast": {lb1: {2, 100, 1, AuthPassword, "1111", vip, lb1, lb2, 0}},
	"v3-master":  {lb1: {3, 100, 100, AuthNone, "", vip, lb1, GroupIPv4, 0}},
	"v3-fast":    {lb1: {3, 150, 35, AuthNone, "", vip, lb1, GroupIPv4, 0}},
	"v3-ipv6": {lb1LL: {3, 100, 100, AuthNone, "", []netip.Addr{
		netip.MustParseAddr("fe80::80"), netip.MustParseAddr("2001:db8:13::144")}, lb1LL, GroupIPv6, 0}},
	"v2-pair": {
		lb1: {2, 100, 1, AuthPassword, "1111", vip, lb1, GroupIPv4, 0},
		lb2: {2, 50, 1, AuthPassword, "1111", vip, lb2, GroupIPv4, 0},
	},
	"v2-split": {
		lb1: {2, 100, 1, AuthPassword, "1111", vip, lb1, GroupIPv4, 0},
		lb2: {2, 50, 1, AuthPassword, "1111", vip, lb2, GroupIPv4, 0},
	},
	"v2-track": {
		lb1: {2, 100, 1, AuthPassword, "1111", vip, lb1, GroupIPv4, 40},
		lb2: {2, 50, 1, AuthPassword, "1111", vip, lb2, GroupIPv4, 0},
	},
	"v3-unicast": {lb1: {3, 100, 100, AuthNone, "", vip, lb1, lb2, 0}},
	"v3-pair": {
		lb1: {3, 100, 100, AuthNone, "", vip, lb1, GroupIPv4, 0},
		lb2: {3, 50, 200, AuthNone, "", vip, lb2, GroupIPv4, 0},
	},
}

func loadGolden(t *testing.T, name string) *golden.Scenario {
	t.Helper()
	sc, err := golden.Load(name)
	if err != nil {
		t.Fatalf("load golden %s: %v (regenerate with go test ./vrrp/internal/capture -update)", name, err)
	}
	return sc
}

// ourPacket builds the advert our code sends for inst at priority prio.
func (inst goldenInstance) packet(prio uint8) Packet {
	p := Packet{
		Version: inst.version, Type: TypeAdvertisement, VRID: 80, Priority: prio,
		AuthType: inst.auth, Interval: inst.interval, Addresses: inst.addrs,
		IPv6: inst.src.Is6(),
	}
	if inst.auth == AuthPassword {
		p.AuthData = PasswordAuthData(inst.password)
	}
	return p
}

func TestGoldenAdverts(t *testing.T) {
	for name, senders := range goldenScenarios {
		t.Run(name, func(t *testing.T) {
			sc := loadGolden(t, name)
			adverts := sc.Of(golden.Advert)
			if len(adverts) < 2 {
				t.Fatalf("only %d adverts captured", len(adverts))
			}
			stops := 0
			for i, f := range adverts {
				inst, ok := senders[f.Src]
				if !ok {
					t.Fatalf("advert %d from unexpected %s", i, f.Src)
				}
				var got Packet
				if err := got.Decode(f.Payload, f.Src.Is6()); err != nil {
					t.Fatalf("advert %d: decode: %v", i, err)
				}
				if got.Priority == PriorityStop {
					stops++
				} else if got.Priority != inst.priority && (inst.alt == 0 || got.Priority != inst.alt) {
					t.Errorf("advert %d: priority %d, want %d", i, got.Priority, inst.priority)
				}
				want := inst.packet(got.Priority)
				want.Checksum = got.Checksum
				if got.Version != want.Version || got.VRID != 80 || got.Interval != want.Interval ||
					got.AuthType != want.AuthType || got.AuthData != want.AuthData ||
					!equalAddrs(got.Addresses, want.Addresses) || got.Type != TypeAdvertisement {
					t.Errorf("advert %d decoded as %+v, want %+v", i, got, want)
				}
				if !Verify(f.Payload, f.Src, f.Dst) {
					t.Errorf("advert %d: keepalived's checksum %#04x does not verify", i, got.Checksum)
				}
				if f.Dst != inst.dst {
					t.Errorf("advert %d sent to %s, want %s", i, f.Dst, inst.dst)
				}
				if f.TTL != TTL {
					t.Errorf("advert %d: TTL/hop limit %d, want 255", i, f.TTL)
				}
				// Our encoding of the same advert must be byte-identical.
				buf := make([]byte, 64)
				n, err := want.Encode(buf, f.Src, f.Dst)
				if err != nil {
					t.Fatalf("advert %d: encode: %v", i, err)
				}
				if !bytes.Equal(buf[:n], f.Payload) {
					t.Errorf("advert %d: ours\n% x\nkeepalived\n% x", i, buf[:n], f.Payload)
				}
				if f.IPHeader != nil {
					checkIPv4Header(t, i, f.IPHeader, f.Src, f.Dst, n)
				} else if f.TrafficClass != TOSNetworkControl {
					t.Errorf("advert %d: IPv6 traffic class %#x, want %#x", i, f.TrafficClass, TOSNetworkControl)
				}
			}
			// Each keepalived run ends with exactly one priority-0 advert.
			wantStops := 0
			for _, e := range sc.Events {
				if len(e.What) > 5 && e.What[:5] == "stop " {
					wantStops++
				}
				if e.What == "fail fault" {
					// A master entering FAULT sends two (vrrp.c
					// vrrp_state_leave_master, then vrrp_restore_interface).
					wantStops += 2
				}
			}
			if stops != wantStops {
				t.Errorf("%d priority-0 adverts, want one per stop (%d)", stops, wantStops)
			}
		})
	}
}

// checkIPv4Header compares keepalived's IPv4 header with ours; the kernel
// fills in the ID (keepalived writes 0) and the header checksum.
func checkIPv4Header(t *testing.T, i int, got []byte, src, dst netip.Addr, vrrpLen int) {
	t.Helper()
	var h IPv4Header
	if err := h.UnmarshalBinary(got); err != nil {
		t.Fatalf("advert %d: IPv4 header: %v", i, err)
	}
	if h.TOS != 0xC0 || h.TTL != 255 || h.Protocol != 112 || h.DontFragment() || h.FlagsFrag != 0 {
		t.Errorf("advert %d: IPv4 header %+v, want TOS 0xc0 TTL 255 proto 112 no DF", i, h)
	}
	ours := AdvertIPv4Header(src, dst, vrrpLen)
	ours.ID = binary.BigEndian.Uint16(got[4:6])
	b := make([]byte, IPv4HeaderLen)
	if _, err := ours.MarshalTo(b); err != nil {
		t.Fatal(err)
	}
	ours.SetChecksum(b)
	if !bytes.Equal(b, got) {
		t.Errorf("advert %d IPv4 header: ours\n% x\nkeepalived\n% x", i, b, got)
	}
}

func TestGoldenGratuitousARP(t *testing.T) {
	for _, name := range []string{"v2-master", "v3-master", "v3-fast", "v2-unicast", "v3-unicast", "v2-owner", "v2-pair", "v3-pair", "v2-track", "v2-split"} {
		t.Run(name, func(t *testing.T) {
			sc := loadGolden(t, name)
			garps := sc.Of(golden.GARP)
			if len(garps) == 0 || len(garps)%5 != 0 {
				t.Fatalf("%d gratuitous ARPs, want bursts of garp_master_repeat=5", len(garps))
			}
			buf := make([]byte, GARPLen)
			for i, f := range garps {
				n, err := GratuitousARP(buf, net.HardwareAddr(f.SrcMAC), vip[0])
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(buf[:n], f.Raw) {
					t.Errorf("GARP %d: ours\n% x\nkeepalived\n% x", i, buf[:n], f.Raw)
				}
			}
		})
	}
}

func TestGoldenNeighbourAdvert(t *testing.T) {
	sc := loadGolden(t, "v3-ipv6")
	nas := sc.Of(golden.NA)
	if len(nas) == 0 {
		t.Fatal("no neighbour advertisements captured")
	}
	buf := make([]byte, NALen)
	for i, f := range nas {
		n, err := UnsolicitedNA(buf, net.HardwareAddr(f.SrcMAC), f.Src, false)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf[:n], f.Raw) {
			t.Errorf("NA %d: ours\n% x\nkeepalived\n% x", i, buf[:n], f.Raw)
		}
	}
}

// TestGoldenCheckAccepts runs keepalived's receive checks over every
// captured advert, as the peer of the sender would.
func TestGoldenCheckAccepts(t *testing.T) {
	for name, senders := range goldenScenarios {
		sc := loadGolden(t, name)
		for i, f := range sc.Of(golden.Advert) {
			inst := senders[f.Src]
			e := inst.expect()
			rx := Received{Src: f.Src, Dst: f.Dst, TTL: int(f.TTL), IPHeaderLen: len(f.IPHeader)}
			if f.IPHeader != nil {
				rx.IPTotalLen = int(binary.BigEndian.Uint16(f.IPHeader[2:4]))
			}
			var p Packet
			if r := Check(&e, &rx, f.Payload, &p, true); r.Reason != OK {
				t.Errorf("%s advert %d rejected: %v: %s", name, i, r.Reason, r.Message("VI_1", "ens33"))
			}
		}
	}
}

func (inst goldenInstance) expect() Expect {
	e := Expect{
		Version: inst.version, VRID: 80, IPv6: inst.src.Is6(), AuthType: inst.auth,
		Interval: inst.interval, Addresses: inst.addrs, Unicast: !inst.dst.IsMulticast(),
	}
	if inst.auth == AuthPassword {
		e.AuthData = PasswordAuthData(inst.password)
	}
	if e.Unicast {
		e.Peers, e.CheckUnicastSrc = []netip.Addr{inst.src}, true
	}
	return e
}

func equalAddrs(a, b []netip.Addr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
