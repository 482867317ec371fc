// Command gohacompat runs a user's haproxy.cfg through haproxy 2.6 and
// goproxy side by side on loopback, replays requests against both, and
// reports every difference a client, a backend or a log reader would see:
// status, headers, body (which includes the request as the backend
// received it), the server chosen, and the log lines. Differences listed
// as deliberate in compat-tests/DIFFERENCES.md (its ```gohacompat block)
// are reported as covered; any other difference makes the exit status 1,
// so the tool can gate a CI job before switching.
//
//	gohacompat -f haproxy.cfg [--requests FILE] [--haproxy BIN] [--goproxy BIN]
//	           [--differences DIFFERENCES.md] [--keep] [-v]
//
// Exit status: 0 no undocumented difference, 1 undocumented differences,
// 2 the comparison could not run (bad arguments, haproxy refused the
// configuration, a binary is missing).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type options struct {
	cfg, requests, haproxy, goproxy, differences string
	keep, verbose                                bool
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gohacompat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.cfg, "f", "", "the haproxy.cfg to compare (required)")
	fs.StringVar(&o.requests, "requests", "", "request file (default: the built-in set, see below)")
	fs.StringVar(&o.haproxy, "haproxy", "haproxy", "haproxy 2.6 binary")
	fs.StringVar(&o.goproxy, "goproxy", "", "goproxy binary (default: bin/goproxy, else goproxy in PATH)")
	fs.StringVar(&o.differences, "differences", "compat-tests/DIFFERENCES.md", "file whose gohacompat block (a fenced code block) lists the covered differences")
	fs.BoolVar(&o.keep, "keep", false, "keep the rewritten configurations (their directory is printed)")
	fs.BoolVar(&o.verbose, "v", false, "also list identical exchanges and the rewrite rules")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gohacompat -f haproxy.cfg [--requests FILE] [flags]")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\n"+requestFileHelp+"\n\n"+describeRewrite)
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.cfg == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "gohacompat: "+format+"\n", a...)
		return 2
	}
	cfgBytes, err := os.ReadFile(o.cfg)
	if err != nil {
		return bad("%v", err)
	}
	cfgDir, _ := filepath.Abs(filepath.Dir(o.cfg))
	if o.haproxy, err = exec.LookPath(o.haproxy); err != nil {
		return bad("haproxy 2.6 is needed to compare against: %v (apt-get install haproxy)", err)
	}
	if o.goproxy == "" {
		o.goproxy = "bin/goproxy"
		if _, err := os.Stat(o.goproxy); err != nil {
			o.goproxy = "goproxy"
		}
	}
	if o.goproxy, err = exec.LookPath(o.goproxy); err != nil {
		return bad("goproxy not found: %v (make build)", err)
	}
	o.goproxy, _ = filepath.Abs(o.goproxy)
	var rules []coverRule
	if o.differences != "" {
		if rules, err = loadCovered(o.differences); err != nil {
			return bad("%v", err)
		}
	}
	reqText := defaultRequests
	if o.requests != "" {
		b, err := os.ReadFile(o.requests)
		if err != nil {
			return bad("%v", err)
		}
		reqText = string(b)
	}
	reqs, err := parseRequests(reqText)
	if err != nil {
		return bad("%s: %v", o.requests, err)
	}

	tmp, err := os.MkdirTemp("", "gohacompat-")
	if err != nil {
		return bad("%v", err)
	}
	if o.keep {
		fmt.Fprintf(stdout, "rewritten configurations kept in %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	if o.verbose {
		fmt.Fprintln(stdout, describeRewrite)
	}
	ports := freePorts()
	var mu sync.Mutex
	safePorts := func() int { mu.Lock(); defer mu.Unlock(); return ports() }
	hs, herr := startSide("haproxy", o.haproxy, legacyRewrite(string(cfgBytes)), cfgDir, filepath.Join(tmp, "haproxy"), safePorts)
	defer hs.stop()
	if herr != nil {
		return bad("haproxy 2.6 cannot run the configuration (after the rewrite), so there is nothing to compare against:\n%v", herr)
	}
	gs, gerr := startSide("goproxy", o.goproxy, string(cfgBytes), cfgDir, filepath.Join(tmp, "goproxy"), safePorts)
	defer gs.stop()
	if o.requests == "" {
		reqs = append(reqs, statsRequests(hs.plan.Stats)...)
	}
	for _, r := range reqs {
		if r.Target != "" && len(targets(r, hs, hs)) == 0 {
			return bad("request %s: no frontend/listen named %q and no bind address written %q in %s", r.Name, r.Target, r.Target, o.cfg)
		}
	}
	var ds []diff
	if gerr != nil {
		ds = append(ds, diff{Request: "startup", Aspect: "startup", Text: "goproxy did not start: " + oneLine(gerr.Error())})
	} else {
		ds = append(ds, compareRun(o, reqs, hs, gs, stdout)...)
	}
	cover(ds, rules, o.differences)
	return report(stdout, o, ds)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
