package packet

import (
	"net"
	"net/netip"
	"testing"
)

var (
	benchSrc = netip.MustParseAddr("192.168.13.128")
	benchMAC = net.HardwareAddr{2, 0, 0xc0, 0xa8, 0x0d, 0x80}
)

func BenchmarkEncodeV2(b *testing.B) {
	p := tutorialAdvert()
	buf := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Encode(buf, benchSrc, GroupIPv4); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeV3IPv6(b *testing.B) {
	p := Packet{Version: 3, Type: 1, VRID: 80, Priority: 100, Interval: 100,
		Addresses: []netip.Addr{netip.MustParseAddr("fe80::80"), netip.MustParseAddr("2001:db8:13::144")}}
	buf := make([]byte, 64)
	src := netip.MustParseAddr("fe80::c0ff:fea8:d80")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Encode(buf, src, GroupIPv6); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeV2(b *testing.B) {
	p := tutorialAdvert()
	wire, _ := p.MarshalBinary()
	var q Packet
	b.ReportAllocs()
	for b.Loop() {
		if err := q.UnmarshalBinary(wire); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckV2(b *testing.B) {
	p := tutorialAdvert()
	buf := make([]byte, 64)
	n, _ := p.Encode(buf, benchSrc, GroupIPv4)
	e := Expect{Version: 2, VRID: 80, AuthType: AuthPassword, AuthData: PasswordAuthData("1111"), Interval: 1, Addresses: p.Addresses}
	rx := Received{Src: benchSrc, Dst: GroupIPv4, TTL: 255, IPHeaderLen: 20, IPTotalLen: 20 + n}
	var q Packet
	b.ReportAllocs()
	for b.Loop() {
		if r := Check(&e, &rx, buf[:n], &q, true); r.Reason != OK {
			b.Fatal(r.Reason)
		}
	}
}

func BenchmarkGratuitousARP(b *testing.B) {
	buf := make([]byte, GARPLen)
	vip := netip.MustParseAddr("192.168.13.144")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GratuitousARP(buf, benchMAC, vip); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnsolicitedNA(b *testing.B) {
	buf := make([]byte, NALen)
	vip := netip.MustParseAddr("2001:db8:13::144")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnsolicitedNA(buf, benchMAC, vip, false); err != nil {
			b.Fatal(err)
		}
	}
}

// TestZeroAllocs pins the allocation budget the benchmarks show.
func TestZeroAllocs(t *testing.T) {
	p := tutorialAdvert()
	buf := make([]byte, 64)
	n, _ := p.Encode(buf, benchSrc, GroupIPv4)
	var q Packet
	_ = q.UnmarshalBinary(buf[:n])
	e := Expect{Version: 2, VRID: 80, AuthType: AuthPassword, AuthData: PasswordAuthData("1111"), Interval: 1, Addresses: p.Addresses}
	rx := Received{Src: benchSrc, Dst: GroupIPv4, TTL: 255, IPHeaderLen: 20, IPTotalLen: 20 + n}
	vip := netip.MustParseAddr("2001:db8:13::144")
	garp := make([]byte, NALen)
	for name, fn := range map[string]func(){
		"encode": func() { _, _ = p.Encode(buf, benchSrc, GroupIPv4) },
		"decode": func() { _ = q.UnmarshalBinary(buf[:n]) },
		"check":  func() { Check(&e, &rx, buf[:n], &q, true) },
		"garp":   func() { _, _ = GratuitousARP(garp, benchMAC, p.Addresses[0]) },
		"na":     func() { _, _ = UnsolicitedNA(garp, benchMAC, vip, true) },
	} {
		if a := testing.AllocsPerRun(100, fn); a != 0 {
			t.Errorf("%s: %v allocs/op", name, a)
		}
	}
}
