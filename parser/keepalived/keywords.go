package keepalived

// rootSection builds the top-level keyword table every reading knows
// (each keepalived process installs all root keywords, active or not), with
// the passes that act on each.
func rootSection() *section {
	parent := setOf(PassParent)
	vrrpOnly := setOf(PassVRRP)
	checker := setOf(PassChecker)
	tracking := setOf(PassChecker, PassVRRP)
	bfd := setOf(PassChecker, PassVRRP, PassBFD)

	root := &section{}
	add := func(k *keyword) { root.keywords = append(root.keywords, k) }

	add(&keyword{name: "global_defs", passes: parent, sub: globalDefsSection()})
	for _, name := range globalRootKeywords {
		add(&keyword{name: name, passes: parent, handler: func(p *pass, w []string) {
			p.cfg.Global.Other = append(p.cfg.Global.Other, append([]string{}, w...))
		}})
	}

	add(&keyword{name: "net_namespace", passes: parent, handler: func(p *pass, w []string) {
		switch {
		case len(w) < 2:
			p.errorf(LevelGeneralError, "net_namespace name missing - ignoring")
		case p.cfg.Global.NetNamespace != "":
			p.errorf(LevelGeneralError, "Duplicate net_namespace definition %s - ignoring", w[1])
		default:
			p.cfg.Global.NetNamespace = w[1]
		}
	}})
	add(&keyword{name: "vrrp_instance", passes: vrrpOnly, handler: vrrpInstanceHandler, sub: instanceSection(), closeFn: vrrpInstanceEnd})
	add(&keyword{name: "vrrp_script", passes: vrrpOnly, handler: vrrpScriptHandler, sub: scriptSection(), closeFn: vrrpScriptEnd})
	add(&keyword{name: "vrrp_sync_group", passes: vrrpOnly, handler: syncGroupHandler, sub: syncGroupSection()})
	add(&keyword{name: "track_file", passes: tracking, handler: trackFileHandler, sub: trackFileSection(), closeFn: trackFileEnd})
	add(&keyword{name: "vrrp_track_file", passes: tracking, handler: trackFileHandler, sub: trackFileSection(), closeFn: trackFileEnd})

	// VRRP-process blocks govrrpd keeps without running them yet.
	for _, name := range []string{"static_ipaddress", "static_routes", "static_rules", "linkbeat_interfaces", "interface_up_down_delays"} {
		add(&keyword{name: name, passes: vrrpOnly, handler: func(p *pass, w []string) {
			rb := p.rawBlock(w)
			p.valueBlock(w, func(v []string) {
				rb.Lines = append(rb.Lines, v)
				switch w[0] {
				case "static_routes":
					p.checkRoute(v)
				case "static_rules":
					p.checkRule(v)
				}
			})
		}})
	}
	add(&keyword{name: "track_group", passes: vrrpOnly, handler: rawHandler, sub: rawSection("group")})
	add(&keyword{name: "garp_group", passes: vrrpOnly, handler: rawHandler, sub: rawSection("garp_interval", "gna_interval", "interface", "interfaces")})
	add(&keyword{name: "vrrp_track_process", passes: vrrpOnly, handler: rawHandler,
		sub: rawSection("process", "param_match", "weight", "quorum", "quorum_max", "delay", "terminate_delay", "fork_delay", "full_command")})

	// LVS (checker process) and BFD blocks: kept as words, not validated.
	lvs := checkerSections()
	add(&keyword{name: "SSL", passes: checker, handler: rawHandler, sub: lvs["SSL"]})
	add(&keyword{name: "virtual_server_group", passes: checker, handler: vsgHandler})
	add(&keyword{name: "virtual_server", passes: checker, handler: rawHandler, sub: lvs["virtual_server"]})
	add(&keyword{name: "bfd_instance", passes: bfd, handler: rawHandler, sub: wildcardSection()})
	return root
}

// rawBlock starts a kept block for the current keyword line.
func (p *pass) rawBlock(w []string) *RawBlock {
	rb := &RawBlock{Keyword: w[0], Args: append([]string{}, w[1:]...), Source: p.source()}
	p.cfg.Unsupported = append(p.cfg.Unsupported, rb)
	p.st.raw = rb
	return rb
}

func rawHandler(p *pass, w []string) { p.rawBlock(w) }

// rawSection accepts the given keywords and records their lines. The
// list-valued ones (track_group's "group", garp_group's "interfaces") read
// a value block when no value follows on their line.
func rawSection(names ...string) *section {
	s := &section{}
	for _, n := range names {
		list := n == "group" || n == "interfaces"
		s.keywords = append(s.keywords, &keyword{name: n, handler: func(p *pass, w []string) {
			rb := p.st.raw
			if rb == nil {
				return
			}
			if list && (len(w) == 1 || w[1] == "{") {
				p.valueBlock(w, func(v []string) { rb.Lines = append(rb.Lines, append([]string{w[0]}, v...)) })
				return
			}
			rb.Lines = append(rb.Lines, append([]string{}, w...))
		}})
	}
	return s
}

func wildcardSection() *section {
	return &section{wildcard: true, onWord: func(p *pass, w []string, depth int) {
		if p.st.raw != nil {
			p.st.raw.Lines = append(p.st.raw.Lines, append([]string{}, w...))
		}
	}}
}
