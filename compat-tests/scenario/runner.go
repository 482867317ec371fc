package scenario

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"goha/internal/topo"
)

// Impl is one pair of implementations under test.
type Impl struct {
	Name  string // "reference" or "goha"
	Label string // printed in the transcript's run line
	// Proxy runs on master and backup with ProxyConfig as
	// /etc/haproxy/haproxy.cfg; VRRP runs with the tutorial's
	// keepalived.conf files.
	Proxy, VRRP string
	ProxyConfig string
	Keepalived  bool // VRRP is keepalived (it takes -c for its checker pid)
}

// Seed is where the tutorial's files are (testdata/seed).
type Seed struct {
	Dir string
}

func (s Seed) read(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(s.Dir, name))
	return string(b), err
}

// standInSystemctl replaces /usr/bin/systemctl inside the balancers: the
// check script's `systemctl stop keepalived` stops the VRRP daemon by its
// pid file, as systemd would, and every call is noted for the transcript.
const standInSystemctl = `#!/bin/sh
# goha scenario runner: stand-in for systemctl inside a test host.
echo "systemctl $*" >> /run/systemctl.calls
case "$1" in
stop)
	case "$2" in
	keepalived|keepalived.service)
		[ -f /run/keepalived.pid ] && kill -TERM "$(cat /run/keepalived.pid)"
		exit 0 ;;
	esac ;;
esac
exit 0
`

// Run is one scenario being played with one implementation pair.
type Run struct {
	impl    Impl
	sc      Scenario
	tp      *topo.Topology
	hosts   map[string]*topo.Host
	nginx   map[string]*topo.Nginx
	nl      map[string]*netlink.Handle
	nlMu    sync.Mutex
	vrrp    map[string]*vrrpDaemon
	proxy   map[string]*proxyDaemon
	syslog  map[string]*lineLog
	udp     []*net.UDPConn
	capture *vrrpCapture
	rec     *recorder
	dir     string

	vipMu    sync.Mutex
	vipTrail []vipSample // owner changes and step marks, in time order
	vipLast  string
	marks    []vipSample // step marks, for the log sections
	vipStop  chan struct{}
	vipDone  chan struct{}

	stepAt time.Time // when the current step began
}

type vipSample struct {
	at    time.Time
	owner string // "" for a step mark
	mark  string
}

const (
	master = "master"
	backup = "backup"
	client = "client"
)

// Play builds the tutorial topology, starts impl on both balancers with the
// given keepalived file on master, plays the scenario and returns its
// transcript. The topology is always torn down.
func Play(sc Scenario, impl Impl, seed Seed) (*Transcript, error) {
	hostsFile, err := seed.read("hosts")
	if err != nil {
		return nil, err
	}
	spec := topo.Tutorial(hostsFile)
	for i := range spec.Hosts {
		if h := &spec.Hosts[i]; h.Name == master || h.Name == backup {
			h.Overlays["/usr/bin/systemctl"] = standInSystemctl
		}
	}
	tp, err := topo.Build(spec)
	if err != nil {
		return nil, err
	}
	r := &Run{impl: impl, sc: sc, tp: tp, hosts: tp.Hosts, nginx: map[string]*topo.Nginx{}, nl: map[string]*netlink.Handle{},
		vrrp: map[string]*vrrpDaemon{}, proxy: map[string]*proxyDaemon{}, syslog: map[string]*lineLog{},
		rec: &recorder{t: &Transcript{Scenario: sc.Name, Run: impl.Label}}}
	defer r.close()
	if r.dir, err = os.MkdirTemp("", "goha-scenario-"); err != nil {
		return nil, err
	}
	if err := r.setUp(sc, seed); err != nil {
		return nil, err
	}
	sc.Script(r)
	return r.finish(), nil
}

func (r *Run) setUp(sc Scenario, seed Seed) error {
	for _, name := range []string{master, backup, client} {
		ns, err := netns.GetFromName(r.hosts[name].NS)
		if err != nil {
			return err
		}
		h, err := netlink.NewHandleAt(ns)
		ns.Close()
		if err != nil {
			return err
		}
		r.nl[name] = h
	}
	pages := map[string]string{"real-server1": "this is first real-server\n", "real-server2": "this is second real-server\n"}
	for _, name := range []string{"real-server1", "real-server2"} {
		n, err := r.hosts[name].StartNginx(80, pages[name])
		if err != nil {
			return err
		}
		r.nginx[name] = n
	}
	masterConf := sc.MasterConf
	if masterConf == "" {
		masterConf = "keepalived-master.conf"
	}
	files := map[string]map[string]string{
		master: {"/etc/keepalived/keepalived.conf": masterConf, "/etc/keepalived/check_haproxy_status.sh": "check_haproxy_status.sh"},
		backup: {"/etc/keepalived/keepalived.conf": "keepalived-backup.conf"},
	}
	for _, name := range []string{master, backup} {
		h := r.hosts[name]
		if err := h.WriteFile("/etc/haproxy/haproxy.cfg", r.impl.ProxyConfig); err != nil {
			return err
		}
		for path, src := range files[name] {
			text, err := seed.read(src)
			if err != nil {
				return err
			}
			if err := h.WriteFile(path, text); err != nil {
				return err
			}
		}
		r.syslog[name] = &lineLog{}
		c, err := startSyslog(h, r.syslog[name])
		if err != nil {
			return fmt.Errorf("syslog catcher on %s: %w", name, err)
		}
		r.udp = append(r.udp, c)
		r.vrrp[name] = &vrrpDaemon{host: h, bin: r.impl.VRRP, isKA: r.impl.Keepalived, log: &lineLog{}}
		r.proxy[name] = &proxyDaemon{host: h, bin: r.impl.Proxy, console: &lineLog{}}
	}
	var err error
	if r.capture, err = startCapture(r.tp.Bridge, r.dir); err != nil {
		return err
	}
	r.startVIPSampler()

	// The tutorial's order: proxies first, then keepalived on backup and
	// master.
	r.Step("start proxy on master and backup")
	for _, name := range []string{master, backup} {
		if err := r.proxy[name].start(); err != nil {
			return err
		}
	}
	r.Step("start VRRP on backup, then on master")
	for _, name := range []string{backup, master} {
		if err := r.vrrp[name].start(); err != nil {
			return err
		}
	}
	d, ok := r.WaitVIP(master, 15*time.Second)
	r.Timing("start->vip-on-master", d, ok, 700*time.Millisecond)
	return nil
}

// Step marks the start of a scripted action in the transcript.
func (r *Run) Step(what string) {
	// Let the log lines of the previous step arrive first: a proxy sends
	// a request's line just after the response the client already has.
	time.Sleep(50 * time.Millisecond)
	r.stepAt = time.Now()
	r.rec.add("script", what)
	r.vipMu.Lock()
	r.vipTrail = append(r.vipTrail, vipSample{at: r.stepAt, mark: what})
	r.marks = append(r.marks, vipSample{at: r.stepAt, mark: what})
	r.vipMu.Unlock()
}

// observe notes who holds the VIP at a moment, when it changed. Both the
// sampler and WaitVIP report, so that a change WaitVIP saw is in the
// trail before the next step's mark.
func (r *Run) observe(owner string, at time.Time) {
	r.vipMu.Lock()
	defer r.vipMu.Unlock()
	if owner != r.vipLast {
		r.vipTrail = append(r.vipTrail, vipSample{at: at, owner: owner})
		r.vipLast = owner
	}
}

// Note adds an outcome line to the script section.
func (r *Run) Note(format string, args ...any) {
	r.rec.add("script", "  "+fmt.Sprintf(format, args...))
}

// Timing records a figure measured from the current step.
func (r *Run) Timing(name string, d time.Duration, ok bool, window time.Duration) {
	r.rec.timing(name, d, ok, window)
}

// owner says who holds the VIP now: master, backup, both or none.
func (r *Run) owner() string {
	m, b := r.hasVIP(master), r.hasVIP(backup)
	switch {
	case m && b:
		return "both"
	case m:
		return master
	case b:
		return backup
	}
	return "none"
}

var vip = netip.MustParseAddr(topo.VIP)

func (r *Run) hasVIP(host string) bool {
	// A netlink handle is not safe for concurrent use: the sampler and
	// WaitVIP share them.
	r.nlMu.Lock()
	defer r.nlMu.Unlock()
	h := r.nl[host]
	l, err := h.LinkByName(topo.Iface)
	if err != nil {
		return false
	}
	addrs, err := h.AddrList(l, netlink.FAMILY_V4)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if ip, ok := netip.AddrFromSlice(a.IP); ok && ip.Unmap() == vip {
			return true
		}
	}
	return false
}

// startVIPSampler notes every change of the VIP's owner (polled every
// 20 ms through netlink).
func (r *Run) startVIPSampler() {
	r.vipStop, r.vipDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(r.vipDone)
		for {
			r.observe(r.owner(), time.Now())
			select {
			case <-r.vipStop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
}

// WaitVIP waits until owner ("master", "backup", "both", "none") holds the
// VIP and returns how long after the current step that was.
func (r *Run) WaitVIP(owner string, limit time.Duration) (time.Duration, bool) {
	deadline := time.Now().Add(limit)
	for {
		now := time.Now()
		if o := r.owner(); o == owner {
			r.observe(o, now)
			return now.Sub(r.stepAt), true
		}
		if now.After(deadline) {
			r.Note("the VIP never went to %s (held by %s)", owner, r.owner())
			return 0, false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Hold waits d, letting the topology settle.
func (r *Run) Hold(d time.Duration) { time.Sleep(d) }

// Get sends one request through the VIP from the client and records it.
// full: record every header and the body; otherwise only the status line,
// the header names and the body's length (for pages that embed clocks).
func (r *Run) Get(port int, path, auth string, full bool) exchange {
	ex, lines := r.get(port, path, auth, full)
	r.rec.add("http", lines...)
	return ex
}

// get sends the request and returns the transcript lines for it.
func (r *Run) get(port int, path, auth string, full bool) (exchange, []string) {
	q := request{addr: fmt.Sprintf("%s:%d", topo.VIP, port), path: path, auth: auth}
	ex := do(r.hosts[client].NS, q, 5*time.Second)
	who := "-"
	switch string(ex.body) {
	case "this is first real-server\n":
		who = "real-server1"
	case "this is second real-server\n":
		who = "real-server2"
	}
	label := fmt.Sprintf("GET :%d%s", port, path)
	if auth != "" {
		label += " (auth " + auth + ")"
	}
	if ex.status == "" {
		return ex, []string{fmt.Sprintf("%s -> no answer (%s)", label, errClass(ex.err))}
	}
	code := strings.Fields(ex.status + " -")[1]
	lines := []string{fmt.Sprintf("%s -> %s %s", label, code, who), "  " + ex.status}
	for _, h := range ex.headers {
		if full {
			lines = append(lines, "  "+normaliseHeader(h))
		} else {
			name, _, _ := strings.Cut(h, ":")
			lines = append(lines, "  "+name+": <masked>")
		}
	}
	if full {
		lines = append(lines, fmt.Sprintf("  body %q", ex.body))
	} else {
		lines = append(lines, "  body <masked>")
	}
	if ex.err != nil {
		lines = append(lines, "  error "+errClass(ex.err))
	}
	return ex, lines
}

// errClass keeps what kind of failure an error was, not its addresses.
func errClass(err error) string {
	if err == nil {
		return "none"
	}
	s := err.Error()
	for _, k := range []string{"connection refused", "i/o timeout", "connection reset", "no route to host", "EOF"} {
		if strings.Contains(s, k) {
			return k
		}
	}
	return "error"
}

// Browse sends count requests for path and notes which real servers
// answered, in order.
func (r *Run) Browse(path string, count int) []string {
	return r.browse(path, count, false)
}

// BrowseUnordered is Browse where the order of the answers is a race (the
// balancer's round-robin position depends on which server came back
// first); the exchanges are recorded sorted.
func (r *Run) BrowseUnordered(path string, count int) []string {
	return r.browse(path, count, true)
}

func (r *Run) browse(path string, count int, unordered bool) []string {
	var who []string
	var blocks []string
	for i := 0; i < count; i++ {
		ex, lines := r.get(80, path, "", true)
		blocks = append(blocks, strings.Join(lines, "\n"))
		w := "no answer"
		switch string(ex.body) {
		case "this is first real-server\n":
			w = "real-server1"
		case "this is second real-server\n":
			w = "real-server2"
		default:
			if ex.status != "" {
				w = strings.Fields(ex.status + " -")[1]
			}
		}
		who = append(who, w)
	}
	how := "answered by"
	if unordered {
		sort.Strings(blocks)
		who = append([]string(nil), who...)
		sort.Strings(who)
		how = "answered by (in any order)"
	}
	for _, b := range blocks {
		r.rec.add("http", strings.Split(b, "\n")...)
	}
	r.Note("%s x%d %s: %s", path, count, how, strings.Join(who, " "))
	return who
}

// StopRealServer stops a real server's nginx (SIGQUIT, as systemctl does).
func (r *Run) StopRealServer(name string) { r.nginx[name].Stop() }

// StartRealServer starts it again.
func (r *Run) StartRealServer(name string) {
	if err := r.nginx[name].Start(); err != nil {
		r.Note("cannot start nginx on %s: %v", name, err)
	}
}

// WaitLog waits for a syslog line from host's proxy containing sub, after
// the current step, and returns the delay.
func (r *Run) WaitLog(host, sub string, limit time.Duration) (time.Duration, bool) {
	s, ok := r.syslog[host].wait(sub, r.stepAt, limit)
	if !ok {
		r.Note("no log line with %q on %s", sub, host)
		return 0, false
	}
	return s.at.Sub(r.stepAt), true
}

// SignalVRRP sends sig to host's VRRP daemon.
func (r *Run) SignalVRRP(host string, sig syscall.Signal) { r.vrrp[host].signal(sig) }

// KillVRRP kills every process of host's VRRP daemon.
func (r *Run) KillVRRP(host string) { r.vrrp[host].kill() }

// WaitVRRPExit waits for host's VRRP daemon to exit and returns how long
// after the current step it did.
func (r *Run) WaitVRRPExit(host string, limit time.Duration) (time.Duration, bool) {
	ok := r.vrrp[host].wait(limit)
	if !ok {
		r.Note("VRRP daemon on %s still running", host)
		return 0, false
	}
	return r.vrrp[host].exitedAt.Sub(r.stepAt), true
}

// StartVRRP starts host's VRRP daemon again.
func (r *Run) StartVRRP(host string) {
	if err := r.vrrp[host].start(); err != nil {
		r.Note("cannot start VRRP on %s: %v", host, err)
	}
}

// StopProxy stops host's proxy.
func (r *Run) StopProxy(host string) {
	if err := r.proxy[host].stop(); err != nil {
		r.Note("%v", err)
	}
}

// SetBalancerLink attaches or detaches master's port on the bridge: its
// ens33 stays up but nothing reaches the other hosts, as a pulled cable
// between switch and balancer would do (master is the topology's first
// host: bridge port p0).
func (r *Run) SetBalancerLink(attached bool) {
	args := []string{"-n", r.tp.Bridge, "link", "set", "p0", "nomaster"}
	if attached {
		args = []string{"-n", r.tp.Bridge, "link", "set", "p0", "master", "br0"}
	}
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		r.Note("ip %s: %v %s", strings.Join(args, " "), err, out)
	}
}

// finish stops everything, reads the captures and logs and assembles the
// transcript.
func (r *Run) finish() *Transcript {
	r.Step("stop everything")
	// Backup first: a backup that sees master's priority-0 advert would
	// take over (and advertise) while it is being stopped, or not,
	// depending on a race the transcript must not show.
	for _, name := range []string{backup, master} {
		r.vrrp[name].signal(syscall.SIGTERM)
		if !r.vrrp[name].wait(5 * time.Second) {
			r.vrrp[name].kill()
		}
	}
	for _, name := range []string{master, backup} {
		r.proxy[name].stop()
	}
	time.Sleep(300 * time.Millisecond) // last syslog datagrams
	close(r.vipStop)
	<-r.vipDone
	pkts, err := r.capture.stop()
	if err != nil {
		r.rec.add("vrrp", "capture failed: "+err.Error())
	}
	if os.Getenv("GOHA_SCENARIO_DEBUG") != "" {
		for _, p := range pkts {
			fmt.Fprintf(os.Stderr, "pkt %s %s prio %d\n", p.At.Format("15:04:05.000"), p.Src, p.Payload[2])
		}
		for _, name := range []string{master, backup} {
			for _, s := range r.vrrp[name].log.snapshot() {
				fmt.Fprintf(os.Stderr, "%s %s %s\n", name, s.at.Format("15:04:05.000"), s.text)
			}
		}
	}
	r.recordVIP()
	r.recordVRRP(pkts)
	for _, name := range []string{master, backup} {
		for _, s := range r.vrrp[name].log.snapshot() {
			if l, ok := stateLine(s.text); ok {
				r.rec.add("states "+name, l)
			}
		}
		r.rec.add("log "+name, r.logLines(r.syslog[name].snapshot())...)
		for _, s := range r.proxy[name].console.snapshot() {
			r.rec.add("console "+name, normaliseConsole(s.text))
		}
		if b, err := os.ReadFile(r.hosts[name].Path("/run/systemctl.calls")); err == nil {
			r.rec.add("systemctl "+name, strings.Split(strings.TrimSpace(string(b)), "\n")...)
		}
	}
	t := r.rec.t
	sortSections(t.Sections)
	return t
}

// logLines interleaves a proxy's syslog lines with the step marks, the
// lines of each step sorted: a proxy logs a request when its stream ends,
// on one of several threads, so two quick requests can log in either
// order (which server answered which request is in the http section).
// When the scenario's checks race each other (UnorderedChecks), the
// server counts in state-change lines are masked too.
func (r *Run) logLines(lines []stamped) []string {
	r.vipMu.Lock()
	marks := append([]vipSample(nil), r.marks...)
	r.vipMu.Unlock()
	var out, seg []string
	flush := func() {
		sort.Strings(seg)
		out = append(out, seg...)
		seg = nil
	}
	i := 0
	for _, m := range marks {
		for ; i < len(lines) && lines[i].at.Before(m.at); i++ {
			seg = append(seg, r.logLine(lines[i].text))
		}
		flush()
		out = append(out, "-- "+m.mark)
	}
	for ; i < len(lines); i++ {
		seg = append(seg, r.logLine(lines[i].text))
	}
	flush()
	return out
}

var reServerCounts = regexp.MustCompile(`\d+ (active and) \d+ (backup servers)`)

func (r *Run) logLine(text string) string {
	l := normaliseLog(text)
	if r.sc.UnorderedChecks {
		l = reServerCounts.ReplaceAllString(l, "N $1 N $2")
	}
	return l
}

// transient is how long an owner must hold the VIP to be shown. When a
// master preempts, it adds the VIP and the old master drops it within a
// few milliseconds, in an order that is a race: the 20 ms sampler sees
// "both" (or "none") in some runs and not in others. Real states — the
// skew before a backup takes over, a split brain — last hundreds of
// milliseconds at least.
const transient = 100 * time.Millisecond

// recordVIP prints the owner trail: each step, then every owner the VIP
// had until the next step, leaving out owners held for less than
// transient.
func (r *Run) recordVIP() {
	r.vipMu.Lock()
	all := append([]vipSample(nil), r.vipTrail...)
	r.vipMu.Unlock()
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	var trail []vipSample
	for i, s := range all {
		if s.mark == "" {
			next := -1
			for j := i + 1; j < len(all); j++ {
				if all[j].mark == "" {
					next = j
					break
				}
			}
			if next >= 0 && all[next].at.Sub(s.at) < transient {
				continue
			}
		}
		trail = append(trail, s)
	}
	if os.Getenv("GOHA_SCENARIO_DEBUG") != "" {
		for _, s := range trail {
			fmt.Fprintf(os.Stderr, "vip %s %q %q\n", s.at.Format("15:04:05.000"), s.owner, s.mark)
		}
	}
	var lines []string
	cur := ""
	for _, s := range trail {
		if s.mark != "" {
			lines = append(lines, "-- "+s.mark)
			if cur != "" {
				lines = append(lines, cur)
			}
			continue
		}
		if s.owner == cur {
			continue // the owner before a transient one, back again
		}
		cur = s.owner
		lines = append(lines, cur)
	}
	r.rec.add("vip", lines...)
}

// recordVRRP prints, for each sender, its adverts in order with runs of
// identical packets shown once: how many were sent depends on time, what
// was sent does not.
func (r *Run) recordVRRP(pkts []vrrpPacket) {
	bySrc := map[string][]string{}
	var srcs []string
	for _, p := range pkts {
		name := p.Src.String()
		switch name {
		case topo.MasterAddr:
			name = master
		case topo.BackupAddr:
			name = backup
		}
		s := p.String()
		l := bySrc[name]
		if len(l) == 0 {
			srcs = append(srcs, name)
		}
		if len(l) == 0 || l[len(l)-1] != s {
			bySrc[name] = append(l, s)
		}
	}
	sort.Strings(srcs)
	for _, src := range srcs {
		r.rec.add("vrrp "+src, bySrc[src]...)
	}
}

func (r *Run) close() {
	for _, c := range r.udp {
		c.Close()
	}
	for _, h := range r.nl {
		h.Close()
	}
	if r.tp != nil {
		r.tp.Close()
	}
	if r.dir != "" {
		os.RemoveAll(r.dir)
	}
}
