// Package topo builds small networks of "hosts" on one machine for tests and
// the demo: each host is a network namespace with its own mount namespace,
// so that a host has its own interfaces and addresses (the tutorial's
// 192.168.13.x on ens33) and its own /etc/haproxy, /etc/keepalived,
// /etc/hosts and /run. The hosts' interfaces are veth pairs whose other ends
// sit on a bridge inside a namespace of its own, so nothing touches the
// machine's real network.
//
// A host's files are reachable from outside through /proc/PID/root of the
// process that holds its mount namespace (Host.Path), and commands run
// inside it with nsenter. Close tears everything down: it kills every
// process still inside the topology's namespaces (all of them were started
// by us) and deletes the namespaces, which removes the veths and the bridge.
package topo

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// HostSpec describes one host of a topology.
type HostSpec struct {
	Name  string   // short name, also the hostname-like key ("master")
	Iface string   // interface name inside the host ("ens33"); default "eth0"
	Addrs []string // CIDR addresses on Iface ("192.168.13.128/24")
	// Private lists directories that get an empty private tmpfs inside the
	// host (for example /etc/haproxy, /etc/keepalived, /run).
	Private []string
	// Files are written inside the host after the private directories are
	// mounted: path -> content. Mode 0755 when the path ends in ".sh" or is
	// under a bin directory, 0644 otherwise.
	Files map[string]string
	// Overlays bind-mount the given content over an existing file of the
	// host (for example /etc/hosts, or /usr/bin/systemctl with a stand-in).
	Overlays map[string]string
}

// Spec describes a whole topology: hosts joined by one bridge.
type Spec struct {
	Hosts []HostSpec
	// ID, when set, replaces the random id in every name the topology
	// creates ("gh"+ID+"-master"): the demo uses a fixed one so that the
	// commands it prints (ip netns exec ghdemo-client ...) stay the same.
	// Build fails if a namespace of that name already exists.
	ID string
}

// Host is one running host.
type Host struct {
	Name   string
	NS     string // network namespace name
	Iface  string
	Addrs  []string
	holder *exec.Cmd // keeps the host's mount namespace alive
	topo   *Topology
}

// Topology is a built network; Close removes it.
type Topology struct {
	ID     string // short random id shared by every name the topology creates
	Bridge string // namespace holding the bridge
	Hosts  map[string]*Host
	order  []*Host

	mu      sync.Mutex
	procs   []*exec.Cmd
	tmp     string
	closing sync.Mutex // held through Close
}

// Available reports whether topologies can be built here, and why not.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("topo: needs root (network namespaces)")
	}
	for _, b := range []string{"ip", "nsenter", "unshare"} {
		if _, err := exec.LookPath(b); err != nil {
			return fmt.Errorf("topo: %s not installed", b)
		}
	}
	return nil
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// Build creates the topology. On error everything created so far is removed.
func Build(spec Spec) (t *Topology, err error) {
	if err := Available(); err != nil {
		return nil, err
	}
	id := spec.ID
	if id == "" {
		var b [3]byte
		rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	t = &Topology{ID: id, Hosts: map[string]*Host{}}
	if !live.add(t) {
		return nil, errors.New("topo: closing down (CloseAll)")
	}
	defer func() {
		if err != nil {
			t.Close()
			t = nil
		}
	}()
	t.tmp, err = os.MkdirTemp("", "topo-"+t.ID+"-")
	if err != nil {
		return t, err
	}
	// Names are recorded only once created, so that a failed Build never
	// deletes a namespace of the same name it did not make.
	if err = run("ip", "netns", "add", "gh"+t.ID+"-br"); err != nil {
		return t, err
	}
	t.Bridge = "gh" + t.ID + "-br"
	if err = t.inNS(t.Bridge, "ip", "link", "add", "br0", "type", "bridge"); err != nil {
		return t, err
	}
	if err = t.inNS(t.Bridge, "ip", "link", "set", "br0", "up"); err != nil {
		return t, err
	}
	for i, hs := range spec.Hosts {
		if err = t.addHost(i, hs); err != nil {
			return t, err
		}
	}
	return t, nil
}

func (t *Topology) inNS(ns string, args ...string) error {
	return run("ip", append([]string{"netns", "exec", ns}, args...)...)
}

func (t *Topology) addHost(i int, hs HostSpec) error {
	iface := hs.Iface
	if iface == "" {
		iface = "eth0"
	}
	h := &Host{Name: hs.Name, NS: "gh" + t.ID + "-" + hs.Name, Iface: iface, Addrs: hs.Addrs, topo: t}
	if err := run("ip", "netns", "add", h.NS); err != nil {
		return err
	}
	t.Hosts[hs.Name] = h
	t.order = append(t.order, h)
	peer := "p" + strconv.Itoa(i)
	// Both ends are created directly inside their namespaces so the
	// interface name (ens33) never exists in the machine's own namespace.
	if err := run("ip", "link", "add", iface, "netns", h.NS, "type", "veth", "peer", "name", peer, "netns", t.Bridge); err != nil {
		return err
	}
	if err := t.inNS(t.Bridge, "ip", "link", "set", peer, "master", "br0", "up"); err != nil {
		return err
	}
	for _, a := range hs.Addrs {
		if err := t.inNS(h.NS, "ip", "addr", "add", a, "dev", iface); err != nil {
			return err
		}
	}
	for _, dev := range []string{"lo", iface} {
		if err := t.inNS(h.NS, "ip", "link", "set", dev, "up"); err != nil {
			return err
		}
	}
	// The holder owns a private mount namespace inside the network
	// namespace; everything run in the host joins both.
	h.holder = exec.Command("ip", "netns", "exec", h.NS, "unshare", "--mount", "--propagation", "private", "sleep", "infinity")
	if err := h.holder.Start(); err != nil {
		return err
	}
	if err := h.waitHolder(); err != nil {
		return err
	}
	for _, dir := range hs.Private {
		if err := h.Run("mkdir", "-p", dir); err != nil {
			return err
		}
		if err := h.Run("mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", dir); err != nil {
			return err
		}
	}
	for path, content := range hs.Files {
		if err := h.WriteFile(path, content); err != nil {
			return err
		}
	}
	for path, content := range hs.Overlays {
		src := filepath.Join(t.tmp, hs.Name+"-"+strings.ReplaceAll(strings.Trim(path, "/"), "/", "_"))
		if err := os.WriteFile(src, []byte(content), modeFor(path)); err != nil {
			return err
		}
		if err := h.Run("mount", "--bind", src, path); err != nil {
			return err
		}
	}
	return nil
}

// waitHolder waits until the holder process has entered its own mount
// namespace (unshare has exec'd sleep).
func (h *Host) waitHolder() error {
	self, _ := os.Readlink("/proc/self/ns/mnt")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		pid := h.holder.Process.Pid
		comm, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		mnt, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/mnt")
		if strings.TrimSpace(string(comm)) == "sleep" && mnt != "" && mnt != self {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("topo: host %s: mount namespace holder did not start", h.Name)
}

func modeFor(path string) os.FileMode {
	if strings.HasSuffix(path, ".sh") || strings.Contains(path, "/bin/") {
		return 0o755
	}
	return 0o644
}

// Path returns the name under which the host's file path is reachable from
// outside the host. Symbolic links on the way are resolved inside the
// host: an absolute link such as /var/run -> /run would otherwise be
// followed in the caller's file system, not the host's.
func (h *Host) Path(path string) string {
	root := filepath.Join("/proc", strconv.Itoa(h.holder.Process.Pid), "root")
	resolved := "/"
	parts := strings.Split(strings.Trim(filepath.Clean("/"+path), "/"), "/")
	for hops := 0; len(parts) > 0 && hops < 40; {
		next := filepath.Join(resolved, parts[0])
		parts = parts[1:]
		target, err := os.Readlink(filepath.Join(root, next))
		if err != nil {
			resolved = next
			continue
		}
		hops++
		if !filepath.IsAbs(target) {
			target = filepath.Join(resolved, target)
		}
		parts = append(strings.Split(strings.Trim(filepath.Clean(target), "/"), "/"), parts...)
		resolved = "/"
	}
	return filepath.Join(root, resolved)
}

// WriteFile writes a file inside the host, creating its directory.
func (h *Host) WriteFile(path, content string) error {
	p := h.Path(path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(content), modeFor(path))
}

// Command returns a command that runs inside the host (its network and
// mount namespaces). It is not started.
func (h *Host) Command(name string, args ...string) *exec.Cmd {
	a := append([]string{"-t", strconv.Itoa(h.holder.Process.Pid), "-m", "-n", "--", name}, args...)
	return exec.Command("nsenter", a...)
}

// Run runs a command inside the host and waits for it.
func (h *Host) Run(name string, args ...string) error {
	out, err := h.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %s %s: %v: %s", h.Name, name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// Output runs a command inside the host and returns its combined output.
func (h *Host) Output(name string, args ...string) (string, error) {
	out, err := h.Command(name, args...).CombinedOutput()
	return string(out), err
}

// Start starts a long-running command inside the host; Close kills it if
// it is still running.
func (h *Host) Start(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	h.topo.mu.Lock()
	h.topo.procs = append(h.topo.procs, cmd)
	h.topo.mu.Unlock()
	return nil
}

// SetLink brings the host's interface down or up (cutting it from the
// bridge, as pulling a cable would).
func (h *Host) SetLink(up bool) error {
	state := "down"
	if up {
		state = "up"
	}
	return h.topo.inNS(h.NS, "ip", "link", "set", h.Iface, state)
}

// pidsIn lists the processes whose network namespace is ns.
func pidsIn(ns string) []int {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	return pids
}

// Close kills every process inside the topology (all started by us: the
// namespaces are ours) and deletes the namespaces. It is safe to call more
// than once.
func (t *Topology) Close() error {
	t.closing.Lock() // CloseAll may race a test's own Close
	defer t.closing.Unlock()
	defer live.remove(t)
	t.mu.Lock()
	procs := t.procs
	t.procs = nil
	t.mu.Unlock()
	for _, c := range procs {
		if c.Process != nil {
			syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
			c.Wait()
		}
	}
	var errs []error
	names := []string{}
	for _, h := range t.order {
		names = append(names, h.NS)
	}
	if t.Bridge != "" {
		names = append(names, t.Bridge)
	}
	// Daemons that forked away from the commands we started are still in
	// the namespaces; they are ours, kill them by PID.
	var killed []int
	for _, ns := range names {
		for _, pid := range pidsIn(ns) {
			syscall.Kill(pid, syscall.SIGKILL)
			killed = append(killed, pid)
		}
	}
	// SIGKILL is delivered asynchronously: on a loaded machine a process
	// can outlive kill(2) by a while. Wait (bounded) until each is gone
	// or a zombie, so that Close returns with nothing running.
	waitGone(killed, 5*time.Second)
	for _, h := range t.order {
		if h.holder != nil && h.holder.Process != nil {
			h.holder.Process.Kill()
			h.holder.Wait()
		}
	}
	for _, ns := range names {
		if _, err := os.Stat("/run/netns/" + ns); err == nil {
			if err := run("ip", "netns", "del", ns); err != nil {
				errs = append(errs, err)
			}
		}
	}
	t.order = nil
	t.Bridge = ""
	if t.tmp != "" {
		os.RemoveAll(t.tmp)
		t.tmp = ""
	}
	return errors.Join(errs...)
}

// live holds the topologies built and not closed yet, for CloseAll.
var live liveSet

type liveSet struct {
	mu     sync.Mutex
	set    map[*Topology]bool
	closed bool
}

func (l *liveSet) add(t *Topology) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	if l.set == nil {
		l.set = map[*Topology]bool{}
	}
	l.set[t] = true
	return true
}

func (l *liveSet) remove(t *Topology) {
	l.mu.Lock()
	delete(l.set, t)
	l.mu.Unlock()
}

// CloseAll closes every topology built and not closed yet, and makes
// later Builds fail: for a test binary about to be ended from outside
// (go test's -timeout), whose deferred and Cleanup functions will not
// run, so that its namespaces and their processes do not outlive it.
func CloseAll() error {
	live.mu.Lock()
	live.closed = true
	ts := make([]*Topology, 0, len(live.set))
	for t := range live.set {
		ts = append(ts, t)
	}
	live.mu.Unlock()
	// At the same time: each may wait seconds for its processes to end.
	errs := make([]error, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = t.Close()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// waitGone waits up to limit until none of pids is a live process (gone,
// or a zombie waiting for its parent).
func waitGone(pids []int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for _, pid := range pids {
		for time.Now().Before(deadline) {
			st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			if err != nil || strings.Contains(string(st), ") Z ") {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
