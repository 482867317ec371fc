package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	"goha/parser/haproxy"
	"goha/proxy"
)

// daemonChildEnv marks the re-executed daemon: Go cannot fork, so -D (or
// "daemon" in global) starts a copy of the program in a new session and
// the parent exits once the copy has bound its sockets, as haproxy's
// parent does.
const daemonChildEnv = "GOHA_DAEMON_CHILD"

// serve runs the configuration until a stop signal: haproxy's behaviour
// without -c.
func (p *program) serve(r *reporter, o *Options, cfg *haproxy.Config) int {
	daemon := (o.Daemon || cfg.Global.Daemon) && !o.Foreground && !o.Debug && !o.MasterWorker
	if daemon && os.Getenv(daemonChildEnv) == "" {
		return p.startDaemon()
	}
	ready := readyPipe()
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
		r.alert("", err.Error())
		ready.fail(err.Error())
		return 1
	}
	if err := e.Start(); err != nil {
		r.alert("", err.Error())
		ready.fail(err.Error())
		return 1
	}
	// The old processes of a reload stop once we listen (-sf/-st).
	for _, pid := range o.OldPids {
		syscall.Kill(pid, o.OldPidsSignal)
	}
	pidfile := o.PidFile
	if pidfile == "" {
		pidfile = cfg.Global.PidFile
	}
	if pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			r.alert("", fmt.Sprintf("[%s.main()] Cannot create pidfile %s", p.name, pidfile))
			e.Close()
			ready.fail("pidfile")
			return 1
		}
		defer os.Remove(pidfile)
	}
	if err := dropPrivileges(&cfg.Global); err != nil {
		r.alert("", fmt.Sprintf("[%s.main()] %v", p.name, err))
		e.Close()
		ready.fail(err.Error())
		return 1
	}
	ready.ok()

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	for sig := range sigs {
		switch sig {
		case syscall.SIGHUP:
			// haproxy dumps server states to its logs; nothing to stop.
			continue
		case syscall.SIGUSR1:
			// Soft stop: stop listening, let connections finish (bounded
			// by hard-stop-after when set).
			e.Close()
			limit := cfg.Global.HardStopAfter
			if limit == 0 {
				limit = 24 * time.Hour
			}
			e.Wait(limit)
			return 0
		default:
			e.Close()
			return 0
		}
	}
	return 0
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

// startDaemon re-executes the program detached and waits until it has
// bound its sockets (or failed), then exits with its verdict.
func (p *program) startDaemon() int {
	rd, wr, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(p.stderr, err)
		return 1
	}
	exe := p.exe
	if exe == "" {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), daemonChildEnv+"=1")
	// The child's start-up failure comes back through the pipe (fd 3) and
	// is printed here: the configuration's warnings were printed once
	// already, by this process.
	cmd.ExtraFiles = []*os.File{wr}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(p.stderr, err)
		return 1
	}
	wr.Close()
	msg := make([]byte, 512)
	n, _ := rd.Read(msg)
	cmd.Process.Release()
	reply := string(msg[:n])
	if strings.HasPrefix(reply, "ok") {
		return 0
	}
	if m, ok := strings.CutPrefix(reply, "fail: "); ok {
		fmt.Fprintln(p.stderr, haproxy.Diag{Level: haproxy.LevelAlert, Text: m}.Format(cmd.Process.Pid))
	}
	return 1
}

// readiness reports to a waiting daemon parent (fd 3) that start-up is
// over. Outside a daemon child it does nothing.
type readiness struct{ f *os.File }

func readyPipe() readiness {
	if os.Getenv(daemonChildEnv) == "" {
		return readiness{}
	}
	os.Unsetenv(daemonChildEnv)
	return readiness{os.NewFile(3, "ready")}
}

func (r readiness) ok() {
	if r.f == nil {
		return
	}
	r.f.Write([]byte("ok"))
	r.f.Close()
	// The daemon keeps no terminal: stdio now goes to /dev/null.
	if null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0); err == nil {
		for _, fd := range []int{0, 1, 2} {
			syscall.Dup2(int(null.Fd()), fd)
		}
	}
}

func (r readiness) fail(msg string) {
	if r.f == nil {
		return
	}
	r.f.Write([]byte("fail: " + msg))
	r.f.Close()
}
