package haproxy

import (
	"fmt"
	"strings"
)

// logFormatVars are the log-format variables of haproxy 2.6 (log.c
// logformat_keywords; configuration.txt §8.2.4); true marks those
// reserved for HTTP mode.
var logFormatVars = map[string]bool{
	"o": false, "B": false, "CC": true, "CS": true, "H": false, "ID": false, "ST": false, "T": false, "Ta": true,
	"Tc": false, "Th": false, "Ti": true, "Tl": false, "Tq": true, "Tr": true, "TR": true, "Td": false, "Ts": false,
	"Tt": false, "Tu": false, "Tw": false, "U": false, "ac": false, "b": false, "bc": false, "bi": false, "bp": false,
	"bq": false, "ci": false, "cp": false, "f": false, "fc": false, "fi": false, "fp": false, "ft": false, "hr": false,
	"hrl": false, "hs": false, "hsl": false, "HM": true, "HP": true, "HPO": true, "HQ": true, "HU": true, "HV": true,
	"lc": false, "ms": false, "pid": false, "r": true, "rc": false, "rt": false, "s": false, "sc": false, "si": false,
	"sp": false, "sq": false, "sslc": false, "sslv": false, "t": false, "tr": true, "trg": true, "trl": true,
	"ts": false, "tsc": false,
}

// checkLogFormat validates a log-format string as haproxy's
// parse_logformat_string() does, for a proxy in HTTP mode or not, and
// returns its error text.
func checkLogFormat(fmtStr string, httpMode bool) string {
	s := fmtStr
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		if i >= len(s) {
			return "truncated line after '%'"
		}
		arg := ""
		if s[i] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return fmt.Sprintf("truncated line after '%s'", s[i+1:])
			}
			arg = s[i+1 : i+end]
			i += end + 1
			if i >= len(s) || (s[i] != '[' && !isAlnum(s[i])) {
				return fmt.Sprintf("parse argument modifier without variable name near '%%{%s}'", arg)
			}
		}
		switch c := s[i]; {
		case c == '[':
			start := i + 1
			depth, j := 0, start
			for ; j < len(s); j++ {
				if s[j] == '(' {
					depth++
				} else if s[j] == ')' {
					depth--
				} else if s[j] == ']' && depth <= 0 {
					break
				}
			}
			if j >= len(s) {
				return fmt.Sprintf("missing ']' after '%s'", s[start:])
			}
			if msg := checkSampleExpr(s[start:j]); msg != "" {
				return fmt.Sprintf("failed to parse sample expression <%s> : %s", s[start:], msg)
			}
			i = j
		case isAlpha(c) || (arg != "" && isAlnum(c)):
			j := i
			for j < len(s) && isAlnum(s[j]) {
				j++
			}
			name := s[i:j]
			httpOnly, ok := logFormatVars[name]
			if !ok {
				return fmt.Sprintf("no such format variable '%s'. If you wanted to emit the '%%' character verbatim, you need to use '%%%%'", name)
			}
			if httpOnly && !httpMode {
				return fmt.Sprintf("format variable '%s' is reserved for HTTP mode", name)
			}
			i = j - 1
		case c == '%':
		case isDigit(c) || c == ' ' || c == '\t':
			return fmt.Sprintf("unexpected variable name near '%c' at position %d line : '%s'. Maybe you want to write a single '%%', use the syntax '%%%%'", c, i, fmtStr)
		}
	}
	return ""
}
