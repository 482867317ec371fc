package haproxy

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// parseUserlist handles a "userlist" section (configuration.txt §3.4).
func (p *parser) parseUserlist(st *stmt) int {
	if p.curUserlist == nil && st.args[0] != "userlist" {
		return 0
	}
	switch st.args[0] {
	case "userlist":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if st.arg(1) == "" {
			p.curUserlist = &Userlist{} // following lines go nowhere
			return p.alertNS(st, "'%s' expects <name> as arguments.", st.args[0])
		}
		for _, u := range p.cfg.Userlists {
			if u.Name == st.args[1] {
				p.warnNS(st, "ignoring duplicated userlist '%s'.", st.args[1])
				p.curUserlist = &Userlist{}
				return errWarn
			}
		}
		p.curUserlist = &Userlist{Pos: st.Pos, Name: st.args[1]}
		p.cfg.Userlists = append(p.cfg.Userlists, p.curUserlist)
	case "group":
		if st.arg(1) == "" {
			return p.alertNS(st, "'%s' expects <name> as arguments.", st.args[0])
		}
		if c, bad := invalidChar(st.args[1]); bad {
			return p.alertNS(st, "character '%c' is not permitted in '%s' name '%s'.", c, st.args[0], st.args[1])
		}
		g := UserGroup{Pos: st.Pos, Name: st.args[1]}
		for i := 2; i < st.nargs(); i++ {
			if st.args[i] == "users" {
				// haproxy takes the next word, even an empty one
				g.Users = splitComma(st.arg(i + 1))
				i++
				continue
			}
			return p.alertNS(st, "'%s' only supports 'users' option.", st.args[0])
		}
		p.curUserlist.Groups = append(p.curUserlist.Groups, g)
	case "user":
		if st.arg(1) == "" {
			return p.alertNS(st, "'%s' expects <name> as arguments.", st.args[0])
		}
		if c, bad := invalidChar(st.args[1]); bad {
			return p.alertNS(st, "character '%c' is not permitted in '%s' name '%s'.", c, st.args[0], st.args[1])
		}
		u := User{Pos: st.Pos, Name: st.args[1]}
		for i := 2; i < st.nargs(); i++ {
			switch st.args[i] {
			case "password", "insecure-password":
				// haproxy takes the next word even when there is none
				u.Password = st.arg(i + 1)
				u.Insecure = st.args[i] == "insecure-password"
				i++
			case "groups":
				u.Groups = splitComma(st.arg(i + 1))
				i++
			default:
				return p.alertNS(st, "'%s' only supports 'password', 'insecure-password' and 'groups' options.", st.args[0])
			}
		}
		p.curUserlist.Users = append(p.curUserlist.Users, u)
	default:
		return p.alertNS(st, "unknown keyword '%s' in '%s' section", st.args[0], "users")
	}
	return 0
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// otherSectionKeywords are the keywords each kept section accepts
// (resolvers.c, cfgparse.c peers/mailers, mworker-prog.c, http_htx.c,
// sink.c, cache.c, log.c, fcgi-app.c).
var otherSectionKeywords = map[string]map[string]bool{
	"resolvers":   set("nameserver", "parse-resolv-conf", "accepted_payload_size", "resolve_retries", "timeout", "hold", "resolution_pool_size"),
	"peers":       set("bind", "default-bind", "default-server", "log", "peer", "server", "table", "disabled", "enabled"),
	"mailers":     set("mailer", "timeout"),
	"program":     set("command", "user", "group", "option"),
	"http-errors": set("errorfile", "errorloc303"),
	"ring":        set("description", "format", "maxlen", "size", "timeout", "server"),
	"cache":       set("total-max-size", "max-object-size", "max-age", "process-vary", "max-secondary-entries"),
	"log-forward": set("bind", "dgram-bind", "log", "backlog", "maxconn", "timeout"),
	"fcgi-app":    set("acl", "docroot", "index", "log-stderr", "option", "pass-header", "path-info", "set-param", "unset-param", "hide-header"),
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// parseOtherSection keeps the statements of the sections goproxy
// recognises but does not model yet (resolvers, peers, mailers, program,
// http-errors, ring, cache, log-forward, fcgi-app), after checking their
// names and keywords as haproxy does.
func (p *parser) parseOtherSection(st *stmt) int {
	kw := st.args[0]
	if kw == p.section {
		name := st.arg(1)
		if kw == "peers" && st.arg(2) != "" {
			return p.alert(st, "'%s' cannot handle unexpected argument '%s'.", kw, st.args[2])
		}
		if name == "" {
			p.curSection = nil
			// most of these are ERR_ABORT in haproxy: reading stops.
			switch kw {
			case "peers", "mailers", "http-errors", "resolvers":
				p.alert(st, "missing name for %s section.", kw)
				return errAlert | errAbort
			case "log-forward":
				p.alert(st, "missing name for ip-forward section.")
				return errAlert | errAbort
			case "ring":
				return p.alert(st, "missing ring name.")
			case "cache":
				p.alert(st, "'%s' expects a <name> argument", kw)
				return errAlert | errAbort
			case "fcgi-app":
				return p.alertNS(st, "'%s' expects <name> as argument.", kw)
			case "program":
				return p.alert(st, "'%s' expects an <id> argument", kw)
			}
		}
		if c, bad := invalidChar(name); bad && (kw == "resolvers" || kw == "peers" || kw == "mailers" || kw == "http-errors") {
			p.curSection = nil
			return p.alert(st, "character '%c' is not permitted in '%s' name '%s'.", c, kw, name)
		}
		p.curSection = &Section{Pos: st.Pos, Kind: kw, Name: name}
		p.cfg.Sections = append(p.cfg.Sections, p.curSection)
		return 0
	}
	if p.curSection == nil {
		return 0
	}
	code := p.checkOtherStatement(st)
	if code&(errFatal|errAbort) != 0 {
		return code
	}
	if known := otherSectionKeywords[p.section]; known != nil && !known[kw] {
		switch p.section {
		case "ring":
			return p.alert(st, "unknown statement '%s'.", kw)
		case "log-forward":
			return p.alert(st, "unknown keyword '%s' in log-forward section.", kw)
		case "fcgi-app":
			return p.alertNS(st, "unknown keyword '%s' in '%s' section", kw, p.section)
		default:
			return p.alert(st, "unknown keyword '%s' in '%s' section", kw, p.section)
		}
	}
	p.curSection.Statements = append(p.curSection.Statements, st.statement())
	return code
}

// checkOtherStatement validates the arguments of the common statements of
// the kept sections.
func (p *parser) checkOtherStatement(st *stmt) int {
	kw := st.args[0]
	sec := p.curSection
	switch p.section + " " + kw {
	case "resolvers nameserver", "mailers mailer":
		if st.arg(2) == "" {
			return p.alert(st, "'%s' expects <name> and <addr>[:<port>] as arguments.", kw)
		}
		if _, msg := parseAddress(st.args[2], paPortOK|paPortMand|paResolve|paStream|paDgram|paDefaultDgram, p.resolveHost); msg != "" {
			return p.alert(st, "'%s %s' : %s", kw, st.args[1], strings.TrimSuffix(msg, "\n"))
		}
		for _, o := range sec.Statements {
			if o.Args[0] == kw && len(o.Args) > 1 && o.Args[1] == st.args[1] {
				p.alertf(st.File, st.Line, "Parsing [%s:%d]: %s '%s' has same name as another %s (declared at %s:%d).",
					st.File, st.Line, kw, st.args[1], kw, o.File, o.Line)
				return errAlert | errFatal
			}
		}
	case "resolvers hold":
		if st.arg(2) == "" {
			return p.alert(st, "'%s' expects an <event> and a <time> as arguments.", kw)
		}
		switch st.arg(1) {
		case "nx", "other", "refused", "timeout", "valid", "obsolete":
		default:
			return p.alert(st, "'%s' unknown <event>: '%s', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'.", kw, st.arg(1))
		}
		if _, res, bad, _ := parseTime(st.arg(2), time.Millisecond); res == timeBadChar && st.arg(2) != "" {
			return p.alertNS(st, "unexpected character '%c' in argument to <%s>.", bad, kw)
		}
	case "resolvers timeout":
		if st.arg(1) != "retry" && st.arg(1) != "resolve" {
			return p.alert(st, "'%s' expects 'retry' or 'resolve' and <time> as arguments got '%s'.", kw, st.arg(1))
		}
		if st.arg(2) == "" {
			return p.alert(st, "'%s %s' expects <time> as argument.", kw, st.arg(1))
		}
		if _, res, bad, _ := parseTime(st.arg(2), time.Millisecond); res == timeBadChar {
			return p.alertNS(st, "unexpected character '%c' in argument to <%s %s>.", bad, kw, st.arg(1))
		}
	case "resolvers resolve_retries":
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects <nb> as argument.", kw)
		}
	case "resolvers accepted_payload_size":
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects <nb> as argument.", kw)
		}
		if n := atoi(st.arg(1)); n < 12 || n > 65535 {
			return p.alert(st, "'%s' must be between 12 and 65535 inclusive (was %s).", kw, st.arg(1))
		}
	case "peers peer", "peers server", "peers bind":
		if kw != "bind" {
			if c, bad := invalidChar(st.arg(1)); bad && st.arg(1) != "" {
				return p.alert(st, "character '%c' is not permitted in server name '%s'.", c, st.arg(1))
			}
		}
		hasPeer, hasBind := false, false
		for _, o := range sec.Statements {
			hasPeer = hasPeer || o.Args[0] == "peer"
			hasBind = hasBind || o.Args[0] == "bind"
		}
		if (kw == "peer" && hasBind) || (kw == "bind" && hasPeer) {
			return p.alert(st, "mixing \"peer\" and \"bind\" line is forbidden")
		}
		if kw == "bind" || st.arg(2) == "" {
			return 0
		}
		ctx := func(format string, a ...any) int {
			return p.ctxAlert(st, "'server (null)/%s' : %s", st.args[1], fmt.Sprintf(format, a...))
		}
		if _, msg := parseAddress(st.args[2], paPortOK|paStream|paResolve, p.resolveHost); msg != "" {
			return ctx("%s", strings.TrimSuffix(msg, "\n"))
		}
		for i := 3; i < st.nargs(); i++ {
			idx, ok := serverKeywordIndex[st.args[i]]
			if !ok {
				if best := bestMatch(st.args[i], serverKeywordNames, serverExtraKeywords); best != "" {
					return ctx("unknown keyword '%s'; did you mean '%s' maybe ?", st.args[i], best)
				}
				return ctx("unknown keyword '%s'.", st.args[i])
			}
			if n := serverKeywords[idx].args; n > 0 {
				i += n
			}
		}
	case "mailers timeout":
		if st.arg(1) != "mail" || st.arg(2) == "" {
			if st.arg(1) == "mail" || st.arg(1) == "" {
				return p.alert(st, "'%s' expects 'mail' and <time> as arguments.", kw)
			}
			return p.alert(st, "'%s' expects 'mail' and <time> as arguments got '%s'.", kw, st.arg(1))
		}
	case "http-errors errorfile":
		if st.arg(1) == "" || st.arg(2) == "" {
			return p.alert(st, "%s : expects <status_code> and <file> as arguments.\n", kw)
		}
		code := atoi(st.args[1])
		if !errorfileCodes[code] {
			return p.alert(st, "errorfile : status code '%d' not handled.", code)
		}
		data, err := os.ReadFile(st.args[2])
		if err != nil {
			return p.alert(st, "errorfile : error opening file '%s'.", st.args[2])
		}
		if msg := checkErrorMessage(data); msg != "" {
			return p.alert(st, "errorfile : '%s': %s", st.args[2], msg)
		}
	case "cache total-max-size":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if !isInteger(st.arg(1)) {
			p.warnNS(st, "total-max-size wrong value '%s'", st.arg(1))
			return errWarn | errAbort
		}
	case "ring maxlen":
		// sink.c reuses the size message for maxlen
		if atoi(st.arg(1)) <= 0 {
			return p.alert(st, "invalid size '%s' for new sink buffer.", st.arg(1))
		}
	case "ring format":
		switch st.arg(1) {
		case "iso", "local", "raw", "rfc3164", "rfc5424", "short", "priority", "timed":
		default:
			return p.alert(st, "unknown format '%s'.", st.arg(1))
		}
	case "ring size":
		if !isInteger(st.arg(1)) || atoi(st.arg(1)) <= 0 {
			return p.alert(st, "invalid size '%s' for new sink buffer.", st.arg(1))
		}
		if n := atoi(st.arg(1)); n < p.cfg.Global.TuneBufSize {
			return p.warn(st, "ignoring new size '%s' that is smaller than current size '%d' for ring '%s'.", st.arg(1), p.cfg.Global.TuneBufSize, sec.Name)
		}
	case "program command":
		if st.arg(1) == "" {
			return p.alertNS(st, "'%s' expects a command with optional arguments separated in words.", kw)
		}
	}
	return 0
}

// stickStoreTypes are the data types a stick-table can store.
var stickStoreTypes = set("server_id", "gpc0", "gpc0_rate", "gpc1", "gpc1_rate", "gpt0", "gpc", "gpc_rate", "gpt",
	"conn_cnt", "conn_cur", "conn_rate", "sess_cnt", "sess_rate", "http_req_cnt", "http_req_rate", "http_err_cnt",
	"http_err_rate", "http_fail_cnt", "http_fail_rate", "bytes_in_cnt", "bytes_in_rate", "bytes_out_cnt",
	"bytes_out_rate", "server_key", "server_name")

// checkStickTable validates the arguments of "stick-table" (stick_table.c
// parse_stick_table) and returns the text after "stick-table: ".
func checkStickTable(args []string) string {
	hasType, hasSize := false, false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch a {
		case "size":
			i++
			if i >= len(args) {
				return "missing argument after 'size'."
			}
			v := args[i]
			j := 0
			for j < len(v) && isDigit(v[j]) {
				j++
			}
			if j < len(v) && strings.ContainsRune("kKmMgG", rune(v[j])) {
				j++
			}
			if j < len(v) || j == 0 {
				c := byte(0)
				if j < len(v) {
					c = v[j]
				}
				return fmt.Sprintf("unexpected character '%c' in argument of 'size'.", c)
			}
			hasSize = true
		case "peers", "srvkey", "write-to":
			i++
			if i >= len(args) {
				return fmt.Sprintf("missing argument after '%s'.", a)
			}
		case "expire":
			i++
			if i >= len(args) {
				return "missing argument after 'expire'."
			}
			_, res, bad, _ := parseTime(args[i], time.Millisecond)
			switch res {
			case timeBadChar:
				return fmt.Sprintf("unexpected character '%c' in argument of 'expire'.", bad)
			case timeOverflow:
				return fmt.Sprintf("timer overflow in argument <%s> to <expire>, maximum value is 2147483647 ms (~24.8 days).", args[i])
			}
		case "nopurge":
		case "type":
			i++
			if i >= len(args) {
				return "unknown type ''."
			}
			switch args[i] {
			case "ip", "ipv6", "integer":
			case "string", "binary":
				if i+2 < len(args) && args[i+1] == "len" {
					i += 2
				}
			default:
				return fmt.Sprintf("unknown type '%s'.", args[i])
			}
			hasType = true
		case "store":
			i++
			if i >= len(args) {
				continue // haproxy accepts a trailing "store"
			}
			for _, opt := range strings.Split(args[i], ",") {
				name := opt
				if k := strings.IndexByte(opt, '('); k >= 0 {
					name = opt[:k]
				}
				if !stickStoreTypes[name] {
					return fmt.Sprintf("unknown store option '%s'.", name)
				}
			}
		default:
			return fmt.Sprintf("unknown argument '%s'.", a)
		}
	}
	if !hasSize {
		return "missing size."
	}
	if !hasType {
		return "missing type."
	}
	return ""
}
