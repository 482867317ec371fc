package compattests

// Process basics (issue 3): daemon mode, pidfile, bind failures, user,
// group and chroot, compared between haproxy 2.6 and goproxy run as real
// processes on loopback. Each case records what a binary showed
// (observation) and compares the two; fields every binary must show are
// asserted for both, so the goproxy side is still checked without haproxy.
// Signals, maxconn and reloads are in process_signals_test.go.

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestProcessDaemon: "daemon" in global and -D detach (the parent exits 0
// once the child listens; the child leads a new session without a
// terminal and writes its pid, followed by a newline, to the pidfile);
// -db and -d keep the process in the foreground despite "daemon" and then
// write no pidfile; the pidfile stays after the stop.
func TestProcessDaemon(t *testing.T) {
	bins := procBins(t)
	srv := startCountingServer(t)
	cases := []struct {
		name, global string
		args         []string
		foreground   bool
	}{
		{"global-daemon", "    daemon\n    pidfile {DIR}/run.pid\n", nil, false},
		{"dash-D", "", []string{"-D", "-p", "{DIR}/run.pid"}, false},
		{"daemon-with-db", "    daemon\n    pidfile {DIR}/run.pid\n", []string{"-db"}, true},
		{"daemon-with-d", "    daemon\n", []string{"-d", "-p", "{DIR}/run.pid"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]observation{}
			for _, b := range bins {
				dir := caseDir(t, b.name)
				listen := freeLoopback(t)
				cfg := processConfig(strings.ReplaceAll(c.global, "{DIR}", dir), "", listen, srv.addr)
				writeFile(t, filepath.Join(dir, "p.cfg"), cfg)
				var args []string
				for _, a := range c.args {
					args = append(args, strings.ReplaceAll(a, "{DIR}", dir))
				}
				args = append(args, "-f", "p.cfg")
				got[b.name] = probeDaemon(t, b, dir, listen, args, c.foreground)
			}
			want := observation{"serves": "200", "stopped by SIGUSR1": "exit 0"}
			if c.foreground {
				want["parent"] = "running"
				want["pidfile"] = "absent"
				want["new session"] = "false"
			} else {
				want["parent"] = "exit 0"
				want["listening when the parent returned"] = "true"
				want["pidfile"] = "daemon pid + newline"
				want["new session"] = "true"
				want["terminal"] = "none"
				want["pidfile after stop"] = "kept"
			}
			compareObservations(t, "daemon/"+c.name, got, want)
		})
	}
}

func probeDaemon(t *testing.T, b procBin, dir, listen string, args []string, foreground bool) observation {
	o := observation{}
	pidfile := filepath.Join(dir, "run.pid")
	var pid int
	var fg *proc
	if foreground {
		fg = startProc(t, b.path, dir, nil, args...)
		waitListening(t, listen, fg.output)
		pid = fg.pid
		o.set("parent", map[bool]string{true: "running", false: fg.wait(0)}[fg.alive()])
	} else {
		status, stderr, took := runToEnd(t, b.path, dir, args...)
		o.set("parent", status)
		o.set("listening when the parent returned", listening(listen))
		if status != "exit 0" {
			t.Logf("%s: %s after %v:\n%s", b.name, status, took, stderr)
			return o
		}
		if took > 5*time.Second {
			t.Errorf("%s: the parent took %v to return", b.name, took)
		}
	}
	content, err := os.ReadFile(pidfile)
	switch {
	case err != nil:
		o.set("pidfile", "absent")
	case foreground:
		o.set("pidfile", "written: "+string(content))
	default:
		n, perr := strconv.Atoi(strings.TrimSuffix(string(content), "\n"))
		if perr != nil || !strings.HasSuffix(string(content), "\n") || strings.Count(string(content), "\n") != 1 {
			o.set("pidfile", "unexpected content "+strconv.Quote(string(content)))
		} else {
			o.set("pidfile", "daemon pid + newline")
			pid = n
		}
	}
	if pid == 0 {
		return o
	}
	killAtCleanup(t, pid)
	st, err := procStat(pid)
	if err != nil {
		t.Fatalf("%s: pid %d: %v", b.name, pid, err)
	}
	o.set("new session", st.sid == pid)
	if !foreground {
		o.set("terminal", map[bool]string{true: "none", false: "tty " + strconv.Itoa(st.ttyN)}[st.ttyN == 0])
	}
	status, err := get(listen, "/", 3*time.Second)
	if err != nil {
		t.Logf("%s: request: %v", b.name, err)
	}
	o.set("serves", status)
	syscall.Kill(pid, syscall.SIGUSR1)
	if foreground {
		o.set("stopped by SIGUSR1", fg.wait(5*time.Second))
	} else {
		// A daemon is not our child: its exit status is its parent's
		// (init's) business; it must be gone.
		o.set("stopped by SIGUSR1", map[bool]string{true: "exit 0", false: "still running"}[waitPidGone(pid, 5*time.Second)])
		_, err := os.Stat(pidfile)
		o.set("pidfile after stop", map[bool]string{true: "kept", false: "removed"}[err == nil])
	}
	return o
}

// listening reads /proc/net/tcp for a listener on addr (127.0.0.1 only).
func listening(addr string) bool {
	_, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	b, _ := os.ReadFile("/proc/net/tcp")
	return strings.Contains(string(b), "0100007F:"+strings.ToUpper(strconv.FormatInt(int64(p)+0x10000, 16)[1:])+" 00000000:0000 0A")
}

// TestProcessBindFailure: a port already taken (by a socket without
// SO_REUSEPORT) is an alert on stderr and exit 1, in the foreground and
// when detaching (then the parent prints it: haproxy binds before it
// forks).
func TestProcessBindFailure(t *testing.T) {
	bins := procBins(t)
	taken, err := net.Listen("tcp4", freeLoopback(t))
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, mode := range []struct {
		name, global string
		args         []string
	}{
		{"foreground", "", []string{"-db"}},
		{"daemon", "    daemon\n", nil},
	} {
		t.Run(mode.name, func(t *testing.T) {
			got := map[string]observation{}
			for _, b := range bins {
				dir := caseDir(t, b.name)
				writeFile(t, filepath.Join(dir, "p.cfg"), processConfig(mode.global, "", taken.Addr().String(), "127.0.0.1:9"))
				status, stderr, took := runToEnd(t, b.path, dir, append(mode.args, "-f", "p.cfg")...)
				o := observation{}
				o.set("status", status)
				o.set("stderr", normaliseStderr(stderr))
				o.set("quick", took < 5*time.Second)
				got[b.name] = o
			}
			compareObservations(t, "bind-failure/"+mode.name, got, observation{"status": "exit 1", "quick": "true"})
		})
	}
}

// TestProcessPrivileges: user/group, uid/gid and chroot apply after the
// listeners are bound — a privileged port binds as root, then the process
// runs as the user (or inside the jail) and still serves; an unknown user
// is refused with haproxy's alert.
func TestProcessPrivileges(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: binding a privileged port, then changing user")
	}
	bins := procBins(t)
	srv := startCountingServer(t)
	cases := []struct{ name, global string }{
		{"user-group", "    user nobody\n    group nogroup\n"},
		{"uid-gid", "    uid 65534\n    gid 65534\n"},
		{"chroot", "    chroot {DIR}/jail\n"},
		{"chroot-user", "    chroot {DIR}/jail\n    user nobody\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]observation{}
			for _, b := range bins {
				dir := caseDir(t, b.name)
				jail := filepath.Join(dir, "jail")
				os.MkdirAll(jail, 0o755)
				listen := privilegedLoopback(t)
				writeFile(t, filepath.Join(dir, "p.cfg"), processConfig(strings.ReplaceAll(c.global, "{DIR}", dir), "", listen, srv.addr))
				p := startProc(t, b.path, dir, nil, "-db", "-f", "p.cfg")
				waitListening(t, listen, p.output)
				o := observation{}
				st := procStatusFields(t, p.pid)
				o.set("Uid", st["Uid"])
				o.set("Gid", st["Gid"])
				o.set("Groups", st["Groups"])
				root, _ := os.Readlink("/proc/" + strconv.Itoa(p.pid) + "/root")
				cwd, _ := os.Readlink("/proc/" + strconv.Itoa(p.pid) + "/cwd")
				o.set("root", strings.Replace(root, jail, "{jail}", 1))
				o.set("cwd", strings.Replace(strings.Replace(cwd, jail, "{jail}", 1), dir, "{dir}", 1))
				status, _ := get(listen, "/", 3*time.Second)
				o.set("serves", status)
				got[b.name] = o
			}
			want := observation{"serves": "200"}
			if strings.Contains(c.global, "chroot") {
				want["root"] = "{jail}"
			}
			if strings.Contains(c.global, "user") || strings.Contains(c.global, "uid") {
				want["Uid"] = "65534\t65534\t65534\t65534"
			}
			compareObservations(t, "privileges/"+c.name, got, want)
		})
	}
	t.Run("unknown-user", func(t *testing.T) {
		got := map[string]observation{}
		for _, b := range bins {
			dir := caseDir(t, b.name)
			writeFile(t, filepath.Join(dir, "p.cfg"), processConfig("    user goha-no-such-user\n", "", freeLoopback(t), srv.addr))
			for _, args := range [][]string{{"-db"}, {"-D"}} {
				status, stderr, _ := runToEnd(t, b.path, dir, append(args, "-f", "p.cfg")...)
				o := got[b.name]
				if o == nil {
					o = observation{}
					got[b.name] = o
				}
				o.set(args[0]+" status", status)
				o.set(args[0]+" stderr", normaliseStderr(stderr))
			}
		}
		compareObservations(t, "privileges/unknown-user", got, observation{"-db status": "exit 1", "-D status": "exit 1"})
	})
}

// privilegedLoopback finds a free port below 1024 on 127.0.0.1.
func privilegedLoopback(t *testing.T) string {
	t.Helper()
	for p := 700 + int(time.Now().UnixNano()%200); p < 1000; p++ {
		a := "127.0.0.1:" + strconv.Itoa(p)
		if ln, err := net.Listen("tcp4", a); err == nil {
			ln.Close()
			return a
		}
	}
	t.Fatal("no free privileged port on 127.0.0.1")
	return ""
}
