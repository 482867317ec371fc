package haproxy

import (
	"fmt"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
)

// bindKeywords maps every bind option of the reference build to the number
// of arguments it takes (listener.c, cfgparse-tcp.c, cfgparse-unix.c,
// cfgparse-ssl.c, cli.c bind_kws), in haproxy's registration order.
var bindKeywords = []struct {
	name string
	args int
}{
	{"allow-0rtt", 0}, {"alpn", 1}, {"ca-file", 1}, {"ca-verify-file", 1}, {"ca-ignore-err", 1}, {"ca-sign-file", 1},
	{"ca-sign-pass", 1}, {"ciphers", 1}, {"ciphersuites", 1}, {"crl-file", 1}, {"crt", 1}, {"crt-ignore-err", 1},
	{"crt-list", 1}, {"curves", 1}, {"ecdhe", 1}, {"force-sslv3", 0}, {"force-tlsv10", 0}, {"force-tlsv11", 0},
	{"force-tlsv12", 0}, {"force-tlsv13", 0}, {"generate-certificates", 0}, {"no-ca-names", 0}, {"no-sslv3", 0},
	{"no-tlsv10", 0}, {"no-tlsv11", 0}, {"no-tlsv12", 0}, {"no-tlsv13", 0}, {"no-tls-tickets", 0}, {"ssl", 0},
	{"ssl-min-ver", 1}, {"ssl-max-ver", 1}, {"strict-sni", 0}, {"tls-ticket-keys", 1}, {"verify", 1}, {"npn", 1},
	{"prefer-client-ciphers", 0},
	{"defer-accept", 0}, {"interface", 1}, {"mss", 1}, {"tcp-ut", 1}, {"tfo", 0}, {"transparent", 0}, {"v4v6", 0},
	{"v6only", 0}, {"namespace", 1},
	{"gid", 1}, {"group", 1}, {"mode", 1}, {"uid", 1}, {"user", 1},
	{"level", 1}, {"expose-fd", 1}, {"severity-output", 1},
	{"accept-netscaler-cip", 1}, {"accept-proxy", 0}, {"backlog", 1}, {"id", 1}, {"maxconn", 1}, {"name", 1},
	{"nice", 1}, {"process", 1}, {"proto", 1}, {"shards", 1}, {"thread", 1},
}

var bindKeywordArgs = func() map[string]int {
	m := make(map[string]int, len(bindKeywords))
	for _, k := range bindKeywords {
		m[k.name] = k.args
	}
	return m
}()

var bindKeywordNames = func() []string {
	out := make([]string, len(bindKeywords))
	for i, k := range bindKeywords {
		out[i] = k.name
	}
	return out
}()

// resolveHost reports whether a host name resolves, as getaddrinfo() would
// at start-up. Numeric forms were handled before.
func (p *parser) resolveHost(host string) bool {
	if p.opts.Resolve != nil {
		return inetAton(host) || p.opts.Resolve(host)
	}
	if p.resolved == nil {
		p.resolved = map[string]bool{}
	}
	if v, ok := p.resolved[host]; ok {
		return v
	}
	h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if inetAton(h) {
		// getaddrinfo() accepts the legacy numeric forms (inet_aton).
		p.resolved[host] = true
		return true
	}
	addrs, err := net.LookupHost(h)
	ok := err == nil && len(addrs) > 0
	p.resolved[host] = ok
	return ok
}

// parseBind handles "bind <addr>[,<addr>...] [options]" (configuration.txt
// §5.1).
func (p *parser) parseBind(st *stmt, px *Proxy) int {
	if st.arg(1) == "" {
		return p.alert(st, "'%s' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.", st.args[0])
	}
	b := &Bind{Pos: st.Pos}
	for _, one := range strings.Split(st.args[1], ",") {
		if one == "" {
			continue // str2listener skips empty elements
		}
		a, msg := parseAddress(one, paPortOK|paPortMand|paPortRange|paResolve|paSocketFD|paStream, p.resolveHost)
		if msg == "" && (a.Family == FamilyFD || a.Family == FamilySockPair) {
			msg = p.checkFD(a.FD, a.Family == FamilyFD)
		}
		if msg != "" {
			return p.alert(st, "'%s' : %s", st.args[0], indentMsg(strings.TrimSuffix(msg, "\n")))
		}
		b.Addresses = append(b.Addresses, a)
	}
	code := p.parseBindOptions(st, b, 2, px.Name)
	if code&errFatal != 0 {
		return code
	}
	px.Binds = append(px.Binds, b)
	return code
}

// indentMsg mimics haproxy's indent_msg(&msg, 2) for multi-line texts.
func indentMsg(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	return "\n  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// parseBindOptions parses the options of a bind line from index i.
func (p *parser) parseBindOptions(st *stmt, b *Bind, i int, pxName string) int {
	code := 0
	section := p.section
	hdr := fmt.Sprintf("'%s %s' in section '%s'", st.args[0], st.arg(1), section)
	for i < len(st.args) && st.args[i] != "" {
		kw := st.args[i]
		n, ok := bindKeywordArgs[kw]
		if !ok && p.inStatsSocket {
			if best := bestMatch(kw, bindKeywordNames); best != "" {
				return code | p.alert(st, "'stats socket' : unknown keyword '%s'. Did you mean '%s' maybe ?", kw, best)
			}
			return code | p.alert(st, "'stats socket' : unknown keyword '%s'.", kw)
		}
		if !ok {
			if best := bestMatch(kw, bindKeywordNames); best != "" {
				return code | p.alert(st, "%s: unknown keyword '%s'; did you mean '%s' maybe ?", hdr, kw, best)
			}
			return code | p.alert(st, "%s: unknown keyword '%s'.", hdr, kw)
		}
		val := st.arg(i + 1)
		fail := func(msg string) int {
			if p.inStatsSocket {
				return code | p.alert(st, "'stats socket' : '%s'", msg)
			}
			return code | p.alert(st, "%s : %s", hdr, msg)
		}
		if n == 1 && val == "" {
			switch kw {
			case "name":
				return fail(fmt.Sprintf("'%s' : missing name", kw))
			case "id":
				return fail(fmt.Sprintf("'%s' : expects an integer argument", kw))
			case "crt":
				return fail(fmt.Sprintf("'%s' : missing certificate location", kw))
			case "ciphers", "ciphersuites":
				return fail(fmt.Sprintf("'%s' : missing cipher suite", kw))
			case "interface":
				return fail(fmt.Sprintf("'%s' : missing interface name", kw))
			default:
				return fail(fmt.Sprintf("'%s' : missing value", kw))
			}
		}
		b.Options = append(b.Options, kw)
		if n == 1 {
			b.Options = append(b.Options, val)
		}
		switch kw {
		case "name":
			b.Name = val
		case "v4v6":
			b.V4V6 = true
		case "v6only":
			b.V6Only = true
		case "ssl":
			b.SSL = true
		case "crt":
			b.Crts = append(b.Crts, val)
			path := val
			if base := p.globalValue("crt-base"); base != "" && !strings.HasPrefix(val, "/") {
				path = base + "/" + val
			}
			fi, err := os.Stat(path)
			if err != nil {
				return fail(fmt.Sprintf("unable to stat SSL certificate from file '%s' : %s.", path, errnoText(err)))
			}
			if !fi.IsDir() {
				if msg := checkCertFile(path); msg != "" {
					return fail(msg)
				}
			}
		case "accept-proxy":
			b.AcceptProxy = true
		case "transparent":
			b.Transparent = true
		case "interface":
			b.Interface = val
		case "process":
			b.Process = val
			w := fmt.Sprintf("'process %s' on 'bind' lines is deprecated and will be removed in 2.7.", val)
			if j := strings.IndexByte(val, '/'); j >= 0 {
				w += fmt.Sprintf(" Please use 'thread %s' instead.", val[j+1:])
			}
			p.warn(st, "%s : %s", hdr, w)
			code |= errWarn
		case "mode":
			m, err := strconv.ParseUint(val, 8, 32)
			if err != nil {
				return fail(fmt.Sprintf("'%s' : missing or invalid mode '%s' (octal integer expected)", kw, val))
			}
			b.Mode = uint32(m)
		case "user":
			if _, err := user.Lookup(val); err != nil {
				return fail(fmt.Sprintf("'%s' : unknown user name '%s'", kw, val))
			}
			b.User = val
		case "group":
			if _, err := user.LookupGroup(val); err != nil {
				return fail(fmt.Sprintf("'%s' : unknown group name '%s'", kw, val))
			}
			b.Group = val
		case "uid":
			b.UID = atoi(val)
		case "gid":
			b.GID = atoi(val)
		case "maxconn", "backlog":
			v := atoi(val)
			if v < 0 {
				rel := ">= 0"
				if kw == "backlog" {
					rel = "> 0"
				}
				return fail(fmt.Sprintf("'%s' : invalid value %d, must be %s", kw, v, rel))
			}
		case "id":
			if !isInteger(val) {
				return fail(fmt.Sprintf("'%s' : expects an integer argument, found '%s'", kw, val))
			}
			if atoi(val) <= 0 {
				return fail(fmt.Sprintf("'%s' : custom id has to be > 0", kw))
			}
		case "expose-fd":
			if val != "listeners" {
				return fail(fmt.Sprintf("'expose-fd' only supports 'listeners' (got '%s')", val))
			}
		case "level":
			if val != "user" && val != "operator" && val != "admin" {
				return fail(fmt.Sprintf("'level' only supports 'user', 'operator', and 'admin' (got '%s')", val))
			}
		case "ssl-min-ver", "ssl-max-ver":
			switch val {
			case "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3":
			default:
				return fail(fmt.Sprintf("'%s' : unknown ssl/tls version", val))
			}
		}
		i += 1 + n
	}
	if len(b.Crts) > 0 && !b.SSL {
		// haproxy only warns when crt is given without ssl; it is valid.
		_ = pxName
	}
	return code
}

// globalValue returns the first argument of a global keyword kept in
// Global.Other ("" when absent).
func (p *parser) globalValue(kw string) string {
	for _, st := range p.cfg.Global.Other {
		if len(st.Args) > 1 && st.Args[0] == kw {
			return st.Args[1]
		}
	}
	return ""
}

// checkFD verifies that an inherited descriptor is a socket, as haproxy -c
// does with getsockname() for fd@N (and SO_TYPE stream for listeners).
func (p *parser) checkFD(fd int, stream bool) string {
	if p.opts.CheckFD != nil {
		if err := p.opts.CheckFD(fd); err != nil {
			return fmt.Sprintf("cannot use file descriptor '%d' : %s.\n", fd, errnoText(err))
		}
		return ""
	}
	if _, err := syscall.Getsockname(fd); err != nil {
		return fmt.Sprintf("cannot use file descriptor '%d' : %s.\n", fd, errnoText(err))
	}
	if stream {
		if typ, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TYPE); err != nil || typ != syscall.SOCK_STREAM {
			return fmt.Sprintf("socket on file descriptor '%d' is of the wrong type.\n", fd)
		}
	}
	return ""
}

// checkCertFile mimics the first checks of haproxy's certificate loading:
// a PEM file without a private key needs a "<file>.key" next to it.
func checkCertFile(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("unable to load SSL certificate from PEM file '%s'.", path)
	}
	if !strings.Contains(string(data), "PRIVATE KEY-----") {
		key, err := os.ReadFile(path + ".key")
		if err != nil || !strings.Contains(string(key), "PRIVATE KEY-----") {
			return fmt.Sprintf("No Private Key found in '%s.key'.", path)
		}
	}
	return ""
}
