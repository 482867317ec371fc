package capture

// This file regenerates vrrp/testdata/golden from the real keepalived 2.2.7:
//
//	go test ./vrrp/internal/capture -run TestCaptureGolden -update -v
//
// It needs root, ip(8), tcpdump and keepalived. Each scenario builds two
// network namespaces joined by a veth pair whose ends are both called ens33
// (the tutorial's interface), runs keepalived in the first ("lb1",
// 192.168.13.128) and optionally in the second ("lb2", 192.168.13.129),
// captures every VRRP/ARP/ICMPv6 frame on lb2's end with tcpdump, and stores
// the capture, keepalived's console logs and the wall-clock times of the
// actions the scenario took (start, SIGTERM) so that tests can measure the
// time from start to the first MASTER advert.

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "capture golden files from the real keepalived (needs root)")

// goldenDir is where the captures live, relative to this package.
const goldenDir = "../../testdata/golden"

// Fixed link addresses so that captured frames (GARP sender MAC, IPv6
// link-local source) are reproducible and can be rebuilt by our codec.
const (
	macLB1 = "02:00:c0:a8:0d:80"
	macLB2 = "02:00:c0:a8:0d:81"
)

// Event is one action the harness took, with its wall-clock time.
type Event struct {
	What string    `json:"what"`
	Time time.Time `json:"time"`
}

// step is one action of a scenario, taken at offset after the scenario began.
type step struct {
	at   time.Duration
	what string // "start lb1", "start lb2", "stop lb1", "stop lb2"
}

type scenario struct {
	name  string
	conf1 string // config for lb1 (path relative to goldenDir/conf or ../../../testdata/seed)
	conf2 string // config for lb2, optional
	ipv6  bool
	steps []step
	end   time.Duration
}

func scenarios() []scenario {
	seed := "../../../testdata/seed/"
	conf := goldenDir + "/conf/"
	single := func(name, cfg string, ipv6 bool) scenario {
		return scenario{name: name, conf1: cfg, ipv6: ipv6,
			steps: []step{{0, "start lb1"}, {11 * time.Second, "stop lb1"}}, end: 12500 * time.Millisecond}
	}
	return []scenario{
		single("v2-master", seed+"keepalived-master.conf", false),
		single("v3-master", conf+"v3-master.conf", false),
		single("v3-fast", conf+"v3-fast.conf", false),
		single("v3-ipv6", conf+"v3-ipv6.conf", true),
		single("v2-unicast", conf+"v2-unicast.conf", false),
		single("v3-unicast", conf+"v3-unicast.conf", false),
		// VRRPv3 pair with different intervals: the backup adopts the
		// master's 1 s, takes over after a skew computed with it, then
		// returns to its own 2 s; the master comes back and preempts.
		{name: "v3-pair", conf1: conf + "v3-master.conf", conf2: conf + "v3-backup-2s.conf",
			steps: []step{
				{0, "start lb2"}, {500 * time.Millisecond, "start lb1"},
				{9 * time.Second, "stop lb1"}, {14 * time.Second, "start lb1"},
				{22 * time.Second, "stop lb1"}, {26 * time.Second, "stop lb2"},
			}, end: 27 * time.Second},
		// Tracking: lb1's chk_weight (-60) fails, so the preempting
		// backup (50) takes over; it recovers and lb1 preempts back; then
		// chk_fault (weight 0) fails: FAULT; then it recovers.
		{name: "v2-track", conf1: conf + "v2-track.conf", conf2: conf + "v2-backup-preempt.conf",
			steps: []step{
				{0, "start lb2"}, {500 * time.Millisecond, "start lb1"},
				{8 * time.Second, "fail weight"}, {15 * time.Second, "restore weight"},
				{23 * time.Second, "fail fault"}, {27 * time.Second, "restore fault"},
				{34 * time.Second, "stop lb1"}, {36 * time.Second, "stop lb2"},
			}, end: 37 * time.Second},
		// Split brain: VRRP between the two is cut (each side's egress
		// drops protocol 112, so the capture sees what each side
		// received), the backup becomes MASTER too, then the link heals.
		{name: "v2-split", conf1: seed + "keepalived-master.conf", conf2: seed + "keepalived-backup.conf",
			steps: []step{
				{0, "start lb2"}, {500 * time.Millisecond, "start lb1"},
				{7 * time.Second, "cut both"}, {14 * time.Second, "heal both"},
				{17 * time.Second, "stop lb1"}, {19 * time.Second, "stop lb2"},
			}, end: 20 * time.Second},
		{name: "v2-owner", conf1: conf + "v2-owner.conf",
			steps: []step{{0, "start lb1"}, {3 * time.Second, "stop lb1"}}, end: 4 * time.Second},
		// The tutorial's pair: master (100) and nopreempt backup (50).
		// Master stops (priority-0 advert, backup takes over after its
		// skew), then master comes back and preempts.
		{name: "v2-pair", conf1: seed + "keepalived-master.conf", conf2: seed + "keepalived-backup.conf",
			steps: []step{
				{0, "start lb2"}, {500 * time.Millisecond, "start lb1"},
				{9 * time.Second, "stop lb1"}, {13 * time.Second, "start lb1"},
				{21 * time.Second, "stop lb1"}, {23 * time.Second, "stop lb2"},
			}, end: 24 * time.Second},
	}
}

func TestCaptureGolden(t *testing.T) {
	if !*update {
		t.Skip("golden capture runs only with -update")
	}
	if os.Geteuid() != 0 {
		t.Skip("golden capture needs root for network namespaces")
	}
	for _, tool := range []string{"ip", "tcpdump", "keepalived"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("golden capture needs %s: %v", tool, err)
		}
	}
	// Run the harness (and so tcpdump and the console readers) ahead of
	// the other work on a shared machine; keepalived gets the same below.
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, 0, -15); err != nil {
		t.Logf("renice: %v", err)
	}
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

func run(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// setupNamespaces creates lb1 and lb2 namespaces joined by a veth pair and
// returns their names. Both ends are renamed ens33.
func setupNamespaces(t *testing.T, ipv6 bool) (ns1, ns2 string) {
	id := strconv.Itoa(os.Getpid())
	ns1, ns2 = "gohavrrp1-"+id, "gohavrrp2-"+id
	for _, ns := range []string{ns1, ns2} {
		run(t, "ip", "netns", "add", ns)
		ns := ns
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	}
	v1, v2 := "gvr1"+id, "gvr2"+id
	run(t, "ip", "link", "add", v1, "type", "veth", "peer", "name", v2)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", v1).Run() })
	for _, c := range []struct{ ns, dev, mac, v4, v6 string }{
		{ns1, v1, macLB1, "192.168.13.128/24", "2001:db8:13::128/64"},
		{ns2, v2, macLB2, "192.168.13.129/24", "2001:db8:13::129/64"},
	} {
		run(t, "ip", "link", "set", c.dev, "netns", c.ns)
		x := []string{"ip", "netns", "exec", c.ns}
		run(t, append(x, "ip", "link", "set", c.dev, "name", "ens33")...)
		run(t, append(x, "ip", "link", "set", "ens33", "address", c.mac)...)
		run(t, append(x, "sysctl", "-qw", "net.ipv6.conf.ens33.accept_dad=0")...)
		run(t, append(x, "ip", "link", "set", "lo", "up")...)
		run(t, append(x, "ip", "addr", "add", c.v4, "dev", "ens33")...)
		if ipv6 {
			run(t, append(x, "ip", "addr", "add", c.v6, "dev", "ens33", "nodad")...)
		}
		run(t, append(x, "ip", "link", "set", "ens33", "up")...)
	}
	return ns1, ns2
}

type keepalived struct {
	cmd     *exec.Cmd
	vrrpPID string
	log     *os.File
	times   *os.File
	lines   chan struct{} // closed when the console pipe is drained
}

// startKeepalived runs keepalived in ns. Its console log goes to logPath
// verbatim, and each line also to logPath's ".times" sibling prefixed with
// the nanosecond time we read it: keepalived's own timestamps have a
// resolution of one second, too coarse to tell when it armed a timer.
func startKeepalived(t *testing.T, ns, conf, logPath string) *keepalived {
	dir := t.TempDir()
	open := func(p string) *os.File {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	k := &keepalived{vrrpPID: filepath.Join(dir, "vrrp.pid"), log: open(logPath),
		times: open(strings.TrimSuffix(logPath, ".log") + ".times"), lines: make(chan struct{})}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// nice -15: the machine is shared, and a starved keepalived would
	// record scheduling delays instead of its timers. nice and ip netns
	// exec both exec, so the PID is keepalived's.
	k.cmd = exec.Command("nice", "-n", "-15", "ip", "netns", "exec", ns, "keepalived", "-n", "-l", "-D", "-f", conf,
		"-p", filepath.Join(dir, "keepalived.pid"), "-r", k.vrrpPID, "-c", filepath.Join(dir, "checkers.pid"))
	k.cmd.Stdout, k.cmd.Stderr = pw, pw
	if err := k.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	go func() {
		defer close(k.lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			now := time.Now().UnixNano()
			fmt.Fprintf(k.log, "%s\n", sc.Text())
			fmt.Fprintf(k.times, "%d %s\n", now, sc.Text())
		}
		pr.Close()
	}()
	t.Cleanup(func() { k.kill() })
	return k
}

// stop sends SIGTERM to keepalived's parent (ip netns exec execs it, so the
// PID is keepalived's) and waits for it to exit.
func (k *keepalived) stop(t *testing.T) {
	if k.cmd.ProcessState != nil {
		return
	}
	_ = k.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = k.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Errorf("keepalived %d did not stop within 5s", k.cmd.Process.Pid)
		k.kill()
		<-done
	}
	select {
	case <-k.lines:
	case <-time.After(5 * time.Second):
		t.Errorf("keepalived %d: console still open 5s after exit", k.cmd.Process.Pid)
	}
	k.log.Close()
	k.times.Close()
}

// kill is the cleanup path: SIGKILL the parent and the VRRP child by PID.
func (k *keepalived) kill() {
	if b, err := os.ReadFile(k.vrrpPID); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 1 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if k.cmd.ProcessState == nil {
		_ = k.cmd.Process.Kill()
		_, _ = k.cmd.Process.Wait()
	}
}

// startTcpdump captures on lb2's ens33 and returns once tcpdump is listening.
func startTcpdump(t *testing.T, ns, out string) (stop func()) {
	cmd := exec.Command("ip", "netns", "exec", ns, "tcpdump", "-i", "ens33", "-U", "-n",
		"--time-stamp-precision=nano", "-s", "0", "-w", out,
		"ip proto 112 or ip6 proto 112 or arp or icmp6")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			if !once && strings.Contains(sc.Text(), "listening on") {
				once = true
				close(listening)
			}
		}
	}()
	select {
	case <-listening:
	case <-time.After(5 * time.Second):
		t.Fatal("tcpdump did not start listening")
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGINT)
		_ = cmd.Wait()
	}
	t.Cleanup(stop)
	return stop
}

// checkScript is the tracked script of the templated configs: it succeeds
// while the file named by its argument exists in its directory, and logs
// each run with a nanosecond timestamp so tests know when keepalived saw a
// change.
const checkScript = `#!/bin/sh
if [ -e "@DIR@/$1" ]; then r=0; else r=1; fi
echo "$(date +%s%N) $1 $r" >> "@DIR@/script.log"
exit $r
`

func prepareScratch(t *testing.T) string {
	dir := t.TempDir()
	script := strings.ReplaceAll(checkScript, "@DIR@", dir)
	if err := os.WriteFile(filepath.Join(dir, "chk.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"weight", "fault"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runScenario(t *testing.T, sc scenario) {
	out := filepath.Join(goldenDir, sc.name)
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	ns1, ns2 := setupNamespaces(t, sc.ipv6)
	stopDump := startTcpdump(t, ns2, filepath.Join(out, "capture.pcap"))

	scratch := prepareScratch(t)
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(a)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "@DIR@") {
			return a
		}
		// Templated config: point the scripts at the scratch directory.
		tmp := filepath.Join(scratch, filepath.Base(a))
		if err := os.WriteFile(tmp, []byte(strings.ReplaceAll(string(b), "@DIR@", scratch)), 0o644); err != nil {
			t.Fatal(err)
		}
		return tmp
	}
	var events []Event
	running := map[string]*keepalived{}
	begin := time.Now()
	for _, st := range sc.steps {
		time.Sleep(time.Until(begin.Add(st.at)))
		verb, node, _ := strings.Cut(st.what, " ")
		switch verb {
		case "start":
			ns, conf := ns1, sc.conf1
			if node == "lb2" {
				ns, conf = ns2, sc.conf2
			}
			events = append(events, Event{What: st.what, Time: time.Now()})
			running[node] = startKeepalived(t, ns, abs(conf), filepath.Join(out, node+".log"))
		case "stop":
			events = append(events, Event{What: st.what, Time: time.Now()})
			running[node].stop(t)
			events = append(events, Event{What: node + " exited", Time: time.Now()})
		case "fail", "restore":
			events = append(events, Event{What: st.what, Time: time.Now()})
			f := filepath.Join(scratch, node)
			if verb == "fail" {
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(f, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		case "cut", "heal":
			// No tc actions (nor prio/netem) are available here, so
			// protocol 112 is classified into an htb class whose pfifo
			// holds 0 packets; everything else passes.
			for _, ns := range []string{ns1, ns2} {
				x := []string{"ip", "netns", "exec", ns, "tc"}
				if verb == "cut" {
					run(t, append(x, "qdisc", "add", "dev", "ens33", "root", "handle", "1:", "htb", "default", "10")...)
					for _, c := range []string{"1:10", "1:30"} {
						run(t, append(x, "class", "add", "dev", "ens33", "parent", "1:", "classid", c, "htb", "rate", "1gbit")...)
					}
					run(t, append(x, "qdisc", "add", "dev", "ens33", "parent", "1:30", "handle", "30:", "pfifo", "limit", "0")...)
					run(t, append(x, "filter", "add", "dev", "ens33", "parent", "1:", "protocol", "ip",
						"u32", "match", "ip", "protocol", "112", "0xff", "flowid", "1:30")...)
				} else {
					run(t, append(x, "qdisc", "del", "dev", "ens33", "root")...)
				}
			}
			events = append(events, Event{What: st.what, Time: time.Now()})
		default:
			t.Fatalf("bad step %q", st.what)
		}
	}
	time.Sleep(time.Until(begin.Add(sc.end)))
	stopDump()
	if b, err := os.ReadFile(filepath.Join(scratch, "script.log")); err == nil {
		if err := os.WriteFile(filepath.Join(out, "script.log"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	meta := struct {
		Scenario string  `json:"scenario"`
		Conf1    string  `json:"conf_lb1"`
		Conf2    string  `json:"conf_lb2,omitempty"`
		MAC1     string  `json:"mac_lb1"`
		MAC2     string  `json:"mac_lb2"`
		Events   []Event `json:"events"`
	}{sc.name, filepath.Base(sc.conf1), filepath.Base(sc.conf2), macLB1, macLB2, events}
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "events.json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(out, "capture.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d bytes captured, events %s", sc.name, fi.Size(), fmt.Sprint(events))
}
