package keepalived

import (
	"fmt"
	"strings"
)

// keyword is one entry of a keyword table (lib/parser.c keyword_t).
type keyword struct {
	name string
	// handler acts on the keyword's line (words[0] is the keyword).
	handler func(p *pass, words []string)
	// sub, when set, is the block of keywords that follows.
	sub *section
	// closeFn runs when the sub block ends normally.
	closeFn func(p *pass)
	// passes is the set of readings that act on this root keyword; the
	// others skip its block. Zero means "every pass" (sub keywords).
	passes passSet
}

type passSet uint8

func setOf(ps ...Pass) passSet {
	var s passSet
	for _, p := range ps {
		s |= 1 << p
	}
	return s
}

func (s passSet) has(p Pass) bool { return s == 0 || s&(1<<p) != 0 }

// section is a keyword table. A wildcard section accepts any keyword and
// any nested block (used for the LVS and BFD blocks govrrpd keeps but does
// not validate).
type section struct {
	keywords []*keyword
	wildcard bool
	// onWord, for wildcard sections, records each line.
	onWord func(p *pass, words []string, depth int)
}

func (s *section) find(name string) *keyword {
	for _, k := range s.keywords {
		if k.name == name {
			return k
		}
	}
	return nil
}

// abort stops a reading the way keepalived's exit(2) does when a keyword
// lacks its parameter (lib/parser.c null_strvec).
type abort struct{}

// pass is one reading of the configuration text by one keepalived process.
type pass struct {
	which  Pass
	events []srcEvent
	next   int
	report *Report
	cfg    *Config
	opts   Options
	links  *linkFinder
	// reading state (lib/parser.c statics)
	residue      string
	hasResidue   bool
	cur          position
	blockDepth   int
	kwLevel      int
	skipSublevel int
	eof          bool
	// rawBuf is the current line as read, for handlers that re-split it
	// (keepalived's buf_extern).
	rawBuf string
	// cur* point at the object the keywords of the current block fill.
	st *buildState
}

// errorf records a message at the current position.
func (p *pass) errorf(level Level, format string, args ...any) {
	p.report.add(p.diagAt(p.cur, level, fmt.Sprintf(format, args...)))
}

// errorNoLoc records a message printed without a location.
func (p *pass) errorNoLoc(level Level, format string, args ...any) {
	p.report.add(Diag{Level: level, Pass: p.which, Msg: fmt.Sprintf(format, args...)})
}

func (p *pass) diagAt(pos position, level Level, msg string) Diag {
	d := Diag{Level: level, Pass: p.which, Msg: msg}
	if pos.noLoc || pos.line == 0 || p.eof {
		return d
	}
	d.Line = pos.line
	if !(pos.unnamed && p.which == PassParent) {
		d.File = pos.file
	}
	return d
}

// rawLine returns the next text line, emitting text-layer messages met on
// the way.
func (p *pass) rawLine() (string, bool) {
	for p.next < len(p.events) {
		ev := p.events[p.next]
		p.next++
		if ev.diag != nil {
			if ev.diag.parentOnly && p.which != PassParent {
				continue
			}
			if ev.diag.fileError {
				p.report.fileError = true
			}
			p.report.add(p.diagAt(ev.diag.pos, ev.diag.level, ev.diag.msg))
			continue
		}
		p.cur = ev.line.pos
		return ev.line.text, true
	}
	p.eof = true
	return "", false
}

// readLine returns the next line with braces split off (lib/parser.c
// read_line): "name {" yields "name" then "{", and "} x" yields "}" then
// "x". It counts '{'/'}' lines and reports an extra '}'.
func (p *pass) readLine() (string, bool) {
	var buf string
	if p.hasResidue {
		buf, p.hasResidue = p.residue, false
	} else {
		var ok bool
		if buf, ok = p.rawLine(); !ok {
			return "", false
		}
	}
	if at := braceAt(buf); at >= 0 {
		skip := 0
		if at == 0 {
			skip = 1 + len(buf[1:]) - len(strings.TrimLeft(buf[1:], " \t"))
		}
		if at+skip < len(buf) {
			p.residue = strings.TrimRight(buf[at+skip:], " \t")
			p.hasResidue = true
			buf = buf[:at+skip]
		}
	}
	buf = strings.TrimRight(buf, " \t")
	switch buf {
	case "{":
		p.blockDepth++
	case "}":
		if p.blockDepth < 1 {
			p.errorf(LevelUnexpectedEOB, "Extra '}' found")
			p.blockDepth = 1
		}
		p.blockDepth--
	}
	return buf, true
}

// braceAt finds the first '{' or '}' outside double quotes, or -1.
func braceAt(buf string) int {
	if buf == "" {
		return -1
	}
	if buf[0] == '{' || buf[0] == '}' {
		return 0
	}
	for i := 0; i < len(buf); i++ {
		switch buf[i] {
		case '{', '}':
			return i
		case '"':
			j := strings.IndexByte(buf[i+1:], '"')
			if j < 0 {
				return -1
			}
			i += j + 1
		}
	}
	return -1
}

// words splits a line as keepalived's alloc_strvec does: blanks separate
// words, and a word starting with '"' runs to the next '"' (the quotes are
// dropped, there are no escapes).
func (p *pass) words(line string) []string {
	var out []string
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			break
		}
		if line[i] == '"' {
			j := strings.IndexByte(line[i+1:], '"')
			if j < 0 {
				p.errorf(LevelUnmatchedQuote, "Unmatched quote: '%s'", line)
				break
			}
			out = append(out, line[i+1:i+1+j])
			i += j + 2
			continue
		}
		j := i
		for j < len(line) && !isSpace(line[j]) && line[j] != '"' {
			j++
		}
		out = append(out, line[i:j])
		i = j
	}
	return out
}

// nextWords reads the next non-empty line as words.
func (p *pass) nextWords() ([]string, bool) {
	for {
		line, ok := p.readLine()
		if !ok {
			return nil, false
		}
		if w := p.words(line); len(w) > 0 {
			p.rawBuf = line
			return w, true
		}
	}
}

// arg returns words[i], or stops the reading as keepalived does when a
// handler reads a missing parameter.
func (p *pass) arg(words []string, i int) string {
	if i < len(words) {
		return words[i]
	}
	if i > 0 && i-1 < len(words) {
		p.errorf(LevelMissingParameter, "*** Configuration line starting `%s` is missing a parameter after keyword `%s` at word position %d", words[0], words[i-1], i+1)
	} else {
		p.errorf(LevelMissingParameter, "*** Configuration line starting `%s` is missing a parameter at word position %d", words[0], i+1)
	}
	panic(abort{})
}

// skipBlock makes the stream skip the block of the current keyword
// (lib/parser.c skip_block).
func (p *pass) skipBlock(needBlockStart bool) {
	if needBlockStart {
		p.skipSublevel = -1
	} else {
		p.skipSublevel = 1
	}
}

// run reads the whole text with the root table.
func (p *pass) run(root *section) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(abort); ok {
				p.report.Aborted = true
				return
			}
			panic(r)
		}
	}()
	p.processStream(root, false)
	if p.blockDepth > 0 {
		p.errorNoLoc(LevelMissingEOB, "There are %d missing '}'s or extra '{'s", p.blockDepth)
	}
}

// processStream is keepalived's process_stream: it dispatches each line to
// its keyword, skips blocks of inactive keywords and reports unknown ones.
// It returns true when it stopped at the end of a skipped block.
func (p *pass) processStream(sec *section, needBOB bool) bool {
	for {
		w, ok := p.nextWords()
		if !ok {
			return false
		}
		str := w[0]
		if p.skipSublevel == -1 {
			if str == "{" {
				p.skipSublevel = 1
				needBOB = false
				continue
			}
			p.skipSublevel = 0
		}
		if p.skipSublevel != 0 {
			for _, s := range w {
				str = s
				if s == "{" {
					p.skipSublevel++
				} else if s == "}" {
					p.skipSublevel--
					if p.skipSublevel == 0 {
						break
					}
				}
			}
			if str == "}" && p.skipSublevel == 0 && p.kwLevel > 0 {
				return true
			}
			continue
		}
		if needBOB {
			needBOB = false
			if str == "{" && p.kwLevel > 0 {
				continue
			}
			p.errorf(LevelMissingBOB, "Missing '{' at beginning of configuration block")
		} else if str == "{" {
			if sec.wildcard {
				// A block of a keyword govrrpd keeps as words.
				p.kwLevel++
				p.processStream(sec, false)
				p.kwLevel--
				continue
			}
			p.errorf(LevelUnexpectedBOB, "Unexpected '{' - ignoring")
			continue
		}
		if str == "}" && p.kwLevel > 0 {
			return false
		}
		if sec.wildcard {
			p.wildcardLine(sec, w)
			continue
		}
		kw := sec.find(str)
		if kw == nil {
			p.errorf(LevelUnknownKeyword, "Unknown keyword '%s'", str)
			continue
		}
		active := kw.passes.has(p.which)
		if !active {
			if w[len(w)-1] == "{" {
				p.skipSublevel = 1
			} else {
				p.skipSublevel = -1
			}
		}
		bobNeeded := false
		if kw.sub != nil {
			if w[len(w)-1] == "{" {
				w = w[:len(w)-1]
			} else {
				bobNeeded = true
			}
		}
		if active && kw.handler != nil {
			kw.handler(p, w)
		}
		if kw.sub != nil {
			p.kwLevel++
			skipped := p.processStream(kw.sub, bobNeeded)
			p.kwLevel--
			if !skipped && active && kw.closeFn != nil {
				kw.closeFn(p)
			}
		}
	}
}

// wildcardLine keeps a line of a block govrrpd does not interpret, and
// follows nested blocks so their braces balance.
func (p *pass) wildcardLine(sec *section, w []string) {
	if sec.onWord != nil {
		sec.onWord(p, w, p.kwLevel)
	}
}

// valueBlock reads a block of value lines (lib/parser.c alloc_value_block),
// calling fn for each line's words. The block may start on the keyword's
// own line ("kw { a b }").
func (p *pass) valueBlock(words []string, fn func(w []string)) {
	needBOB := true
	var first []string
	hadEOB := false
	if len(words) > 1 {
		if words[1] == "{" {
			needBOB = false
			if len(words) > 2 {
				first = append([]string{}, words[2:]...)
				if first[len(first)-1] == "}" {
					first = first[:len(first)-1]
					hadEOB = true
				}
			}
		} else {
			p.errorf(LevelGeneralError, "Block %s has extra parameters %s ...", words[0], words[1])
		}
	}
	for {
		var vec []string
		if first != nil {
			vec, first = first, nil
		} else {
			if hadEOB {
				return
			}
			line, ok := p.readLine()
			if !ok {
				return
			}
			vec = p.words(line)
			if len(vec) == 0 {
				continue
			}
			if needBOB {
				needBOB = false
				if vec[0] == "{" {
					if len(vec) == 1 {
						continue
					}
					vec = vec[1:]
				}
			}
			if vec[len(vec)-1] == "}" {
				if len(vec) == 1 {
					return
				}
				hadEOB = true
				vec = vec[:len(vec)-1]
			}
		}
		if len(vec) > 0 {
			fn(vec)
		}
		if hadEOB {
			return
		}
	}
}

// readValueBlock collects every word of a value block (read_value_block).
func (p *pass) readValueBlock(words []string) []string {
	var out []string
	p.valueBlock(words, func(w []string) { out = append(out, w...) })
	return out
}
