package haproxy

import (
	"fmt"
	"os"
)

// parser holds the state haproxy keeps in static variables while reading
// the configuration: the current section and proxy, the defaults in effect
// and the accumulated diagnostics.
type parser struct {
	opts  Options
	cfg   *Config
	diags []Diag

	file        string
	section     string // keyword that opened the current section
	sectionName string // its name (or the keyword), for ${.SECTION}

	env      map[string]*string
	envReset bool

	// proxy sections
	cur            *Proxy // current proxy (or defaults)
	lastDefaults   *Proxy // defaults applying implicitly to next proxies
	defaultsByName map[string][]*Proxy
	explicitRef    map[*Proxy]bool
	implicitRef    map[*Proxy]bool
	proxyIDs       map[int]*Proxy

	curUserlist *Userlist
	curSection  *Section

	// defaultsOf maps each proxy to the defaults section it was built from.
	defaultsOf map[*Proxy]*Proxy
	resolved   map[string]bool
	// inStatsSocket selects cli.c's wording for bind options of
	// "stats socket".
	inStatsSocket bool
}

func newParser(opts Options) *parser {
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	p := &parser{
		opts: opts,
		cfg: &Config{
			frontends: map[string]*Proxy{},
			backends:  map[string]*Proxy{},
		},
		env:            map[string]*string{},
		defaultsByName: map[string][]*Proxy{},
		explicitRef:    map[*Proxy]bool{},
		implicitRef:    map[*Proxy]bool{},
		proxyIDs:       map[int]*Proxy{},
		defaultsOf:     map[*Proxy]*Proxy{},
	}
	initGlobal(&p.cfg.Global)
	return p
}

func (p *parser) alertf(file string, line int, format string, args ...any) {
	p.diags = append(p.diags, Diag{Level: LevelAlert, Context: "config", File: file, Line: line, Text: fmt.Sprintf(format, args...)})
}

func (p *parser) warnf(file string, line int, format string, args ...any) {
	p.diags = append(p.diags, Diag{Level: LevelWarning, Context: "config", File: file, Line: line, Text: fmt.Sprintf(format, args...)})
}

// alert reports "parsing [FILE:LINE] : MSG" for st and returns the
// error bits of a fatal alert.
func (p *parser) alert(st *stmt, format string, args ...any) int {
	p.alertf(st.File, st.Line, "parsing [%s:%d] : %s", st.File, st.Line, fmt.Sprintf(format, args...))
	return errAlert | errFatal
}

// alertNS is alert without the space before the colon, as some haproxy
// messages are written ("parsing [f:l]: ...").
func (p *parser) alertNS(st *stmt, format string, args ...any) int {
	p.alertf(st.File, st.Line, "parsing [%s:%d]: %s", st.File, st.Line, fmt.Sprintf(format, args...))
	return errAlert | errFatal
}

// warn reports "parsing [FILE:LINE] : MSG" as a warning.
func (p *parser) warn(st *stmt, format string, args ...any) int {
	p.warnf(st.File, st.Line, "parsing [%s:%d] : %s", st.File, st.Line, fmt.Sprintf(format, args...))
	return errWarn
}

// ctxAlert reports a message in haproxy's "user message context" form used
// by server parsing: "[FILE:LINE] : MSG".
func (p *parser) ctxAlert(st *stmt, format string, args ...any) int {
	p.alertf(st.File, st.Line, "[%s:%d] : %s", st.File, st.Line, fmt.Sprintf(format, args...))
	return errAlert | errFatal
}

// tooManyArgs implements haproxy's alertif_too_many_args(max): more than
// max arguments after the keyword is an alert.
func (p *parser) tooManyArgs(st *stmt, max int) (int, bool) {
	if st.nargs() > max+1 {
		return p.alert(st, "'%s' cannot handle unexpected argument '%s'.", st.args[0], st.args[max+1]), true
	}
	return 0, false
}

// tooManyArgsIdx is alertif_too_many_args_idx(max, idx): words after
// args[idx+max] are refused, naming the keyword args[0] and args[idx].
func (p *parser) tooManyArgsIdx(st *stmt, max, idx int) (int, bool) {
	if st.nargs() > idx+max+1 {
		if idx == 0 {
			return p.alert(st, "'%s' cannot handle unexpected argument '%s'.", st.args[0], st.args[idx+max+1]), true
		}
		return p.alert(st, "'%s %s' cannot handle unexpected argument '%s'.", st.args[0], st.args[idx], st.args[idx+max+1]), true
	}
	return 0, false
}

// parseInSection dispatches a statement to the parser of the current
// section.
func (p *parser) parseInSection(st *stmt) int {
	switch p.section {
	case "global":
		return p.parseGlobal(st)
	case "defaults", "frontend", "backend", "listen":
		return p.parseListen(st)
	case "userlist":
		return p.parseUserlist(st)
	default:
		return p.parseOtherSection(st)
	}
}

// endSection runs the post-section checks haproxy runs when a section ends
// (cfg_register_section post-parsers).
func (p *parser) endSection() int {
	sec := p.curSection
	if p.section != "cache" || sec == nil || sec.Kind != "cache" {
		return 0
	}
	for _, st := range sec.Statements {
		if st.Args[0] == "total-max-size" {
			return 0
		}
	}
	p.alertf("", 0, "Size not specified for cache '%s'", sec.Name)
	return errAlert | errFatal
}

// hasListener reports whether at least one enabled proxy listens, or a
// peers section exists (haproxy -c exits 2 otherwise).
func (p *parser) hasListener() bool {
	// the stats sockets belong to haproxy's internal CLI frontend, which
	// counts as a listener.
	if len(p.cfg.Global.StatsSockets) > 0 {
		return true
	}
	for _, px := range p.cfg.Proxies {
		if !px.Disabled && len(px.Binds) > 0 {
			return true
		}
	}
	for _, s := range p.cfg.Sections {
		if s.Kind == "peers" || s.Kind == "log-forward" {
			for _, st := range s.Statements {
				if len(st.Args) > 0 && (st.Args[0] == "peer" || st.Args[0] == "bind") {
					return true
				}
			}
		}
	}
	return false
}
