package log

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Target is one `log` line (configuration.txt §3.1 "log"): where to send,
// in which framing, and which levels.
type Target struct {
	// Network is "udp" (host:port, port 514 by default), "unixgram" (a
	// path such as /dev/log), "fd" (stdout, stderr, fd@N) or "ring"
	// (ring@name, or a tcp@ address which haproxy turns into an
	// implicit ring).
	Network string
	Address string // host:port, socket path or ring name
	FD      int    // for "fd"

	Format   Format
	MaxLen   int // `len`, DefaultMaxLen unless set
	Facility int
	Level    int // the most verbose level sent (default debug)
	MinLevel int // less severe levels are raised to it (default emerg)
	Sample   *Sampling
}

// SampleRange is one "low-high" range of a `sample` clause, 1-based.
type SampleRange struct{ Low, High uint }

// Sampling is a `sample <ranges>:<size>` clause and its position. haproxy
// sends the messages whose index, counted modulo Size, falls in a range.
type Sampling struct {
	Ranges []SampleRange
	Size   uint

	mu       sync.Mutex
	curRange int
	curIdx   uint
	rangeIdx []uint // per range position (smp_log_range.curr_idx)
}

// Take tells whether the next message is sent and advances, exactly as
// process_send_log() does.
func (s *Sampling) Take() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rangeIdx == nil {
		s.rangeIdx = make([]uint, len(s.Ranges))
	}
	rg := s.Ranges[s.curRange]
	in := s.curIdx+1 <= rg.High && s.curIdx+1 >= rg.Low
	if in {
		sz := rg.High - rg.Low + 1
		s.rangeIdx[s.curRange] = (s.rangeIdx[s.curRange] + 1) % sz
		if s.rangeIdx[s.curRange] == 0 {
			s.curRange = (s.curRange + 1) % len(s.Ranges)
		}
	}
	s.curIdx = (s.curIdx + 1) % s.Size
	return in
}

// Accepts reports whether a message of this level passes the target's
// filter and sampling, and the level it is sent with (raised to
// MinLevel's severity floor).
func (t *Target) Accepts(level int) (int, bool) {
	if level > t.Level {
		return level, false
	}
	if t.Sample != nil && !t.Sample.Take() {
		return level, false
	}
	if t.MinLevel > level {
		level = t.MinLevel
	}
	return level, true
}

// TargetError is a `log` line error in haproxy's words (parse_logsrv()).
type TargetError struct{ Msg string }

func (e *TargetError) Error() string { return e.Msg }

func targetErr(format string, args ...any) error {
	return &TargetError{Msg: fmt.Sprintf(format, args...)}
}

// ParseTarget parses the arguments of a `log` line after the keyword:
//
//	<address> [len <length>] [format <format>] [sample <ranges>:<size>] <facility> [<level> [<minlevel>]]
//
// The keywords must come in this order, as in haproxy. "log global" and
// "no log" are the configuration parser's business. inGlobal only changes
// the wording of the missing-argument error.
func ParseTarget(args []string, inGlobal bool) (*Target, error) {
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	if arg(0) == "" || arg(1) == "" {
		extra := "or global"
		if inGlobal {
			extra = ""
		}
		return nil, targetErr("expects <address> and <facility> %s as arguments", extra)
	}
	t := &Target{MaxLen: DefaultMaxLen, Level: LevelDebug, MinLevel: LevelEmerg}
	cur := 1
	if arg(cur) == "len" {
		n := cAtoi(arg(cur + 1))
		if n < 80 || n > 65535 {
			return nil, targetErr("invalid log length '%s', must be between 80 and 65535", arg(cur+1))
		}
		t.MaxLen = n
		cur += 2
	}
	if arg(cur) == "format" {
		f, ok := ParseFormat(arg(cur + 1))
		if !ok {
			return nil, targetErr("unknown log format '%s'", arg(cur+1))
		}
		t.Format = f
		cur += 2
	}
	if arg(cur) == "sample" {
		s, err := parseSampling(arg(cur + 1))
		if err != nil {
			return nil, err
		}
		t.Sample = s
		cur += 2
	}
	if t.Facility = ParseFacility(arg(cur)); t.Facility < 0 {
		return nil, targetErr("unknown log facility '%s'", arg(cur))
	}
	cur++
	if arg(cur) != "" {
		if t.Level = ParseLevel(arg(cur)); t.Level < 0 {
			return nil, targetErr("unknown optional log level '%s'", arg(cur))
		}
		cur++
	}
	if arg(cur) != "" {
		if t.MinLevel = ParseLevel(arg(cur)); t.MinLevel < 0 {
			return nil, targetErr("unknown optional minimum log level '%s'", arg(cur))
		}
		cur++
	}
	if arg(cur) != "" {
		return nil, targetErr("cannot handle unexpected argument '%s'", arg(cur))
	}
	if err := t.setAddress(args[0]); err != nil {
		return nil, err
	}
	return t, nil
}

// setAddress understands the address forms haproxy accepts for `log`.
func (t *Target) setAddress(a string) error {
	switch {
	case a == "stdout":
		t.Network, t.FD = "fd", 1
		return nil
	case a == "stderr":
		t.Network, t.FD = "fd", 2
		return nil
	case strings.HasPrefix(a, "fd@"):
		n, err := strconv.Atoi(a[3:])
		if err != nil || n < 0 {
			return targetErr("file descriptor '%s' is not a valid integer in '%s'", a[3:], a)
		}
		t.Network, t.FD = "fd", n
		return nil
	case strings.HasPrefix(a, "ring@"):
		t.Network, t.Address = "ring", a[5:]
		return nil
	case strings.HasPrefix(a, "unix@"):
		t.Network, t.Address = "unixgram", a[5:]
		return nil
	case strings.HasPrefix(a, "/"):
		t.Network, t.Address = "unixgram", a
		return nil
	}
	full := a
	network := "udp"
	for _, p := range []struct{ prefix, net string }{
		{"udp@", "udp"}, {"udp4@", "udp4"}, {"udp6@", "udp6"},
		{"ipv4@", "udp4"}, {"ipv6@", "udp6"}, {"tcp@", "tcp"}, {"tcp4@", "tcp"}, {"tcp6@", "tcp"},
	} {
		if strings.HasPrefix(a, p.prefix) {
			network, a = p.net, a[len(p.prefix):]
			break
		}
	}
	// str2sa_range(): the port follows the last ':' unless the address
	// is bracketed, so an unbracketed IPv6 address does not parse.
	host, port := a, ""
	if strings.HasPrefix(a, "[") {
		if end := strings.IndexByte(a, ']'); end > 0 {
			host, port = a[1:end], strings.TrimPrefix(a[end+1:], ":")
		}
	} else if i := strings.LastIndexByte(a, ':'); i >= 0 {
		host, port = a[:i], a[i+1:]
	}
	portNum := 0
	for i := 0; i < len(port); i++ {
		if !isDigit(port[i]) {
			return targetErr("invalid character '%c' in port number '%s' in '%s'", port[i], port, full)
		}
		if portNum = portNum*10 + int(port[i]-'0'); portNum > 65535 {
			return targetErr("invalid port '%s'", port)
		}
	}
	if portNum == 0 {
		portNum = 514
	}
	if _, err := netip.ParseAddr(host); err != nil {
		// haproxy resolves names when it reads the configuration.
		family := map[string]string{"udp4": "ip4", "udp6": "ip6"}[network]
		if family == "" {
			family = "ip"
		}
		ips, err := resolveHost(family, host)
		if err != nil || len(ips) == 0 {
			return targetErr("invalid address: '%s' in '%s'", host, full)
		}
		host = ips[0].String()
	}
	addr := net.JoinHostPort(host, strconv.Itoa(portNum))
	if network == "tcp" {
		// haproxy turns stream addresses into an implicit ring buffer
		// forwarded over TCP; the engine decides whether to support it.
		t.Network, t.Address = "ring", addr
		return nil
	}
	t.Network, t.Address = network, addr
	return nil
}

// resolveHost resolves `log` addresses given by name; tests replace it so
// that no query leaves the machine.
var resolveHost = func(family, host string) ([]net.IP, error) {
	return net.DefaultResolver.LookupIP(context.Background(), family, host)
}

// parseSampling parses "<ranges>:<size>" as parse_logsrv() does.
func parseSampling(v string) (*Sampling, error) {
	colon := strings.IndexByte(v, ':')
	if colon < 0 {
		return nil, targetErr("Missing sample size")
	}
	ranges, sizeStr := v[:colon], v[colon+1:]
	s := &Sampling{}
	var maxHigh uint
	for p := ranges; p != ""; {
		end := strings.IndexByte(p, ',')
		item := p
		next := ""
		if end >= 0 {
			item, next = p[:end], p[end+1:]
		}
		low, rest := readUint(item)
		if low == 0 || (rest != "" && rest[0] != '-') {
			return nil, targetErr("wrong sample range '%s'", p)
		}
		high := low
		if rest != "" {
			high, rest = readUint(rest[1:])
			if high == 0 || high <= low || rest != "" {
				return nil, targetErr("wrong sample range '%s'", p)
			}
		}
		for _, r := range s.Ranges {
			if (low >= r.Low && low <= r.High) || (high >= r.Low && high <= r.High) {
				return nil, targetErr("ranges are overlapping")
			}
		}
		s.Ranges = append(s.Ranges, SampleRange{Low: low, High: high})
		if high > maxHigh {
			maxHigh = high
		}
		p = next
	}
	if len(s.Ranges) == 0 {
		return nil, targetErr("no sampling ranges given")
	}
	size, rest := readUint(sizeStr)
	if size == 0 || rest != "" {
		return nil, targetErr("wrong sample size '%s' for sample range '%s'", sizeStr, ranges)
	}
	if size < maxHigh {
		return nil, targetErr("sample size %d should be greater or equal to %d the maximum of the high ranges limits", size, maxHigh)
	}
	s.Size = size
	sort.Slice(s.Ranges, func(i, j int) bool { return s.Ranges[i].High < s.Ranges[j].Low })
	return s, nil
}

// cAtoi is C's atoi(): optional blanks and sign, then digits; anything
// else ends the number ("100abc" is 100, "abc" is 0).
func cAtoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\v' || s[i] == '\f' || s[i] == '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && isDigit(s[i]) && n < 1<<31; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// readUint is read_uint(): leading digits, the rest returned.
func readUint(s string) (uint, string) {
	var v uint
	i := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		v = v*10 + uint(s[i]-'0')
	}
	return v, s[i:]
}
