package haproxy

import (
	"fmt"
	"os"
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
		if px.Mode != ModeHTTP {
			// proxy.c proxy_cfg_ensure_no_http()
			if px.Kind.IsBackend() && px.Cookie != nil {
				warn("cookie will be ignored for %s '%s' (needs 'mode http').", typ, px.Name)
			}
			if px.Kind.IsFrontend() && px.MonitorURI != "" {
				warn("monitor-uri will be ignored for %s '%s' (needs 'mode http').", typ, px.Name)
			}
			if px.Kind.IsBackend() && (px.Balance.Algo == BalanceURI || px.Balance.Algo == BalanceURLParam || px.Balance.Algo == BalanceHdr) {
				px.Balance.Algo = BalanceRoundRobin
				warn("Layer 7 hash not possible for %s '%s' (needs 'mode http'). Falling back to round robin.", typ, px.Name)
			}
			if px.Kind.IsFrontend() && (px.logFormatKind == "option httplog" || px.logFormatKind == "option httplog clf" || px.logFormatKind == "option httpslog") {
				name := "option httplog"
				if px.logFormatKind == "option httpslog" {
					name = "option httpslog"
				}
				p.warnf(px.logFormatPos.File, px.logFormatPos.Line, "parsing [%s:%d] : '%s' not usable with %s '%s' (needs 'mode http'). Falling back to 'option tcplog'.",
					px.logFormatPos.File, px.logFormatPos.Line, name, typ, px.Name)
				code |= errWarn
				px.Options.HTTPLog, px.Options.HTTPLogCLF, px.Options.TCPLog = false, false, true
				px.logFormatKind = "option tcplog"
			}
		}
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
				// dynamic, resolved per request: only its expressions
				// are checked now.
				if msg := checkLogFormatExprs(ub.Backend); msg != "" {
					alert("Parsing [%s:%d]: failed to parse use_backend rule '%s' : %s.", ub.File, ub.Line, ub.Backend, msg)
				}
				continue
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
		for _, st := range px.Other {
			if len(st.Args) > 1 && st.Args[0] == "errorfiles" && !p.hasSection("http-errors", st.Args[1]) {
				alert("proxy '%s': unknown http-errors section '%s' (at %s:%d).", px.Name, st.Args[1], st.File, st.Line)
			}
		}
		// cache-use/cache-store declare an implicit cache filter.
		caches := []string{}
		for _, st := range px.Other {
			if len(st.Args) > 2 && st.Args[0] == "filter" && st.Args[1] == "cache" {
				caches = append(caches, st.Args[2])
			}
		}
		for _, rules := range [][]*HTTPRule{px.HTTPRequest, px.HTTPResponse} {
			for _, r := range rules {
				if (r.Action == "cache-use" || r.Action == "cache-store") && len(r.Args) > 0 {
					caches = append(caches, r.Args[0])
				}
			}
		}
		for _, c := range caches {
			if !p.hasSection("cache", c) {
				alert("config: %s '%s': unable to find the cache '%s' referenced by the filter 'cache'.", typ, px.Name, c)
				break
			}
		}
		for _, st := range px.Other {
			if len(st.Args) < 2 || st.Args[0] != "stick" || !px.Kind.IsBackend() {
				continue
			}
			table := px.Name
			for i := 2; i+1 < len(st.Args); i++ {
				if st.Args[i] == "table" {
					table = st.Args[i+1]
				}
			}
			if !p.hasTable(table) {
				alert("Proxy '%s': unable to find stick-table '%s'.", px.Name, table)
			}
		}
		ea := map[string]string{}
		for _, st := range px.Other {
			if len(st.Args) > 2 && st.Args[0] == "email-alert" {
				ea[st.Args[1]] = st.Args[2]
			}
		}
		if len(ea) > 0 {
			if ea["from"] == "" || ea["mailers"] == "" || ea["to"] == "" {
				warn("'email-alert' will be ignored for %s '%s' (the presence any of 'email-alert from', 'email-alert level' 'email-alert mailers', 'email-alert myhostname', or 'email-alert to' requires each of 'email-alert from', 'email-alert mailers' and 'email-alert to' to be present).", typ, px.Name)
			} else if !p.hasSection("mailers", ea["mailers"]) {
				alert("Proxy '%s': unable to find mailers '%s'.", px.Name, ea["mailers"])
			}
		}
		if px.Options.Set["external-check"] && p.globalValue("external-check") == "" && !p.globalFlag("external-check") {
			alert("Proxy '%s' : 'option external-check' unable to find required 'global.external-check'.", px.Name)
		}
		for _, acl := range px.ACLs {
			p.checkBackendArgs(px, acl, &code)
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
		if px.Mode != ModeHTTP {
			for _, s := range px.Servers {
				if s.Cookie != "" {
					warn("%s '%s' : ignoring cookie for server '%s' as HTTP mode is disabled.", typ, px.Name, s.Name)
				}
			}
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
			if msg := p.checkTrack(px, s); msg != "" {
				p.ctxAlert(&stmt{Pos: s.Pos}, "'server %s/%s' : %s", px.Name, s.Name, msg)
				code |= errAlert | errFatal
			}
		}
		for _, s := range px.Servers {
			if s.Resolvers != "" && !p.hasSection("resolvers", s.Resolvers) {
				alert("%s '%s', server '%s': unable to find required resolvers '%s'", typ, px.Name, s.Name, s.Resolvers)
			}
		}
		for _, ref := range px.trackTables {
			if !p.hasTable(ref.table) {
				alert("Proxy '%s': unable to find table '%s' referenced by %s.", px.Name, ref.table, ref.action)
			}
		}
		if px.Kind.IsBackend() && px.Balance.Algo == BalanceHash && px.Balance.Expr != "" {
			fetch, _, _, _ := splitFetch(px.Balance.Expr)
			if !sampleFetches[fetch] {
				alert("%s '%s' [%s:%d]: failed to parse 'balance hash' expression '%s' in : unknown fetch method '%s'.",
					typ, px.Name, px.File, px.Line, px.Balance.Expr, fetch)
			}
		}
		if px.Kind.IsFrontend() && px.LogFormat != "" {
			if msg := checkLogFormat(px.LogFormat, px.Mode == ModeHTTP); msg != "" {
				alert("Parsing [%s:%d]: failed to parse log-format : %s.", px.logFormatPos.File, px.logFormatPos.Line, msg)
			}
		}
		for _, f := range px.extraFormats {
			if len(f.Args) > 1 && px.Kind.IsFrontend() {
				if msg := checkLogFormat(f.Args[1], px.Mode == ModeHTTP); msg != "" {
					alert("Parsing [%s:%d]: failed to parse %s : %s.", f.File, f.Line, f.Args[0], msg)
				}
			}
		}
		if px.UniqueIDFormat != "" {
			if msg := checkLogFormat(px.UniqueIDFormat, px.Mode == ModeHTTP); msg != "" {
				alert("Parsing [%s:%d]: failed to parse unique-id : %s.", px.uniqueIDPos.File, px.uniqueIDPos.Line, msg)
			}
		}
		if len(px.HTTPCheck.Rules) > 0 && px.Options.HTTPChk == nil {
			warn("%s '%s' uses http-check rules without 'option httpchk', so the rules are ignored.", typ, px.Name)
		}
		if px.Kind.IsFrontend() && len(px.Logs) == 0 && (px.LogFormat != "" || px.logFormatKind != "" || px.hasLogFormatSD) {
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
	if p.cfg.Global.TuneBufSize >= 256<<20 {
		for _, px := range p.cfg.Proxies {
			if px.Mode == ModeHTTP {
				alert("global.tune.bufsize must be below 256 MB when HTTP is in use (current value = %d).", p.cfg.Global.TuneBufSize)
				break
			}
		}
	}
	if f := p.globalValue("h1-case-adjust-file"); f != "" {
		if _, err := os.Stat(f); err != nil {
			alert("h1-headers-case-adjust-file '%s': failed to open file.", f)
		}
	}
	local := p.localPeer()
	kept := p.cfg.Sections[:0]
	for _, sec := range p.cfg.Sections {
		if sec.Kind == "peers" && !sec.hasPeer(local) {
			warn("Removing incomplete section 'peers %s' (no peer named '%s').", sec.Name, local)
			continue
		}
		kept = append(kept, sec)
	}
	p.cfg.Sections = kept
	usedMailers := map[string]bool{}
	for _, px := range p.cfg.Proxies {
		for _, st := range px.Other {
			if len(st.Args) > 2 && st.Args[0] == "email-alert" && st.Args[1] == "mailers" {
				usedMailers[st.Args[2]] = true
			}
		}
	}
	for _, sec := range p.cfg.Sections {
		if sec.Kind == "mailers" && !usedMailers[sec.Name] {
			warn("Removing incomplete section 'mailers %s'.", sec.Name)
		}
	}
	for _, ul := range p.cfg.Userlists {
		groups := map[string]bool{}
		users := map[string]bool{}
		for _, g := range ul.Groups {
			groups[g.Name] = true
		}
		for _, u := range ul.Users {
			users[u.Name] = true
		}
		for _, u := range ul.Users {
			for _, g := range u.Groups {
				if !groups[g] {
					alert("userlist '%s': no such group '%s' specified in user '%s'", ul.Name, g, u.Name)
				}
			}
		}
		for _, g := range ul.Groups {
			for _, u := range g.Users {
				if !users[u] {
					alert("userlist '%s': no such user '%s' specified in group '%s'", ul.Name, u, g.Name)
				}
			}
		}
	}
	for _, sec := range p.cfg.Sections {
		if sec.Kind == "program" && !p.cfg.Global.MasterWorker && !p.opts.MasterWorker {
			alert("Can't use a 'program' section without master worker mode.")
			break
		}
	}
	return code
}

// checkTrack validates "track [<proxy>/]<server>" (server.c srv_apply_track).
func (p *parser) checkTrack(px *Proxy, s *Server) string {
	if s.Track == "" {
		return ""
	}
	pname, sname := "", s.Track
	if i := strings.LastIndexByte(s.Track, '/'); i >= 0 {
		pname, sname = s.Track[:i], s.Track[i+1:]
	}
	tpx := px
	if pname != "" {
		tpx = p.cfg.backends[pname]
		if tpx == nil {
			return fmt.Sprintf("unable to find required proxy '%s' for tracking.", pname)
		}
	}
	var target *Server
	for _, o := range tpx.Servers {
		if o.Name == sname {
			target = o
			break
		}
	}
	if target == nil {
		return fmt.Sprintf("unable to find required server '%s' for tracking.", sname)
	}
	if !target.Check && !target.AgentCheck && target.Track == "" {
		return fmt.Sprintf("unable to use %s/%s for tracking as it does not have any check nor agent enabled.", tpx.Name, target.Name)
	}
	if target == s {
		return fmt.Sprintf("unable to track %s/%s as it belongs to a tracking chain looping back to %s/%s.", tpx.Name, target.Name, tpx.Name, target.Name)
	}
	return ""
}

func (p *parser) hasSection(kind, name string) bool {
	for _, s := range p.cfg.Sections {
		if s.Kind == kind && s.Name == name {
			return true
		}
	}
	return false
}

// hasTable reports whether a proxy named name declares a stick-table, or a
// peers section declares a table of that name.
func (p *parser) hasTable(name string) bool {
	for _, px := range p.cfg.Proxies {
		if px.Name != name {
			continue
		}
		for _, st := range px.Other {
			if len(st.Args) > 0 && st.Args[0] == "stick-table" {
				return true
			}
		}
	}
	for _, s := range p.cfg.Sections {
		if s.Kind != "peers" {
			continue
		}
		for _, st := range s.Statements {
			if len(st.Args) > 1 && st.Args[0] == "table" && s.Name+"/"+st.Args[1] == name {
				return true
			}
		}
	}
	return false
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

// backendArgFetches take a backend name as first argument.
var backendArgFetches = map[string]bool{"nbsrv": true, "be_conn": true, "be_conn_free": true, "be_sess_rate": true,
	"queue": true, "avg_queue": true, "connslots": true, "srv_conn": true, "srv_is_up": true, "srv_queue": true,
	"srv_sess_rate": true, "srv_conn_free": true}

func (p *parser) checkBackendArgs(px *Proxy, acl *ACL, code *int) {
	if (acl.Fetch == "http_auth" || acl.Fetch == "http_auth_group") && len(acl.FetchArgs) > 0 {
		var list *Userlist
		for _, ul := range p.cfg.Userlists {
			if ul.Name == acl.FetchArgs[0] {
				list = ul
			}
		}
		if list != nil && acl.Fetch == "http_auth_group" {
			for _, g := range acl.Patterns {
				found := false
				for _, lg := range list.Groups {
					found = found || lg.Name == g
				}
				if !found {
					p.alertf(acl.File, acl.Line, "proxy %s: acl %s %s(): invalid group '%s'.", px.Name, acl.Name, acl.Fetch, g)
					*code |= errAlert | errFatal
					return
				}
			}
		}
		if list == nil {
			p.alertf(acl.File, acl.Line, "parsing [%s:%d]: unable to find userlist '%s' referenced in arg 1 of ACL keyword '%s' in proxy '%s'.",
				acl.File, acl.Line, acl.FetchArgs[0], acl.Fetch, px.Name)
			*code |= errAlert | errFatal
		}
		return
	}
	if !backendArgFetches[acl.Fetch] || len(acl.FetchArgs) == 0 {
		return
	}
	name := acl.FetchArgs[0]
	if strings.HasPrefix(acl.Fetch, "srv_") {
		name, _, _ = strings.Cut(name, "/")
	}
	if p.cfg.backends[name] == nil {
		p.alertf(acl.File, acl.Line, "parsing [%s:%d]: unable to find backend '%s' referenced in arg 1 of ACL keyword '%s' in proxy '%s'.",
			acl.File, acl.Line, name, acl.Fetch, px.Name)
		*code |= errAlert | errFatal
	}
}

// globalFlag reports whether a flag keyword is present in the global section.
func (p *parser) globalFlag(kw string) bool {
	for _, st := range p.cfg.Global.Other {
		if len(st.Args) > 0 && st.Args[0] == kw {
			return true
		}
	}
	return false
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
			if (s.SSL || hasOption(s.Options, "check-ssl")) && s.Verify != "none" && !hasOption(s.Options, "ca-file") && p.globalValue("ssl-server-verify") != "none" {
				p.ctxAlert(&stmt{Pos: s.Pos}, "'server %s/%s' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.", px.Name, s.Name)
				code |= errAlert | errFatal
			}
		}
		for _, s := range px.Servers {
			if !s.Check || s.Port != 0 || s.Track != "" {
				continue
			}
			switch s.Address.Family {
			case FamilyUnix, FamilyABNS, FamilyFD, FamilySockPair, FamilyHost:
				continue
			}
			if !s.Address.PortOffset {
				continue
			}
			msg := fmt.Sprintf("config: %s '%s': server '%s' has neither service port nor check port.", proxyTypeStr(px.Kind), px.Name, s.Name)
			if hasCheckRules(px) {
				if firstTCPCheckConnectHasPort(px) {
					continue
				}
				msg = fmt.Sprintf("config: %s '%s': server '%s' has neither service port nor check port nor tcp_check rule 'connect' with port information.", proxyTypeStr(px.Kind), px.Name, s.Name)
			}
			p.diags = append(p.diags, Diag{Level: LevelAlert, Context: "config", Text: msg})
			code |= errAlert | errAbort
		}
	}
	return code
}

func hasOption(opts []string, name string) bool {
	for _, o := range opts {
		if o == name {
			return true
		}
	}
	return false
}

// localPeer is the name haproxy gives the local peer: -L, "localpeer", or
// the host name.
func (p *parser) localPeer() string {
	if p.opts.LocalPeer != "" {
		return p.opts.LocalPeer
	}
	if v := p.globalValue("localpeer"); v != "" {
		return v
	}
	h, _ := os.Hostname()
	return h
}

func (s *Section) hasPeer(name string) bool {
	for _, st := range s.Statements {
		if len(st.Args) > 1 && (st.Args[0] == "peer" || st.Args[0] == "server") && st.Args[1] == name {
			return true
		}
	}
	return false
}

// hasCheckRules reports whether the proxy uses a tcp-check based health
// check (option httpchk, tcp-check, and the protocol checks).
func hasCheckRules(px *Proxy) bool {
	if px.Options.HTTPChk != nil {
		return true
	}
	for _, o := range []string{"tcp-check", "ssl-hello-chk", "smtpchk", "pgsql-check", "redis-check", "mysql-check", "ldap-check", "spop-check"} {
		if px.Options.Set[o] {
			return true
		}
	}
	return false
}

// firstTCPCheckConnectHasPort reports whether the first tcp-check rule is
// a "connect" with a port.
func firstTCPCheckConnectHasPort(px *Proxy) bool {
	for _, st := range px.Other {
		if len(st.Args) < 2 || st.Args[0] != "tcp-check" || st.Args[1] == "comment" {
			continue
		}
		if st.Args[1] != "connect" {
			return false
		}
		for i := 2; i+1 < len(st.Args); i++ {
			if st.Args[i] == "port" {
				return true
			}
		}
		return false
	}
	return false
}
