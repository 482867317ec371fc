package compattests

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"goha/internal/topo"
)

// The tutorial's load balancer, run on its own addresses: master
// 192.168.13.128 in front of real-server1 (.133) and real-server2 (.137)
// running nginx with the tutorial's pages. haproxy 2.6 runs the mechanical
// modern rewrite (testdata/check/haproxy/02-tutorial-modern.cfg, it refuses
// the original); goproxy runs testdata/seed/haproxy.cfg unchanged.

const (
	rs1Page = "this is first real-server\n"
	rs2Page = "this is second real-server\n"
)

type tutorialNet struct {
	tp       *topo.Topology
	rs1, rs2 *topo.Nginx
}

func buildTutorial(t *testing.T) *tutorialNet {
	t.Helper()
	if err := topo.Available(); err != nil {
		t.Skip(err)
	}
	for _, b := range []string{"nginx", "curl"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed (apt-get install %s)", b, b)
		}
	}
	hosts, err := os.ReadFile("../testdata/seed/hosts")
	if err != nil {
		t.Fatal(err)
	}
	tp, err := topo.Build(topo.Tutorial(string(hosts)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tp.Close() })
	n := &tutorialNet{tp: tp}
	if n.rs1, err = tp.Hosts["real-server1"].StartNginx(80, rs1Page); err != nil {
		t.Fatal(err)
	}
	if n.rs2, err = tp.Hosts["real-server2"].StartNginx(80, rs2Page); err != nil {
		t.Fatal(err)
	}
	return n
}

// proxyRun is a proxy process on master, with its stderr lines timestamped.
type proxyRun struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []stampedLine
}

type stampedLine struct {
	at   time.Time
	text string
}

func (p *proxyRun) waitLine(sub string, after time.Time, limit time.Duration) (stampedLine, bool) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		for _, l := range p.lines {
			if l.at.After(after) && strings.Contains(l.text, sub) {
				p.mu.Unlock()
				return l, true
			}
		}
		p.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	return stampedLine{}, false
}

// startProxy writes cfg to master's /etc/haproxy/haproxy.cfg and runs bin
// with the extra args, capturing stderr.
func (n *tutorialNet) startProxy(t *testing.T, bin, cfg string, args ...string) *proxyRun {
	t.Helper()
	master := n.tp.Hosts["master"]
	if err := master.WriteFile("/etc/haproxy/haproxy.cfg", cfg); err != nil {
		t.Fatal(err)
	}
	p := &proxyRun{cmd: master.Command(bin, append([]string{"-f", "/etc/haproxy/haproxy.cfg"}, args...)...)}
	stderr, _ := p.cmd.StderrPipe()
	if err := master.Start(p.cmd); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, stampedLine{time.Now(), sc.Text()})
			p.mu.Unlock()
		}
	}()
	client := n.tp.Hosts["client"]
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if out, err := client.Output("curl", "-s", "-m1", "-o", "/dev/null", "-w", "%{http_code}", "http://"+topo.MasterAddr+"/"); err == nil && out == "200" {
			return p
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not start serving on master:80", filepath.Base(bin))
	return nil
}

// stopProxy ends the proxy: the daemon named by the pid file, and the
// process we started; it waits until port 80 is free again.
func (n *tutorialNet) stopProxy(t *testing.T, p *proxyRun) {
	master := n.tp.Hosts["master"]
	if b, err := os.ReadFile(master.Path("/var/run/haproxy.pid")); err == nil {
		var pid int
		fmt.Sscan(string(b), &pid)
		if pid > 0 {
			syscall.Kill(pid, syscall.SIGTERM)
			for i := 0; i < 200 && syscall.Kill(pid, 0) == nil; i++ {
				time.Sleep(10 * time.Millisecond)
			}
		}
		os.Remove(master.Path("/var/run/haproxy.pid"))
	}
	if p.cmd.Process != nil {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		p.cmd.Wait()
	}
	for i := 0; i < 200; i++ {
		if out, _ := master.Output("ss", "-Hltn", "sport = :80"); strings.TrimSpace(out) == "" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("port 80 on master still busy after stopping the proxy")
}

// browse fetches path n times from the client host and names the real
// server of each answer.
func (n *tutorialNet) browse(t *testing.T, path string, count int) []string {
	client := n.tp.Hosts["client"]
	var who []string
	for i := 0; i < count; i++ {
		out, err := client.Output("curl", "-s", "-m5", "http://"+topo.MasterAddr+path)
		if err != nil {
			t.Fatalf("request %d to %s: %v %s", i, path, err, out)
		}
		switch out {
		case rs1Page:
			who = append(who, "real-server1")
		case rs2Page:
			who = append(who, "real-server2")
		default:
			who = append(who, fmt.Sprintf("%q", out))
		}
	}
	return who
}

func needBinaries(t *testing.T) (haproxyBin, goproxyBin string) {
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Skip("haproxy not installed (apt-get install haproxy)")
	}
	if bin := os.Getenv("GOHA_GOPROXY"); bin != "" {
		return "haproxy", bin // a prebuilt goproxy under test
	}
	return "haproxy", buildGoproxy(t)
}

// TestTutorialTraffic: ten requests from the client alternate the real
// servers in haproxy 2.6's order, and /index.html takes the acl route.
func TestTutorialTraffic(t *testing.T) {
	hap, gop := needBinaries(t)
	n := buildTutorial(t)
	seed, _ := os.ReadFile("../testdata/seed/haproxy.cfg")
	modern, _ := os.ReadFile("../testdata/check/haproxy/02-tutorial-modern.cfg")

	results := map[string][2][]string{}
	for _, run := range []struct {
		name, bin, cfg string
	}{{"haproxy", hap, string(modern)}, {"goproxy", gop, string(seed)}} {
		// startProxy's readiness probe is one request for both, so the
		// sequences are comparable.
		p := n.startProxy(t, run.bin, run.cfg)
		results[run.name] = [2][]string{n.browse(t, "/", 10), n.browse(t, "/index.html", 4)}
		n.stopProxy(t, p)
	}
	h, g := results["haproxy"], results["goproxy"]
	t.Logf("haproxy /: %v", h[0])
	t.Logf("goproxy /: %v", g[0])
	if strings.Join(h[0], " ") != strings.Join(g[0], " ") {
		t.Errorf("order of real servers differs:\n haproxy %v\n goproxy %v", h[0], g[0])
	}
	if strings.Join(h[1], " ") != strings.Join(g[1], " ") {
		t.Errorf("/index.html (acl html) differs:\n haproxy %v\n goproxy %v", h[1], g[1])
	}
	alternating := true
	for i := 1; i < len(g[0]); i++ {
		if g[0][i] == g[0][i-1] {
			alternating = false
		}
	}
	if !alternating {
		t.Errorf("goproxy does not alternate: %v", g[0])
	}
}

// loadLoop sends requests from the client at rate per second until stop,
// counting answers that are not 200.
type loadLoop struct {
	stop     chan struct{}
	done     chan struct{}
	sent     int
	failures []string
}

func (n *tutorialNet) startLoad(rate int) *loadLoop {
	l := &loadLoop{stop: make(chan struct{}), done: make(chan struct{})}
	client := n.tp.Hosts["client"]
	go func() {
		defer close(l.done)
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-tick.C:
			}
			out, err := client.Output("curl", "-s", "-m5", "-o", "/dev/null", "-w", "%{http_code}", "http://"+topo.MasterAddr+"/")
			l.sent++
			if err != nil || out != "200" {
				l.failures = append(l.failures, fmt.Sprintf("%s %v", out, err))
			}
		}
	}()
	return l
}

func (l *loadLoop) finish() { close(l.stop); <-l.done }

// maskCheckLine hides what legitimately varies in a state-change line: the
// pid and the check duration.
func maskCheckLine(s string) string {
	s = reStatePid.ReplaceAllString(s, "(PID)")
	return reDuration.ReplaceAllString(s, "check duration: Nms")
}

var (
	reStatePid = regexp.MustCompile(`\(\d+\)`)
	reDuration = regexp.MustCompile(`check duration: \d+ms`)
)

// TestTutorialFailover: under a steady 20 req/s, real-server1's nginx is
// stopped and started again. No request fails (retries + redispatch),
// http1 goes DOWN after fall 2 checks at inter 1s and UP after rise 2, the
// lines read as haproxy's, and the delays fall in haproxy's windows,
// measured in the same run.
func TestTutorialFailover(t *testing.T) {
	hap, gop := needBinaries(t)
	n := buildTutorial(t)
	seed, _ := os.ReadFile("../testdata/seed/haproxy.cfg")
	modern, _ := os.ReadFile("../testdata/check/haproxy/02-tutorial-modern.cfg")
	type figures struct {
		down, up         time.Duration
		downLine, upLine string
		sent, failed     int
	}
	got := map[string]figures{}
	for _, run := range []struct{ name, bin, cfg string }{{"haproxy", hap, string(modern)}, {"goproxy", gop, string(seed)}} {
		p := n.startProxy(t, run.bin, run.cfg, "-db")
		load := n.startLoad(20)
		time.Sleep(1500 * time.Millisecond)
		t0 := time.Now()
		n.rs1.Stop()
		down, okDown := p.waitLine("Server httpservers/http1 is DOWN", t0, 10*time.Second)
		time.Sleep(500 * time.Millisecond)
		t1 := time.Now()
		if err := n.rs1.Start(); err != nil {
			t.Fatal(err)
		}
		up, okUp := p.waitLine("Server httpservers/http1 is UP", t1, 10*time.Second)
		time.Sleep(500 * time.Millisecond)
		load.finish()
		n.stopProxy(t, p)
		if !okDown || !okUp {
			t.Fatalf("%s: DOWN seen %v, UP seen %v; stderr: %v", run.name, okDown, okUp, p.lines)
		}
		got[run.name] = figures{down.at.Sub(t0), up.at.Sub(t1), maskCheckLine(down.text), maskCheckLine(up.text), load.sent, len(load.failures)}
		if len(load.failures) > 0 {
			t.Errorf("%s: %d of %d requests failed: %v", run.name, len(load.failures), load.sent, load.failures)
		}
	}
	h, g := got["haproxy"], got["goproxy"]
	t.Logf("haproxy: DOWN after %v, UP after %v, %d requests, %d failed", h.down, h.up, h.sent, h.failed)
	t.Logf("goproxy: DOWN after %v, UP after %v, %d requests, %d failed", g.down, g.up, g.sent, g.failed)
	if h.downLine != g.downLine {
		t.Errorf("DOWN line differs:\n haproxy %s\n goproxy %s", h.downLine, g.downLine)
	}
	if h.upLine != g.upLine {
		t.Errorf("UP line differs:\n haproxy %s\n goproxy %s", h.upLine, g.upLine)
	}
	// With inter 1s and fall/rise 2, both detect within (1 s, 2 s] plus a
	// check's own time; ours must land in the same window as haproxy's.
	window := func(d time.Duration) bool { return d > 900*time.Millisecond && d < 2300*time.Millisecond }
	if window(h.down) && !window(g.down) {
		t.Errorf("goproxy DOWN after %v, haproxy after %v", g.down, h.down)
	}
	if window(h.up) && !window(g.up) {
		t.Errorf("goproxy UP after %v, haproxy after %v", g.up, h.up)
	}
}
