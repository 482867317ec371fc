package daemon

import (
	"fmt"
	"io"
	"os"
	"os/user"
	"time"

	"goha/parser/keepalived"
)

// writeGlobal writes the "Global definitions" section of
// /tmp/keepalived.data as keepalived 2.2.7's VRRP process writes it
// (global_data.c dump_global_data). Lines for settings govrrpd has come
// from the configuration; the rest (LVS, BFD, SNMP, DBus, realtime and
// netlink buffer settings govrrpd has no equivalent of) are written with
// keepalived's defaults so that tools reading the file find the same
// layout. The nftables lines describe the keepalived build of Debian
// bookworm (libnftnl 1.2.3) that govrrpd replaces.
func (d *Daemon) writeGlobal(w io.Writer) {
	g := &d.cfg.Global
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	tf := func(b bool) string {
		if b {
			return "true"
		}
		return "false"
	}
	p("------< Global definitions >------")
	ns := g.NetNamespace
	if ns == "" {
		ns = "(default)"
	}
	p(" Network namespace = %s", ns)
	p(" Network namespace ipvs = (main namespace)")
	host, _ := os.Hostname()
	if host == "" {
		host = "[unknown]"
	}
	routerID := g.RouterID
	if routerID == "" {
		routerID = host
	}
	p(" Router ID = %s", routerID)
	if g.SMTPServer != "" {
		p(" Smtp server = %s", g.SMTPServer)
		p(" Smtp server port = %d", g.SMTPPort)
		helo := g.SMTPHeloName
		if helo == "" {
			helo = host
		}
		p(" Smtp HELO name = %s", helo)
		p(" Smtp server connection timeout = %d", int(g.SMTPConnectTimeout/time.Second))
	}
	from := g.NotificationEmailFrom
	if from == "" && g.SMTPServer != "" {
		from = "root@" + host
	}
	if from != "" {
		p(" Email notification from = %s", from)
		p(" Email notification to:")
		for _, e := range g.NotificationEmail {
			p("   %s", e)
		}
	}
	alert := "unset"
	if g.SMTPAlert != nil {
		alert = map[bool]string{true: "on", false: "off"}[*g.SMTPAlert]
	}
	p(" Default smtp_alert = %s", alert)
	p(" Default smtp_alert_vrrp = unset")
	p(" Default smtp_alert_checker = unset")
	p(" Checkers log all failures = false")
	p(" No test config before reload")
	p(" Dynamic interfaces = %s", tf(g.DynamicInterfaces))
	if g.DynamicInterfaces {
		p(" Allow interface changes = %s", tf(g.AllowIfChanges))
	}
	p(" Default interface = eth0")
	p(" Disable local IGMP = no")
	p(" LVS flush = false")
	p(" LVS flush on stop = disabled")
	p(" FIFO write vrrp states on reload = false")
	p(" VRRP notify priority changes = false")
	p(" VRRP IPv4 mcast group = %s", g.VRRPMcastGroup4)
	p(" VRRP IPv6 mcast group = %s", g.VRRPMcastGroup6)
	p(" Gratuitous ARP delay = %d", int(g.VRRPGarpMasterDelay/time.Second))
	p(" Gratuitous ARP repeat = %d", g.VRRPGarpMasterRepeat)
	p(" Gratuitous ARP refresh timer = %d", int(g.VRRPGarpMasterRefresh/time.Second))
	p(" Gratuitous ARP refresh repeat = %d", g.VRRPGarpMasterRefreshRepeat)
	lowDelay, lowRepeat := g.VRRPGarpLowerPrioDelay, g.VRRPGarpLowerPrioRepeat
	if lowDelay < 0 {
		lowDelay = g.VRRPGarpMasterDelay
	}
	if lowRepeat < 0 {
		lowRepeat = g.VRRPGarpMasterRepeat
	}
	p(" Gratuitous ARP lower priority delay = %d", int(lowDelay/time.Second))
	p(" Gratuitous ARP lower priority repeat = %d", lowRepeat)
	p(" Num adverts before down = %d", g.VRRPDownTimerAdverts)
	p(" Gratuitous ARP for each secondary VMAC = 0s")
	p(" Send advert after receive lower priority advert = %s", tf(!g.VRRPLowerPrioNoAdvert))
	p(" Send advert after receive higher priority advert = %s", tf(g.VRRPHigherPrioSendAdvert))
	p(" Gratuitous ARP interval = %f", g.VRRPGarpInterval.Seconds())
	p(" Gratuitous NA interval = %f", g.VRRPGnaInterval.Seconds())
	p(" VRRP default protocol version = %d", g.VRRPVersion)
	p(" nftables without counters")
	p(" libnftnl version 1.2.3")
	p(" VRRP check unicast_src = %s", tf(g.VRRPCheckUnicastSrc))
	p(" VRRP skip check advert addresses = %s", tf(g.VRRPSkipCheckAdvAddr))
	p(" VRRP strict mode = %s", tf(g.VRRPStrict))
	p(" Max auto priority = %d", g.MaxAutoPriority)
	p(" Min auto priority delay = 1000000 usecs")
	for _, proc := range []string{"VRRP", "Checker", "BFD"} {
		p(" %s process priority = 0", proc)
		p(" %s don't swap = false", proc)
		p(" %s realtime priority = 0", proc)
		p(" %s realtime limit = 10000", proc)
	}
	for _, s := range []string{"vrrp", "checker", "RFCv2", "RFCv3", "traps"} {
		p(" SNMP %s disabled", s)
	}
	p(" SNMP socket = default (unix:/var/agentx/master)")
	p(" DBus disabled")
	p(" DBus service name = ")
	p(" Script security %s", map[bool]string{true: "enabled", false: "disabled"}[g.EnableScriptSecurity])
	if uid, gid, ok := defaultScriptUser(g); ok {
		p(" Default script uid:gid %s:%s", uid, gid)
	}
	for _, b := range []string{"vrrp_netlink_cmd", "vrrp_netlink_monitor", "process_monitor", "lvs_netlink_cmd", "lvs_netlink_monitor"} {
		p(" %s_rcv_bufs = 0", b)
		p(" %s_rcv_bufs_force = 0", b)
	}
	p(" rs_init_notifies = 0")
	p(" no_checker_emails = 0")
	p(" rx_bufs_multiples = 3")
	p(" umask = 0177")
}

// defaultScriptUser is keepalived's get_default_script_user: script_user
// when configured, else keepalived_script if that user exists, else
// root.
func defaultScriptUser(g *keepalived.Global) (uid, gid string, ok bool) {
	name := g.ScriptUser
	if name == "" {
		if u, err := user.Lookup("keepalived_script"); err == nil {
			return u.Uid, u.Gid, true
		}
		return "0", "0", true
	}
	u, err := user.Lookup(name)
	if err != nil {
		return "", "", false
	}
	gid = u.Gid
	if g.ScriptGroup != "" {
		grp, err := user.LookupGroup(g.ScriptGroup)
		if err != nil {
			return "", "", false
		}
		gid = grp.Gid
	}
	return u.Uid, gid, true
}
