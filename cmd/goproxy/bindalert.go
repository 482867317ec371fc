package main

import (
	"net"
	"regexp"
	"strconv"
	"strings"

	"goha/parser/haproxy"
)

// engineBindErr is the engine's bind failure: "Starting frontend FE:
// cannot bind socket (listen tcp4 HOST:PORT: bind: REASON) [RAW]".
var engineBindErr = regexp.MustCompile(`^Starting frontend (\S+): cannot bind socket \(listen \S+ (\S*): (?:bind: )?(.*)\) \[(.*)\]$`)

// bindAlert rewrites the engine's bind failure in haproxy 2.6's words
// (src/haproxy.c, protocol_bind_all): "Binding [FILE:LINE] for frontend
// FE: cannot bind socket (Address already in use) for [127.0.0.1:8080]".
// The bind line is found by the address as written; the address printed is
// the one that failed (a port of a range, 0.0.0.0 for "*").
func bindAlert(cfg *haproxy.Config, text string) (string, bool) {
	m := engineBindErr.FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	fe, addr, reason, raw := m[1], m[2], m[3], m[4]
	var pos *haproxy.Pos
	for _, px := range cfg.Proxies {
		if px.Name != fe || !px.Kind.IsFrontend() {
			continue
		}
		for _, b := range px.Binds {
			for _, a := range b.Addresses {
				if a.Raw == raw && pos == nil {
					pos = &b.Pos
				}
			}
		}
	}
	if pos == nil {
		return "", false
	}
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if host == "" {
			host = "0.0.0.0"
		}
		// haproxy prints "host:port" without brackets, IPv6 included.
		addr = host + ":" + port
	}
	if reason != "" {
		// strerror(3) text: Go's errno strings are its lower-case form.
		reason = strings.ToUpper(reason[:1]) + reason[1:]
	}
	return "Binding [" + pos.File + ":" + itoa(pos.Line) + "] for frontend " + fe +
		": cannot bind socket (" + reason + ") for [" + addr + "]", true
}

func itoa(n int) string { return strconv.Itoa(n) }
