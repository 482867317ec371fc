package haproxy

import (
	"strings"
	"time"
)

// Removed keywords (see LEGACY.md). haproxy 2.6 rejects them; goproxy
// accepts the ones with a faithful modern equivalent, maps them into the
// model and warns with the line to write instead. The others are refused
// with an alert that says what to write.

// legacyWarn records a mapped legacy statement and prints the warning.
func (p *parser) legacyWarn(st *stmt, px *Proxy, format string, args ...any) int {
	if px != nil {
		px.Legacy = append(px.Legacy, st.statement())
	}
	return p.warn(st, format, args...)
}

// legacyNbproc accepts "nbproc N" (removed in 2.5).
func (p *parser) legacyNbproc(st *stmt) int {
	if c, bad := p.tooManyArgs(st, 1); bad {
		return c
	}
	n := atoi(st.arg(1))
	if st.arg(1) == "" || n < 1 {
		return p.alert(st, "'%s' expects an integer argument.", st.args[0])
	}
	p.cfg.Global.NbProc = n
	return p.warn(st, "nbproc is not supported any more since HAProxy 2.5; goproxy ignores it and uses all cores (threads).")
}

// legacyTimeout maps contimeout/clitimeout/srvtimeout (removed in 2.1).
func (p *parser) legacyTimeout(st *stmt, px *Proxy) int {
	modern := map[string]string{"contimeout": "connect", "clitimeout": "client", "srvtimeout": "server"}[st.args[0]]
	val := st.arg(1)
	if val == "" {
		return p.alert(st, "'timeout %s' expects an integer value (in milliseconds)", modern)
	}
	d, res, bad, _ := parseTime(val, time.Millisecond)
	switch res {
	case timeBadChar:
		return p.alert(st, "unexpected character '%c' in 'timeout %s'", bad, modern)
	case timeOverflow:
		return p.alert(st, "timer overflow in argument '%s' to 'timeout %s' (maximum value is 2147483647 ms or ~24.8 days)", val, modern)
	case timeUnderflow:
		return p.alert(st, "timer underflow in argument '%s' to 'timeout %s' (minimum non-null value is 1 ms)", val, modern)
	}
	fe := modern == "client"
	if (fe && px.Kind.IsFrontend()) || (!fe && px.Kind.IsBackend()) {
		switch modern {
		case "connect":
			px.Timeouts.Connect = d
		case "client":
			px.Timeouts.Client = d
		default:
			px.Timeouts.Server = d
		}
	}
	return p.legacyWarn(st, px, "the '%s' directive is not supported anymore since HAProxy 2.1; goproxy maps it to 'timeout %s'.", st.args[0], modern)
}

// legacyForceClose maps "option forceclose" (removed in 2.0).
func (p *parser) legacyForceClose(st *stmt, px *Proxy) int {
	if st.mod == "no" {
		px.Options.HTTPClose = false
		return p.legacyWarn(st, px, "option 'forceclose' is not supported any more since HAProxy 2.0; goproxy maps it to 'no option httpclose'.")
	}
	px.Options.HTTPClose, px.Options.HTTPServerClose, px.Options.HTTPKeepAlive = true, false, false
	px.Options.Set["httpclose"] = true
	return p.legacyWarn(st, px, "option 'forceclose' is not supported any more since HAProxy 2.0; goproxy maps it to 'option httpclose'.")
}

// parseLegacyListen handles the removed proxy keywords. ok is false when
// kw is not one of them.
func (p *parser) parseLegacyListen(st *stmt, px *Proxy) (int, bool) {
	kw := st.args[0]
	switch kw {
	case "redispatch", "redisp":
		if p.warnNotCap(st, px, false, true, kw, "") {
			return errWarn, true
		}
		px.Options.Redispatch = true
		px.Options.RedispatchInterval = -1
		return p.legacyWarn(st, px, "the '%s' directive is not supported anymore since HAProxy 2.1; goproxy maps it to 'option redispatch'.", kw), true
	case "reqadd", "rspadd":
		// reqadd <string> [{if|unless} <cond>]: the string is "Name: value".
		name, value, ok := strings.Cut(st.arg(1), ":")
		if st.arg(1) == "" || !ok {
			return p.alert(st, "The '%s' directive is not supported anymore since HAProxy 2.1. Use '%s add-header' instead.", kw, ruleKind(kw)), true
		}
		value = strings.TrimLeft(value, " \t")
		args := []string{ruleKind(kw), "add-header", name, value}
		args = append(args, st.args[2:st.nargs()]...)
		return p.mapToHTTPRule(st, px, args), true
	case "reqdel", "reqidel", "rspdel", "rspidel":
		// reqdel ^Name:.* is the only form with a faithful equivalent.
		name, ok := headerFromAnchoredRegex(st.arg(1))
		if !ok {
			return p.alert(st, "The '%s' directive is not supported anymore since HAProxy 2.1. Use '%s del-header' instead.", kw, ruleKind(kw)), true
		}
		args := []string{ruleKind(kw), "del-header", name}
		args = append(args, st.args[2:st.nargs()]...)
		return p.mapToHTTPRule(st, px, args), true
	case "reqrep", "reqirep", "rsprep", "rspirep":
		return p.alert(st, "The '%s' directive is not supported anymore since HAProxy 2.1. Use '%s replace-header', '%s replace-value' or 'http-request replace-path/replace-uri' instead: the regex applied to the whole header line cannot be mapped automatically.", kw, ruleKind(kw), ruleKind(kw)), true
	case "reqdeny", "reqideny", "rspdeny", "rspideny", "reqtarpit", "reqitarpit", "reqallow", "reqiallow", "reqpass", "reqipass":
		return p.alert(st, "The '%s' directive is not supported anymore since HAProxy 2.1. Use '%s %s' with an ACL matching the header instead.", kw, ruleKind(kw), legacyVerb(kw)), true
	case "monitor-net":
		if st.arg(1) == "" || !validNetwork(st.arg(1)) {
			return p.alert(st, "'monitor-net' doesn't exist anymore. Please use 'http-request return status 200 if { src %s }' instead.", st.arg(1)), true
		}
		args := []string{"http-request", "return", "status", "200", "if", "{", "src", st.args[1], "}"}
		return p.mapToHTTPRule(st, px, args), true
	case "cliexp", "srvexp":
		return p.alert(st, "The '%s' directive is not supported anymore since HAProxy 2.1. Use 'http-request replace-value' or 'http-response replace-value' instead.", kw), true
	}
	return 0, false
}

func ruleKind(kw string) string {
	if strings.HasPrefix(kw, "rsp") {
		return "http-response"
	}
	return "http-request"
}

func legacyVerb(kw string) string {
	switch {
	case strings.Contains(kw, "deny"):
		return "deny"
	case strings.Contains(kw, "tarpit"):
		return "tarpit"
	default:
		return "allow"
	}
}

// headerFromAnchoredRegex recognises "^Name:" or "^Name:.*" and returns
// Name when it is a plain header name.
func headerFromAnchoredRegex(re string) (string, bool) {
	if !strings.HasPrefix(re, "^") {
		return "", false
	}
	re = strings.TrimSuffix(strings.TrimSuffix(re[1:], ".*"), ":")
	if re == "" {
		return "", false
	}
	for i := 0; i < len(re); i++ {
		if !(isAlnum(re[i]) || re[i] == '-' || re[i] == '_') {
			return "", false
		}
	}
	return re, true
}

// mapToHTTPRule parses the modern equivalent of a legacy line and warns
// with it.
func (p *parser) mapToHTTPRule(st *stmt, px *Proxy, args []string) int {
	modern := &stmt{Pos: st.Pos, args: args}
	rule, code := p.parseHTTPRule(modern, px, args[0])
	if rule == nil {
		return code
	}
	if args[0] == "http-request" {
		px.HTTPRequest = append(px.HTTPRequest, rule)
	} else {
		px.HTTPResponse = append(px.HTTPResponse, rule)
	}
	return code | p.legacyWarn(st, px, "The '%s' directive is not supported anymore since HAProxy 2.1; goproxy maps it to '%s'.", st.args[0], quoteLine(args))
}

// quoteLine renders words as a configuration line, quoting when needed.
func quoteLine(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if w == "" || strings.ContainsAny(w, " \t#'\"\\") {
			out[i] = "\"" + strings.NewReplacer("\\", "\\\\", "\"", "\\\"").Replace(w) + "\""
		} else {
			out[i] = w
		}
	}
	return strings.Join(out, " ")
}
