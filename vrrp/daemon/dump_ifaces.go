package daemon

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sort"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// writeInterfaces writes the "Interfaces" section (vrrp_if.c dump_if)
// for every link of the namespace, as keepalived (without
// dynamic_interfaces) learns them all at start. The addresses are the
// interface's own: the virtual addresses the instances add are not
// counted, as keepalived does not count them. The tracking list is each
// instance's own interface (weight 0) and its track_interface entries.
func (d *Daemon) writeInterfaces(w io.Writer) {
	links, err := netlink.LinkList()
	if err != nil || len(links) == 0 {
		return
	}
	sort.Slice(links, func(i, j int) bool { return links[i].Attrs().Index < links[j].Attrs().Index })
	vips := map[netip.Addr]bool{}
	type tracker struct {
		name    string
		weight  int
		reverse bool
	}
	tracking := map[string][]tracker{}
	for _, c := range d.cfg.Instances {
		for _, v := range c.VIPs {
			vips[v.Prefix.Addr()] = true
		}
		for _, v := range c.ExcludedVIPs {
			vips[v.Prefix.Addr()] = true
		}
		if !c.DontTrackPrimary {
			tracking[c.Interface] = append(tracking[c.Interface], tracker{name: c.Name})
		}
		for _, t := range c.TrackInterfaces {
			tracking[t.Name] = append(tracking[t.Name], tracker{c.Name, t.PriorityWeight, t.Reverse})
		}
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("------< Interfaces >------")
	for _, l := range links {
		a := l.Attrs()
		p(" Name = %s", a.Name)
		p("   index = %d", a.Index)
		v4, v6 := ifaceAddrs(l, vips)
		first := func(list []netip.Addr) string {
			if len(list) == 0 {
				return "(none)"
			}
			return list[0].String()
		}
		more := func(title string, list []netip.Addr) {
			if len(list) > 1 {
				p("   Additional %s addresses :", title)
				for _, x := range list[1:] {
					p("     %s", x)
				}
			}
		}
		p("   IPv4 address = %s", first(v4))
		more("IPv4", v4)
		p("   IPv6 address = %s", first(v6))
		more("IPv6", v6)
		if len(a.HardwareAddr) > 0 {
			p("   MAC = %s", a.HardwareAddr)
			bcast := make(net.HardwareAddr, len(a.HardwareAddr))
			for i := range bcast {
				bcast[i] = 0xff
			}
			p("   MAC broadcast = %s", bcast)
		}
		p("   State = %s", ifaceState(a.RawFlags))
		seen := 0
		if a.RawFlags&unix.IFF_UP != 0 && a.RawFlags&unix.IFF_RUNNING != 0 {
			seen = 1
		}
		p("   Seen up = %d", seen)
		p("   Delayed state change running = false")
		p("   Up debounce timer = 0us")
		p("   Down debounce timer = 0us")
		p("   MTU = %d", a.MTU)
		switch a.EncapType {
		case "loopback":
			p("   HW Type = LOOPBACK")
		case "ether":
			p("   HW Type = ETHERNET")
		default:
			p("   HW Type = UNKNOWN (%d)", hwType(a.Name))
		}
		p("   NIC netlink status update")
		p("   Reset ARP config counter 0")
		p("   Original arp_ignore 0")
		p("   Original arp_filter 0")
		p("   Original promote_secondaries 0")
		p("   Reset promote_secondaries counter 0")
		if list := tracking[a.Name]; len(list) > 0 {
			p("   Tracking VRRP instances :")
			for _, t := range list {
				p("     %s, weight %d%s", t.name, t.weight, reverse(t.reverse))
			}
		}
	}
}

// ifaceAddrs lists an interface's IPv4 addresses and its link-local
// IPv6 ones (keepalived follows only link scope for IPv6), without the
// virtual addresses.
func ifaceAddrs(l netlink.Link, vips map[netip.Addr]bool) (v4, v6 []netip.Addr) {
	addrs, _ := netlink.AddrList(l, netlink.FAMILY_ALL)
	for _, ad := range addrs {
		ip, ok := netip.AddrFromSlice(ad.IP)
		if !ok || vips[ip.Unmap()] {
			continue
		}
		ip = ip.Unmap()
		switch {
		case ip.Is4():
			v4 = append(v4, ip)
		case ip.IsLinkLocalUnicast():
			v6 = append(v6, ip)
		}
	}
	return v4, v6
}

// ifaceState is dump_if's State line.
func ifaceState(f uint32) string {
	var b strings.Builder
	if f&unix.IFF_UP == 0 {
		b.WriteString("not ")
	}
	b.WriteString("UP, ")
	if f&unix.IFF_RUNNING == 0 {
		b.WriteString("not ")
	}
	b.WriteString("RUNNING")
	for _, x := range []struct {
		set  bool
		text string
	}{
		{f&unix.IFF_BROADCAST == 0, ", no broadcast"},
		{f&unix.IFF_LOOPBACK != 0, ", loopback"},
		{f&unix.IFF_POINTOPOINT != 0, ", point to point"},
		{f&unix.IFF_NOARP != 0, ", no arp"},
		{f&unix.IFF_MULTICAST == 0, ", no multicast"},
	} {
		if x.set {
			b.WriteString(x.text)
		}
	}
	return b.String()
}

// hwType is the ARPHRD type of an interface from sysfs, for the types
// keepalived names only by number.
func hwType(name string) int {
	var t int
	if data, err := os.ReadFile("/sys/class/net/" + name + "/type"); err == nil {
		fmt.Sscan(string(data), &t)
	}
	return t
}
