package vip

import (
	"net"
	"net/netip"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"goha/vrrp/packet"
)

// Announcer sends gratuitous ARPs and unsolicited neighbour
// advertisements on an AF_PACKET socket (keepalived's "gratuitous ARP
// shared channel"). It is not safe for concurrent use.
type Announcer struct {
	fd  int
	buf [packet.NALen]byte
}

// NewAnnouncer opens the packet socket. It only sends: protocol 0 means
// the kernel delivers nothing to it.
func NewAnnouncer() (*Announcer, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socket(AF_PACKET)", err)
	}
	return &Announcer{fd: fd}, nil
}

// Close closes the socket.
func (a *Announcer) Close() error { return unix.Close(a.fd) }

// Announce sends one announcement of ip on interface ifname: a
// gratuitous ARP request for IPv4, an unsolicited neighbour advertisement
// (Router flag when the interface forwards IPv6) for IPv6.
func (a *Announcer) Announce(ifname string, ip netip.Addr) error {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return err
	}
	var n int
	proto := uint16(unix.ETH_P_ARP)
	dst := [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if ip.Is4() {
		n, err = packet.GratuitousARP(a.buf[:], ifi.HardwareAddr, ip)
	} else {
		proto = unix.ETH_P_IPV6
		dst = [8]byte{0x33, 0x33, 0, 0, 0, 1}
		n, err = packet.UnsolicitedNA(a.buf[:], ifi.HardwareAddr, ip, forwarding6(ifname))
	}
	if err != nil {
		return err
	}
	sa := &unix.SockaddrLinklayer{Protocol: htons(proto), Ifindex: ifi.Index, Halen: 6, Addr: dst}
	if err := unix.Sendto(a.fd, a.buf[:n], 0, sa); err != nil {
		return os.NewSyscallError("sendto(AF_PACKET)", err)
	}
	return nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// forwarding6 reports whether ifname forwards IPv6 (keepalived sets the
// Router flag of its advertisements then).
func forwarding6(ifname string) bool {
	b, err := os.ReadFile("/proc/sys/net/ipv6/conf/" + ifname + "/forwarding")
	return err == nil && strings.TrimSpace(string(b)) == "1"
}
