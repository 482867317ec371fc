package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// daemonChildEnv marks the re-executed daemon: Go cannot fork, so -D (or
// "daemon" in global) starts a copy of the program in a new session and
// the parent exits once the copy has bound its sockets, as haproxy's
// parent does after its fork.
const daemonChildEnv = "GOHA_DAEMON_CHILD"

// startDaemon re-executes the program detached and waits until it has
// bound its sockets (or failed), then exits with its verdict: 0 once the
// daemon serves, 1 with the daemon's alerts printed on stderr (haproxy
// binds before forking, so its alerts come from the parent too).
func (p *program) startDaemon(r *reporter) int {
	rd, wr, err := os.Pipe()
	if err != nil {
		r.alert("", "Cannot fork: "+err.Error())
		return 1
	}
	exe := p.exe
	if exe == "" {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	// argv[0] as the user typed it: haproxy names itself so in alerts.
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(os.Environ(), daemonChildEnv+"=1")
	// Stdio stays unset (/dev/null): the configuration's warnings were
	// printed once already, by this process; the child's start-up verdict
	// comes back through the pipe (fd 3).
	cmd.ExtraFiles = []*os.File{wr}
	// A new session: no controlling terminal, not in the caller's process
	// group (haproxy calls setsid() in its child).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		wr.Close()
		r.alert("", "Cannot fork: "+err.Error())
		return 1
	}
	wr.Close()
	var reply strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := rd.Read(buf)
		reply.WriteString(string(buf[:n]))
		if err != nil {
			break
		}
	}
	rd.Close()
	cmd.Process.Release()
	msg := reply.String()
	if strings.HasPrefix(msg, "ok") {
		return 0
	}
	if rest, ok := strings.CutPrefix(msg, "fail\n"); ok {
		for _, a := range strings.Split(strings.TrimSuffix(rest, "\n"), "\n") {
			if a != "" {
				r.alert("", a)
			}
		}
	}
	// No reply at all: the child died before it could tell (it has no
	// stderr); haproxy's parent would have printed the reason itself.
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
		null.Close()
	}
}

// fail sends the start-up alerts (one a line) to the parent, which prints
// them as its own.
func (r readiness) fail(alerts []string) {
	if r.f == nil {
		return
	}
	msg := "fail\n"
	for _, a := range alerts {
		msg += strings.ReplaceAll(a, "\n", " ") + "\n"
	}
	r.f.Write([]byte(msg))
	r.f.Close()
}
