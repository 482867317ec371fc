package haproxy

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// address parsing options, after haproxy's PA_O_* flags.
const (
	paPortOK       = 1 << iota // a port may be given
	paPortMand                 // a port is required
	paPortRange                // a port range is permitted
	paPortOfs                  // a +N/-N port offset is permitted
	paResolve                  // host names are resolved now
	paFQDN                     // host names are kept for later resolution
	paSocketFD                 // fd@ must designate an existing socket
	paRawFD                    // fd@ is accepted as a raw descriptor
	paDgram                    // datagram addresses are acceptable
	paStream                   // stream addresses are acceptable
	paDefaultDgram             // without prefix, the address is datagram
)

// parseAddress parses one address like haproxy's str2sa_range()
// (tools.c): an optional protocol prefix (ipv4@, ipv6@, unix@, abns@, fd@,
// sockpair@, tcp@, udp@ ...), then a path or host[:port[-end]] / host:+N.
// It returns haproxy's error text on failure.
func parseAddress(str string, opts int, resolve func(string) bool) (Address, string) {
	a := Address{Raw: str}
	if str == "" {
		return a, fmt.Sprintf("'%s' resolves to an empty address (environment variable missing?)\n", str)
	}
	s := str
	dgram := opts&paDefaultDgram != 0
	explicitType := false
	if strings.HasPrefix(s, "stream+") {
		s = s[7:]
		dgram, explicitType = false, true
	} else if strings.HasPrefix(s, "dgram+") {
		s = s[6:]
		dgram, explicitType = true, true
	}
	family := -1
	for _, pf := range []struct {
		prefix string
		fam    AddrFamily
		dg     int // 1 dgram, 0 stream, -1 unchanged
	}{
		{"unix@", FamilyUnix, -1}, {"uxdg@", FamilyUnix, 1}, {"uxst@", FamilyUnix, 0},
		{"abns@", FamilyABNS, -1}, {"ip@", FamilyHost, -1}, {"ipv4@", FamilyIPv4, -1}, {"ipv6@", FamilyIPv6, -1},
		{"tcp4@", FamilyIPv4, 0}, {"udp4@", FamilyIPv4, 1}, {"tcp6@", FamilyIPv6, 0}, {"udp6@", FamilyIPv6, 1},
		{"tcp@", FamilyHost, 0}, {"udp@", FamilyHost, 1}, {"quic4@", FamilyIPv4, 1}, {"quic6@", FamilyIPv6, 1},
		{"fd@", FamilyFD, -1}, {"sockpair@", FamilySockPair, -1},
	} {
		if strings.HasPrefix(s, pf.prefix) {
			a.Proto = strings.TrimSuffix(pf.prefix, "@")
			s = s[len(pf.prefix):]
			family = int(pf.fam)
			if pf.dg == 1 {
				dgram = true
			} else if pf.dg == 0 && !explicitType {
				dgram = false
			}
			break
		}
	}
	if family == -1 && strings.HasPrefix(s, "/") {
		family = int(FamilyUnix)
	}
	switch family {
	case int(FamilySockPair), int(FamilyFD):
		a.Family = AddrFamily(family)
		n, err := strconv.Atoi(s)
		if s == "" || err != nil || n < 0 || strings.HasPrefix(s, "+") {
			return a, fmt.Sprintf("file descriptor '%s' is not a valid integer in '%s'\n", s, str)
		}
		a.FD = n
		if family == int(FamilyFD) && opts&(paSocketFD|paRawFD) == 0 {
			return a, fmt.Sprintf("a file descriptor is not acceptable here in '%s'\n", str)
		}
		return a, ""
	case int(FamilyUnix), int(FamilyABNS):
		a.Family = AddrFamily(family)
		a.Host = s
		max := 107
		if family == int(FamilyUnix) {
			max -= 1 + 5 + 1 + 3
		}
		if len(s) > max {
			return a, fmt.Sprintf("socket path '%s' too long (max %d)\n", str, max)
		}
		if !dgram && opts&paStream == 0 {
			return a, fmt.Sprintf("stream-type address not acceptable in '%s'\n", str)
		}
		return a, ""
	}
	// IPv4/IPv6/host: search the last ':' or ']'.
	host, port := s, ""
	hasPort := false
	// like str2sa_range: scan back for ':' or ']'; the first character is
	// examined too (":80" is a port on the any address).
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ']' && i > 0 {
			break
		}
		if s[i] == ':' {
			host, port = s[:i], s[i+1:]
			hasPort = true
			break
		}
		if i == 0 {
			break
		}
	}
	if hasPort && opts&paPortOK == 0 {
		return a, fmt.Sprintf("port specification not permitted here in '%s'", str)
	}
	mand := 0
	if opts&paPortMand != 0 {
		mand = 1
	}
	switch {
	case port != "" && isDigit(port[0]):
		p1, p2 := port, port
		if i := strings.IndexByte(port, '-'); i >= 0 {
			if opts&paPortRange == 0 {
				return a, fmt.Sprintf("port range not permitted here in '%s'", str)
			}
			p1, p2 = port[:i], port[i+1:]
		}
		lo, hi := atoi(p1), atoi(p2)
		if lo < mand || lo > 65535 {
			return a, fmt.Sprintf("invalid port '%s'", p1)
		}
		if hi < mand || hi > 65535 {
			return a, fmt.Sprintf("invalid port '%s'", p2)
		}
		if lo > hi {
			return a, fmt.Sprintf("invalid port range '%d-%d'", lo, hi)
		}
		a.Port, a.PortEnd = lo, hi
	case port != "" && (port[0] == '-' || port[0] == '+'):
		if opts&paPortOfs == 0 {
			return a, fmt.Sprintf("port offset not permitted here in '%s'", str)
		}
		a.PortOffset = true
		a.Port = atoi(port[1:])
		if port[0] == '-' {
			a.Port = -a.Port
		}
		a.PortEnd = a.Port
	case port != "":
		return a, fmt.Sprintf("invalid character '%c' in port number '%s' in '%s'\n", port[0], port, str)
	default:
		if opts&paPortMand != 0 {
			return a, fmt.Sprintf("missing port specification in '%s'", str)
		}
		a.PortOffset = true
	}
	a.Host = host
	fam, ok := parseIPLiteral(host, AddrFamily(family))
	if !ok {
		if family == int(FamilyIPv4) || family == int(FamilyIPv6) || (opts&paResolve == 0 && opts&paFQDN == 0) {
			return a, fmt.Sprintf("invalid address: '%s' in '%s'\n", host, str)
		}
		if opts&paResolve != 0 && opts&paFQDN == 0 {
			if resolve == nil || !resolve(host) {
				return a, fmt.Sprintf("invalid address: '%s' in '%s'\n", host, str)
			}
		}
		a.Family = FamilyHost
	} else {
		a.Family = fam
	}
	if dgram && opts&paDgram == 0 {
		return a, fmt.Sprintf("dgram-type address not acceptable in '%s'\n", str)
	}
	if !dgram && opts&paStream == 0 {
		return a, fmt.Sprintf("stream-type address not acceptable in '%s'\n", str)
	}
	return a, ""
}

// parseIPLiteral recognises what haproxy's str2ip2(,,0) accepts without
// resolving: "" and "*" (any IPv4), IPv4 in inet_aton forms, IPv6 with or
// without brackets.
func parseIPLiteral(host string, want AddrFamily) (AddrFamily, bool) {
	if host == "" || host == "*" {
		if want == FamilyIPv6 {
			return FamilyIPv6, true
		}
		return FamilyIPv4, true
	}
	h := host
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	if ip := net.ParseIP(h); ip != nil {
		if ip.To4() != nil && !strings.Contains(h, ":") {
			if want == FamilyIPv6 {
				return FamilyIPv6, true // mapped
			}
			return FamilyIPv4, true
		}
		if want == FamilyIPv4 {
			return 0, false
		}
		return FamilyIPv6, true
	}
	// inet_aton forms ("10", "1.2.3") are not literals for haproxy's
	// str2ip2(): they are host names that getaddrinfo() resolves.
	return 0, false
}

// inetAton accepts the legacy numeric IPv4 forms (a, a.b, a.b.c) that
// getaddrinfo/inet_aton accept.
func inetAton(s string) bool {
	if s == "" {
		return false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return false
	}
	for i, p := range parts {
		if p == "" {
			return false
		}
		v, err := strconv.ParseUint(p, 0, 32)
		if err != nil {
			return false
		}
		// every part but the last is one byte; the last fills the rest.
		if i < len(parts)-1 && v > 255 {
			return false
		}
		if i == len(parts)-1 && v >= 1<<(8*(5-len(parts))) {
			return false
		}
	}
	return true
}

// atoi is C's atoi: leading digits, 0 when none.
func atoi(s string) int {
	i := 0
	neg := false
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<40 {
			n = 1 << 40
		}
	}
	if neg {
		return -n
	}
	return n
}

// isInteger reports whether s is an optional sign followed by digits.
func isInteger(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
