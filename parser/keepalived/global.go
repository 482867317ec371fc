package keepalived

import (
	"net/netip"
	"os/user"
	"strconv"
	"strings"
	"time"
)

// buildState is what the readings fill: the configuration and the objects
// the current block belongs to.
type buildState struct {
	cfg *Config
	// nonExistentIf is set when an instance names a missing interface
	// (vrrp_if.c non_existent_interface_specified).
	nonExistentIf bool
	inst          *Instance
	script        *Script
	scriptUserSet bool
	removeScript  bool
	trackFile     *TrackFile
	sync          *SyncGroup
	raw           *RawBlock
	// scripts that failed the end-of-block checks are not kept
	dropped map[*Script]bool
	// scriptSecurity mirrors enable_script_security (read by the parent).
	scriptSecurity bool
	// rulePrio4/6 count down the preferences given to rules without one.
	rulePrio4, rulePrio6 int
	// lvsSyncIf is the interface of lvs_sync_daemon(_interface), once set.
	lvsSyncIf string
	// the default script user is looked up once (get_default_script_user)
	defaultUserDone, defaultUserFail bool
}

func (p *pass) source() Source { return Source{File: p.cur.file, Line: p.cur.line} }

// globalDefsSection is keepalived 2.2.7's global_defs table
// (core/global_parser.c init_global_keywords). The keywords govrrpd
// interprets have handlers; the others are recognised and kept in
// Global.Other.
func globalDefsSection() *section {
	s := &section{}
	add := func(name string, h func(p *pass, w []string)) {
		s.keywords = append(s.keywords, &keyword{name: name, handler: h})
	}
	add("router_id", func(p *pass, w []string) {
		if len(w) < 2 {
			p.errorf(LevelGeneralError, "routerid name missing - ignoring")
			return
		}
		p.cfg.Global.RouterID = w[1]
	})
	add("notification_email_from", func(p *pass, w []string) {
		if len(w) < 2 {
			p.errorf(LevelGeneralError, "emailfrom missing - ignoring")
			return
		}
		p.cfg.Global.NotificationEmailFrom = w[1]
	})
	add("smtp_server", func(p *pass, w []string) {
		host := p.arg(w, 1)
		port := "25"
		if len(w) >= 3 {
			port = w[2]
		}
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || (strings.ContainsAny(host, ":") && !validAddr(host)) {
			p.errorf(LevelGeneralError, "Invalid smtp server %s %s", host, port)
			return
		}
		p.cfg.Global.SMTPServer, p.cfg.Global.SMTPPort = host, n
	})
	add("smtp_helo_name", func(p *pass, w []string) { p.cfg.Global.SMTPHeloName = p.arg(w, 1) })
	add("smtp_connect_timeout", func(p *pass, w []string) {
		v, ok := p.readUint(p.arg(w, 1), 0, 4294)
		if !ok {
			p.errorf(LevelGeneralError, "smtp_connect_timeout '%s' must be in [0, %d] - ignoring", w[1], 4294)
			return
		}
		if v == 0 {
			p.errorf(LevelGeneralError, "smtp_conect_timeout must be greater than 0, setting to 1")
			v = 1
		}
		p.cfg.Global.SMTPConnectTimeout = time.Duration(v) * time.Second
	})
	add("notification_email", func(p *pass, w []string) {
		emails := p.readValueBlock(w)
		if len(emails) == 0 {
			p.errorf(LevelGeneralError, "Warning - empty notification_email block")
			return
		}
		p.cfg.Global.NotificationEmail = append(p.cfg.Global.NotificationEmail, emails...)
	})
	add("smtp_alert", func(p *pass, w []string) {
		res := 1
		if len(w) >= 2 {
			if res = trueFalse(w[1]); res < 0 {
				p.errorf(LevelGeneralError, "Invalid value '%s' for global smtp_alert specified", w[1])
				return
			}
		}
		b := res == 1
		p.cfg.Global.SMTPAlert = &b
	})
	add("enable_script_security", func(p *pass, w []string) {
		p.cfg.Global.EnableScriptSecurity = true
		p.st.scriptSecurity = true
	})
	add("script_user", func(p *pass, w []string) {
		if len(w) < 2 {
			p.errorf(LevelGeneralError, "No script username specified")
			return
		}
		group := ""
		if len(w) > 2 {
			group = w[2]
		}
		if !p.userExists(w[1]) || (group != "" && !groupExists(group)) {
			p.errorf(LevelGeneralError, "Error setting global script uid/gid")
			return
		}
		p.cfg.Global.ScriptUser, p.cfg.Global.ScriptGroup = w[1], group
	})
	add("vrrp_version", func(p *pass, w []string) {
		v, ok := p.readInt(p.arg(w, 1), 2, 3)
		if !ok {
			p.errorf(LevelGeneralError, "VRRP Error: Version must be either 2 or 3")
			return
		}
		p.cfg.Global.VRRPVersion = v
	})
	add("vrrp_strict", func(p *pass, w []string) { p.cfg.Global.VRRPStrict = true })
	add("vrrp_skip_check_adv_addr", func(p *pass, w []string) { p.cfg.Global.VRRPSkipCheckAdvAddr = true })
	add("vrrp_check_unicast_src", func(p *pass, w []string) { p.cfg.Global.VRRPCheckUnicastSrc = true })
	add("dynamic_interfaces", func(p *pass, w []string) {
		p.cfg.Global.DynamicInterfaces = true
		if len(w) >= 2 {
			if w[1] == "allow_if_changes" {
				p.cfg.Global.AllowIfChanges = true
			} else {
				p.errorf(LevelGeneralError, "Unknown dynamic_interfaces option '%s'", w[1])
			}
		}
	})
	add("vrrp_mcast_group4", func(p *pass, w []string) {
		s := p.arg(w, 1)
		a, err := netip.ParseAddr(s)
		switch {
		case err != nil && !strings.Contains(s, ":"):
			p.errorf(LevelGeneralError, "Can't parse vrrp_mcast_group4 [%s]. Skipping", s)
		case err != nil || !a.Is4():
			p.errorf(LevelGeneralError, "vrrp_mcast_group4 [%s] is not IPv4. Skipping", s)
		case !a.IsMulticast():
			p.errorf(LevelGeneralError, "vrrp_mcast_group4 [%s] is not multicast. Skipping", s)
		default:
			p.cfg.Global.VRRPMcastGroup4 = a
		}
	})
	add("vrrp_mcast_group6", func(p *pass, w []string) {
		s := p.arg(w, 1)
		a, err := netip.ParseAddr(s)
		switch {
		case err != nil && strings.Contains(s, ":"):
			p.errorf(LevelGeneralError, "Can't parse vrrp_mcast_group6 [%s]. Skipping", s)
		case err != nil || !a.Is6():
			p.errorf(LevelGeneralError, "vrrp_mcast_group6 [%s] is not IPv6. Skipping", s)
		case !a.IsMulticast():
			p.errorf(LevelGeneralError, "vrrp_mcast_group6 [%s] is not multicast. Skipping", s)
		default:
			p.cfg.Global.VRRPMcastGroup6 = a
		}
	})
	secs := func(name string, dst func(g *Global) *time.Duration) {
		add(name, func(p *pass, w []string) {
			v, ok := p.readUint(p.arg(w, 1), 0, 4294)
			if !ok {
				p.errorf(LevelGeneralError, "%s '%s' invalid - ignoring", name, w[1])
				return
			}
			*dst(&p.cfg.Global) = time.Duration(v) * time.Second
		})
	}
	secs("vrrp_garp_master_delay", func(g *Global) *time.Duration { return &g.VRRPGarpMasterDelay })
	secs("vrrp_garp_lower_prio_delay", func(g *Global) *time.Duration { return &g.VRRPGarpLowerPrioDelay })
	repeat := func(name string, dst func(g *Global) *int, zeroOK bool) {
		add(name, func(p *pass, w []string) {
			v, ok := p.readUint(p.arg(w, 1), 0, math32)
			if !ok {
				p.errorf(LevelGeneralError, "%s '%s' invalid - ignoring", name, w[1])
				return
			}
			if v == 0 && !zeroOK {
				p.errorf(LevelGeneralError, "%s must be greater than 0, setting to 1", name)
				v = 1
			}
			*dst(&p.cfg.Global) = int(v)
		})
	}
	repeat("vrrp_garp_master_repeat", func(g *Global) *int { return &g.VRRPGarpMasterRepeat }, false)
	repeat("vrrp_garp_master_refresh_repeat", func(g *Global) *int { return &g.VRRPGarpMasterRefreshRepeat }, false)
	repeat("vrrp_garp_lower_prio_repeat", func(g *Global) *int { return &g.VRRPGarpLowerPrioRepeat }, true)
	add("vrrp_garp_master_refresh", func(p *pass, w []string) {
		v, ok := p.readUint(p.arg(w, 1), 0, math32)
		if !ok {
			p.errorf(LevelGeneralError, "Invalid vrrp_garp_master_refresh '%s' - ignoring", w[1])
			v = 0
		}
		p.cfg.Global.VRRPGarpMasterRefresh = time.Duration(v) * time.Second
	})
	interval := func(name string, dst func(g *Global) *time.Duration) {
		add(name, func(p *pass, w []string) {
			v, ok := p.readDecimal(p.arg(w, 1), 1, math32)
			if !ok {
				p.errorf(LevelGeneralError, "%s '%s' is invalid", name, w[1])
				return
			}
			*dst(&p.cfg.Global) = time.Duration(v) * time.Microsecond
		})
	}
	interval("vrrp_garp_interval", func(g *Global) *time.Duration { return &g.VRRPGarpInterval })
	interval("vrrp_gna_interval", func(g *Global) *time.Duration { return &g.VRRPGnaInterval })
	add("vrrp_down_timer_adverts", func(p *pass, w []string) {
		v, ok := p.readUint(p.arg(w, 1), 1, 100)
		if !ok {
			p.errorf(LevelGeneralError, "Invalid vrrp_down_timer_adverts [1:100] '%s'", w[1])
			return
		}
		p.cfg.Global.VRRPDownTimerAdverts = int(v)
	})
	boolKw := func(name string, dst func(g *Global) *bool) {
		add(name, func(p *pass, w []string) {
			res := 1
			if len(w) >= 2 {
				if res = trueFalse(w[1]); res < 0 {
					p.errorf(LevelGeneralError, "Invalid value '%s' for %s specified", w[1], name)
					return
				}
			}
			*dst(&p.cfg.Global) = res == 1
		})
	}
	boolKw("vrrp_lower_prio_no_advert", func(g *Global) *bool { return &g.VRRPLowerPrioNoAdvert })
	boolKw("vrrp_higher_prio_send_advert", func(g *Global) *bool { return &g.VRRPHigherPrioSendAdvert })
	add("max_auto_priority", func(p *pass, w []string) {
		if len(w) < 2 {
			p.cfg.Global.MaxAutoPriority = 99
			return
		}
		v, ok := p.readInt(w[1], -1, 99)
		if !ok {
			p.errorf(LevelGeneralError, "max_auto_priority '%s' must be in [0, %d] (or -1 to disable) - ignoring", w[1], 99)
			return
		}
		p.cfg.Global.MaxAutoPriority = v
	})
	add("include_check", includeCheckHandler)
	for _, name := range otherGlobalKeywords {
		add(name, func(p *pass, w []string) {
			p.cfg.Global.Other = append(p.cfg.Global.Other, append([]string{}, w...))
		})
	}
	return s
}

const math32 = 1<<32 - 1

// otherGlobalKeywords are the remaining global_defs keywords of 2.2.7,
// accepted and kept without interpretation.
var otherGlobalKeywords = strings.Fields(`process_names process_name
vrrp_process_name checker_process_name lvs_process_name bfd_process_name
startup_script startup_script_timeout shutdown_script shutdown_script_timeout
min_auto_priority_delay smtp_alert_vrrp smtp_alert_checker
checker_log_all_failures no_email_faults default_interface disable_local_igmp
lvs_timeouts lvs_flush lvs_flush_on_stop lvs_flush_onstop lvs_sync_daemon
vrrp_min_garp vrrp_garp_extra_if vrrp_vmac_garp_intvl vrrp_iptables
vrrp_ipsets nftables nftables_priority nftables_ifindex nftables_ipvs
nftables_ipvs_priority nftables_ipvs_start_fwmark nftables_counters
vrrp_priority vrrp_no_swap vrrp_rt_priority vrrp_cpu_affinity
vrrp_rlimit_rttime vrrp_rlimit_rtime notify_fifo notify_fifo_script
vrrp_notify_fifo vrrp_notify_fifo_script vrrp_notify_priority_changes
fifo_write_vrrp_states_on_reload lvs_notify_fifo lvs_notify_fifo_script
checker_priority checker_no_swap checker_rt_priority checker_cpu_affinity
checker_rlimit_rttime checker_rlimit_rtime bfd_priority bfd_no_swap
bfd_rt_priority bfd_cpu_affinity bfd_rlimit_rttime bfd_rlimit_rtime
snmp_socket enable_traps enable_snmp_vrrp enable_snmp_keepalived
enable_snmp_rfc enable_snmp_rfcv2 enable_snmp_rfcv3 enable_snmp_checker
enable_dbus dbus_service_name vrrp_netlink_cmd_rcv_bufs
vrrp_netlink_cmd_rcv_bufs_force vrrp_netlink_monitor_rcv_bufs
vrrp_netlink_monitor_rcv_bufs_force process_monitor_rcv_bufs
process_monitor_rcv_bufs_force lvs_netlink_cmd_rcv_bufs
lvs_netlink_cmd_rcv_bufs_force lvs_netlink_monitor_rcv_bufs
lvs_netlink_monitor_rcv_bufs_force rs_init_notifies no_checker_emails
vrrp_rx_bufs_policy vrrp_rx_bufs_multiplier vrrp_startup_delay
log_unknown_vrids vmac_prefix vmac_addr_prefix umask random_seed
reload_check_config reload_time_file reload_repeat reload_file
config_save_dir tmp_config_directory data_use_instance`)

// globalRootKeywords are the other top-level keywords of the parent
// (core/global_parser.c install_keyword_root), kept without interpretation.
var globalRootKeywords = strings.Fields(`linkbeat_use_polling
net_namespace_ipvs namespace_with_ipsets use_pid_dir instance child_wait_time`)

func validAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

func (p *pass) userExists(name string) bool {
	if p.opts.LookupUser != nil {
		return p.opts.LookupUser(name)
	}
	_, err := user.Lookup(name)
	return err == nil
}

func groupExists(name string) bool {
	_, err := user.LookupGroup(name)
	return err == nil
}
