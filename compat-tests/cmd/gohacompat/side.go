package main

import (
	"bytes"
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

// side is one implementation running the user's configuration on
// loopback, with its stand-in backends and its log collector.
type side struct {
	name   string // "haproxy" or "goproxy"
	bin    string
	plan   loopbackPlan
	cfg    string // path of the rewritten configuration
	echos  []*echoServer
	sink   *syslogSink
	cmd    *exec.Cmd
	stderr bytes.Buffer
	exited chan struct{}
}

// startSide writes cfgText (after the loopback rewrite) into dir and runs
// "bin -db -f FILE" in cfgDir, the user's configuration directory, so that
// relative paths (errorfiles, certificates, maps) resolve as in production.
func startSide(name, bin, cfgText, cfgDir, dir string, ports func() int) (*side, error) {
	s := &side{name: name, bin: bin, exited: make(chan struct{})}
	var err error
	if s.sink, err = startSyslog(); err != nil {
		return s, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return s, err
	}
	s.plan = loopbackRewrite(cfgText, dir, s.sink.port(), ports)
	s.cfg = filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(s.cfg, []byte(s.plan.Config), 0o644); err != nil {
		return s, err
	}
	for _, sv := range s.plan.Servers {
		e, err := startEcho(sv.Name, sv.Port)
		if err != nil {
			return s, err
		}
		s.echos = append(s.echos, e)
	}
	s.cmd = exec.Command(bin, "-db", "-f", s.cfg)
	s.cmd.Dir = cfgDir
	s.cmd.Stdout, s.cmd.Stderr = &s.stderr, &s.stderr
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return s, err
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for _, l := range s.plan.Listeners {
		for {
			select {
			case <-s.exited:
				return s, fmt.Errorf("%s exited at start-up (%v):\n%s", name, s.cmd.ProcessState, s.stderr.String())
			default:
			}
			// Readiness is read from the kernel's socket table, not probed
			// with a connection: haproxy logs an empty connection.
			if listening(l.Port) {
				break
			}
			if time.Now().After(deadline) {
				return s, fmt.Errorf("%s does not listen on %s (bind %s) after 10 s:\n%s", name, "127.0.0.1:"+strconv.Itoa(l.Port), l.Original, s.stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return s, nil
}

// stop ends the proxy (SIGTERM to its process group, then SIGKILL) and the
// stand-in backends.
func (s *side) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		select {
		case <-s.exited:
		default:
			syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(3 * time.Second):
				syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
				<-s.exited
			}
		}
	}
	for _, e := range s.echos {
		e.close()
	}
	if s.sink != nil {
		s.sink.pc.Close()
	}
}

// freePorts hands out loopback ports that are free now.
func freePorts() func() int {
	used := map[int]bool{}
	return func() int {
		for {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				panic(err)
			}
			p := ln.Addr().(*net.TCPAddr).Port
			ln.Close()
			if !used[p] {
				used[p] = true
				return p
			}
		}
	}
}

// listening reports whether a TCP socket listens on 127.0.0.1:port (or
// any address), from /proc/net/tcp.
func listening(port int) bool {
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return false
	}
	want := fmt.Sprintf(":%04X", port)
	for _, line := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) > 3 && f[3] == "0A" && strings.HasSuffix(f[1], want) {
			return true
		}
	}
	return false
}
