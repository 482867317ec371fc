package packet

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
)

// Frame lengths of the announcements keepalived sends on becoming MASTER.
const (
	// GARPLen is an Ethernet header plus an IPv4-over-Ethernet ARP
	// message (no padding: keepalived sends 42 bytes on an AF_PACKET
	// socket and the NIC pads).
	GARPLen = 14 + 28
	// NALen is an Ethernet header, an IPv6 header and an ICMPv6
	// neighbour advertisement with a target link-layer address option.
	NALen = 14 + 40 + 24 + 8
)

// Errors of the announcement builders.
var (
	ErrHardwareAddr = errors.New("vrrp packet: hardware address must be 6 bytes (Ethernet)")
	ErrAddrFamily   = errors.New("vrrp packet: wrong address family")
)

// Ethernet types.
const (
	etherTypeIPv4 = 0x0800
	etherTypeARP  = 0x0806
	etherTypeIPv6 = 0x86DD
)

// GratuitousARP writes into b (at least GARPLen bytes) the Ethernet frame
// keepalived sends for virtual address ip on an interface with hardware
// address mac (vrrp_arp.c send_gratuitous_arp_immediate): a broadcast ARP
// *request* "who-has ip tell ip" whose target hardware address is the
// broadcast address. It returns the frame length.
func GratuitousARP(b []byte, mac net.HardwareAddr, ip netip.Addr) (int, error) {
	if len(mac) != 6 {
		return 0, ErrHardwareAddr
	}
	if !ip.Is4() {
		return 0, ErrAddrFamily
	}
	if len(b) < GARPLen {
		return 0, ErrBufferTooSmall
	}
	bcast := [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	a := ip.As4()
	copy(b[0:6], bcast[:])
	copy(b[6:12], mac)
	binary.BigEndian.PutUint16(b[12:], etherTypeARP)
	arp := b[14:]
	binary.BigEndian.PutUint16(arp[0:], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(arp[2:], etherTypeIPv4)
	arp[4], arp[5] = 6, 4
	binary.BigEndian.PutUint16(arp[6:], 1) // ARPOP_REQUEST
	copy(arp[8:14], mac)
	copy(arp[14:18], a[:])
	copy(arp[18:24], bcast[:])
	copy(arp[24:28], a[:])
	return GARPLen, nil
}

// allNodes is ff02::1, where unsolicited advertisements go.
var allNodes = [16]byte{0xff, 0x02, 15: 1}

// NAFlags are the flags of a neighbour advertisement (RFC 4861 §4.4).
type NAFlags uint8

// Neighbour advertisement flags, in the top bits of the flags byte.
const (
	NARouter    NAFlags = 0x80
	NASolicited NAFlags = 0x40
	NAOverride  NAFlags = 0x20
)

// UnsolicitedNA writes into b (at least NALen bytes) the frame keepalived
// sends for IPv6 virtual address ip (vrrp_ndisc.c
// ndisc_send_unsolicited_na_immediate): from mac to 33:33:00:00:00:01, IPv6
// from ip to ff02::1 with hop limit 255, an ICMPv6 neighbour advertisement
// with the Override flag (plus Router when the interface forwards IPv6,
// which the caller passes in router) and a target link-layer address
// option. It returns the frame length.
func UnsolicitedNA(b []byte, mac net.HardwareAddr, ip netip.Addr, router bool) (int, error) {
	if len(mac) != 6 {
		return 0, ErrHardwareAddr
	}
	if !ip.Is6() || ip.Is4In6() {
		return 0, ErrAddrFamily
	}
	if len(b) < NALen {
		return 0, ErrBufferTooSmall
	}
	clear(b[:NALen])
	copy(b[0:6], []byte{0x33, 0x33, 0, 0, 0, 1})
	copy(b[6:12], mac)
	binary.BigEndian.PutUint16(b[12:], etherTypeIPv6)
	ip6 := b[14:54]
	ip6[0] = 6 << 4
	binary.BigEndian.PutUint16(ip6[4:], 24+8)
	ip6[6] = 58 // ICMPv6
	ip6[7] = 255
	src := ip.As16()
	dst := allNodes
	copy(ip6[8:24], src[:])
	copy(ip6[24:40], dst[:])
	icmp := b[54:NALen]
	icmp[0] = 136 // neighbour advertisement
	flags := NAOverride
	if router {
		flags |= NARouter
	}
	icmp[4] = uint8(flags)
	copy(icmp[8:24], src[:])
	icmp[24] = 2 // target link-layer address
	icmp[25] = 1 // length in units of 8 bytes
	copy(icmp[26:32], mac)
	acc, _ := pseudoHeader(ip, netip.AddrFrom16(dst), 58, len(icmp))
	binary.BigEndian.PutUint16(icmp[2:], fold(sum16(acc, icmp)))
	return NALen, nil
}
