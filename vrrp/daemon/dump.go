package daemon

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"goha/parser/keepalived"
	"goha/vrrp/fsm"
)

// The SIGUSR1 dump, /tmp/keepalived.data, in keepalived 2.2.7's layout
// (vrrp_data.c dump_data_vrrp): the global definitions, the "VRRP
// Topology" section with one block per instance, the socket pool, the
// sync groups and the interfaces.

// writeData writes the dump of the running instances, in configuration
// order as keepalived lists them.
func (d *Daemon) writeData(w io.Writer) {
	d.writeGlobal(w)
	var blocks []string
	for _, c := range d.cfg.Instances {
		d.mu.Lock()
		in := d.instances[c.Name]
		d.mu.Unlock()
		if in != nil {
			blocks = append(blocks, in.dumpBlock())
		}
	}
	if len(blocks) > 0 {
		fmt.Fprintln(w, "------< VRRP Topology >------")
		for _, b := range blocks {
			io.WriteString(w, b)
		}
	}
	d.writeSockPool(w, d.snapshotOrdered())
	if len(d.cfg.SyncGroups) > 0 {
		fmt.Fprintln(w, "------< VRRP Sync groups >------")
		for _, sg := range d.cfg.SyncGroups {
			d.writeSyncGroup(w, sg)
		}
	}
	d.writeScripts(w)
	d.writeTrackFiles(w)
	d.writeInterfaces(w)
}

// dumpBlock asks the instance's goroutine for its block (the machine is
// the goroutine's alone).
func (in *instance) dumpBlock() string {
	ev := event{kind: evDump, out: new(bytes.Buffer), done: make(chan struct{})}
	select {
	case in.events <- ev:
		select {
		case <-ev.done:
			return ev.out.String()
		case <-in.done:
		}
	case <-in.done:
	}
	return ""
}

// keepalivedTime is keepalived's "%ld.%6.6ld (ctime with microseconds)".
func keepalivedTime(t time.Time) string {
	return fmt.Sprintf("%d.%06d (%s)", t.Unix(), t.Nanosecond()/1000,
		t.Format("Mon Jan _2 15:04:05.000000 2006"))
}

// cmdString is keepalived's cmd_str: every word in single quotes, except
// a first word that is a bare redirection.
func cmdString(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if i == 0 && (strings.HasPrefix(a, "<") || strings.HasPrefix(a, ">")) {
			b.WriteString(a)
			continue
		}
		b.WriteString("'" + a + "'")
	}
	return b.String()
}

func enabled(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

// writeDump is dump_vrrp for the instance's goroutine.
func (in *instance) writeDump(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	c, m, model := in.spec.fsm, in.m, in.model
	p(" VRRP Instance = %s", c.Name)
	p("   VRRP Version = %d", c.Version)
	if in.group != nil {
		p("   Sync group = %s", in.group.name)
	}
	if model.IPv6 {
		p("   Using Native IPv6")
	}
	p("   State = %s", m.State())
	if m.State() == fsm.Backup {
		addr, prio := m.MasterRouter()
		// Before any advert keepalived shows the address the master
		// field starts with: the multicast group.
		master := in.spec.net.Group.String()
		if !in.spec.net.Group.IsValid() {
			master = "224.0.0.18"
			if model.IPv6 {
				master = "ff02::12"
			}
		}
		if c.Unicast {
			master = "0.0.0.0"
			if model.IPv6 {
				master = "::"
			}
		}
		if addr.IsValid() {
			master = addr.String()
		}
		p("   Master router = %s", master)
		p("   Master priority = %d", prio)
		if c.Version == 3 {
			p("   Master advert int = %.2f sec", m.MasterAdvertInterval().Seconds())
		}
	}
	// keepalived prints "Flags:" when any flag bit is set, but lists
	// only the unicast ones.
	if c.Unicast || model.UnicastSrcIP.IsValid() || model.DontTrackPrimary || model.SkipCheckAdvAddr ||
		model.PromoteSecondaries || model.NoPreempt || otherFamily(model) {
		p("   Flags:")
		if c.Unicast {
			p("     Using unicast")
		}
	} else {
		p("   Flags: none")
	}
	p("   Wantstate = %s", m.WantState())
	p("   Number of config faults = 0")
	p("   Number of interface and track script faults = %d", m.Faults())
	p("   Number of track scripts init = %d", m.PendingScripts())
	p("   Last transition = %s", keepalivedTime(in.lastTransition))
	if t := m.StateTimer(); t.IsZero() {
		p("   Read timeout = DISABLED")
	} else {
		p("   Read timeout = %s", keepalivedTime(t))
	}
	p("   Master down timer = %d usecs", m.MasterDownInterval().Microseconds())
	p("   Interface = %s", c.Interface)
	if model.DontTrackPrimary {
		p("   VRRP interface tracking disabled")
	}
	if model.SkipCheckAdvAddr {
		p("   Skip checking advert IP addresses")
	}
	if model.StrictMode {
		p("   Enforcing strict VRRP compliance")
	}
	from := ""
	if model.UnicastSrcIP.IsValid() {
		from = " (from configuration)"
	}
	p("   Using src_ip = %s%s", c.SourceAddr, from)
	if !c.Unicast {
		group := in.spec.net.Group
		if model.IPv6 {
			if !group.IsValid() {
				group = netip.MustParseAddr("ff02::12")
			}
			p("   Multicast address %s, ifindex %d", group, in.conn.IfIndex())
		} else {
			if !group.IsValid() {
				group = netip.MustParseAddr("224.0.0.18")
			}
			p("   Multicast address %s", group)
		}
	}
	p("   Gratuitous ARP delay = %d", int(c.GARPMasterDelay/time.Second))
	p("   Gratuitous ARP repeat = %d", c.GARPMasterRepeat)
	p("   Gratuitous ARP refresh = %d", int(c.GARPMasterRefresh/time.Second))
	p("   Gratuitous ARP refresh repeat = %d", c.GARPMasterRefreshRepeat)
	p("   Gratuitous ARP lower priority delay = %d", int(c.GARPLowerPrioDelay/time.Second))
	p("   Gratuitous ARP lower priority repeat = %d", c.GARPLowerPrioRepeat)
	p("   Down timer adverts = %d", c.DownTimerAdverts)
	p("   Send advert after receive lower priority advert = %v", !c.LowerPrioNoAdvert)
	p("   Send advert after receive higher priority advert = %v", c.HigherPrioSendAdvert)
	p("   Virtual Router ID = %d", c.VRID)
	p("   Priority = %d", model.Priority)
	p("   Effective priority = %d", m.Priority())
	p("   Total priority = %d", m.TotalPriority())
	if c.Version == 2 {
		p("   Advert interval = %d sec", int(c.AdvertInterval/time.Second))
	} else {
		p("   Advert interval = %d milli-sec", c.AdvertInterval.Milliseconds())
		if m.State() == fsm.Backup {
			p("   Master advert interval = %d milli-sec", m.MasterAdvertInterval().Milliseconds())
		}
	}
	p("   Accept = %s", enabled(model.Accept))
	p("   Preempt = %s", enabled(!model.NoPreempt))
	if model.PreemptDelay > 0 {
		p("   Preempt delay = %v secs", model.PreemptDelay.Seconds())
	}
	p("   Promote_secondaries = %s", enabled(model.PromoteSecondaries))
	switch {
	case model.AuthType == keepalived.AuthPass:
		p("   Authentication type = SIMPLE_PASSWORD")
		p("   Password = %s", model.AuthPass)
	case c.Version == 2:
		p("   Authentication type = none")
	}
	vipLines := func(list []keepalived.VIP) {
		for _, v := range list {
			p("     %s", in.vipString(v))
		}
	}
	if len(model.VIPs) > 0 {
		p("   Virtual IP (%d):", len(model.VIPs))
		vipLines(model.VIPs)
	}
	if len(model.ExcludedVIPs) > 0 {
		p("   Virtual IP Excluded :")
		vipLines(model.ExcludedVIPs)
	}
	if c.Unicast {
		if model.UnicastTTL != -1 {
			p("   Unicast TTL = %d", model.UnicastTTL)
		}
		p("   Check unicast src : no")
		p("   Unicast Peer :")
		for _, peer := range model.UnicastPeers {
			p("     %s min_ttl 0 max_ttl 255", peer.Addr)
		}
	}
	p("   fd_in %d, fd_out %d", in.conn.FD(), in.conn.FD())
	if len(model.TrackInterfaces) > 0 {
		p("   Tracked interfaces :")
		for _, t := range model.TrackInterfaces {
			p("     %s weight %d%s", t.Name, t.Weight, reverse(t.Reverse))
		}
	}
	if len(model.TrackScripts) > 0 {
		p("   Tracked scripts :")
		for _, t := range model.TrackScripts {
			p("     %s weight %d%s", t.Name, t.Weight, reverse(t.Reverse))
		}
	}
	if len(model.TrackFiles) > 0 {
		p("   Tracked files :")
		for _, t := range model.TrackFiles {
			p("     %s, weight %d%s", t.Name, t.Weight, reverse(t.Reverse))
		}
	}
	p("   Using smtp notification = %s", map[bool]string{true: "yes", false: "no"}[model.SMTPAlert])
	deleted := "Fault"
	if model.NotifyDeleted != nil {
		deleted = "Deleted"
	}
	p("   Notify deleted = %s", deleted)
	for _, s := range []struct {
		cmd  *keepalived.Command
		what string
	}{{model.NotifyBackup, "Backup"}, {model.NotifyMaster, "Master"}, {model.NotifyFault, "Fault"},
		{model.NotifyStop, "Stop"}, {model.NotifyDeleted, "Deleted"}, {model.Notify, "Generic"}} {
		if s.cmd != nil {
			p("   %s state transition script = %s, uid:gid 0:0", s.what, cmdString(s.cmd.Args))
		}
	}
	p("   Notify priority changes = false")
}

func reverse(r bool) string {
	if r {
		return " reverse"
	}
	return ""
}

// vipString is keepalived's format_ipaddress for a virtual address:
// prefix length unless a host address, brd, dev, scope, label, and
// "set" while the instance holds it.
func (in *instance) vipString(v keepalived.VIP) string {
	a := v.Prefix.Addr()
	s := a.String()
	if v.Prefix.Bits() != a.BitLen() {
		s += fmt.Sprintf("/%d", v.Prefix.Bits())
	}
	if a.Is4() {
		if brd := broadcastOf(v); brd != "" {
			s += " brd " + brd
		}
	}
	dev := v.Dev
	if dev == "" {
		dev = in.spec.fsm.Interface
	}
	s += " dev " + dev
	scope := v.Scope
	if scope == "" {
		scope = "global"
	}
	s += " scope " + scope
	if v.Label != "" {
		s += " label " + v.Label
	}
	if v.NoTrack {
		s += " no_track"
	}
	if a.Is6() {
		s += " preferred_lft forever"
	}
	if in.m.VIPsSet() {
		s += " set"
	}
	return s
}

// broadcastOf resolves brd as keepalived stores it: an address as
// written, "+" the host part all ones, "-" or unset none.
func broadcastOf(v keepalived.VIP) string {
	switch v.Broadcast {
	case "", "-":
		return ""
	case "+":
		a := v.Prefix.Addr().As4()
		bits := v.Prefix.Bits()
		for i := range 4 {
			for b := range 8 {
				if i*8+b >= bits {
					a[i] |= 0x80 >> b
				}
			}
		}
		return netip.AddrFrom4(a).String()
	}
	return v.Broadcast
}

// writeSyncGroup is dump_sync_group.
func (d *Daemon) writeSyncGroup(w io.Writer, sg *keepalived.SyncGroup) {
	state := fsm.Backup
	faults := 0
	for _, in := range d.snapshot() {
		if in.group != nil && in.group.name == sg.Name {
			in.group.mu.Lock()
			state, faults = in.group.state, len(in.group.faulted)
			in.group.mu.Unlock()
			break
		}
	}
	fmt.Fprintf(w, " VRRP Sync Group = %s, %s\n", sg.Name, state)
	fmt.Fprintf(w, "   Num member fault %d, num member init 0\n", faults)
	if len(sg.Group) > 0 {
		fmt.Fprintln(w, "   VRRP member instances :")
		for _, name := range sg.Group {
			fmt.Fprintf(w, "     %s\n", name)
		}
	}
	fmt.Fprintln(w, "   Using smtp notification = no")
}

// otherFamily reports excluded addresses of the other family than the
// instance's (VRRP_FLAG_EVIP_OTHER_FAMILY).
func otherFamily(model *keepalived.Instance) bool {
	for _, v := range model.ExcludedVIPs {
		if v.Prefix.Addr().Is6() != model.IPv6 {
			return true
		}
	}
	return false
}
