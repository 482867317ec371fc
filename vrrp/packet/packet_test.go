package packet

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

// tutorialAdvert is the tutorial master's VRRPv2 advert (keepalived-master.conf).
func tutorialAdvert() Packet {
	return Packet{Version: 2, Type: TypeAdvertisement, VRID: 80, Priority: 100, AuthType: AuthPassword,
		Interval: 1, Addresses: []netip.Addr{netip.MustParseAddr("192.168.13.144")}, AuthData: PasswordAuthData("1111")}
}

func TestMarshalErrors(t *testing.T) {
	many := make([]netip.Addr, 256)
	for i := range many {
		many[i] = netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
	}
	tests := []struct {
		desc string
		p    Packet
		err  error
	}{
		{"version 4", Packet{Version: 4}, ErrVersion},
		{"256 addresses", Packet{Version: 3, Addresses: many}, ErrTooManyAddrs},
		{"mixed families", Packet{Version: 3, Addresses: []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("::1")}}, ErrMixedFamilies},
		{"v2 over IPv6", Packet{Version: 2, Addresses: []netip.Addr{netip.MustParseAddr("2001:db8::1")}}, ErrV2IPv6},
		{"v2 interval 256s", Packet{Version: 2, Interval: 256}, ErrInterval},
		{"v3 interval 4096cs", Packet{Version: 3, Interval: 4096}, ErrInterval},
	}
	for _, tc := range tests {
		if _, err := tc.p.MarshalBinary(); !errors.Is(err, tc.err) {
			t.Errorf("%s: err %v, want %v", tc.desc, err, tc.err)
		}
	}
	p := tutorialAdvert()
	if _, err := p.MarshalTo(make([]byte, 19)); !errors.Is(err, ErrBufferTooSmall) {
		t.Errorf("short buffer: %v", err)
	}
	p.Version = 3
	p.AuthType, p.AuthData = 0, [8]byte{}
	if _, err := p.Encode(make([]byte, 64), netip.MustParseAddr("10.0.0.1"), GroupIPv6); !errors.Is(err, ErrChecksumAddress) {
		t.Errorf("v3 checksum with mixed families: %v", err)
	}
}

func TestUnmarshal(t *testing.T) {
	tests := []struct {
		desc string
		b    []byte
		err  error
		want *Packet
	}{
		{"empty", nil, ErrTooShort, nil},
		{"7 bytes", make([]byte, 7), ErrTooShort, nil},
		{"version 1", []byte{0x11, 1, 100, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ErrVersion, nil},
		{"v2 without auth data", []byte{0x21, 1, 100, 0, 0, 1, 0, 0}, ErrTooShort, nil},
		{"v2 one address missing", []byte{0x21, 1, 100, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ErrTooShort, nil},
		{"v3 reserved bits ignored", []byte{0x31, 7, 200, 0, 0xF0, 0x64, 0xab, 0xcd}, nil,
			&Packet{Version: 3, Type: 1, VRID: 7, Priority: 200, Interval: 100, Checksum: 0xabcd}},
		{"v3 IPv6 inferred from length", append([]byte{0x31, 7, 200, 1, 0, 0x64, 0, 0}, netip.MustParseAddr("fe80::1").AsSlice()...), nil,
			&Packet{Version: 3, Type: 1, VRID: 7, Priority: 200, Interval: 100, IPv6: true, Addresses: []netip.Addr{netip.MustParseAddr("fe80::1")}}},
	}
	for _, tc := range tests {
		var p Packet
		err := p.UnmarshalBinary(tc.b)
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: err %v, want %v", tc.desc, err, tc.err)
			continue
		}
		if tc.want != nil && !reflect.DeepEqual(&p, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.desc, p, *tc.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	p := tutorialAdvert()
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var q Packet
	if err := q.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("round trip: %+v != %+v", q, p)
	}
	if q.IntervalDuration() != time.Second {
		t.Errorf("interval %v", q.IntervalDuration())
	}
	v3 := Packet{Version: 3, Type: 1, VRID: 1, Priority: 1, Interval: 35}
	if v3.IntervalDuration() != 350*time.Millisecond {
		t.Errorf("v3 interval %v", v3.IntervalDuration())
	}
}

// TestChecksumKnownBytes uses the VRRPv2 example of REFERENCE.md 4.3
// (itself from a capture): VRID 51, priority 160, VIP 10.99.0.100, PASS
// "secret12".
func TestChecksumKnownBytes(t *testing.T) {
	p := Packet{Version: 2, Type: 1, VRID: 0x33, Priority: 0xa0, AuthType: AuthPassword, Interval: 1,
		Addresses: []netip.Addr{netip.MustParseAddr("10.99.0.100")}, AuthData: PasswordAuthData("secret12")}
	b := make([]byte, 20)
	if _, err := p.Encode(b, netip.Addr{}, netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	if p.Checksum != 0xc584 {
		t.Errorf("checksum %#04x, want 0xc584", p.Checksum)
	}
	if !Verify(b, netip.Addr{}, netip.Addr{}) {
		t.Error("does not verify")
	}
	b[2]++
	if Verify(b, netip.Addr{}, netip.Addr{}) {
		t.Error("corrupted packet verifies")
	}
	if sum, _ := Checksum(b, netip.Addr{}, netip.Addr{}); sum == p.Checksum {
		t.Error("Checksum ignores the priority")
	}
}

func TestIPv4Header(t *testing.T) {
	src, dst := netip.MustParseAddr("192.168.13.128"), GroupIPv4
	h := AdvertIPv4Header(src, dst, 20)
	b := make([]byte, IPv4HeaderLen)
	if _, err := h.MarshalTo(b); err != nil {
		t.Fatal(err)
	}
	want := []byte{0x45, 0xc0, 0, 40, 0, 0, 0, 0, 255, 112, 0, 0, 192, 168, 13, 128, 224, 0, 0, 18}
	if !bytes.Equal(b, want) {
		t.Errorf("header % x, want % x", b, want)
	}
	var back IPv4Header
	if err := back.UnmarshalBinary(b); err != nil || back != h {
		t.Errorf("round trip %+v %v", back, err)
	}
	if err := back.UnmarshalBinary(b[:19]); !errors.Is(err, ErrIPv4Header) {
		t.Errorf("short header: %v", err)
	}
	h.Src = netip.MustParseAddr("::1")
	if _, err := h.MarshalTo(b); !errors.Is(err, ErrIPv4Header) {
		t.Errorf("IPv6 source: %v", err)
	}
}
