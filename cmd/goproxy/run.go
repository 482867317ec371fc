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
)

// program is what run needs from the outside world; tests fill it in.
type program struct {
	name   string // basename of argv[0], used in the usage text
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
	// Not a check: haproxy would start serving here. The engine does not
	// exist yet, so say so plainly instead of pretending to run.
	fmt.Fprintf(p.stderr, "%s\n", haproxy.Diag{Level: haproxy.LevelAlert,
		Text: "goproxy cannot serve traffic yet: the proxy engine is not implemented. " +
			"The configuration was loaded; use -c to check a configuration."}.Format(p.pid))
	return 1
}

// checkCondition is -cc: haproxy evaluates a .if expression and exits 0
// (true), 1 (false) or 2 (it could not). The parser exposes no evaluator
// yet, so every expression takes the "could not" path, with haproxy's exit.
func (p *program) checkCondition(r *reporter, expr string) int {
	r.alert("config", fmt.Sprintf("Failed to evaluate condition: goproxy cannot evaluate conditional expressions yet ('%s')", expr))
	return 2
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
		exe:    exe,
		pid:    os.Getpid(),
		stdout: os.Stdout,
		stderr: os.Stderr,
	}
}
