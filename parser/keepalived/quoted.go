package keepalived

import "strings"

// splitQuotedEscaped splits a line the way keepalived reads script command
// lines (lib/parser.c alloc_strvec_quoted_escaped): words are separated by
// blanks; '...' and "..." group (also inside a word); backslash escapes the
// next character, with C escapes (\n, \t, \xHH, \0NN, \cX, ...). ok is false
// for an unterminated quote, which keepalived reports as msg.
func splitQuotedEscaped(src string) (words []string, msg string, ok bool) {
	i := 0
	for i < len(src) {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			break
		}
		var b strings.Builder
		quote := byte(0)
	word:
		for i < len(src) {
			c := src[i]
			switch {
			case c == '\\':
				i++
				if i >= len(src) {
					return nil, "", false
				}
				i = unescape(src, i, &b)
			case quote != 0 && c == quote:
				quote = 0
				i++
			case quote != 0:
				b.WriteByte(c)
				i++
			case c == '"' || c == '\'':
				quote = c
				i++
			case isSpace(c):
				break word
			default:
				b.WriteByte(c)
				i++
			}
		}
		if quote != 0 {
			return nil, "String '" + src + "': missing terminating " + string(quote), false
		}
		words = append(words, b.String())
	}
	return words, "", len(words) > 0
}

// unescape writes the character escaped at src[i] (just after '\') and
// returns the index after the escape.
func unescape(src string, i int, b *strings.Builder) int {
	isHex := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
	}
	hexVal := func(c byte) byte {
		switch {
		case c >= '0' && c <= '9':
			return c - '0'
		case c >= 'a' && c <= 'f':
			return 10 + c - 'a'
		}
		return 10 + c - 'A'
	}
	c := src[i]
	switch {
	case c == 'x' && i+1 < len(src) && isHex(src[i+1]):
		var v byte
		i++
		for i < len(src) && isHex(src[i]) {
			v = v<<4 | hexVal(src[i])
			i++
		}
		b.WriteByte(v)
		return i
	case c == 'c' && i+1 < len(src):
		b.WriteByte(src[i+1] & 0x1f)
		return i + 2
	case c >= '0' && c <= '7':
		v := c - '0'
		i++
		for n := 0; n < 2 && i < len(src) && src[i] >= '0' && src[i] <= '7'; n++ {
			v = v<<3 + src[i] - '0'
			i++
		}
		b.WriteByte(v)
		return i
	}
	if r, ok := map[byte]byte{'a': '\a', 'b': '\b', 'E': 0x1b, 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}[c]; ok {
		b.WriteByte(r)
	} else {
		b.WriteByte(c)
	}
	return i + 1
}

// scriptCommand reads a script line (vrrp_script "script", notify_*): the
// second quoted-escaped word of the raw line is the command, itself split
// into program and arguments; further words (notify scripts only) are the
// user and group to run it as.
func (p *pass) scriptCommand(words []string) (cmd []string, user, group string) {
	q, msg, ok := splitQuotedEscaped(p.rawBuf)
	if !ok {
		if msg != "" {
			p.errorf(LevelUnmatchedQuote, "%s", msg)
		}
		return nil, "", ""
	}
	if len(q) < 2 {
		p.arg(words, 1)
		return nil, "", ""
	}
	cmd, msg, ok = splitQuotedEscaped(q[1])
	if !ok {
		if msg != "" {
			p.errorf(LevelUnmatchedQuote, "%s", msg)
		}
		return nil, "", ""
	}
	if len(q) > 2 {
		user = q[2]
	}
	if len(q) > 3 {
		group = q[3]
	}
	return cmd, user, group
}
