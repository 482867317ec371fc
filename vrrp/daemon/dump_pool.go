package daemon

import (
	"fmt"
	"io"
	"sort"
)

// writeSockPool writes the "VRRP Sockpool" section (vrrp_data.c
// dump_sock_pool). keepalived shares one socket among the instances of
// one interface, family and source; each govrrpd instance has a socket
// of its own, so a pool entry shows its first instance's descriptor and
// lists every instance that would share it, by VRID as keepalived's tree
// orders them.
func (d *Daemon) writeSockPool(w io.Writer, order []*instance) {
	type pool struct {
		in      *instance
		members []*instance
	}
	var pools []*pool
	byKey := map[string]*pool{}
	for _, in := range order {
		c := in.spec.net
		key := fmt.Sprint(in.spec.fsm.Interface, c.IPv6, len(c.Peers) > 0, c.Source)
		if len(c.Peers) == 0 {
			key = fmt.Sprint(in.spec.fsm.Interface, c.IPv6, false)
		}
		p := byKey[key]
		if p == nil {
			p = &pool{in: in}
			byKey[key] = p
			pools = append(pools, p)
		}
		p.members = append(p.members, in)
	}
	if len(pools) == 0 {
		return
	}
	fmt.Fprintln(w, "------< VRRP Sockpool >------")
	for _, p := range pools {
		c := p.in.spec.net
		fd := p.in.conn.FD()
		fmt.Fprintf(w, " fd_in %d fd_out = %d\n", fd, fd)
		fmt.Fprintf(w, "   Interface = %s\n", p.in.spec.fsm.Interface)
		family := "IPv4"
		if c.IPv6 {
			family = "IPv6"
		}
		fmt.Fprintf(w, "   Family = %s\n", family)
		fmt.Fprintln(w, "   Protocol = VRRP")
		if len(c.Peers) > 0 {
			fmt.Fprintln(w, "   Type = Unicast")
			fmt.Fprintf(w, "   Address = %s\n", c.Source)
		} else {
			fmt.Fprintln(w, "   Type = Multicast")
		}
		fmt.Fprintln(w, "   Rx buf size = 0")
		fmt.Fprintln(w, "   VRRP instances")
		sort.SliceStable(p.members, func(i, j int) bool { return p.members[i].spec.fsm.VRID < p.members[j].spec.fsm.VRID })
		for _, in := range p.members {
			fmt.Fprintf(w, "     %s vrid %d\n", in.spec.fsm.Name, in.spec.fsm.VRID)
		}
	}
}
