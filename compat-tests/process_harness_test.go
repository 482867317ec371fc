package compattests

// Helpers of the process tests (process_test.go, leak_test.go): start
// haproxy or goproxy as a real process, watch it through /proc, stop it
// by PID.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// proc is a proxy process started by a test.
type proc struct {
	pid  int
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
	err  error // Wait's result, once done is closed
}

// startProc starts bin args... in dir with extra environment; the process
// is killed (by PID) at cleanup.
func startProc(t *testing.T, bin, dir string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{pid: cmd.Process.Pid, cmd: cmd, out: out, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		syscall.Kill(p.pid, syscall.SIGCONT)
		if p.alive() {
			syscall.Kill(p.pid, syscall.SIGKILL)
		}
		<-p.done
	})
	return p
}

func (p *proc) output() string { return p.out.String() }

func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// wait waits up to d for the process to end and renders how it ended:
// "exit N" or "signal NAME"; "" if it is still running.
func (p *proc) wait(d time.Duration) string {
	select {
	case <-p.done:
	case <-time.After(d):
		return ""
	}
	return exitText(p.err)
}

func exitText(err error) string {
	if err == nil {
		return "exit 0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "signal " + ws.Signal().String()
		}
		return "exit " + strconv.Itoa(ee.ExitCode())
	}
	return err.Error()
}

// runToEnd runs bin args... in dir and waits (up to 10 s) for it to end:
// the parent of a daemon returns once the daemon is ready.
func runToEnd(t *testing.T, bin, dir string, args ...string) (status, stderr string, took time.Duration) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var e bytes.Buffer
	cmd.Stderr = &e
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitText(err), e.String(), time.Since(start)
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		return "still running after 10s", e.String(), time.Since(start)
	}
}

// killAtCleanup kills pid at the end of the test if it still exists
// (daemons are not the test's children).
func killAtCleanup(t *testing.T, pid int) {
	t.Cleanup(func() {
		if pidAlive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// pidAlive tells whether pid exists and is not a zombie.
func pidAlive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	st, err := procStat(pid)
	return err == nil && st.state != "Z"
}

// waitPidGone waits up to d for pid to end.
func waitPidGone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !pidAlive(pid) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// statFields is what the process tests read from /proc/PID/stat.
type statFields struct {
	state                 string
	ppid, pgrp, sid, ttyN int
}

func procStat(pid int) (statFields, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return statFields{}, err
	}
	// The command name is in parentheses and may hold spaces.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	return statFields{state: f[0], ppid: atoi(f[1]), pgrp: atoi(f[2]), sid: atoi(f[3]), ttyN: atoi(f[4])}, nil
}

// lookHaproxy finds the reference binary; without it the process tests
// check goproxy against their own assertions only.
func lookHaproxy(t *testing.T) string {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		t.Log("haproxy not installed: goproxy is checked against the test's own assertions only")
		return ""
	}
	return bin
}

// procBins lists the binaries a process test runs: haproxy (when
// installed) then goproxy.
func procBins(t *testing.T) []procBin {
	var out []procBin
	if h := lookHaproxy(t); h != "" {
		out = append(out, procBin{"haproxy", h})
	}
	return append(out, procBin{"goproxy", buildGoproxy(t)})
}

type procBin struct{ name, path string }

var (
	pidInMessage  = regexp.MustCompile(`\((-?\d+)\) : `)
	progInMessage = regexp.MustCompile(`\[[^\]]*(haproxy|goproxy)\.main\(\)\]`)
)

// normaliseStderr masks what legitimately differs in start-up messages:
// pids, version notices, the program's path.
func normaliseStderr(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, " version is ") || strings.Contains(l, "path to executable is") {
			continue
		}
		l = pidInMessage.ReplaceAllString(l, "(PID) : ")
		l = progInMessage.ReplaceAllString(l, "[PROG.main()]")
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// writeFile writes a test file or fails.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
