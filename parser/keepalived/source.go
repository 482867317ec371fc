package keepalived

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// srcLine is one logical line of configuration text after comments,
// includes, @id selection and $NAME substitution (lib/parser.c read_line).
type srcLine struct {
	text string
	pos  position
}

// position is where a line came from.
type position struct {
	// file is the path as keepalived prints it: the glob result, relative
	// to the including file's directory when the include was relative.
	file string
	line int
	// unnamed is true for lines of the top-level file when it was the only
	// match of its glob: keepalived's first (parent) reading then prints
	// "(Line N)" without the file name, every later reading names it.
	unnamed bool
	// noLoc marks messages printed after the files were read (no prefix).
	noLoc bool
}

// srcEvent is a line, or a message the text layer produced while reading.
type srcEvent struct {
	line *srcLine
	diag *srcDiag
}

// srcDiag is a message of the text layer. parentOnly messages come from
// opening files, which only the first (parent) reading does: the later
// readings use keepalived's in-memory copy of the configuration.
type srcDiag struct {
	level      Level
	msg        string
	pos        position
	parentOnly bool
	// fileError marks an include problem the include checks make an
	// error: keepalived stops after its first reading and exits 6.
	fileError bool
}

// definition is a $NAME=value parameter (keepalived.conf(5) "ADVANCED
// CONFIGURATION"). A multiline definition (value lines ending in '\')
// holds its lines separated by '\n'.
type definition struct {
	name      string
	value     string
	multiline bool
}

// Options tune how the configuration text is read.
type Options struct {
	// ConfigID selects `@ID` lines (keepalived -i); when empty the host
	// name up to its first dot is used, as keepalived does.
	ConfigID string
	// Link reports a network interface (keepalived checks interfaces in the
	// network namespace it runs in). Nil means "ask the kernel".
	Link func(name string) (Link, bool)
	// Namespace is keepalived's -s: the named network namespace (under
	// /var/run/netns) to check interfaces in; it overrides net_namespace.
	Namespace string
	// AllConfig is keepalived's -e/--all-config: every include problem
	// is an error.
	AllConfig bool
	// NamespaceExists decides namespaces when Link is set (tests).
	NamespaceExists func(name string) bool
	// Stat is used to look at script files (security checks); nil means
	// os.Stat.
	Stat func(path string) (os.FileInfo, error)
	// LookupUser resolves a user name (script_user, vrrp_script user); nil
	// means os/user.
	LookupUser func(name string) bool
}

// maxSubstitutions bounds the rounds of $NAME replacement on one line: a
// definition that refers to itself ($A=$A) never stops changing the line
// (keepalived 2.2.7 loops forever on it; see DIFFERENCES.md).
const maxSubstitutions = 64

// maxLine is keepalived's MAXBUF: fgets() reads at most 1023 bytes at a time.
const maxLine = 1023

// reader expands files into srcEvents.
type reader struct {
	opts    Options
	events  []srcEvent
	defs    map[string]*definition
	order   []string
	pending []string // rest of a multiline definition being expanded
	depth   int
	// multi is the multiline definition whose continuation lines are
	// being read.
	multi *definition
	// includeCheck holds the include problems that are errors
	// (include_check, -e).
	includeCheck int
}

// loadSource reads path (a glob, as keepalived's -f accepts) into events.
// ok is false when keepalived would stop before parsing (file missing, a
// directory, ...); the events then hold the reason.
func loadSource(path string, opts Options) (events []srcEvent, ok bool) {
	r := &reader{opts: opts, defs: map[string]*definition{}}
	if opts.AllConfig {
		r.includeCheck = includeAll
	}
	r.setStd("_HASH", "#")
	r.setStd("_BANG", "!")
	wd, _ := os.Getwd()
	// keepalived first checks the main file (check_conf_file) with errors
	// at level OK: a missing or unreadable file makes -t exit 0.
	// With -e (include checks on) these problems are errors: exit 4.
	level := LevelOK
	if r.includeCheck != 0 {
		level = LevelFileNotFound
	}
	matches, missing, wildcards := globDetail(path, wd)
	switch {
	case len(matches) == 0 && missing:
		r.diag(level, fmt.Sprintf("Config files missing '%s'.", path), position{noLoc: true}, true)
		return r.events, false
	case len(matches) == 0:
		if wildcards && r.includeCheck&includeWildcard != 0 {
			r.diag(level, fmt.Sprintf("No config files matched '%s'.", path), position{noLoc: true}, true)
		}
		return r.events, false
	case missing:
		msg := fmt.Sprintf("Some config files missing: \"%s\".", path)
		r.diag(level, msg, position{noLoc: true}, true)
		if r.includeCheck&includeBrace != 0 {
			return r.events, false
		}
		// keepalived globs the file again to read it, and says it again.
		r.diag(LevelOK, msg, position{noLoc: true}, true)
	}
	good := 0
	for _, m := range matches {
		if msg := checkGlobFile(m, wd); msg != "" {
			r.diag(level, msg, position{noLoc: true}, true)
			return r.events, false
		}
		good++
	}
	if good == 0 {
		return r.events, false
	}
	if good > 1 {
		r.diag(LevelMultipleFiles, fmt.Sprintf("WARNING, multiple configuration file matches of %s, starting with %s", path, matches[0]), position{noLoc: true}, true)
	}
	for _, m := range matches {
		r.readFile(m, wd, len(matches) == 1, position{noLoc: true})
	}
	return r.events, true
}

func (r *reader) setStd(name, value string) {
	r.defs[name] = &definition{name: name, value: value}
	r.order = append(r.order, name)
}

func (r *reader) diag(level Level, msg string, pos position, parentOnly bool) {
	r.events = append(r.events, srcEvent{diag: &srcDiag{level: level, msg: msg, pos: pos, parentOnly: parentOnly}})
}

// globDetail expands pattern; missing reports a named file or directory
// that does not exist, wildcards that a directory was searched.
func globDetail(pattern, dir string) (matches []string, missing, wildcards bool) {
	for _, alt := range expandBraces(pattern) {
		full := alt
		if !filepath.IsAbs(full) {
			full = filepath.Join(dir, alt)
		}
		if !hasMagic(alt) {
			if _, err := os.Lstat(full); err != nil {
				missing = true
				continue
			}
			matches = append(matches, markDir(alt, full))
			continue
		}
		// A wildcard: the fixed leading directory must exist.
		if _, err := os.Stat(filepath.Dir(full)); err != nil {
			missing = true
			continue
		}
		wildcards = true
		found, _ := filepath.Glob(full)
		var rel []string
		for _, f := range found {
			if strings.HasPrefix(filepath.Base(f), ".") && !strings.HasPrefix(filepath.Base(alt), ".") {
				continue
			}
			name := f
			if !filepath.IsAbs(alt) {
				if rf, err := filepath.Rel(dir, f); err == nil {
					name = relLike(alt, rf)
				}
			}
			rel = append(rel, markDir(name, f))
		}
		sort.Strings(rel)
		matches = append(matches, rel...)
	}
	return matches, missing, wildcards
}

// relLike keeps a leading "./" of the pattern, as glob(3) does.
func relLike(pattern, rel string) string {
	if strings.HasPrefix(pattern, "./") && !strings.HasPrefix(rel, "../") {
		return "./" + rel
	}
	return rel
}

func markDir(name, full string) string {
	if fi, err := os.Stat(full); err == nil && fi.IsDir() && !strings.HasSuffix(name, "/") {
		return name + "/"
	}
	return name
}

func hasMagic(s string) bool { return strings.ContainsAny(s, "*?[") }

// expandBraces performs csh-style {a,b} expansion (GLOB_BRACE).
func expandBraces(s string) []string {
	open := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '{' {
			open = i
			break
		}
	}
	if open < 0 {
		return []string{s}
	}
	depth, start := 0, open+1
	var parts []string
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				parts = append(parts, s[start:i])
				var out []string
				for _, p := range parts {
					out = append(out, expandBraces(s[:open]+p+s[i+1:])...)
				}
				return out
			}
		case ',':
			if depth == 1 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return []string{s}
}

// checkGlobFile returns keepalived's complaint about a matched name, or "".
func checkGlobFile(name, dir string) string {
	if strings.HasSuffix(name, "/") {
		return fmt.Sprintf("Configuration file '%s' is a directory - skipping", name)
	}
	full := name
	if !filepath.IsAbs(full) {
		full = filepath.Join(dir, name)
	}
	fi, err := os.Stat(full)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 != 0 {
		return fmt.Sprintf("Configuration file '%s' is not a regular non-executable file - skipping", name)
	}
	return ""
}

// readFile reads one file; name is as keepalived prints it, dir the
// directory it is relative to.
func (r *reader) readFile(name, dir string, unnamed bool, from position) {
	full := name
	if !filepath.IsAbs(full) {
		full = filepath.Join(dir, name)
	}
	data, err := os.ReadFile(full)
	if err != nil {
		r.diag(LevelOK, fmt.Sprintf("Configuration file '%s' open problem (%s) - skipping", name, errText(err)), from, true)
		return
	}
	r.depth++
	defer func() { r.depth-- }()
	fileDir := filepath.Dir(full)
	pos := position{file: name, unnamed: unnamed}
	for _, raw := range splitLines(data) {
		if raw.counted {
			pos.line++
		}
		text := strings.TrimRight(raw.text, "\r\n")
		if text == "" {
			r.multi = nil // an empty line ends a multiline definition
			continue
		}
		text, d := decomment(text)
		if d != "" {
			r.diag(LevelGeneralError, d, pos, false)
		}
		if r.multi != nil {
			r.continueDefinition(text)
			continue
		}
		if text == "" {
			continue
		}
		r.processExpanded(text, pos, fileDir)
	}
}

// processExpanded processes a line and, right after it, the further lines
// of any multiline definition it expanded (keepalived reads those before
// advancing a ~SEQ or reading the next line of the file).
func (r *reader) processExpanded(text string, pos position, dir string) {
	saved := r.pending
	r.pending = nil
	r.processLine(text, pos, dir)
	for len(r.pending) > 0 {
		next := r.pending[0]
		r.pending = r.pending[1:]
		r.processLine(next, pos, dir)
	}
	r.pending = saved
}

// rawLine is a chunk fgets() would return; counted is true when it ended in
// a newline (keepalived counts lines by newlines, so a last line without one
// keeps the previous number).
type rawLine struct {
	text    string
	counted bool
}

func splitLines(data []byte) []rawLine {
	var out []rawLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	sc.Split(func(d []byte, atEOF bool) (int, []byte, error) {
		if len(d) == 0 {
			return 0, nil, nil
		}
		n := len(d)
		if i := bytes.IndexByte(d, '\n'); i >= 0 {
			n = i + 1
		} else if !atEOF && len(d) < maxLine {
			return 0, nil, nil
		}
		if n > maxLine {
			n = maxLine
		}
		return n, d[:n], nil
	})
	for sc.Scan() {
		t := sc.Text()
		out = append(out, rawLine{text: t, counted: strings.HasSuffix(t, "\n")})
	}
	return out
}

// processLine applies @id selection, definitions and substitution to a
// decommented line, then either expands an include or emits the line.
func (r *reader) processLine(buf string, pos position, dir string) {
	rounds := 0
	for {
		if buf == "" {
			return
		}
		if buf[0] == '@' {
			var ok bool
			if buf, ok = r.selectID(buf); !ok {
				return
			}
		}
		if buf[0] == '$' && r.define(buf) {
			return
		}
		if strings.HasPrefix(buf, "~SEQ") {
			r.sequence(buf, pos, dir)
			return
		}
		if strings.HasPrefix(buf, "~LST") {
			r.list(buf, pos, dir)
			return
		}
		if buf[0] == '~' {
			break
		}
		if !strings.Contains(buf, "$") {
			break
		}
		rounds++
		nbuf, changed := r.substitute(buf, dir)
		if !changed || rounds > maxSubstitutions {
			buf = nbuf
			break
		}
		var d string
		nbuf, d = decomment(nbuf)
		if d != "" {
			r.diag(LevelGeneralError, d, pos, false)
		}
		buf = nbuf
		if !(strings.HasPrefix(buf, "@") || strings.Contains(buf, "$")) {
			break
		}
	}
	if buf == "" {
		return
	}
	if inc, ok := includeTarget(buf); ok {
		r.include(inc, includeType(buf), pos, dir)
		return
	}
	if firstWord(buf) == "include_check" {
		r.includeCheck = applyIncludeCheck(r.includeCheck, strings.Fields(buf))
	}
	r.events = append(r.events, srcEvent{line: &srcLine{text: buf, pos: pos}})
}

// selectID handles "@ID rest" and "@^ID rest" (keepalived -i).
func (r *reader) selectID(buf string) (string, bool) {
	ofs, rev := 1, false
	if len(buf) > 1 && buf[1] == '^' {
		ofs, rev = 2, true
	}
	sp := strings.IndexAny(buf[ofs:], " \t")
	if sp < 0 {
		return "", false
	}
	id := buf[ofs : ofs+sp]
	if (id == r.configID()) == rev {
		return "", false
	}
	return strings.TrimLeft(buf[ofs+sp:], " \t"), true
}

func (r *reader) configID() string {
	if r.opts.ConfigID != "" {
		return r.opts.ConfigID
	}
	h, _ := os.Hostname()
	if i := strings.IndexByte(h, '.'); i >= 0 {
		h = h[:i]
	}
	return h
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameChar(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }

// define records "$NAME=value" (lib/parser.c check_definition).
func (r *reader) define(buf string) bool {
	if len(buf) < 2 || !isNameStart(buf[1]) {
		return false
	}
	i := 2
	for i < len(buf) && buf[i] != '=' {
		if !isNameChar(buf[i]) {
			break
		}
		i++
	}
	name := buf[1:i]
	j := i
	for j < len(buf) && (buf[j] == ' ' || buf[j] == '\t') {
		j++
	}
	if j >= len(buf) || buf[j] != '=' {
		return false
	}
	val := strings.TrimLeft(buf[j+1:], " \t")
	d := &definition{name: name}
	if strings.HasSuffix(val, "\\") {
		d.multiline = true
		val = strings.TrimRight(strings.TrimSuffix(val, "\\"), " \t")
		r.multi = d
	}
	d.value = val
	if _, ok := r.defs[name]; !ok {
		r.order = append(r.order, name)
	}
	r.defs[name] = d
	return true
}

// continueDefinition adds a line to a multiline definition; a line ending
// in '\' continues it further.
func (r *reader) continueDefinition(text string) {
	d := r.multi
	more := strings.HasSuffix(text, "\\")
	if more {
		text = strings.TrimRight(strings.TrimSuffix(text, "\\"), " \t")
	} else {
		r.multi = nil
	}
	if text == "" {
		return
	}
	if d.value != "" {
		d.value += "\n"
	}
	d.value += text
}

// substitute replaces $NAME and ${NAME} (lib/parser.c replace_param).
func (r *reader) substitute(buf, dir string) (string, bool) {
	changed := false
	for i := 0; i < len(buf)-1; i++ {
		if buf[i] != '$' {
			continue
		}
		name, end, ok := r.findDef(buf, i+1)
		if !ok {
			continue
		}
		d := r.defs[name]
		value := d.value
		if name == "_PWD" {
			value = dir
		}
		if d.multiline {
			lines := strings.Split(value, "\n")
			value = lines[0]
			r.pending = append(append([]string{}, lines[1:]...), r.pending...)
		}
		if len(buf)-(end-i)+len(value) > maxLine {
			// keepalived logs "Parameter substitution on line ... would
			// exceed maximum line length" and keeps the line so far.
			return buf, false
		}
		buf = buf[:i] + value + buf[end:]
		changed = true
		if strings.HasPrefix(strings.TrimLeft(value, " \t"), "~") {
			break
		}
		i += len(value) - 1
	}
	return buf, changed
}

// findDef returns the definition named at buf[at:], and the end of the
// reference.
func (r *reader) findDef(buf string, at int) (string, int, bool) {
	braces := at < len(buf) && buf[at] == '{'
	s := at
	if braces {
		s++
	}
	if s >= len(buf) || !isNameStart(buf[s]) {
		return "", 0, false
	}
	e := s + 1
	for e < len(buf) && isNameChar(buf[e]) {
		e++
	}
	name := buf[s:e]
	if braces {
		if e >= len(buf) || buf[e] != '}' {
			return "", 0, false
		}
		e++
	} else if e < len(buf) && !strings.ContainsRune(" \t,)", rune(buf[e])) {
		return "", 0, false
	}
	if _, ok := r.defs[name]; !ok {
		return "", 0, false
	}
	return name, e, true
}

// includeTarget recognises "include FILE" (and keepalived's includeX
// variants, treated as include).
func includeTarget(buf string) (string, bool) {
	if !strings.HasPrefix(buf, "include") || len(buf) < 8 {
		return "", false
	}
	p := 8
	switch {
	case isSpace(buf[7]):
	case len(buf) > 8 && isSpace(buf[8]) && strings.IndexByte("rmwba", buf[7]) >= 0:
		p = 9
	default:
		return "", false
	}
	if p > len(buf) {
		p = len(buf)
	}
	return strings.TrimLeft(buf[p:], " \t"), true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' || c == '\n'
}

func (r *reader) include(pattern string, kind int, pos position, dir string) {
	if r.depth > 32 {
		r.diag(LevelGeneralError, fmt.Sprintf("Include depth exceeded for '%s'", pattern), pos, true)
		return
	}
	checks := r.includeCheck | kind
	fileErr := func(errType int, msg string) {
		d := &srcDiag{level: LevelOK, msg: msg, pos: pos, parentOnly: true}
		if checks&errType != 0 {
			d.level, d.fileError = LevelFileNotFound, true
		}
		r.events = append(r.events, srcEvent{diag: d})
	}
	matches, missing, wildcards := globDetail(pattern, dir)
	switch {
	case len(matches) == 0 && missing:
		if hasBrace(pattern) {
			fileErr(includeBrace, fmt.Sprintf("Config files missing '%s'.", pattern))
		} else {
			fileErr(includeMissing, fmt.Sprintf("Config files missing '%s'.", pattern))
		}
		return
	case len(matches) == 0:
		if wildcards && checks&includeWildcard != 0 {
			fileErr(includeWildcard, fmt.Sprintf("No config files matched '%s'.", pattern))
		}
		return
	case missing:
		fileErr(includeBrace, fmt.Sprintf("Some config files missing: \"%s\".", pattern))
		if checks&includeBrace != 0 {
			return
		}
	}
	for _, m := range matches {
		if msg := checkGlobFile(m, dir); msg != "" {
			fileErr(includeRead, msg)
			continue
		}
		r.readFile(m, dir, false, pos)
	}
}

func hasBrace(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		} else if s[i] == '{' {
			return true
		}
	}
	return false
}

// decomment removes comments and surrounding blanks (lib/parser.c
// decomment): '!' or '#' outside double quotes starts a comment; "\#" and
// "\!" outside quotes stand for the character itself; a trailing '\' is
// kept. It returns keepalived's complaint about an unterminated quote.
func decomment(s string) (string, string) {
	s = strings.TrimLeft(s, " \t")
	b := []byte(s)
	quote, cont := false, false
	skip := -1
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			if skip < 0 {
				quote = !quote
			}
		case '\\':
			if i+1 < len(b) {
				if !quote && (b[i+1] == '#' || b[i+1] == '!') {
					b = append(b[:i], b[i+1:]...)
				} else {
					i++
				}
				continue
			}
			b = b[:i]
			cont = true
		case '!', '#':
			if !quote && skip < 0 {
				skip = i
			}
		}
	}
	msg := ""
	if quote {
		msg = fmt.Sprintf("Unterminated quote '%s'", string(b))
	}
	if skip >= 0 && skip < len(b) {
		b = b[:skip]
	}
	out := strings.TrimRight(string(b), " \t")
	if cont {
		out += "\\"
	}
	return out, msg
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
