// Package haproxy reads haproxy.cfg files into a typed, fully resolved
// configuration, validating every keyword the way haproxy 2.6 does and
// reporting problems in haproxy's words with their file and line.
package haproxy

import "fmt"

// Level is the severity of a diagnostic, as haproxy prints it.
type Level int

const (
	LevelNotice Level = iota
	LevelWarning
	LevelAlert
)

// tag is the bracketed, space-padded prefix haproxy prints for a level.
func (l Level) tag() string {
	switch l {
	case LevelNotice:
		return "[NOTICE]  "
	case LevelWarning:
		return "[WARNING] "
	default:
		return "[ALERT]   "
	}
}

// Diag is one message of the configuration check.
type Diag struct {
	Level Level
	// Context is the word after the pid ("config" for nearly everything the
	// parser says); empty when haproxy prints none.
	Context string
	// File and Line locate the message; Line is 0 when it names no line.
	File string
	Line int
	// Text is everything after "CONTEXT : ", exactly as haproxy prints it,
	// including any "parsing [FILE:LINE] : " prefix. Continuation lines
	// ("   | ...") follow after "\n".
	Text string
}

// Format renders d as haproxy writes it to stderr, for process pid.
func (d Diag) Format(pid int) string {
	if d.Context == "" {
		return fmt.Sprintf("%s (%d) : %s", d.Level.tag(), pid, d.Text)
	}
	return fmt.Sprintf("%s (%d) : %s : %s", d.Level.tag(), pid, d.Context, d.Text)
}

// Options tune Load.
type Options struct {
	// LookupEnv resolves ${NAME} in the configuration; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Resolve reports whether a host name resolves (bind addresses, server
	// addresses at start-up); nil means the system resolver.
	Resolve func(host string) bool
	// ZeroWarning makes any warning fatal, as haproxy's -dW flag or the
	// global "zero-warning" keyword.
	ZeroWarning bool
	// MasterWorker tells that -W/-Ws was given (program sections need it).
	MasterWorker bool
	// CheckFD validates an inherited descriptor for fd@N binds; nil means
	// the real check (getsockname on this process's descriptor).
	CheckFD func(fd int) error
	// LocalPeer is the local peer name (-L); empty means the host name.
	LocalPeer string
}

// Result is what Load produces: the configuration (nil when fatal), every
// diagnostic in the order haproxy would print them, and whether the
// configuration is unusable (haproxy -c would exit 1).
//
// Diags already contains haproxy's closing alerts ("Error(s) found in
// configuration file : FILE", "Fatal errors found in configuration.",
// "Failed to initialize server(s) addr."), so a CLI prints every Diag with
// Format(pid) and then, on stdout, "Warnings were found." when Warnings is
// set and the configuration is not fatal, and "Configuration file is
// valid" (ExitCode 0) or "Configuration file has no error but will not
// start (no listener) => exit(2)." (ExitCode 2) as haproxy -c does.
type Result struct {
	Config *Config
	Diags  []Diag
	Fatal  bool
	// Warnings is true when at least one warning was emitted.
	Warnings bool
	// NoListener is true when the configuration is valid but nothing
	// listens (no enabled proxy with a bind, no peers).
	NoListener bool
	// ExitCode is haproxy -c's exit status for this result: 0 valid,
	// 1 fatal, 2 valid without listener.
	ExitCode int
}

// Load reads every path (a file, or a directory whose *.cfg files are read
// in lexical order) as haproxy -f does.
func Load(paths []string, opts Options) Result {
	return load(paths, opts)
}
