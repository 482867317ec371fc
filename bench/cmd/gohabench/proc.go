package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime/stime in /proc/PID/stat. Linux
// fixes it at 100 for user space on every architecture we run on.
const clockTicks = 100

// process is a program the harness started and must stop.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string // where its stdout and stderr go
	done chan struct{}
}

// startPinned runs bin with args on the given CPU (taskset execs the
// program in place, so the PID is the program's own).
func startPinned(name, cpu, logPath string, env []string, bin string, args ...string) (*process, error) {
	full := append([]string{"-c", cpu, bin}, args...)
	cmd := exec.Command("taskset", full...)
	cmd.Env = append(os.Environ(), env...)
	out, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = out, out
	// If the harness dies, the proxies and backends it started die too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, err
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		out.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM (haproxy -db, goproxy and nginx all stop at once on
// it) and SIGKILL if the process is still there after five seconds.
func (p *process) stop() {
	if p == nil || p.exited() {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// tail returns the end of the process's log, for error messages.
func (p *process) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	return strings.TrimSpace(string(b))
}

// waitListening polls addr until a TCP connection succeeds, the process
// exits or the timeout passes. It returns when the first connect worked.
func waitListening(p *process, addr string, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			at := time.Now()
			c.Close()
			return at, nil
		}
		if p != nil && p.exited() {
			return time.Time{}, fmt.Errorf("%s exited before listening on %s: %s", p.name, addr, p.tail())
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%s: nothing listens on %s after %v", nameOf(p), addr, timeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func nameOf(p *process) string {
	if p == nil {
		return "backend"
	}
	return p.name
}

// freePort asks the kernel for a free loopback port. Another program may
// take it before we bind it; the start-up check then reports that.
func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// procStat is what /proc/PID/stat says about CPU time and parentage.
type procStat struct {
	ppid       int
	cpuSeconds float64 // utime + stime, all threads
}

func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	return parseStat(string(b))
}

// parseStat reads fields 4 (ppid), 14 (utime) and 15 (stime) of a
// /proc/PID/stat line (proc(5)); the command name in parentheses may hold
// spaces, so fields are counted after its closing parenthesis.
func parseStat(line string) (procStat, error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("bad stat line %q", line)
	}
	f := strings.Fields(line[i+1:])
	if len(f) < 13 {
		return procStat{}, fmt.Errorf("short stat line %q", line)
	}
	ppid, err1 := strconv.Atoi(f[1])
	ut, err2 := strconv.ParseUint(f[11], 10, 64)
	st, err3 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return procStat{}, fmt.Errorf("bad stat line %q", line)
	}
	return procStat{ppid: ppid, cpuSeconds: float64(ut+st) / clockTicks}, nil
}

// family is pid and its direct children: nginx's master and its worker.
// goproxy and haproxy -db are single processes.
func family(pid int) []int {
	pids := []int{pid}
	ents, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, e := range ents {
		n, err := strconv.Atoi(filepath.Base(filepath.Dir(e)))
		if err != nil || n == pid {
			continue
		}
		if st, err := readStat(n); err == nil && st.ppid == pid {
			pids = append(pids, n)
		}
	}
	return pids
}

// cpuSeconds is the CPU time used so far by pid and its children.
func cpuSeconds(pid int) float64 {
	var sum float64
	for _, p := range family(pid) {
		if st, err := readStat(p); err == nil {
			sum += st.cpuSeconds
		}
	}
	return sum
}

// rssKiB is VmRSS of pid and its children, from /proc/PID/status.
func rssKiB(pid int) int64 {
	var sum int64
	for _, p := range family(pid) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			continue
		}
		sum += parseVmRSS(string(b))
	}
	return sum
}

func parseVmRSS(status string) int64 {
	for _, l := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}
