package keepalived

import "fmt"

// Check reads the configuration at path (a file or a glob, as keepalived's
// -f accepts) the way `keepalived -t` does, and returns the resolved
// configuration and everything keepalived would have said. cfg is nil when
// keepalived would not have parsed the text at all (missing file, ...).
func Check(path string, opts Options) (*Config, *Report) {
	rep := &Report{}
	events, ok := loadSource(path, opts)
	if !ok {
		parent := &pass{which: PassParent, events: events, report: rep, opts: opts}
		for {
			if _, more := parent.rawLine(); !more {
				break
			}
		}
		return nil, rep
	}

	global := defaultGlobal()
	links := &linkFinder{opts: opts}
	defer links.close()
	run := func(which Pass, scriptSecurity bool) *pass {
		cfg := &Config{Global: global}
		p := &pass{which: which, events: events, report: rep, opts: opts, cfg: cfg, links: links,
			st: &buildState{cfg: cfg, scriptSecurity: scriptSecurity}}
		p.run(rootSection())
		return p
	}

	parent := run(PassParent, false)
	if rep.Aborted {
		return nil, rep
	}
	if rep.fileError {
		// keepalived stops after its first reading when an include check
		// failed, exiting KEEPALIVED_EXIT_NO_CONFIG (core/main.c), also
		// under -t.
		code := 6
		rep.ExitOverride = &code
		return nil, rep
	}
	global = parent.cfg.Global
	security := parent.st.scriptSecurity
	if opts.Namespace != "" {
		global.NetNamespace = opts.Namespace
	}
	if global.NetNamespace != "" && !links.openNamespace(global.NetNamespace) {
		// keepalived logs "Unable to set network namespace" and stops
		// after its first reading, exiting 0 (core/main.c, goto end).
		rep.ExitOverride = new(int)
		return nil, rep
	}

	checker := run(PassChecker, security)
	if rep.Aborted {
		return nil, rep
	}
	vrrp := run(PassVRRP, security)
	if rep.Aborted {
		return nil, rep
	}
	vrrp.eof = true
	vrrp.completeVRRP()
	bfd := run(PassBFD, security)
	if rep.Aborted {
		return nil, rep
	}

	cfg := vrrp.cfg
	var unsupported []*RawBlock
	for _, rb := range checker.cfg.Unsupported {
		if rb.Keyword != "bfd_instance" {
			unsupported = append(unsupported, rb)
		}
	}
	for _, rb := range cfg.Unsupported {
		if rb.Keyword != "bfd_instance" {
			unsupported = append(unsupported, rb)
		}
	}
	unsupported = append(unsupported, bfd.cfg.Unsupported...)
	cfg.Unsupported = unsupported
	for _, rb := range unsupported {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s (%s line %d) is read but not supported yet: govrrpd will not run it", rb.Keyword, rb.Source.File, rb.Source.Line))
	}
	return cfg, rep
}
