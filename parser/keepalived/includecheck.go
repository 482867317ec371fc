package keepalived

import "strings"

// Include checks (keepalived.conf(5) "include", global_defs include_check,
// keepalived -e): which problems met while opening included files are
// errors. An error makes keepalived stop after its first reading and exit
// 6 (KEEPALIVED_EXIT_NO_CONFIG), even under -t; otherwise the message is
// printed and reading goes on.
const (
	includeRead     = 1 << iota // a file cannot be read, is a directory, ...
	includeMissing              // a named file does not exist
	includeWildcard             // a wildcard matches nothing
	includeBrace                // a {a,b} alternative does not exist
	includeAll      = includeRead | includeMissing | includeWildcard | includeBrace
)

// includeType is the check an "include" variant adds: includer, includem,
// includew, includeb, includea.
func includeType(buf string) int {
	if len(buf) > 8 && buf[7] != ' ' && buf[7] != '\t' {
		switch buf[7] {
		case 'r':
			return includeRead
		case 'm':
			return includeRead | includeMissing
		case 'w':
			return includeRead | includeMissing | includeWildcard
		case 'b':
			return includeRead | includeBrace
		case 'a':
			return includeAll
		}
	}
	return 0
}

// applyIncludeCheck follows an include_check line (include_check_set);
// its messages come from the parent reading (includeCheckHandler).
func applyIncludeCheck(cur int, words []string) int {
	if len(words) < 2 {
		return includeAll
	}
	for i, w := range words[1:] {
		op := byte(0)
		if w != "" && (w[0] == '-' || w[0] == '+') {
			op, w = w[0], w[1:]
		} else if i == 0 {
			cur = 0
		} else {
			continue
		}
		flag := map[string]int{"read": includeRead, "match": includeMissing, "wildcard_match": includeWildcard, "brace_match": includeBrace}[w]
		if flag == 0 {
			continue
		}
		switch op {
		case 0:
			cur = includeRead | flag
		case '+':
			cur |= flag
		case '-':
			cur &^= flag
		}
	}
	return cur
}

// includeCheckHandler reports include_check's mistakes as keepalived does.
func includeCheckHandler(p *pass, w []string) {
	p.cfg.Global.Other = append(p.cfg.Global.Other, append([]string{}, w...))
	for i, word := range w[1:] {
		if word != "" && (word[0] == '-' || word[0] == '+') {
			word = word[1:]
		} else if i > 0 {
			p.errorf(LevelGeneralError, "Duplicate include_check '%s' specified - ignoring", word)
			continue
		}
		switch word {
		case "read", "match", "wildcard_match", "brace_match":
		default:
			p.errorf(LevelGeneralError, "Unknown include_check type '%s' - ignoring", word)
		}
	}
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}
