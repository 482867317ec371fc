package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"goha/internal/topo"
)

type upOptions struct {
	binDir, seedDir  string
	once, noFailover bool
}

// demo is the running topology and what runs in it.
type demo struct {
	tp                   *topo.Topology
	goproxy, govrrpd     string
	self                 string
	master, backup       *topo.Host
	client               string // the client's namespace
	vrrp                 map[string]*vrrpProc
	vipMaster, vipBackup *vipWatch
	http                 *http.Client
	out                  *printer
}

// vrrpProc is govrrpd running on one balancer, with its console lines.
type vrrpProc struct {
	host *topo.Host
	cmd  *exec.Cmd
	done chan struct{}
}

func upMain(o upOptions) int {
	if err := topo.Available(); err != nil {
		fmt.Fprintf(os.Stderr, "goha-demo: %v\nRun it as root: sudo make demo\n", err)
		return 1
	}
	d := &demo{out: &printer{w: os.Stdout}}
	var err error
	if d.goproxy, err = binary(o.binDir, "goproxy"); err != nil {
		return fail(err)
	}
	if d.govrrpd, err = binary(o.binDir, "govrrpd"); err != nil {
		return fail(err)
	}
	if d.self, err = os.Executable(); err != nil {
		return fail(err)
	}
	seed := func(name string) string {
		b, rerr := os.ReadFile(filepath.Join(o.seedDir, name))
		if rerr != nil && err == nil {
			err = fmt.Errorf("%v (run the demo from the repository: make demo)", rerr)
		}
		return string(b)
	}
	hosts, hacfg := seed("hosts"), seed("haproxy.cfg")
	kaMaster, kaBackup := seed("keepalived-master.conf"), seed("keepalived-backup.conf")
	if err != nil {
		return fail(err)
	}
	if st, ok := readState(); (ok && isDemo(st.PID)) || len(demoNamespaces()) > 0 {
		return fail(errors.New("a demo is already running (or left over): run `make demo-down` first"))
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)

	spec := topo.Tutorial(hosts)
	spec.ID = demoID
	for i := range spec.Hosts {
		h := &spec.Hosts[i]
		switch h.Name {
		case "master", "backup":
			conf := kaMaster
			if h.Name == "backup" {
				conf = kaBackup
			}
			h.Files = map[string]string{
				"/etc/haproxy/haproxy.cfg":        hacfg,
				"/etc/keepalived/keepalived.conf": conf,
			}
			addHaproxyUser(h)
		}
	}
	d.out.say("goha demo: building the tutorial's network (namespaces %s*)...", nsPrefix)
	d.tp, err = topo.Build(spec)
	if err != nil {
		return fail(err)
	}
	var names []string
	for _, h := range spec.Hosts {
		names = append(names, d.tp.Hosts[h.Name].NS)
	}
	names = append(names, d.tp.Bridge)
	st := demoState{PID: os.Getpid(), Started: time.Now().UTC(), Namespaces: names}
	if err := writeState(st); err != nil {
		d.tp.Close()
		return fail(err)
	}
	teardown := func() {
		d.out.say("\ntearing down: stopping every process and deleting the namespaces...")
		if d.vipMaster != nil {
			d.vipMaster.close()
		}
		if d.vipBackup != nil {
			d.vipBackup.close()
		}
		if err := d.tp.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "goha-demo:", err)
		}
		os.Remove(stateFile)
		os.Remove(filepath.Dir(stateFile))
		if left := demoNamespaces(); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "goha-demo: namespaces left behind: %v (make demo-down)\n", left)
			return
		}
		d.out.say("done: nothing left behind.")
	}

	done := make(chan int, 1)
	go func() { done <- d.run(o, &st) }()
	select {
	case code := <-done:
		teardown()
		return code
	case s := <-sigs:
		d.out.say("\n%v received.", s)
		teardown()
		return 0
	}
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "goha-demo:", err)
	return 1
}

// binary finds goproxy or govrrpd in dir.
func binary(dir, name string) (string, error) {
	p, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s not found in %s: build it first (make build)", name, dir)
	}
	return p, nil
}

// addHaproxyUser gives a balancer the haproxy user and group its
// haproxy.cfg names (user haproxy / group haproxy) when this machine has
// none: installing the haproxy package creates them, and the tutorial
// installed it. The host sees a copy of /etc/passwd and /etc/group with
// the entries added; the machine's files are not touched.
func addHaproxyUser(h *topo.HostSpec) {
	if h.Overlays == nil {
		h.Overlays = map[string]string{}
	}
	if _, err := user.Lookup("haproxy"); err != nil {
		if b, err := os.ReadFile("/etc/passwd"); err == nil {
			h.Overlays["/etc/passwd"] = string(b) + "haproxy:x:64980:64980:goha demo:/var/lib/haproxy:/usr/sbin/nologin\n"
		}
	}
	if _, err := user.LookupGroup("haproxy"); err != nil {
		if b, err := os.ReadFile("/etc/group"); err == nil {
			h.Overlays["/etc/group"] = string(b) + "haproxy:x:64980:\n"
		}
	}
}

// run starts everything, shows the failover and waits; its result is the
// exit status.
func (d *demo) run(o upOptions, st *demoState) int {
	d.master, d.backup = d.tp.Hosts["master"], d.tp.Hosts["backup"]
	d.client = d.tp.Hosts["client"].NS
	d.http = clientIn(d.client, 2*time.Second)

	pages := map[string]string{"real-server1": "this is first real-server\n", "real-server2": "this is second real-server\n"}
	for _, name := range []string{"real-server1", "real-server2"} {
		h := d.tp.Hosts[name]
		cmd := h.Command(d.self, "webserver", "-listen", ":80", "-page", pages[name])
		cmd.Stderr = os.Stderr
		if err := h.Start(cmd); err != nil {
			return fail(err)
		}
		st.Pids = append(st.Pids, cmd.Process.Pid)
	}
	for _, addr := range []string{topo.RS1Addr, topo.RS2Addr} {
		if err := d.waitHTTP("http://" + addr + "/"); err != nil {
			return fail(fmt.Errorf("real server %s: %v", addr, err))
		}
	}
	d.out.say("real servers up: real-server1 %s and real-server2 %s (built-in web server, the tutorial's pages)", topo.RS1Addr, topo.RS2Addr)

	for _, h := range []*topo.Host{d.master, d.backup} {
		// The tutorial's command; haproxy.cfg says "daemon", so it forks
		// away and writes /var/run/haproxy.pid.
		out, err := h.Output(d.goproxy, "-f", "/etc/haproxy/haproxy.cfg")
		if err != nil {
			return fail(fmt.Errorf("goproxy on %s: %v\n%s", h.Name, err, out))
		}
		addr := topo.MasterAddr
		if h == d.backup {
			addr = topo.BackupAddr
		}
		if err := d.waitHTTP("http://" + addr + "/"); err != nil {
			return fail(fmt.Errorf("goproxy on %s does not answer: %v", h.Name, err))
		}
		d.out.say("goproxy up on %s (%s): goproxy -f /etc/haproxy/haproxy.cfg", h.Name, addr)
		if h == d.master && strings.TrimSpace(out) != "" {
			d.out.say("  it read the tutorial's file unchanged and said (as on backup):")
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				d.out.say("    %s", l)
			}
		}
	}
	_ = writeState(*st)

	vrrpOK := d.startVRRP(st)
	_ = writeState(*st)
	if vrrpOK && !o.noFailover {
		d.failover()
	}
	d.tryThis(vrrpOK)
	if o.once {
		return 0
	}
	d.out.say("\nThe demo stays up. Press Enter to show the failover again; Ctrl-C (or `make demo-down` elsewhere) tears everything down.")
	in := bufio.NewReader(os.Stdin)
	for {
		if _, err := in.ReadString('\n'); err != nil {
			// No terminal (stdin closed): wait for a signal.
			select {}
		}
		if vrrpOK {
			d.failover()
		}
		d.out.say("\nPress Enter to show the failover again; Ctrl-C tears everything down.")
	}
}

// waitHTTP waits until url answers from the client host.
func (d *demo) waitHTTP(url string) error {
	var err error
	for i := 0; i < 100; i++ {
		var code int
		if code, _, err = get(d.http, url); err == nil && code == 200 {
			return nil
		} else if err == nil {
			err = fmt.Errorf("status %d", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// startVRRP starts govrrpd on both balancers and waits for the VIP on
// master. When govrrpd cannot run, the demo says so, puts the VIP on
// master by hand so that browsing through it still works, and reports
// false (no failover to show).
func (d *demo) startVRRP(st *demoState) bool {
	var err error
	if d.vipMaster, err = newVIPWatch(d.master.NS, topo.Iface, topo.VIP); err == nil {
		d.vipBackup, err = newVIPWatch(d.backup.NS, topo.Iface, topo.VIP)
	}
	if err != nil {
		fail(err)
		return false
	}
	d.vrrp = map[string]*vrrpProc{}
	for _, h := range []*topo.Host{d.master, d.backup} {
		p, err := d.startGovrrpd(h)
		if err != nil {
			d.degrade(fmt.Sprintf("govrrpd did not start on %s: %v", h.Name, err))
			return false
		}
		st.Pids = append(st.Pids, p.cmd.Process.Pid)
		d.vrrp[h.Name] = p
	}
	d.out.say("govrrpd up on master and backup: govrrpd -n -l -f /etc/keepalived/keepalived.conf")
	if !waitFor(10*time.Second, d.vipMaster.has) {
		d.degrade("govrrpd did not put the VIP on master within 10 s")
		return false
	}
	d.out.say("VIP %s is on master's ens33 (state MASTER, priority 100; backup waits with priority 50)", topo.VIP)
	if err := d.waitHTTP("http://" + topo.VIP + "/"); err != nil {
		d.degrade(fmt.Sprintf("the VIP does not answer HTTP: %v", err))
		return false
	}
	return true
}

// startGovrrpd runs the tutorial's keepalived command with govrrpd, in the
// foreground (-n) with its log on the console (-l) so the demo can show
// its state changes.
func (d *demo) startGovrrpd(h *topo.Host) (*vrrpProc, error) {
	p := &vrrpProc{host: h, done: make(chan struct{})}
	p.cmd = h.Command(d.govrrpd, "-n", "-l", "-f", "/etc/keepalived/keepalived.conf")
	// An os.Pipe, not an io.Pipe: the child writes straight into it, and
	// the read end reaches EOF when govrrpd exits. The demo never calls
	// Wait itself; topo's Close reaps every process it started.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	err = h.Start(p.cmd)
	w.Close()
	if err != nil {
		r.Close()
		return nil, err
	}
	go func() {
		defer close(p.done)
		defer r.Close()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			d.out.vrrpLine(h.Name, sc.Text())
		}
	}()
	select {
	case <-p.done:
		return nil, fmt.Errorf("it exited at once; its output:\n%s", d.out.lastVRRP(h.Name))
	case <-time.After(300 * time.Millisecond):
	}
	return p, nil
}

// degrade explains why the failover cannot be shown and keeps the rest of
// the demo useful.
func (d *demo) degrade(why string) {
	d.out.say("\n!! %s.", why)
	if l := d.out.lastVRRP("master") + d.out.lastVRRP("backup"); l != "" {
		d.out.say("!! govrrpd's last lines:\n%s", l)
	}
	d.out.say("!! The demo goes on WITHOUT VRRP: the VIP is added to master by hand (ip addr add %s/24 dev ens33), no failover is shown.", topo.VIP)
	for _, p := range d.vrrp {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
	if err := d.master.Run("ip", "addr", "add", topo.VIP+"/24", "dev", topo.Iface); err != nil && !strings.Contains(err.Error(), "exists") {
		d.out.say("!! %v", err)
	}
}

func waitFor(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cond()
}

// tryThis prints the commands a user can run while the demo is up.
func (d *demo) tryThis(vrrpOK bool) {
	c := d.client
	d.out.say(`
Try it (as root, in another terminal):
  ip netns exec %[1]s curl http://%[2]s/                  # alternates real-server1 / real-server2
  ip netns exec %[1]s curl http://%[2]s/index.html        # the tutorial's ".html" acl route
  ip netns exec %[1]s curl -u yjssjm:123 http://%[2]s:81/haproxy          # the stats page (HTML)
  ip netns exec %[1]s curl -u yjssjm:123 'http://%[2]s:81/haproxy;csv'    # the same as CSV
  ip netns exec %[3]s ip -br addr show ens33                # who holds the VIP
  ip netns exec %[4]s ip -br addr show ens33
Hosts: master %[5]s, backup %[6]s, real-server1 %[7]s, real-server2 %[8]s, client %[9]s (namespaces %[10]s*).`,
		c, topo.VIP, d.master.NS, d.backup.NS, topo.MasterAddr, topo.BackupAddr, topo.RS1Addr, topo.RS2Addr, topo.ClientAddr, nsPrefix)
	if !vrrpOK {
		d.out.say("(VRRP is not running in this demo: see the !! lines above.)")
	}
}

// printer serialises the demo's output and keeps govrrpd's recent lines.
type printer struct {
	mu    sync.Mutex
	w     io.Writer
	t0    time.Time // set while a timeline runs
	lines map[string][]string
}
