package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"goha/parser/haproxy"
	"goha/proxy"
)

// program is what run needs from the outside world; tests fill it in.
type program struct {
	name   string // basename of argv[0], used in the usage text
	argv0  string // argv[0] as given: haproxy names itself so in "[argv0.main()]" alerts
	exe    string // path to the executable, for the version notice
	pid    int
	stdout io.Writer
	stderr io.Writer
}

// run executes the command line args (without argv[0]) and returns the
// exit status, following haproxy 2.6's order of events (src/haproxy.c:
// copy_argv, init_args, then init).
func (p *program) run(args []string) int {
	o, stop := ParseArgs(args)
	if stop != nil {
		return p.stop(stop)
	}
	switch o.Version {
	case 1:
		writeVersion(p.stdout)
		return 0
	case 2:
		writeVersion(p.stdout)
		writeBuildInfo(p.stdout)
		return 0
	}
	r := &reporter{w: p.stderr, pid: p.pid, exe: p.exe, quiet: o.Quiet && !o.Verbose}
	for _, w := range o.Warnings {
		r.warning("", w)
	}
	if o.ChangeDir != "" {
		if err := os.Chdir(o.ChangeDir); err != nil {
			r.alert("", fmt.Sprintf("Could not change to directory %s : %s", o.ChangeDir, errnoText(err)))
			return 1
		}
	}
	if o.CheckCondition {
		if !o.HasCondition {
			return p.stop(&Stop{Usage: true, Code: 1})
		}
		return p.checkCondition(r, o.Condition)
	}
	if len(o.Files) == 0 {
		return p.stop(&Stop{Usage: true, Code: 1})
	}
	if o.LocalPeer != "" {
		os.Setenv("HAPROXY_LOCALPEER", o.LocalPeer)
	} else if _, set := os.LookupEnv("HAPROXY_LOCALPEER"); !set {
		// haproxy's local peer name defaults to the host name and is
		// exported so that "${HAPROXY_LOCALPEER}" expands in the file.
		if h, err := os.Hostname(); err == nil {
			os.Setenv("HAPROXY_LOCALPEER", h)
		}
	}
	return p.load(r, o)
}

// load reads the configuration and reports on it: haproxy -c's verdict
// with -c, otherwise it serves the configuration.
func (p *program) load(r *reporter, o *Options) int {
	// The parser adds haproxy's closing alerts itself, the zero-warning
	// one included (-dW or global "zero-warning").
	res := haproxy.Load(o.Files, haproxy.Options{ZeroWarning: o.ZeroWarning})
	for _, d := range res.Diags {
		r.diag(d)
	}
	if res.Fatal {
		return max(res.ExitCode, 1)
	}
	if res.Config == nil {
		r.alert("config", "internal error: the configuration parser returned no configuration and no error.")
		return 1
	}
	if o.DumpKeywords {
		dumpKeywords(p.stdout, p.stderr, o.KeywordClass)
	}
	if o.Check {
		// what the engine refuses at start is an error here too, with
		// the alert and status a start would give
		if err := proxy.CheckUnsupported(res.Config); err != nil {
			r.alert("", err.Error())
			return 1
		}
		// "quiet" in the global section silences these lines like -q.
		quiet := r.quiet || res.Config.Global.Quiet && !o.Verbose
		if (res.Warnings || r.warned) && !quiet {
			fmt.Fprintln(p.stdout, "Warnings were found.")
		}
		if res.NoListener {
			if !quiet {
				fmt.Fprintln(p.stdout, "Configuration file has no error but will not start (no listener) => exit(2).")
			}
			return 2
		}
		if !quiet {
			fmt.Fprintln(p.stdout, "Configuration file is valid")
		}
		return 0
	}
	// Not a check: serve, as haproxy does (serve.go).
	return p.serve(r, o, res.Config)
}

// checkCondition is -cc: haproxy evaluates a .if expression and exits 0
// (true), 1 (false) or 2 (it could not). The parser exposes conditions only
// through Load, so the expression is written as a one-line .if block to a
// temporary file and loaded; its diagnostics carry the verdict.
func (p *program) checkCondition(r *reporter, expr string) int {
	if strings.TrimSpace(expr) == "" {
		return 1 // haproxy: an empty condition is false
	}
	f, err := os.CreateTemp("", "goproxy-cc-*.cfg")
	if err != nil {
		r.alert("config", "Failed to evaluate condition: "+err.Error())
		return 2
	}
	defer os.Remove(f.Name())
	_, err = fmt.Fprintf(f, ".if %s\n.notice \"%s\"\n.endif\n", expr, conditionTrue)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		r.alert("config", "Failed to evaluate condition: "+err.Error())
		return 2
	}
	res := haproxy.Load([]string{f.Name()}, haproxy.Options{})
	// An error on the .if line first: the lines after it are then read as
	// if unconditional, so the notice alone proves nothing.
	for _, d := range res.Diags {
		if d.Level == haproxy.LevelAlert && d.Line == 1 {
			r.alert("config", conditionError(d.Text))
			return 2
		}
	}
	for _, d := range res.Diags {
		if d.Level == haproxy.LevelNotice && strings.Contains(d.Text, conditionTrue) {
			return 0
		}
	}
	return 1
}

// conditionTrue is what the probe block prints when the condition holds.
const conditionTrue = "goproxy -cc: condition is true"

// conditionError turns the parser's alert on a ".if" line into what haproxy
// -cc says: "parsing [F:1]: MSG in '.if' at position N:" becomes
// "Failed to evaluate condition: MSG"; a quoting error is a syntax error.
func conditionError(text string) string {
	if strings.Contains(text, "unmatched quote") {
		return "Syntax Error in condition: Unmatched quote."
	}
	msg := text
	if _, after, ok := strings.Cut(msg, "]: "); ok {
		msg = after
	}
	if i := strings.Index(msg, " in '.if' at position"); i >= 0 {
		msg = msg[:i]
	}
	msg, _, _ = strings.Cut(msg, "\n")
	return "Failed to evaluate condition: " + msg
}

// stop prints what haproxy prints when it stops while reading its command
// line, and returns its exit status.
func (p *program) stop(s *Stop) int {
	if s.Stdout != "" {
		fmt.Fprint(p.stdout, s.Stdout)
	}
	if s.Alert != "" {
		r := &reporter{w: p.stderr, pid: p.pid, exe: p.exe}
		r.alert("", s.Alert)
	}
	if s.Usage {
		writeVersion(p.stdout)
		writeUsage(p.stderr, p.name)
	}
	return s.Code
}

// errnoText renders an error the way strerror(errno) would.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if s := errno.Error(); s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

func newProgram() *program {
	exe, err := os.Executable()
	if err != nil {
		exe = ""
	}
	return &program{
		name:   filepath.Base(os.Args[0]),
		argv0:  os.Args[0],
		exe:    exe,
		pid:    os.Getpid(),
		stdout: os.Stdout,
		stderr: os.Stderr,
	}
}
