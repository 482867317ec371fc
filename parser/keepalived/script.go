package keepalived

import (
	"strings"
	"time"
)

// Handlers of vrrp_script, track_file and vrrp_sync_group
// (vrrp/vrrp_parser.c, trackers/track_file.c).

func (p *pass) script() *Script {
	if p.st.script == nil {
		p.st.script = &Script{Interval: time.Second, Rise: 1, Fall: 1}
	}
	return p.st.script
}

func vrrpScriptHandler(p *pass, w []string) {
	p.st.script = &Script{Name: p.arg(w, 1), Interval: time.Second, Rise: 1, Fall: 1, Source: p.source()}
	p.cfg.Scripts = append(p.cfg.Scripts, p.st.script)
	p.st.scriptUserSet, p.st.removeScript = false, false
}

// vrrpScriptEnd is vrrp_vscript_end_handler: a script without a command,
// or whose user cannot be set, is removed.
func vrrpScriptEnd(p *pass) {
	s := p.script()
	if len(s.Command) == 0 {
		p.errorf(LevelGeneralError, "No script set for vrrp_script %s - removing", s.Name)
		p.st.removeScript = true
	} else if !p.st.removeScript && !p.st.scriptUserSet {
		if !p.defaultScriptUser() {
			p.errorf(LevelGeneralError, "Unable to set default user for vrrp script %s - removing", s.Name)
			p.st.removeScript = true
		}
	}
	if p.st.removeScript {
		p.removeScript(s)
	}
}

func (p *pass) removeScript(s *Script) {
	out := p.cfg.Scripts[:0]
	for _, x := range p.cfg.Scripts {
		if x != s {
			out = append(out, x)
		}
	}
	p.cfg.Scripts = out
}

// defaultScriptUser is get_default_script_user: scripts run as
// keepalived_script when that user exists, else as root; with
// enable_script_security a missing keepalived_script is an error
// (reported once).
func (p *pass) defaultScriptUser() bool {
	if p.cfg.Global.ScriptUser != "" {
		return true
	}
	if p.st.defaultUserDone {
		return !p.st.defaultUserFail
	}
	p.st.defaultUserDone = true
	if !p.userExists("keepalived_script") && p.st.scriptSecurity {
		p.errorf(LevelGeneralError, "Unable to set default user %s for script", "keepalived_script")
		p.st.defaultUserFail = true
		return false
	}
	return true
}

func scriptSection() *section {
	s := &section{}
	add := func(name string, h func(p *pass, sc *Script, w []string)) {
		s.keywords = append(s.keywords, &keyword{name: name, handler: func(p *pass, w []string) { h(p, p.script(), w) }})
	}
	add("script", func(p *pass, sc *Script, w []string) { sc.Command, _, _ = p.scriptCommand(w) })
	add("interval", func(p *pass, sc *Script, w []string) {
		v, ok := p.readUint(p.arg(w, 1), 0, 4294)
		if !ok {
			p.errorf(LevelGeneralError, "(%s): vrrp script interval '%s' must be between 1 and %d - ignoring", sc.Name, w[1], 4294)
			return
		}
		if v == 0 {
			p.errorf(LevelGeneralError, "(%s): vrrp script interval must be greater than 0, setting to 1", sc.Name)
			v = 1
		}
		sc.Interval = time.Duration(v) * time.Second
	})
	add("timeout", func(p *pass, sc *Script, w []string) {
		v, ok := p.readUint(p.arg(w, 1), 0, 4294)
		if !ok {
			p.errorf(LevelGeneralError, "(%s): vrrp script timeout '%s' invalid - ignoring", sc.Name, w[1])
			return
		}
		if v == 0 {
			p.errorf(LevelGeneralError, "(%s): vrrp script timeout must be greater than 0, setting to 1", sc.Name)
			v = 1
		}
		sc.Timeout = time.Duration(v) * time.Second
	})
	add("weight", func(p *pass, sc *Script, w []string) {
		v, ok := p.readInt(p.arg(w, 1), -253, 253)
		if !ok {
			p.errorf(LevelGeneralError, "vrrp_script %s weight %s must be in [-253, 253]", sc.Name, w[1])
		}
		// keepalived stores the value even when it is out of range.
		sc.Weight = v
		if len(w) >= 3 {
			if w[2] == "reverse" {
				sc.WeightReverse = true
			} else {
				p.errorf(LevelGeneralError, "vrrp_script %s unknown weight option %s", sc.Name, w[2])
			}
		}
	})
	riseFall := func(name string, dst func(sc *Script) *int) {
		add(name, func(p *pass, sc *Script, w []string) {
			v, ok := p.readUint(p.arg(w, 1), 1, 1<<31-1)
			if !ok {
				p.errorf(LevelGeneralError, "(%s): vrrp script %s value '%s' invalid, defaulting to 1", sc.Name, name, w[1])
				v = 1
			}
			*dst(sc) = int(v)
		})
	}
	riseFall("rise", func(sc *Script) *int { return &sc.Rise })
	riseFall("fall", func(sc *Script) *int { return &sc.Fall })
	add("user", func(p *pass, sc *Script, w []string) {
		user := p.arg(w, 1)
		group := ""
		if len(w) > 2 {
			group = w[2]
		}
		if !p.userExists(user) || (group != "" && !groupExists(group)) {
			p.errorf(LevelGeneralError, "Unable to set uid/gid for script %s", strings.Join(sc.Command, " "))
			p.st.removeScript = true
			return
		}
		sc.User, sc.Group = user, group
		p.st.removeScript, p.st.scriptUserSet = false, true
	})
	add("init_fail", func(p *pass, sc *Script, w []string) { sc.InitFail = true })
	return s
}

func (p *pass) trackFile() *TrackFile {
	if p.st.trackFile == nil {
		return &TrackFile{}
	}
	return p.st.trackFile
}

func trackFileHandler(p *pass, w []string) {
	p.st.trackFile = &TrackFile{Name: p.arg(w, 1), Weight: 1, Source: p.source()}
}

func trackFileSection() *section {
	s := &section{}
	s.keywords = []*keyword{
		{name: "file", handler: func(p *pass, w []string) {
			if len(w) < 2 {
				p.errorf(LevelGeneralError, "track file file name missing")
				return
			}
			tf := p.trackFile()
			if tf.Path != "" {
				p.errorf(LevelGeneralError, "File already set for track file %s - ignoring %s", tf.Name, w[1])
				return
			}
			tf.Path = w[1]
		}},
		{name: "weight", handler: func(p *pass, w []string) {
			tf := p.trackFile()
			if len(w) < 2 {
				p.errorf(LevelGeneralError, "No weight specified for track file %s - ignoring", tf.Name)
				return
			}
			if tf.Weight != 1 {
				p.errorf(LevelGeneralError, "Weight already set for track file %s - ignoring %s", tf.Name, w[1])
				return
			}
			v, ok := p.readInt(w[1], -254, 254)
			if !ok {
				p.errorf(LevelGeneralError, "Weight (%s) for track_file %s must be between [-254..254] inclusive. Ignoring...", w[1], tf.Name)
				v = 1
			}
			tf.Weight = v
			if len(w) >= 3 {
				if w[2] == "reverse" {
					tf.WeightReverse = true
				} else {
					p.errorf(LevelGeneralError, "track_file %s unknown weight option %s", tf.Name, w[2])
				}
			}
		}},
		{name: "init_file", handler: func(p *pass, w []string) {
			tf := p.trackFile()
			tf.Init, tf.InitValue = TrackFileInitCreate, 0
			for _, word := range w[1:] {
				word = strings.TrimLeft(word, " \t")
				switch {
				case word != "" && (word[0] == '-' || (word[0] >= '0' && word[0] <= '9')):
					v, ok := p.readInt(word, -1<<31, 1<<31-1)
					if !ok {
						p.errorf(LevelGeneralError, "Track file %s init value %s is invalid", tf.Name, word)
						v = 0
					} else if v < -254 || v > 254 {
						p.errorf(LevelGeneralError, "Track file %s init value %d is outside sensible range [%d, %d]", tf.Name, v, -254, 254)
					}
					tf.InitValue = v
				case word == "overwrite":
					tf.Init = TrackFileInitOverwrite
				default:
					p.errorf(LevelGeneralError, "Unknown track file init option %s", word)
				}
			}
		}},
	}
	return s
}

// trackFileEnd is track_file_end_handler.
func trackFileEnd(p *pass) {
	tf := p.st.trackFile
	if tf == nil {
		return
	}
	if tf.Path == "" {
		p.errorf(LevelGeneralError, "No file set for track_file %s - ignoring", tf.Name)
		return
	}
	p.st.trackFile = nil
	p.cfg.TrackFiles = append(p.cfg.TrackFiles, tf)
}

func (p *pass) syncGroup() *SyncGroup {
	if p.st.sync == nil {
		p.st.sync = &SyncGroup{}
	}
	return p.st.sync
}

func syncGroupHandler(p *pass, w []string) {
	if len(w) != 2 {
		p.errorf(LevelGeneralError, "vrrp_sync_group must have a name - skipping")
		p.skipBlock(true)
		return
	}
	for _, g := range p.cfg.SyncGroups {
		if g.Name == w[1] {
			p.errorf(LevelGeneralError, "vrrp sync group %s already defined", w[1])
			p.skipBlock(true)
			return
		}
	}
	p.st.sync = &SyncGroup{Name: w[1], Source: p.source()}
	p.cfg.SyncGroups = append(p.cfg.SyncGroups, p.st.sync)
}

func syncGroupSection() *section {
	s := &section{}
	add := func(name string, h func(p *pass, g *SyncGroup, w []string)) {
		s.keywords = append(s.keywords, &keyword{name: name, handler: func(p *pass, w []string) { h(p, p.syncGroup(), w) }})
	}
	add("group", func(p *pass, g *SyncGroup, w []string) {
		if g.Group != nil {
			p.errorf(LevelGeneralError, "Group list already specified for sync group %s", g.Name)
			p.skipBlock(true)
			return
		}
		g.Group = p.readValueBlock(w)
		if len(g.Group) == 0 {
			g.Group = nil
			p.errorf(LevelGeneralError, "Warning - sync group %s has empty group block", g.Name)
		}
	})
	add("track_interface", func(p *pass, g *SyncGroup, w []string) {
		p.valueBlock(w, func(v []string) { g.TrackInterfaces = p.trackInterface(g.Name, g.TrackInterfaces, v) })
	})
	add("track_script", func(p *pass, g *SyncGroup, w []string) {
		p.valueBlock(w, func(v []string) { g.TrackScripts = p.trackScript(g.Name, g.TrackScripts, v) })
	})
	add("track_file", func(p *pass, g *SyncGroup, w []string) {
		p.valueBlock(w, func(v []string) { g.TrackFiles = p.trackFileRef(g.Name, g.TrackFiles, v) })
	})
	notify := func(name string, dst func(g *SyncGroup) **Command) {
		add(name, func(p *pass, g *SyncGroup, w []string) {
			d := dst(g)
			if *d != nil {
				p.errorf(LevelGeneralError, "vrrp group %s: %s script already specified - ignoring %s", g.Name, name, p.arg(w, 1))
				return
			}
			*d = p.notifyCommand(w)
		})
	}
	notify("notify_master", func(g *SyncGroup) **Command { return &g.NotifyMaster })
	notify("notify_backup", func(g *SyncGroup) **Command { return &g.NotifyBackup })
	notify("notify_fault", func(g *SyncGroup) **Command { return &g.NotifyFault })
	notify("notify_stop", func(g *SyncGroup) **Command { return &g.NotifyStop })
	notify("notify", func(g *SyncGroup) **Command { return &g.Notify })
	add("smtp_alert", func(p *pass, g *SyncGroup, w []string) {
		res := 1
		if len(w) >= 2 {
			if res = trueFalse(w[1]); res < 0 {
				p.errorf(LevelGeneralError, "Invalid vrrp_group smtp_alert parameter %s", w[1])
				return
			}
		}
		g.SMTPAlert = res == 1
	})
	add("global_tracking", func(p *pass, g *SyncGroup, w []string) {
		p.errorf(LevelGeneralError, "(%s) global_tracking is deprecated. Use track_interface/script/file on the sync group", g.Name)
	})
	add("sync_group_tracking_weight", func(p *pass, g *SyncGroup, w []string) {})
	add("notify_priority_changes", func(p *pass, g *SyncGroup, w []string) {})
	for _, name := range []string{"track_process", "track_bfd"} {
		add(name, func(p *pass, g *SyncGroup, w []string) { p.valueBlock(w, func([]string) {}) })
	}
	return s
}
