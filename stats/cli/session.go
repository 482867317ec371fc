package cli

import (
	"strconv"
	"strings"
	"time"

	"goha/stats"
)

// session is one CLI connection's state: its level (lowered by "operator"
// and "user"), interactive mode, and idle timeout.
type session struct {
	srv     *Server
	level   Level
	prompt  bool
	quit    bool
	noLF    bool // "operator -" / "user -": no newline after this answer
	timeout time.Duration

	// for "show sess": this stream's id, protocol, source and fd
	id    uint64
	epoch uint64
	proto string
	src   string
	fd    int
}

// notImplemented answers the haproxy commands goha does not implement.
const notImplemented = "This command is not implemented by goha.\n"

// permissionDenied is haproxy's cli_permission_denied_msg.
const permissionDenied = "Permission denied\n"

// execute runs one command line and returns its answer (without the
// post-command prompt).
func (s *session) execute(line []byte) string {
	args := splitArgs(line)
	if len(args) > maxArgs {
		args = args[:maxArgs]
	}
	kw := findKeyword(args)
	if kw == nil {
		if isOtherCommand(args) {
			// a real haproxy command goha lacks: say so plainly rather
			// than haproxy's "Unknown command" (a deliberate difference)
			return notImplemented
		}
		return usage(args)
	}
	return kw.run(s, args)
}

// has reports whether the session has at least level l; the caller
// answers permissionDenied otherwise (cli_has_level).
func (s *session) has(l Level) bool { return s.level >= l }

func (s *session) rt() Runtime { return s.srv.Runtime }

func cmdHelp(s *session, args []string) string { return usage(args) }

func cmdPrompt(s *session, args []string) string {
	s.prompt = !s.prompt
	return ""
}

func cmdQuit(s *session, args []string) string {
	s.quit = true
	return ""
}

func cmdSetLevel(s *session, args []string) string {
	if len(args) > 1 && args[1] == "-" {
		s.noLF = true
	}
	want := LevelUser
	if args[0] == "operator" {
		want = LevelOperator
	}
	if !s.has(want) {
		return permissionDenied
	}
	s.level = want
	return ""
}

func cmdShowLevel(s *session, args []string) string { return s.level.String() + "\n" }

// cmdSetTimeout is "set timeout cli <delay>" (seconds unless a unit is
// given, at least 1s).
func cmdSetTimeout(s *session, args []string) string {
	if arg(args, 2) != "cli" {
		return "'set timeout' only supports 'cli'.\n"
	}
	if arg(args, 3) == "" {
		return "Expects an integer value.\n"
	}
	ms, ok := parseTime(arg(args, 3), 1000)
	if !ok || ms/1000 < 1 {
		return "Invalid timeout value.\n"
	}
	s.timeout = time.Duration(ms/1000) * time.Second
	return ""
}

// parseTime is parse_time_err for the units haproxy accepts: us, ms, s,
// m, h, d; unit is the multiplier (in ms) of a bare number.
func parseTime(v string, unit uint64) (uint64, bool) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n, err := strconv.ParseUint(v[:i], 10, 32)
	if err != nil {
		return 0, false
	}
	switch v[i:] {
	case "":
		return n * unit, true
	case "us":
		return n / 1000, true
	case "ms":
		return n, true
	case "s":
		return n * 1000, true
	case "m":
		return n * 60000, true
	case "h":
		return n * 3600000, true
	case "d":
		return n * 86400000, true
	}
	return 0, false
}

// arg returns args[i] or "" (haproxy's unused argument slots are empty).
func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

func cmdShowStat(s *session, args []string) string {
	proxies := s.rt().Proxies()
	req, err := stats.ParseShowStat(args, stats.ProxyLookup(proxies))
	if err != nil {
		return err.Error() + "\n"
	}
	if req.Resolvers {
		// no resolvers sections: haproxy prints nothing for them either
		return ""
	}
	d := &stats.StatDump{
		Format:  req.Format,
		Filter:  req.Filter,
		Desc:    req.Desc,
		Clock:   s.rt().Clock(),
		Options: stats.Options{Legends: s.has(LevelOperator), HideDown: req.HideDown, NoMaint: req.NoMaint},
	}
	return string(d.AppendAll(nil, proxies))
}

func cmdShowInfo(s *session, args []string) string {
	req := stats.ParseShowInfo(args)
	in := s.rt().Info(s.rt().Clock())
	in.Float = req.Float
	return string(stats.AppendInfo(nil, in, req.Format, req.Desc))
}

func cmdClearCounters(s *session, args []string) string {
	all := arg(args, 2) == "all"
	if !s.has(LevelOperator) || (all && !s.has(LevelAdmin)) {
		return permissionDenied
	}
	s.rt().ClearCounters(all)
	return ""
}

// showBackend lists the backends, "# name" first (cli_io_handler_show_backend).
func cmdShowBackend(s *session, args []string) string {
	var b strings.Builder
	b.WriteString("# name\n")
	for _, px := range s.rt().Proxies() {
		if px.Cap&stats.CapBE != 0 {
			b.WriteString(px.Name)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// findFrontend is cli_find_frontend: by name, or "#<id>".
func findFrontend(proxies []*stats.Proxy, name string) (*stats.Proxy, string) {
	if name == "" {
		return nil, "A frontend name is expected.\n"
	}
	if px := findProxy(proxies, name, stats.CapFE); px != nil {
		return px, ""
	}
	return nil, "No such frontend.\n"
}

// findProxy looks a proxy with capability c up by name or by "#<id>"
// (proxy_fe_by_name / proxy_be_by_name).
func findProxy(proxies []*stats.Proxy, name string, c stats.Cap) *stats.Proxy {
	if strings.HasPrefix(name, "#") {
		id, err := strconv.ParseUint(name[1:], 10, 32)
		if err != nil {
			return nil
		}
		for _, px := range proxies {
			if px.ID == uint32(id) && px.Cap&c != 0 {
				return px
			}
		}
		return nil
	}
	for _, px := range proxies {
		if px.Name == name && px.Cap&c != 0 {
			return px
		}
	}
	return nil
}

func cmdDisableFrontend(s *session, args []string) string {
	if !s.has(LevelAdmin) {
		return permissionDenied
	}
	px, msg := findFrontend(s.rt().Proxies(), arg(args, 2))
	if px == nil {
		return msg
	}
	switch stats.ProxyState(px.State.Load()) {
	case stats.ProxyStopped:
		return "Frontend was previously shut down, cannot disable.\n"
	case stats.ProxyPaused:
		return "All sockets are already disabled.\n"
	}
	if err := s.rt().PauseFrontend(px); err != nil {
		return "Failed to pause frontend, check logs for precise cause.\n"
	}
	return ""
}

func cmdEnableFrontend(s *session, args []string) string {
	if !s.has(LevelAdmin) {
		return permissionDenied
	}
	px, msg := findFrontend(s.rt().Proxies(), arg(args, 2))
	if px == nil {
		return msg
	}
	switch stats.ProxyState(px.State.Load()) {
	case stats.ProxyStopped:
		return "Frontend was previously shut down, cannot enable.\n"
	case stats.ProxyOpen:
		return "All sockets are already enabled.\n"
	}
	if err := s.rt().ResumeFrontend(px); err != nil {
		return "Failed to resume frontend, check logs for precise cause (port conflict?).\n"
	}
	return ""
}
