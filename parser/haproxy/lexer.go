package haproxy

import (
	"strconv"
	"strings"
)

// lexError describes a tokenising failure on one line; pos is the 0-based
// byte offset (in the raw line) of the offending character, as haproxy's
// parse_line() reports it through errptr.
type lexError struct {
	kind string // "quote", "brace", "varname", "hex", "expand"
	pos  int
}

// message returns haproxy's wording for the error (readcfgfile in cfgparse.c).
func (e *lexError) message() string {
	switch e.kind {
	case "quote":
		return "unmatched quote"
	case "brace":
		return "unmatched brace in environment variable name"
	case "varname":
		return "forbidden first char in environment variable name"
	case "hex":
		return "truncated or invalid hexadecimal sequence"
	default:
		return "truncated or invalid word expansion sequence"
	}
}

// lineEnv is what the tokenizer needs to expand ${NAME} and the internal
// pseudo-variables ${.FILE}, ${.LINE} and ${.SECTION}.
type lineEnv struct {
	lookup  func(string) (string, bool)
	file    string
	line    int
	section string
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }
func isHex(c byte) bool {
	return isDigit(c) || ((c|0x20) >= 'a' && (c|0x20) <= 'f')
}

// tokenize splits one configuration line into words following
// configuration.txt §2.2 (quoting and escaping) and §2.3 (environment
// variables), exactly as haproxy's parse_line() does with the options used
// for configuration files: '#' starts a comment outside quotes, double quotes
// allow ${VAR} expansion and backslash escapes, single quotes are literal,
// a backslash escapes ' ', '\\', '#', quotes and '$', and \t \n \r \xHH are
// decoded. "${VAR[*]}" expands to one word per space-separated value.
//
// The returned slice is empty for a blank or comment-only line. Unlike
// haproxy an empty quoted word ("") is kept as an empty word, which matches
// haproxy since it also emits an empty argument for it.
func tokenize(in string, env *lineEnv) ([]string, *lexError) {
	if words, ok := tokenizePlain(in); ok {
		return words, nil
	}
	var (
		words    []string
		cur      strings.Builder
		squote   bool
		dquote   bool
		quotePos = -1
		i        = 0
		n        = len(in)
		haveWord bool // current word has started (even if empty, via quotes)
	)
	// haproxy skips leading spaces before calling parse_line.
	for i < n && isSpace(in[i]) {
		i++
	}
	emitWord := func() {
		words = append(words, cur.String())
		cur.Reset()
		haveWord = false
	}
	for i < n {
		c := in[i]
		switch {
		case c == '\n' || c == '\r' || c == 0:
			i = n
			continue
		case c == '#' && !squote && !dquote:
			i = n
			continue
		case c == '"' && !squote:
			if dquote {
				dquote = false
				quotePos = -1
			} else {
				dquote = true
				quotePos = i
			}
			haveWord = true
			i++
		case c == '\'' && !dquote:
			if squote {
				squote = false
				quotePos = -1
			} else {
				squote = true
				quotePos = i
			}
			haveWord = true
			i++
		case c == '\\' && !squote:
			tosend := c
			var next byte
			if i+1 < n {
				next = in[i+1]
			}
			switch next {
			case ' ', '\\':
				tosend = next
				i++
			case 't':
				tosend = '\t'
				i++
			case 'n':
				tosend = '\n'
				i++
			case 'r':
				tosend = '\r'
				i++
			case '#', '\'', '"':
				i++
				tosend = next
			case '$':
				if dquote {
					i++
					tosend = next
				}
			case 'x':
				if i+3 >= n || !isHex(in[i+2]) || !isHex(in[i+3]) {
					return nil, &lexError{kind: "hex", pos: i}
				}
				v, _ := strconv.ParseUint(in[i+2:i+4], 16, 8)
				tosend = byte(v)
				i += 3
			}
			i++
			cur.WriteByte(tosend)
			haveWord = true
		case isSpace(c) && !squote && !dquote:
			for i < n && isSpace(in[i]) {
				i++
			}
			emitWord()
		case c == '$' && dquote:
			// Environment variables are expanded only inside double quotes
			// (configuration.txt §2.3).
			i++
			brace := -1
			if i < n && in[i] == '{' {
				brace = i
				i++
			}
			if i >= n || !(isAlpha(in[i]) || in[i] == '_' || in[i] == '.') {
				return nil, &lexError{kind: "varname", pos: i}
			}
			start := i
			if in[i] == '.' {
				i++
			}
			for i < n && (isAlnum(in[i]) || in[i] == '_') {
				i++
			}
			name := in[start:i]
			var value string
			var found bool
			if name[0] == '.' {
				switch name {
				case ".LINE":
					value, found = strconv.Itoa(env.line), true
				case ".FILE":
					value, found = env.file, true
				case ".SECTION":
					value, found = env.section, true
				default:
					return nil, &lexError{kind: "varname", pos: start}
				}
			} else if env != nil && env.lookup != nil {
				value, found = env.lookup(name)
			}
			wordExpand := false
			if i < n && in[i] == '[' && brace >= 0 {
				wstart := i
				i++
				if i+1 >= n || in[i] != '*' || in[i+1] != ']' {
					return nil, &lexError{kind: "expand", pos: wstart}
				}
				i += 2
				wordExpand = true
			}
			if brace >= 0 {
				if i < n && in[i] == '-' {
					defStart := i + 1
					for i < n && in[i] != '}' {
						i++
					}
					if i >= n {
						return nil, &lexError{kind: "brace", pos: brace}
					}
					if !found {
						value, found = in[defStart:i], true
					}
				} else if i >= n || in[i] != '}' {
					return nil, &lexError{kind: "brace", pos: brace}
				}
				i++
			}
			haveWord = true
			if found {
				for j := 0; j < len(value); {
					if wordExpand && isSpace(value[j]) {
						emitWord()
						for j < len(value) && isSpace(value[j]) {
							j++
						}
						continue
					}
					cur.WriteByte(value[j])
					j++
				}
			}
		default:
			cur.WriteByte(c)
			haveWord = true
			i++
		}
	}
	if quotePos >= 0 {
		return nil, &lexError{kind: "quote", pos: quotePos}
	}
	// parse_line always terminates the last word; a trailing separator
	// therefore yields an empty last word, which haproxy ignores as the
	// end-of-arguments marker. We drop it too.
	if haveWord || cur.Len() > 0 {
		emitWord()
	}
	// Trailing empty words produced by trailing spaces are not real words:
	// in haproxy they are indistinguishable from the end marker.
	for len(words) > 0 && words[len(words)-1] == "" {
		words = words[:len(words)-1]
	}
	return words, nil
}

// tokenizePlain is the fast path for lines without quotes, escapes or
// variables (nearly all of them): words are slices of the line itself.
func tokenizePlain(in string) ([]string, bool) {
	n := 0
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c == '#' {
			in = in[:i]
			break
		}
		if c == '"' || c == '\'' || c == '\\' || c == '$' || c == 0 || c == '\n' || c == '\r' {
			return nil, false
		}
		if !isSpace(c) && (i == 0 || isSpace(in[i-1])) {
			n++
		}
	}
	words := make([]string, 0, n)
	start := -1
	for i := 0; i <= len(in); i++ {
		if i == len(in) || isSpace(in[i]) {
			if start >= 0 {
				words = append(words, in[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return words, true
}
