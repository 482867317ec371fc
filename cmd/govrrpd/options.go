package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// argKind is getopt's has_arg.
type argKind int

const (
	noArg argKind = iota
	requiredArg
	optionalArg
)

// option is one of keepalived 2.2.7's command-line options as Debian builds
// it (VRRP, LVS, BFD and SNMP compiled in; no log-to-file, no perf, no
// debug options): keepalived/core/main.c parse_cmdline.
type option struct {
	long  string
	short byte // 0 when the option has no short form
	kind  argKind
	usage string
}

// options lists them in keepalived's --help order.
var options = []option{
	{"use-file", 'f', requiredArg, "Use the specified configuration file"},
	{"vrrp", 'P', noArg, "Only run with VRRP subsystem"},
	{"check", 'C', noArg, "Only run with Health-checker subsystem"},
	{"no_bfd", 'B', noArg, "Don't run BFD subsystem"},
	{"all", 0, noArg, "Force all child processes to run, even if have no configuration"},
	{"log-console", 'l', noArg, "Log messages to local console"},
	{"log-detail", 'D', noArg, "Detailed log messages"},
	{"log-facility", 'S', requiredArg, "Set syslog facility to LOG_LOCAL[0-7], user or daemon (default)"},
	{"log-file", 'g', optionalArg, "Log to file (not available in this build, as in Debian's keepalived)"},
	{"all-config", 'e', noArg, "Error if any configuration file missing (same as includet)"},
	{"no-syslog", 'G', noArg, "Don't log via syslog"},
	{"umask", 'u', requiredArg, "umask for file creation (in numeric form)"},
	{"release-vips", 'X', noArg, "Drop VIP on transition from signal."},
	{"dont-release-vrrp", 'V', noArg, "Don't remove VRRP VIPs and VROUTEs on daemon stop"},
	{"dont-release-ipvs", 'I', noArg, "Don't remove IPVS topology on daemon stop"},
	{"dont-respawn", 'R', noArg, "Don't respawn child processes"},
	{"dont-fork", 'n', noArg, "Don't fork the daemon process"},
	{"dump-conf", 'd', noArg, "Dump the configuration data"},
	{"pid", 'p', requiredArg, "Use specified pidfile for parent process"},
	{"vrrp_pid", 'r', requiredArg, "Use specified pidfile for VRRP child process"},
	{"genhash", 'T', noArg, "Enter into genhash utility mode (this should be the first option used)."},
	{"checkers_pid", 'c', requiredArg, "Use specified pidfile for checkers child process"},
	{"address-monitoring", 'a', noArg, "Report all address additions/deletions notified via netlink"},
	{"bfd_pid", 'b', requiredArg, "Use specified pidfile for BFD child process"},
	{"snmp", 'x', noArg, "Enable SNMP subsystem"},
	{"snmp-agent-socket", 'A', requiredArg, "Use the specified socket for master agent"},
	{"core-dump", 'm', noArg, "Produce core dump if terminate abnormally"},
	{"core-dump-pattern", 'M', optionalArg, "Also set /proc/sys/kernel/core_pattern to PATN (default 'core')"},
	{"namespace", 's', requiredArg, "Run in network namespace NAME (overrides config)"},
	{"config-id", 'i', requiredArg, "Skip any configuration lines beginning '@' that don't match id"},
	{"signum", 0, requiredArg, "Return signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON"},
	{"config-test", 't', optionalArg, "Check the configuration for obvious errors, output to stderr by default"},
	{"config-fd", 0, requiredArg, "Read the configuration from this file descriptor (internal)"},
	{"version", 'v', noArg, "Display the version number"},
	{"help", 'h', noArg, "Display this help message"},
}

// register declares every option on fs, so that cobra's flag set is the
// single table the parser below and the help text read.
func register(fs *pflag.FlagSet) {
	for _, o := range options {
		short := ""
		if o.short != 0 {
			short = string(o.short)
		}
		switch o.kind {
		case noArg:
			fs.BoolP(o.long, short, false, o.usage)
		case requiredArg:
			fs.StringP(o.long, short, "", o.usage)
		case optionalArg:
			fs.StringP(o.long, short, "", o.usage)
			fs.Lookup(o.long).NoOptDefVal = " "
		}
	}
}

// parsed is one option occurrence, in command-line order.
type parsed struct {
	opt   *option
	value string
	has   bool // an argument was given
}

// cmdline is the result of getopt-style parsing.
type cmdline struct {
	opts []parsed
	args []string // non-option arguments
	// errors are keepalived's messages for bad options, in order, each
	// placed before the option that follows it (keepalived reports while
	// it scans).
	errs []scanError
}

type scanError struct {
	before int // index in opts the message comes before
	msg    string
}

func lookupShort(c byte) *option {
	for i := range options {
		if options[i].short == c {
			return &options[i]
		}
	}
	return nil
}

// lookupLong finds a long option by its name or an unambiguous prefix, as
// getopt_long does.
func lookupLong(name string) *option {
	var found *option
	for i := range options {
		o := &options[i]
		if o.long == name {
			return o
		}
		if strings.HasPrefix(o.long, name) {
			if found != nil {
				return nil // ambiguous
			}
			found = o
		}
	}
	return found
}

// scan parses args like glibc getopt_long with keepalived's option string
// (a leading ':' so that getopt itself prints nothing): short options may
// be grouped, a required argument may be attached or the next word, an
// optional argument must be attached (-tFILE, --config-test=FILE),
// non-options are collected, and "--" ends the options.
func scan(args []string) cmdline {
	var cl cmdline
	fail := func(msg string) { cl.errs = append(cl.errs, scanError{before: len(cl.opts), msg: msg}) }
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			cl.args = append(cl.args, args[i+1:]...)
			return cl
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			o := lookupLong(name)
			if o == nil {
				fail("Unknown option " + a)
				continue
			}
			switch o.kind {
			case noArg:
				if hasVal {
					fail("Unknown option " + a)
					continue
				}
				cl.opts = append(cl.opts, parsed{opt: o})
			case requiredArg:
				if !hasVal {
					if i+1 >= len(args) {
						fail("Missing parameter for option --" + o.long)
						continue
					}
					i++
					val = args[i]
				}
				if val == "" {
					fail("Missing parameter for option --" + o.long)
					continue
				}
				cl.opts = append(cl.opts, parsed{opt: o, value: val, has: true})
			case optionalArg:
				cl.opts = append(cl.opts, parsed{opt: o, value: val, has: hasVal})
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				o := lookupShort(a[j])
				if o == nil {
					fail(fmt.Sprintf("Unknown option -%c", a[j]))
					continue
				}
				rest := a[j+1:]
				switch o.kind {
				case noArg:
					cl.opts = append(cl.opts, parsed{opt: o})
					continue
				case optionalArg:
					cl.opts = append(cl.opts, parsed{opt: o, value: rest, has: rest != ""})
				case requiredArg:
					if rest == "" {
						if i+1 >= len(args) {
							fail(fmt.Sprintf("Missing parameter for option -%c", o.short))
							break
						}
						i++
						rest = args[i]
					}
					cl.opts = append(cl.opts, parsed{opt: o, value: rest, has: true})
				}
				j = len(a) // the rest of the word was the argument
			}
		default:
			cl.args = append(cl.args, a)
		}
	}
	return cl
}
