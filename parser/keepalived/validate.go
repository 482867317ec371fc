package keepalived

import (
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// completeVRRP runs what keepalived's VRRP process does after reading
// (vrrp/vrrp_daemon.c start_vrrp, vrrp/vrrp.c vrrp_complete_init and
// vrrp_complete_instance in 2.2.7), in the same order, with the same words.
// Instances that keepalived would refuse are removed from the model.
func (p *pass) completeVRRP() {
	cfg := p.cfg
	if cfg.Global.VRRPGarpLowerPrioDelay < 0 {
		cfg.Global.VRRPGarpLowerPrioDelay = cfg.Global.VRRPGarpMasterDelay
	}
	if cfg.Global.VRRPGarpLowerPrioRepeat < 0 {
		cfg.Global.VRRPGarpLowerPrioRepeat = cfg.Global.VRRPGarpMasterRepeat
	}
	if p.st.nonExistentIf {
		p.errorNoLoc(LevelBadInterface, "Non-existent interface specified in configuration")
		p.stopVRRP()
		return
	}
	if len(cfg.Instances) > 0 {
		p.checkScriptSecurity()
	}
	for _, in := range cfg.Instances {
		if in.VRID == 0 {
			p.errorNoLoc(LevelGeneralError, "(%s) the virtual router id must be set", in.Name)
			p.stopVRRP()
			return
		}
		if in.Interface == "" {
			p.errorNoLoc(LevelGeneralError, "(%s) Unknown interface!", in.Name)
			p.stopVRRP()
			return
		}
	}
	p.completeSyncGroups()
	for _, in := range cfg.Instances {
		if !p.completeInstance(in) {
			p.stopVRRP()
			return
		}
	}
	if p.checkVRIDConflicts() {
		p.stopVRRP()
	}
}

// stopVRRP records that keepalived's VRRP process stops here, with the
// last message as the reason.
func (p *pass) stopVRRP() {
	p.cfg.VRRPStopped = "configuration refused"
	if n := len(p.report.Diags); n > 0 {
		p.cfg.VRRPStopped = p.report.Diags[n-1].String()
	}
}

func (p *pass) completeSyncGroups() {
	member := map[string]string{}
	var kept []*SyncGroup
	for _, g := range p.cfg.SyncGroups {
		if len(g.Group) == 0 {
			p.errorNoLoc(LevelGeneralError, "Sync group %s has no virtual router(s). removing", g.Name)
			continue
		}
		var members []string
		owner, backup := false, false
		for _, name := range g.Group {
			in := p.findInstance(name)
			if in == nil {
				p.errorNoLoc(LevelGeneralError, "Virtual router %s specified in sync group %s doesn't exist - ignoring", name, g.Name)
				continue
			}
			if _, dup := member[name]; dup {
				p.errorNoLoc(LevelGeneralError, "Virtual router %s cannot exist in more than one sync group; ignoring %s", name, g.Name)
				continue
			}
			member[name] = g.Name
			members = append(members, name)
			if owner && in.State == StateBackup {
				p.errorNoLoc(LevelGeneralError, "Sync group %s has some member(s) as address owner and some not as address owner. This won't work.", g.Name)
			}
			if !backup {
				if in.State == StateMaster && in.Priority == 255 {
					owner = true
				} else {
					backup = true
				}
			}
		}
		if len(members) == 0 {
			p.errorNoLoc(LevelGeneralError, "Sync group %s, no matching virtual router found in group declaration - removing", g.Name)
			continue
		}
		if len(members) == 1 {
			p.errorNoLoc(LevelGeneralError, "Sync group %s has only 1 virtual router(s) - this probably isn't what you want", g.Name)
		}
		g.Group = members
		kept = append(kept, g)
	}
	p.cfg.SyncGroups = kept
}

func (p *pass) findInstance(name string) *Instance {
	for _, in := range p.cfg.Instances {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// completeInstance is vrrp_complete_instance: defaults, then the checks.
func (p *pass) completeInstance(in *Instance) bool {
	g := &p.cfg.Global
	name := in.Name
	in.StrictMode = g.VRRPStrict
	if in.strict != nil {
		in.StrictMode = *in.strict
	}
	if in.family == 6 {
		if in.Version == 2 && in.StrictMode {
			p.errorNoLoc(LevelGeneralError, "(%s) cannot use IPv6 with VRRP version 2; setting version 3", name)
			in.Version = 3
		} else if in.Version == 0 {
			in.Version = 3
		}
	}
	if in.family == 0 {
		in.family = 4
	}
	in.IPv6 = in.family == 6
	if in.Version == 0 {
		in.Version = g.VRRPVersion
	}
	if in.family == 4 && in.UnicastTTL == -1 {
		in.UnicastTTL = 255
	}
	if len(in.VIPs) == 0 {
		if in.Version == 3 || in.StrictMode {
			p.errorNoLoc(LevelGeneralError, "(%s) No VIP specified; at least one is required", name)
			return false
		}
		p.errorNoLoc(LevelGeneralError, "(%s) No VIP specified; at least one is sensible", name)
	}
	if in.Priority == 0 {
		if in.State == StateMaster {
			in.Priority = 255
		} else {
			in.Priority = 100
		}
	}
	owner := in.Priority == 255
	if in.State == StateUnset {
		in.State = StateBackup
		if owner {
			in.State = StateMaster
		}
	} else if in.StrictMode && (in.State == StateMaster) != owner {
		p.errorNoLoc(LevelGeneralError, "(%s) State MASTER must match being address owner", name)
		in.State = StateBackup
		if owner {
			in.State = StateMaster
		}
	}
	switch {
	case in.StrictMode && in.AuthType != AuthNone:
		p.errorNoLoc(LevelGeneralError, "(%s) Strict mode does not support authentication. Ignoring.", name)
		in.AuthType = AuthNone
	case in.Version == 3 && in.AuthType != AuthNone:
		p.errorNoLoc(LevelGeneralError, "(%s) VRRP version 3 does not support authentication. Ignoring.", name)
		in.AuthType = AuthNone
	case in.AuthType != AuthNone && in.AuthPass == "":
		p.errorNoLoc(LevelGeneralError, "(%s) Authentication specified but no password given. Ignoring", name)
		in.AuthType = AuthNone
	case in.family == 6 && in.AuthType == AuthAH:
		p.errorNoLoc(LevelGeneralError, "(%s) Cannot use AH authentication with IPv6. ignoring", name)
		in.AuthType = AuthNone
	case in.AuthType == AuthAH && in.State == StateMaster && !owner:
		p.errorNoLoc(LevelGeneralError, "(%s) Initial state master is incompatible with AH authentication - clearing", name)
		in.State = StateBackup
	}
	if in.AuthType == AuthNone {
		in.AuthPass = ""
	}
	unicast := false
	if in.unicastCfg {
		if len(in.UnicastPeers) > 0 {
			unicast = true
		} else if !in.hasOther("unicast_fault_no_peer") {
			p.errorNoLoc(LevelDeprecated, "(%s) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.", name)
		}
	}
	if in.family == 6 && !unicast && len(in.VIPs) > 0 && !in.VIPs[0].Prefix.Addr().IsLinkLocalUnicast() && in.StrictMode {
		p.errorNoLoc(LevelGeneralError, "(%s) the first IPv6 VIP address must be link local", name)
	}
	maxAddr := 255
	if in.family == 4 {
		hdr := 14 + 20 + 8
		if in.Version == 2 {
			hdr += 8
			if in.AuthType == AuthAH {
				hdr += 12
			}
		}
		if m := (p.mtu(in.Interface) - hdr) / 4; m < maxAddr {
			maxAddr = m
		}
	} else if m := (p.mtu(in.Interface) - (14 + 40 + 8)) / 16; m < maxAddr {
		maxAddr = m
	}
	if len(in.VIPs) > maxAddr {
		p.errorNoLoc(LevelGeneralError, "(%s) Number of VIPs (%d) exceeds maximum/space available in packet (max %d addresses) - excess moved to eVIPs", name, len(in.VIPs), maxAddr)
		in.ExcludedVIPs = append(in.ExcludedVIPs, in.VIPs[maxAddr:]...)
		in.VIPs = in.VIPs[:maxAddr]
	}
	if owner && in.NoPreempt {
		p.errorNoLoc(LevelGeneralError, "(%s) nopreempt is incompatible with priority %d. resetting nopreempt", name, 255)
		in.NoPreempt = false
	}
	if in.State == StateMaster {
		if in.NoPreempt {
			p.errorNoLoc(LevelGeneralError, "(%s) Warning - nopreempt will not work with initial state MASTER - clearing", name)
			in.NoPreempt = false
		}
		if in.PreemptDelay != 0 {
			p.errorNoLoc(LevelGeneralError, "(%s) Warning - preempt delay will not work with initial state MASTER - clearing", name)
			in.PreemptDelay = 0
		}
	}
	if in.PreemptDelay != 0 {
		if in.StrictMode {
			p.errorNoLoc(LevelGeneralError, "(%s) preempt_delay is incompatible with strict mode - resetting", name)
			in.PreemptDelay = 0
		}
		if in.NoPreempt {
			p.errorNoLoc(LevelGeneralError, "(%s) preempt_delay is incompatible with nopreempt mode - resetting", name)
			in.PreemptDelay = 0
		}
	}
	if in.DownTimerAdverts != 3 && in.StrictMode {
		p.errorNoLoc(LevelGeneralError, "(%s) down_timer_adverts is incompatible with strict mode - resetting", name)
		in.DownTimerAdverts = 3
	}
	in.Accept = owner || !in.StrictMode
	if in.accept != nil {
		in.Accept = *in.accept
	}
	if in.Accept && !owner && in.StrictMode && in.Version == 2 {
		p.errorNoLoc(LevelGeneralError, "(%s) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting", name)
		in.Accept = false
	}
	if unicast && in.McastDstIP.IsValid() {
		p.errorNoLoc(LevelGeneralError, "(%s) multicast destination specified with unicast - ignoring", name)
		in.McastDstIP = netip.Addr{}
	}
	if !unicast && !in.McastDstIP.IsValid() {
		in.McastDstIP = g.VRRPMcastGroup4
		if in.family == 6 {
			in.McastDstIP = g.VRRPMcastGroup6
		}
	}
	if in.GarpLowerPrioRepeat < 0 {
		in.GarpLowerPrioRepeat = g.VRRPGarpLowerPrioRepeat
		if in.StrictMode {
			in.GarpLowerPrioRepeat = 0
		}
	} else if in.StrictMode && in.GarpLowerPrioRepeat != 0 {
		p.errorNoLoc(LevelGeneralError, "(%s) Strict mode requires no repeat garps. resetting", name)
		in.GarpLowerPrioRepeat = 0
	}
	if in.GarpLowerPrioDelay < 0 {
		in.GarpLowerPrioDelay = g.VRRPGarpLowerPrioDelay
		if in.StrictMode {
			in.GarpLowerPrioDelay = 0
		}
	} else if in.StrictMode && in.GarpLowerPrioDelay != 0 {
		p.errorNoLoc(LevelGeneralError, "(%s) Strict mode requires no repeat garp delay. resetting", name)
		in.GarpLowerPrioDelay = 0
	}
	switch {
	case in.smtpAlert != nil:
		in.SMTPAlert = *in.smtpAlert
	case g.SMTPAlert != nil:
		in.SMTPAlert = *g.SMTPAlert
	}
	p.resolveAdvertInt(in)
	if in.Interface != "" {
		var kept []TrackInterface
		for _, t := range in.TrackInterfaces {
			if t.Name == in.Interface {
				p.errorNoLoc(LevelGeneralError, "(%s) Ignoring track_interface %s since own interface", name, t.Name)
				continue
			}
			kept = append(kept, t)
		}
		in.TrackInterfaces = kept
	}
	if len(in.VIPs) == 0 {
		// keepalived checks again once the VIPs are bound to interfaces
		// (vrrp.c ~l.3817), so a VIP-less instance is reported twice.
		if in.Version == 3 || in.family == 6 || in.StrictMode {
			p.errorNoLoc(LevelGeneralError, "(%s) No VIP specified; at least one is required", name)
			return false
		}
		p.errorNoLoc(LevelWarning, "(%s) No VIP specified; at least one is sensible", name)
	}
	if owner || p.inSyncGroup(in.Name) {
		p.dropWeightedTracking(in, owner)
	}
	if !in.srcFromCfg {
		in.UnicastSrcIP = netip.Addr{}
	}
	return true
}

// resolveAdvertInt applies keepalived's rounding: VRRPv2 whole seconds
// below 256, VRRPv3 centiseconds below 40.96 s.
func (p *pass) resolveAdvertInt(in *Instance) {
	us := in.advertRaw.Microseconds()
	if us == 0 {
		us = 1000000
	}
	if in.Version == 2 {
		if us >= 256*1000000 {
			p.errorNoLoc(LevelGeneralError, "(%s) VRRPv2 advertisement interval %.2fs is out of range. Must be less than %ds. Setting to %ds", in.Name, float64(us)/1e6, 256, 255)
			us = 255 * 1000000
		} else if us%1000000 != 0 {
			p.errorNoLoc(LevelGeneralError, "(%s) VRRPv2 advertisement interval %fs must be an integer. rounding", in.Name, float64(us)/1e6)
			us += 500000
			us -= us % 1000000
			if us == 0 {
				us = 1000000
			}
		}
	} else {
		if us >= 4096*10000 {
			p.errorNoLoc(LevelGeneralError, "(%s) VRRPv3 advertisement interval %.2fs is out of range. Must be less than %.2fs. Setting to %.2fs", in.Name, float64(us)/1e6, 40.96, 40.95)
			us = 4095 * 10000
		} else if us%10000 != 0 {
			p.errorNoLoc(LevelGeneralError, "(%s) VRRPv3 advertisement interval %fs must be in units of 10ms - rounding", in.Name, float64(us)/1e6)
			us += 5000
			us -= us % 10000
			if us == 0 {
				us = 10000
			}
		}
	}
	in.AdvertInt = time.Duration(us) * time.Microsecond
}

func (p *pass) inSyncGroup(name string) bool {
	for _, g := range p.cfg.SyncGroups {
		for _, m := range g.Group {
			if m == name {
				return true
			}
		}
	}
	return false
}

// dropWeightedTracking: an address owner ignores weights (and a sync group
// member too, without sync_group_tracking_weight).
func (p *pass) dropWeightedTracking(in *Instance, owner bool) {
	why, weightWord := "address owner", ""
	scrWhy := "address_owner"
	if !owner {
		why, weightWord, scrWhy = "SYNC group", "weight ", "SYNC group"
	}
	var tis []TrackInterface
	for _, t := range in.TrackInterfaces {
		if t.Weight != 0 {
			p.errorNoLoc(LevelGeneralError, "(%s) ignoring %s tracked interface %sdue to %s", in.Name, t.Name, weightWord, why)
			if owner {
				continue
			}
			t.Weight = 0
		}
		tis = append(tis, t)
	}
	in.TrackInterfaces = tis
	var tss []TrackScript
	for _, t := range in.TrackScripts {
		if t.Weight != 0 {
			p.errorNoLoc(LevelGeneralError, "(%s) ignoring tracked script %s with weights due to %s", in.Name, t.Name, scrWhy)
			continue
		}
		tss = append(tss, t)
	}
	in.TrackScripts = tss
	var tfs []TrackFileRef
	for _, t := range in.TrackFiles {
		switch {
		case t.Weight == 1:
			p.errorNoLoc(LevelGeneralError, "(%s) ignoring weight from tracked file %s due to %s. specify weight 0", in.Name, t.Name, scrWhy)
			t.Weight = 0
		case t.Weight != 0:
			p.errorNoLoc(LevelGeneralError, "(%s) ignoring tracked file %s with weight %d due to %s", in.Name, t.Name, t.Weight, scrWhy)
			continue
		}
		tfs = append(tfs, t)
	}
	in.TrackFiles = tfs
}

// checkVRIDConflicts is check_vrid_conflicts for multicast instances: two
// instances on one interface, family and group may not share a VRID.
func (p *pass) checkVRIDConflicts() (conflict bool) {
	ins := p.cfg.Instances
	for i, a := range ins {
		for _, b := range ins[i+1:] {
			if a.family != b.family || a.VRID != b.VRID {
				continue
			}
			au, bu := len(a.UnicastPeers) > 0 && a.unicastCfg, len(b.UnicastPeers) > 0 && b.unicastCfg
			if au != bu {
				continue
			}
			if au {
				if a.Interface != b.Interface || a.UnicastSrcIP != b.UnicastSrcIP || !a.srcFromCfg || !b.srcFromCfg {
					continue
				}
				match := false
				for _, pa := range a.UnicastPeers {
					for _, pb := range b.UnicastPeers {
						if pa.Addr == pb.Addr {
							match = true
						}
					}
				}
				if match {
					p.errorNoLoc(LevelGeneralError, "(%s) duplicate VRID conflict with %s VRID %d", a.Name, b.Name, a.VRID)
					conflict = true
				}
				continue
			}
			if a.Interface != b.Interface || a.McastDstIP != b.McastDstIP {
				continue
			}
			p.errorNoLoc(LevelGeneralError, "%s and %s both use VRID %d with IPv%d on interface %s", a.Name, b.Name, a.VRID, a.family, a.Interface)
			conflict = true
		}
	}
	return conflict
}

func (in *Instance) hasOther(kw string) bool {
	for _, o := range in.Other {
		if len(o) > 0 && o[0] == kw {
			return true
		}
	}
	return false
}

func (p *pass) mtu(ifname string) int {
	if l, ok := p.links.lookup(ifname); ok && l.MTU > 0 {
		return l.MTU
	}
	return 1500
}

// Script flags of lib/notify.c check_script_secure.
const (
	scInhibit = 1 << iota
	scNotFound
	scIsScript
	scExecutable
	scSystem
	scInsecure
)

// checkScriptSecurity is check_vrrp_script_security: vrrp_scripts that do
// not exist are disabled with a message, notify scripts silently; any
// existing script without enable_script_security is a security violation
// (exit code 6).
func (p *pass) checkScriptSecurity() {
	flags := 0
	insecure := map[string]bool{}
	var kept []*Script
	for _, s := range p.cfg.Scripts {
		f := p.scriptFlags(s.Command, s.User)
		flags |= f
		switch {
		case f&scInhibit != 0:
			p.errorNoLoc(LevelGeneralError, "Disabling track script %s due to insecure", s.Name)
			insecure[s.Name] = true
		case f&scNotFound != 0:
			p.errorNoLoc(LevelGeneralError, "Disabling track script %s since not found/accessible", s.Name)
			insecure[s.Name] = true
		case f&(scExecutable|scSystem) == 0:
			insecure[s.Name] = true
		}
		if !insecure[s.Name] {
			kept = append(kept, s)
		}
	}
	notify := func(cmd **Command) {
		if *cmd == nil {
			return
		}
		f := p.scriptFlags((*cmd).Args, (*cmd).User)
		flags |= f
		if f&(scInhibit|scNotFound) != 0 || f&scExecutable == 0 {
			*cmd = nil
		}
	}
	drop := func(ts []TrackScript) []TrackScript {
		var out []TrackScript
		for _, t := range ts {
			if !insecure[t.Name] {
				out = append(out, t)
			}
		}
		return out
	}
	for _, in := range p.cfg.Instances {
		for _, c := range []**Command{&in.NotifyBackup, &in.NotifyMaster, &in.NotifyFault, &in.NotifyStop, &in.NotifyDeleted, &in.Notify} {
			notify(c)
		}
		in.TrackScripts = drop(in.TrackScripts)
	}
	for _, g := range p.cfg.SyncGroups {
		for _, c := range []**Command{&g.NotifyBackup, &g.NotifyMaster, &g.NotifyFault, &g.NotifyStop, &g.Notify} {
			notify(c)
		}
		g.TrackScripts = drop(g.TrackScripts)
	}
	if !p.st.scriptSecurity && flags&scIsScript != 0 {
		extra := ""
		if flags&scInsecure != 0 {
			extra = " There are insecure scripts."
		}
		p.errorNoLoc(LevelSecurityError, "SECURITY VIOLATION - scripts are being executed but script_security not enabled.%s", extra)
	}
	p.cfg.Scripts = kept
}

// scriptFlags is check_script_secure for a command run as root (or as
// userName when set).
func (p *pass) scriptFlags(cmd []string, userName string) int {
	if len(cmd) == 0 {
		return 0
	}
	prog := cmd[0]
	if strings.HasPrefix(prog, "<") && strings.HasPrefix(strings.TrimLeft(prog[1:], " \t"), "/") {
		return scSystem
	}
	if !strings.Contains(prog, "/") {
		found, err := exec.LookPath(prog)
		if err != nil {
			return scNotFound
		}
		prog = found
	}
	real, err := filepath.EvalSymlinks(prog)
	if err != nil {
		return scNotFound
	}
	if !filepath.IsAbs(real) {
		if abs, err := filepath.Abs(real); err == nil {
			real = abs
		}
	}
	fi, err := p.stat(real)
	if err != nil {
		return scNotFound
	}
	flags := scIsScript
	uid := 0
	if userName == "" {
		userName = p.cfg.Global.ScriptUser
	}
	if userName == "" && p.st.scriptSecurity && p.userExists("keepalived_script") {
		userName = "keepalived_script"
	}
	if userName != "" {
		if u, err := user.Lookup(userName); err == nil {
			uid, _ = strconv.Atoi(u.Uid)
		}
	}
	mode := fi.Mode()
	if uid == 0 && mode.Perm()&0o111 != 0 || uid != 0 && mode.Perm()&0o001 != 0 {
		flags |= scExecutable
		if uid == 0 {
			// keepalived checks the resolved path (realpath) it will run.
			flags |= p.pathSecurity(real)
		}
	}
	return flags
}

// pathSecurity is check_security: every directory on the path and the file
// must be owned by root and not writable by others (sticky directories
// excepted).
func (p *pass) pathSecurity(path string) int {
	parts := strings.Split(path, "/")
	cur := ""
	for i, part := range parts {
		last := i == len(parts)-1
		switch {
		case i == 0:
			cur = "/"
		case cur == "/":
			cur += part
		default:
			cur += "/" + part
		}
		if i > 0 && part == "" && !last {
			continue
		}
		fi, err := os.Lstat(cur)
		if err != nil {
			return scNotFound
		}
		if (!last && !fi.IsDir()) || (last && !fi.Mode().IsRegular() && fi.Mode()&os.ModeSymlink == 0) {
			return scInhibit
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			continue
		}
		mode := uint32(st.Mode)
		dirNoSticky := fi.IsDir() && mode&syscall.S_ISVTX == 0
		if st.Uid != 0 || ((dirNoSticky || fi.Mode().IsRegular()) && ((st.Gid != 0 && mode&0o020 != 0) || mode&0o002 != 0)) {
			if p.st.scriptSecurity {
				return scInsecure | scInhibit
			}
			return scInsecure
		}
	}
	return 0
}

func (p *pass) stat(path string) (os.FileInfo, error) {
	if p.opts.Stat != nil {
		return p.opts.Stat(path)
	}
	return os.Stat(path)
}
