package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// legacyRewrite is the documented mechanical rewrite that lets haproxy 2.6
// read a configuration using keywords it has removed but goproxy still
// accepts (parser/haproxy/LEGACY.md): "nbproc" lines are dropped,
// contimeout/clitimeout/srvtimeout become "timeout connect/client/server",
// "redispatch"/"redisp" becomes "option redispatch", "option forceclose"
// becomes "option httpclose". The keyword is replaced in place and the
// spaces after it shrink so that the value stays in its column; comments
// are kept. Applied to testdata/seed/haproxy.cfg it yields
// testdata/check/haproxy/02-tutorial-modern.cfg byte for byte.
func legacyRewrite(cfg string) string {
	var out []string
	for _, line := range strings.SplitAfter(cfg, "\n") {
		f := fields(line)
		if len(f) == 0 {
			out = append(out, line)
			continue
		}
		kw := f[0]
		switch kw {
		case "nbproc":
			continue
		case "contimeout", "clitimeout", "srvtimeout":
			line = replaceKeyword(line, kw, "timeout "+map[string]string{"contimeout": "connect", "clitimeout": "client", "srvtimeout": "server"}[kw])
		case "timeout":
			if len(f) > 1 {
				if m, ok := map[string]string{"contimeout": "connect", "clitimeout": "client", "srvtimeout": "server"}[f[1]]; ok {
					line = strings.Replace(line, f[1], m, 1)
				}
			}
		case "redispatch", "redisp":
			line = replaceKeyword(line, kw, "option redispatch")
		case "option":
			if len(f) > 1 && f[1] == "forceclose" {
				line = strings.Replace(line, "forceclose", "httpclose", 1)
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "")
}

// replaceKeyword swaps the line's first word old for new, keeping what
// follows in its column when the spaces after the keyword allow it.
func replaceKeyword(line, old, new string) string {
	i := strings.Index(line, old)
	rest := line[i+len(old):]
	spaces := len(rest) - len(strings.TrimLeft(rest, " "))
	grow := len(new) - len(old)
	if spaces > 0 && rest[:spaces] != strings.TrimRight(rest, "\n") && spaces-grow >= 1 && grow > 0 {
		rest = rest[grow:]
	}
	return line[:i] + new + rest
}

// fields splits a configuration line into words, dropping a trailing
// comment. It is enough to recognise keywords and addresses; haproxy's
// quoting rules matter only inside arguments the rewrite leaves alone.
func fields(line string) []string {
	if i := strings.Index(line, "#"); i >= 0 {
		line = line[:i]
	}
	return strings.Fields(line)
}

// listener is one bind address of the user's configuration.
type listener struct {
	Proxy    string // frontend or listen name
	Original string // the address as written ("*:80")
	TLS      bool   // "ssl" on the bind line: plain requests are not sent to it
	Port     int    // loopback port on this side
}

// server is one server line, answered by a stand-in backend.
type server struct {
	Name string // backend/server
	Port int
}

// statsPage is a "stats uri" with its first "stats auth", for the default
// requests.
type statsPage struct {
	Proxy, URI, Auth string
}

// loopbackPlan is the result of rewriting a configuration for one side.
type loopbackPlan struct {
	Config    string
	Listeners []listener
	Servers   []server
	Stats     []statsPage
}

var sectionKeywords = map[string]bool{"global": true, "defaults": true, "frontend": true, "backend": true,
	"listen": true, "userlist": true, "peers": true, "resolvers": true, "mailers": true, "program": true,
	"cache": true, "http-errors": true, "ring": true}

// serverOptionsDropped are server options that cannot work against the
// plain-text stand-in backends (TLS, DNS resolution, other check targets).
var serverOptionsDropped = map[string]int{"ssl": 0, "check-ssl": 0, "no-check-ssl": 0, "verify": 1, "ca-file": 1,
	"crt": 1, "sni": 1, "alpn": 1, "check-sni": 1, "resolvers": 1, "init-addr": 1, "addr": 1, "port": 1,
	"socks4": 1, "source": 1, "namespace": 1, "npn": 1, "crl-file": 1, "verifyhost": 1, "check-alpn": 1}

var bindOptionsDropped = map[string]int{"interface": 1, "namespace": 1, "transparent": 0, "v4v6": 0, "v6only": 0}

// loopbackRewrite rewrites a configuration so that it runs on loopback:
//   - every bind address becomes 127.0.0.1:<free port> (one per address;
//     "interface", "namespace", "transparent" are dropped);
//   - every server (and peer) address becomes 127.0.0.1:<port of its
//     stand-in backend>; TLS, resolver and check-address options are
//     dropped from server and default-server lines;
//   - every "log <target>" except "log global" sends to 127.0.0.1:<logPort>
//     over UDP, where the tool collects the lines;
//   - "stats socket" and "pidfile" paths move into dir; "chroot" is dropped.
//
// ports hands out free loopback ports.
func loopbackRewrite(cfg, dir string, logPort int, ports func() int) loopbackPlan {
	var plan loopbackPlan
	section, proxy := "", ""
	var out []string
	for _, line := range strings.SplitAfter(cfg, "\n") {
		f := fields(line)
		if len(f) == 0 {
			out = append(out, line)
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		kw := f[0]
		if sectionKeywords[kw] {
			section, proxy = kw, ""
			if len(f) > 1 {
				proxy = f[1]
			}
			out = append(out, line)
			continue
		}
		switch {
		case kw == "bind" && len(f) > 1 && (section == "frontend" || section == "listen"):
			var addrs []string
			tls := hasWord(f[2:], "ssl")
			for _, a := range strings.Split(f[1], ",") {
				l := listener{Proxy: proxy, Original: a, TLS: tls, Port: ports()}
				plan.Listeners = append(plan.Listeners, l)
				addrs = append(addrs, "127.0.0.1:"+strconv.Itoa(l.Port))
			}
			line = indent + "bind " + strings.Join(append([]string{strings.Join(addrs, ",")}, dropOptions(f[2:], bindOptionsDropped)...), " ") + "\n"
		case (kw == "server" && len(f) > 2 && (section == "backend" || section == "listen")):
			s := server{Name: proxy + "/" + f[1], Port: ports()}
			plan.Servers = append(plan.Servers, s)
			line = indent + strings.Join(append([]string{"server", f[1], "127.0.0.1:" + strconv.Itoa(s.Port)}, dropOptions(f[3:], serverOptionsDropped)...), " ") + "\n"
		case kw == "default-server":
			line = indent + strings.Join(append([]string{"default-server"}, dropOptions(f[1:], serverOptionsDropped)...), " ") + "\n"
		case kw == "peer" && section == "peers" && len(f) > 2:
			line = indent + strings.Join(append([]string{"peer", f[1], "127.0.0.1:" + strconv.Itoa(ports())}, f[3:]...), " ") + "\n"
		case kw == "log" && len(f) > 1 && f[1] != "global" && section != "ring":
			line = indent + strings.Join(append([]string{"log", "127.0.0.1:" + strconv.Itoa(logPort)}, f[2:]...), " ") + "\n"
		case kw == "stats" && len(f) > 2 && f[1] == "socket" && section == "global":
			line = indent + strings.Join(append([]string{"stats", "socket", dir + "/stats.sock"}, f[3:]...), " ") + "\n"
		case kw == "pidfile":
			line = indent + "pidfile " + dir + "/haproxy.pid\n"
		case kw == "chroot":
			continue
		case kw == "stats" && len(f) > 2 && f[1] == "uri":
			plan.Stats = append(plan.Stats, statsPage{Proxy: proxy, URI: f[2]})
		case kw == "stats" && len(f) > 2 && f[1] == "auth":
			for i := range plan.Stats {
				if plan.Stats[i].Proxy == proxy && plan.Stats[i].Auth == "" {
					plan.Stats[i].Auth = f[2]
				}
			}
		}
		out = append(out, line)
	}
	plan.Config = strings.Join(out, "")
	return plan
}

func hasWord(ws []string, w string) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

// dropOptions removes the listed options (with their argument count).
func dropOptions(ws []string, drop map[string]int) []string {
	var keep []string
	for i := 0; i < len(ws); i++ {
		if n, ok := drop[ws[i]]; ok {
			i += n
			continue
		}
		keep = append(keep, ws[i])
	}
	return keep
}

// describeRewrite is printed with -v and in the documentation.
const describeRewrite = `Rewrite applied to both copies (loopback):
  bind ADDR[,ADDR]     -> bind 127.0.0.1:PORT[,127.0.0.1:PORT] (one free port per address)
  server NAME ADDR     -> server NAME 127.0.0.1:PORT (a stand-in backend that echoes what it receives)
  log TARGET ...       -> log 127.0.0.1:PORT ... (UDP; the tool collects the lines); "log global" kept
  stats socket, pidfile -> moved into the run's temporary directory; chroot dropped
  dropped options      -> server: ssl verify ca-file crt sni alpn resolvers init-addr addr port check-ssl ...
                          bind: interface namespace transparent v4v6 v6only
Rewrite applied to haproxy's copy only (keywords haproxy 2.6 removed, goproxy maps):
  nbproc dropped; contimeout/clitimeout/srvtimeout -> timeout connect/client/server;
  redispatch -> option redispatch; option forceclose -> option httpclose`

var reLoopbackPort = regexp.MustCompile(`127\.0\.0\.1:(\d+)`)

// portNames maps this side's ports to stable names, so that the two sides'
// texts compare equal when they differ only by the ports they were given.
func (p loopbackPlan) portNames() map[string]string {
	m := map[string]string{}
	for i, l := range p.Listeners {
		m[strconv.Itoa(l.Port)] = fmt.Sprintf("<bind%d>", i+1)
	}
	for i, s := range p.Servers {
		m[strconv.Itoa(s.Port)] = fmt.Sprintf("<server%d>", i+1)
	}
	return m
}
