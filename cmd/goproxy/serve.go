package main

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"goha/parser/haproxy"
	"goha/proxy"
)

// serve runs the configuration until a stop signal: haproxy's behaviour
// without -c. The order is haproxy 2.6's (src/haproxy.c main/init): bind
// every listener, signal the old processes of a reload, write the pidfile,
// chroot and drop privileges, then detach (daemon) and serve.
func (p *program) serve(r *reporter, o *Options, cfg *haproxy.Config) int {
	// -d, -db and -W keep the process in the foreground even with "daemon"
	// in the global section (management.txt §3 "-db").
	daemon := (o.Daemon || cfg.Global.Daemon) && !o.Foreground && !o.Debug && !o.MasterWorker
	if daemon && os.Getenv(daemonChildEnv) == "" {
		return p.startDaemon(r)
	}
	ready := readyPipe()
	// fail reports start-up alerts: on stderr in the foreground, through
	// the readiness pipe to the waiting parent in a daemon child.
	fail := func(alerts ...string) int {
		if ready.f != nil {
			ready.fail(alerts)
			return 1
		}
		for _, a := range alerts {
			r.alert("", a)
		}
		return 1
	}
	if o.MaxConn > 0 {
		cfg.Global.MaxConn = int(o.MaxConn)
	}
	logf := func(level, format string, args ...any) {
		// In the foreground haproxy copies warnings and alerts to stderr;
		// a daemon has no stderr left.
		if daemon {
			return
		}
		msg := fmt.Sprintf(format, args...)
		switch level {
		case "alert":
			r.line(haproxy.Diag{Level: haproxy.LevelAlert, Text: msg})
		case "warning":
			r.line(haproxy.Diag{Level: haproxy.LevelWarning, Text: msg})
		default:
			if o.Verbose || o.Debug {
				r.line(haproxy.Diag{Level: haproxy.LevelNotice, Text: msg})
			}
		}
	}
	e, err := proxy.New(cfg, proxy.Options{Logf: logf, NoReusePort: o.NoReuseport})
	if err != nil {
		return fail(err.Error())
	}
	// haproxy sets the descriptor limit before binding: "ulimit-n" or
	// the maxsock it estimated; it exits when it cannot (strict-limits).
	msgs, fatal := e.ApplyFDLimit()
	for i, m := range msgs {
		text := fmt.Sprintf("[%s.main()] %s", p.argv0, m.Text)
		if fatal && i == len(msgs)-1 {
			return fail(text)
		}
		level := "warning"
		if m.Alert {
			level = "alert"
		}
		logf(level, "%s", text)
	}
	if err := e.Start(); err != nil {
		if alert, ok := bindAlert(cfg, err.Error()); ok {
			return fail(alert, fmt.Sprintf("[%s.main()] Some protocols failed to start their listeners! Exiting.", p.argv0))
		}
		return fail(err.Error())
	}
	// The old processes of a reload stop once we listen (-sf/-st).
	for _, pid := range o.OldPids {
		syscall.Kill(pid, o.OldPidsSignal)
	}
	// haproxy writes the pidfile only when it detaches or runs as a
	// master (src/haproxy.c: MODE_DAEMON|MODE_MWORKER); in the foreground
	// -p and "pidfile" are ignored. It never removes the file (measured
	// with haproxy 2.6.12: the file stays after SIGUSR1 and SIGTERM).
	pidfile := o.PidFile
	if pidfile == "" {
		pidfile = cfg.Global.PidFile
	}
	if pidfile != "" && (daemon || o.MasterWorker) {
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			e.Close()
			return fail(fmt.Sprintf("[%s.main()] Cannot create pidfile %s", p.argv0, pidfile))
		}
	}
	if err := dropPrivileges(&cfg.Global); err != nil {
		e.Close()
		return fail(fmt.Sprintf("[%s.main()] %v", p.argv0, err))
	}
	ready.ok()
	return waitSignals(e, cfg, logf)
}

// dropPrivileges applies chroot, then group and user, after the sockets
// are bound (configuration.txt §3.1 "chroot", "user", "group", "uid", "gid").
func dropPrivileges(g *haproxy.Global) error {
	uid, gid := g.UID, g.GID
	if g.Group != "" {
		grp, err := user.LookupGroup(g.Group)
		if err != nil {
			return fmt.Errorf("Cannot find group id for '%s' (0:Success)", g.Group)
		}
		gid, _ = strconv.Atoi(grp.Gid)
	}
	if g.User != "" {
		u, err := user.Lookup(g.User)
		if err != nil {
			return fmt.Errorf("Cannot find user id for '%s' (0:Success)", g.User)
		}
		uid, _ = strconv.Atoi(u.Uid)
	}
	if g.Chroot != "" {
		if err := syscall.Chroot(g.Chroot); err != nil {
			return fmt.Errorf("Cannot chroot(%s).", g.Chroot)
		}
		if err := os.Chdir("/"); err != nil {
			return err
		}
	}
	// Go's Setgid/Setuid apply to every thread of the process.
	if gid > 0 && os.Getegid() != gid { // -1: not configured
		if err := syscall.Setgroups([]int{}); err != nil {
			return fmt.Errorf("Cannot set supplementary groups: %v", err)
		}
		if err := syscall.Setgid(gid); err != nil {
			return fmt.Errorf("Cannot set gid %d.", gid)
		}
	}
	if uid > 0 && os.Geteuid() != uid { // -1: not configured
		if err := syscall.Setuid(uid); err != nil {
			return fmt.Errorf("Cannot set uid %d.", uid)
		}
	}
	return nil
}
