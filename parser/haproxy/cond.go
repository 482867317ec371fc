package haproxy

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is the haproxy version goproxy claims to be compatible with; the
// version_atleast/version_before predicates compare against it.
const Version = "2.6.12"

// buildFeatures mirrors the "Feature list" of the reference haproxy 2.6.12
// Debian build, for the feature() predicate (configuration.txt §2.4).
const buildFeatures = "-51DEGREES +ACCEPT4 +BACKTRACE -CLOSEFROM +CPU_AFFINITY +CRYPT_H -DEVICEATLAS +DL -ENGINE +EPOLL -EVPORTS +GETADDRINFO -KQUEUE +LIBCRYPT +LINUX_SPLICE +LINUX_TPROXY +LUA -MEMORY_PROFILING +NETFILTER +NS -OBSOLETE_LINKER +OPENSSL +OT -PCRE +PCRE2 +PCRE2_JIT -PCRE_JIT +POLL +PRCTL -PROCCTL +PROMEX -QUIC +RT +SLZ -STATIC_PCRE -STATIC_PCRE2 +SYSTEMD +TFO +THREAD +THREAD_DUMP +TPROXY -WURFL -ZLIB"

// condPredicates lists the .if predicates and their argument counts
// (cfgcond.c cond_predicates[]).
var condPredicates = []struct {
	word  string
	nargs int
}{
	{"defined", 1}, {"feature", 1}, {"streq", 2}, {"strneq", 2},
	{"version_atleast", 1}, {"version_before", 1},
	{"openssl_version_atleast", 1}, {"openssl_version_before", 1}, {"ssllib_name_startswith", 1},
}

// condParser evaluates a .if/.elif expression (configuration.txt §2.4):
// terms are integers, predicates, '!' negations and parenthesised
// expressions, combined with '&&' and '||'.
type condParser struct {
	text   string
	pos    int
	lookup func(string) (string, bool)
	msg    string
	errPos int
}

// evalCondition returns 1 (true), 0 (false) or -1 with haproxy's message
// and the 0-based error position within expr.
func evalCondition(expr string, lookup func(string) (string, bool)) (int, string, int) {
	if expr == "" {
		return 0, "", 0
	}
	c := &condParser{text: expr, lookup: lookup}
	v, ok := c.parseExpr(64)
	if !ok {
		return -1, c.msg, c.errPos
	}
	c.skipSpaces()
	if c.pos < len(c.text) {
		return -1, fmt.Sprintf("unexpected character '%c' at the end of conditional expression '%s'", c.text[c.pos], expr), c.pos
	}
	return v, "", 0
}

func (c *condParser) skipSpaces() {
	for c.pos < len(c.text) && (c.text[c.pos] == ' ' || c.text[c.pos] == '\t') {
		c.pos++
	}
}

func (c *condParser) fail(msg string, pos int) (int, bool) {
	if c.msg == "" {
		c.msg = msg
		c.errPos = pos
	}
	return -1, false
}

func (c *condParser) parseExpr(depth int) (int, bool) {
	if depth <= 0 {
		return c.fail(fmt.Sprintf("unparsable conditional expression '%s'", c.text[c.pos:]), c.pos)
	}
	result := 0
	for {
		v, ok := c.parseAnd(depth - 1)
		if !ok {
			return -1, false
		}
		if v > 0 {
			result = 1
		}
		c.skipSpaces()
		if !strings.HasPrefix(c.text[c.pos:], "||") {
			return result, true
		}
		opPos := c.pos
		c.pos += 2
		c.skipSpaces()
		if c.pos >= len(c.text) {
			// an empty right-hand side does not parse: haproxy reports
			// the expression from the operator on.
			return c.fail(fmt.Sprintf("unparsable conditional expression '%s'", c.text[opPos:]), opPos)
		}
	}
}

func (c *condParser) parseAnd(depth int) (int, bool) {
	result := 1
	for {
		start := c.pos
		if c.pos >= len(c.text) {
			return c.fail(fmt.Sprintf("unparsable conditional sub-expression '%s'", c.text[c.pos:]), c.pos)
		}
		v, ok := c.parseTerm(depth - 1)
		if !ok {
			if c.msg == "" {
				return c.fail(fmt.Sprintf("unparsable conditional sub-expression '%s'", c.text[start:]), start)
			}
			return -1, false
		}
		if v == 0 {
			result = 0
		}
		c.skipSpaces()
		if !strings.HasPrefix(c.text[c.pos:], "&&") {
			return result, true
		}
		opPos := c.pos
		c.pos += 2
		c.skipSpaces()
		if c.pos >= len(c.text) {
			return c.fail(fmt.Sprintf("unparsable conditional expression '%s'", c.text[opPos:]), opPos)
		}
	}
}

func (c *condParser) parseTerm(depth int) (int, bool) {
	c.skipSpaces()
	start := c.pos
	if c.pos >= len(c.text) {
		return -1, false
	}
	if depth <= 0 {
		return c.fail(fmt.Sprintf("unparsable conditional expression '%s'", c.text[start:]), start)
	}
	neg := false
	for c.pos < len(c.text) && c.text[c.pos] == '!' {
		neg = !neg
		c.pos++
		c.skipSpaces()
	}
	apply := func(v int) (int, bool) {
		if neg {
			v = 1 - v
		}
		return v, true
	}
	// strtol(in, &end, 0): an optional sign, then decimal/hex/octal digits.
	if n := numberPrefix(c.text[c.pos:]); n > 0 {
		s := c.text[c.pos : c.pos+n]
		c.pos += n
		v, _ := strconv.ParseInt(s, 0, 64)
		if v != 0 {
			return apply(1)
		}
		return apply(0)
	}
	if c.pos < len(c.text) && c.text[c.pos] == '(' {
		c.pos++
		c.skipSpaces()
		v, ok := c.parseExpr(depth - 1)
		if !ok {
			return -1, false
		}
		c.skipSpaces()
		if c.pos >= len(c.text) || c.text[c.pos] != ')' {
			return c.fail(fmt.Sprintf("expected ')' after conditional expression '%s'", c.text[start:]), start)
		}
		c.pos++
		c.skipSpaces()
		return apply(v)
	}
	rest := c.text[c.pos:]
	wl := strings.IndexAny(rest, " (")
	if wl < 0 {
		wl = len(rest)
	}
	word := rest[:wl]
	for _, pred := range condPredicates {
		if pred.word != word {
			continue
		}
		c.pos += wl
		args, ok := c.parseArgs(pred.word, pred.nargs)
		if !ok {
			return -1, false
		}
		return apply(evalPredicate(pred.word, args, c.lookup))
	}
	return c.fail(fmt.Sprintf("unparsable conditional expression '%s'", c.text[start:]), start)
}

// numberPrefix returns the length of the integer strtol(,,0) would read.
func numberPrefix(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i+1 < len(s) && s[i] == '0' && (s[i+1]|0x20) == 'x' && i+2 < len(s) && isHex(s[i+2]) {
		j := i + 2
		for j < len(s) && isHex(s[j]) {
			j++
		}
		return j
	}
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j == i {
		return 0
	}
	return j
}

// parseArgs reads "(a,b)" after a predicate, as make_arg_list() does for
// string arguments.
func (c *condParser) parseArgs(word string, want int) ([]string, bool) {
	if c.pos >= len(c.text) || c.text[c.pos] != '(' {
		if want == 0 {
			return nil, true
		}
		return c.argFail(word, 0, fmt.Sprintf("missing arguments (got 0/%d), type 'string' expected", want))
	}
	c.pos++
	var args []string
	var cur strings.Builder
	for {
		if c.pos >= len(c.text) {
			return c.argFail(word, len(args)+1, "expected ')'")
		}
		ch := c.text[c.pos]
		if ch == ')' || ch == ',' {
			args = append(args, strings.TrimSpace(cur.String()))
			cur.Reset()
			c.pos++
			if ch == ')' {
				break
			}
			continue
		}
		if ch == '\\' && c.pos+1 < len(c.text) {
			c.pos++
			ch = c.text[c.pos]
		}
		cur.WriteByte(ch)
		c.pos++
	}
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	if len(args) < want {
		c.pos-- // haproxy points at the closing parenthesis
		return c.argFail(word, len(args), fmt.Sprintf("missing arguments (got %d/%d), type 'string' expected", len(args), want))
	}
	if len(args) > want {
		return c.argFail(word, want+1, fmt.Sprintf("end of arguments expected at position %d, but got ','", want+1))
	}
	return args, true
}

func (c *condParser) argFail(word string, n int, msg string) ([]string, bool) {
	c.fail(fmt.Sprintf("%s in argument %d of predicate '%s' used in conditional expression", msg, n, word), c.pos)
	return nil, false
}

func evalPredicate(word string, args []string, lookup func(string) (string, bool)) int {
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	switch word {
	case "defined":
		_, ok := lookup(args[0])
		return b(ok)
	case "feature":
		return b(hasFeature(args[0]))
	case "streq":
		return b(args[0] == args[1])
	case "strneq":
		return b(args[0] != args[1])
	case "version_atleast":
		return b(compareVersion(Version, args[0]) >= 0)
	case "version_before":
		return b(compareVersion(Version, args[0]) < 0)
	case "openssl_version_atleast":
		return b(compareVersion("3.0.19", args[0]) >= 0)
	case "openssl_version_before":
		return b(compareVersion("3.0.19", args[0]) < 0)
	case "ssllib_name_startswith":
		return b(strings.HasPrefix("OpenSSL 3.0.19 27 Jan 2026", args[0]))
	}
	return 0
}

func hasFeature(name string) bool {
	for _, f := range strings.Fields(buildFeatures) {
		if f[1:] == name {
			return f[0] == '+'
		}
	}
	return false
}

// compareVersion compares dotted versions numerically ("2.6" < "2.6.1";
// suffixes such as "-dev3" sort before the release, as haproxy's
// split_version() does roughly).
func compareVersion(a, b string) int {
	pa, pb := versionParts(a), versionParts(b)
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func versionParts(v string) []int {
	var out []int
	dev := -1
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		suffix := v[i+1:]
		v = v[:i]
		if strings.HasPrefix(suffix, "dev") {
			n, _ := strconv.Atoi(suffix[3:])
			dev = n
		}
	}
	for _, s := range strings.Split(v, ".") {
		n, _ := strconv.Atoi(s)
		out = append(out, n)
	}
	for len(out) < 3 {
		out = append(out, 0)
	}
	if dev >= 0 {
		// x.y-devN is before x.y.0
		out = append(out, -1000+dev)
	} else {
		out = append(out, 0)
	}
	return out
}
