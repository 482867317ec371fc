package compattests

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"goha/internal/topo"
)

// The VRRP side of the tutorial: keepalived 2.2.7 and govrrpd run the
// tutorial's keepalived.conf files unchanged on master (.128) and backup
// (.129), interface ens33, VIP 192.168.13.144/24, in namespaces built by
// internal/topo. A client host (.150) watches which MAC answers for the VIP.

// vrrpImpl is one VRRP daemon under test.
type vrrpImpl struct {
	name string
	bin  string
}

// argv is the command line: keepalived as the brief prescribes, govrrpd
// with the same flags (it has no checker process, so no -c).
func (i vrrpImpl) argv(conf string) []string {
	pid, vpid := "/run/goha-"+i.name+".pid", "/run/goha-"+i.name+"-vrrp.pid"
	a := []string{i.bin, "-n", "-l", "-D", "-f", conf, "-p", pid, "-r", vpid}
	if i.name == "keepalived" {
		a = append(a, "-c", "/run/goha-keepalived-chk.pid")
	}
	return a
}

func (i vrrpImpl) pidFiles() []string {
	return []string{"/run/goha-" + i.name + ".pid", "/run/goha-" + i.name + "-vrrp.pid"}
}

// vrrpImpls returns keepalived (when installed) and a freshly built
// govrrpd.
func vrrpImpls(t *testing.T) (ka, gv vrrpImpl) {
	t.Helper()
	if testing.Short() {
		t.Skip("VRRP namespace runs take seconds each; skipped with -short")
	}
	if err := topo.Available(); err != nil {
		t.Skip(err)
	}
	bin, err := exec.LookPath("keepalived")
	if err != nil {
		t.Skip("keepalived not installed (apt-get install keepalived)")
	}
	g := os.Getenv("GOHA_GOVRRPD")
	if g == "" {
		g = buildGovrrpd(t)
	}
	return vrrpImpl{"keepalived", bin}, vrrpImpl{"govrrpd", g}
}

// vrrpNet is the tutorial topology reduced to what VRRP needs.
type vrrpNet struct {
	tp                     *topo.Topology
	master, backup, client *topo.Host
	nl                     map[*topo.Host]*netlink.Handle
}

func buildVRRPNet(t *testing.T) *vrrpNet {
	t.Helper()
	hosts, err := os.ReadFile("../testdata/seed/hosts")
	if err != nil {
		t.Fatal(err)
	}
	spec := topo.Tutorial(string(hosts))
	var keep []topo.HostSpec
	for _, h := range spec.Hosts {
		if h.Name == "master" || h.Name == "backup" || h.Name == "client" {
			keep = append(keep, h)
		}
	}
	spec.Hosts = keep
	tp, err := topo.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tp.Close() })
	n := &vrrpNet{tp: tp, master: tp.Hosts["master"], backup: tp.Hosts["backup"], client: tp.Hosts["client"],
		nl: map[*topo.Host]*netlink.Handle{}}
	for _, h := range []*topo.Host{n.master, n.backup, n.client} {
		ns, err := netns.GetFromName(h.NS)
		if err != nil {
			t.Fatal(err)
		}
		nh, err := netlink.NewHandleAt(ns)
		ns.Close()
		if err != nil {
			t.Fatal(err)
		}
		n.nl[h] = nh
		t.Cleanup(nh.Close)
	}
	for _, f := range []string{"keepalived-master.conf", "keepalived-backup.conf", "keepalived-master-script.conf"} {
		b, err := os.ReadFile("../testdata/seed/" + f)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []*topo.Host{n.master, n.backup} {
			if err := h.WriteFile("/etc/keepalived/"+f, string(b)); err != nil {
				t.Fatal(err)
			}
		}
	}
	script, err := os.ReadFile("../testdata/seed/check_haproxy_status.sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := n.master.WriteFile("/etc/keepalived/check_haproxy_status.sh", string(script)); err != nil {
		t.Fatal(err)
	}
	return n
}

var tutorialVIP = netip.MustParseAddr(topo.VIP)

// hasVIP reports whether h's ens33 holds the VIP (netlink, no fork: the
// polls below run every few milliseconds).
func (n *vrrpNet) hasVIP(h *topo.Host) bool {
	l, err := n.nl[h].LinkByName(h.Iface)
	if err != nil {
		return false
	}
	addrs, err := n.nl[h].AddrList(l, netlink.FAMILY_V4)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if ip, ok := netip.AddrFromSlice(a.IP); ok && ip.Unmap() == tutorialVIP {
			return true
		}
	}
	return false
}

// vipLine is `ip -o addr` for the VIP on h, without the index.
func (n *vrrpNet) vipLine(h *topo.Host) string {
	out, _ := h.Output("ip", "-o", "addr", "show", "to", topo.VIP)
	return regexp.MustCompile(`^\d+: `).ReplaceAllString(strings.TrimSpace(out), "")
}

// pollUntil polls cond every 5ms until it holds or limit passes; it returns
// when it first held and whether it did.
func pollUntil(limit time.Duration, cond func() bool) (time.Time, bool) {
	deadline := time.Now().Add(limit)
	for {
		now := time.Now()
		if cond() {
			return now, true
		}
		if now.After(deadline) {
			return now, false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// clientMAC returns the MAC the client's neighbour table has for the VIP.
func (n *vrrpNet) clientMAC() string {
	l, err := n.nl[n.client].LinkByName(n.client.Iface)
	if err != nil {
		return ""
	}
	neigh, err := n.nl[n.client].NeighList(l.Attrs().Index, netlink.FAMILY_V4)
	if err != nil {
		return ""
	}
	for _, e := range neigh {
		if ip, ok := netip.AddrFromSlice(e.IP); ok && ip.Unmap() == tutorialVIP && e.HardwareAddr != nil {
			return e.HardwareAddr.String()
		}
	}
	return ""
}

func (n *vrrpNet) mac(h *topo.Host) string {
	l, err := n.nl[h].LinkByName(h.Iface)
	if err != nil {
		return ""
	}
	return l.Attrs().HardwareAddr.String()
}

// vrrpProc is a running daemon with its timestamped console lines.
type vrrpProc struct {
	impl   vrrpImpl
	host   *topo.Host
	cmd    *exec.Cmd
	exited chan struct{}
	mu     sync.Mutex
	lines  []vrrpLine
}

// startVRRP runs impl with /etc/keepalived/conf on h.
func startVRRP(t *testing.T, h *topo.Host, impl vrrpImpl, conf string) *vrrpProc {
	t.Helper()
	return startVRRPWith(t, h, impl, conf, false)
}

// startVRRPWith is startVRRP; with privateTmp the daemon gets its own
// empty /tmp (where SIGUSR1/SIGUSR2 dumps go), reachable through
// vrrpProc.tmpPath.
func startVRRPWith(t *testing.T, h *topo.Host, impl vrrpImpl, conf string, privateTmp bool) *vrrpProc {
	t.Helper()
	argv := impl.argv("/etc/keepalived/" + conf)
	if privateTmp {
		// The binary under test may live in the old /tmp: keep that
		// reachable under /run (inside this private mount namespace).
		if strings.HasPrefix(argv[0], "/tmp/") {
			argv[0] = "/run/goha-old-tmp/" + strings.TrimPrefix(argv[0], "/tmp/")
		}
		argv = append([]string{"unshare", "-m", "--propagation", "private", "sh", "-c",
			`mkdir -p /run/goha-old-tmp && mount --bind /tmp /run/goha-old-tmp && mount -t tmpfs tmpfs /tmp && exec "$@"`, "sh"}, argv...)
	}
	p := &vrrpProc{impl: impl, host: h, cmd: h.Command(argv[0], argv[1:]...), exited: make(chan struct{})}
	pr, pw := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = pw, pw
	if err := h.Start(p.cmd); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		pw.Close()
		close(p.exited)
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, vrrpLine{time.Now(), sc.Text()})
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		p.kill()
		// A govrrpd built with -race (GOHA_GOVRRPD) reports here.
		for _, l := range p.log() {
			if strings.Contains(l, "WARNING: DATA RACE") {
				t.Errorf("%s on %s: data race:\n%s", impl.name, h.Name, strings.Join(p.log(), "\n"))
				break
			}
		}
	})
	return p
}

// tmpPath is where the daemon's /tmp/name is seen from the test (for a
// daemon started with a private /tmp).
func (p *vrrpProc) tmpPath(name string) string {
	return fmt.Sprintf("/proc/%d/root/tmp/%s", p.cmd.Process.Pid, name)
}

// signal sends sig to the daemon (the process we started: keepalived's
// parent, which relays to its VRRP child, or govrrpd).
func (p *vrrpProc) signal(sig syscall.Signal) { syscall.Kill(p.cmd.Process.Pid, sig) }

// kill SIGKILLs every process of the daemon at once (its process group:
// keepalived's parent and children), as a crash or `kill -9` of all of
// them would.
func (p *vrrpProc) kill() {
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.exited
}

// wait waits for the daemon to exit.
func (p *vrrpProc) wait(limit time.Duration) bool {
	select {
	case <-p.exited:
		return true
	case <-time.After(limit):
		return false
	}
}

func (p *vrrpProc) log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.lines))
	for i, l := range p.lines {
		out[i] = l.text
	}
	return out
}

// vrrpPacketErrors are the log lines in which keepalived (and govrrpd, which
// uses the same words) reports a rejected advert.
var vrrpPacketErrors = regexp.MustCompile(`invalid TTL|wrong version|Invalid auth|auth, expecting|invalid passwd|interval mismatch|Invalid packet type|unexpected ip number|ip_tot_len mismatch|Invalid VRRPv|Expected (unicast|multicast)|not present in MASTER advert|not a unicast peer|packet too (short|long)`)

func (p *vrrpProc) packetErrors() []string {
	var bad []string
	for _, l := range p.log() {
		if vrrpPacketErrors.MatchString(l) {
			bad = append(bad, l)
		}
	}
	return bad
}

// pidFilesGone reports whether the daemon removed its pid files.
func (p *vrrpProc) pidFilesGone() bool {
	for _, f := range p.impl.pidFiles() {
		if _, err := os.Stat(p.host.Path(f)); err == nil {
			return false
		}
	}
	return true
}

// vrrpLine is a console line and when it was read.
type vrrpLine struct {
	at   time.Time
	text string
}

// readSeed reads one of the tutorial's files.
func readSeed(name string) (string, error) {
	b, err := os.ReadFile("../testdata/seed/" + name)
	return string(b), err
}
