package scenario

import (
	"fmt"
	"net"
	"os"
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

	// Proxies first, as the tutorial. Then the VRRP daemons, master
	// first, backup once master's instance is in BACKUP: both start in
	// BACKUP and the first whose master-down timer fires takes the VIP —
	// master 3.61 s after it entered BACKUP (priority 100), backup after
	// 3.80 s (50). In the tutorial's order (backup, then master) a master
	// entering BACKUP more than 190 ms after backup — a loaded machine,
	// or the check-script variant, where master waits for its script's
	// first run — lets backup be MASTER for a moment: a race, not a
	// behaviour to compare.
	r.Step("start proxy on master and backup")
	for _, name := range []string{master, backup} {
		if err := r.proxy[name].start(); err != nil {
			return err
		}
	}
	r.Step("start VRRP on master, then on backup")
	if err := r.vrrp[master].start(); err != nil {
		return err
	}
	if _, ok := r.vrrp[master].log.wait("Entering BACKUP STATE", r.stepAt, 10*time.Second); !ok {
		r.Note("master's VRRP daemon did not enter BACKUP")
	}
	if err := r.vrrp[backup].start(); err != nil {
		return err
	}
	d, ok := r.WaitVIP(master, 15*time.Second)
	r.Timing("start->vip-on-master", d, ok, 700*time.Millisecond)
	return nil
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
		r.rec.add("states "+name, stateLines(r.vrrp[name].log.snapshot())...)
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
