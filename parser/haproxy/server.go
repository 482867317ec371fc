package haproxy

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// serverKeywords lists every server option of the reference build with its
// argument count (-1: variable) and whether default-server accepts it
// (server.c, check.c, cfgparse-ssl.c, cfgparse-tcp.c srv_kws), in
// haproxy's registration order, for lookups and "did you mean".
var serverKeywords = []struct {
	name  string
	args  int
	defOK bool
}{
	{"backup", 0, true}, {"cookie", 1, true}, {"disabled", 0, true}, {"enabled", 0, true}, {"error-limit", 1, true},
	{"ws", 1, true}, {"id", 1, false}, {"init-addr", 1, true}, {"log-proto", 1, true}, {"maxconn", 1, true},
	{"maxqueue", 1, true}, {"max-reuse", 1, true}, {"minconn", 1, true}, {"namespace", 1, true}, {"no-backup", 0, true},
	{"no-send-proxy", 0, true}, {"no-send-proxy-v2", 0, true}, {"no-tfo", 0, true}, {"non-stick", 0, true},
	{"observe", 1, true}, {"on-error", 1, true}, {"on-marked-down", 1, true}, {"on-marked-up", 1, true},
	{"pool-low-conn", 1, true}, {"pool-max-conn", 1, true}, {"pool-purge-delay", 1, true}, {"proto", 1, true},
	{"proxy-v2-options", 1, true}, {"redir", 1, true}, {"resolve-net", 1, true}, {"resolve-opts", 1, true},
	{"resolve-prefer", 1, true}, {"resolvers", 1, true}, {"send-proxy", 0, true}, {"send-proxy-v2", 0, true},
	{"slowstart", 1, true}, {"source", -1, true}, {"stick", 0, true}, {"tfo", 0, true}, {"track", 1, true},
	{"socks4", 1, true}, {"usesrc", 0, true}, {"weight", 1, true},
	{"addr", 1, true}, {"agent-addr", 1, true}, {"agent-check", 0, true}, {"agent-inter", 1, true},
	{"agent-port", 1, true}, {"agent-send", 1, true}, {"check", 0, true}, {"check-proto", 1, true},
	{"check-send-proxy", 0, true}, {"check-via-socks4", 0, true}, {"no-agent-check", 0, true}, {"no-check", 0, true},
	{"no-check-send-proxy", 0, true}, {"rise", 1, true}, {"fall", 1, true}, {"inter", 1, true},
	{"fastinter", 1, true}, {"downinter", 1, true}, {"port", 1, true},
	{"allow-0rtt", 0, true}, {"alpn", 1, true}, {"ca-file", 1, true}, {"check-alpn", 1, true}, {"check-sni", 1, true},
	{"check-ssl", 0, true}, {"ciphers", 1, true}, {"ciphersuites", 1, true}, {"crl-file", 1, true}, {"crt", 1, true},
	{"force-sslv3", 0, true}, {"force-tlsv10", 0, true}, {"force-tlsv11", 0, true}, {"force-tlsv12", 0, true},
	{"force-tlsv13", 0, true}, {"no-check-ssl", 0, true}, {"no-send-proxy-v2-ssl", 0, true},
	{"no-send-proxy-v2-ssl-cn", 0, true}, {"no-ssl", 0, true}, {"no-ssl-reuse", 0, true}, {"no-sslv3", 0, false},
	{"no-tlsv10", 0, false}, {"no-tlsv11", 0, false}, {"no-tlsv12", 0, false}, {"no-tlsv13", 0, false},
	{"no-tls-tickets", 0, true}, {"npn", 1, true}, {"send-proxy-v2-ssl", 0, true}, {"send-proxy-v2-ssl-cn", 0, true},
	{"sni", 1, true}, {"ssl", 0, true}, {"ssl-min-ver", 1, true}, {"ssl-max-ver", 1, true}, {"ssl-reuse", 0, true},
	{"tls-tickets", 0, true}, {"verify", 1, true}, {"verifyhost", 1, true},
	{"tcp-ut", 1, true},
}

var serverKeywordIndex = func() map[string]int {
	m := make(map[string]int, len(serverKeywords))
	for i, k := range serverKeywords {
		m[k.name] = i
	}
	return m
}()

var serverKeywordNames = func() []string {
	out := make([]string, len(serverKeywords))
	for i, k := range serverKeywords {
		out[i] = k.name
	}
	return out
}()

// serverExtraKeywords is server.c's extra_kw_list for suggestions.
var serverExtraKeywords = []string{"server-state-file-name", "server-template"}

// parseServer handles server, default-server and server-template lines
// (server.c parse_server; configuration.txt §5.2).
func (p *parser) parseServer(st *stmt, px *Proxy) int {
	kw := st.args[0]
	isDefault := kw == "default-server"
	isTemplate := kw == "server-template"
	if !isDefault && px.Kind == KindDefaults {
		return p.ctxAlert(st, "'%s' not allowed in 'defaults' section.", kw)
	}
	if !px.Kind.IsBackend() {
		return p.ctxAlert(st, "parsing [%s:%d] : '%s' not allowed because %s '%s' has no backend capability.", st.File, st.Line, kw, proxyTypeStr(px.Kind), px.Name)
	}
	var srv *Server
	params := &px.DefaultServer
	cur := 1
	ctx := func(format string, args ...any) int { return p.ctxAlert(st, format, args...) }
	if !isDefault {
		if isTemplate {
			if st.arg(3) == "" {
				return ctx("'%s' expects <prefix> <nb | range> <addr>[:<port>] as arguments.", kw)
			}
		} else if st.arg(2) == "" {
			return ctx("'%s' expects <name> and <addr>[:<port>] as arguments.", kw)
		}
		name := st.args[1]
		if c, bad := invalidChar(name); bad {
			what := "name"
			if isTemplate {
				what = "prefix"
			}
			return ctx("character '%c' is not permitted in %s %s '%s'.", c, kw, what, name)
		}
		cur = 2
		if isTemplate {
			if !validTemplateRange(st.args[2]) {
				return ctx("Wrong %s number or range arg '%s'.", kw, st.args[2])
			}
			cur = 3
		}
		srv = &Server{Pos: st.Pos, Name: name}
		// From here on haproxy names the server in its messages.
		ctx = func(format string, args ...any) int {
			return p.ctxAlert(st, "'%s %s/%s' : %s", kw, px.Name, name, fmt.Sprintf(format, args...))
		}
		a, msg := parseAddress(st.args[cur], paPortOK|paPortOfs|paFQDN|paStream, nil)
		if msg != "" {
			return ctx("%s", strings.TrimSuffix(msg, "\n"))
		}
		srv.Address = a
		cur++
		srv.ServerParams = px.DefaultServer
		srv.Options = append(make([]string, 0, len(px.DefaultServer.Options)+st.nargs()-cur), px.DefaultServer.Options...)
		params = &srv.ServerParams
	}
	hint := ""
	if isDefault {
		hint = " Hint: no address was expected for this server."
	}
	code := 0
	// like haproxy, stop at the first empty word only where a keyword is
	// expected (an empty value is consumed by its keyword).
	for cur < len(st.args) && st.args[cur] != "" {
		opt := st.args[cur]
		idx, ok := serverKeywordIndex[opt]
		if !ok {
			if best := bestMatch(opt, serverKeywordNames, serverExtraKeywords); best != "" {
				return ctx("unknown keyword '%s'; did you mean '%s' maybe ?%s", opt, best, hint)
			}
			return ctx("unknown keyword '%s'.%s", opt, hint)
		}
		k := serverKeywords[idx]
		if isDefault && !k.defOK {
			p.ctxAlert(st, "'%s' option is not accepted in default-server sections", opt)
			code |= errAlert
			cur += 1 + k.args
			continue
		}
		c, skip := p.serverOption(st, px, srv, params, cur, ctx)
		code |= c
		if c&errFatal != 0 {
			return code
		}
		if skip >= 0 {
			cur += 1 + skip
		} else {
			cur += 1 + k.args
		}
	}
	if srv == nil {
		return code
	}
	if srv.Check && srv.Track != "" {
		return code | ctx("unable to enable checks and tracking at the same time!")
	}
	if srv.AgentCheck && srv.AgentPort == 0 {
		return code | ctx("server %s does not have agent port. Agent check has been disabled.", srv.Name)
	}
	px.Servers = append(px.Servers, srv)
	return code
}

func validTemplateRange(s string) bool {
	lo, hi, isRange := strings.Cut(s, "-")
	if !isInteger(lo) || atoi(lo) <= 0 {
		return false
	}
	if isRange {
		return isInteger(hi) && atoi(hi) >= atoi(lo)
	}
	return true
}

// serverOption applies one option at st.args[i]. It returns the error
// bits and the number of arguments consumed (-1 for the keyword's default).
func (p *parser) serverOption(st *stmt, px *Proxy, srv *Server, sp *ServerParams, i int, ctx func(string, ...any) int) (int, int) {
	opt := st.args[i]
	val := st.arg(i + 1)
	sp.Options = append(sp.Options, opt)
	if k := serverKeywords[serverKeywordIndex[opt]]; k.args == 1 {
		sp.Options = append(sp.Options, val)
	}
	srvName := ""
	if srv != nil {
		srvName = srv.Name
	}
	// messages from option parsers get a final '.' appended by haproxy's
	// display_parser_err().
	fail := func(format string, args ...any) (int, int) {
		return ctx("%s.", strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")), -1
	}
	intArg := func() (int, bool) {
		if val == "" {
			return 0, false
		}
		return atoi(val), true
	}
	timeArg := func(name string) (time.Duration, int) {
		if val == "" {
			c, _ := fail("'%s' expects a delay as argument.", opt)
			return 0, c
		}
		d, res, bad, _ := parseTime(val, time.Millisecond)
		switch res {
		case timeOverflow:
			c, _ := fail("timer overflow in argument '%s' to '%s' (maximum value is 2147483647 ms or ~24.8 days)", val, name)
			return 0, c
		case timeUnderflow:
			c, _ := fail("timer underflow in argument '%s' to '%s' (minimum non-null value is 1 ms)", val, name)
			return 0, c
		case timeBadChar:
			c, _ := fail("unexpected character '%c' in '%s' argument of server %s.", bad, name, srvName)
			return 0, c
		}
		if d == 0 {
			c, _ := fail("invalid value %s for argument '%s' of server %s.", val, opt, srvName)
			return 0, c
		}
		return d, 0
	}
	switch opt {
	case "backup":
		sp.Backup = true
	case "no-backup":
		sp.Backup = false
	case "disabled":
		sp.Disabled = true
	case "enabled":
		sp.Disabled = false
	case "check":
		sp.Check = true
	case "no-check":
		sp.Check = false
	case "agent-check":
		sp.AgentCheck = true
	case "no-agent-check":
		sp.AgentCheck = false
	case "agent-port", "port":
		n, ok := intArg()
		if !ok {
			return fail("'%s' expects a port number as argument.", opt)
		}
		n = atoi(val)
		_ = n
		if opt == "port" {
			sp.Port = n
		} else {
			sp.AgentPort = n
		}
	case "addr":
		if val == "" {
			return fail("'%s' expects <ipv4|ipv6> as argument.", opt)
		}
		if _, ok := parseIPLiteral(val, FamilyHost); !ok && !p.resolveHost(val) {
			return fail("'%s' : invalid address: '%s' in '%s'", opt, val, val)
		}
		sp.Addr = val
	case "send-proxy":
		sp.SendProxy = true
	case "no-send-proxy":
		sp.SendProxy = false
	case "send-proxy-v2":
		sp.SendProxyV2 = true
	case "no-send-proxy-v2":
		sp.SendProxyV2 = false
	case "ssl":
		sp.SSL = true
	case "no-ssl":
		sp.SSL = false
	case "verify":
		if val != "none" && val != "required" {
			return fail("'%s' : unknown verify method '%s', only 'none' and 'required' are supported", opt, val)
		}
		sp.Verify = val
	case "rise", "fall", "error-limit":
		n, ok := intArg()
		if !ok {
			return fail("'%s' expects an integer argument.", opt)
		}
		if n <= 0 {
			if opt == "error-limit" {
				return fail("%s has to be > 0.", opt)
			}
			return fail("'%s' has to be > 0.", opt)
		}
		switch opt {
		case "rise":
			sp.Rise = n
		case "fall":
			sp.Fall = n
		default:
			sp.ErrorLimit = n
		}
	case "inter", "fastinter", "downinter", "agent-inter":
		// haproxy 2.6 names 'agent-inter' in the message for every
		// interval keyword (shared parser in check.c).
		d, c := timeArg("agent-inter")
		if c != 0 {
			return c, -1
		}
		switch opt {
		case "inter":
			sp.Inter = d
		case "fastinter":
			sp.FastInter = d
		case "downinter":
			sp.DownInter = d
		default:
			sp.AgentInter = d
		}
	case "slowstart":
		if val == "" {
			return fail("'%s' expects <value> as argument.\n", opt)
		}
		d, res, bad, _ := parseTime(val, time.Millisecond)
		switch res {
		case timeOverflow:
			return fail("overflow in argument <%s> to <%s> of server %s, maximum value is 2147483647 ms (~24.8 days)", val, opt, srvName)
		case timeUnderflow:
			return fail("underflow in argument <%s> to <%s> of server %s, minimum non-null value is 1 ms", val, opt, srvName)
		case timeBadChar:
			return fail("unexpected character '%c' in 'slowstart' argument of server %s.", bad, srvName)
		}
		sp.Slowstart = d
	case "maxconn", "maxqueue", "minconn":
		n := atoi(val) // atol(), as haproxy: no validation
		switch opt {
		case "maxconn":
			sp.MaxConn = n
		case "maxqueue":
			sp.MaxQueue = n
		default:
			sp.MinConn = n
		}
	case "weight":
		w := atoi(val)
		if w < 0 || w > 256 {
			return fail("weight of server %s is not within 0 and %d (%d).", srvName, 256, w)
		}
		sp.Weight = w
	case "id":
		if val == "" || !isInteger(val) {
			return fail("'%s' : expects an integer argument", opt)
		}
		n := atoi(val)
		if n <= 0 {
			return fail("'%s' : custom id has to be > 0", opt)
		}
		for _, o := range px.Servers {
			if o.ID == n {
				return fail("'%s' : custom id %d already used at %s:%d ('server %s')", opt, n, o.File, o.Line, o.Name)
			}
		}
		sp.ID = n
	case "cookie":
		if val == "" {
			return fail("'%s' expects <value> as argument.\n", opt)
		}
		sp.Cookie = val
	case "observe":
		switch val {
		case "none", "layer4", "layer7":
			if val == "layer7" && px.Mode != ModeHTTP {
				c, _ := fail("'%s' can only be used in http proxies.\n", val)
				return c &^ errFatal, -1
			}
			sp.Observe = val
		default:
			if val == "" {
				return fail("'%s' expects <mode> as argument.\n", opt)
			}
			return fail("'%s' expects one of 'none', 'layer4', 'layer7' but got '%s'\n", opt, val)
		}
	case "on-error":
		switch val {
		case "fastinter", "fail-check", "sudden-death", "mark-down":
			sp.OnError = val
		default:
			return fail("'%s' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '%s'", opt, val)
		}
	case "on-marked-down":
		if val != "shutdown-sessions" {
			return fail("'%s' expects 'shutdown-sessions' but got '%s'", opt, val)
		}
		sp.OnMarkedDown = val
	case "on-marked-up":
		if val != "shutdown-backup-sessions" {
			return fail("'%s' expects 'shutdown-backup-sessions' but got '%s'", opt, val)
		}
		sp.OnMarkedUp = val
	case "ca-file", "crl-file":
		if val == "" {
			return fail("'%s' : missing %s file path", opt, opt)
		}
		if _, err := os.Stat(val); err != nil {
			return fail("Couldn't open the %s '%s' (%s)", opt, val, errnoText(err))
		}
	case "resolvers":
		if val == "" {
			return fail("'%s' expects <name> as argument", opt)
		}
		sp.Resolvers = val
	case "init-addr":
		seen := map[string]bool{}
		for _, m := range strings.Split(val, ",") {
			switch {
			case m == "libc" || m == "last" || m == "none":
				if seen[m] {
					return fail("'%s' : initial address already specified, cannot add '%s'", opt, m)
				}
				seen[m] = true
			default:
				if m == "" {
					continue // an empty list is accepted by haproxy
				}
				if _, ok := parseIPLiteral(m, FamilyHost); !ok {
					return fail("'%s' : unknown init-addr method '%s', supported methods are 'libc', 'last', 'none'.", opt, m)
				}
			}
		}
		sp.InitAddr = val
	case "track":
		if val == "" {
			return fail("'track' expects [<proxy>/]<server> as argument.\n")
		}
		sp.Track = val
	case "source":
		if val == "" {
			return fail("'%s' expects <addr>[:<port>[-<port>]], and optionally '%s' <addr>, and '%s' <name> as argument", opt, "usesrc", "interface")
		}
		n := 1
		j := i + 2
		for j < st.nargs() && (st.args[j] == "usesrc" || st.args[j] == "interface") {
			j += 2
			n += 2
		}
		return 0, n
	case "usesrc":
		return fail("'%s' only allowed after a '%s' statement.", "usesrc", "source")
	case "ssl-min-ver", "ssl-max-ver":
		switch val {
		case "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3":
		default:
			return fail("'%s' : unknown ssl/tls version", val)
		}
	case "ws":
		if val != "auto" && val != "h1" && val != "h2" {
			return fail("'%s' has to be 'auto', 'h1' or 'h2'", opt)
		}
	case "log-proto":
		if val != "legacy" && val != "octet-count" {
			return fail("'%s' expects one of 'legacy' or 'octet-count' but got '%s'", opt, val)
		}
	case "resolve-prefer":
		if val != "ipv4" && val != "ipv6" {
			return fail("'%s' expects either ipv4 or ipv6 as argument.", opt)
		}
	case "resolve-opts":
		for _, o := range strings.Split(val, ",") {
			if o != "allow-dup-ip" && o != "ignore-weight" && o != "prevent-dup-ip" {
				return fail("'%s' : unknown resolve-opts option '%s', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'.", opt, o)
			}
		}
	case "pool-purge-delay":
		if val == "" {
			return fail("'%s' expects <value> as argument.", opt)
		}
		if _, res, bad, _ := parseTime(val, time.Millisecond); res == timeBadChar {
			return fail("unexpected character '%c' in argument to <%s>.", bad, opt)
		}
	case "socks4":
		if val == "" {
			return fail("'%s' expects <addr>:<port> as argument.", opt)
		}
		if _, msg := parseAddress(val, paPortOK|paPortMand|paStream|paResolve, p.resolveHost); msg != "" {
			return fail("'%s %s' : %s", opt, val, strings.TrimSuffix(msg, "\n"))
		}
	case "namespace":
		if _, err := os.Stat("/var/run/netns/" + val); err != nil && val != "*" {
			return fail("Cannot open namespace '%s'", val)
		}
	case "sni":
		fetch, _, _, _ := splitFetch(val)
		if !sampleFetches[fetch] && !isLiteralSample(val) {
			return fail("error detected while parsing sni expression : unknown fetch method '%s'", fetch)
		}
	case "proto":
		if val == "" {
			return fail("'%s' : missing value", opt)
		}
		switch val {
		case "h1", "h2", "fcgi", "none":
		default:
			return fail("'%s' :  unknown MUX protocol '%s'", opt, val)
		}
	default:
		if k := serverKeywords[serverKeywordIndex[opt]]; k.args == 1 && val == "" {
			return fail("'%s' expects <value> as argument.\n", opt)
		}
	}
	return 0, -1
}
