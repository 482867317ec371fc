package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"goha/parser/keepalived"
	"goha/vrrp/daemon"
)

// foregroundEnv marks the re-executed daemon process (govrrpd cannot
// fork; without -n it starts itself again detached, as keepalived's
// parent forks away from the shell).
const foregroundEnv = "GOVRRPD_DAEMONIZED"

// serve runs the VRRP daemon for the configuration cfg read from
// st.conf, with the options of cl that matter when running.
func serve(st settings, cl cmdline, cfg *keepalived.Config, rep *keepalived.Report, stderr io.Writer) int {
	var (
		opts     = daemon.Options{ConfigFile: st.conf, Args: os.Args}
		console  bool
		noSyslog bool
		noFork   bool
	)
	opts.Log.Facility = 3 // LOG_DAEMON
	for _, po := range cl.opts {
		switch po.opt.long {
		case "log-console":
			console = true
		case "log-detail":
			opts.Log.Detail = true
		case "no-syslog":
			noSyslog = true
		case "log-facility":
			opts.Log.Facility = facilityNumber(po.value)
		case "pid":
			opts.PidFile = po.value
		case "vrrp_pid":
			opts.VRRPPidFile = po.value
		case "dont-release-vrrp":
			opts.DontRelease = true
		case "dont-fork":
			noFork = true
		}
	}
	if cfg == nil {
		io.WriteString(stderr, rep.Text())
		if code := rep.ExitCode(); code != 0 {
			return code
		}
		return 1
	}
	if len(cfg.Instances) == 0 {
		// keepalived's VRRP child has nothing to do then; govrrpd runs
		// nothing else (no checkers), so it says so and stops.
		io.WriteString(stderr, rep.Text())
		fmt.Fprintf(stderr, "govrrpd: %s: no vrrp_instance to run\n", st.conf)
		return 1
	}
	if !noFork && os.Getenv(foregroundEnv) == "" {
		return detach(stderr)
	}
	if console {
		opts.Log.Console = os.Stderr
	}
	opts.Log.Syslog = !noSyslog
	for _, d := range rep.Diags {
		opts.Notes = append(opts.Notes, d.String())
	}
	for _, n := range rep.Notes {
		opts.Notes = append(opts.Notes, "govrrpd: note: "+n)
	}
	checkOpts := keepalived.Options{ConfigID: st.configID, Namespace: st.namespace}
	opts.Load = func() (*keepalived.Config, []string) {
		c, r := keepalived.Check(st.conf, checkOpts)
		var notes []string
		for _, d := range r.Diags {
			notes = append(notes, d.String())
		}
		if c != nil && c.VRRPStopped != "" {
			return nil, notes
		}
		return c, notes
	}
	return daemon.Run(cfg, opts)
}

// detach starts this command again in a new session with its standard
// streams on /dev/null and returns at once, like a daemon's fork.
func detach(stderr io.Writer) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "govrrpd: cannot daemonize: %v\n", err)
		return 1
	}
	cmd := exec.Command(self, os.Args[1:]...)
	cmd.Env = append(os.Environ(), foregroundEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "govrrpd: cannot daemonize: %v\n", err)
		return 1
	}
	return 0
}

// facilityNumber maps -S's value (0-7, local0-7, daemon, user) to a
// syslog facility number.
func facilityNumber(s string) int {
	if n, err := strconv.Atoi(strings.TrimPrefix(s, "local")); err == nil && n >= 0 && n <= 7 {
		return 16 + n
	}
	if s == "user" {
		return 1
	}
	return 3
}
