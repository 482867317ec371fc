package topo

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func build(t *testing.T, spec Spec) *Topology {
	t.Helper()
	if err := Available(); err != nil {
		t.Skip(err)
	}
	tp, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tp.Close(); err != nil {
			t.Error(err)
		}
	})
	return tp
}

func TestTutorialTopology(t *testing.T) {
	if _, err := exec.LookPath("ping"); err != nil {
		t.Skip("ping not installed (apt-get install iputils-ping)")
	}
	hosts, err := os.ReadFile("../../testdata/seed/hosts")
	if err != nil {
		t.Fatal(err)
	}
	tp := build(t, Tutorial(string(hosts)))
	master, backup := tp.Hosts["master"], tp.Hosts["backup"]

	// The segment works: master reaches both real servers by the tutorial's
	// names, which resolve through the tutorial's /etc/hosts.
	for _, name := range []string{"real-server1", "real-server2", "backup"} {
		if out, err := master.Output("ping", "-c1", "-W2", name); err != nil {
			t.Fatalf("ping %s from master: %v\n%s", name, err, out)
		}
	}
	if out, _ := master.Output("ip", "-o", "addr", "show", "dev", "ens33"); !strings.Contains(out, MasterAddr+"/24") {
		t.Fatalf("master ens33 lacks %s: %s", MasterAddr, out)
	}

	// Each host has its own /etc/haproxy: a file written in master is not
	// seen by backup nor by the machine itself.
	if err := master.WriteFile("/etc/haproxy/haproxy.cfg", "global\n"); err != nil {
		t.Fatal(err)
	}
	if out, err := master.Output("cat", "/etc/haproxy/haproxy.cfg"); err != nil || out != "global\n" {
		t.Fatalf("master cannot read its own file: %q %v", out, err)
	}
	if _, err := os.Stat(backup.Path("/etc/haproxy/haproxy.cfg")); err == nil {
		t.Fatal("backup sees master's /etc/haproxy")
	}
	if out, err := backup.Output("cat", "/etc/hosts"); err != nil || out != string(hosts) {
		t.Fatalf("backup's /etc/hosts is not the tutorial's: %q %v", out, err)
	}

	// Cutting master's link isolates it.
	if err := master.SetLink(false); err != nil {
		t.Fatal(err)
	}
	if _, err := master.Output("ping", "-c1", "-W1", "backup"); err == nil {
		t.Fatal("ping succeeded over a cut link")
	}
}

func TestCloseRemovesEverything(t *testing.T) {
	if err := Available(); err != nil {
		t.Skip(err)
	}
	tp, err := Build(Spec{Hosts: []HostSpec{{Name: "a", Addrs: []string{"10.250.0.1/24"}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tp.Close() })
	a := tp.Hosts["a"]
	// A daemon that detaches from the command we started must go too.
	if err := a.Run("sh", "-c", "setsid sleep 300 >/dev/null 2>&1 &"); err != nil {
		t.Fatal(err)
	}
	sleeper := a.Command("sleep", "300")
	if err := a.Start(sleeper); err != nil {
		t.Fatal(err)
	}
	names := []string{a.NS, tp.Bridge}
	// nsenter joins the namespace just after it starts: wait for it.
	var pids []int
	for i := 0; i < 200 && len(pids) < 3; i++ {
		time.Sleep(5 * time.Millisecond)
		pids = pidsIn(a.NS)
	}
	if len(pids) < 3 {
		t.Fatalf("expected holder and two sleepers in %s, got %v", a.NS, pids)
	}
	if err := tp.Close(); err != nil {
		t.Fatal(err)
	}
	for _, ns := range names {
		if _, err := os.Stat("/run/netns/" + ns); err == nil {
			t.Errorf("namespace %s left behind", ns)
		}
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err == nil {
			if st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); !strings.Contains(string(st), ") Z ") {
				t.Errorf("process %d survived Close", pid)
			}
		}
	}
	if err := tp.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestNginxRealServer(t *testing.T) {
	if _, err := exec.LookPath("nginx"); err != nil {
		t.Skip("nginx not installed")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	tp := build(t, Tutorial("127.0.0.1 localhost\n"))
	rs1, client := tp.Hosts["real-server1"], tp.Hosts["client"]
	ng, err := rs1.StartNginx(80, "this is first real-server\n")
	if err != nil {
		t.Fatal(err)
	}
	out, err := client.Output("curl", "-s", "-i", "http://"+RS1Addr+"/")
	if err != nil {
		t.Fatalf("curl: %v %s", err, out)
	}
	if !strings.HasSuffix(out, "\r\n\r\nthis is first real-server\n") || !strings.Contains(out, "Connection: close") {
		t.Fatalf("unexpected answer from nginx (want the tutorial's page, keepalive_timeout 0):\n%s", out)
	}
	if err := ng.Stop(); err != nil {
		t.Fatal(err)
	}
	if out, err := client.Output("curl", "-s", "-m2", "http://"+RS1Addr+"/"); err == nil {
		t.Fatalf("nginx still answers after Stop: %s", out)
	}
	if err := ng.Start(); err != nil {
		t.Fatal(err)
	}
	if out, err := client.Output("curl", "-s", "http://"+RS1Addr+"/"); err != nil || out != "this is first real-server\n" {
		t.Fatalf("after restart: %q %v", out, err)
	}
}

func TestPathResolvesLinksInsideHost(t *testing.T) {
	tp := build(t, Spec{Hosts: []HostSpec{{Name: "a", Private: []string{"/run"}}}})
	a := tp.Hosts["a"]
	// /var/run is a link to /run; a file written through it must land in
	// the host's private /run, not the machine's.
	if err := a.WriteFile("/var/run/topo-test.pid", "42\n"); err != nil {
		t.Fatal(err)
	}
	if out, err := a.Output("cat", "/run/topo-test.pid"); err != nil || out != "42\n" {
		t.Fatalf("inside the host: %q %v", out, err)
	}
	if _, err := os.Stat("/run/topo-test.pid"); err == nil {
		os.Remove("/run/topo-test.pid")
		t.Fatal("the file went to the machine's /run")
	}
}

// CloseAll removes every topology not closed yet (a test binary about to
// be ended by go test's -timeout), and later Builds are refused.
func TestCloseAll(t *testing.T) {
	if err := Available(); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() {
		live.mu.Lock()
		live.closed = false // for the tests after this one
		live.mu.Unlock()
	})
	var names []string
	for i := 0; i < 2; i++ {
		tp, err := Build(Spec{Hosts: []HostSpec{{Name: "a", Addrs: []string{fmt.Sprintf("10.250.%d.1/24", i)}}}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tp.Close() })
		names = append(names, tp.Hosts["a"].NS, tp.Bridge)
	}
	if err := CloseAll(); err != nil {
		t.Fatal(err)
	}
	for _, ns := range names {
		if _, err := os.Stat("/run/netns/" + ns); err == nil {
			t.Errorf("namespace %s left behind", ns)
		}
	}
	if tp, err := Build(Spec{Hosts: []HostSpec{{Name: "a"}}}); err == nil {
		tp.Close()
		t.Fatal("Build after CloseAll succeeded")
	}
}
