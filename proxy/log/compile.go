package log

import (
	"fmt"
	"strings"
)

// The predefined formats of haproxy 2.6 (src/log.c, configuration.txt
// §8.2.2 to §8.2.4).
const (
	HTTPLogFormat  = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r"
	HTTPSLogFormat = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc"
	CLFLogFormat   = "%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl"
	TCPLogFormat   = "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq"
	// DefaultSDFormat is the structured-data part haproxy puts in RFC5424
	// headers when no log-format-sd is configured.
	DefaultSDFormat = "- "
)

// node is one step of a compiled program.
type node struct {
	kind   varKind
	opts   Options
	text   string // literal text, or the %[...] expression
	sample int    // index into Record.Samples for kindSample
	http   bool   // sample of a unique-id-format: '%'-encoded, never quoted
}

// Program is a compiled log-format: render it with Append.
type Program struct {
	nodes   []node
	samples []string
	source  string
}

// Samples lists the %[...] expressions of the program in the order the
// engine must fill Record.Samples.
func (p *Program) Samples() []string { return p.samples }

// Source is the format string the program was compiled from.
func (p *Program) Source() string { return p.source }

// CompileOptions describes the proxy the format belongs to.
type CompileOptions struct {
	// HTTP is true when the proxy is in mode http; HTTP-only variables
	// (%r, %HM, %CC, %Ta, ...) are refused otherwise, as haproxy does.
	HTTP bool
	// UniqueID compiles a unique-id-format: variables are not mandatory
	// (an empty value prints nothing) and sample values are %-encoded
	// for use in a header (LOG_OPT_HTTP instead of LOG_OPT_MANDATORY).
	UniqueID bool
	// Sample parses the sample expression that starts right after "%[".
	// It returns how many bytes of rest belong to the expression, or an
	// error worded as haproxy's sample parser words it ("unknown fetch
	// method 'x'"). Nil means ScanSample, which checks the syntax only.
	Sample func(rest string) (int, error)
}

// CompileError carries haproxy's wording of a log-format error, as printed
// after "failed to parse log-format : ".
type CompileError struct{ Msg string }

func (e *CompileError) Error() string { return e.Msg }

func compileErr(format string, args ...any) error {
	return &CompileError{Msg: fmt.Sprintf(format, args...)}
}

// Alert formats the message haproxy prints for a log-format error found in
// file:line, keyword being "log-format", "error-log-format" or
// "log-format-sd" (src/cfgparse.c).
func Alert(file string, line int, keyword string, err error) string {
	return fmt.Sprintf("Parsing [%s:%d]: failed to parse %s : %s.", file, line, keyword, err.Error())
}

// Validate reports whether format compiles, with haproxy's error wording.
func Validate(format string, o CompileOptions) error {
	_, err := Compile(format, o)
	return err
}

// MustCompile is Compile for formats known to be valid.
func MustCompile(format string, o CompileOptions) *Program {
	p, err := Compile(format, o)
	if err != nil {
		panic(err)
	}
	return p
}

// parser states of haproxy's parse_logformat_string() (src/log.c).
const (
	lfInit = iota
	lfText
	lfSeparator
	lfVar
	lfStartVar
	lfStArg
	lfEdArg
	lfStExpr
	lfEdExpr
	lfEnd
)

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }
func isPrint(c byte) bool { return c >= 0x20 && c < 0x7f }

// Compile parses a log-format string the way haproxy 2.6 does for
// log-format, error-log-format and log-format-sd: spaces become
// separators that collapse (LOG_OPT_MERGE_SPACES) and variables are
// mandatory ('-' when empty) unless %{-M} says otherwise.
func Compile(format string, o CompileOptions) (*Program, error) {
	// haproxy sees a C string: anything after a NUL is invisible.
	if i := strings.IndexByte(format, 0); i >= 0 {
		format = format[:i]
	}
	s := format
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	p := &Program{source: format}
	defOpts := OptMandatory
	if o.UniqueID {
		defOpts = 0
	}
	sample := o.Sample
	if sample == nil {
		sample = ScanSample
	}

	sp := 0
	arg, argLen := -1, 0
	varStart := -1
	cformat, pformat := lfInit, lfInit
	for i := 0; cformat != lfEnd; i++ {
		pformat = cformat
		c := at(i)
		if c == 0 {
			cformat = lfEnd
		}
		switch pformat {
		case lfStartVar: // just after '%'
			arg, argLen, varStart = -1, 0, -1
			switch {
			case c == '{':
				cformat, arg = lfStArg, i+1
			case c == '[':
				cformat, varStart = lfStExpr, i+1
			case isAlpha(c):
				cformat, varStart = lfVar, i
			case c == '%':
				cformat = lfText // "%%" is a literal '%'
			case isDigit(c) || c == ' ' || c == '\t':
				return nil, compileErr("unexpected variable name near '%c' at position %d line : '%s'. Maybe you want to write a single '%%', use the syntax '%%%%'", c, i, format)
			default:
				cformat = lfInit
			}
		case lfStArg: // inside %{...}
			if c == '}' {
				cformat, argLen = lfEdArg, i-arg
			}
		case lfEdArg: // just after %{...}
			if c == '[' {
				cformat, varStart = lfStExpr, i+1
				break
			}
			if isAlnum(c) {
				cformat, varStart = lfVar, i
				break
			}
			return nil, compileErr("parse argument modifier without variable name near '%%{%s}'", s[arg:arg+argLen])
		case lfStExpr: // just after %[
			rest := s[i:]
			n, err := sample(rest)
			if err != nil {
				return nil, compileErr("failed to parse sample expression <%s> : %s", rest, err.Error())
			}
			opts := defOpts
			if arg >= 0 && argLen > 0 {
				opts = applyArgs(s[arg:arg+argLen], opts)
			}
			p.nodes = append(p.nodes, node{kind: kindSample, opts: opts, text: rest[:n], sample: len(p.samples), http: o.UniqueID})
			p.samples = append(p.samples, rest[:n])
			i += n
			c = at(i)
			if c != ']' {
				if c != 0 && isPrint(c) {
					return nil, compileErr("expected ']' after '%s', but found '%c'", s[varStart:i], c)
				}
				return nil, compileErr("missing ']' after '%s'", s[varStart:i])
			}
			cformat, pformat = lfEdExpr, lfEdExpr
			sp = i
		case lfVar:
			if !isAlnum(c) {
				cformat = lfInit
			}
		default:
			cformat = lfInit
		}

		if cformat == lfInit { // resynchronise on text, separator or '%'
			switch c {
			case '%':
				cformat = lfStartVar
			case 0:
				cformat = lfEnd
			case ' ':
				cformat = lfSeparator
			default:
				cformat = lfText
			}
		}

		if cformat != pformat || pformat == lfSeparator {
			switch pformat {
			case lfVar:
				var args string
				if arg >= 0 && argLen > 0 {
					args = s[arg : arg+argLen]
				}
				if err := p.addVar(args, s[varStart:i], o.HTTP, &defOpts); err != nil {
					return nil, err
				}
			case lfText:
				p.nodes = append(p.nodes, node{kind: kindText, text: s[sp:i]})
			case lfSeparator:
				p.nodes = append(p.nodes, node{kind: kindSeparator})
			}
			sp = i
		}
	}
	if pformat == lfStartVar || pformat == lfStArg || pformat == lfStExpr {
		what := "%"
		if varStart >= 0 {
			what = s[varStart:]
		} else if arg >= 0 {
			what = s[arg:]
		}
		return nil, compileErr("truncated line after '%s'", what)
	}
	return p, nil
}

// addVar appends the node of %name (or applies %o's options).
func (p *Program) addVar(args, name string, http bool, defOpts *Options) error {
	for _, v := range variables {
		if v.name != name {
			continue
		}
		if v.httpOnly && !http {
			return compileErr("format variable '%s' is reserved for HTTP mode", v.name)
		}
		opts := *defOpts
		if args != "" {
			opts = applyArgs(args, opts)
		}
		if v.kind == kindGlobalOpts {
			*defOpts = opts
			return nil
		}
		p.nodes = append(p.nodes, node{kind: v.kind, opts: opts})
		return nil
	}
	return compileErr("no such format variable '%s'. If you wanted to emit the '%%' character verbatim, you need to use '%%%%'", name)
}

// applyArgs applies a "+Q,-M" style list as parse_logformat_var_args()
// does: a '+' or '-' starts a name that ends at ',' or at the end, and
// unknown names are silently ignored.
func applyArgs(args string, o Options) Options {
	flags, sp := 0, -1
	for i := 0; ; i++ {
		end := i >= len(args)
		var c byte
		if !end {
			c = args[i]
		}
		if c == '+' {
			sp, flags = i+1, 1
		}
		if c == '-' {
			sp, flags = i+1, 2
		}
		if end || c == ',' {
			if sp >= 0 {
				name := args[sp:i]
				for _, l := range optionLetters {
					if l.name == name {
						if flags == 1 {
							o |= l.opt
						} else {
							o &^= l.opt
						}
						break
					}
				}
			}
			sp = -1
			if end {
				return o
			}
		}
	}
}

func isIDChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == ':'
}

// ScanSample finds where a sample expression (fetch, optional arguments in
// parentheses, comma-separated converters) ends, the way
// sample_parse_expr() delimits it. It does not know fetch or converter
// names; the engine's parser may wrap it to check them.
func ScanSample(rest string) (int, error) {
	i := 0
	for i < len(rest) && isIDChar(rest[i]) {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("missing fetch method")
	}
	i = skipArgs(rest, i)
	for i < len(rest) && rest[i] == ',' {
		for i < len(rest) && rest[i] == ',' {
			i++
		}
		if i == len(rest) {
			break
		}
		j := i
		for j < len(rest) && isIDChar(rest[j]) {
			j++
		}
		if j == i {
			return 0, fmt.Errorf("unknown converter ''")
		}
		i = skipArgs(rest, j)
	}
	return i, nil
}

// skipArgs skips a parenthesised argument list at rest[i], honouring
// quotes and backslashes; an unclosed list runs to the end.
func skipArgs(rest string, i int) int {
	if i >= len(rest) || rest[i] != '(' {
		return i
	}
	depth := 0
	var quote byte
	for ; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c == '\\' && i+1 < len(rest):
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return i
}

// OptionFormat returns the log-format an `option httplog`, `option httplog
// clf`, `option httpslog` or `option tcplog` line stands for ("" for an
// unknown option). In a TCP proxy the HTTP ones fall back to tcplog and
// fellBack is true: haproxy then warns "'option httplog' not usable with
// frontend 'x' (needs 'mode http'). Falling back to 'option tcplog'."
// (src/proxy.c, "httpslog" for option httpslog).
func OptionFormat(option string, http bool) (format string, fellBack bool) {
	switch option {
	case "tcplog":
		return TCPLogFormat, false
	case "httplog", "httplog clf", "httpslog":
		if !http {
			return TCPLogFormat, true
		}
		switch option {
		case "httplog":
			return HTTPLogFormat, false
		case "httplog clf":
			return CLFLogFormat, false
		}
		return HTTPSLogFormat, false
	}
	return "", false
}
