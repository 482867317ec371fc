package haproxy

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// httpReqActions and httpResActions are the actions of the reference
// build (configuration.txt §4.2 "http-request", "http-response").
// Entries ending in '(' take a parenthesised name (set-var(NAME)).
var httpReqActions = []string{
	"wait-for-handshake", "ot-group", "set-log-level", "set-nice", "use-service", "sc-inc-gpc(", "sc-inc-gpc0(",
	"sc-inc-gpc1(", "sc-set-gpt(", "sc-set-gpt0(", "send-spoe-group", "do-resolve(", "cache-use", "add-acl(",
	"add-header", "allow", "auth", "capture", "del-acl(", "del-header", "del-map(", "deny", "disable-l7-retry",
	"early-hint", "normalize-uri", "redirect", "reject", "replace-header", "replace-path", "replace-pathq",
	"replace-uri", "replace-value", "return", "set-header", "set-map(", "set-method", "set-path", "set-pathq",
	"set-query", "set-uri", "strict-mode", "tarpit", "track-sc(", "set-timeout", "wait-for-body", "set-var-fmt(",
	"set-var(", "unset-var(", "set-dst", "set-dst-port", "set-mark", "set-src", "set-src-port", "set-tos",
	"silent-drop", "set-priority-class", "set-priority-offset",
}

var httpResActions = []string{
	"ot-group", "set-log-level", "set-nice", "sc-inc-gpc(", "sc-inc-gpc0(", "sc-inc-gpc1(", "sc-set-gpt(",
	"sc-set-gpt0(", "send-spoe-group", "cache-store", "add-acl(", "add-header", "allow", "capture", "del-acl(",
	"del-header", "del-map(", "deny", "redirect", "replace-header", "replace-value", "return", "set-header",
	"set-map(", "set-status", "strict-mode", "track-sc(", "wait-for-body", "set-var-fmt(", "set-var(",
	"unset-var(", "set-mark", "set-tos", "silent-drop",
}

// httpAfterActions are the http-after-response actions.
var httpAfterActions = []string{"ot-group", "add-header", "allow", "capture", "del-header", "replace-header",
	"replace-value", "set-header", "set-status", "strict-mode", "set-var-fmt(", "set-var(", "unset-var("}

func missingArg(w string) string {
	if w == "" {
		return " (missing argument)"
	}
	return ""
}

// actionMaxArgs bounds the words some actions take before "if"/"unless".
var actionMaxArgs = map[string]int{"track-sc0": 3, "track-sc1": 3, "track-sc2": 3, "cache-store": 1, "cache-use": 1, "set-var": 1, "set-var-fmt": 1, "unset-var": 0, "set-log-level": 1, "set-nice": 1,
	"set-tos": 1, "set-mark": 1, "set-src": 1, "set-dst": 1, "set-src-port": 1, "set-dst-port": 1, "early-hint": 2,
	"set-priority-class": 1, "set-priority-offset": 1, "disable-l7-retry": 0, "strict-mode": 1}

// defaultErrorCodes have a built-in error page (http_err_codes[]).
var defaultErrorCodes = map[int]bool{200: true, 400: true, 401: true, 403: true, 404: true, 405: true, 407: true,
	408: true, 410: true, 413: true, 421: true, 422: true, 425: true, 429: true, 500: true, 501: true, 502: true,
	503: true, 504: true}

// checkVarName validates a variable name's scope (vars.c).
func checkVarName(name string) string {
	scope, _, ok := strings.Cut(name, ".")
	switch {
	case ok && (scope == "proc" || scope == "sess" || scope == "txn" || scope == "req" || scope == "res" || scope == "check"):
		return ""
	}
	return fmt.Sprintf("invalid variable name '%s'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'", name)
}

// isLiteralSample recognises the literal "fetches" int(), str(), bool()...
func isLiteralSample(s string) bool {
	for _, p := range []string{"int(", "str(", "bool(", "ipv4(", "ipv6(", "bin(", "meth("} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// finalActions stop the evaluation of the rule list (ACT_FLAG_FINAL).
var finalActions = map[string]bool{"allow": true, "deny": true, "tarpit": true, "auth": true, "redirect": true,
	"return": true, "reject": true, "silent-drop": true, "use-service": true}

// findAction matches word against an action list; prefix entries match
// "name(...)" and sc-*-gpc actions may carry an index argument.
func findAction(list []string, word string) (string, string, bool) {
	for _, a := range list {
		switch {
		case a == "track-sc(":
			// track-sc0..2 (the index is part of the name)
			if strings.HasPrefix(word, "track-sc") && len(word) == 9 && word[8] >= '0' && word[8] <= '2' {
				return word, "", true
			}
		case strings.HasPrefix(a, "sc-") && strings.HasSuffix(a, "("):
			// sc-inc-gpc0 and sc-inc-gpc0(<idx>) forms
			base := a[:len(a)-1]
			if word == base {
				return base, "", true
			}
			if strings.HasPrefix(word, a) && strings.HasSuffix(word, ")") {
				return base, word[len(a) : len(word)-1], true
			}
		case strings.HasSuffix(a, "("):
			if strings.HasPrefix(word, a) && strings.HasSuffix(word, ")") {
				return a[:len(a)-1], word[len(a) : len(word)-1], true
			}
		case a == word:
			return a, "", true
		}
	}
	if strings.HasPrefix(word, "lua.") {
		return word, "", true
	}
	return "", "", false
}

// actionListText renders the list as action_build_list() does.
func actionListText(list []string) string {
	var b strings.Builder
	for _, a := range list {
		if strings.HasSuffix(a, "(") {
			a += "*)"
		}
		b.WriteString("'" + a + "', ")
	}
	return b.String()
}

func actionNames(list []string) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = strings.TrimSuffix(a, "(")
	}
	return out
}

// parseHTTPRuleLine handles an "http-request"/"http-response" line.
func (p *parser) parseHTTPRuleLine(st *stmt, px *Proxy) int {
	kw := st.args[0]
	if px.Kind == KindDefaults && px.Name == "" {
		return p.alert(st, "'%s' not allowed in anonymous 'defaults' section.", kw)
	}
	if !px.Kind.IsFrontend() && !px.Kind.IsBackend() {
		return 0
	}
	code := 0
	own, inherited := px.HTTPRequest, px.inheritedReq
	if kw == "http-response" {
		own, inherited = px.HTTPResponse, px.inheritedRes
	}
	if len(own) > inherited {
		if last := own[len(own)-1]; last.Cond == nil && finalActions[last.Action] {
			p.warnNS(st, "previous '%s' action is final and has no condition attached, further entries are NOOP.", kw)
			code |= errWarn
		}
	}
	rule, c := p.parseHTTPRule(st, px, kw)
	if rule == nil {
		// haproxy aborts reading on a broken rule (ERR_ABORT).
		return code | errAlert | errAbort
	}
	code |= c
	if kw == "http-request" {
		code |= p.misplacedHTTPReq(st, px, kw)
		px.HTTPRequest = append(px.HTTPRequest, rule)
	} else {
		px.HTTPResponse = append(px.HTTPResponse, rule)
	}
	return code
}

// parseHTTPRule parses one rule: st.args[0] is "http-request" or
// "http-response" and st.args[1] the action (http_rules.c
// parse_http_req_cond). label names the rule kind in messages.
func (p *parser) parseHTTPRule(st *stmt, px *Proxy, label string) (*HTTPRule, int) {
	kw := st.args[0]
	list := httpReqActions
	if kw == "http-response" {
		list = httpResActions
	}
	word := st.arg(1)
	action, varName, ok := findAction(list, word)
	if !ok {
		missing := ""
		if word == "" {
			missing = " (missing argument)"
		}
		best := bestMatch(word, actionNames(list))
		hint := ""
		if best != "" {
			hint = " Did you mean '" + best + "' maybe ?"
		}
		return nil, p.alertNS(st, "'%s' expects %sbut got '%s'%s.%s", kw, actionListText(list), word, missing, hint)
	}
	r := &HTTPRule{Pos: st.Pos, Action: action, VarName: varName}
	// arguments run up to "if"/"unless"
	i := 2
	for i < st.nargs() && st.args[i] != "if" && st.args[i] != "unless" {
		i++
	}
	r.Args = append([]string(nil), st.args[2:i]...)
	fail := func(format string, a ...any) (*HTTPRule, int) {
		return nil, p.alert(st, "error detected in %s '%s' while parsing '%s %s' rule : %s.", proxyTypeStr(px.Kind), px.Name, kw, word, fmt.Sprintf(format, a...))
	}
	args := r.Args
	switch action {
	case "allow", "tarpit", "reject", "silent-drop", "disable-l7-retry", "wait-for-handshake":
		if len(args) > 0 && action != "tarpit" {
			return nil, p.alertNS(st, "'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.", kw, word, args[0])
		}
		fallthrough
	case "deny":
		r.Status = 403
		if action == "tarpit" {
			r.Status = 500
		}
		if action == "deny" || action == "tarpit" {
			for j := 0; j < len(args); j++ {
				switch args[j] {
				case "deny_status", "status":
					if j+1 >= len(args) {
						return fail("missing status code.")
					}
					r.Status = atoi(args[j+1])
					if !defaultErrorCodes[r.Status] {
						return fail("status code '%d' not handled by default with 'default-errorfiles' argument.", r.Status)
					}
					j++
				case "content-type", "errorfile", "errorfiles", "file", "lf-file", "string", "lf-string", "hdr":
					if j+1 >= len(args) {
						return fail("'%s' expects <value> as argument", args[j])
					}
					j++
					if args[j-1] == "hdr" {
						j++
					}
				default:
					return nil, p.alertNS(st, "'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.", kw, word, args[j])
				}
			}
		}
	case "auth":
		if len(args) > 0 {
			if args[0] != "realm" {
				return nil, p.alertNS(st, "'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.", kw, word, args[0])
			}
			if len(args) < 2 {
				return fail("missing realm value")
			}
			r.Realm = args[1]
			if len(args) > 2 {
				return nil, p.alertNS(st, "'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.", kw, word, args[2])
			}
		}
	case "redirect":
		r.Status = 302
		for j := 0; j < len(args); j++ {
			switch args[j] {
			case "location", "prefix", "scheme":
				if j+1 >= len(args) {
					return fail("missing argument for '%s'", args[j])
				}
				r.RedirectTyp, r.Value = args[j], args[j+1]
				j++
			case "code":
				if j+1 >= len(args) {
					return fail("missing argument for '%s'", args[j])
				}
				c := atoi(args[j+1])
				if c < 301 || c > 308 || (c > 303 && c < 307) {
					return fail("'%s': unsupported HTTP code '%s' (must be one of 301, 302, 303, 307 or 308)", args[j], args[j+1])
				}
				r.Status = c
				j++
			case "drop-query", "append-slash", "ignore-empty":
			case "set-cookie", "clear-cookie":
				if j+1 >= len(args) {
					return fail("missing argument for '%s'", args[j])
				}
				j++
			default:
				return fail("expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was '%s')", args[j])
			}
		}
		if r.RedirectTyp == "" {
			return fail("redirection type expected ('prefix', 'location', or 'scheme')")
		}
	case "set-header", "add-header", "early-hint":
		if len(args) < 2 {
			return fail("expects exactly 2 arguments")
		}
		if len(args) > 2 {
			return nil, p.alertNS(st, "'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.", kw, word, args[2])
		}
		r.HeaderName, r.Value = args[0], args[1]
	case "del-header":
		if len(args) < 1 {
			return fail("expects at least 1 argument")
		}
		r.HeaderName = args[0]
		if len(args) > 1 {
			if args[1] != "-m" || len(args) < 3 {
				return nil, p.alertNS(st, "'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.", kw, word, args[1])
			}
		}
	case "replace-header", "replace-value":
		if len(args) != 3 {
			return fail("expects exactly 3 arguments")
		}
		r.HeaderName, r.Regex, r.Value = args[0], args[1], args[2]
		if _, err := regexp.Compile(r.Regex); err != nil && !pcreCompatible(r.Regex) {
			return fail("regex '%s' is invalid%s", r.Regex, pcreErrorDetail(r.Regex, err))
		}
	case "set-path", "set-pathq", "set-uri", "set-query", "set-method":
		if len(args) != 1 {
			return fail("expects exactly 1 argument <format>")
		}
		r.Value = args[0]
	case "replace-path", "replace-pathq":
		if len(args) != 2 {
			return fail("expects exactly 2 arguments")
		}
		r.Value = args[0]
	case "replace-uri":
		if len(args) != 2 {
			return fail("expects exactly 2 arguments")
		}
		r.Regex, r.Value = args[0], args[1]
		if _, err := regexp.Compile(r.Regex); err != nil && !pcreCompatible(r.Regex) {
			return fail("regex '%s' is invalid%s", r.Regex, pcreErrorDetail(r.Regex, err))
		}
	case "use-service":
		// haproxy 2.6 registers one service here: the Prometheus exporter
		// (src/stream.c stream_parse_use_service; addons/promex).
		if len(args) == 0 {
			return fail("'use-service' expects a service name.")
		}
		if args[0] != "prometheus-exporter" {
			return fail("'%s' unknown service name.", args[0])
		}
		if len(args) > 1 {
			return nil, p.alertNS(st, "'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.", kw, word, args[1])
		}
		r.Value = args[0]
	case "set-status":
		if len(args) < 1 {
			return fail("expects 1 argument")
		}
		if len(args) > 1 && (args[1] != "reason" || len(args) != 3) {
			return nil, p.alertNS(st, "'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.", kw, word, args[1])
		}
		r.Status = atoi(args[0])
		if r.Status < 100 || r.Status > 999 {
			return fail("expects an integer status code between 100 and 999")
		}
	case "set-var", "set-var-fmt", "unset-var":
		if msg := checkVarName(varName); msg != "" {
			return fail("%s", msg)
		}
		if action != "unset-var" {
			if len(args) < 1 {
				return fail("missing fetch method")
			}
			r.Value = args[0]
			if action == "set-var" {
				fetch, _, convs, _ := splitFetch(args[0])
				if !sampleFetches[fetch] && !isLiteralSample(args[0]) {
					return fail("unknown fetch method '%s'", fetch)
				}
				for _, c := range convs {
					if cn, _, _, _ := splitFetch(c); !converters[cn] {
						return fail("unknown converter '%s'", cn)
					}
				}
			}
		}
	case "track-sc0", "track-sc1", "track-sc2":
		if len(args) < 1 {
			return fail("missing fetch method")
		}
		if msg := checkSampleExpr(args[0]); msg != "" {
			return fail("%s", msg)
		}
		table := px.Name
		if len(args) >= 3 && args[1] == "table" {
			table = args[2]
		}
		px.trackTables = append(px.trackTables, trackRef{action: action, table: table})
	case "return":
		r.Status = 200
		for j := 0; j < len(args); j++ {
			switch args[j] {
			case "status":
				if j+1 >= len(args) {
					return fail("'%s' expects <status_code> as argument", args[j])
				}
				r.Status = atoi(args[j+1])
				if r.Status < 200 || r.Status > 599 {
					return fail("Unexpected status code '%d'", r.Status)
				}
				j++
			case "content-type", "string", "lf-string", "errorfile", "errorfiles":
				if j+1 >= len(args) {
					return fail("'%s' expects <value> as argument", args[j])
				}
				if args[j] == "string" || args[j] == "lf-string" {
					r.Value = args[j+1]
				}
				j++
			case "file", "lf-file":
				if j+1 >= len(args) {
					return fail("'%s' expects <file> as argument", args[j])
				}
				if _, err := os.Stat(args[j+1]); err != nil {
					return fail("error opening file '%s'", args[j+1])
				}
				j++
			case "hdr":
				if j+2 >= len(args) {
					return fail("'%s' expects <name> and <value> as arguments", args[j])
				}
				j += 2
			case "default-errorfiles":
			default:
				return nil, p.alertNS(st, "'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.", kw, word, args[j])
			}
		}
	case "cache-store", "cache-use":
		if len(args) < 1 {
			return fail("expects a cache name")
		}
	case "capture":
		if len(args) < 3 || (args[1] != "len" && args[1] != "id") {
			return fail("expects <expression> [ 'len' <length> | id <idx> ]")
		}
		if args[1] == "id" && !isInteger(args[2]) {
			return fail("cannot parse id '%s'", args[2])
		}
	}
	if max, ok := actionMaxArgs[action]; ok && len(args) > max {
		return nil, p.alertNS(st, "'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.", kw, word, args[max])
	}
	if i < st.nargs() {
		cond, msg := p.parseCondition(st, px, i)
		if msg != "" {
			return nil, p.alert(st, "error detected while parsing an '%s %s' condition : %s.", kw, word, msg)
		}
		r.Cond = cond
	}
	_ = label
	return r, 0
}

// The "placed after" warnings (cfgparse-listen.c warnif_*): rules are
// evaluated by kind in a fixed order whatever their order in the file.
func (p *parser) afterWarn(st *stmt, arg, what string) int {
	return p.warn(st, "a '%s' rule placed after %s rule will still be processed before.", arg, what)
}

func (p *parser) misplacedRedirect(st *stmt, px *Proxy, arg string) int {
	if len(px.UseBackends) > 0 {
		return p.afterWarn(st, arg, "a 'use_backend'")
	}
	if px.nUseServer > 0 {
		return p.afterWarn(st, arg, "a 'use-server'")
	}
	return 0
}

func (p *parser) misplacedHTTPReq(st *stmt, px *Proxy, arg string) int {
	if px.nRedirect > 0 {
		return p.afterWarn(st, arg, "a 'redirect'")
	}
	return p.misplacedRedirect(st, px, arg)
}

func (p *parser) misplacedMonitor(st *stmt, px *Proxy, arg string) int {
	if len(px.HTTPRequest) > px.inheritedReq {
		return p.afterWarn(st, arg, "an 'http-request'")
	}
	return p.misplacedHTTPReq(st, px, arg)
}

func (p *parser) misplacedTCPCont(st *stmt, px *Proxy) int {
	if px.nMonitorFail > 0 {
		return p.afterWarn(st, st.args[0], "a 'monitor fail'")
	}
	return p.misplacedMonitor(st, px, st.args[0])
}

func (p *parser) misplacedTCPSess(st *stmt, px *Proxy) int {
	if px.nTCPCont > 0 {
		return p.afterWarn(st, st.args[0], "a 'tcp-request content'")
	}
	return p.misplacedTCPCont(st, px)
}

func (p *parser) misplacedTCPConn(st *stmt, px *Proxy) int {
	if px.nTCPSess > 0 {
		return p.afterWarn(st, st.args[0], "a 'tcp-request session'")
	}
	return p.misplacedTCPSess(st, px)
}
