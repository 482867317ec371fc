package haproxy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// cfgOpts are haproxy's simple on/off options (proxy.c cfg_opts and
// cfg_opts2) with the capability they need: 'f' frontend, 'b' backend,
// 'a' either.
var cfgOpts = []struct {
	name string
	cap  byte
}{
	{"abortonclose", 'b'}, {"allbackups", 'b'}, {"checkcache", 'b'}, {"clitcpka", 'f'}, {"contstats", 'f'},
	{"dontlognull", 'f'}, {"http-buffer-request", 'a'}, {"http-ignore-probes", 'f'}, {"idle-close-on-response", 'f'},
	{"prefer-last-server", 'b'}, {"logasap", 'f'}, {"nolinger", 'a'}, {"persist", 'b'}, {"srvtcpka", 'b'},
	{"transparent", 'b'},
	{"splice-request", 'a'}, {"splice-response", 'a'}, {"splice-auto", 'a'},
	{"accept-invalid-http-request", 'f'}, {"accept-invalid-http-response", 'b'}, {"dontlog-normal", 'f'},
	{"log-separate-errors", 'f'}, {"log-health-checks", 'b'}, {"socket-stats", 'f'}, {"tcp-smart-accept", 'f'},
	{"tcp-smart-connect", 'b'}, {"independent-streams", 'a'}, {"http-use-proxy-header", 'f'},
	{"http-pretend-keepalive", 'b'}, {"http-no-delay", 'a'}, {"h1-case-adjust-bogus-client", 'f'},
	{"h1-case-adjust-bogus-server", 'b'}, {"disable-h2-upgrade", 'f'},
}

var cfgOptNames = func() []string {
	out := make([]string, len(cfgOpts))
	for i, o := range cfgOpts {
		out[i] = o.name
	}
	return out
}()

// commonOptions is cfgparse-listen.c's common_options (for suggestions).
var commonOptions = []string{
	"httpclose", "http-server-close", "http-keep-alive",
	"redispatch", "httplog", "tcplog", "tcpka", "httpchk",
	"ssl-hello-chk", "smtpchk", "pgsql-check", "redis-check",
	"mysql-check", "ldap-check", "spop-check", "tcp-check",
	"external-check", "forwardfor", "original-to",
}

// parseOption handles "[no] option <name> [args]" (configuration.txt §4.2
// "option ...").
func (p *parser) parseOption(st *stmt, px *Proxy) int {
	name := st.arg(1)
	if name == "" {
		return p.alertNS(st, "'%s' expects an option name.", st.args[0])
	}
	enable := st.mod != "no"
	for _, o := range cfgOpts {
		if o.name != name {
			continue
		}
		if c, bad := p.tooManyArgsIdx(st, 0, 1); bad {
			return c
		}
		if p.warnNotCap(st, px, o.cap != 'b', o.cap != 'f', name, "") {
			return errWarn
		}
		if st.mod == "default" {
			delete(px.Options.Set, name)
		} else {
			px.Options.Set[name] = enable
		}
		switch name {
		case "abortonclose":
			px.Options.AbortOnClose = enable && st.mod == ""
		case "allbackups":
			px.Options.AllBackups = enable && st.mod == ""
		case "dontlognull":
			px.Options.DontLogNull = enable && st.mod == ""
		case "http-buffer-request":
			px.Options.HTTPBufferRequest = enable && st.mod == ""
		}
		return 0
	}
	switch name {
	case "forceclose":
		return p.legacyForceClose(st, px)
	case "httpclose", "http-server-close", "http-keep-alive":
		if c, bad := p.tooManyArgsIdx(st, 0, 1); bad {
			return c
		}
		o := &px.Options
		cur := map[string]*bool{"httpclose": &o.HTTPClose, "http-server-close": &o.HTTPServerClose, "http-keep-alive": &o.HTTPKeepAlive}
		if st.mod == "" {
			o.HTTPClose, o.HTTPServerClose, o.HTTPKeepAlive = false, false, false
			*cur[name] = true
			px.Options.Set[name] = true
			return 0
		}
		if st.mod == "no" {
			*cur[name] = false
			px.Options.Set[name] = false
			return 0
		}
		// "default option httpclose" falls through to the generic refusal.
	case "http-tunnel":
		return p.alertNS(st, "option '%s' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed.", name)
	case "redispatch":
		if p.warnNotCap(st, px, false, true, name, "") {
			return errWarn
		}
		switch st.mod {
		case "":
			px.Options.Redispatch = true
			px.Options.RedispatchInterval = -1
			if st.arg(2) != "" {
				px.Options.RedispatchInterval = atoi(st.args[2])
			}
		case "no":
			px.Options.Redispatch = false
			px.Options.RedispatchInterval = 0
		default:
			px.Options.Redispatch = false
		}
		return 0
	case "http_proxy":
		return p.alertNS(st, "option '%s' is not supported any more since HAProxy 2.5. This option stopped working in HAProxy 1.9 and usually had nasty side effects. It can be more reliably implemented with combinations of 'http-request set-dst' and 'http-request set-uri', and even 'http-request do-resolve' if DNS resolution is desired.", name)
	}
	if st.mod != "" {
		return p.alertNS(st, "negation/default is not supported for option '%s'.", name)
	}
	code := 0
	switch name {
	case "httplog", "tcplog", "httpslog":
		clf := false
		if name == "httplog" && st.arg(2) != "" {
			if st.args[2] != "clf" {
				return p.alert(st, "keyword '%s' only supports option 'clf'.", name)
			}
			if c, bad := p.tooManyArgsIdx(st, 1, 1); bad {
				return c
			}
			clf = true
		} else if name != "httplog" {
			if c, bad := p.tooManyArgsIdx(st, 0, 1); bad {
				return c
			}
		}
		label := "option " + name
		if clf {
			label = "option httplog clf"
		}
		if px.Kind == KindDefaults && px.logFormatKind != "" {
			cur := "option " + name
			if name == "httpslog" {
				cur = "option httplog"
			} else if clf {
				cur = "option httplog clf"
			}
			extra := ""
			if name == "httplog" {
				if clf {
					extra = " clf"
				}
				p.warnNS(st, "'option httplog%s' overrides previous '%s' in 'defaults' section.", extra, px.logFormatKind)
			} else {
				p.warnNS(st, "'%s' overrides previous '%s' in 'defaults' section.", cur, px.logFormatKind)
			}
			code |= errWarn
		}
		px.logFormatKind = label
		px.logFormatPos = st.Pos
		px.LogFormat = ""
		px.Options.HTTPLog = name == "httplog" || name == "httpslog"
		px.Options.HTTPLogCLF = clf
		px.Options.TCPLog = name == "tcplog"
		px.Options.Set[name] = true
		if !px.Kind.IsFrontend() {
			p.warn(st, "backend '%s' : '%s' directive is ignored in backends.", px.Name, "option "+name)
			code |= errWarn
		}
		return code
	case "tcpka":
		if p.warnNotCap(st, px, true, true, name, "") {
			code |= errWarn
		}
		if c, bad := p.tooManyArgsIdx(st, 0, 1); bad {
			return code | c
		}
		px.Options.Set[name] = true
		return code
	case "httpchk":
		if p.warnNotCap(st, px, false, true, name, "") {
			return errWarn
		}
		if c, bad := p.tooManyArgsIdx(st, 3, 1); bad {
			return c
		}
		hc := &HTTPChk{Method: "OPTIONS", URI: "/", Version: "HTTP/1.0"}
		switch st.nargs() {
		case 3:
			hc.URI = st.args[2]
		case 4:
			hc.Method, hc.URI = st.args[2], st.args[3]
		case 5:
			hc.Method, hc.URI, hc.Version = st.args[2], st.args[3], st.args[4]
		}
		px.Options.HTTPChk = hc
		px.Options.Set[name] = true
		if strings.Contains(hc.Version, "\r\n") {
			return p.warnNS(st, "'%s %s' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.", st.args[0], name)
		}
		return 0
	case "ssl-hello-chk", "smtpchk", "pgsql-check", "redis-check", "mysql-check", "ldap-check",
		"spop-check", "tcp-check", "external-check", "http-restrict-req-hdr-names":
		if name != "http-restrict-req-hdr-names" && p.warnNotCap(st, px, false, true, name, "") {
			return errWarn
		}
		if max, ok := map[string]int{"smtpchk": 2, "pgsql-check": 2, "mysql-check": 3, "redis-check": 0,
			"ldap-check": 0, "spop-check": 0, "ssl-hello-chk": 0, "tcp-check": 0, "external-check": 0}[name]; ok {
			if c, bad := p.tooManyArgsIdx(st, max, 1); bad {
				return c
			}
		}
		if name == "mysql-check" && st.arg(2) != "" && st.arg(2) != "user" {
			return p.alert(st, "'%s %s' only supports optional values: 'user' (got '%s').", st.args[0], name, st.arg(2))
		}
		if name == "mysql-check" && st.arg(2) == "user" && st.arg(3) == "" {
			return p.alert(st, "'%s %s %s' expects <username> as argument.", st.args[0], name, st.args[2])
		}
		if name == "http-restrict-req-hdr-names" {
			if c, bad := p.tooManyArgs(st, 2); bad {
				return c
			}
			switch st.arg(2) {
			case "":
				return p.alert(st, "missing parameter. option '%s' expects 'preserve', 'reject' or 'delete' option.", name)
			case "preserve", "reject", "delete":
			default:
				return p.alert(st, "invalid parameter '%s'. option '%s' expects 'preserve', 'reject' or 'delete' option.", st.args[2], name)
			}
		}
		px.Options.Set[name] = true
		px.Other = append(px.Other, st.statement())
		return 0
	case "forwardfor":
		if p.warnNotCap(st, px, true, true, name, "") {
			return errWarn
		}
		ff := &ForwardFor{Header: "X-Forwarded-For"}
		for i := 2; i < st.nargs(); i++ {
			switch st.args[i] {
			case "except":
				if st.arg(i+1) == "" || !validNetwork(st.arg(i+1)) {
					return p.alert(st, "'%s %s %s' expects <address>[/mask] as argument.", st.args[0], name, st.args[i])
				}
				ff.Except = st.args[i+1]
				i++
			case "header":
				if st.arg(i+1) == "" {
					return p.alert(st, "'%s %s %s' expects <header_name> as argument.", st.args[0], name, st.args[i])
				}
				ff.Header = st.args[i+1]
				i++
			case "if-none":
				ff.IfNone = true
			default:
				return p.alert(st, "'%s %s' only supports optional values: 'except', 'header' and 'if-none'.", st.args[0], name)
			}
		}
		px.Options.ForwardFor = ff
		px.Options.Set[name] = true
		return 0
	case "originalto":
		if p.warnNotCap(st, px, true, true, name, "") {
			return errWarn
		}
		for i := 2; i < st.nargs(); i++ {
			switch st.args[i] {
			case "except":
				if st.arg(i+1) == "" || !validNetwork(st.arg(i+1)) {
					return p.alert(st, "'%s %s %s' expects <address>[/mask] as argument.", st.args[0], name, st.args[i])
				}
				i++
			case "header":
				if st.arg(i+1) == "" {
					return p.alert(st, "'%s %s %s' expects <header_name> as argument.", st.args[0], name, st.args[i])
				}
				i++
			default:
				return p.alert(st, "'%s %s' only supports optional values: 'except' and 'header'.", st.args[0], name)
			}
		}
		px.Options.Set[name] = true
		px.Other = append(px.Other, st.statement())
		return 0
	}
	best := bestMatch(name, cfgOptNames, commonOptions)
	if best != "" {
		return p.alert(st, "unknown option '%s'; did you mean '%s' maybe ?", name, best)
	}
	return p.alert(st, "unknown option '%s'.", name)
}

// validNetwork accepts addr[/mask] in IPv4 or IPv6 form.
func validNetwork(s string) bool {
	addr, mask, hasMask := strings.Cut(s, "/")
	if _, ok := parseIPLiteral(addr, FamilyHost); !ok {
		return false
	}
	if hasMask {
		if isInteger(mask) {
			return atoi(mask) >= 0 && atoi(mask) <= 128
		}
		_, ok := parseIPLiteral(mask, FamilyIPv4)
		return ok
	}
	return true
}

// parseBalance handles "balance <algo> [args]" (backend.c
// backend_parse_balance; configuration.txt §4.2 "balance").
func (p *parser) parseBalance(st *stmt, px *Proxy) int {
	code := 0
	if p.warnNotCap(st, px, false, true, "balance", "") {
		code |= errWarn
	}
	b := Balance{Set: true, Draws: 2}
	algo := st.arg(1)
	if algo == "" {
		// no algorithm: roundrobin (cfgparse-listen.c)
		px.Balance = b
		px.balancePos = st.Pos
		return code
	}
	fail := func(msg string) int { return code | p.alert(st, "%s %s", st.args[0], msg) }
	switch {
	case algo == "roundrobin":
		b.Algo = BalanceRoundRobin
	case algo == "static-rr":
		b.Algo = BalanceStaticRR
	case algo == "first":
		b.Algo = BalanceFirst
	case algo == "leastconn":
		b.Algo = BalanceLeastConn
	case strings.HasPrefix(algo, "random"):
		b.Algo = BalanceRandom
		if strings.HasPrefix(algo[6:], "(") && !strings.HasPrefix(algo[6:], "()") {
			rest := algo[7:]
			end := 0
			for end < len(rest) && isDigit(rest[end]) {
				end++
			}
			n := atoi(rest[:end])
			if end >= len(rest) {
				return fail("random : missing closing parenthesis.")
			}
			if rest[end] != ')' {
				return fail("random : unexpected character '" + string(rest[end]) + "' after argument.")
			}
			if n < 1 {
				return fail("random : number of draws must be at least 1.")
			}
			b.Draws = n
		}
	case algo == "source":
		b.Algo = BalanceSource
	case algo == "uri":
		b.Algo = BalanceURI
		for i := 2; i < st.nargs(); i++ {
			switch st.args[i] {
			case "len", "depth":
				v := st.arg(i + 1)
				if v == "" || atoi(v) <= 0 {
					return fail(st.args[1] + " : '" + st.args[i] + "' expects a positive integer (got '" + v + "').")
				}
				if st.args[i] == "len" {
					b.URILen = atoi(v)
				} else {
					b.URIDepth = atoi(v)
				}
				i++
			case "whole":
				b.URIWhole = true
			case "path-only":
				b.URIPathOnly = true
			default:
				return fail(st.args[1] + " only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '" + st.args[i] + "').")
			}
		}
	case algo == "url_param":
		b.Algo = BalanceURLParam
		if st.arg(2) == "" {
			return fail("url_param requires an URL parameter name.")
		}
		b.Param = st.args[2]
		if st.arg(3) != "" {
			if st.args[3] != "check_post" {
				return fail("url_param only accepts 'check_post' modifier (got '" + st.args[3] + "').")
			}
			b.CheckPost = true
		}
	case algo == "hash":
		b.Algo = BalanceHash
		if st.arg(2) == "" {
			return fail("hash requires a sample expression.")
		}
		if st.arg(3) != "" {
			return fail("hash takes no other argument (got '" + st.args[3] + "').")
		}
		b.Expr = st.args[2]
	case strings.HasPrefix(algo, "hdr("):
		b.Algo = BalanceHdr
		end := strings.IndexByte(algo, ')')
		if end < 0 || end == 4 {
			return fail("hdr requires an http header field name.")
		}
		b.Param = algo[4:end]
		if st.arg(2) != "" {
			if st.args[2] != "use_domain_only" {
				return fail(algo + " only accepts 'use_domain_only' modifier (got '" + st.args[2] + "').")
			}
			b.UseDomainOnly = true
		}
	case strings.HasPrefix(algo, "rdp-cookie"):
		b.Algo = BalanceRDPCookie
		rest := algo[10:]
		switch {
		case rest == "":
			b.Param = "mstshash"
		case rest[0] == '(':
			end := strings.IndexByte(rest, ')')
			if end <= 1 {
				return fail("rdp-cookie : missing cookie name.")
			}
			b.Param = rest[1:end]
		default:
			return fail("rdp-cookie : missing cookie name.")
		}
	default:
		return fail("only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.")
	}
	px.Balance = b
	px.balancePos = st.Pos
	return code
}

// parseHashType handles "hash-type <method> [<function> [<modifier>]]".
func (p *parser) parseHashType(st *stmt, px *Proxy) int {
	code := 0
	if p.warnNotCap(st, px, false, true, "hash-type", "") {
		code |= errWarn
	}
	h := HashType{Function: "sdbm"}
	switch st.arg(1) {
	case "consistent":
		h.Consistent = true
	case "map-based":
	case "avalanche":
		return code | p.alert(st, "experimental feature '%s %s' is not supported anymore, please use '%s map-based sdbm avalanche' instead.", st.args[0], st.args[1], st.args[0])
	default:
		return code | p.alert(st, "'%s' only supports 'consistent' and 'map-based'.", st.args[0])
	}
	if st.arg(2) == "" {
		h.Avalanche = h.Consistent
	} else {
		switch st.args[2] {
		case "sdbm", "djb2", "wt6", "crc32":
			h.Function = st.args[2]
		default:
			return code | p.alert(st, "'%s' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.", st.args[0])
		}
		if st.arg(3) == "avalanche" {
			h.Avalanche = true
		} else if st.arg(3) != "" {
			return code | p.alert(st, "'%s' only supports 'avalanche' as a modifier for hash functions.", st.args[0])
		}
	}
	px.HashType = h
	return code
}

// parseStats handles the proxy "stats" keywords (configuration.txt §4.2).
func (p *parser) parseStats(st *stmt, px *Proxy) int {
	if px.Kind != KindDefaults && !px.statsOwn {
		// a proxy that sets any stats parameter detaches from the
		// defaults' stats settings (cfgparse-listen.c).
		px.Stats = Stats{}
		px.statsOwn = true
	}
	sub := st.arg(1)
	s := &px.Stats
	switch sub {
	case "admin":
		if px.Kind == KindDefaults {
			return p.alertNS(st, "'%s %s' not allowed in 'defaults' section.", st.args[0], sub)
		}
		if st.arg(2) != "if" && st.arg(2) != "unless" {
			return p.alert(st, "'%s %s' requires either 'if' or 'unless' followed by a condition.", st.args[0], sub)
		}
		cond, msg := p.parseCondition(st, px, 2)
		if msg != "" {
			return p.alert(st, "error detected while parsing a '%s %s' rule : %s.", st.args[0], sub, msg)
		}
		s.Admin = append(s.Admin, cond)
	case "uri":
		if st.arg(2) == "" {
			return p.alert(st, "'uri' needs an URI prefix.")
		}
		s.URI = st.args[2]
		s.Enabled = true
	case "realm":
		if st.arg(2) == "" {
			return p.alert(st, "'realm' needs an realm name.")
		}
		s.Realm = strings.ReplaceAll(st.args[2], "\\", "")
		s.Enabled = true
	case "refresh":
		d, res, bad, _ := parseTime(st.arg(2), time.Second)
		switch res {
		case timeOverflow:
			return p.alertNS(st, "timer overflow in argument <%s> to stats refresh interval, maximum value is 2147483647 s (~68 years).", st.arg(2))
		case timeUnderflow:
			return p.alertNS(st, "timer underflow in argument <%s> to stats refresh interval, minimum non-null value is 1 s.", st.arg(2))
		case timeBadChar:
			if st.arg(2) == "" {
				bad = 0
			}
			return p.alertNS(st, "unexpected character '%c' in argument to stats refresh interval.", bad)
		}
		s.Refresh = d
		s.Enabled = true
	case "http-request":
		if px.Kind == KindDefaults {
			return p.alertNS(st, "'%s' not allowed in 'defaults' section.", st.args[0])
		}
		sub := &stmt{Pos: st.Pos, args: append([]string{"http-request"}, st.args[2:]...)}
		rule, code := p.parseHTTPRule(sub, px, "stats http-request")
		if rule == nil {
			return code | errAlert | errAbort
		}
		s.HTTPRequests = append(s.HTTPRequests, rule)
		s.Enabled = true
		return code
	case "auth":
		if st.arg(2) == "" {
			return p.alert(st, "'auth' needs a user:password account.")
		}
		u, pw, _ := strings.Cut(st.args[2], ":")
		s.Auths = append(s.Auths, StatsAuth{User: u, Password: pw})
		s.Enabled = true
	case "scope":
		if st.arg(2) == "" {
			return p.alert(st, "'scope' needs a proxy name.")
		}
		s.Scopes = append(s.Scopes, st.args[2])
		s.Enabled = true
	case "enable":
		s.Enabled = true
	case "hide-version":
		s.HideVersion = true
		s.Enabled = true
	case "show-legends":
		s.ShowLegends = true
		s.Enabled = true
	case "show-modules":
		s.Enabled = true
	case "show-node":
		if st.arg(2) != "" {
			if c, bad := invalidNodeChar(st.args[2]); bad {
				_ = c
				return p.alertNS(st, "'%s %s' invalid node name - should be a stringwith digits(0-9), letters(A-Z, a-z), hyphen(-) or underscode(_).", st.args[0], sub)
			}
		}
		s.ShowNode = st.arg(2)
		s.ShowNodeSet = true
		s.Enabled = true
	case "show-desc":
		s.ShowDesc = strings.Join(st.args[2:st.nargs()], " ")
		s.Enabled = true
		if st.arg(2) == "" && p.cfg.Global.Description == "" {
			p.warnNS(st, "'%s' requires a parameter or 'desc' to be set in the global section.", strings.Join(st.args[:2], " "))
			return errWarn
		}
	default:
		kind := "unknown stats parameter"
		word := sub
		if sub == "" {
			kind = "missing keyword in"
			word = st.args[0]
		}
		return p.alertNS(st, "%s '%s', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.", kind, word)
	}
	return 0
}

func invalidNodeChar(s string) (byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '-' || c == '_' || c == '.') {
			return c, true
		}
	}
	return 0, false
}

// parseCookie handles "cookie <name> [options]" (configuration.txt §4.2).
func (p *parser) parseCookie(st *stmt, px *Proxy) int {
	code := 0
	if p.warnNotCap(st, px, false, true, "cookie", "") {
		code |= errWarn
	}
	if st.arg(1) == "" {
		return code | p.alert(st, "'%s' expects <cookie_name> as argument.", st.args[0])
	}
	c := &Cookie{Pos: st.Pos, Name: st.args[1]}
	modes := 0
	for i := 2; i < st.nargs(); i++ {
		a := st.args[i]
		switch a {
		case "rewrite", "insert", "prefix":
			c.Mode = a
			modes++
		case "indirect":
			c.Indirect = true
		case "nocache":
			c.NoCache = true
		case "postonly":
			c.PostOnly = true
		case "preserve":
			c.Preserve = true
		case "httponly":
			c.HTTPOnly = true
		case "secure":
			c.Secure = true
		case "dynamic":
			c.Dynamic = true
		case "domain":
			if st.arg(i+1) == "" {
				return code | p.alertNS(st, "'%s' expects <domain> as argument.", a)
			}
			d := st.args[i+1]
			if !strings.Contains(d[1:], ".") && d[0] != '.' {
				p.warnNS(st, "domain '%s' contains no embedded dot, and will be ignored by some browsers. Please use a domain name with an embedded dot (e.g. '.example.com').", d)
				code |= errWarn
			}
			c.Domains = append(c.Domains, d)
			i++
		case "maxidle", "maxlife":
			v := st.arg(i + 1)
			if v == "" {
				what := "<idletime>"
				if a == "maxlife" {
					what = "<lifetime>"
				}
				return code | p.alertNS(st, "'%s' expects %s in seconds as argument.", a, what)
			}
			d, res, bad, _ := parseTime(v, time.Second)
			switch res {
			case timeOverflow:
				return code | p.alertNS(st, "timer overflow in argument <%s> to <%s>, maximum value is 2147483647 s (~68 years).", v, a)
			case timeUnderflow:
				return code | p.alertNS(st, "timer underflow in argument <%s> to <%s>, minimum non-null value is 1 s.", v, a)
			case timeBadChar:
				return code | p.alertNS(st, "unexpected character '%c' in argument to <%s>.", bad, a)
			}
			if a == "maxidle" {
				c.MaxIdle = d
			} else {
				c.MaxLife = d
			}
			i++
		case "attr":
			if st.arg(i+1) == "" {
				return code | p.alertNS(st, "'%s' expects <value> as argument.", a)
			}
			c.Attrs = append(c.Attrs, st.args[i+1])
			i++
		default:
			return code | p.alert(st, "'%s' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options.", st.args[0])
		}
	}
	if c.Mode == "rewrite" && c.Indirect && modes == 1 {
		return code | p.alert(st, "cookie 'rewrite' and 'indirect' modes are incompatible.")
	}
	if modes > 1 {
		return code | p.alert(st, "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.")
	}
	if c.Preserve && c.Mode != "insert" && !c.Indirect {
		return code | p.alert(st, "cookie 'preserve' requires at least 'insert' or 'indirect'.")
	}
	px.Cookie = c
	return code
}

// parseCapture handles "capture cookie|request header|response header".
func (p *parser) parseCapture(st *stmt, px *Proxy) int {
	if p.warnNotCap(st, px, true, false, st.args[0], "") {
		return errWarn
	}
	if px.Kind == KindDefaults && (st.arg(1) == "cookie" || st.arg(2) == "header") {
		return p.alert(st, "'%s %s' not allowed in 'defaults' section.", st.args[0], st.args[1])
	}
	switch st.arg(1) {
	case "cookie":
		if c, bad := p.tooManyArgsIdx(st, 4, 1); bad {
			return c
		}
		if st.arg(4) == "" {
			return p.alert(st, "'%s' expects 'cookie' <cookie_name> 'len' <len>.", st.args[0])
		}
		px.Captures = append(px.Captures, &Capture{Pos: st.Pos, Kind: "cookie", Header: st.args[2], Len: atoi(st.args[4])})
		return 0
	case "request", "response":
		if st.arg(2) != "header" {
			break
		}
		if c, bad := p.tooManyArgs(st, 5); bad {
			return c
		}
		if st.arg(3) == "" || st.arg(4) != "len" || st.arg(5) == "" {
			return p.alert(st, "'%s %s' expects 'header' <header_name> 'len' <len>.", st.args[0], st.args[1])
		}
		n := atoi(st.arg(5))
		px.Captures = append(px.Captures, &Capture{Pos: st.Pos, Kind: st.args[1], Header: st.args[3], Len: n})
		return 0
	}
	return p.alert(st, "'%s' expects 'cookie' or 'request header' or 'response header'.", st.args[0])
}

// parseUseBackend handles "use_backend <name> [{if|unless} <cond>]".
func (p *parser) parseUseBackend(st *stmt, px *Proxy) int {
	if px.Kind == KindDefaults {
		return p.alert(st, "'%s' not allowed in 'defaults' section.", st.args[0])
	}
	if p.warnNotCap(st, px, true, false, st.args[0], "") {
		return errWarn
	}
	if st.arg(1) == "" {
		return p.alert(st, "'%s' expects a backend name.", st.args[0])
	}
	ub := &UseBackend{Pos: st.Pos, Backend: st.args[1]}
	if st.arg(2) == "if" || st.arg(2) == "unless" {
		cond, msg := p.parseCondition(st, px, 2)
		if msg != "" {
			return p.alert(st, "error detected while parsing switching rule : %s.", msg)
		}
		ub.Cond = cond
	} else if st.arg(2) != "" {
		return p.alert(st, "unexpected keyword '%s' after switching rule, only 'if' and 'unless' are allowed.", st.args[2])
	}
	px.UseBackends = append(px.UseBackends, ub)
	return 0
}

// parseHTTPCheck keeps "http-check" rules after checking their verb.
func (p *parser) parseHTTPCheck(st *stmt, px *Proxy) int {
	switch st.arg(1) {
	case "disable-on-404", "send-state", "expect", "send", "connect", "set-var", "set-var-fmt", "unset-var", "comment":
	default:
		return p.alert(st, "'http-check' only supports 'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got '%s'", st.arg(1))
	}
	if st.arg(1) == "send" {
		for i := 2; i < st.nargs(); i++ {
			switch st.args[i] {
			case "comment", "meth", "uri", "uri-lf", "ver", "body", "body-lf":
				i++
			case "hdr":
				i += 2
			default:
				return p.alert(st, "'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '%s' as argument..", st.args[i])
			}
		}
	}
	if st.arg(1) == "expect" {
		bad := func(w string) int {
			return p.alert(st, "'http-check expect' : 'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got '%s' as argument..", w)
		}
		if st.arg(2) == "" {
			return p.alert(st, "'http-check expect' : expects at least a matching pattern as arguments.")
		}
		for i := 2; i < st.nargs(); i++ {
			w := st.args[i]
			switch w {
			case "min-recv", "ok-status", "error-status", "tout-status", "on-success", "on-error", "status-code", "comment":
				if st.arg(i+1) == "" {
					return p.alert(st, "'http-check expect' : '%s' expects a <value> as argument.", w)
				}
				i++
			case "!":
			case "status", "rstatus", "string", "rstring", "string-lf":
				pat := st.arg(i + 1)
				if pat == "" {
					return p.alert(st, "'http-check expect' : '%s' expects a <pattern> as argument.", w)
				}
				if w == "status" {
					for k := 0; k < len(pat); k++ {
						if !isDigit(pat[k]) && pat[k] != '-' && pat[k] != ',' {
							return p.alert(st, "'http-check expect' : invalid character '%c' in the list of status codes.", pat[k])
						}
					}
				}
				i++
			case "hdr", "fhdr":
				// name <fmt> [value <fmt>] with -m options
				for i+1 < st.nargs() && (st.args[i+1] == "name" || st.args[i+1] == "value" || st.args[i+1] == "-m" ||
					st.args[i+1] == "name-lf" || st.args[i+1] == "value-lf" || strings.HasPrefix(st.args[i+1], "-")) {
					i += 2
				}
			default:
				return bad(w)
			}
		}
	}
	px.HTTPCheck.Rules = append(px.HTTPCheck.Rules, st.statement())
	return 0
}

var _ = strconv.Itoa

// checkTCPCheck validates the common forms of "tcp-check" (tcpcheck.c).
func checkTCPCheck(st *stmt) string {
	sub := st.arg(1)
	switch sub {
	case "comment", "set-var", "unset-var", "set-var-fmt":
		return ""
	case "send", "send-lf", "send-binary", "send-binary-lf":
		what := map[string]string{"send": "string", "send-lf": "log-format string", "send-binary": "binary string", "send-binary-lf": "log-format binary string"}[sub]
		if st.arg(2) == "" {
			return fmt.Sprintf("'tcp-check %s' : '%s' expects a %s as argument.", sub, what, sub)
		}
		if sub == "send-binary" {
			v := st.args[2]
			for i := 0; i < len(v); i++ {
				if !isHex(v[i]) {
					return fmt.Sprintf("'tcp-check %s' : '%s' invalid binary string (an hex digit is expected (found '%c')).\n.", sub, v, v[i])
				}
			}
		}
		for i := 3; i < st.nargs(); i++ {
			if st.args[i] != "comment" {
				return fmt.Sprintf("'tcp-check %s' : expects 'comment' but got '%s' as argument..", sub, st.args[i])
			}
			i++
		}
	case "expect":
		if st.arg(2) == "" {
			return "'tcp-check expect' : expects at least a matching pattern as arguments."
		}
		for i := 2; i < st.nargs(); i++ {
			switch w := st.args[i]; w {
			case "!":
			case "min-recv", "ok-status", "error-status", "tout-status", "on-success", "on-error", "status-code", "comment":
				i++
			case "binary", "string", "rstring", "string-lf", "rbinary", "binary-lf":
				i++
			default:
				return fmt.Sprintf("'tcp-check expect' : 'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got '%s' as argument..", w)
			}
		}
	case "connect":
		for i := 2; i < st.nargs(); i++ {
			switch w := st.args[i]; w {
			case "default", "send-proxy", "via-socks4", "ssl", "linger":
			case "comment", "port", "addr", "sni", "alpn", "proto":
				i++
			default:
				return fmt.Sprintf("'tcp-check connect' : expects 'comment', 'port', 'addr', 'send-proxy', 'ssl', 'sni', 'alpn' or 'via-socks4', 'linger', 'default' but got '%s' as argument..", w)
			}
		}
	default:
		return fmt.Sprintf("'tcp-check' only supports 'comment', 'connect', 'send', 'send-binary', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got '%s'", sub)
	}
	return ""
}
