package haproxy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Error bits, as haproxy's ERR_* flags: a keyword handler returns a mix of
// them and the reader accumulates them per file.
const (
	errWarn  = 1 << iota // a warning was emitted
	errAlert             // an alert was emitted
	errFatal             // the configuration cannot be used
	errAbort             // stop reading now
)

// stmt is one tokenised line handed to a section parser.
type stmt struct {
	Pos
	args []string
	// mod is "no" or "default" when the line started with that modifier
	// (removed from args, as haproxy does).
	mod string
}

// arg returns word i, or "" when the line has fewer words. haproxy treats
// an empty word as the end of the arguments, and so do the parsers.
func (s *stmt) arg(i int) string {
	if i < len(s.args) {
		return s.args[i]
	}
	return ""
}

// nargs counts the words up to the first empty one, as haproxy's checks on
// *args[i] do.
func (s *stmt) nargs() int {
	for i, a := range s.args {
		if a == "" {
			return i
		}
	}
	return len(s.args)
}

func (s *stmt) statement() Statement {
	return Statement{Pos: s.Pos, Args: append([]string(nil), s.args...), Modifier: s.mod}
}

// condition-block states, as haproxy's nested_cond_state.
const (
	condIfTake = iota
	condIfDrop
	condIfSkip
	condElifTake
	condElifDrop
	condElifSkip
	condElseTake
	condElseDrop
)

const maxNestedConds = 100

// sectionKeywords are the words that open a section (cfgparse.c
// cfg_register_section calls in 2.6, for this build).
var sectionKeywords = map[string]bool{
	"global": true, "defaults": true, "frontend": true, "backend": true, "listen": true,
	"userlist": true, "peers": true, "resolvers": true, "mailers": true, "program": true,
	"http-errors": true, "ring": true, "cache": true, "log-forward": true, "fcgi-app": true,
	"dynamic-update": true, "traces": true,
}

// expandPaths turns the -f arguments into the list of files to read:
// directories contribute their *.cfg regular files (not starting with '.')
// in lexical order, like haproxy's cfgfiles_expand_directories().
func expandPaths(paths []string) ([]string, *Diag) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			d := Diag{Level: LevelAlert, Context: "config",
				Text: fmt.Sprintf("Cannot open configuration file/directory %s : %s", p, errnoText(err))}
			return nil, &d
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			d := Diag{Level: LevelAlert, Context: "config",
				Text: fmt.Sprintf("Cannot open configuration directory %s : %s", p, errnoText(err))}
			return nil, &d
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, name := range names {
			i := strings.Index(name, ".cfg")
			if name[0] == '.' || i < 0 || i+4 != len(name) {
				continue
			}
			full := p + "/" + name
			st, err := os.Stat(full)
			if err != nil || !st.Mode().IsRegular() {
				continue
			}
			files = append(files, full)
		}
	}
	return files, nil
}

// errnoText renders an os error as strerror() would.
func errnoText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func load(paths []string, opts Options) Result {
	p := newParser(opts)
	files, d := expandPaths(paths)
	if d != nil {
		return Result{Diags: []Diag{*d}, Fatal: true, ExitCode: 1}
	}
	p.cfg.Files = files
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			p.diags = append(p.diags, Diag{Level: LevelAlert, Context: "config",
				Text: fmt.Sprintf("Could not open configuration file %s : %s", f, errnoText(err))})
			return p.result(true)
		}
		code := p.readFile(f, data)
		if code&(errAbort|errFatal) != 0 {
			p.diags = append(p.diags, Diag{Level: LevelAlert, Context: "config",
				Text: "Error(s) found in configuration file : " + f})
		}
		total |= code
		if total&errAbort != 0 {
			return p.result(true)
		}
	}
	if total&(errAbort|errFatal) != 0 {
		p.fatalTrailer()
		return p.result(true)
	}
	code := p.checkConfig()
	code |= p.postServerChecks()
	if code&(errAbort|errFatal) != 0 {
		p.fatalTrailer()
		return p.result(true)
	}
	if code := p.resolveServerAddrs(); code&errFatal != 0 {
		p.diags = append(p.diags, Diag{Level: LevelAlert, Context: "config", Text: "Failed to initialize server(s) addr."})
		return p.result(true)
	}
	r := p.result(false)
	if r.Warnings && (p.cfg.Global.ZeroWarning || p.opts.ZeroWarning) {
		p.diags = append(p.diags, Diag{Level: LevelAlert, Context: "config", Text: "Some warnings were found and 'zero-warning' is set. Aborting."})
		return p.result(true)
	}
	if !p.hasListener() {
		r.ExitCode = 2
		r.NoListener = true
	}
	return r
}

func (p *parser) fatalTrailer() {
	p.diags = append(p.diags, Diag{Level: LevelAlert, Context: "config", Text: "Fatal errors found in configuration."})
}

func (p *parser) result(fatal bool) Result {
	r := Result{Diags: p.diags, Fatal: fatal}
	if fatal {
		r.ExitCode = 1
		return r
	}
	r.Config = p.cfg
	for _, d := range p.diags {
		if d.Level == LevelWarning {
			r.Warnings = true
		}
	}
	return r
}

// readFile parses one file, as haproxy's readcfgfile(), and returns its
// error bits.
func (p *parser) readFile(file string, data []byte) int {
	code := 0
	fatal := 0
	var conds [maxNestedConds + 1]int
	level := 0
	lineNum := 0
	p.file = file
	missingLF := -1
	env := lineEnv{lookup: p.lookupEnv}
	for len(data) > 0 {
		if missingLF >= 0 {
			// the previous line held a NUL byte (fgets/strlen stop there).
			p.alertf(file, lineNum, "parsing [%s:%d]: Stray NUL character at position %d.", file, lineNum, missingLF+1)
			code |= errAlert | errFatal
			missingLF = -1
			break
		}
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
			missingLF = len(raw)
		}
		lineNum++
		if fatal >= 50 {
			p.alertf(file, lineNum, "parsing [%s:%d]: too many fatal errors (%d), stopping now.", file, lineNum, fatal)
			break
		}
		if z := bytes.IndexByte(raw, 0); z >= 0 {
			raw = raw[:z]
			missingLF = z
		}
		line := string(raw)
		trimmed := strings.TrimLeft(line, " \t\v\f\r")
		lead := len(line) - len(trimmed)
		if strings.HasPrefix(trimmed, "[") {
			// scopes ("[name]") are a diagnostic-mode feature; haproxy
			// accepts them and only uses them for messages.
			continue
		}
		env.file, env.line, env.section = file, lineNum, p.sectionName
		args, lerr := tokenize(trimmed, &env)
		if lerr != nil {
			pos := lerr.pos
			p.alertf(file, lineNum, "parsing [%s:%d]: %s at position %d:\n  %s\n  %*s", file, lineNum, lerr.message(),
				pos+lead+1, sanitize(trimmed), pos+1, "^")
			code |= errAlert | errFatal
			fatal++
			continue
		}
		if len(args) == 0 || args[0] == "" {
			continue
		}
		if args[0][0] == '.' {
			switch args[0] {
			case ".if", ".elif":
				expr := strings.Join(args[1:], " ")
				if args[0] == ".if" {
					level++
					if level >= maxNestedConds {
						p.alertf(file, lineNum, "parsing [%s:%d]: too many nested '.if', max is %d.", file, lineNum, maxNestedConds)
						return code | errAlert | errFatal | errAbort
					}
					if level > 1 {
						switch conds[level-1] {
						case condIfDrop, condIfSkip, condElifDrop, condElifSkip, condElseDrop:
							conds[level] = condIfSkip
							continue
						}
					}
				} else {
					if level == 0 {
						p.alertf(file, lineNum, "parsing [%s:%d]: lone '.elif' with no matching '.if'.", file, lineNum)
						return code | errAlert | errFatal | errAbort
					}
					switch conds[level] {
					case condElseTake, condElseDrop:
						p.alertf(file, lineNum, "parsing [%s:%d]: '.elif' after '.else' is not permitted.", file, lineNum)
						return code | errAlert | errFatal | errAbort
					case condIfTake, condIfSkip, condElifTake, condElifSkip:
						conds[level] = condElifSkip
						continue
					}
				}
				val, msg, errPos := evalCondition(expr, p.lookupEnv)
				if val < 0 {
					p.alertf(file, lineNum, "parsing [%s:%d]: %s in '%s' at position %d:\n  %s %s\n  %*s", file, lineNum, msg, args[0],
						errPos+1, args[0], sanitize(expr), errPos+len(args[0])+2, "^")
					return code | errAlert | errFatal | errAbort
				}
				if args[0] == ".if" {
					conds[level] = condIfDrop
					if val > 0 {
						conds[level] = condIfTake
					}
				} else {
					conds[level] = condElifDrop
					if val > 0 {
						conds[level] = condElifTake
					}
				}
				continue
			case ".else":
				if len(args) > 1 && args[1] != "" {
					p.alertf(file, lineNum, "parsing [%s:%d]: Unexpected argument '%s' for '%s'.", file, lineNum, args[1], args[0])
					code |= errAlert | errFatal | errAbort
					goto done
				}
				if level == 0 {
					p.alertf(file, lineNum, "parsing [%s:%d]: lone '.else' with no matching '.if'.", file, lineNum)
					return code | errAlert | errFatal | errAbort
				}
				switch conds[level] {
				case condElseTake, condElseDrop:
					p.alertf(file, lineNum, "parsing [%s:%d]: '.else' after '.else' is not permitted.", file, lineNum)
					return code | errAlert | errFatal | errAbort
				case condIfTake, condIfSkip, condElifTake, condElifSkip:
					conds[level] = condElseDrop
				default:
					conds[level] = condElseTake
				}
				continue
			case ".endif":
				if len(args) > 1 && args[1] != "" {
					p.alertf(file, lineNum, "parsing [%s:%d]: Unexpected argument '%s' for '%s'.", file, lineNum, args[1], args[0])
					code |= errAlert | errFatal | errAbort
					goto done
				}
				if level == 0 {
					p.alertf(file, lineNum, "parsing [%s:%d]: lone '.endif' with no matching '.if'.", file, lineNum)
					code |= errAlert | errFatal | errAbort
					goto done
				}
				level--
				continue
			}
		}
		if level > 0 {
			switch conds[level] {
			case condIfDrop, condIfSkip, condElifDrop, condElifSkip, condElseDrop:
				continue
			}
		}
		if args[0][0] == '.' {
			switch args[0] {
			case ".alert", ".warning", ".notice", ".diag":
				if len(args) > 2 && args[2] != "" {
					p.alertf(file, lineNum, "parsing [%s:%d]: Unexpected argument '%s' for '%s'. Use quotes if the message should contain spaces.", file, lineNum, args[2], args[0])
					code |= errAlert | errFatal
					continue
				}
				msg := ""
				if len(args) > 1 {
					msg = args[1]
				}
				text := fmt.Sprintf("parsing [%s:%d]: '%s'.", file, lineNum, msg)
				switch args[0] {
				case ".alert":
					p.alertf(file, lineNum, "%s", text)
					return code | errAlert | errFatal | errAbort
				case ".warning":
					p.warnf(file, lineNum, "%s", text)
					code |= errWarn
				case ".notice":
					p.diags = append(p.diags, Diag{Level: LevelNotice, Context: "config", File: file, Line: lineNum, Text: text})
				}
				// .diag messages only show with -dD, which goproxy does
				// not implement: they are dropped like haproxy does
				// without it.
				continue
			default:
				p.alertf(file, lineNum, "parsing [%s:%d]: unknown directive '%s'.", file, lineNum, args[0])
				code |= errAlert | errFatal
				fatal++
				goto done
			}
		}
		st := &stmt{Pos: Pos{File: file, Line: lineNum}, args: args}
		if args[0] == "no" || args[0] == "default" {
			st.mod = args[0]
			st.args = args[1:]
			if args[0] == "default" && len(args) > 1 {
				// haproxy shifts the words left without clearing the
				// last one, so "default option X" reads "option X X".
				st.args = append(append([]string(nil), args[1:]...), args[len(args)-1])
			}
			if len(st.args) == 0 {
				st.args = []string{""}
			}
			switch st.args[0] {
			case "option", "log", "busy-polling", "set-dumpable", "strict-limits", "insecure-fork-wanted", "numa-cpu-mapping":
			default:
				p.alertf(file, lineNum, "parsing [%s:%d]: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.", file, lineNum)
				code |= errAlert | errFatal
				fatal++
			}
		}
		if sectionKeywords[st.args[0]] {
			if p.section != "" {
				c := p.endSection()
				code |= c
				if c&errFatal != 0 {
					fatal++
				}
				if code&errAbort != 0 {
					return code
				}
			}
			p.section = st.args[0]
			p.sectionName = st.args[0]
			if st.arg(1) != "" {
				p.sectionName = st.args[1]
			}
		}
		if p.section == "" {
			p.alertf(file, lineNum, "parsing [%s:%d]: unknown keyword '%s' out of section.", file, lineNum, st.args[0])
			code |= errAlert | errFatal
			fatal++
		} else {
			c := p.parseInSection(st)
			code |= c
			if c&errFatal != 0 {
				fatal++
			}
			if code&errAbort != 0 {
				return code
			}
		}
	}
done:
	if missingLF >= 0 {
		p.alertf(file, lineNum, "parsing [%s:%d]: Missing LF on last line, file might have been truncated at position %d.", file, lineNum, missingLF+1)
		code |= errAlert | errFatal
	}
	if p.section != "" {
		code |= p.endSection()
	}
	if level > 0 {
		p.alertf(file, lineNum, "parsing [%s:%d]: non-terminated '.if' block.", file, lineNum)
		code |= errAlert | errFatal | errAbort
	}
	// haproxy keeps the current section across files only for its
	// internal pointers; a new file starts outside any section.
	p.section = ""
	p.sectionName = ""
	return code
}

// sanitize replaces non-printable characters as haproxy's
// sanitize_for_printing() does (without its 80-column windowing).
func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if isSpace(c) {
			b[i] = ' '
		} else if c < 0x20 || c >= 0x7f {
			b[i] = '?'
		}
	}
	return string(b)
}

// lookupEnv resolves a variable, honouring setenv/unsetenv/presetenv/
// resetenv lines already parsed in the global section.
func (p *parser) lookupEnv(name string) (string, bool) {
	if v, ok := p.env[name]; ok {
		if v == nil {
			return "", false
		}
		return *v, true
	}
	if p.envReset {
		return "", false
	}
	return p.opts.LookupEnv(name)
}

var _ = filepath.Join
