// Command govrrpd is goha's drop-in replacement for keepalived 2.2.7 (VRRP
// part): it reads the same keepalived.conf and takes the same command line.
//
// It checks configurations (-t/--config-test) exactly as keepalived does,
// with the same messages and exit codes; without -t it runs the VRRP
// instances (run.go, vrrp/daemon).
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"goha/parser/keepalived"
)

// defaultConfig is keepalived's DEFAULT_CONFIG_FILE.
const defaultConfig = "/etc/keepalived/keepalived.conf"

func main() {
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}

// execute runs govrrpd with args and returns its exit code.
func execute(args []string, stdout, stderr io.Writer) int {
	code := 0
	cmd := &cobra.Command{
		Use:   "govrrpd [OPTION...]",
		Short: "drop-in replacement for keepalived 2.2.7 (VRRP)",
		// keepalived parses with getopt_long (grouped short options,
		// attached optional arguments, unique long prefixes) and prints its
		// own words for bad options; scan() does that from the flag table.
		DisableFlagParsing: true,
		SilenceErrors:      true,
		SilenceUsage:       true,
		Args:               cobra.ArbitraryArgs,
		CompletionOptions:  cobra.CompletionOptions{DisableDefaultCmd: true},
		Run: func(_ *cobra.Command, a []string) {
			code = run(a, stdout, stderr)
		},
	}
	register(cmd.Flags())
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		return run(args, stdout, stderr)
	}
	cmd.SetArgs(args)
	cmd.SetOut(stderr)
	cmd.SetErr(stderr)
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return code
}

// settings are the options that matter to what govrrpd does today.
type settings struct {
	conf       string
	configTest bool
	testLog    io.Writer // where -t writes (stderr, or --config-test=FILE)
	configID   string
	namespace  string
	allConfig  bool
}

// run applies the options in order, as keepalived's parse_cmdline does:
// -v, -h, --signum and -T act (and exit) where they appear; bad options are
// reported as met and make keepalived exit 1 once all were read.
func run(args []string, stdout, stderr io.Writer) int {
	cl := scan(args)
	st := settings{testLog: stderr}
	bad := false
	facilityNumberErr := false
	next := 0
	flushErrs := func(upTo int) {
		for next < len(cl.errs) && cl.errs[next].before <= upTo {
			fmt.Fprintln(stderr, cl.errs[next].msg)
			bad = true
			next++
		}
	}
	for i, po := range cl.opts {
		flushErrs(i)
		switch po.opt.long {
		case "version":
			printVersion(stderr)
			return 0
		case "help":
			usage(stderr)
			return 0
		case "genhash":
			fmt.Fprintln(stderr, "govrrpd: genhash mode (-T/--genhash) is not implemented")
			return 1
		case "signum":
			n, ok := signum(po.value)
			if !ok {
				fmt.Fprintf(stderr, "Unknown sigfunc %s\n", po.value)
				return 1
			}
			fmt.Fprintln(stdout, n)
			return 0
		case "log-file":
			fmt.Fprintln(stderr, "-g requires configure option --enable-log-file")
			bad = true
		case "log-facility":
			msgs, numErr, ok := checkFacility(po.value)
			facilityNumberErr = facilityNumberErr || numErr
			if st.configTest {
				for _, m := range msgs {
					fmt.Fprintln(stderr, m)
				}
			}
			if !ok {
				fmt.Fprintf(stderr, "Invalid log facility '%s'\n", po.value)
			}
		case "umask":
			if !validUmask(po.value) {
				fmt.Fprintf(stderr, "Invalid --umask option %s", po.value)
			}
		case "config-test":
			st.configTest = true
			if po.has && po.value != "" {
				f, err := os.OpenFile(po.value, os.O_WRONLY|os.O_APPEND|os.O_CREATE|noFollow, 0o644)
				if err != nil {
					fmt.Fprintf(stderr, "Unable to open config-test log file %s %d - %s\n", po.value, errnoOf(err), errText(err))
					return 1
				}
				defer f.Close()
				st.testLog = f
			}
		case "use-file":
			st.conf = po.value
		case "config-id":
			st.configID = po.value
		case "namespace":
			st.namespace = po.value
		case "all-config":
			st.allConfig = true
		}
	}
	flushErrs(len(cl.opts))
	if len(cl.args) > 0 {
		fmt.Fprintf(stdout, "Unexpected argument(s): %s \n", strings.Join(cl.args, " "))
	}
	if bad {
		return 1
	}
	if st.conf == "" {
		st.conf = defaultConfig
	}
	cfg, rep := keepalived.Check(st.conf, keepalived.Options{ConfigID: st.configID, Namespace: st.namespace, AllConfig: st.allConfig})
	if facilityNumberErr && rep.Max < keepalived.LevelInvalidNumber {
		// keepalived counts -S's number-reading error against the check
		// (printed only when -t came first, but counted always).
		rep.Max = keepalived.LevelInvalidNumber
	}
	if st.configTest {
		io.WriteString(st.testLog, rep.Text())
		for _, n := range rep.Notes {
			fmt.Fprintf(st.testLog, "govrrpd: note: %s\n", n)
		}
		return rep.ExitCode()
	}
	if cfg != nil && cfg.VRRPStopped != "" {
		// keepalived's VRRP process stops at start-up on such a
		// configuration (and keepalived does not respawn it).
		io.WriteString(stderr, rep.Text())
		fmt.Fprintf(stderr, "govrrpd: %s: VRRP cannot start: %s\n", st.conf, cfg.VRRPStopped)
		return 1
	}
	// Without -t keepalived starts the daemon (run.go).
	return serve(st, cl, cfg, rep, stderr)
}

// signum is keepalived's get_signum (lib/signals.c) for this build.
func signum(name string) (int, bool) {
	n, ok := map[string]int{
		"STOP":        15, // SIGTERM
		"RELOAD":      1,  // SIGHUP
		"DATA":        10, // SIGUSR1
		"STATS":       12, // SIGUSR2
		"STATS_CLEAR": 63, // SIGRTMIN+29 on glibc
		"JSON":        36, // SIGRTMIN+2 on glibc
	}[name]
	return n, ok
}

// checkFacility validates -S like keepalived: 0-7, local0-local7, daemon or
// user. keepalived first reads the word as a number; when that fails it
// reports a configuration error (numErr, msgs: printed only under an
// earlier -t, but always counted in -t's exit code), even if the word then
// turns out to be a valid name.
func checkFacility(s string) (msgs []string, numErr, ok bool) {
	num := func(v string) bool {
		n, err := strconv.ParseUint(v, 10, 32)
		switch {
		case err != nil:
			msgs = append(msgs, fmt.Sprintf("invalid number '%s'", v))
		case n > 7:
			msgs = append(msgs, fmt.Sprintf("number '%s' outside range [0, 7]", v))
		default:
			return true
		}
		numErr = true
		return false
	}
	if num(s) || (strings.HasPrefix(s, "local") && num(s[5:])) {
		return msgs, numErr, true
	}
	return msgs, numErr, s == "daemon" || s == "user"
}

func validUmask(s string) bool {
	n, err := strconv.ParseInt(s, 0, 64)
	return err == nil && n >= 0 && n&^0o777 == 0
}
