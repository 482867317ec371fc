package fsm

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// Advert is a received advertisement for this instance's VRID, after the
// shell ran packet.Check on it.
type Advert struct {
	// Src is the IP source address of the sender.
	Src netip.Addr
	// Priority is the advertised priority.
	Priority uint8
	// Interval is the advertised interval (VRRPv3 Max Adver Int).
	Interval time.Duration
	// Rejected is set when packet.Check refused the advert. keepalived
	// still lets such a packet re-arm a master's advert timer.
	Rejected bool
}

// delayedGARP is a GARP burst keepalived schedules as a timer thread
// (garp_master_delay after becoming MASTER, garp_lower_prio_delay after a
// lower-priority advert). Like keepalived, leaving MASTER does not cancel
// it: it sends nothing if the VIPs are not set when it fires.
type delayedGARP struct {
	at  time.Time
	rep int
}

// Machine is the state machine of one VRRP instance. It is not safe for
// concurrent use. The action slices its methods return are reused by the
// next call.
type Machine struct {
	cfg      Config
	warnings []string

	state     State
	wantState State
	faults    int // fault sources currently down (num_script_if_fault)
	pending   int // weight-0 scripts without a first result (num_script_init)

	total     int   // base priority + tracking adjustments
	effective uint8 // clamped total, or 255 for the owner

	masterAdverInt time.Duration // Master_Adver_Interval
	msDown         time.Duration // the master-down (or skew) timer length
	sands          time.Time     // state timer deadline; zero when disabled
	delayed        []delayedGARP // pending delayed GARP bursts, by time
	refreshAt      time.Time     // next GARP refresh (checked on advert tx)
	preemptTime    time.Time     // preempt_delay expiry; zero when not running
	vipSet         bool

	masterAddr netip.Addr
	masterPrio uint8

	syncGate func() bool // nil outside a vrrp_sync_group

	out []Action
}

// New returns a machine for cfg in state INIT. It returns an error for
// settings that cannot run; settings keepalived clears with a warning
// (nopreempt with state MASTER, ...) are cleared and reported by Warnings.
func New(cfg Config) (*Machine, error) {
	c, warn, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	m := &Machine{cfg: c, warnings: warn, state: Init, wantState: c.InitialState,
		total: int(c.Priority), effective: c.Priority, masterAdverInt: c.AdvertInterval,
		pending: c.InitPending}
	return m, nil
}

// Warnings returns the configuration warnings keepalived would log.
func (m *Machine) Warnings() []string { return m.warnings }

// Config returns the effective configuration (defaults filled in).
func (m *Machine) Config() Config { return m.cfg }

// State returns the current state.
func (m *Machine) State() State { return m.state }

// Priority returns the effective priority.
func (m *Machine) Priority() uint8 { return m.effective }

// MasterAdvertInterval returns Master_Adver_Interval (in VRRPv3 a backup
// adopts the master's).
func (m *Machine) MasterAdvertInterval() time.Duration { return m.masterAdverInt }

// MasterDownInterval returns the current master-down (or skew) timer.
func (m *Machine) MasterDownInterval() time.Duration { return m.msDown }

// VIPsSet reports whether the virtual addresses are installed.
func (m *Machine) VIPsSet() bool { return m.vipSet }

// Deadline returns when Timer must next be called; zero means no timer.
func (m *Machine) Deadline() time.Time {
	d := m.sands
	if len(m.delayed) > 0 && (d.IsZero() || m.delayed[0].at.Before(d)) {
		d = m.delayed[0].at
	}
	return d
}

// CheckAddresses reports whether the address list of an advert from src
// must be checked: always, unless skip_check_adv_addr is set and src is
// the master this backup already follows (vrrp.c vrrp_state_backup).
func (m *Machine) CheckAddresses(src netip.Addr, skipCheckAdvAddr bool) bool {
	if m.state != Backup || !skipCheckAdvAddr {
		return true
	}
	return !m.masterAddr.IsValid() || m.masterAddr != src
}

// Skew returns the skew time for priority prio with the current
// Master_Adver_Interval, in keepalived's integer microseconds
// (VRRP_TIMER_SKEW_CALC).
func (m *Machine) Skew(prio uint8) time.Duration {
	return skew(m.cfg.Version, m.masterAdverInt, 256-uint32(prio))
}

func skew(version uint8, masterAdverInt time.Duration, val uint32) time.Duration {
	var us uint32
	if version == 3 {
		centis := uint32(masterAdverInt / (10 * time.Millisecond))
		us = val * centis * 625 / 16
	} else {
		us = val * 1000000 / 256
	}
	return time.Duration(us) * time.Microsecond
}

// masterDown is VRRP_MS_DOWN_TIMER.
func (m *Machine) masterDown() time.Duration {
	return time.Duration(m.cfg.DownTimerAdverts)*m.masterAdverInt + m.Skew(m.effective)
}

func (m *Machine) emit(a Action) { m.out = append(m.out, a) }

func (m *Machine) log(format string, args ...any) {
	m.emit(Action{Kind: Log, Text: "(" + m.cfg.Name + ") " + fmt.Sprintf(format, args...)})
}

func (m *Machine) detail(format string, args ...any) {
	m.emit(Action{Kind: Log, Detail: true, Text: "(" + m.cfg.Name + ") " + fmt.Sprintf(format, args...)})
}

func (m *Machine) begin() { m.out = m.out[:0] }

// Start brings the instance up (vrrp_init_state). now is the start time.
func (m *Machine) Start(now time.Time) []Action {
	m.begin()
	for _, w := range m.warnings {
		m.emit(Action{Kind: Log, Text: w})
	}
	m.setEffective(false)
	// Addresses a previous run left behind are removed first
	// (vrrp_restore_interfaces_startup).
	m.removeVIPs(true)
	if m.pending > 0 {
		// Waiting for the first script results: FAULT, silently
		// (keepalived logs nothing and runs no notify here).
		m.state, m.wantState = Fault, Fault
		m.sands = time.Time{}
		return m.out
	}
	if m.faults > 0 {
		m.state, m.wantState = Fault, Fault
		m.log("Entering FAULT STATE (init)")
		m.notify()
		m.sands = time.Time{}
		return m.out
	}
	m.state = Backup
	if m.wantState == Master && m.cfg.Priority == 255 {
		// The owner times out of BACKUP after 1µs, silently.
		m.msDown = time.Microsecond
	} else {
		m.msDown = m.masterDown()
		m.log("Entering BACKUP STATE (init)")
		m.notify()
	}
	m.sands = now.Add(m.msDown)
	return m.out
}

// Timer runs the timers due at now: the delayed GARP bursts and the state
// timer (master down in BACKUP, advert in MASTER).
func (m *Machine) Timer(now time.Time) []Action {
	m.begin()
	for len(m.delayed) > 0 && !now.Before(m.delayed[0].at) {
		rep := m.delayed[0].rep
		m.delayed = append(m.delayed[:0], m.delayed[1:]...)
		m.linkUpdate(rep)
	}
	if m.sands.IsZero() || now.Before(m.sands) {
		return m.out
	}
	switch m.state {
	case Backup:
		m.detail("Receive advertisement timeout")
		m.wantState = Master
		if m.syncGate != nil && !m.syncGate() {
			// The group is not ready: stay BACKUP wanting MASTER,
			// and try again one master-down interval later.
			m.msDown = m.masterDown()
			break
		}
		m.gotoMaster(now)
	case Master:
		m.masterTx(now)
	}
	m.initSands(now)
	return m.out
}

// initSands is vrrp_init_instance_sands.
func (m *Machine) initSands(now time.Time) {
	switch m.state {
	case Master:
		m.sands = now.Add(m.cfg.AdvertInterval)
	case Backup:
		m.sands = now.Add(m.msDown)
	default:
		m.sands = time.Time{}
	}
}

func (m *Machine) gotoMaster(now time.Time) {
	m.state = Master
	m.masterTx(now)
}

// masterTx is vrrp_state_master_tx: advert first (so that the old master
// drops the VIPs before our GARPs), then take over if not done yet.
func (m *Machine) masterTx(now time.Time) {
	m.emit(Action{Kind: SendAdvert, Priority: m.effective})
	if !m.vipSet {
		m.log("Entering MASTER STATE")
		m.becomeMaster(now)
		if m.cfg.GARPMasterDelay > 0 {
			m.delay(now.Add(m.cfg.GARPMasterDelay), m.cfg.GARPMasterRepeat)
		}
		return
	}
	if m.cfg.GARPMasterRefresh > 0 && now.After(m.refreshAt) {
		m.linkUpdate(m.cfg.GARPMasterRefreshRepeat)
		m.refreshAt = now.Add(m.cfg.GARPMasterRefresh)
	}
}

func (m *Machine) becomeMaster(now time.Time) {
	if m.cfg.Version == 3 && m.masterAdverInt != m.cfg.AdvertInterval {
		m.detail("changing advert interval from %dms to locally configured %dms",
			m.masterAdverInt.Milliseconds(), m.cfg.AdvertInterval.Milliseconds())
		m.masterAdverInt = m.cfg.AdvertInterval
	}
	if len(m.cfg.Addresses) > 0 {
		m.detail("setting VIPs.")
	}
	if len(m.cfg.ExcludedAddresses) > 0 {
		m.detail("setting E-VIPs.")
	}
	m.emit(Action{Kind: AddVIPs})
	m.vipSet = true
	m.linkUpdate(m.cfg.GARPMasterRepeat)
	if m.cfg.GARPMasterRefresh > 0 {
		m.refreshAt = now.Add(m.cfg.GARPMasterRefresh)
	}
	m.notify()
}

// linkUpdate is vrrp_send_link_update: rep rounds of announcements, only
// while the VIPs are set.
func (m *Machine) linkUpdate(rep int) {
	if !m.vipSet || rep <= 0 {
		return
	}
	for _, lists := range [][]netip.Addr{m.cfg.Addresses, m.cfg.ExcludedAddresses} {
		for _, a := range lists {
			what := "gratuitous ARPs"
			if a.Is6() && !a.Is4In6() {
				what = "Unsolicited Neighbour Adverts"
			}
			m.detail("Sending/queueing %s on %s for %s", what, m.cfg.Interface, a)
		}
	}
	m.emit(Action{Kind: SendGARP, Repeat: rep})
}

// delay schedules a GARP burst of rep rounds at time at.
func (m *Machine) delay(at time.Time, rep int) {
	i := len(m.delayed)
	for i > 0 && m.delayed[i-1].at.After(at) {
		i--
	}
	m.delayed = append(m.delayed, delayedGARP{})
	copy(m.delayed[i+1:], m.delayed[i:])
	m.delayed[i] = delayedGARP{at, rep}
}

func (m *Machine) removeVIPs(force bool) {
	if len(m.cfg.Addresses) > 0 {
		m.detail("removing VIPs.")
	}
	if len(m.cfg.ExcludedAddresses) > 0 {
		m.detail("removing E-VIPs.")
	}
	m.emit(Action{Kind: RemoveVIPs, Force: force})
	m.vipSet = false
}

// restoreInterface is vrrp_restore_interface.
func (m *Machine) restoreInterface(advF bool) {
	if advF {
		m.emit(Action{Kind: SendAdvert, Priority: 0})
		m.detail("sent 0 priority")
	}
	if m.vipSet {
		m.removeVIPs(false)
	}
}

// notify is send_instance_notifies for the current state.
func (m *Machine) notify() {
	var script []string
	switch m.state {
	case Master:
		script = m.cfg.NotifyMaster
	case Backup:
		script = m.cfg.NotifyBackup
	case Fault:
		script = m.cfg.NotifyFault
	case Stop:
		script = m.cfg.NotifyStop
	}
	if script != nil {
		m.emit(Action{Kind: RunNotify, State: m.state, Script: script})
	}
	if m.cfg.Notify != nil {
		args := append(append([]string(nil), m.cfg.Notify...),
			"INSTANCE", m.cfg.Name, m.state.String(), strconv.Itoa(int(m.effective)))
		m.emit(Action{Kind: RunNotify, State: m.state, Script: args})
	}
}
