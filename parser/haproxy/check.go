package haproxy

import (
	"fmt"
	"strings"
)

// checkConfig runs the cross-section checks haproxy makes once every file is
// read (cfgparse.c check_config_validity), in the same order and words.
func (p *parser) checkConfig() int {
	code := 0
	warn := func(format string, args ...any) {
		p.diags = append(p.diags, Diag{Level: LevelWarning, Context: "config", Text: fmt.Sprintf(format, args...)})
		code |= errWarn
	}
	alert := func(format string, args ...any) {
		p.diags = append(p.diags, Diag{Level: LevelAlert, Context: "config", Text: fmt.Sprintf(format, args...)})
		code |= errAlert | errFatal
	}
	for _, px := range p.cfg.Proxies {
		if px.Disabled {
			continue
		}
		typ := proxyTypeStr(px.Kind)
		if px.Kind.IsFrontend() && len(px.Binds) == 0 {
			warn("%s '%s' has no 'bind' directive. Please declare it as a backend if this was intended.", typ, px.Name)
		}
		if px.Kind.IsBackend() && !px.Balance.Set {
			px.Balance.Algo = BalanceRoundRobin
		}
		if px.Kind.IsFrontend() && px.DefaultBackend != "" {
			t := p.cfg.backends[px.DefaultBackend]
			switch {
			case t == nil:
				alert("Proxy '%s': unable to find required default_backend: '%s'.", px.Name, px.DefaultBackend)
			case t == px:
				alert("Proxy '%s': loop detected for default_backend: '%s'.", px.Name, px.DefaultBackend)
			case t.Mode != px.Mode && !(px.Mode == ModeTCP && t.Mode == ModeHTTP):
				alert("%s %s '%s' (%s:%d) tries to use incompatible %s %s '%s' (%s:%d) as its default backend (see 'mode').",
					px.Mode, typ, px.Name, px.File, px.Line, t.Mode, proxyTypeStr(t.Kind), t.Name, t.File, t.Line)
			default:
				if len(px.Servers) > 0 {
					warn("In proxy '%s', the 'default_backend' rule always has precedence over the servers, which will never be used.", px.Name)
				}
			}
		}
		for _, ub := range px.UseBackends {
			if strings.Contains(ub.Backend, "%[") || strings.Contains(ub.Backend, "%{") {
				continue // dynamic, resolved per request
			}
			t := p.cfg.backends[ub.Backend]
			switch {
			case t == nil:
				alert("Proxy '%s': unable to find required use_backend: '%s'.", px.Name, ub.Backend)
			case t == px:
				alert("Proxy '%s': loop detected for use_backend: '%s'.", px.Name, ub.Backend)
			case t.Mode != px.Mode && !(px.Mode == ModeTCP && t.Mode == ModeHTTP):
				alert("%s %s '%s' (%s:%d) tries to use incompatible %s %s '%s' (%s:%d) in a 'use_backend' rule (see 'mode').",
					px.Mode, typ, px.Name, px.File, px.Line, t.Mode, proxyTypeStr(t.Kind), t.Name, t.File, t.Line)
			}
		}
		if len(px.Stats.HTTPRequests) > 0 && (len(px.Stats.Auths) > 0 || px.Stats.Realm != "") {
			alert("%s '%s': stats 'auth'/'realm' and 'http-request' can't be used at the same time.", typ, px.Name)
		}
		t := px.Timeouts
		if (px.Kind.IsFrontend() && t.Client == 0) ||
			(px.Kind.IsBackend() && len(px.Servers) > 0 && (t.Connect == 0 || (t.Server == 0 && (px.Mode == ModeHTTP || t.Tunnel == 0)))) {
			warn("missing timeouts for %s '%s'.\n"+
				"   | While not properly invalid, you will certainly encounter various problems\n"+
				"   | with such a configuration. To fix this, please ensure that all following\n"+
				"   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.", typ, px.Name)
		}
		// duplicate server names (a template's servers are named later)
		seen := make(map[string]*Server, len(px.Servers))
		for _, s := range px.Servers {
			if o := seen[s.Name]; o != nil {
				alert("parsing [%s:%d] : %s '%s', another server named '%s' was already defined at line %d, please use distinct names.",
					s.File, s.Line, typ, px.Name, s.Name, o.Line)
				continue
			}
			seen[s.Name] = s
		}
		for _, s := range px.Servers {
			if s.Track == "" {
				continue
			}
			pxName, srvName, ok := strings.Cut(s.Track, "/")
			tpx := px
			if ok {
				tpx = p.cfg.backends[pxName]
			} else {
				srvName = pxName
				pxName = px.Name
			}
			if tpx == nil {
				alert("config : %s '%s', server '%s': unable to find required proxy '%s' for tracking.", typ, px.Name, s.Name, pxName)
				continue
			}
			found := false
			for _, o := range tpx.Servers {
				if o.Name == srvName {
					found = true
				}
			}
			if !found {
				alert("config : %s '%s', server '%s': unable to find required server '%s' for tracking.", typ, px.Name, s.Name, srvName)
			}
		}
		if px.Kind.IsBackend() && px.Balance.Algo == BalanceHash && px.Balance.Expr != "" {
			fetch, _, _, _ := splitFetch(px.Balance.Expr)
			if !sampleFetches[fetch] {
				alert("%s '%s' [%s:%d]: failed to parse 'balance hash' expression '%s' in : unknown fetch method '%s'.",
					typ, px.Name, px.File, px.Line, px.Balance.Expr, fetch)
			}
		}
		if px.Kind.IsFrontend() && len(px.Logs) == 0 && (px.LogFormat != "" || px.logFormatKind != "") {
			warn("log format ignored for %s '%s' since it has no log address.", typ, px.Name)
		}
		if px.Mode != ModeHTTP {
			if px.Stats.Enabled {
				warn("'stats' statement ignored for %s '%s' as it requires HTTP mode.", typ, px.Name)
			}
			if len(px.HTTPRequest) > 0 {
				warn("'http-request' rules ignored for %s '%s' as they require HTTP mode.", typ, px.Name)
			}
			if len(px.HTTPResponse) > 0 {
				warn("'http-response' rules ignored for %s '%s' as they require HTTP mode.", typ, px.Name)
			}
			if px.Options.ForwardFor != nil {
				warn("'option %s' ignored for %s '%s' as it requires HTTP mode.", "forwardfor", typ, px.Name)
			}
		}
	}
	return code
}

// resolveServerAddrs resolves server host names at the end, as haproxy's
// srv_init_addr() does with the default init-addr "last,libc".
func (p *parser) resolveServerAddrs() int {
	code := 0
	for _, px := range p.cfg.Proxies {
		for _, s := range px.Servers {
			if s.Address.Family != FamilyHost {
				continue
			}
			if s.InitAddr != "" && !strings.Contains(s.InitAddr, "libc") {
				continue
			}
			if strings.HasPrefix(s.Address.Host, "_") || s.Resolvers != "" && strings.Contains(s.InitAddr, "none") {
				continue
			}
			if !p.resolveHost(s.Address.Host) {
				p.ctxAlert(&stmt{Pos: s.Pos}, "'server %s/%s' : could not resolve address '%s'.", px.Name, s.Name, s.Address.Host)
				code |= errAlert | errFatal
			}
		}
	}
	return code
}

// postServerChecks are haproxy's per-server checks run after
// check_config_validity (check.c init_srv_check).
func (p *parser) postServerChecks() int {
	code := 0
	for _, px := range p.cfg.Proxies {
		if px.Disabled {
			continue
		}
		for _, s := range px.Servers {
			if !s.Check || s.Port != 0 || s.Track != "" {
				continue
			}
			switch s.Address.Family {
			case FamilyUnix, FamilyABNS, FamilyFD, FamilySockPair:
				continue
			}
			if s.Address.PortOffset {
				p.diags = append(p.diags, Diag{Level: LevelAlert, Context: "config",
					Text: fmt.Sprintf("config: %s '%s': server '%s' has neither service port nor check port.", proxyTypeStr(px.Kind), px.Name, s.Name)})
				code |= errAlert | errFatal
			}
		}
	}
	return code
}
