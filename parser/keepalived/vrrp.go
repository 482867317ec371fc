package keepalived

import (
	"net/netip"
	"strings"
	"time"
)

// Handlers of vrrp_instance and its sub-blocks, following
// keepalived/vrrp/vrrp_parser.c (2.2.7) keyword by keyword: same checks,
// same words, same severities.

// instance returns the instance the current block fills; keepalived uses
// the last allocated one (list_last_entry), even after a refused header.
func (p *pass) instance() *Instance {
	if p.st.inst == nil {
		p.st.inst = newInstance("", Source{}, &p.cfg.Global)
	}
	return p.st.inst
}

func newInstance(name string, src Source, g *Global) *Instance {
	return &Instance{
		Name:                    name,
		Source:                  src,
		UnicastTTL:              -1,
		GarpMasterDelay:         g.VRRPGarpMasterDelay,
		GarpMasterRepeat:        g.VRRPGarpMasterRepeat,
		GarpMasterRefresh:       g.VRRPGarpMasterRefresh,
		GarpMasterRefreshRepeat: g.VRRPGarpMasterRefreshRepeat,
		GarpLowerPrioDelay:      -1,
		GarpLowerPrioRepeat:     -1,
		DownTimerAdverts:        g.VRRPDownTimerAdverts,
		SkipCheckAdvAddr:        g.VRRPSkipCheckAdvAddr,
	}
}

func vrrpInstanceHandler(p *pass, w []string) {
	if len(w) != 2 {
		p.errorf(LevelGeneralError, "vrrp_instance must have a name")
		p.skipBlock(true)
		return
	}
	for _, in := range p.cfg.Instances {
		if in.Name == w[1] {
			p.errorf(LevelGeneralError, "vrrp instance %s already defined", w[1])
			p.skipBlock(true)
			return
		}
	}
	p.st.inst = newInstance(w[1], p.source(), &p.cfg.Global)
	p.cfg.Instances = append(p.cfg.Instances, p.st.inst)
}

// vrrpInstanceEnd is vrrp_end_handler.
func vrrpInstanceEnd(p *pass) {
	in := p.instance()
	if len(in.UnicastPeers) == 0 && in.UnicastTTL != -1 {
		p.errorf(LevelGeneralError, "(%s): Cannot use unicast_ttl without unicast peers - resetting", in.Name)
		in.UnicastTTL = 0
	}
}

// lookupInterface is if_get_by_ifname(IF_CREATE_IF_DYNAMIC): ok when the
// interface exists, or dynamic_interfaces lets it appear later.
func (p *pass) lookupInterface(name string) (ok, loopback bool) {
	exists, lo := p.interfaceExists(name)
	if exists {
		return true, lo
	}
	if p.cfg.Global.DynamicInterfaces {
		return true, false
	}
	p.st.nonExistentIf = true
	return false, false
}

func (p *pass) interfaceExists(name string) (exists, loopback bool) {
	l, ok := p.links.lookup(name)
	return ok, l.Loopback
}

func instanceSection() *section {
	s := &section{}
	add := func(name string, h func(p *pass, in *Instance, w []string)) *keyword {
		k := &keyword{name: name, handler: func(p *pass, w []string) { h(p, p.instance(), w) }}
		s.keywords = append(s.keywords, k)
		return k
	}
	add("state", func(p *pass, in *Instance, w []string) {
		switch v := p.arg(w, 1); v {
		case "MASTER":
			in.State = StateMaster
		case "BACKUP":
			if in.State == StateMaster {
				p.errorf(LevelGeneralError, "(%s) state previously set as MASTER - ignoring BACKUP", in.Name)
			} else {
				in.State = StateBackup
			}
		default:
			p.errorf(LevelGeneralError, "(%s) unknown state '%s', defaulting to BACKUP", in.Name, v)
			in.State = StateBackup
		}
	})
	add("interface", func(p *pass, in *Instance, w []string) {
		name := p.arg(w, 1)
		if len(name) >= 16 {
			p.errorf(LevelGeneralError, "Interface name '%s' too long - ignoring", name)
			return
		}
		ok, lo := p.lookupInterface(name)
		switch {
		case !ok:
			p.errorf(LevelGeneralError, "WARNING - interface %s for vrrp_instance %s doesn't exist", name, in.Name)
			in.Interface = ""
		case lo:
			p.errorf(LevelGeneralError, "(%s) cannot use a loopback interface (%s) for vrrp - ignoring", in.Name, name)
			in.Interface = ""
		default:
			in.Interface = name
		}
	})
	add("virtual_router_id", func(p *pass, in *Instance, w []string) {
		v, ok := p.readUint(p.arg(w, 1), 1, 255)
		if !ok {
			p.errorf(LevelGeneralError, "(%s): VRID '%s' not valid - must be between 1 & 255", in.Name, w[1])
			return
		}
		in.VRID = int(v)
	})
	add("priority", func(p *pass, in *Instance, w []string) {
		v, ok := p.readUint(p.arg(w, 1), 1, 255)
		if !ok {
			p.errorf(LevelGeneralError, "(%s) Priority not valid! must be between 1 & %d. Using default %d", in.Name, 255, 100)
			v = 100
		}
		in.Priority = int(v)
	})
	add("advert_int", func(p *pass, in *Instance, w []string) {
		v, ok := p.readDecimal(p.arg(w, 1), 10000, 255*1000000)
		if !ok || v == 0 {
			p.errorf(LevelGeneralError, "(%s) Advert interval (%s) not valid! Must be > 0 - ignoring", in.Name, w[1])
			return
		}
		in.advertRaw = time.Duration(v) * time.Microsecond
	})
	add("version", func(p *pass, in *Instance, w []string) {
		v, ok := p.readInt(p.arg(w, 1), 2, 3)
		if !ok {
			p.errorf(LevelGeneralError, "(%s): Version must be either 2 or 3", in.Name)
			return
		}
		if (in.Version != 0 && in.Version != v) || (v == 2 && in.family == 6) {
			p.errorf(LevelGeneralError, "(%s) vrrp_version %d conflicts with configured or deduced version %d; ignoring.", in.Name, v, in.Version)
			return
		}
		in.Version = v
	})
	add("nopreempt", func(p *pass, in *Instance, w []string) { in.NoPreempt = true })
	add("preempt", func(p *pass, in *Instance, w []string) { in.NoPreempt = false })
	add("preempt_delay", func(p *pass, in *Instance, w []string) {
		v, ok := p.readDecimal(p.arg(w, 1), 0, 1000*1000000)
		if !ok {
			p.errorf(LevelGeneralError, "(%s) Preempt_delay not valid! must be between 0-%d", in.Name, 1000)
			v = 0
		}
		in.PreemptDelay = time.Duration(v) * time.Microsecond
	})
	auth := &section{}
	auth.keywords = []*keyword{
		{name: "auth_type", handler: func(p *pass, w []string) {
			in := p.instance()
			switch v := p.arg(w, 1); v {
			case "AH":
				in.AuthType = AuthAH
			case "PASS":
				in.AuthType = AuthPass
			default:
				p.errorf(LevelGeneralError, "(%s) unknown authentication type '%s'", in.Name, v)
			}
		}},
		{name: "auth_pass", handler: func(p *pass, w []string) {
			in := p.instance()
			v := p.arg(w, 1)
			if len(v) > 8 {
				v = v[:8]
				p.errorf(LevelGeneralError, "Truncating auth_pass to %d characters", 8)
			}
			in.AuthPass = v
		}},
	}
	s.keywords = append(s.keywords, &keyword{name: "authentication", sub: auth})
	add("virtual_ipaddress", func(p *pass, in *Instance, w []string) {
		p.valueBlock(w, func(v []string) {
			vip, ok := p.parseVIP(v)
			if !ok {
				return
			}
			fam := 4
			if vip.Prefix.Addr().Is6() {
				fam = 6
			}
			if in.family == 0 {
				in.family = fam
			} else if fam != in.family {
				p.errorf(LevelGeneralError, "(%s): address family must match VRRP instance [%s] - ignoring", in.Name, v[0])
				return
			}
			in.VIPs = append(in.VIPs, vip)
		})
	})
	add("virtual_ipaddress_excluded", func(p *pass, in *Instance, w []string) {
		p.valueBlock(w, func(v []string) {
			if vip, ok := p.parseVIP(v); ok {
				in.ExcludedVIPs = append(in.ExcludedVIPs, vip)
			}
		})
	})
	add("track_script", func(p *pass, in *Instance, w []string) {
		p.valueBlock(w, func(v []string) { in.TrackScripts = p.trackScript(in.Name, in.TrackScripts, v) })
	})
	add("track_interface", func(p *pass, in *Instance, w []string) {
		p.valueBlock(w, func(v []string) { in.TrackInterfaces = p.trackInterface(in.Name, in.TrackInterfaces, v) })
	})
	add("track_file", func(p *pass, in *Instance, w []string) {
		p.valueBlock(w, func(v []string) { in.TrackFiles = p.trackFileRef(in.Name, in.TrackFiles, v) })
	})
	add("dont_track_primary", func(p *pass, in *Instance, w []string) { in.DontTrackPrimary = true })
	add("mcast_src_ip", func(p *pass, in *Instance, w []string) { p.srcIP(in, p.arg(w, 1)) })
	add("unicast_src_ip", func(p *pass, in *Instance, w []string) {
		in.unicastCfg = true
		p.srcIP(in, p.arg(w, 1))
	})
	add("unicast_peer", func(p *pass, in *Instance, w []string) {
		in.unicastCfg = true
		p.valueBlock(w, func(v []string) { p.unicastPeer(in, v) })
	})
	add("mcast_dst_ip", func(p *pass, in *Instance, w []string) {
		s := p.arg(w, 1)
		a, err := netip.ParseAddr(s)
		if err != nil {
			p.errorf(LevelGeneralError, "(%s) malformed mcast dest address %s. Skipping...", in.Name, s)
			return
		}
		fam := famOf(a)
		if in.family == 0 {
			in.family = fam
		} else if fam != in.family {
			p.errorf(LevelGeneralError, "(%s) mcast dest address %s MUST match VRRP instance family. Skipping...", in.Name, s)
			return
		}
		if (a.Is4() && !a.IsMulticast()) || (a.Is6() && !a.IsLinkLocalMulticast()) {
			six := ""
			if a.Is6() {
				six = " link-local"
			}
			p.errorf(LevelGeneralError, "(%s) mcast_dst_ip %s not%s multicast. Skipping...", in.Name, s, six)
			return
		}
		in.McastDstIP = a
	})
	add("unicast_ttl", func(p *pass, in *Instance, w []string) {
		v, ok := p.readUint(p.arg(w, 1), 0, 255)
		if !ok {
			p.errorf(LevelGeneralError, "(%s): TTL '%s' not valid - must be between 0 & 255", in.Name, w[1])
			return
		}
		in.UnicastTTL = int(v)
	})
	notify := func(name string, dst func(in *Instance) **Command) {
		add(name, func(p *pass, in *Instance, w []string) {
			d := dst(in)
			if *d != nil {
				p.errorf(LevelGeneralError, "(%s) %s script already specified - ignoring %s", in.Name, name, p.arg(w, 1))
				return
			}
			*d = p.notifyCommand(w)
		})
	}
	notify("notify_master", func(in *Instance) **Command { return &in.NotifyMaster })
	notify("notify_backup", func(in *Instance) **Command { return &in.NotifyBackup })
	notify("notify_fault", func(in *Instance) **Command { return &in.NotifyFault })
	notify("notify_stop", func(in *Instance) **Command { return &in.NotifyStop })
	notify("notify", func(in *Instance) **Command { return &in.Notify })
	add("notify_deleted", func(p *pass, in *Instance, w []string) {
		if len(w) > 1 {
			in.NotifyDeleted = p.notifyCommand(w)
		}
	})
	add("smtp_alert", func(p *pass, in *Instance, w []string) {
		res := 1
		if len(w) >= 2 {
			if res = trueFalse(w[1]); res < 0 {
				p.errorf(LevelGeneralError, "Invalid vrrp_instance smtp_alert parameter %s", w[1])
				return
			}
		}
		b := res == 1
		in.smtpAlert = &b
	})
	garpSecs := func(name string, dst func(in *Instance) *time.Duration) {
		add(name, func(p *pass, in *Instance, w []string) {
			v, ok := p.readUint(p.arg(w, 1), 0, 4294)
			if !ok {
				p.errorf(LevelGeneralError, "(%s): %s '%s' invalid - ignoring", in.Name, name, w[1])
				return
			}
			*dst(in) = time.Duration(v) * time.Second
		})
	}
	garpSecs("garp_master_delay", func(in *Instance) *time.Duration { return &in.GarpMasterDelay })
	garpSecs("garp_lower_prio_delay", func(in *Instance) *time.Duration { return &in.GarpLowerPrioDelay })
	add("garp_master_refresh", func(p *pass, in *Instance, w []string) {
		v, ok := p.readUint(p.arg(w, 1), 0, math32)
		if !ok {
			p.errorf(LevelGeneralError, "(%s): Invalid garp_master_refresh '%s' - ignoring", in.Name, w[1])
			v = 0
		}
		in.GarpMasterRefresh = time.Duration(v) * time.Second
	})
	garpRep := func(name string, dst func(in *Instance) *int) {
		add(name, func(p *pass, in *Instance, w []string) {
			v, ok := p.readUint(p.arg(w, 1), 0, math32)
			if !ok {
				p.errorf(LevelGeneralError, "(%s): %s '%s' invalid - ignoring", in.Name, name, w[1])
				return
			}
			if v == 0 {
				p.errorf(LevelGeneralError, "(%s): %s must be greater than 0, setting to 1", in.Name, name)
				v = 1
			}
			*dst(in) = int(v)
		})
	}
	garpRep("garp_master_repeat", func(in *Instance) *int { return &in.GarpMasterRepeat })
	garpRep("garp_master_refresh_repeat", func(in *Instance) *int { return &in.GarpMasterRefreshRepeat })
	add("garp_lower_prio_repeat", func(p *pass, in *Instance, w []string) {
		v, ok := p.readUint(p.arg(w, 1), 0, 1<<31-1)
		if !ok {
			p.errorf(LevelGeneralError, "(%s): Invalid garp_lower_prio_repeat '%s'", in.Name, w[1])
			return
		}
		in.GarpLowerPrioRepeat = int(v)
	})
	add("down_timer_adverts", func(p *pass, in *Instance, w []string) {
		v, ok := p.readUint(p.arg(w, 1), 1, 100)
		if !ok {
			p.errorf(LevelGeneralError, "(%s): Invalid down_timer_adverts [1:100] '%s'", in.Name, w[1])
			return
		}
		in.DownTimerAdverts = int(v)
	})
	add("accept", func(p *pass, in *Instance, w []string) { t := true; in.accept = &t })
	add("no_accept", func(p *pass, in *Instance, w []string) { f := false; in.accept = &f })
	optBool := func(name string, set func(in *Instance, v bool)) {
		add(name, func(p *pass, in *Instance, w []string) {
			if len(w) >= 2 {
				res := trueFalse(w[1])
				if res < 0 {
					p.errorf(LevelGeneralError, "(%s) invalid %s %s specified", in.Name, name, w[1])
					return
				}
				set(in, res == 1)
				return
			}
			set(in, true)
		})
	}
	optBool("skip_check_adv_addr", func(in *Instance, v bool) { in.SkipCheckAdvAddr = true })
	optBool("strict_mode", func(in *Instance, v bool) { in.strict = &v })
	optBool("lower_prio_no_advert", func(in *Instance, v bool) { in.LowerPrioNoAdvert = v })
	optBool("higher_prio_send_advert", func(in *Instance, v bool) { in.HigherPrioSendAdvert = v })
	add("promote_secondaries", func(p *pass, in *Instance, w []string) { in.PromoteSecondaries = true })
	add("native_ipv6", func(p *pass, in *Instance, w []string) {
		if in.family == 4 {
			p.errorf(LevelGeneralError, "(%s) Cannot specify native_ipv6 with IPv4 addresses", in.Name)
			return
		}
		in.family, in.Version = 6, 3
	})
	add("debug", func(p *pass, in *Instance, w []string) {
		if _, ok := p.readUint(p.arg(w, 1), 0, 4); !ok {
			p.errorf(LevelGeneralError, "(%s) Debug value '%s' not valid; must be between 0-4", in.Name, w[1])
		}
	})
	// Recognised, kept as words: VMAC/ipvlan, routes and rules, tracking of
	// processes and BFD, and the rarer tuning knobs.
	for _, name := range strings.Fields(`use_vmac use_vmac_addr vmac_xmit_base
	use_ipvlan unicast_fault_no_peer check_unicast_src old_unicast_checksum
	vrf track_src_ip linkbeat_use_polling notify_master_rx_lower_pri
	notify_priority_changes garp_extra_if
	vmac_garp_intvl kernel_rx_buf_size`) {
		name := name
		add(name, func(p *pass, in *Instance, w []string) {
			if name == "unicast_fault_no_peer" || name == "check_unicast_src" || name == "old_unicast_checksum" {
				in.unicastCfg = true
			}
			in.Other = append(in.Other, append([]string{}, w...))
		})
	}
	add("lvs_sync_daemon_interface", func(p *pass, in *Instance, w []string) {
		// Deprecated since keepalived 1.2.19 (vrrp_parser.c vrrp_lvs_syncd_handler).
		p.errorf(LevelGeneralError, "(%s) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.", in.Name)
		pad := len(in.Name) - 2
		if pad < 0 {
			pad = 0
		}
		p.errorf(LevelGeneralError, "      %sPlease use global lvs_sync_daemon", strings.Repeat(" ", pad))
		for _, o := range p.cfg.Global.Other {
			if len(o) > 1 && o[0] == "lvs_sync_daemon" && p.st.lvsSyncIf == "" {
				p.st.lvsSyncIf = o[1]
			}
		}
		if p.st.lvsSyncIf != "" {
			p.errorf(LevelGeneralError, "(%s) lvs_sync_daemon_interface has already been specified as %s - ignoring", in.Name, p.st.lvsSyncIf)
			return
		}
		p.st.lvsSyncIf = p.arg(w, 1)
		in.Other = append(in.Other, append([]string{}, w...))
	})
	add("virtual_routes", func(p *pass, in *Instance, w []string) {
		p.valueBlock(w, func(v []string) {
			in.Other = append(in.Other, append([]string{w[0]}, v...))
			p.checkRoute(v)
		})
	})
	add("virtual_rules", func(p *pass, in *Instance, w []string) {
		p.valueBlock(w, func(v []string) {
			in.Other = append(in.Other, append([]string{w[0]}, v...))
			p.checkRule(v)
		})
	})
	for _, name := range []string{"track_process", "track_bfd"} {
		add(name, func(p *pass, in *Instance, w []string) {
			p.valueBlock(w, func(v []string) { in.Other = append(in.Other, append([]string{w[0]}, v...)) })
		})
	}
	return s
}

// notifyCommand is notify_script_init: a user that does not exist drops
// the script (keepalived only logs it).
func (p *pass) notifyCommand(w []string) *Command {
	args, user, group := p.scriptCommand(w)
	if len(args) == 0 {
		return nil
	}
	if user != "" && (!p.userExists(user) || (group != "" && !groupExists(group))) {
		return nil
	}
	return &Command{Args: args, User: user, Group: group}
}

func famOf(a netip.Addr) int {
	if a.Is4() || a.Is4In6() {
		return 4
	}
	return 6
}

// srcIP is vrrp_srcip_handler (mcast_src_ip and unicast_src_ip).
func (p *pass) srcIP(in *Instance, s string) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		p.errorf(LevelGeneralError, "Configuration error: VRRP instance[%s] malformed src address[%s]. Skipping...", in.Name, s)
		return
	}
	fam := famOf(a)
	if in.family == 0 {
		in.family = fam
	} else if fam != in.family {
		p.errorf(LevelGeneralError, "Configuration error: VRRP instance[%s] and src address[%s] MUST be of the same family !!! Skipping...", in.Name, s)
		in.srcFromCfg = false
		return
	}
	in.UnicastSrcIP = a
	in.srcFromCfg = true
}

// unicastPeer is alloc_vrrp_unicast_peer.
func (p *pass) unicastPeer(in *Instance, v []string) {
	a, err := netip.ParseAddr(v[0])
	if err != nil {
		p.errorf(LevelGeneralError, "Configuration error: VRRP instance[%s] malformed unicast peer address[%s]. Skipping...", in.Name, v[0])
		return
	}
	fam := famOf(a)
	if in.family == 0 {
		in.family = fam
	} else if fam != in.family {
		p.errorf(LevelGeneralError, "Configuration error: VRRP instance[%s] and unicast peer address[%s] MUST be of the same family !!! Skipping...", in.Name, v[0])
		return
	}
	peer := UnicastPeer{Addr: a, MaxTTL: 255}
	for i := 1; i < len(v); i += 2 {
		if i+1 >= len(v) {
			p.errorf(LevelGeneralError, "(%s) %s is missing a value", in.Name, v[i])
			break
		}
		ttl, ok := p.readUintQuiet(v[i+1], 0, 255)
		if !ok {
			continue
		}
		switch v[i] {
		case "min_ttl":
			peer.MinTTL = ttl
		case "max_ttl":
			peer.MaxTTL = ttl
		default:
			p.errorf(LevelGeneralError, "(%s) unknown unicast_peer option %s", in.Name, v[i])
			i = len(v)
		}
	}
	if peer.MinTTL > peer.MaxTTL {
		p.errorf(LevelGeneralError, "(%s) min_ttl %d > max_ttl %d - all packets will be discarded", in.Name, peer.MinTTL, peer.MaxTTL)
	}
	in.UnicastPeers = append(in.UnicastPeers, peer)
}

// readUintQuiet is read_unsigned(..., ignore_error=false) whose messages
// keepalived still prints.
func (p *pass) readUintQuiet(s string, lo, hi uint64) (int, bool) {
	v, ok := p.readUint(s, lo, hi)
	return int(v), ok
}

// parseVIP is alloc_ipaddress for virtual_ipaddress lines.
func (p *pass) parseVIP(v []string) (VIP, bool) {
	vip := VIP{Source: p.source()}
	addr := v[0]
	pfx, ok := p.parseIPAddress(addr)
	if !ok {
		return vip, false
	}
	vip.Prefix = pfx
	brdLen := 0
	haveBrd := false
	missing := ""
	i := 1
	for ; i < len(v); i++ {
		str := v[i]
		avail := i+1 < len(v)
		needs := map[string]bool{"dev": true, "scope": true, "broadcast": true, "brd": true, "label": true, "peer": true, "preferred_lft": true}
		if needs[str] && !avail {
			missing = str
			break
		}
		switch str {
		case "dev":
			if vip.Dev != "" {
				p.errorf(LevelGeneralError, "Cannot specify ipaddress device more than once for %s", addr)
				return vip, false
			}
			i++
			if ok, _ := p.lookupInterface(v[i]); !ok {
				p.errorf(LevelGeneralError, "WARNING - interface %s for ip address %s doesn't exist", v[i], addr)
				return vip, false
			}
			vip.Dev = v[i]
		case "scope":
			i++
			if !validScope(v[i]) {
				p.errorf(LevelGeneralError, "Invalid scope '%s' specified for %s - ignoring", v[i], addr)
			} else {
				vip.Scope = v[i]
			}
		case "broadcast", "brd":
			if pfx.Addr().Is6() {
				p.errorf(LevelGeneralError, "VRRP is trying to assign a broadcast %s to the IPv6 address %s !!?? WTF... skipping VIP...", str, addr)
				return vip, false
			}
			haveBrd = true
			i++
			switch v[i] {
			case "-":
				brdLen = -2
			case "+":
				brdLen = -1
			default:
				if a, err := netip.ParseAddr(v[i]); err != nil || !a.Is4() {
					p.errorf(LevelGeneralError, "VRRP is trying to assign invalid broadcast %s. skipping VIP...", v[i])
					return vip, false
				}
			}
			vip.Broadcast = v[i]
		case "label":
			i++
			if len(v[i]) >= 16 {
				p.errorf(LevelGeneralError, "Address label %s is longer than maximum length %d - removing address", v[i], 15)
				return vip, false
			}
			vip.Label = v[i]
		case "peer":
			i++
			if vip.Peer.IsValid() {
				p.errorf(LevelGeneralError, "Peer %s - another peer has already been specified", v[i])
				continue
			}
			a, err := netip.ParseAddr(v[i])
			switch {
			case err != nil:
				p.errorf(LevelGeneralError, "VRRP parsed invalid IP %s. skipping IP...", v[i])
				p.errorf(LevelGeneralError, "Invalid peer address %s", v[i])
			case famOf(a) != famOf(pfx.Addr()):
				p.errorf(LevelGeneralError, "Peer address %s does not match address family", v[i])
			default:
				if pfx.Bits() != pfx.Addr().BitLen() {
					p.errorf(LevelGeneralError, "Cannot specify address prefix when specifying peer address - ignoring")
				}
				vip.Peer = netip.PrefixFrom(a, a.BitLen())
			}
		case "home", "-nodad", "mngtmpaddr", "noprefixroute", "autojoin":
		case "no_track":
			vip.NoTrack = true
		case "preferred_lft":
			i++
			if v[i] != "forever" {
				if _, ok := p.readUint(v[i], 0, math32); !ok {
					p.errorf(LevelGeneralError, "preferred_lft %s is invalid", v[i])
				}
			}
		case "use_vmac":
			vip.UseVMAC = true
		default:
			p.errorf(LevelGeneralError, "Unknown configuration entry '%s' for ip address - ignoring", str)
		}
	}
	if missing != "" {
		p.errorf(LevelGeneralError, "No %s parameter specified for %s", missing, addr)
		return vip, false
	}
	if haveBrd && vip.Peer.IsValid() {
		p.errorf(LevelGeneralError, "Cannot specify broadcast and peer addresses - ignoring broadcast address")
		vip.Broadcast = ""
	} else if brdLen < 0 && pfx.Bits() > 30 {
		p.errorf(LevelGeneralError, "Address prefix length %d too long for broadcast", pfx.Bits())
	}
	return vip, true
}

// parseIPAddress is parse_ipaddress(allow_subnet_mask=true): ADDR[/LEN].
// The family comes from the presence of ':'.
func (p *pass) parseIPAddress(s string) (netip.Prefix, bool) {
	six := strings.Contains(s, ":")
	bits := 32
	if six {
		bits = 128
	}
	addr := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		addr = s[:i]
		if v, ok := p.readUint(s[i+1:], 0, uint64(bits)); !ok {
			p.errorf(LevelGeneralError, "Invalid address prefix len %s for address %s - using %d", s[i+1:], s, bits)
		} else {
			bits = int(v)
		}
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Is6() != six || a.Zone() != "" {
		p.errorf(LevelGeneralError, "VRRP parsed invalid IP %s. skipping IP...", s)
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, bits), true
}

// validScope accepts the names of /etc/iproute2/rt_scopes and numbers.
func validScope(s string) bool {
	switch s {
	case "global", "universe", "nowhere", "host", "link", "site":
		return true
	}
	_, _, rest, _ := cStrtol(s)
	return rest == "" && s != ""
}

// trackScript is alloc_track_script.
func (p *pass) trackScript(owner string, list []TrackScript, v []string) []TrackScript {
	name := v[0]
	var scr *Script
	for _, s := range p.cfg.Scripts {
		if s.Name == name {
			scr = s
		}
	}
	if scr == nil {
		p.errorf(LevelGeneralError, "(%s) track script %s not found, ignoring...", owner, name)
		return list
	}
	for _, t := range list {
		if t.Name == name {
			p.errorf(LevelGeneralError, "(%s) duplicate track_script %s - ignoring", owner, name)
			return list
		}
	}
	ts := TrackScript{Name: name, Weight: scr.Weight, Reverse: scr.WeightReverse}
	if len(v) >= 2 {
		if v[1] != "weight" {
			p.errorf(LevelGeneralError, "(%s) unknown track script option %s - ignoring", owner, v[1])
			return list
		}
		if len(v) == 2 {
			p.errorf(LevelGeneralError, "(%s) weight without value specified for track script %s - ignoring", owner, name)
			return list
		}
		if w, ok := p.readInt(v[2], -254, 254); !ok {
			p.errorf(LevelGeneralError, "(%s) track script %s: weight must be between [-253..253] inclusive, ignoring...", owner, name)
		} else if w == 254 || w == -254 {
			p.errorf(LevelGeneralError, "(%s) weight for %s cannot be +/-254. Setting to +/-253", owner, name)
			ts.Weight = w / 254 * 253
		} else {
			ts.Weight = w
		}
		if len(v) >= 4 {
			switch v[3] {
			case "reverse":
				ts.Reverse = true
			case "noreverse":
				ts.Reverse = false
			default:
				p.errorf(LevelGeneralError, "(%s) unknown track_script %s weight option %s - ignoring", owner, name, v[3])
			}
		}
	}
	return append(list, ts)
}

// trackInterface is alloc_track_if.
func (p *pass) trackInterface(owner string, list []TrackInterface, v []string) []TrackInterface {
	name := v[0]
	if ok, _ := p.lookupInterface(name); !ok {
		p.errorf(LevelGeneralError, "(%s) tracked interface %s doesn't exist", owner, name)
		return list
	}
	for _, t := range list {
		if t.Name == name {
			p.errorf(LevelGeneralError, "(%s) duplicate track_interface %s - ignoring", owner, name)
			return list
		}
	}
	ti := TrackInterface{Name: name}
	if len(v) >= 2 {
		if v[1] != "weight" {
			p.errorf(LevelGeneralError, "(%s) unknown track_interface %s option %s - ignoring", owner, name, v[1])
			return list
		}
		if len(v) == 2 {
			p.errorf(LevelGeneralError, "(%s) weight without value specified for track_interface %s - ignoring", owner, name)
			return list
		}
		if w, ok := p.readInt(v[2], -254, 254); !ok {
			p.errorf(LevelGeneralError, "(%s) weight %s for %s must be between [-253..253] inclusive. Ignoring...", owner, v[2], name)
		} else if w == 254 || w == -254 {
			p.errorf(LevelGeneralError, "(%s) weight for %s cannot be +/-254. Setting to +/-253", owner, name)
			ti.Weight = w / 254 * 253
		} else {
			ti.Weight = w
		}
		if len(v) >= 4 {
			if v[3] == "reverse" {
				ti.Reverse = true
			} else {
				p.errorf(LevelGeneralError, "(%s) unknown track_interace %s weight option %s - ignoring", owner, name, v[3])
			}
		}
	}
	ti.PriorityWeight = ti.Weight
	return append(list, ti)
}

// trackFileRef is vrrp_alloc_track_file.
func (p *pass) trackFileRef(owner string, list []TrackFileRef, v []string) []TrackFileRef {
	name := v[0]
	var tf *TrackFile
	for _, f := range p.cfg.TrackFiles {
		if f.Name == name {
			tf = f
		}
	}
	if tf == nil {
		p.errorf(LevelGeneralError, "(%s) track file %s not found, ignoring...", owner, name)
		return list
	}
	for _, t := range list {
		if t.Name == name {
			p.errorf(LevelGeneralError, "(%s) duplicate track_file %s - ignoring", owner, name)
			return list
		}
	}
	ref := TrackFileRef{Name: name, Weight: tf.Weight, Reverse: tf.WeightReverse}
	if len(v) >= 2 {
		if v[1] != "weight" {
			p.errorf(LevelGeneralError, "(%s) unknown track file option %s - ignoring", owner, v[1])
			return list
		}
		if len(v) == 2 {
			p.errorf(LevelGeneralError, "(%s) weight without value specified for track file %s - ignoring", owner, name)
			return list
		}
		if w, ok := p.readInt(v[2], -254, 254); !ok {
			p.errorf(LevelGeneralError, "(%s) weight for track file %s must be in [-254..254] inclusive. Ignoring...", owner, name)
		} else {
			ref.Weight = w
		}
		if len(v) >= 4 {
			switch v[3] {
			case "reverse":
				ref.Reverse = true
			case "noreverse":
				ref.Reverse = false
			default:
				p.errorf(LevelGeneralError, "(%s) unknown track file %s weight option %s - ignoring", owner, name, v[3])
				return list
			}
		}
	}
	return append(list, ref)
}
