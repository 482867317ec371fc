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

// A listener that runs out of descriptors pauses and accepts again once
// some are freed, as haproxy's does (it logs "reached process FD limit"
// and retries 100 ms later); it must not stop accepting for good.
func TestAcceptSurvivesFDExhaustion(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit (util-linux) not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "goproxy")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
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
	deadline := time.Now().Add(5 * time.Second)
	for get() != nil {
		if time.Now().After(deadline) {
			t.Fatal("goproxy did not answer")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Hold more connections than the process has descriptors.
	var held []net.Conn
	for i := 0; i < 80; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		held = append(held, c)
	}
	sawLimit := false
	wait := time.After(3 * time.Second)
	for !sawLimit {
		select {
		case l := <-lines:
			sawLimit = strings.Contains(l, "reached process FD limit (maxsock=")
		case <-wait:
			t.Fatal("no \"reached process FD limit\" log line while descriptors ran out")
		}
	}
	for _, c := range held {
		c.Close()
	}
	deadline = time.Now().Add(5 * time.Second)
	for {
		err := get()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer after the descriptors were freed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
