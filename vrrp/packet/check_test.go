package packet

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

func TestCheck(t *testing.T) {
	src := netip.MustParseAddr("192.168.13.129")
	expect := func() Expect {
		return Expect{Version: 2, VRID: 80, AuthType: AuthPassword, AuthData: PasswordAuthData("1111"), Interval: 1,
			Addresses: []netip.Addr{netip.MustParseAddr("192.168.13.144")}}
	}
	advert := func(mod func(p *Packet)) []byte {
		p := tutorialAdvert()
		p.Priority = 50
		if mod != nil {
			mod(&p)
		}
		b := make([]byte, 64)
		n, err := p.Encode(b, src, GroupIPv4)
		if err != nil {
			t.Fatal(err)
		}
		return b[:n]
	}
	rx := func(b []byte) Received {
		return Received{Src: src, Dst: GroupIPv4, TTL: 255, IPHeaderLen: 20, IPTotalLen: 20 + len(b)}
	}
	type tc struct {
		desc      string
		e         func(*Expect)
		b         []byte
		rx        func(*Received)
		skipAddrs bool
		reason    Reason
		msg       string
	}
	tests := []tc{
		{desc: "valid", b: advert(nil), reason: OK},
		{desc: "short", b: advert(nil)[:7], reason: TooShort, msg: "IPv4 VRRP packet too short - 27 bytes"},
		{desc: "other VRID", b: advert(func(p *Packet) { p.VRID = 81 }), reason: UnknownVRID, msg: "Unknown VRID(81) received on interface(ens33). ignoring..."},
		{desc: "trailing byte", b: append(advert(nil), 0), reason: BadLength, msg: "(VI_1) vrrp packet too long, length 41 and expect 40"},
		{desc: "truncated", b: advert(nil)[:19], reason: BadLength, msg: "(VI_1) vrrp packet too short, length 39 and expect 40"},
		{desc: "TTL 64 multicast", b: advert(nil), rx: func(r *Received) { r.TTL = 64 }, reason: BadTTL, msg: "(VI_1) invalid TTL/HL. Received 64 and expect 255"},
		{desc: "TTL 64 unicast is fine", b: advert(nil), e: func(e *Expect) { e.Unicast = true },
			rx: func(r *Received) { r.TTL, r.Dst = 64, netip.MustParseAddr("192.168.13.128") }, reason: OK},
		{desc: "v3 on a v2 instance", b: advert(nil), e: func(e *Expect) { e.Version = 3 }, reason: BadVersion, msg: "(VI_1) wrong version. Received 2 and expect 3"},
		{desc: "auth type 3", b: advert(func(p *Packet) { p.AuthType = 3 }), reason: BadAuthType, msg: "(VI_1) Invalid auth type: 3"},
		{desc: "no auth against PASS", b: advert(func(p *Packet) { p.AuthType = AuthNone }), reason: AuthTypeMismatch, msg: "(VI_1) received a 0 auth, expecting 1!"},
		{desc: "wrong password", b: advert(func(p *Packet) { p.AuthData = PasswordAuthData("1112") }), reason: BadPassword, msg: "(VI_1) received an invalid passwd!"},
		{desc: "password longer than 8 compares 8", b: advert(func(p *Packet) { p.AuthData = PasswordAuthData("secret12XYZ") }),
			e: func(e *Expect) { e.AuthData = PasswordAuthData("secret12") }, reason: OK},
		{desc: "interval 2s", b: advert(func(p *Packet) { p.Interval = 2 }), reason: IntervalMismatch, msg: "(VI_1) advertisement interval mismatch mine=1 sec rcv'd=2 sec"},
		{desc: "type 2", b: advert(func(p *Packet) { p.Type = 2 }), reason: BadType, msg: "(VI_1) Invalid packet type. 2 and expect 1"},
		{desc: "two addresses", b: advert(func(p *Packet) { p.Addresses = append(p.Addresses, netip.MustParseAddr("192.168.13.145")) }),
			reason: AddrCountMismatch, msg: "(VI_1) received an unexpected ip number count 2, expected 1!"},
		{desc: "two addresses with skip_check_adv_addr", skipAddrs: true,
			b: advert(func(p *Packet) { p.Addresses = append(p.Addresses, netip.MustParseAddr("192.168.13.145")) }), reason: OK},
		{desc: "IP total length", b: advert(nil), rx: func(r *Received) { r.IPTotalLen = 44 }, reason: IPLengthMismatch, msg: "(VI_1) ip_tot_len mismatch against received length. 44 and received 40"},
		{desc: "bad checksum", b: func() []byte { b := advert(nil); b[7] ^= 1; return b }(), reason: BadChecksum, msg: "(VI_1) Invalid VRRPv2 checksum"},
		{desc: "unicast on a multicast instance", b: advert(nil), rx: func(r *Received) { r.Dst = netip.MustParseAddr("192.168.13.128") },
			reason: CastMismatch, msg: "(VI_1) Expected multicast packet but received unicast packet"},
		{desc: "multicast on a unicast instance", b: advert(nil), e: func(e *Expect) { e.Unicast = true },
			reason: CastMismatch, msg: "(VI_1) Expected unicast packet but received multicast packet"},
		{desc: "other VIP", b: advert(func(p *Packet) { p.Addresses = []netip.Addr{netip.MustParseAddr("192.168.13.145")} }),
			reason: MissingAddress, msg: "(VI_1) ip address associated with VRID 80 not present in MASTER advert: 192.168.13.144"},
		{desc: "unicast source not a peer", b: advert(nil),
			e: func(e *Expect) {
				e.Unicast, e.CheckUnicastSrc, e.Peers = true, true, []netip.Addr{netip.MustParseAddr("192.168.13.130")}
			},
			rx:     func(r *Received) { r.Dst = netip.MustParseAddr("192.168.13.128") },
			reason: NotUnicastPeer, msg: "(VI_1) unicast source address 192.168.13.129 not a unicast peer"},
	}
	for _, c := range tests {
		t.Run(c.desc, func(t *testing.T) {
			e := expect()
			if c.e != nil {
				c.e(&e)
			}
			r := rx(c.b)
			if c.rx != nil {
				c.rx(&r)
			}
			if c.desc == "unicast source not a peer" || c.desc == "TTL 64 unicast is fine" {
				// Unicast v2 checksums do not depend on the destination.
				binary.BigEndian.PutUint16(c.b[6:], 0)
				sum, _ := Checksum(c.b, r.Src, r.Dst)
				binary.BigEndian.PutUint16(c.b[6:], sum)
			}
			var p Packet
			res := Check(&e, &r, c.b, &p, !c.skipAddrs)
			if res.Reason != c.reason {
				t.Fatalf("reason %v (%s), want %v", res.Reason, res.Message("VI_1", "ens33"), c.reason)
			}
			if got := res.Message("VI_1", "ens33"); got != c.msg {
				t.Errorf("message %q, want %q", got, c.msg)
			}
			if res.Dropped() != (c.reason == UnknownVRID || c.reason == IntervalMismatch) {
				t.Errorf("Dropped() = %v", res.Dropped())
			}
		})
	}
}

func TestCheckVRRPv3IPv6(t *testing.T) {
	src, vip := netip.MustParseAddr("fe80::1"), netip.MustParseAddr("2001:db8::144")
	p := Packet{Version: 3, Type: 1, VRID: 9, Priority: 100, Interval: 100, Addresses: []netip.Addr{vip}}
	b := make([]byte, 64)
	n, _ := p.Encode(b, src, GroupIPv6)
	e := Expect{Version: 3, VRID: 9, IPv6: true, Interval: 300, Addresses: []netip.Addr{vip}}
	rx := Received{Src: src, Dst: GroupIPv6, TTL: 255}
	var q Packet
	if r := Check(&e, &rx, b[:n], &q, true); r.Reason != OK {
		t.Fatalf("v3 IPv6 rejected: %s", r.Message("VI_6", "ens33"))
	}
	// v3 does not compare intervals: the backup adopts the master's.
	if q.IntervalDuration().Seconds() != 1 {
		t.Errorf("interval %v", q.IntervalDuration())
	}
	rx.Src = netip.MustParseAddr("fe80::2")
	if r := Check(&e, &rx, b[:n], &q, true); r.Reason != BadChecksum || r.Message("VI_6", "") != "(VI_6) Invalid VRRPv3 checksum" {
		t.Errorf("pseudo-header not covered: %v", r.Reason)
	}
	if r := Check(&e, &rx, b[:5], &q, true); r.Message("VI_6", "") != "IPv6 VRRP packet too short - 5 bytes" {
		t.Errorf("short: %q", r.Message("VI_6", ""))
	}
	if OK.String() != "ok" || BadPassword.String() != "bad password" || Reason(200).String() != "Reason(200)" {
		t.Error("Reason.String")
	}
}

func TestCheckOldUnicastChecksum(t *testing.T) {
	src, dst := netip.MustParseAddr("192.168.13.129"), netip.MustParseAddr("192.168.13.128")
	vip := netip.MustParseAddr("192.168.13.144")
	p := Packet{Version: 3, Type: 1, VRID: 80, Priority: 50, Interval: 100, Addresses: []netip.Addr{vip}}
	newForm, oldForm := make([]byte, 12), make([]byte, 12)
	_, _ = p.Encode(newForm, src, dst)
	_, _ = p.Encode(oldForm, src, GroupIPv4)
	rx := Received{Src: src, Dst: dst, TTL: 255, IPHeaderLen: 20, IPTotalLen: 32}
	tests := []struct {
		mode    ChecksumCompat
		b       []byte
		reason  Reason
		switch_ bool
	}{
		{ChecksumAuto, newForm, OK, false},
		{ChecksumAuto, oldForm, OK, true},
		{ChecksumNever, oldForm, BadChecksum, false},
		{ChecksumOld, oldForm, OK, false},
		{ChecksumOld, newForm, BadChecksum, false},
	}
	for i, tc := range tests {
		e := Expect{Version: 3, VRID: 80, Unicast: true, Addresses: []netip.Addr{vip}, UnicastChecksum: tc.mode}
		var q Packet
		r := Check(&e, &rx, tc.b, &q, true)
		if r.Reason != tc.reason || r.SwitchToOldChecksum != tc.switch_ {
			t.Errorf("case %d: %v switch=%v, want %v switch=%v", i, r.Reason, r.SwitchToOldChecksum, tc.reason, tc.switch_)
		}
	}
}
