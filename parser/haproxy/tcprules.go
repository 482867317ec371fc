package haproxy

import (
	"fmt"
	"strings"
	"time"
)

// tcpActions are the tcp-request actions of the reference build by rule
// kind, in the order haproxy lists them (tcp_rules.c, tcp_act.c, vars.c,
// stick_table.c).
var tcpActions = map[string][]string{
	"connection": {"accept", "reject", "capture", "expect-proxy", "expect-netscaler-cip", "track-sc0", "track-sc1", "track-sc2",
		"sc-inc-gpc(", "sc-inc-gpc0(", "sc-inc-gpc1(", "sc-set-gpt(", "sc-set-gpt0(", "set-var-fmt(", "set-var(", "unset-var(",
		"set-dst", "set-dst-port", "set-mark", "set-src", "set-src-port", "set-tos", "silent-drop"},
	"session": {"accept", "reject", "track-sc0", "track-sc1", "track-sc2", "sc-inc-gpc(", "sc-inc-gpc0(", "sc-inc-gpc1(",
		"sc-set-gpt(", "sc-set-gpt0(", "set-var-fmt(", "set-var(", "unset-var(", "set-dst", "set-dst-port", "set-mark",
		"set-src", "set-src-port", "set-tos", "silent-drop", "attach-srv"},
	"content": {"accept", "reject", "capture", "track-sc0", "track-sc1", "track-sc2", "set-log-level", "set-nice", "switch-mode",
		"use-service", "sc-inc-gpc(", "sc-inc-gpc0(", "sc-inc-gpc1(", "sc-set-gpt(", "sc-set-gpt0(", "send-spoe-group",
		"do-resolve(", "set-priority-class", "set-priority-offset", "set-var-fmt(", "set-var(", "unset-var(", "set-dst",
		"set-dst-port", "set-mark", "set-src", "set-src-port", "set-tos", "silent-drop", "ot-group", "set-bandwidth-limit"},
	"response": {"accept", "reject", "close", "sc-inc-gpc(", "sc-inc-gpc0(", "sc-inc-gpc1(", "sc-set-gpt(", "sc-set-gpt0(",
		"send-spoe-group", "set-log-level", "set-nice", "set-var-fmt(", "set-var(", "unset-var(", "set-mark", "set-tos",
		"silent-drop", "ot-group", "set-bandwidth-limit"},
}

func tcpActionKnown(list []string, word string) bool {
	if strings.HasPrefix(word, "lua.") {
		return true
	}
	for _, a := range list {
		if strings.HasSuffix(a, "(") {
			base := a[:len(a)-1]
			if word == base || (strings.HasPrefix(word, a) && strings.HasSuffix(word, ")")) {
				return true
			}
		} else if a == word {
			return true
		}
	}
	return false
}

// parseTCPRule validates "tcp-request"/"tcp-response" lines
// (tcp_rules.c tcp_parse_tcp_req / tcp_parse_tcp_rep) and counts them for
// the rule-order warnings.
func (p *parser) parseTCPRule(st *stmt, px *Proxy) int {
	kw, sub := st.args[0], st.arg(1)
	where := fmt.Sprintf("%s '%s'", proxyTypeStr(px.Kind), px.Name)
	if kw == "tcp-response" {
		if px.Kind == KindFrontend {
			return p.alert(st, "%s %s is only allowed in 'backend' sections or 'defaults' section with a name", kw, sub)
		}
		switch sub {
		case "inspect-delay":
			return p.tcpInspectDelay(st, px, where)
		case "content":
		default:
			return p.alert(st, "'%s' expects 'inspect-delay' or 'content' in %s (got '%s')", kw, where, sub)
		}
		return p.tcpAction(st, px, "response", where)
	}
	switch sub {
	case "inspect-delay":
		return p.tcpInspectDelay(st, px, where)
	case "connection", "session", "content":
		if px.Kind == KindDefaults && px.Name == "" {
			return p.alert(st, "%s %s is not allowed in anonymous 'defaults' sections", kw, sub)
		}
		return p.tcpAction(st, px, sub, where)
	}
	return p.alert(st, "'%s' expects 'inspect-delay', 'connection', or 'content' in %s (got '%s')", kw, where, sub)
}

func (p *parser) tcpInspectDelay(st *stmt, px *Proxy, where string) int {
	msg := fmt.Sprintf("'%s %s' expects a positive delay in milliseconds, in %s", st.args[0], st.args[1], where)
	v := st.arg(2)
	if v == "" {
		return p.alert(st, "%s", msg)
	}
	_, res, bad, _ := parseTime(v, time.Millisecond)
	switch res {
	case timeOverflow:
		return p.alert(st, "%s (timer overflow in '%s', maximum value is 2147483647 ms or ~24.8 days)", msg, v)
	case timeUnderflow:
		return p.alert(st, "%s (timer underflow in '%s', minimum non-null value is 1 ms)", msg, v)
	case timeBadChar:
		return p.alert(st, "%s (unexpected character '%c')", msg, bad)
	}
	return 0
}

func (p *parser) tcpAction(st *stmt, px *Proxy, kind, where string) int {
	action := st.arg(2)
	list := tcpActions[kind]
	if !tcpActionKnown(list, action) {
		var b strings.Builder
		for i, a := range list {
			if a == "track-sc1" || a == "track-sc2" {
				continue
			}
			if i > 0 {
				b.WriteString(", ")
			}
			if strings.HasSuffix(a, "(") {
				a += "*)"
			}
			b.WriteString("'" + a + "'")
			if a == "track-sc0" {
				b.WriteString(" ... 'track-sc2'")
			}
		}
		return p.alert(st, "'%s %s' expects %s in %s (got '%s').", st.args[0], st.args[1], b.String(), where, action)
	}
	if action == "use-service" {
		// the only service haproxy 2.6 knows (the Prometheus exporter)
		// refuses tcp rulesets; the words in these messages are haproxy's
		// (src/stream.c stream_parse_use_service, addons/promex).
		switch st.arg(3) {
		case "":
			return p.alert(st, "'%s' expects a service name.", st.args[0])
		case "prometheus-exporter":
			return p.alert(st, "Prometheus exporter service only available on 'http-request' rulesets")
		default:
			return p.alert(st, "'%s' unknown service name.", st.args[1])
		}
	}
	if strings.HasPrefix(action, "track-sc") {
		table := px.Name
		for i := 3; i < st.nargs(); i++ {
			if st.args[i] == "table" && st.arg(i+1) != "" {
				table = st.args[i+1]
			}
		}
		if st.arg(3) == "" {
			return p.alert(st, "'%s %s %s' : missing fetch method", st.args[0], st.args[1], action)
		}
		px.trackTables = append(px.trackTables, trackRef{action: action, table: table})
	}
	if action == "accept" || action == "reject" || action == "silent-drop" || action == "close" {
		if w := st.arg(3); w != "" && w != "if" && w != "unless" {
			return p.alert(st, "'%s %s %s' only accepts 'if' or 'unless', in %s (got '%s')", st.args[0], st.args[1], action, where, w)
		}
	}
	for i := 3; i < st.nargs(); i++ {
		if st.args[i] != "if" && st.args[i] != "unless" {
			continue
		}
		if _, msg := p.parseCondition(st, px, i); msg != "" {
			return p.alert(st, "'%s %s %s' : error detected in %s while parsing '%s' condition : %s",
				st.args[0], st.args[1], action, where, st.args[i], msg)
		}
		break
	}
	return 0
}
