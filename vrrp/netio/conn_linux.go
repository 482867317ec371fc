package netio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"goha/vrrp/packet"
)

// Config says where an instance sends and listens.
type Config struct {
	// Interface is the instance's interface (vrrp_instance interface).
	Interface string
	// IPv6 selects the family (VRRPv3 over IPv6).
	IPv6 bool
	// Group is the multicast group (default 224.0.0.18 or ff02::12).
	Group netip.Addr
	// Source is the address adverts are sent from: unicast_src_ip /
	// mcast_src_ip, or the interface's primary address (see
	// PrimaryAddr). For IPv6 it is the interface's link-local address.
	Source netip.Addr
	// Peers are the unicast_peer addresses; empty means multicast.
	Peers []netip.Addr
}

// Message is one received datagram.
type Message struct {
	// Src and Dst are the IP source and destination.
	Src, Dst netip.Addr
	// TTL is the IPv4 TTL or IPv6 hop limit (-1 when unknown).
	TTL int
	// IPHeaderLen and IPTotalLen describe the IPv4 header in front of
	// the VRRP message (zero for IPv6).
	IPHeaderLen, IPTotalLen int
	// Payload is the VRRP message, a slice of the caller's buffer.
	Payload []byte
}

// Conn is a raw protocol-112 socket bound to one interface.
type Conn struct {
	cfg     Config
	ifindex int
	fd      int // the socket's descriptor, for keepalived's state dump
	f       *os.File
	rc      syscall.RawConn
	closed  atomic.Bool
	hdr     [packet.IPv4HeaderLen]byte
	out     []byte
}

// ErrClosed is returned by Receive after Close.
var ErrClosed = errors.New("netio: connection closed")

// Listen opens the socket for cfg: bound to the interface, member of the
// multicast group there (unless unicast), multicast loopback off.
func Listen(cfg Config) (*Conn, error) {
	ifi, err := net.InterfaceByName(cfg.Interface)
	if err != nil {
		return nil, err
	}
	if !cfg.Group.IsValid() {
		cfg.Group = packet.GroupIPv4
		if cfg.IPv6 {
			cfg.Group = packet.GroupIPv6
		}
	}
	family := unix.AF_INET
	if cfg.IPv6 {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, packet.IPProtocol)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	c := &Conn{cfg: cfg, ifindex: ifi.Index, fd: fd}
	if err := c.setup(fd, ifi); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netio: %s: %w", cfg.Interface, err)
	}
	c.f = os.NewFile(uintptr(fd), "vrrp:"+cfg.Interface)
	if c.rc, err = c.f.SyscallConn(); err != nil {
		c.f.Close()
		return nil, err
	}
	return c, nil
}

func (c *Conn) setup(fd int, ifi *net.Interface) error {
	if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, ifi.Name); err != nil {
		return os.NewSyscallError("SO_BINDTODEVICE", err)
	}
	if c.cfg.IPv6 {
		return c.setup6(fd)
	}
	// keepalived writes the IPv4 header itself (vrrp_build_ip4).
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_HDRINCL, 1); err != nil {
		return os.NewSyscallError("IP_HDRINCL", err)
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, 0); err != nil {
		return os.NewSyscallError("IP_MULTICAST_LOOP", err)
	}
	if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, &unix.IPMreqn{Ifindex: int32(ifi.Index)}); err != nil {
		return os.NewSyscallError("IP_MULTICAST_IF", err)
	}
	if len(c.cfg.Peers) == 0 {
		mreq := &unix.IPMreqn{Multiaddr: c.cfg.Group.As4(), Ifindex: int32(ifi.Index)}
		if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, mreq); err != nil {
			return os.NewSyscallError("IP_ADD_MEMBERSHIP", err)
		}
	}
	return nil
}

// setup6: the kernel builds the IPv6 header; traffic class 0xC0, hop
// limit 255 both ways and
// the hop limit and destination of received packets as ancillary data.
func (c *Conn) setup6(fd int) error {
	for _, o := range []struct {
		name string
		opt  int
		val  int
	}{
		{"IPV6_MULTICAST_HOPS", unix.IPV6_MULTICAST_HOPS, packet.TTL},
		{"IPV6_UNICAST_HOPS", unix.IPV6_UNICAST_HOPS, packet.TTL},
		{"IPV6_MULTICAST_LOOP", unix.IPV6_MULTICAST_LOOP, 0},
		{"IPV6_MULTICAST_IF", unix.IPV6_MULTICAST_IF, c.ifindex},
		{"IPV6_RECVHOPLIMIT", unix.IPV6_RECVHOPLIMIT, 1},
		{"IPV6_RECVPKTINFO", unix.IPV6_RECVPKTINFO, 1},
		// Traffic class "internetwork control", as the IPv4 TOS.
		{"IPV6_TCLASS", unix.IPV6_TCLASS, packet.TOSNetworkControl},
	} {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, o.opt, o.val); err != nil {
			return os.NewSyscallError(o.name, err)
		}
	}
	if c.cfg.Source.IsValid() {
		sa := &unix.SockaddrInet6{Addr: c.cfg.Source.As16(), ZoneId: uint32(c.ifindex)}
		if err := unix.Bind(fd, sa); err != nil {
			return os.NewSyscallError("bind", err)
		}
	}
	if len(c.cfg.Peers) == 0 {
		mreq := &unix.IPv6Mreq{Multiaddr: c.cfg.Group.As16(), Interface: uint32(c.ifindex)}
		if err := unix.SetsockoptIPv6Mreq(fd, unix.IPPROTO_IPV6, unix.IPV6_JOIN_GROUP, mreq); err != nil {
			return os.NewSyscallError("IPV6_JOIN_GROUP", err)
		}
	}
	return nil
}

// Destinations returns where each advert goes: the group, or every
// unicast peer in configuration order.
func (c *Conn) Destinations() []netip.Addr {
	if len(c.cfg.Peers) > 0 {
		return c.cfg.Peers
	}
	return []netip.Addr{c.cfg.Group}
}

// Source returns the configured source address.
func (c *Conn) Source() netip.Addr { return c.cfg.Source }

// IfIndex is the index of the interface the socket is bound to.
func (c *Conn) IfIndex() int { return c.ifindex }

// FD is the socket's descriptor number (keepalived's dump lists its
// fd_in and fd_out; govrrpd sends and receives on one socket).
func (c *Conn) FD() int { return c.fd }

// Send sends the VRRP message vrrp to dst (one of Destinations). IPv4
// adverts carry keepalived's header; the kernel fills in the
// identification and the header checksum.
func (c *Conn) Send(dst netip.Addr, vrrp []byte) error {
	var err error
	if c.cfg.IPv6 {
		sa := &unix.SockaddrInet6{Addr: dst.As16()}
		if dst.IsLinkLocalUnicast() || dst.IsLinkLocalMulticast() || dst.IsInterfaceLocalMulticast() {
			sa.ZoneId = uint32(c.ifindex)
		}
		err = c.write(vrrp, sa)
	} else {
		h := packet.AdvertIPv4Header(c.cfg.Source, dst, len(vrrp))
		if _, err = h.MarshalTo(c.hdr[:]); err != nil {
			return err
		}
		c.out = append(append(c.out[:0], c.hdr[:]...), vrrp...)
		err = c.write(c.out, &unix.SockaddrInet4{Addr: dst.As4()})
	}
	return err
}

func (c *Conn) write(b []byte, sa unix.Sockaddr) error {
	var serr error
	err := c.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), b, 0, sa)
		return serr != unix.EAGAIN
	})
	if err != nil {
		return err
	}
	if serr != nil {
		return os.NewSyscallError("sendto", serr)
	}
	return nil
}

// Receive waits for the next datagram and reads it into b.
func (c *Conn) Receive(b []byte) (Message, error) {
	var (
		n, oobn int
		from    unix.Sockaddr
		rerr    error
		oob     [128]byte
	)
	err := c.rc.Read(func(fd uintptr) bool {
		n, oobn, _, from, rerr = unix.Recvmsg(int(fd), b, oob[:], 0)
		return rerr != unix.EAGAIN
	})
	if err != nil {
		if c.closed.Load() {
			return Message{}, ErrClosed
		}
		return Message{}, err
	}
	if rerr != nil {
		return Message{}, os.NewSyscallError("recvmsg", rerr)
	}
	if c.cfg.IPv6 {
		return c.message6(b[:n], oob[:oobn], from), nil
	}
	var h packet.IPv4Header
	if err := h.UnmarshalBinary(b[:n]); err != nil {
		return Message{TTL: -1, Payload: nil}, err
	}
	return Message{Src: h.Src, Dst: h.Dst, TTL: int(h.TTL), IPHeaderLen: h.HeaderLen,
		IPTotalLen: int(h.TotalLen), Payload: b[h.HeaderLen:n]}, nil
}

func (c *Conn) message6(b, oob []byte, from unix.Sockaddr) Message {
	m := Message{TTL: -1, Payload: b}
	if sa, ok := from.(*unix.SockaddrInet6); ok {
		m.Src = netip.AddrFrom16(sa.Addr)
	}
	msgs, _ := unix.ParseSocketControlMessage(oob)
	for _, cm := range msgs {
		if cm.Header.Level != unix.IPPROTO_IPV6 {
			continue
		}
		switch cm.Header.Type {
		case unix.IPV6_HOPLIMIT:
			if len(cm.Data) >= 4 {
				m.TTL = int(int32(binary.NativeEndian.Uint32(cm.Data)))
			}
		case unix.IPV6_PKTINFO:
			if len(cm.Data) >= 16 {
				m.Dst = netip.AddrFrom16([16]byte(cm.Data[:16]))
			}
		}
	}
	return m
}

// Close closes the socket; a pending Receive returns ErrClosed.
func (c *Conn) Close() error {
	c.closed.Store(true)
	return c.f.Close()
}

// PrimaryAddr returns the address keepalived sends from when no
// unicast_src_ip is set: the interface's first IPv4 address, or its
// link-local IPv6 address once duplicate address detection is over. An
// address added without DAD (as VIPs are, possibly left over by a crash)
// is not chosen.
func PrimaryAddr(ifname string, ipv6 bool) (netip.Addr, error) {
	l, err := netlink.LinkByName(ifname)
	if err != nil {
		return netip.Addr{}, err
	}
	family := netlink.FAMILY_V4
	if ipv6 {
		family = netlink.FAMILY_V6
	}
	addrs, err := netlink.AddrList(l, family)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		if !ipv6 && ip.Is4() {
			return ip, nil
		}
		if ipv6 && ip.Is6() && ip.IsLinkLocalUnicast() &&
			a.Flags&(unix.IFA_F_TENTATIVE|unix.IFA_F_DADFAILED|unix.IFA_F_NODAD) == 0 {
			return ip, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("netio: interface %s has no usable %s address", ifname, map[bool]string{false: "IPv4", true: "IPv6 link-local"}[ipv6])
}
