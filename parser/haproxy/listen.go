package haproxy

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// listenKeywords are the proxy keywords registered through haproxy's
// cfg_keywords list for CFG_LISTEN in 2.6 (used for "did you mean").
var listenKeywords = []string{
	"external-check", "use-fcgi-app", "filter", "compression", "errorloc", "errorloc302", "errorloc303",
	"errorfile", "errorfiles", "http-error", "timeout", "clitimeout", "contimeout", "srvtimeout",
	"rate-limit", "max-keep-alive-queue", "declare", "retry-on", "clitcpka-cnt", "srvtcpka-cnt",
	"clitcpka-idle", "srvtcpka-idle", "clitcpka-intvl", "srvtcpka-intvl", "tcp-request", "tcp-response",
	"http-check", "tcp-check",
}

// listenCommonKeywords is cfgparse-listen.c's common_kw_list.
var listenCommonKeywords = []string{
	"listen", "frontend", "backend", "defaults", "server",
	"default-server", "server-template", "bind", "monitor-net",
	"monitor-uri", "mode", "id", "description", "disabled", "enabled",
	"bind-process", "acl", "dynamic-cookie-key", "cookie", "email-alert",
	"persist", "appsession", "load-server-state-from-file",
	"server-state-file-name", "max-session-srv-conns", "capture",
	"retries", "http-request", "http-response", "http-after-response",
	"http-send-name-header", "block", "redirect", "use_backend",
	"use-server", "force-persist", "ignore-persist", "force-persist",
	"stick-table", "stick", "stats", "option", "default_backend",
	"http-reuse", "monitor", "transparent", "maxconn", "backlog",
	"fullconn", "dispatch", "balance", "hash-type",
	"hash-balance-factor", "unique-id-format", "unique-id-header",
	"log-format", "log-format-sd", "log-tag", "log", "source", "usesrc",
	"error-log-format",
}

// keptListenKeywords are valid proxy keywords goproxy recognises and keeps
// as statements without a dedicated model field.
var keptListenKeywords = map[string]bool{
	"server-template": true, "dynamic-cookie-key": true, "email-alert": true, "persist": true,
	"load-server-state-from-file": true, "server-state-file-name": true, "max-session-srv-conns": true,
	"http-after-response": true, "http-send-name-header": true, "redirect": true, "use-server": true,
	"force-persist": true, "ignore-persist": true, "stick-table": true, "stick": true, "http-reuse": true,
	"monitor": true, "dispatch": true, "hash-balance-factor": true, "log-format-sd": true, "log-tag": true,
	"source": true, "error-log-format": true, "external-check": true, "use-fcgi-app": true, "filter": true,
	"compression": true, "errorloc": true, "errorloc302": true, "errorloc303": true, "errorfiles": true,
	"http-error": true, "rate-limit": true, "max-keep-alive-queue": true, "declare": true, "retry-on": true,
	"clitcpka-cnt": true, "srvtcpka-cnt": true, "clitcpka-idle": true, "srvtcpka-idle": true,
	"clitcpka-intvl": true, "srvtcpka-intvl": true, "tcp-request": true, "tcp-response": true,
	"tcp-check": true, "bind-process": true, "transparent": true,
}

// proxyTypeStr is haproxy's proxy_type_str().
func proxyTypeStr(k ProxyKind) string {
	switch k {
	case KindDefaults:
		return "defaults"
	case KindFrontend:
		return "frontend"
	case KindBackend:
		return "backend"
	default:
		return "proxy"
	}
}

// proxyCapStr is haproxy's proxy_cap_str() for a section being created.
func proxyCapStr(k ProxyKind) string {
	switch k {
	case KindDefaults:
		return "defaults"
	case KindFrontend:
		return "frontend"
	case KindBackend:
		return "backend"
	default:
		return "proxy"
	}
}

// invalidChar returns the first character haproxy's invalid_char() refuses
// in a name (only letters, digits, '-', '_', '.' and ':' are allowed).
func invalidChar(s string) (byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || c == '.' || c == ':' || c == '_' || c == '-' {
			continue
		}
		return c, true
	}
	return 0, false
}

func newProxy(kind ProxyKind, name string, pos Pos) *Proxy {
	px := &Proxy{Pos: pos, Kind: kind, Name: name, Retries: 3, ErrorFiles: map[int]string{},
		acls: map[string]*ACL{}, srvByName: map[string]*Server{}}
	px.Options.RedispatchInterval = -1
	px.Options.Set = map[string]bool{}
	px.DefaultServer = defaultServerParams()
	px.HashType.Function = "sdbm"
	return px
}

func defaultServerParams() ServerParams {
	return ServerParams{Weight: 1, Inter: 2 * time.Second, Rise: 2, Fall: 3, ErrorLimit: 10, OnError: "fail-check"}
}

// inherit copies what a proxy takes from its defaults section, following
// haproxy's proxy_defproxy_cpy() (proxy.c): some settings only apply to
// frontends, others only to backends.
func inherit(px, def *Proxy) {
	fe, be := px.Kind.IsFrontend(), px.Kind.IsBackend()
	px.Disabled = def.Disabled
	px.Mode = def.Mode
	px.Options = def.Options
	px.Options.Set = make(map[string]bool, len(def.Options.Set))
	for k, v := range def.Options.Set {
		px.Options.Set[k] = v
	}
	if def.Options.ForwardFor != nil {
		ff := *def.Options.ForwardFor
		px.Options.ForwardFor = &ff
	}
	if def.Options.HTTPChk != nil {
		hc := *def.Options.HTTPChk
		px.Options.HTTPChk = &hc
	}
	px.DefaultServer = def.DefaultServer
	px.DefaultServer.Options = append([]string(nil), def.DefaultServer.Options...)
	for k, v := range def.ErrorFiles {
		px.ErrorFiles[k] = v
	}
	px.Logs = append([]LogTarget(nil), def.Logs...)
	px.NoLog = def.NoLog
	px.Stats = def.Stats
	px.Stats.Auths = append([]StatsAuth(nil), def.Stats.Auths...)
	px.Stats.Scopes = append([]string(nil), def.Stats.Scopes...)
	px.HTTPCheck.Rules = append([]Statement(nil), def.HTTPCheck.Rules...)
	if fe {
		px.MaxConn = def.MaxConn
		px.Backlog = def.Backlog
		px.Timeouts.Client = def.Timeouts.Client
		px.Timeouts.ClientFin = def.Timeouts.ClientFin
		px.Timeouts.Tarpit = def.Timeouts.Tarpit
		px.Timeouts.HTTPRequest = def.Timeouts.HTTPRequest
		px.Timeouts.HTTPKeepAlive = def.Timeouts.HTTPKeepAlive
		px.MonitorURI = def.MonitorURI
		px.DefaultBackend = def.DefaultBackend
		px.LogFormat = def.LogFormat
		px.logFormatKind = def.logFormatKind
		px.logFormatPos = def.logFormatPos
		px.Captures = append([]*Capture(nil), def.Captures...)
	}
	if be {
		px.Balance = def.Balance
		px.HashType = def.HashType
		px.FullConn = def.FullConn
		px.DynamicCookieKey = def.DynamicCookieKey
		px.Retries = def.Retries
		if def.Cookie != nil {
			c := *def.Cookie
			px.Cookie = &c
		}
		px.Timeouts.Connect = def.Timeouts.Connect
		px.Timeouts.Server = def.Timeouts.Server
		px.Timeouts.ServerFin = def.Timeouts.ServerFin
		px.Timeouts.Check = def.Timeouts.Check
		px.Timeouts.Queue = def.Timeouts.Queue
		px.Timeouts.Tarpit = def.Timeouts.Tarpit
		px.Timeouts.HTTPRequest = def.Timeouts.HTTPRequest
		px.Timeouts.HTTPKeepAlive = def.Timeouts.HTTPKeepAlive
		px.Timeouts.Tunnel = def.Timeouts.Tunnel
	}
	// Rules of a named defaults section are inherited (2.6 feature).
	px.HTTPRequest = append([]*HTTPRule(nil), def.HTTPRequest...)
	px.HTTPResponse = append([]*HTTPRule(nil), def.HTTPResponse...)
	px.inheritedReq, px.inheritedRes = len(px.HTTPRequest), len(px.HTTPResponse)
	px.UniqueIDFormat = def.UniqueIDFormat
	px.uniqueIDPos = def.uniqueIDPos
	px.UniqueIDHeader = def.UniqueIDHeader
}

// startProxy handles the line opening a defaults/frontend/backend/listen
// section (cfg_parse_listen's first part).
func (p *parser) startProxy(st *stmt) int {
	code := 0
	var kind ProxyKind
	switch st.args[0] {
	case "listen":
		kind = KindListen
	case "frontend":
		kind = KindFrontend
	case "backend":
		kind = KindBackend
	default:
		kind = KindDefaults
	}
	name := st.arg(1)
	if kind != KindDefaults {
		if name == "" {
			p.alert(st, "'%s' expects an <id> argument", st.args[0])
			p.cur = nil
			return errAlert | errAbort
		}
		if c, bad := invalidChar(name); bad {
			code |= p.alert(st, "character '%c' is not permitted in '%s' name '%s'.", c, st.args[0], name)
		}
		// like haproxy, a section with frontend capability is only
		// compared with frontends, a backend with backends.
		var other *Proxy
		if kind == KindFrontend || kind == KindListen {
			other = p.cfg.frontends[name]
		} else {
			other = p.cfg.backends[name]
		}
		if other != nil {
			p.alertf(st.File, st.Line, "Parsing [%s:%d]: %s '%s' has the same name as %s '%s' declared at %s:%d.",
				st.File, st.Line, proxyCapStr(kind), name, proxyTypeStr(other.Kind), other.Name, other.File, other.Line)
			code |= errAlert | errFatal
		}
		// (args[2] set and not "from <name>") or too many words: haproxy
		// gives up on the section; following lines then fail with
		// "'listen' or 'defaults' expected.".
		if st.arg(2) != "" && (st.arg(3) == "" || st.args[2] != "from") {
			if kind == KindFrontend || kind == KindListen {
				p.alert(st, "please use the 'bind' keyword for listening addresses.")
			}
			p.cur = nil
			return code
		}
		if st.nargs() > 4 {
			code |= p.alert(st, "'%s' cannot handle unexpected argument '%s'.", st.args[0], st.args[4])
			if kind == KindFrontend || kind == KindListen {
				p.alert(st, "please use the 'bind' keyword for listening addresses.")
			}
			p.cur = nil
			return code
		}
	}
	argi := 2
	if kind == KindDefaults && name == "from" && st.arg(2) != "" && st.arg(3) == "" {
		argi = 1
		name = ""
	}
	def := p.lastDefaults
	from := ""
	if st.arg(argi) == "from" {
		from = st.arg(argi + 1)
		cands := p.defaultsByName[from]
		if len(cands) == 0 || from == "" {
			p.alert(st, "defaults section '%s' not found for %s '%s'.", from, proxyCapStr(kind), name)
			p.cur = nil
			return code | errAlert | errAbort
		}
		def = cands[0]
		if len(cands) > 1 {
			code |= p.alert(st, "ambiguous defaults section name '%s' referenced by %s '%s' exists at least at %s:%d and %s:%d.",
				from, proxyCapStr(kind), name, cands[0].File, cands[0].Line, cands[1].File, cands[1].Line)
		}
		if c, bad := invalidChar(from); bad {
			code |= p.alert(st, "character '%c' is not permitted in defaults section name '%s' when designated by its name (section found at %s:%d).",
				c, from, def.File, def.Line)
		}
		p.explicitRef[def] = true
	} else if def != nil && kind != KindDefaults {
		p.implicitRef[def] = true
	}
	if def != nil && p.explicitRef[def] && p.implicitRef[def] && kind != KindDefaults {
		// haproxy prints this one as an alert but only flags a warning.
		p.alertf(st.File, st.Line, "parsing [%s:%d] : defaults section '%s' (declared at %s:%d) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.",
			st.File, st.Line, def.Name, def.File, def.Line)
		code |= errWarn
	}
	if kind == KindDefaults && from == "" {
		// a defaults section without "from" starts from haproxy's
		// built-in defaults, not from the previous defaults section.
		def = nil
	}
	px := newProxy(kind, name, st.Pos)
	p.defaultsOf[px] = def
	if def != nil {
		px.From = def.Name
		if len(def.HTTPRequest) > 0 || len(def.HTTPResponse) > 0 || def.hasTCPRules {
			switch kind {
			case KindDefaults:
				p.alertNS(st, "a defaults section cannot inherit from a defaults section defining TCP/HTTP rules (defaults section at %s:%d).", def.File, def.Line)
				code |= errAlert | errAbort
			case KindListen:
				p.alertNS(st, "a listen section cannot inherit from a defaults section defining TCP/HTTP rules.")
				code |= errAlert | errAbort
			default:
				if def.rulesUsedBy != 0 && def.rulesUsedBy != kind {
					p.alertNS(st, "frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules (defaults section at %s:%d).", def.File, def.Line)
					code |= errAlert | errAbort
				} else if kind == KindBackend && def.hasL4Rules {
					p.alertNS(st, "a backend section cannot inherit from a defaults section defining 'tcp-request connection' or 'tcp-request session' rules (defaults section at %s:%d).", def.File, def.Line)
					code |= errAlert | errAbort
				} else if kind == KindFrontend && def.hasTCPResRules {
					p.alertNS(st, "a frontend section cannot inherit from a defaults section defining 'tcp-response content' rules (defaults section at %s:%d).", def.File, def.Line)
					code |= errAlert | errAbort
				}
				def.rulesUsedBy = kind
			}
		}
		if kind.IsBackend() && len(def.Captures) > 0 {
			p.alertNS(st, "backend or defaults sections cannot inherit from a defaults section defining capptures (defaults section at %s:%d).", def.File, def.Line)
			code |= errAlert | errAbort
		}
		inherit(px, def)
	}
	p.cur = px
	if kind == KindDefaults {
		p.lastDefaults = px
		p.cfg.Defaults = append(p.cfg.Defaults, px)
		if name != "" {
			p.defaultsByName[name] = append(p.defaultsByName[name], px)
		}
		return code
	}
	p.cfg.Proxies = append(p.cfg.Proxies, px)
	if kind.IsFrontend() && p.cfg.frontends[name] == nil {
		p.cfg.frontends[name] = px
	}
	if kind.IsBackend() && p.cfg.backends[name] == nil {
		p.cfg.backends[name] = px
	}
	return code
}

// warnNotCap is haproxy's warnifnotcap(): a keyword without effect in this
// kind of proxy is ignored with a warning.
func (p *parser) warnNotCap(st *stmt, px *Proxy, needFE, needBE bool, arg, hint string) bool {
	if (needFE && px.Kind.IsFrontend()) || (needBE && px.Kind.IsBackend()) {
		return false
	}
	msg := "no frontend"
	if needBE && needFE {
		msg = "neither frontend nor backend"
	} else if needBE {
		msg = "no backend"
	}
	p.warn(st, "'%s' ignored because %s '%s' has %s capability.%s", arg, proxyTypeStr(px.Kind), px.Name, msg, hint)
	return true
}

func (p *parser) failNotCap(st *stmt, px *Proxy, needFE, needBE bool, arg string) bool {
	if (needFE && px.Kind.IsFrontend()) || (needBE && px.Kind.IsBackend()) {
		return false
	}
	msg := "no frontend"
	if needBE {
		msg = "no backend"
	}
	p.alert(st, "'%s' not allowed because %s '%s' has %s capability.", arg, proxyTypeStr(px.Kind), px.Name, msg)
	return true
}

// parseListen parses a statement of a defaults/frontend/backend/listen
// section (cfgparse-listen.c cfg_parse_listen).
func (p *parser) parseListen(st *stmt) int {
	switch st.args[0] {
	case "defaults", "frontend", "backend", "listen":
		if st.mod == "" {
			return p.startProxy(st)
		}
	}
	px := p.cur
	if px == nil {
		return p.alert(st, "'listen' or 'defaults' expected.")
	}
	kw := st.args[0]
	if st.mod != "" && kw != "option" && kw != "log" && kw != "" {
		// the reader already reported the modifier; haproxy still
		// parses the keyword with the shifted words.
		st.mod = ""
	}
	isDef := px.Kind == KindDefaults
	switch kw {
	case "server", "default-server", "server-template":
		return p.parseServer(st, px)
	case "bind":
		if isDef {
			return p.alert(st, "'%s' not allowed in 'defaults' section.", kw)
		}
		code := 0
		if p.warnNotCap(st, px, true, false, kw, "") {
			code |= errWarn
		}
		return code | p.parseBind(st, px)
	case "mode", "id", "description", "disabled", "enabled", "acl", "cookie",
		"capture", "retries", "http-request", "http-response", "block", "use_backend", "stats",
		"option", "default_backend", "maxconn", "backlog", "fullconn", "balance", "hash-type",
		"unique-id-format", "unique-id-header", "log-format", "log", "monitor-uri", "errorfile",
		"timeout", "http-check", "appsession", "grace", "usesrc":
		return p.parseProxyKeyword(st, px)
	case "contimeout", "clitimeout", "srvtimeout":
		return p.legacyTimeout(st, px)
	}
	if code, ok := p.parseLegacyListen(st, px); ok {
		return code
	}
	if keptListenKeywords[kw] {
		return p.keepListen(st, px)
	}
	best := bestMatch(kw, listenKeywords, listenCommonKeywords)
	if best != "" {
		return p.alert(st, "unknown keyword '%s' in '%s' section; did you mean '%s' maybe ?", kw, p.section, best)
	}
	return p.alert(st, "unknown keyword '%s' in '%s' section", kw, p.section)
}

// keptCaps gives the capability haproxy warns about for kept keywords
// ('f' frontend, 'b' backend), from cfgparse-listen.c warnifnotcap calls.
var keptCaps = map[string]byte{"max-session-srv-conns": 'f', "monitor": 'f', "dispatch": 'b', "dynamic-cookie-key": 'b',
	"http-reuse": 'b', "http-send-name-header": 'b', "ignore-persist": 'b', "load-server-state-from-file": 'b',
	"server-state-file-name": 'b', "source": 'b', "stick": 'b', "use-server": 'b'}

// keepListen stores a recognised keyword with light validation.
func (p *parser) keepListen(st *stmt, px *Proxy) int {
	kw := st.args[0]
	if kw == "dynamic-cookie-key" && st.arg(1) != "" {
		px.DynamicCookieKey = st.args[1]
	}
	if c, ok := keptCaps[kw]; ok && p.warnNotCap(st, px, c == 'f', c == 'b', kw, "") {
		px.Other = append(px.Other, st.statement())
		return errWarn
	}
	switch kw {
	case "max-keep-alive-queue":
		if !px.Kind.IsBackend() {
			px.Other = append(px.Other, st.statement())
			return p.warn(st, "%s will be ignored because %s '%s' has no backend capability", kw, proxyTypeStr(px.Kind), px.Name)
		}
	case "tcp-request", "tcp-response":
		if c := p.parseTCPRule(st, px); c&errFatal != 0 {
			return c
		}
		if px.Kind == KindDefaults {
			px.hasTCPRules = true
			if kw == "tcp-request" && (st.arg(1) == "connection" || st.arg(1) == "session") {
				px.hasL4Rules = true
			}
			if kw == "tcp-response" {
				px.hasTCPResRules = true
			}
		}
		if kw == "tcp-request" {
			code := 0
			switch st.arg(1) {
			case "content":
				code = p.misplacedTCPCont(st, px)
				px.nTCPCont++
			case "connection":
				code = p.misplacedTCPConn(st, px)
			case "session":
				code = p.misplacedTCPSess(st, px)
				px.nTCPSess++
			}
			px.Other = append(px.Other, st.statement())
			return code
		}
	case "monitor":
		if st.arg(1) == "fail" {
			code := p.misplacedMonitor(st, px, "monitor fail")
			px.nMonitorFail++
			px.Other = append(px.Other, st.statement())
			return code
		}
	case "use-server":
		px.nUseServer++
	case "force-persist", "ignore-persist":
		if c, _ := p.parseCondition(st, px, 1); c != nil {
			px.PersistRules = append(px.PersistRules, &PersistRule{Pos: st.Pos, Force: kw == "force-persist", Cond: c})
		}
	case "stick-table":
		if msg := checkStickTable(st.args[1:st.nargs()]); msg != "" {
			return p.alert(st, "stick-table: %s", msg)
		}
	case "use-fcgi-app":
		if !px.Kind.IsBackend() || px.Kind == KindDefaults {
			return p.alert(st, "'%s' only available in backend or listen section", kw)
		}
	case "retry-on":
		for _, w := range st.args[1:st.nargs()] {
			switch w {
			case "none", "conn-failure", "empty-response", "junk-response", "response-timeout", "0rtt-rejected",
				"all-retryable-errors", "401", "403", "404", "408", "425", "500", "501", "502", "503", "504":
			default:
				return p.alert(st, "'%s': unknown keyword '%s'", kw, w)
			}
		}
	case "filter":
		switch st.arg(1) {
		case "compression", "spoe", "cache", "trace", "fcgi-app", "bwlim-in", "bwlim-out", "opentracing":
		default:
			return p.alert(st, "'%s' : unknown keyword '%s'. Registered keywords :", kw, st.arg(1))
		}
	case "compression":
		switch st.arg(1) {
		case "algo":
			for _, a := range st.args[2:st.nargs()] {
				switch a {
				case "identity", "deflate", "raw-deflate", "gzip":
				default:
					return p.alert(st, "'%s' : '%s' is not a supported algorithm.", kw, a)
				}
			}
		case "type", "offload":
		default:
			return p.alert(st, "'%s' expects 'algo', 'type' or 'offload'", kw)
		}
	case "email-alert":
		switch st.arg(1) {
		case "from", "mailers", "myhostname", "level", "to":
		default:
			return p.alert(st, "email-alert: unknown argument '%s'.", st.arg(1))
		}
	case "clitcpka-idle", "srvtcpka-idle", "clitcpka-intvl", "srvtcpka-intvl":
		_, res, bad, _ := parseTime(st.arg(1), time.Second)
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects an integer value", kw)
		}
		if res == timeBadChar {
			return p.alert(st, "unexpected character '%c' in argument to <%s>.", bad, kw)
		}
	case "http-after-response":
		if px.Kind == KindDefaults && px.Name == "" {
			return p.alert(st, "'%s' not allowed in anonymous 'defaults' section.", kw)
		}
		sub := &stmt{Pos: st.Pos, args: st.args}
		if !tcpActionKnown(httpAfterActions, st.arg(1)) {
			p.alertNS(sub, "'%s' expects %sbut got '%s'%s.", kw, actionListText(httpAfterActions), st.arg(1), missingArg(st.arg(1)))
			return errAlert | errAbort
		}
	case "http-send-name-header":
		if st.arg(1) == "" {
			return p.alert(st, "'%s' requires a header string.", kw)
		}
	case "log-tag":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects a tag for use in syslog.", kw)
		}
	case "dispatch":
		if _, msg := parseAddress(st.arg(1), paPortOK|paPortMand|paStream|paResolve, p.resolveHost); msg != "" {
			return p.alert(st, "'%s' : %s", kw, strings.TrimSuffix(msg, "\n"))
		}
	case "source":
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects <addr>[:<port>], and optionally '%s' <addr>, and '%s' <name>.", kw, "usesrc", "interface")
		}
	case "log-format-sd", "error-log-format":
		if st.arg(2) != "" {
			return p.alert(st, "%s expects only one argument, don't forget to escape spaces!", kw)
		}
		if kw == "log-format-sd" {
			px.hasLogFormatSD = true
		}
		px.extraFormats = append(px.extraFormats, st.statement())
	case "tcp-check":
		if msg := checkTCPCheck(st); msg != "" {
			return p.alert(st, "%s", msg)
		}
	case "declare":
		if st.arg(1) != "capture" {
			return p.alert(st, "'%s' needs a second keyword that specify the type of declaration ('capture')", kw)
		}
		if st.arg(1) == "capture" {
			if st.arg(2) != "request" && st.arg(2) != "response" {
				return p.alert(st, "'declare capture' requires a direction ('request' or 'response')")
			}
			if st.arg(3) != "len" || st.arg(4) == "" {
				return p.alert(st, "'declare capture' requires a capture length ('len')")
			}
			if atoi(st.arg(4)) <= 0 {
				return p.alert(st, "length must be > 0")
			}
		}
	case "stick":
		if px.Kind.IsBackend() {
			switch st.arg(1) {
			case "on", "match", "store-request", "store-response":
			default:
				return p.alert(st, "'%s' expects 'on', 'match', or 'store'.", kw)
			}
			if st.arg(2) == "" {
				return p.alert(st, "'%s' expects a fetch method.", kw)
			}
			if fetch, _, _, _ := splitFetch(st.args[2]); !sampleFetches[fetch] {
				return p.alert(st, "'%s': unknown fetch method '%s'", kw, fetch)
			}
		}
	case "hash-balance-factor":
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects an integer argument.", kw)
		}
		if n := atoi(st.arg(1)); n != 0 && n <= 100 {
			return p.alert(st, "'%s' must be 0 or greater than 100.", kw)
		}
	case "http-reuse":
		switch st.arg(1) {
		case "never", "safe", "aggressive", "always":
			if c, bad := p.tooManyArgsIdx(st, 0, 1); bad {
				return c
			}
		default:
			return p.alert(st, "'%s' only supports 'never', 'safe', 'aggressive', 'always'.", kw)
		}
	case "bind-process":
		px.Other = append(px.Other, st.statement())
		return p.warnNS(st, "'%s' has no effect, is deprecated, and will be removed in version 2.7.", kw)
	case "transparent":
		px.Other = append(px.Other, st.statement())
		return 0
	case "redirect":
		if st.nargs() < 2 {
			return p.alert(st, "'%s' expects 'code', 'prefix', 'location', 'scheme' or 'drop-query'.", kw)
		}
		code := p.misplacedRedirect(st, px, kw)
		px.nRedirect++
		px.Other = append(px.Other, st.statement())
		return code
	}
	px.Other = append(px.Other, st.statement())
	return 0
}

func (p *parser) warnNS(st *stmt, format string, args ...any) int {
	p.warnf(st.File, st.Line, "parsing [%s:%d]: %s", st.File, st.Line, fmt.Sprintf(format, args...))
	return errWarn
}

// parseProxyKeyword handles the keywords modelled on Proxy.
func (p *parser) parseProxyKeyword(st *stmt, px *Proxy) int {
	kw := st.args[0]
	isDef := px.Kind == KindDefaults
	code := 0
	switch kw {
	case "monitor-net":
		return p.alert(st, "'monitor-net' doesn't exist anymore. Please use 'http-request return status 200 if { src %s }' instead.", st.arg(1))
	case "monitor-uri":
		if p.warnNotCap(st, px, true, false, kw, "") {
			code |= errWarn
		}
		if c, bad := p.tooManyArgs(st, 1); bad {
			return code | c
		}
		if st.arg(1) == "" {
			return code | p.alert(st, "'%s' expects an URI.", kw)
		}
		px.MonitorURI = st.args[1]
	case "mode":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		switch st.arg(1) {
		case "http":
			px.Mode = ModeHTTP
		case "tcp":
			px.Mode = ModeTCP
		case "health":
			return p.alert(st, "'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.")
		default:
			return p.alert(st, "unknown proxy mode '%s'.", st.arg(1))
		}
	case "id":
		if isDef {
			return p.alertNS(st, "'%s' not allowed in 'defaults' section.", kw)
		}
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if st.arg(1) == "" {
			return p.alertNS(st, "'%s' expects an integer argument.", kw)
		}
		id := atoi(st.args[1])
		if id <= 0 {
			return p.alertNS(st, "custom id has to be > 0.")
		}
		if other := p.proxyIDs[id]; other != nil {
			return p.alertNS(st, "%s %s reuses same custom id as %s %s (declared at %s:%d).",
				proxyTypeStr(px.Kind), px.Name, proxyTypeStr(other.Kind), other.Name, other.File, other.Line)
		}
		p.proxyIDs[id] = px
		px.ID = id
	case "description":
		if isDef {
			return p.alertNS(st, "'%s' not allowed in 'defaults' section.", kw)
		}
		if st.arg(1) == "" {
			return p.alertNS(st, "'%s' expects a string argument.", kw)
		}
		px.Description = strings.Join(st.args[1:st.nargs()], " ")
	case "disabled":
		if c, bad := p.tooManyArgs(st, 0); bad {
			return c
		}
		px.Disabled = true
	case "enabled":
		if c, bad := p.tooManyArgs(st, 0); bad {
			return c
		}
		px.Disabled = false
	case "acl":
		return p.parseACLLine(st, px)
	case "cookie":
		return p.parseCookie(st, px)
	case "capture":
		return p.parseCapture(st, px)
	case "retries":
		if p.warnNotCap(st, px, false, true, kw, "") {
			return errWarn
		}
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects an integer argument (dispatch counts for one).", kw)
		}
		px.Retries = atoi(st.args[1])
	case "http-request", "http-response":
		return p.parseHTTPRuleLine(st, px)
	case "block":
		return p.alert(st, "The '%s' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax.", kw)
	case "use_backend":
		return p.parseUseBackend(st, px)
	case "default_backend":
		if isDef && false {
			return 0
		}
		if p.warnNotCap(st, px, true, false, kw, "") {
			return errWarn
		}
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects a backend name.", kw)
		}
		px.DefaultBackend = st.args[1]
		px.defaultBackendPos = st.Pos
	case "stats":
		return p.parseStats(st, px)
	case "option":
		return p.parseOption(st, px)
	case "maxconn":
		if p.warnNotCap(st, px, true, false, kw, " Maybe you want 'fullconn' instead ?") {
			code |= errWarn
		}
		if c, bad := p.tooManyArgs(st, 1); bad {
			return code | c
		}
		if st.arg(1) == "" {
			return code | p.alert(st, "'%s' expects an integer argument.", kw)
		}
		px.MaxConn = atoi(st.arg(1))
	case "backlog":
		if p.warnNotCap(st, px, true, false, kw, "") {
			code |= errWarn
		}
		if c, bad := p.tooManyArgs(st, 1); bad {
			return code | c
		}
		px.Backlog = atoi(st.arg(1))
	case "fullconn":
		if p.warnNotCap(st, px, false, true, kw, "") {
			code |= errWarn
		}
		if c, bad := p.tooManyArgs(st, 1); bad {
			return code | c
		}
		if st.arg(1) == "" {
			return code | p.alert(st, "'%s' expects an integer argument.", kw)
		}
		px.FullConn = atoi(st.arg(1))
	case "grace":
		px.Other = append(px.Other, st.statement())
		return p.alertNS(st, "the '%s' keyword is not supported any more since HAProxy version 2.5.", kw)
	case "balance":
		return p.parseBalance(st, px)
	case "hash-type":
		return p.parseHashType(st, px)
	case "unique-id-format":
		if st.arg(1) == "" {
			return p.alert(st, "%s expects an argument.", kw)
		}
		if st.arg(2) != "" {
			return p.alert(st, "%s expects only one argument, don't forget to escape spaces!", kw)
		}
		px.UniqueIDFormat = st.args[1]
		px.uniqueIDPos = st.Pos
	case "unique-id-header":
		if st.arg(1) == "" {
			return p.alert(st, "%s expects an argument.", kw)
		}
		px.UniqueIDHeader = st.args[1]
	case "log-format":
		if st.arg(1) == "" {
			return p.alert(st, "%s expects an argument.", kw)
		}
		if st.arg(2) != "" {
			return p.alert(st, "%s expects only one argument, don't forget to escape spaces!", kw)
		}
		if isDef && px.LogFormat != "" {
			p.warnNS(st, "'log-format' overrides previous '%s' in 'defaults' section.", logFormatOrigin(px))
			code |= errWarn
		}
		px.LogFormat = st.args[1]
		px.logFormatKind = "log-format"
		px.logFormatPos = st.Pos
		if !px.Kind.IsFrontend() {
			p.warn(st, "backend '%s' : 'log-format' directive is ignored in backends.", px.Name)
			code |= errWarn
		}
	case "log":
		return p.parseProxyLog(st, px)
	case "errorfile":
		return p.parseErrorfile(st, px)
	case "timeout":
		return p.parseTimeout(st, px)
	case "http-check":
		// like haproxy, the rule is kept even when it has no effect
		if p.warnNotCap(st, px, false, true, kw, "") {
			code |= errWarn
		}
		return code | p.parseHTTPCheck(st, px)
	case "appsession":
		return p.alert(st, "'appsession' is not supported anymore since HAProxy 1.6.")
	case "usesrc":
		return p.alert(st, "'%s' only allowed after a '%s' statement.", "usesrc", "source")
	}
	return code
}

func logFormatOrigin(px *Proxy) string {
	if px.logFormatKind != "" {
		return px.logFormatKind
	}
	return "log-format"
}

// parseTimeout handles "timeout <name> <value>" (proxy.c proxy_parse_timeout).
func (p *parser) parseTimeout(st *stmt, px *Proxy) int {
	which := st.arg(1)
	var tv *time.Duration
	var defv time.Duration
	def := p.defaultsFor(px)
	var defT Timeouts
	if def != nil {
		defT = def.Timeouts
	}
	fe, be := false, false
	switch which {
	case "client":
		tv, defv, fe = &px.Timeouts.Client, defT.Client, true
	case "tarpit":
		tv, defv, fe, be = &px.Timeouts.Tarpit, defT.Tarpit, true, true
	case "http-keep-alive":
		tv, defv, fe, be = &px.Timeouts.HTTPKeepAlive, defT.HTTPKeepAlive, true, true
	case "http-request":
		tv, defv, fe, be = &px.Timeouts.HTTPRequest, defT.HTTPRequest, true, true
	case "server":
		tv, defv, be = &px.Timeouts.Server, defT.Server, true
	case "connect":
		tv, defv, be = &px.Timeouts.Connect, defT.Connect, true
	case "check":
		tv, defv, be = &px.Timeouts.Check, defT.Check, true
	case "queue":
		tv, defv, be = &px.Timeouts.Queue, defT.Queue, true
	case "tunnel":
		tv, defv, be = &px.Timeouts.Tunnel, defT.Tunnel, true
	case "client-fin":
		tv, defv, fe = &px.Timeouts.ClientFin, defT.ClientFin, true
	case "server-fin":
		tv, defv, be = &px.Timeouts.ServerFin, defT.ServerFin, true
	case "clitimeout", "srvtimeout", "contimeout":
		return p.legacyTimeout(&stmt{Pos: st.Pos, args: st.args[1:]}, px)
	default:
		return p.alert(st, "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '%s')", which)
	}
	if st.arg(2) == "" {
		return p.alert(st, "'timeout %s' expects an integer value (in milliseconds)", which)
	}
	d, res, bad, trailing := parseTime(st.args[2], time.Millisecond)
	switch res {
	case timeOverflow:
		return p.alert(st, "timer overflow in argument '%s' to 'timeout %s' (maximum value is 2147483647 ms or ~24.8 days)", st.args[2], which)
	case timeUnderflow:
		return p.alert(st, "timer underflow in argument '%s' to 'timeout %s' (minimum non-null value is 1 ms)", st.args[2], which)
	case timeBadChar:
		return p.alert(st, "unexpected character '%c' in 'timeout %s'", bad, which)
	}
	code := 0
	if trailing {
		code |= p.trailingTimeWarning(st.args[2])
	}
	if !((fe && px.Kind.IsFrontend()) || (be && px.Kind.IsBackend())) {
		capName := "frontend"
		if be {
			capName = "backend"
		}
		return code | p.warn(st, "'timeout %s' will be ignored because %s '%s' has no %s capability", which, proxyTypeStr(px.Kind), px.Name, capName)
	}
	if px.Kind == KindDefaults {
		// haproxy compares a defaults section with itself: never warns.
	} else if def != nil && *tv != defv {
		code |= p.warn(st, "overwriting 'timeout %s' which was already specified", which)
	} else if def == nil && *tv != 0 {
		code |= p.warn(st, "overwriting 'timeout %s' which was already specified", which)
	}
	if st.arg(3) != "" {
		return code | p.alert(st, "'timeout %s' : unexpected extra argument '%s' after value '%s'.", which, st.args[3], st.args[2])
	}
	*tv = d
	return code
}

// trailingTimeWarning is parse_time_err()'s warning for characters after a
// valid unit; it carries no file/line in haproxy.
func (p *parser) trailingTimeWarning(v string) int {
	i := 0
	for i < len(v) && isDigit(v[i]) {
		i++
	}
	if strings.HasPrefix(v[i:], "us") || strings.HasPrefix(v[i:], "ms") {
		i += 2
	} else {
		i++
	}
	p.diags = append(p.diags, Diag{Level: LevelWarning, Context: "config",
		Text: fmt.Sprintf("unexpected character '%c' after the timer value '%s', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions.", v[i], v)})
	return errWarn
}

// defaultsFor returns the defaults section the proxy was created from.
func (p *parser) defaultsFor(px *Proxy) *Proxy {
	if px.Kind == KindDefaults {
		return p.defaultsOf[px]
	}
	return p.defaultsOf[px]
}

// parseErrorfile handles "errorfile <code> <file>" (http_htx.c
// proxy_parse_errorfile): the code must be one haproxy can replace and the
// file must hold a valid HTTP response.
func (p *parser) parseErrorfile(st *stmt, px *Proxy) int {
	if st.arg(1) == "" || st.arg(2) == "" {
		return p.alert(st, "%s : expects <status_code> and <file> as arguments.\n", "errorfile")
	}
	code := atoi(st.args[1])
	if !errorfileCodes[code] {
		return p.alert(st, "errorfile : status code '%d' not handled.", code)
	}
	file := st.args[2]
	data, err := os.ReadFile(file)
	if err != nil {
		return p.alert(st, "errorfile : error opening file '%s'.", file)
	}
	if msg := checkErrorMessage(data); msg != "" {
		return p.alert(st, "errorfile : '%s': %s", file, msg)
	}
	px.ErrorFiles[code] = file
	return 0
}

// checkErrorMessage validates an errorfile's content the way
// http_str_to_htx() does for the common cases: a full HTTP/1.x response
// whose headers end with an empty line.
func checkErrorMessage(data []byte) string {
	s := string(data)
	if !strings.HasPrefix(s, "HTTP/") {
		return "unable to parse headers (error offset: 0)"
	}
	if !strings.Contains(s, "\n\r\n") && !strings.Contains(s, "\n\n") {
		return fmt.Sprintf("unable to parse headers (error offset: %d)", len(s))
	}
	return ""
}

// errorfileCodes are the status codes haproxy 2.6 accepts in errorfile.
var errorfileCodes = map[int]bool{200: true, 400: true, 401: true, 403: true, 404: true, 405: true, 407: true,
	408: true, 410: true, 413: true, 425: true, 429: true, 500: true, 501: true, 502: true, 503: true, 504: true}

// parseProxyLog handles "log" in a proxy.
func (p *parser) parseProxyLog(st *stmt, px *Proxy) int {
	if st.mod == "no" {
		if st.arg(1) != "" {
			return p.alert(st, "log : 'no log' does not expect arguments")
		}
		px.Logs = nil
		px.NoLog = true
		return 0
	}
	if st.arg(1) == "global" && st.arg(2) == "" {
		for _, l := range p.cfg.Global.Logs {
			dup := false
			for _, e := range px.Logs {
				if e.fromGlobal && e.globalRef == l.Pos {
					dup = true
				}
			}
			if dup {
				continue
			}
			l.fromGlobal = true
			l.globalRef = l.Pos
			l.Pos = st.Pos
			px.Logs = append(px.Logs, l)
		}
		px.logGlobal = true
		return 0
	}
	lt, msg := parseLogTarget(st, "or global", p.resolveHost)
	if msg != "" {
		return p.alert(st, "log : %s", msg)
	}
	px.Logs = append(px.Logs, lt)
	return 0
}
