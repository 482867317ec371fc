package haproxy

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// predefinedACLs are haproxy's built-in ACL names (configuration.txt §7.4).
var predefinedACLs = map[string]bool{
	"TRUE": true, "FALSE": true, "LOCALHOST": true, "HTTP": true, "HTTP_1.0": true, "HTTP_1.1": true,
	"HTTP_2.0": true, "METH_CONNECT": true, "METH_DELETE": true, "METH_GET": true, "METH_HEAD": true,
	"METH_OPTIONS": true, "METH_POST": true, "METH_PUT": true, "METH_TRACE": true, "HTTP_URL_ABS": true,
	"HTTP_URL_SLASH": true, "HTTP_URL_STAR": true, "HTTP_CONTENT": true, "RDP_COOKIE": true,
	"REQ_CONTENT": true, "WAIT_END": true,
}

// matchMethods are the -m methods (§7.1.3).
var matchMethods = map[string]bool{
	"found": true, "bool": true, "int": true, "ip": true, "bin": true, "len": true, "str": true,
	"sub": true, "reg": true, "beg": true, "end": true, "dir": true, "dom": true,
}

// isIDChar is haproxy's is_idchar(): characters allowed in keywords.
func isIDChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '$'
}

// parseACLLine handles "acl <name> <criterion> [flags] [operator] <value>...".
func (p *parser) parseACLLine(st *stmt, px *Proxy) int {
	if px.Kind == KindDefaults && px.Name == "" {
		return p.alert(st, "'%s' not allowed in anonymous 'defaults' section.", st.args[0])
	}
	name := st.arg(1)
	if c, bad := invalidChar(name); bad {
		return p.alert(st, "character '%c' is not permitted in acl name '%s'.", c, name)
	}
	if strings.EqualFold(name, "or") {
		return p.alert(st, "acl name '%s' will never match. 'or' is used to express a logical disjunction within a condition.", name)
	}
	if name == "" {
		// invalid_char("") points at the terminating NUL, which haproxy
		// prints as is.
		return p.alert(st, "character '")
	}
	acl, msg, warn := parseACLExpr(st.args[2:st.nargs()], p)
	if msg != "" {
		return p.alert(st, "error detected while parsing ACL '%s' : %s.", name, msg)
	}
	code := 0
	if warn != "" {
		p.diags = append(p.diags, Diag{Level: LevelWarning, Context: "config", File: st.File, Line: st.Line, Text: warn})
		code |= errWarn
	}
	acl.Pos = st.Pos
	acl.Name = name
	px.ACLs = append(px.ACLs, acl)
	if px.acls == nil {
		px.acls = map[string]*ACL{}
	}
	px.acls[name] = acl
	return code
}

// splitFetch splits "fetch(args),conv(args),conv" into its parts.
func splitFetch(expr string) (fetch string, args []string, convs []string, rest string) {
	i := 0
	for i < len(expr) && isIDChar(expr[i]) {
		i++
	}
	fetch = expr[:i]
	rest = expr[i:]
	if strings.HasPrefix(rest, "(") {
		depth := 0
		j := 0
		for ; j < len(rest); j++ {
			if rest[j] == '(' {
				depth++
			} else if rest[j] == ')' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if j < len(rest) {
			inner := rest[1:j]
			if inner != "" {
				args = strings.Split(inner, ",")
			}
			rest = rest[j+1:]
		} else {
			args = []string{rest[1:]}
			rest = ""
			return
		}
	}
	for strings.HasPrefix(rest, ",") {
		rest = rest[1:]
		k := 0
		depth := 0
		for ; k < len(rest); k++ {
			if rest[k] == '(' {
				depth++
			} else if rest[k] == ')' {
				depth--
			} else if rest[k] == ',' && depth == 0 {
				break
			}
		}
		convs = append(convs, rest[:k])
		rest = rest[k:]
	}
	return
}

// parseACLExpr parses the criterion, flags and patterns of an ACL
// (acl.c parse_acl_expr). It returns haproxy's error text, and an optional
// warning text.
func parseACLExpr(args []string, p *parser) (*ACL, string, string) {
	if len(args) == 0 || args[0] == "" {
		return nil, "missing fetch method in ACL expression ''", ""
	}
	acl := &ACL{}
	fetch, fargs, convs, rest := splitFetch(args[0])
	acl.Fetch, acl.FetchArgs, acl.Converters = fetch, fargs, convs
	defMatch := ""
	if i := strings.IndexByte(args[0], '('); i == len(fetch) && !strings.Contains(args[0][i:], ")") {
		if _, ok := aclKeywords[fetch]; ok {
			return nil, fmt.Sprintf("ACL keyword '%s' : expected ')'", fetch), ""
		}
		if sampleFetches[fetch] {
			return nil, fmt.Sprintf("fetch method '%s' : expected ')' in ACL expression '%s'", fetch, args[0]), ""
		}
	}
	for _, c := range convs {
		cn, cargs, _, _ := splitFetch(c)
		if strings.HasPrefix(cn, "map") && len(cargs) > 0 {
			if _, err := os.Stat(cargs[0]); err != nil {
				if _, ok := aclKeywords[fetch]; ok {
					return nil, fmt.Sprintf("ACL keyword '%s' : invalid args in converter '%s' : failed to open pattern file <%s>.", fetch, cn, cargs[0]), ""
				}
				return nil, fmt.Sprintf("invalid args in converter '%s' : failed to open pattern file <%s> in ACL expression '%s'", cn, cargs[0], args[0]), ""
			}
		}
	}
	if kw, ok := aclKeywords[fetch]; ok {
		defMatch = kw[1]
		if rest != "" {
			return nil, fmt.Sprintf("ACL keyword '%s' : missing comma after fetch keyword.", fetch), ""
		}
		for _, c := range convs {
			cn, _, _, _ := splitFetch(c)
			if !converters[cn] {
				return nil, fmt.Sprintf("ACL keyword '%s' : unknown converter '%s'.", fetch, cn), ""
			}
		}
	} else {
		if fetch == "" {
			return nil, fmt.Sprintf("missing fetch method in ACL expression '%s'", args[0]), ""
		}
		if !sampleFetches[fetch] {
			return nil, fmt.Sprintf("unknown fetch method '%s' in ACL expression '%s'", fetch, args[0]), ""
		}
		if rest != "" {
			return nil, fmt.Sprintf("missing comma after fetch keyword '%s' in ACL expression '%s'", fetch, args[0]), ""
		}
		for _, c := range convs {
			cn, _, _, _ := splitFetch(c)
			if !converters[cn] {
				return nil, fmt.Sprintf("unknown converter '%s' in ACL expression '%s'", cn, args[0]), ""
			}
		}
	}
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		switch args[i] {
		case "-i":
			acl.IgnoreCase = true
		case "-n":
			acl.NoDNS = true
		case "-f":
			if i+1 >= len(args) {
				return nil, "'-f' expects a file name", ""
			}
			acl.Files = append(acl.Files, args[i+1])
			i++
		case "-u":
			if i+1 >= len(args) || !isInteger(args[i+1]) {
				return nil, "the argument of -u must be an integer", ""
			}
			acl.Unique = true
			i++
		case "-m":
			if i+1 >= len(args) {
				return nil, "unknown matching method '' when parsing ACL expression", ""
			}
			if len(acl.Files) > 0 {
				return nil, "'-m' must only be specified before patterns and files in parsing ACL expression", ""
			}
			if !matchMethods[args[i+1]] {
				return nil, fmt.Sprintf("unknown matching method '%s' when parsing ACL expression", args[i+1]), ""
			}
			acl.Match = args[i+1]
			i++
		case "-M":
		case "--":
			i++
			goto patterns
		default:
			return nil, fmt.Sprintf("'%s' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'", args[i]), ""
		}
		i++
	}
patterns:
	acl.Patterns = append(acl.Patterns, args[i:]...)
	match := acl.Match
	if match == "" {
		match = defMatch
	}
	for _, f := range acl.Files {
		if st, err := osStat(f); err != nil || st {
			return nil, fmt.Sprintf("failed to open pattern file <%s>", f), ""
		}
	}
	matchForFiles := match
	if matchForFiles == "" && len(convs) == 0 {
		switch fetchTypes[fetch] {
		case "sint":
			matchForFiles = "int"
		case "ipv4", "ipv6":
			matchForFiles = "ip"
		}
	}
	for _, f := range acl.Files {
		if msg := checkPatternFile(f, matchForFiles, acl.NoDNS, p); msg != "" {
			return nil, msg, ""
		}
	}
	if match == "" && len(convs) == 0 {
		switch fetchTypes[fetch] {
		case "sint":
			match = "int"
		case "ipv4", "ipv6":
			match = "ip"
		case "bool":
			match = "bool"
		}
	}
	if msg := checkPatterns(match, acl.Patterns, acl.NoDNS, p); msg != "" {
		return nil, msg, ""
	}
	if len(acl.Patterns) == 0 && len(acl.Files) == 0 && match != "found" && match != "bool" && defMatch != "" {
		return acl, "", fmt.Sprintf("parsing acl keyword '%s' :\n  no pattern to match against were provided, so this ACL will never match.\n  If this is what you intended, please add '--' to get rid of this warning.\n  If you intended to match only for existence, please use '-m found'.\n  If you wanted to force an int to match as a bool, please use '-m bool'.\n", fetch)
	}
	return acl, "", ""
}

// pcreCompatible accepts PCRE constructs Go's RE2 lacks (lookarounds,
// backreferences, possessive quantifiers) when the expression is otherwise
// balanced, since haproxy is built with PCRE2.
func pcreCompatible(pat string) bool {
	if _, err := regexp.Compile(pat); err != nil && strings.Contains(err.Error(), "invalid escape sequence") && !strings.HasSuffix(pat, "\\") {
		// PCRE knows many escapes RE2 lacks (\h, \R, \K, \Q...\E).
		return true
	}
	if strings.Contains(pat, "(?=") || strings.Contains(pat, "(?!") || strings.Contains(pat, "(?<") ||
		strings.Contains(pat, "\\1") || strings.Contains(pat, "++") || strings.Contains(pat, "*+") {
		return strings.Count(pat, "(") == strings.Count(pat, ")")
	}
	return false
}

// parseCondition parses "if|unless <cond>" starting at st.args[i]
// (acl.c build_acl_cond / parse_acl_cond).
func (p *parser) parseCondition(st *stmt, px *Proxy, i int) (*Condition, string) {
	c := &Condition{Pos: st.Pos}
	switch st.arg(i) {
	case "if":
	case "unless":
		c.Unless = true
	default:
		return nil, "conditions must start with either 'if' or 'unless'"
	}
	words := st.args[i+1 : st.nargs()]
	cur := []CondTerm{}
	for j := 0; j < len(words); j++ {
		w := words[j]
		if w == "||" || w == "or" {
			c.Or = append(c.Or, cur)
			cur = []CondTerm{}
			continue
		}
		neg := false
		for strings.HasPrefix(w, "!") {
			neg = !neg
			w = w[1:]
		}
		if w == "" {
			continue
		}
		if w == "{" {
			end := -1
			for k := j + 1; k < len(words); k++ {
				if words[k] == "}" {
					end = k
					break
				}
			}
			if end < 0 {
				return nil, "missing closing '}' in condition"
			}
			acl, msg, _ := parseACLExpr(words[j+1:end], p)
			if msg != "" {
				return nil, msg
			}
			acl.Pos = st.Pos
			cur = append(cur, CondTerm{Negate: neg, Anonymous: acl})
			j = end
			continue
		}
		if px.acls[w] == nil && !predefinedACLs[w] {
			return nil, fmt.Sprintf("no such ACL : '%s'", w)
		}
		cur = append(cur, CondTerm{Negate: neg, Name: w})
	}
	c.Or = append(c.Or, cur)
	return c, ""
}

// osStat reports whether path is a directory, or the error to open it.
func osStat(path string) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return fi.IsDir(), nil
}

// isStdOp reports the acl operators accepted before integer patterns.
func isStdOp(s string) bool {
	return s == "eq" || s == "ge" || s == "gt" || s == "le" || s == "lt"
}

// checkPatterns validates ACL patterns for their match method as
// haproxy's pat_parse_* functions do.
func checkPatterns(match string, pats []string, noDNS bool, p *parser) string {
	op := "eq"
	for _, pat := range pats {
		switch match {
		case "reg":
			if _, err := regexp.Compile(pat); err != nil && !pcreCompatible(pat) {
				return fmt.Sprintf("regex '%s' is invalid%s", pat, pcreErrorDetail(pat, err))
			}
		case "int", "len":
			if isStdOp(pat) {
				op = pat
				continue
			}
			hasRange := strings.ContainsAny(pat, ":-")
			if !hasRange && op != "eq" {
				if !isInteger(pat) {
					return fmt.Sprintf("'%s' is neither a number nor a supported operator", pat)
				}
				continue
			}
			if msg := checkIntPattern(pat); msg != "" {
				return msg
			}
		case "ip":
			if validNetwork(pat) {
				continue
			}
			addr, _, _ := strings.Cut(pat, "/")
			if inetAton(addr) {
				continue // getaddrinfo() accepts the inet_aton forms
			}
			if !noDNS && p != nil && !strings.ContainsAny(addr, ":") && !isAllDigitsDots(addr) && p.resolveHost(addr) {
				continue
			}
			return fmt.Sprintf("'%s' is not a valid IPv4 or IPv6 address", pat)
		}
	}
	return ""
}

func isAllDigitsDots(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && s[i] != '.' {
			return false
		}
	}
	return true
}

// checkIntPattern is pat_parse_int(): N, N:M, :M, N: (or '-' instead of ':').
func checkIntPattern(text string) string {
	i := strings.IndexAny(text, ":-")
	if i < 0 {
		if !isInteger(text) {
			return fmt.Sprintf("'%s' is not a number", text)
		}
		return ""
	}
	bad := fmt.Sprintf("'%s' is not a valid number range", text)
	lo, hi := text[:i], text[i+1:]
	switch {
	case lo == "" && hi != "":
		if !isInteger(hi) {
			return bad
		}
	case hi == "":
		if !isInteger(lo) {
			return bad
		}
	default:
		if !isInteger(lo) || !isInteger(hi) || atoi(lo) > atoi(hi) {
			return bad
		}
	}
	return ""
}

// pcreErrorDetail renders the PCRE2 error haproxy appends for the regex
// errors whose PCRE wording is known; empty otherwise.
func pcreErrorDetail(pat string, err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "missing closing )"):
		return fmt.Sprintf(" (error=missing closing parenthesis, erroffset=%d)", len(pat))
	case strings.Contains(msg, "unexpected )"):
		return fmt.Sprintf(" (error=unmatched closing parenthesis, erroffset=%d)", strings.Index(pat, ")"))
	case strings.Contains(msg, "missing closing ]"):
		return fmt.Sprintf(" (error=missing terminating ] for character class, erroffset=%d)", len(pat))
	case strings.Contains(msg, "missing argument to repetition operator"):
		off := strings.IndexAny(pat, "*+?")
		if off < 0 {
			off = 0
		}
		return fmt.Sprintf(" (error=quantifier does not follow a repeatable item, erroffset=%d)", off)
	case strings.Contains(msg, "invalid nested repetition operator"):
		for i := 1; i < len(pat); i++ {
			if strings.ContainsRune("*+?", rune(pat[i])) && strings.ContainsRune("*+?", rune(pat[i-1])) {
				return fmt.Sprintf(" (error=quantifier does not follow a repeatable item, erroffset=%d)", i)
			}
		}
	}
	return ""
}

// checkPatternFile validates each pattern line of an ACL -f file (one
// pattern per line, blank lines and '#' comments ignored).
func checkPatternFile(path, match string, noDNS bool, p *parser) string {
	if match != "ip" && match != "int" && match != "reg" {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if msg := checkPatterns(match, []string{line}, noDNS, p); msg != "" {
			return fmt.Sprintf("%s at line %d of file '%s'", msg, n+1, path)
		}
	}
	return ""
}

// checkSampleExpr validates "fetch(args),conv(args),..." as
// sample_parse_expr() does for the parts goproxy knows: the fetch and
// converter names and the files of map converters.
func checkSampleExpr(expr string) string {
	fetch, _, convs, rest := splitFetch(expr)
	if fetch == "" {
		return "missing fetch method"
	}
	if !sampleFetches[fetch] {
		return fmt.Sprintf("unknown fetch method '%s'", fetch)
	}
	if rest != "" {
		return fmt.Sprintf("missing comma after fetch keyword '%s'", fetch)
	}
	for _, c := range convs {
		cn, cargs, _, _ := splitFetch(c)
		if !converters[cn] {
			return fmt.Sprintf("unknown converter '%s'", cn)
		}
		if strings.HasPrefix(cn, "map") && len(cargs) > 0 {
			if _, err := os.Stat(cargs[0]); err != nil {
				return fmt.Sprintf("invalid args in converter '%s' : failed to open pattern file <%s>", cn, cargs[0])
			}
		}
	}
	return ""
}

// checkLogFormatExprs checks every %[expr] of a log-format string.
func checkLogFormatExprs(s string) string {
	for {
		i := strings.Index(s, "%[")
		if i < 0 {
			return ""
		}
		s = s[i+2:]
		depth, j := 0, 0
		for ; j < len(s); j++ {
			if s[j] == '(' {
				depth++
			} else if s[j] == ')' {
				depth--
			} else if s[j] == ']' && depth == 0 {
				break
			}
		}
		if j >= len(s) {
			return fmt.Sprintf("missing ']' after sample expression <%s>", s)
		}
		if msg := checkSampleExpr(s[:j]); msg != "" {
			return fmt.Sprintf("failed to parse sample expression <%s> : %s", s, msg)
		}
		s = s[j+1:]
	}
}
