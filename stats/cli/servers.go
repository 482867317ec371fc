package cli

import (
	"strconv"
	"strings"

	"goha/stats"
)

// lookupServer is get_backend_server: the backend and the server by name
// or "#<id>". It returns the backend even when the server is missing, so
// callers can tell "No such server." from "No such backend.".
func lookupServer(proxies []*stats.Proxy, bk, sv string) (*stats.Proxy, *stats.Server) {
	px := findProxy(proxies, bk, stats.CapBE)
	if px == nil {
		return nil, nil
	}
	if strings.HasPrefix(sv, "#") {
		id, err := strconv.ParseUint(sv[1:], 10, 32)
		if err == nil {
			for _, s := range px.Servers {
				if s.ID == uint32(id) {
					return px, s
				}
			}
		}
		return px, nil
	}
	for _, s := range px.Servers {
		if s.Name == sv {
			return px, s
		}
	}
	return px, nil
}

// findServer is cli_find_server: "backend/server" to a server, or the
// message haproxy answers.
func (s *session) findServer(spec string) (*stats.Proxy, *stats.Server, string) {
	bk, sv, _ := strings.Cut(spec, "/")
	if sv == "" || bk == "" {
		return nil, nil, "Require 'backend/server'.\n"
	}
	px, srv := lookupServer(s.rt().Proxies(), bk, sv)
	if srv == nil {
		if px != nil {
			return nil, nil, "No such server.\n"
		}
		return nil, nil, "No such backend.\n"
	}
	if stats.ProxyState(px.State.Load()) == stats.ProxyStopped {
		return nil, nil, "Proxy is disabled.\n"
	}
	return px, srv, ""
}

// cmdGetWeight answers "<uweight> (initial <iweight>)"; it needs no level.
func cmdGetWeight(s *session, args []string) string {
	bk, sv, ok := strings.Cut(arg(args, 2), "/")
	if !ok || sv == "" {
		return "Require 'backend/server'.\n"
	}
	px, srv := lookupServer(s.rt().Proxies(), bk, sv)
	if srv == nil {
		if px != nil {
			return "No such server.\n"
		}
		return "No such backend.\n"
	}
	d := s.rt().ServerDetail(px, srv)
	return strconv.FormatUint(uint64(srv.UWeight.Load()), 10) + " (initial " + strconv.FormatUint(uint64(d.IWeight), 10) + ")\n"
}

// parseWeight is server_parse_weight_change_request: an absolute weight
// 0..256, or "N%" of the initial weight (capped at 256). Some of haproxy's
// messages have no final newline; they are kept as they are.
func parseWeight(v string, d ServerDetail) (uint32, string) {
	if v == "" {
		return 0, "Require <weight> or <weight%>.\n"
	}
	w, end := strtol(v)
	switch {
	case end == 0:
		return 0, "Empty weight string empty or preceded by garbage"
	case v[end:] == "%":
		if w < 0 {
			return 0, "Relative weight must be positive.\n"
		}
		if w > 25600 {
			w = 25600
		}
		w = int64(d.IWeight) * w / 100
		if w > 256 {
			w = 256
		}
	case w < 0 || w > 256:
		return 0, "Absolute weight can only be between 0 and 256 inclusive.\n"
	case end != len(v):
		return 0, "Trailing garbage in weight string"
	}
	if w != 0 && uint32(w) != d.IWeight && !d.DynamicLB {
		return 0, "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n"
	}
	return uint32(w), ""
}

// strtol reads a base-10 long as C's strtol does: blanks, a sign, digits;
// end is 0 when no digit was read.
func strtol(s string) (int64, int) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if v < 1<<62 {
			v = v*10 + int64(s[i]-'0')
		}
	}
	if i == start {
		return 0, 0
	}
	if neg {
		v = -v
	}
	return v, i
}

func (s *session) setWeight(px *stats.Proxy, sv *stats.Server, v string) string {
	w, msg := parseWeight(v, s.rt().ServerDetail(px, sv))
	if msg != "" {
		return msg
	}
	s.rt().SetServerWeight(px, sv, w)
	return ""
}

func cmdSetWeight(s *session, args []string) string {
	if !s.has(LevelAdmin) {
		return permissionDenied
	}
	px, sv, msg := s.findServer(arg(args, 2))
	if sv == nil {
		return msg
	}
	return s.setWeight(px, sv, arg(args, 3))
}

func cmdSetServer(s *session, args []string) string {
	if !s.has(LevelAdmin) {
		return permissionDenied
	}
	px, sv, msg := s.findServer(arg(args, 2))
	if sv == nil {
		return msg
	}
	switch arg(args, 3) {
	case "weight":
		return s.setWeight(px, sv, arg(args, 4))
	case "state":
		switch arg(args, 4) {
		case "ready":
			s.rt().SetServerAdmin(px, sv, AdminReady)
		case "drain":
			s.rt().SetServerAdmin(px, sv, AdminDrain)
		case "maint":
			s.rt().SetServerAdmin(px, sv, AdminMaintenance)
		default:
			return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n"
		}
		return ""
	case "health", "agent", "agent-addr", "agent-port", "agent-send", "check-addr", "check-port", "addr", "fqdn", "ssl":
		// Known to haproxy, not to goha yet: say so rather than pretend.
		return "'set server <srv> " + arg(args, 3) + "' is not supported by goha.\n"
	}
	return "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | " +
		"check-addr | check-port | fqdn | health | ssl | state | weight\n"
}

func cmdDisableServer(s *session, args []string) string {
	if !s.has(LevelAdmin) {
		return permissionDenied
	}
	px, sv, msg := s.findServer(arg(args, 2))
	if sv == nil {
		return msg
	}
	s.rt().SetServerAdmin(px, sv, AdminMaintenance)
	return ""
}

func cmdEnableServer(s *session, args []string) string {
	if !s.has(LevelAdmin) {
		return permissionDenied
	}
	px, sv, msg := s.findServer(arg(args, 2))
	if sv == nil {
		return msg
	}
	s.rt().SetServerAdmin(px, sv, AdminReady)
	return ""
}

// serversStateHeader is the server-state file header (version 1) that
// "show servers state" starts with.
const serversStateHeader = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state " +
	"srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result " +
	"srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn " +
	"srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"

// cmdShowServersState dumps one line per server of every backend, or of
// the named one (dump_servers_state in src/proxy.c).
func cmdShowServersState(s *session, args []string) string {
	proxies := s.rt().Proxies()
	only := (*stats.Proxy)(nil)
	if name := arg(args, 3); name != "" {
		only = findProxy(proxies, name, stats.CapBE)
		if only == nil {
			return "Can't find backend.\n"
		}
	}
	clk := s.rt().Clock()
	var b []byte
	b = append(b, serversStateHeader...)
	for _, px := range proxies {
		if px.Cap&stats.CapBE == 0 || (only != nil && px != only) {
			continue
		}
		for _, sv := range px.Servers {
			b = appendServerState(b, px, sv, s.rt().ServerDetail(px, sv), clk.Unix)
		}
	}
	return string(b)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func b01(v bool) int64 {
	if v {
		return 1
	}
	return 0
}

// serverAddr is the srv_addr column: the address without its port.
func serverAddr(addr string) string {
	if addr == "" {
		return "-"
	}
	if strings.HasPrefix(addr, "[") {
		if i := strings.Index(addr, "]"); i > 0 {
			return addr[1:i]
		}
	}
	if i := strings.LastIndexByte(addr, ':'); i > 0 && strings.Count(addr, ":") == 1 {
		return addr[:i]
	}
	return addr
}

func appendServerState(b []byte, px *stats.Proxy, sv *stats.Server, d ServerDetail, now int64) []byte {
	num := func(v int64) {
		b = strconv.AppendInt(b, v, 10)
		b = append(b, ' ')
	}
	word := func(v string) {
		b = append(b, v...)
		b = append(b, ' ')
	}
	num(int64(px.ID))
	word(px.Name)
	num(int64(sv.ID))
	word(sv.Name)
	word(serverAddr(sv.Addr))
	num(int64(sv.State.Load()))
	num(int64(d.AdminFlags))
	num(int64(sv.UWeight.Load()))
	num(int64(d.IWeight))
	num(now - sv.LastChange.Load())
	num(int64(d.CheckStatus))
	num(int64(d.CheckResult))
	num(int64(d.CheckHealth))
	num(int64(d.CheckState))
	num(int64(d.AgentState))
	num(b01(d.BackendForcedID))
	num(b01(d.ForcedID))
	word(dash(d.Hostname))
	num(int64(d.Port))
	word(dash(d.SrvRecord))
	num(b01(d.UseSSL))
	num(int64(d.CheckPort))
	word(dash(d.CheckAddr))
	word(dash(d.AgentAddr))
	b = strconv.AppendInt(b, int64(d.AgentPort), 10)
	return append(b, '\n')
}
