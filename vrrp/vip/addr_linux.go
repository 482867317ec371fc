package vip

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Address is one virtual_ipaddress line: ADDR[/LEN] [dev IF] [brd ADDR|+|-]
// [scope SCOPE] [label LABEL].
type Address struct {
	Prefix netip.Prefix
	// Dev is the device; empty means the instance's interface.
	Dev string
	// Broadcast is as written: "", an address, "+" (host part all ones)
	// or "-" (none).
	Broadcast string
	// Scope is a name (global, site, link, host, nowhere) or a number;
	// empty means global.
	Scope string
	Label string
}

// String renders the address as keepalived logs it (address/len).
func (a Address) String() string { return a.Prefix.String() }

// scopes are iproute2's /etc/iproute2/rt_scopes names.
var scopes = map[string]netlink.Scope{
	"global": netlink.SCOPE_UNIVERSE, "site": netlink.SCOPE_SITE, "link": netlink.SCOPE_LINK,
	"host": netlink.SCOPE_HOST, "nowhere": netlink.SCOPE_NOWHERE,
}

// toNetlink builds the netlink address for a on link.
func (a Address) toNetlink() (*netlink.Addr, error) {
	ip := a.Prefix.Addr()
	nl := &netlink.Addr{IPNet: &net.IPNet{IP: ip.AsSlice(), Mask: net.CIDRMask(a.Prefix.Bits(), ip.BitLen())}, Label: a.Label}
	if a.Scope != "" {
		if s, ok := scopes[a.Scope]; ok {
			nl.Scope = int(s)
		} else if n, err := strconv.ParseUint(a.Scope, 0, 8); err == nil {
			nl.Scope = int(n)
		} else {
			return nil, fmt.Errorf("vip: unknown scope %q", a.Scope)
		}
	}
	if ip.Is4() {
		switch a.Broadcast {
		case "", "-":
			// netlink computes one for an unset broadcast; 0.0.0.0
			// tells it to send none, as keepalived.
			nl.Broadcast = net.IPv4zero
		case "+":
			b := ip.As4()
			m := net.CIDRMask(a.Prefix.Bits(), 32)
			for i := range b {
				b[i] |= ^m[i]
			}
			nl.Broadcast = net.IP(b[:])
		default:
			b, err := netip.ParseAddr(a.Broadcast)
			if err != nil || !b.Is4() {
				return nil, fmt.Errorf("vip: bad broadcast %q", a.Broadcast)
			}
			nl.Broadcast = b.AsSlice()
		}
	} else {
		nl.Flags = unix.IFA_F_NODAD
	}
	return nl, nil
}

func (a Address) link(dev string) (netlink.Link, error) {
	if a.Dev != "" {
		dev = a.Dev
	}
	return netlink.LinkByName(dev)
}

// Add installs a on its device (dev when the line names none). An
// address that is already there is not an error.
func Add(a Address, dev string) error {
	l, err := a.link(dev)
	if err != nil {
		return err
	}
	nl, err := a.toNetlink()
	if err != nil {
		return err
	}
	if err := netlink.AddrAdd(l, nl); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("vip: add %s on %s: %w", a, l.Attrs().Name, err)
	}
	return nil
}

// Remove deletes a from its device. An address that is not there is not
// an error (start-up cleanup removes addresses that may be absent).
func Remove(a Address, dev string) error {
	l, err := a.link(dev)
	if err != nil {
		return err
	}
	nl, err := a.toNetlink()
	if err != nil {
		return err
	}
	if err := netlink.AddrDel(l, nl); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("vip: delete %s from %s: %w", a, l.Attrs().Name, err)
	}
	return nil
}

// Present reports whether a's address is configured on its device.
func Present(a Address, dev string) (bool, error) {
	l, err := a.link(dev)
	if err != nil {
		return false, err
	}
	family := netlink.FAMILY_V4
	if a.Prefix.Addr().Is6() {
		family = netlink.FAMILY_V6
	}
	list, err := netlink.AddrList(l, family)
	if err != nil {
		return false, err
	}
	for _, x := range list {
		if ip, ok := netip.AddrFromSlice(x.IP); ok && ip.Unmap() == a.Prefix.Addr() {
			return true, nil
		}
	}
	return false, nil
}
