package daemon

import (
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"goha/parser/keepalived"
	"goha/vrrp/netio"
)

// Options are the command-line settings the daemon needs.
type Options struct {
	// ConfigFile is the file Load reads, for log lines.
	ConfigFile string
	// Load reads the configuration again (SIGHUP). It returns nil when
	// the new configuration has fatal errors; the running one stays. The
	// notes are the check's messages, logged as keepalived's VRRP
	// process logs them when it reads the files again.
	Load func() (*keepalived.Config, []string)
	// PidFile and VRRPPidFile are -p and -r; both get our pid.
	PidFile, VRRPPidFile string
	// DontRelease is -V: leave the VIPs in place on stop.
	DontRelease bool
	// Log configures logging (-l, -D, -G, -S).
	Log LogOptions
	// Notes are lines to log at start (the configuration check's
	// messages, which keepalived logs when it runs).
	Notes []string
	// Args is the command line, logged as keepalived logs its own.
	Args []string
	// Ready, when set, is called once the instances run (tests).
	Ready func()
}

// Daemon is a running govrrpd.
type Daemon struct {
	opts Options
	log  *Logger
	cfg  *keepalived.Config
	// mu guards instances for the link watcher; the signal loop is the
	// only writer.
	mu        sync.Mutex
	instances map[string]*instance
	scripts   map[string]*scriptRunner
	files     *fileWatcher
	stopping  atomic.Bool
	// starting is set during the first apply: instances wait for
	// launch after "Startup complete".
	starting bool
	// source resolves an interface's primary address.
	source func(ifname string, ipv6 bool) (netip.Addr, error)
}

// Default pid files of keepalived 2.2.7 (KEEPALIVED_PID_FILE,
// VRRP_PID_FILE under RUNSTATEDIR).
const (
	DefaultPidFile     = "/run/keepalived.pid"
	DefaultVRRPPidFile = "/run/keepalived_vrrp.pid"
)

// Run runs cfg until SIGTERM or SIGINT and returns the exit code.
func Run(cfg *keepalived.Config, opts Options) int {
	if opts.PidFile == "" {
		opts.PidFile = DefaultPidFile
	}
	if opts.VRRPPidFile == "" {
		opts.VRRPPidFile = DefaultVRRPPidFile
	}
	d := &Daemon{opts: opts, log: NewLogger(opts.Log), instances: map[string]*instance{},
		scripts: map[string]*scriptRunner{}, source: waitPrimaryAddr}
	defer d.log.Close()
	d.logBanner()
	if pid, running := alreadyRunning(opts.VRRPPidFile); running {
		d.log.Printf("daemon is already running (pid %d)", pid)
		return 0
	}
	for _, f := range []string{opts.PidFile, opts.VRRPPidFile} {
		if err := os.WriteFile(f, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			d.log.Printf("Unable to write pidfile %s: %v", f, err)
		}
	}
	defer func() {
		os.Remove(opts.PidFile)
		os.Remove(opts.VRRPPidFile)
	}()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)

	d.log.ParentDetailf("Opening file '%s'.", opts.ConfigFile)
	d.log.Parentf("Configuration file %s", opts.ConfigFile)
	for _, n := range opts.Notes {
		d.log.Printf("%s", n)
	}
	if cfg.Global.MaxAutoPriority == 0 {
		// keepalived's parent says so whenever the option is unset
		// (main.c); govrrpd has no real-time scheduling to tune, but
		// log watchers see the same start-up.
		d.log.Parentf("NOTICE: setting config option max_auto_priority should result in better keepalived performance")
	}
	// govrrpd is one process; keepalived's parent forks its VRRP child
	// here and the lines below come from the child.
	d.log.Parentf("Starting VRRP child process, pid=%d", os.Getpid())
	initTrackFiles(cfg.TrackFiles, false, d.log)
	d.files = newFileWatcher(d)
	d.files.set(cfg.TrackFiles)
	go d.files.run()
	defer d.files.close()
	if stop, err := d.watchLinks(); err != nil {
		d.log.Printf("Cannot follow interface changes: %v", err)
	} else {
		defer stop()
	}
	d.starting = true
	err := d.apply(cfg)
	d.starting = false
	if err != nil {
		d.log.Printf("%v", err)
		d.launchAll()
		d.stopAll()
		return 1
	}
	d.log.Parentf("Startup complete")
	d.launchAll()
	if opts.Ready != nil {
		opts.Ready()
	}
	for sig := range sigs {
		switch sig {
		case syscall.SIGHUP:
			// keepalived's parent logs "Reloading ...", the VRRP child
			// reads the files and logs "Reloading", the parent "Reload
			// complete" when the child is done.
			d.log.Parentf("Reloading ...")
			if opts.Load == nil {
				continue
			}
			d.log.ParentDetailf("Opening file '%s'.", opts.ConfigFile)
			d.log.Parentf("Configuration file %s", opts.ConfigFile)
			next, notes := opts.Load()
			for _, n := range notes {
				d.log.Printf("%s", n)
			}
			if next == nil {
				d.log.Printf("Configuration has errors, keeping the running configuration")
				continue
			}
			d.log.Printf("Reloading")
			initTrackFiles(next.TrackFiles, true, d.log)
			d.files.set(next.TrackFiles)
			if err := d.apply(next); err != nil {
				d.log.Printf("%v", err)
			}
			d.logSockPools(d.snapshotOrdered())
			d.log.Parentf("Reload complete")
		case syscall.SIGUSR1:
			d.log.Printf("Printing VRRP data for process(%d) on signal", os.Getpid())
			d.dump(false)
		case syscall.SIGUSR2:
			d.log.Printf("Printing VRRP stats for process(%d) on signal", os.Getpid())
			d.dump(true)
		default:
			d.log.Parentf("Stopping")
			d.stopAll()
			d.logStopped()
			return 0
		}
	}
	return 0
}

// apply brings the running set of instances and scripts to cfg: new
// instances start, removed ones stop, unchanged ones keep their state and
// VIPs, and so do instances whose priority or virtual addresses alone
// changed (keepalived applies them in place); other changes restart the
// instance.
func (d *Daemon) apply(cfg *keepalived.Config) error {
	scripts := map[string]*keepalived.Script{}
	for _, s := range cfg.Scripts {
		scripts[s.Name] = s
	}
	old := d.cfg
	d.cfg = cfg
	oldScripts := map[string]*keepalived.Script{}
	if old != nil {
		for _, s := range old.Scripts {
			oldScripts[s.Name] = s
		}
	}
	scriptChanged := func(name string) bool {
		a, b := oldScripts[name], scripts[name]
		return a == nil || b == nil || !sameScript(a, b)
	}
	keep := map[string]bool{}
	newPrio := map[string]int{}
	newVIPs := map[string]*keepalived.Instance{}
	for _, in := range cfg.Instances {
		cur, ok := d.instances[in.Name]
		if !ok {
			continue
		}
		if !inPlace(cur.model, in) {
			continue
		}
		if cur.model.Priority != in.Priority {
			newPrio[in.Name] = in.Priority
		}
		if vipsDiffer(cur.model, in) {
			newVIPs[in.Name] = in
		}
		same := true
		for _, t := range cur.spec.tracks {
			if scriptChanged(t.script) {
				same = false
			}
		}
		keep[in.Name] = same
		if same {
			cur.model = in
		}
	}
	for name, p := range newPrio {
		if keep[name] {
			d.instances[name].setPriority(p)
		}
	}
	// Every kept instance gets its addresses again (restore_vrrp_state
	// logs "setting VIPs." for a MASTER even when they did not change).
	for _, in := range cfg.Instances {
		name := in.Name
		if !keep[name] {
			continue
		}
		spec := d.instances[name].spec
		if newVIPs[name] != nil {
			var err error
			if spec, err = specFor(in, scripts, d.source); err != nil {
				// Restart it below, which reports the error.
				keep[name] = false
				continue
			}
		}
		d.instances[name].setVIPs(spec)
	}
	// Stop instances that go away or change. An instance keepalived
	// would match to the new configuration's (same virtual router) is
	// replaced without a shutdown and its successor keeps its state.
	newModels := map[string]*keepalived.Instance{}
	for _, in := range cfg.Instances {
		newModels[in.Name] = in
	}
	restores := map[string]*restored{}
	for name, cur := range d.instances {
		if keep[name] {
			continue
		}
		for _, t := range cur.spec.tracks {
			if r := d.scripts[t.script]; r != nil {
				r.unsubscribe(cur)
			}
		}
		if m := newModels[name]; m != nil && !inSyncGroup(cfg, name) {
			if spec, err := specFor(m, scripts, d.source); err == nil && sameRouter(cur.model, m, cur.spec, spec) {
				r := cur.detach()
				restores[name] = &r
				d.mu.Lock()
				delete(d.instances, name)
				d.mu.Unlock()
				continue
			}
		}
		cur.stop()
		d.mu.Lock()
		delete(d.instances, name)
		d.mu.Unlock()
	}
	// Scripts: keep unchanged runners, replace the others.
	for name, r := range d.scripts {
		if !scriptChanged(name) {
			continue
		}
		r.close()
		delete(d.scripts, name)
	}
	var firstErr error
	var started []*instance
	for _, in := range cfg.Instances {
		if keep[in.Name] {
			continue
		}
		spec, err := specFor(in, scripts, d.source)
		if err == nil {
			var inst *instance
			if inst, err = newInstance(d, spec); err == nil {
				inst.restore = restores[in.Name]
				d.mu.Lock()
				d.instances[in.Name] = inst
				d.mu.Unlock()
				started = append(started, inst)
			}
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("(%s) cannot start: %v", in.Name, err)
		}
	}
	// Sync groups link the new instances before they run.
	for _, sg := range cfg.SyncGroups {
		g := newSyncGroup(sg.Name, d.log)
		for _, name := range sg.Group {
			if inst := d.instances[name]; inst != nil {
				g.members = append(g.members, inst)
			}
		}
		for _, inst := range started {
			for _, name := range sg.Group {
				if name == inst.name() {
					inst.group = g
				}
			}
		}
	}
	for _, inst := range started {
		inst.run()
	}
	for _, s := range cfg.Scripts {
		if _, ok := d.scripts[s.Name]; ok || !d.tracked(s.Name) {
			continue
		}
		r := newScriptRunner(s, d.log)
		d.scripts[s.Name] = r
		r.start()
	}
	for _, inst := range started {
		for _, t := range inst.spec.tracks {
			if r := d.scripts[t.script]; r != nil {
				r.subscribe(inst)
			}
		}
	}
	return firstErr
}

// snapshot returns the running instances.
func (d *Daemon) snapshot() []*instance {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]*instance, 0, len(d.instances))
	for _, in := range d.instances {
		out = append(out, in)
	}
	return out
}

// runsVRID reports whether an instance runs vrid on ifname in the family.
func (d *Daemon) runsVRID(ifname string, vrid uint8, ipv6 bool) bool {
	for _, in := range d.snapshot() {
		if in.spec.fsm.Interface == ifname && in.spec.fsm.VRID == vrid && in.spec.expect.IPv6 == ipv6 {
			return true
		}
	}
	return false
}

// tracked reports whether any instance tracks script name.
func (d *Daemon) tracked(name string) bool {
	for _, in := range d.instances {
		for _, t := range in.spec.tracks {
			if t.script == name {
				return true
			}
		}
	}
	return false
}

// stopAll stops every instance (priority-0 adverts, VIPs removed), then
// the scripts.
func (d *Daemon) stopAll() {
	d.stopping.Store(true)
	for name, in := range d.instances {
		in.stop()
		d.mu.Lock()
		delete(d.instances, name)
		d.mu.Unlock()
	}
	for name, r := range d.scripts {
		r.close()
		delete(d.scripts, name)
	}
}

// dump writes a short state report to /tmp/keepalived.data (SIGUSR1) or
// counters to /tmp/keepalived.stats (SIGUSR2).
func (d *Daemon) dump(stats bool) {
	path := "/tmp/keepalived.data"
	if stats {
		path = "/tmp/keepalived.stats"
	}
	f, err := os.Create(path)
	if err != nil {
		d.log.Printf("Unable to open %s: %v", path, err)
		return
	}
	defer f.Close()
	if !stats {
		d.writeData(f)
		return
	}
	// In configuration order, as keepalived lists its instances.
	for _, c := range d.cfg.Instances {
		d.mu.Lock()
		in := d.instances[c.Name]
		d.mu.Unlock()
		if in != nil {
			in.stats.write(f, c.Name)
		}
	}
}

// alreadyRunning reports whether the pid file names a live process other
// than us.
func alreadyRunning(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(string(trimSpace(b)))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return 0, false
	}
	return pid, syscall.Kill(pid, 0) == nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// waitPrimaryAddr is netio.PrimaryAddr, waiting up to 5 s for the address
// to appear: an IPv6 link-local address is usable only once duplicate
// address detection finished (keepalived sits in FAULT meanwhile, "no
// IPv6 address for interface").
func waitPrimaryAddr(ifname string, ipv6 bool) (netip.Addr, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		a, err := netio.PrimaryAddr(ifname, ipv6)
		if err == nil || time.Now().After(deadline) {
			return a, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
