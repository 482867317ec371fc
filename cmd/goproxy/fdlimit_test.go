package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A listener that runs out of descriptors logs it and accepts again once
// some are freed; it must not stop accepting for good. haproxy 2.6 run
// the same way logs "Proxy fe reached process FD limit (maxsock=2017).
// Please check 'ulimit-n' and restart." and retries 100 ms later: the
// line goproxy logs must be haproxy's, byte for byte.
func TestAcceptSurvivesFDExhaustion(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit (util-linux) not installed")
	}
	bin := filepath.Join(t.TempDir(), "goproxy")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	got := exhaustDescriptors(t, prlimit, bin)
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Log("haproxy not installed: goproxy's line is not compared")
		return
	}
	if want := exhaustDescriptors(t, prlimit, haproxy); got != want {
		t.Errorf("limit log line\n goproxy: %q\n haproxy: %q", got, want)
	}
}

// exhaustDescriptors runs bin under a 48-descriptor limit, holds 80
// client connections, and returns the first "reached ... limit" line it
// logs; it fails the test unless bin answers again once they close.
func exhaustDescriptors(t *testing.T, prlimit, bin string) string {
	t.Helper()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := filepath.Join(dir, "h.cfg")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`global
    maxconn 1000
    no strict-limits
defaults
    mode http
    timeout client 10s
    timeout connect 1s
    timeout server 10s
frontend fe
    bind %s
    log stderr format raw local0 debug
    http-request return status 200 content-type text/plain string ok
`, addr)), 0o644)
	cmd := exec.Command(prlimit, "--nofile=48:48", bin, "-f", cfg, "-db")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	get := func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Second))
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "HTTP/1.1 200") {
			return fmt.Errorf("status line %q", line)
		}
		return nil
	}
	answers := func(what string) {
		deadline := time.Now().Add(5 * time.Second)
		for {
			err := get()
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no answer %s: %v", filepath.Base(bin), what, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	answers("at start")
	// Hold more connections than the process has descriptors.
	var held []net.Conn
	for i := 0; i < 80; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		held = append(held, c)
	}
	limit := ""
	wait := time.After(3 * time.Second)
	for limit == "" {
		select {
		case l := <-lines:
			if strings.Contains(l, " reached ") {
				limit = l
			}
		case <-wait:
			t.Fatalf("%s: no \"reached ... limit\" log line while descriptors ran out", filepath.Base(bin))
		}
	}
	for _, c := range held {
		c.Close()
	}
	answers("after the descriptors were freed")
	return limit
}
