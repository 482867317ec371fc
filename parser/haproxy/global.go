package haproxy

import (
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"
)

// globalKeywords are the global keywords of the reference build: those
// parsed by cfg_parse_global and those registered for CFG_GLOBAL.
var globalKeywords = []string{
	"ca-base", "crt-base", "issuers-chain-path", "maxsslconn", "ssl-default-bind-options",
	"ssl-default-server-options", "ssl-dh-param-file", "ssl-mode-async", "ssl-engine", "ssl-propquery",
	"ssl-provider", "ssl-provider-path", "ssl-skip-self-issued-ca", "tune.ssl.cachesize",
	"tune.ssl.default-dh-param", "tune.ssl.force-private-cache", "tune.ssl.lifetime", "tune.ssl.maxrecord",
	"tune.ssl.hard-maxrecord", "tune.ssl.ssl-ctx-cache-size", "tune.ssl.capture-cipherlist-size",
	"tune.ssl.capture-buffer-size", "tune.ssl.keylog", "ssl-default-bind-ciphers", "ssl-default-server-ciphers",
	"ssl-default-bind-curves", "ssl-default-bind-ciphersuites", "ssl-default-server-ciphersuites",
	"ssl-load-extra-files", "ssl-load-extra-del-ext", "default-path", "stats", "tune.zlib.memlevel",
	"tune.zlib.windowsize", "pp2-never-send-local", "tune.fd.edge-triggered", "lua-prepend-path", "lua-load",
	"lua-load-per-thread", "tune.lua.session-timeout", "tune.lua.task-timeout", "tune.lua.service-timeout",
	"tune.lua.forced-yield", "tune.lua.maxmem", "httpclient.resolvers.id", "httpclient.resolvers.prefer",
	"httpclient.ssl.verify", "httpclient.ssl.ca-file", "tune.listener.multi-queue",
	"h1-accept-payload-with-any-method", "h1-case-adjust", "h1-case-adjust-file", "tune.h2.header-table-size",
	"tune.h2.initial-window-size", "tune.h2.max-concurrent-streams", "tune.h2.max-frame-size",
	"mworker-max-reloads", "tune.fail-alloc", "no-memory-trimming", "grace", "hard-stop-after",
	"close-spread-time", "tune.idle-pool.shared", "tune.pool-high-fd-ratio", "tune.pool-low-fd-ratio",
	"tune.sched.low-latency", "nbthread", "thread-group", "thread-groups", "set-var", "set-var-fmt",
	"tune.vars.global-max-size", "tune.vars.proc-max-size", "tune.vars.sess-max-size",
	"tune.vars.txn-max-size", "tune.vars.reqres-max-size", "tune.vars.check-max-size",
	"profiling.memory", "profiling.tasks",
}

// globalCommonKeywords is cfgparse-global.c's common_kw_list.
var globalCommonKeywords = []string{
	"global", "daemon", "master-worker", "noepoll", "nokqueue",
	"noevports", "nopoll", "busy-polling", "set-dumpable",
	"insecure-fork-wanted", "insecure-setuid-wanted", "nosplice",
	"nogetaddrinfo", "noreuseport", "quiet", "zero-warning",
	"tune.runqueue-depth", "tune.maxpollevents", "tune.maxaccept",
	"tune.recv_enough", "tune.buffers.limit",
	"tune.buffers.reserve", "tune.bufsize", "tune.maxrewrite",
	"tune.idletimer", "tune.rcvbuf.client", "tune.rcvbuf.server",
	"tune.sndbuf.client", "tune.sndbuf.server", "tune.pipesize",
	"tune.http.cookielen", "tune.http.logurilen", "tune.http.maxhdr",
	"tune.comp.maxlevel", "tune.pattern.cache-size", "uid", "gid",
	"external-check", "user", "group", "nbproc", "maxconn",
	"ssl-server-verify", "maxconnrate", "maxsessrate", "maxsslrate",
	"maxcomprate", "maxpipes", "maxzlibmem", "maxcompcpuusage", "ulimit-n",
	"chroot", "description", "node", "pidfile", "unix-bind", "log",
	"log-send-hostname", "server-state-base", "server-state-file",
	"log-tag", "spread-checks", "max-spread-checks", "cpu-map", "setenv",
	"presetenv", "unsetenv", "resetenv", "strict-limits", "localpeer",
	"numa-cpu-mapping", "defaults", "listen", "frontend", "backend",
	"peers", "resolvers", "cluster-secret",
}

var globalKnown = func() map[string]bool {
	m := map[string]bool{"expose-experimental-directives": true, "h2-workaround-bogus-websocket-clients": true,
		"tune.chksize": true, "fd-hard-limit": true}
	for _, k := range globalKeywords {
		m[k] = true
	}
	for _, k := range globalCommonKeywords {
		m[k] = true
	}
	return m
}()

func initGlobal(g *Global) {
	g.StatsTimeout = 10 * time.Second
	g.TuneBufSize = 16384
	g.TuneMaxRewrite = 1024
	g.TuneHTTPMaxHdr = 101
	g.UID = -1
	g.GID = -1
}

// noArgGlobal are flag keywords that take no argument.
var noArgGlobal = map[string]bool{
	"daemon": true, "master-worker": true, "noepoll": true, "nokqueue": true, "noevports": true, "nopoll": true,
	"busy-polling": true, "set-dumpable": true, "insecure-fork-wanted": true, "insecure-setuid-wanted": true,
	"nosplice": true, "nogetaddrinfo": true, "noreuseport": true, "quiet": true, "zero-warning": true,
	"strict-limits": true, "numa-cpu-mapping": true, "expose-experimental-directives": true,
	"h2-workaround-bogus-websocket-clients": true, "log-send-hostname": false,
}

// intGlobal are keywords taking one integer.
var intGlobal = map[string]bool{
	"maxconnrate": true, "maxsessrate": true, "maxsslrate": true, "maxcomprate": true, "maxpipes": true,
	"ulimit-n": true, "tune.maxpollevents": true, "tune.maxaccept": true, "tune.recv_enough": true,
	"tune.buffers.limit": true, "tune.buffers.reserve": true, "tune.rcvbuf.client": true, "tune.rcvbuf.server": true,
	"tune.sndbuf.client": true, "tune.sndbuf.server": true, "tune.pipesize": true, "tune.http.cookielen": true,
	"tune.http.logurilen": true, "tune.comp.maxlevel": true, "tune.pattern.cache-size": true, "tune.runqueue-depth": true,
}

// parseGlobal parses one statement of the global section
// (cfgparse-global.c cfg_parse_global).
func (p *parser) parseGlobal(st *stmt) int {
	g := &p.cfg.Global
	kw := st.args[0]
	if st.mod != "" && kw != "log" && kw != "busy-polling" && kw != "set-dumpable" && kw != "strict-limits" &&
		kw != "insecure-fork-wanted" && kw != "numa-cpu-mapping" && kw != "option" {
		st.mod = "" // reported by the reader; the keyword is still parsed
	}
	if noArgGlobal[kw] {
		if c, bad := p.tooManyArgs(st, 0); bad {
			return c
		}
		switch kw {
		case "daemon":
			g.Daemon = true
		case "quiet":
			g.Quiet = true
		case "zero-warning":
			g.ZeroWarning = true
		case "master-worker":
			g.MasterWorker = true
		}
		if kw != "daemon" {
			g.Other = append(g.Other, st.statement())
		}
		return 0
	}
	switch kw {
	case "global":
		if c, bad := p.tooManyArgs(st, 0); bad {
			return c
		}
		return 0
	case "maxconn":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if g.MaxConn != 0 {
			p.alert(st, "'%s' already specified. Continuing.", kw)
			return errAlert
		}
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects an integer argument.", kw)
		}
		// atol(): "lots" is 0, accepted (no limit from the file).
		g.MaxConn = atoi(st.args[1])
	case "nbproc":
		return p.legacyNbproc(st)
	case "nbthread":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		n, err := strconv.Atoi(st.arg(1))
		if err != nil {
			return p.alert(st, "'%s' passed a missing or unparsable integer value in '%s'", kw, st.arg(1))
		}
		if n < 1 || n > 64 {
			return p.alert(st, "'%s' value must be between 1 and %d (was %d)", kw, 64, n)
		}
		g.NbThread = n
	case "pidfile":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if g.PidFile != "" {
			p.alert(st, "'%s' already specified. Continuing.", kw)
			return errAlert
		}
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects a file name as an argument.", kw)
		}
		g.PidFile = st.args[1]
	case "chroot":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if g.Chroot != "" {
			p.alert(st, "'%s' already specified. Continuing.", kw)
			return errAlert
		}
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects a directory as an argument.", kw)
		}
		g.Chroot = st.args[1]
	case "user", "uid":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if g.UID > 0 {
			p.alert(st, "user/uid already specified. Continuing.")
			return errAlert
		}
		if kw == "uid" {
			if st.arg(1) == "" {
				return p.alert(st, "'%s' expects an integer argument.", kw)
			}
			n, err := strconv.Atoi(st.args[1])
			if err != nil {
				p.warn(st, " uid: string '%s' is not a number.", st.args[1])
				return errWarn
			}
			g.UID = n
			return 0
		}
		u, err := user.Lookup(st.arg(1))
		if err != nil {
			return p.alert(st, "cannot find user id for '%s' (0:Success)", st.arg(1))
		}
		g.User = st.args[1]
		g.UID, _ = strconv.Atoi(u.Uid)
	case "group", "gid":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if g.GID > 0 {
			p.alert(st, "group/gid already specified. Continuing.")
			return errAlert
		}
		if kw == "gid" {
			if st.arg(1) == "" {
				return p.alert(st, "'%s' expects an integer argument.", kw)
			}
			n, err := strconv.Atoi(st.args[1])
			if err != nil {
				p.warn(st, " gid: string '%s' is not a number.", st.args[1])
				return errWarn
			}
			g.GID = n
			return 0
		}
		gr, err := user.LookupGroup(st.arg(1))
		if err != nil {
			return p.alert(st, "cannot find group id for '%s' (0:Success)", st.arg(1))
		}
		g.Group = st.args[1]
		g.GID, _ = strconv.Atoi(gr.Gid)
	case "log":
		if st.mod == "no" {
			if st.arg(1) != "" {
				return p.alert(st, "log : 'no log' does not expect arguments")
			}
			g.Logs = nil
			return 0
		}
		if st.arg(1) == "global" && st.arg(2) == "" {
			return p.alert(st, "log : 'global' is not supported for a global syslog server")
		}
		lt, msg := parseLogTarget(st, "", p.resolveHost)
		if msg != "" {
			return p.alert(st, "log : %s", msg)
		}
		g.Logs = append(g.Logs, lt)
	case "stats":
		return p.parseGlobalStats(st)
	case "tune.bufsize", "tune.maxrewrite", "tune.http.maxhdr":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		n := atoi(st.arg(1))
		switch kw {
		case "tune.bufsize":
			if n <= 0 {
				return p.alert(st, "'%s' expects a positive integer argument.", kw)
			}
			g.TuneBufSize = n
		case "tune.maxrewrite":
			if st.arg(1) == "" {
				return p.alert(st, "'%s' expects an integer argument.", kw)
			}
			g.TuneMaxRewrite = n
		default:
			if n < 1 || n > 32767 {
				return p.alert(st, "'%s' expects a numeric value between 1 and 32767", kw)
			}
			g.TuneHTTPMaxHdr = n
		}
	case "setenv", "presetenv":
		if st.arg(2) == "" {
			return p.alertNS(st, "'%s' expects a name and a value.", kw)
		}
		if _, exists := p.lookupEnv(st.args[1]); kw == "presetenv" && exists {
			g.Env = append(g.Env, st.statement())
			return 0
		}
		v := st.args[2]
		p.env[st.args[1]] = &v
		g.Env = append(g.Env, st.statement())
	case "unsetenv":
		if st.arg(1) == "" {
			return p.alertNS(st, "'%s' expects at least one variable name.", kw)
		}
		for _, n := range st.args[1:st.nargs()] {
			p.env[n] = nil
		}
		g.Env = append(g.Env, st.statement())
	case "resetenv":
		keep := map[string]*string{}
		for _, n := range st.args[1:st.nargs()] {
			if v, ok := p.lookupEnv(n); ok {
				vv := v
				keep[n] = &vv
			}
		}
		p.env = keep
		p.envReset = true
		g.Env = append(g.Env, st.statement())
	case "spread-checks":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects an integer argument (0..50).", kw)
		}
		n := atoi(st.args[1])
		if n < 0 || n > 50 {
			return p.alertNS(st, "'%s' needs a positive value in range 0..50.", kw)
		}
		g.SpreadChecks = n
	case "max-spread-checks":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if st.arg(1) == "" {
			return p.alertNS(st, "'%s' expects an integer argument (0..50).", kw)
		}
		d, res, bad, _ := parseTime(st.args[1], time.Millisecond)
		switch res {
		case timeOverflow:
			return p.alertNS(st, "timer overflow in argument <%s> to <%s>, maximum value is 2147483647 ms (~24.8 days).", st.args[1], kw)
		case timeUnderflow:
			return p.alertNS(st, "timer underflow in argument <%s> to <%s>, minimum non-null value is 1 ms.", st.args[1], kw)
		case timeBadChar:
			return p.alertNS(st, "unsupported character '%c' in '%s' (wants an integer delay).", bad, kw)
		}
		g.MaxSpreadChecks = d
	case "hard-stop-after":
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects <time> as argument.", kw)
		}
		d, res, bad, _ := parseTime(st.args[1], time.Millisecond)
		if res != timeOK {
			if res == timeBadChar {
				return p.alert(st, "unexpected character '%c' in argument to <%s>.", bad, kw)
			}
			return p.alert(st, "timer overflow in argument <%s> to <%s> (maximum value is 2147483647 ms or ~24.8 days)", st.args[1], kw)
		}
		g.HardStopAfter = d
	case "description":
		if st.arg(1) == "" {
			return p.alertNS(st, "'%s' expects a string argument.", kw)
		}
		g.Description = strings.Join(st.args[1:st.nargs()], " ")
	case "ca-base", "crt-base", "ssl-default-bind-ciphers", "ssl-default-server-ciphers",
		"ssl-default-bind-ciphersuites", "ssl-default-server-ciphersuites", "ssl-default-bind-curves", "ssl-engine",
		"ssl-propquery", "ssl-provider", "ssl-provider-path", "issuers-chain-path":
		// cfgparse-ssl.c: one argument each.
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if st.arg(1) == "" {
			what := map[string]string{"ca-base": "a directory path", "crt-base": "a directory path",
				"ssl-provider-path": "a directory path", "issuers-chain-path": "a directory path",
				"ssl-default-bind-curves": "a curves suite", "ssl-engine": "a valid engine name",
				"ssl-propquery": "a property string", "ssl-provider": "a valid engine provider name"}[kw]
			if what == "" {
				what = "a cipher suite"
			}
			suffix := "argument"
			if kw == "ssl-default-bind-curves" {
				suffix = "arguments"
			}
			return p.alert(st, "global statement '%s' expects %s as an %s.", kw, what, suffix)
		}
		g.Other = append(g.Other, st.statement())
	case "localpeer":
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects a name as an argument.", kw)
		}
		g.Other = append(g.Other, st.statement())
	case "node":
		if c, bad := invalidNodeChar(st.arg(1)); bad || st.arg(1) == "" {
			_ = c
			return p.alertNS(st, "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).")
		}
		g.Other = append(g.Other, st.statement())
	case "log-tag":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects a tag for use in syslog.", kw)
		}
		g.Other = append(g.Other, st.statement())
	case "tune.ssl.default-dh-param":
		if c, bad := p.tooManyArgs(st, 1); bad {
			return c
		}
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects an integer argument.", kw)
		}
		// stored unsigned in haproxy: negative values wrap and pass.
		if v := atoi(st.arg(1)); v >= 0 && v < 1024 {
			return p.alert(st, "'%s' expects a value >= 1024.", kw)
		}
		g.Other = append(g.Other, st.statement())
	case "ssl-server-verify":
		if st.arg(1) != "none" && st.arg(1) != "required" {
			return p.alert(st, "'%s' expects 'none' or 'required' as argument.", kw)
		}
		g.Other = append(g.Other, st.statement())
	case "ssl-default-bind-options", "ssl-default-server-options":
		if st.arg(1) == "" {
			return p.alert(st, "global statement '%s' expects an option as an argument.", kw)
		}
		for i := 1; i < st.nargs(); i++ {
			switch o := st.args[i]; o {
			case "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "force-sslv3", "force-tlsv10",
				"force-tlsv11", "force-tlsv12", "force-tlsv13", "no-tls-tickets", "prefer-client-ciphers":
			case "ssl-min-ver", "ssl-max-ver":
				if st.arg(i+1) == "" {
					return p.alert(st, "'%s' : missing the ssl/tls version on global statement '%s'.", o, kw)
				}
				switch st.args[i+1] {
				case "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3":
				default:
					return p.alert(st, "'%s' : unknown ssl/tls version on global statement '%s'.", st.args[i+1], kw)
				}
				i++
			default:
				return p.alert(st, "unknown option '%s' on global statement '%s'.", o, kw)
			}
		}
		g.Other = append(g.Other, st.statement())
	case "unix-bind":
		for i := 1; i < st.nargs(); i += 2 {
			switch st.args[i] {
			case "prefix", "mode", "uid", "gid", "user", "group":
			default:
				return p.alert(st, "'%s' only supports the 'prefix', 'mode', 'uid', 'gid', 'user' and 'group' options.", kw)
			}
		}
		g.Other = append(g.Other, st.statement())
	case "server-state-base", "server-state-file":
		if st.arg(1) == "" || st.arg(2) != "" {
			what := "a directory path"
			if kw == "server-state-file" {
				what = "a file path"
			}
			return p.alert(st, "'%s' expects one argument: %s.", kw, what)
		}
		g.Other = append(g.Other, st.statement())
	case "thread-groups":
		if n := atoi(st.arg(1)); n != 1 {
			return p.alert(st, "'%s' value must be between 1 and 1 (was %d)", kw, n)
		}
		g.Other = append(g.Other, st.statement())
	case "default-path":
		switch st.arg(1) {
		case "current", "config", "parent", "origin":
		default:
			return p.alert(st, "unsupported default-path mode '%s' for 'default-path', supported modes include 'current', 'config', 'parent', and 'origin'.", st.arg(1))
		}
		g.Other = append(g.Other, st.statement())
	case "tune.comp.maxlevel":
		if n := atoi(st.arg(1)); n < 1 || n > 9 {
			return p.alert(st, "'%s' expects a numeric value between 1 and 9", kw)
		}
		g.Other = append(g.Other, st.statement())
	case "set-var", "set-var-fmt":
		name := strings.TrimSuffix(strings.TrimPrefix(st.arg(1), ""), "")
		if msg := checkVarName(name); msg != "" {
			return p.alert(st, "%s", msg)
		}
		if kw == "set-var" {
			fetch, _, _, _ := splitFetch(st.arg(2))
			if !sampleFetches[fetch] && !isLiteralSample(st.arg(2)) {
				return p.alert(st, "unknown fetch method '%s'", fetch)
			}
		}
		g.Other = append(g.Other, st.statement())
	case "h1-case-adjust-file":
		g.Other = append(g.Other, st.statement())
	case "lua-load", "lua-load-per-thread", "ssl-dh-param-file":
		if st.arg(1) == "" {
			return p.alert(st, "'%s' expects a file name as parameter.", kw)
		}
		if _, err := os.Stat(st.args[1]); err != nil {
			if strings.HasPrefix(kw, "lua-load") {
				return p.alert(st, "error in Lua file '%s': cannot open %s: %s", st.args[1], st.args[1], errnoText(err))
			}
			return p.alert(st, "'%s' : error opening file '%s'.", kw, st.args[1])
		}
		g.Other = append(g.Other, st.statement())
	default:
		if intGlobal[kw] {
			if c, bad := p.tooManyArgs(st, 1); bad {
				return c
			}
			if st.arg(1) == "" {
				return p.alert(st, "'%s' expects an integer argument.", kw)
			}
			g.Other = append(g.Other, st.statement())
			return 0
		}
		if globalKnown[kw] {
			g.Other = append(g.Other, st.statement())
			return 0
		}
		if best := bestMatch(kw, globalKeywords, globalCommonKeywords); best != "" {
			return p.alert(st, "unknown keyword '%s' in '%s' section; did you mean '%s' maybe ?", kw, p.section, best)
		}
		return p.alert(st, "unknown keyword '%s' in '%s' section", kw, "global")
	}
	return 0
}

// parseGlobalStats handles "stats socket|timeout|maxconn|bind-process".
func (p *parser) parseGlobalStats(st *stmt) int {
	g := &p.cfg.Global
	switch st.arg(1) {
	case "socket", "timeout", "maxconn", "bind-process":
		g.CLIFrontend = true
	}
	switch st.arg(1) {
	case "socket":
		if st.arg(2) == "" {
			return p.alert(st, "'%s %s' in global section expects an address or a path to a UNIX socket", st.args[0], st.args[1])
		}
		a, msg := parseAddress(st.args[2], paPortOK|paPortMand|paPortRange|paResolve|paSocketFD|paStream, p.resolveHost)
		if msg != "" {
			return p.alert(st, "'%s %s' : %s", st.args[0], st.args[1], strings.TrimSuffix(msg, "\n"))
		}
		ss := StatsSocket{Pos: st.Pos, Address: a, Level: "admin"}
		b := &Bind{}
		hdr := &stmt{Pos: st.Pos, args: append([]string{"stats socket"}, st.args[2:]...)}
		p.inStatsSocket = true
		code := p.parseBindOptions(hdr, b, 2, "GLOBAL")
		p.inStatsSocket = false
		if code&errFatal != 0 {
			return code
		}
		for i := 0; i < len(b.Options); i++ {
			switch b.Options[i] {
			case "level":
				ss.Level = b.Options[i+1]
			case "expose-fd":
				ss.ExposeFD = b.Options[i+1] == "listeners"
			}
		}
		ss.Mode, ss.User, ss.Group = b.Mode, b.User, b.Group
		ss.Options = b.Options
		g.StatsSockets = append(g.StatsSockets, ss)
		return code
	case "timeout":
		d, res, bad, _ := parseTime(st.arg(2), time.Millisecond)
		if res == timeBadChar {
			if st.arg(2) == "" {
				return p.alert(st, "'%s %s' expects <time> as argument.", st.args[0], st.args[1])
			}
			return p.alert(st, "'%s %s' : unexpected character '%c'", st.args[0], st.args[1], bad)
		}
		if res != timeOK || d == 0 {
			return p.alert(st, "'%s %s' expects a positive value", st.args[0], st.args[1])
		}
		g.StatsTimeout = d
	case "maxconn":
		n := atoi(st.arg(2))
		if n <= 0 {
			return p.alert(st, "'%s %s' expects a positive value", st.args[0], st.args[1])
		}
		g.StatsMaxConn = n
	case "bind-process":
		g.Other = append(g.Other, st.statement())
		return p.warnNS(st, "'%s %s' has no effect, is deprecated, and will be removed in version 2.7.", st.args[0], st.args[1])
	default:
		return p.alert(st, "'%s' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '%s')", st.args[0], st.arg(1))
	}
	return 0
}

var logFormats = map[string]bool{"rfc3164": true, "rfc5424": true, "short": true, "raw": true, "iso": true,
	"timed": true, "priority": true, "local": true}

var logFacilities = map[string]bool{"kern": true, "user": true, "mail": true, "daemon": true, "auth": true,
	"syslog": true, "lpr": true, "news": true, "uucp": true, "cron": true, "auth2": true, "ftp": true, "ntp": true,
	"audit": true, "alert": true, "cron2": true, "local0": true, "local1": true, "local2": true, "local3": true,
	"local4": true, "local5": true, "local6": true, "local7": true}

var logLevels = map[string]bool{"emerg": true, "alert": true, "crit": true, "err": true, "warning": true,
	"notice": true, "info": true, "debug": true}

// parseLogTarget parses "log <target> [len N] [format F] [sample R:S]
// <facility> [<level> [<minlevel>]]" (log.c parse_logsrv).
func parseLogTarget(st *stmt, orGlobal string, resolve func(string) bool) (LogTarget, string) {
	lt := LogTarget{Pos: st.Pos, Format: "rfc3164", MaxLen: 1024}
	if st.arg(1) == "" || st.arg(2) == "" {
		return lt, "expects <address> and <facility> " + orGlobal + " as arguments"
	}
	cur := 2
	if st.arg(cur) == "len" {
		n := atoi(st.arg(cur + 1))
		if n < 80 || n > 65535 {
			return lt, "invalid log length '" + st.arg(cur+1) + "', must be between 80 and 65535"
		}
		lt.MaxLen = n
		cur += 2
	}
	if st.arg(cur) == "format" {
		if !logFormats[st.arg(cur+1)] {
			return lt, "unknown log format '" + st.arg(cur+1) + "'"
		}
		lt.Format = st.arg(cur + 1)
		cur += 2
	}
	if st.arg(cur) == "sample" {
		if st.arg(cur+1) == "" || !strings.Contains(st.arg(cur+1), ":") {
			return lt, "Missing sample size"
		}
		lt.Sample = st.arg(cur + 1)
		cur += 2
	}
	if !logFacilities[st.arg(cur)] {
		return lt, "unknown log facility '" + st.arg(cur) + "'"
	}
	lt.Facility = st.arg(cur)
	cur++
	if st.arg(cur) != "" {
		if !logLevels[st.arg(cur)] {
			return lt, "unknown optional log level '" + st.arg(cur) + "'"
		}
		lt.Level = st.arg(cur)
		cur++
	}
	if st.arg(cur) != "" {
		if !logLevels[st.arg(cur)] {
			return lt, "unknown optional minimum log level '" + st.arg(cur) + "'"
		}
		lt.MinLevel = st.arg(cur)
		cur++
	}
	if st.arg(cur) != "" {
		return lt, "cannot handle unexpected argument '" + st.arg(cur) + "'"
	}
	target := st.args[1]
	lt.Address = target
	switch {
	case target == "stdout":
		lt.Kind = LogStdout
	case target == "stderr":
		lt.Kind = LogStderr
	case strings.HasPrefix(target, "ring@"):
		lt.Kind = LogRing
	default:
		a, msg := parseAddress(target, paResolve|paPortOK|paRawFD|paDgram|paStream|paDefaultDgram, resolve)
		if msg != "" {
			return lt, strings.TrimSuffix(msg, "\n")
		}
		switch a.Family {
		case FamilyUnix, FamilyABNS:
			lt.Kind = LogUnix
			lt.Path = a.Host
		case FamilyFD:
			lt.Kind = LogFD
		default:
			lt.Kind = LogUDP
			if a.Proto == "tcp" || a.Proto == "tcp4" || a.Proto == "tcp6" {
				lt.Kind = LogTCP
			}
			lt.Host = strings.Trim(a.Host, "[]")
			lt.Port = a.Port
			if lt.Port == 0 {
				lt.Port = 514
			}
		}
	}
	return lt, ""
}
