package fsm

import (
	"net/netip"
	"time"
)

// Received handles an advertisement for this VRID (vrrp_dispatcher_read).
func (m *Machine) Received(now time.Time, adv Advert) []Action {
	m.begin()
	switch m.state {
	case Backup:
		m.backupRx(now, adv)
		m.initSands(now)
	case Master:
		if m.masterRx(now, adv) {
			m.leaveMaster(now, false)
		}
		// Any packet re-arms the advert timer, even a rejected one
		// (unless lower_prio_no_advert).
		if m.state != Master || !m.cfg.LowerPrioNoAdvert {
			m.initSands(now)
		}
	}
	return m.out
}

// backupRx is vrrp_state_backup. It leaves msDown so that initSands
// yields the new deadline.
func (m *Machine) backupRx(now time.Time, adv Advert) {
	ignore := adv.Rejected
	switch {
	case ignore:
	case adv.Priority == 0:
		// The master is leaving: take over after the skew only.
		m.detail("Backup received priority 0 advertisement")
		m.msDown = m.Skew(m.effective)
	case m.cfg.Nopreempt || adv.Priority >= m.effective ||
		(m.cfg.PreemptDelay > 0 && (m.preemptTime.IsZero() || m.preemptTime.After(now))):
		if m.cfg.Version == 3 && adv.Interval > 0 && adv.Interval != m.masterAdverInt {
			// RFC 5798 §6.4.2: adopt the master's interval.
			m.detail("advertisement interval updated from %dms to %dms by master",
				m.masterAdverInt.Milliseconds(), adv.Interval.Milliseconds())
			m.masterAdverInt = adv.Interval
		}
		m.msDown = m.masterDown()
		m.masterAddr, m.masterPrio = adv.Src, adv.Priority
		if m.cfg.PreemptDelay > 0 {
			if adv.Priority >= m.effective {
				if !m.preemptTime.IsZero() {
					m.detail("stop preempt delay")
					m.preemptTime = time.Time{}
				}
			} else if m.preemptTime.IsZero() {
				us := m.cfg.PreemptDelay.Microseconds()
				m.detail("start preempt delay (%d.%06d)", us/1000000, us%1000000)
				m.preemptTime = now.Add(m.cfg.PreemptDelay)
			}
		}
		m.wantState = Backup
	default:
		// Preemption: ignore the lower-priority master and let the
		// down timer run out.
		m.log("received lower priority (%d) advert from %s - discarding", adv.Priority, adv.Src)
		m.masterAddr = adv.Src
		ignore = true
	}
	if ignore {
		// Keep the running deadline.
		m.msDown = max(m.sands.Sub(now), 0)
	}
}

// addrCmp compares the sender's address with ours, as vrrp_saddr_cmp.
func (m *Machine) addrCmp(src netip.Addr) int {
	if !m.cfg.SourceAddr.IsValid() || src.Is4() != m.cfg.SourceAddr.Is4() {
		return 0
	}
	return src.Compare(m.cfg.SourceAddr)
}

// masterRx is vrrp_state_master_rx; it returns true to leave MASTER.
func (m *Machine) masterRx(now time.Time, adv Advert) bool {
	if adv.Rejected {
		return false
	}
	cmp := m.addrCmp(adv.Src)
	higher := adv.Priority > m.effective || (adv.Priority == m.effective && cmp > 0)
	if adv.Priority == 0 || (m.cfg.HigherPrioSendAdvert && higher) {
		m.emit(Action{Kind: SendAdvert, Priority: m.effective})
		if adv.Priority == 0 {
			m.detail("Master received priority 0 message")
			return false
		}
	}
	if adv.Priority == m.effective {
		if cmp == 0 {
			m.log("WARNING - equal priority advert received from remote host with our IP address.")
		} else if m.effective == 255 {
			m.log("CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority")
			m.effective, m.total, m.cfg.Priority = 254, 254, 254
			higher = adv.Priority > m.effective || (adv.Priority == m.effective && cmp > 0)
		}
	}
	if adv.Priority < m.effective || (adv.Priority == m.effective && cmp < 0) {
		suffix := ", forcing new election"
		if m.cfg.LowerPrioNoAdvert {
			suffix = ""
		}
		m.log("Received advert from %s with lower priority %d, ours %d%s", adv.Src, adv.Priority, m.effective, suffix)
		if !m.cfg.LowerPrioNoAdvert {
			m.emit(Action{Kind: SendAdvert, Priority: m.effective})
		}
		if m.cfg.GARPLowerPrioRepeat > 0 {
			m.linkUpdate(m.cfg.GARPLowerPrioRepeat)
			if m.cfg.GARPLowerPrioDelay > 0 {
				m.delay(now.Add(m.cfg.GARPLowerPrioDelay), m.cfg.GARPLowerPrioRepeat)
			}
		}
		return false
	}
	if higher {
		if adv.Priority > m.effective {
			m.log("Master received advert from %s with higher priority %d, ours %d", adv.Src, adv.Priority, m.effective)
		} else {
			m.log("Master received advert from %s with same priority %d but higher IP address than ours", adv.Src, adv.Priority)
		}
		if m.cfg.Version == 3 && adv.Interval > 0 && adv.Interval != m.masterAdverInt {
			m.detail("advertisement interval updated from %dms to %dms by master",
				m.masterAdverInt.Milliseconds(), adv.Interval.Milliseconds())
			m.masterAdverInt = adv.Interval
		}
		m.msDown = m.masterDown()
		m.masterAddr, m.masterPrio = adv.Src, adv.Priority
		m.wantState = Backup
		return true
	}
	return false
}

// leaveMaster is vrrp_state_leave_master for wantState BACKUP or FAULT.
func (m *Machine) leaveMaster(now time.Time, advF bool) {
	switch m.wantState {
	case Backup:
		m.log("Entering BACKUP STATE")
		m.preemptTime = time.Time{}
	case Fault:
		m.log("Entering FAULT STATE")
		m.emit(Action{Kind: SendAdvert, Priority: 0})
	}
	m.restoreInterface(advF)
	m.state = m.wantState
	m.notify()
	m.msDown = m.masterDown()
	m.initSands(now)
}

// SetTrackDelta sets the sum of the tracking adjustments (track_script,
// track_interface, track_file weights) to delta: the effective priority
// becomes Priority+delta clamped to 1..254, unless the instance is the
// address owner (vrrp_set_effective_priority). In BACKUP the running
// master-down deadline moves by the change of the timer.
func (m *Machine) SetTrackDelta(now time.Time, delta int) []Action {
	m.begin()
	m.total = int(m.cfg.Priority) + delta
	if m.state != Init && m.state != Stop {
		m.setEffective(true)
	}
	return m.out
}

func (m *Machine) setEffective(adjustTimer bool) {
	if m.cfg.Priority == 255 {
		return
	}
	p := m.total
	if p < 1 {
		p = 1
	} else if p >= 255 {
		p = 254
	}
	if uint8(p) == m.effective {
		return
	}
	m.log("Changing effective priority from %d to %d", m.effective, p)
	m.effective = uint8(p)
	old := m.msDown
	m.msDown = m.masterDown()
	if adjustTimer && m.state == Backup && !m.sands.IsZero() {
		m.sands = m.sands.Add(m.msDown - old)
	}
}

// Down records that a fault source went down: a tracked interface lost
// its link, or a weight-0 tracked script or file failed
// (vrrp_track.c down_instance). The first one puts the instance in FAULT;
// a MASTER sends priority-0 adverts and removes its VIPs.
func (m *Machine) Down(now time.Time) []Action {
	m.begin()
	if m.state == Stop {
		return m.out
	}
	m.faults++
	if m.faults != 1 && m.state != Init {
		return m.out
	}
	if m.state == Init {
		// Start will enter FAULT (init).
		return m.out
	}
	m.wantState = Fault
	if m.state == Master {
		m.leaveMaster(now, true)
		return m.out
	}
	m.leaveFault(now)
	return m.out
}

// leaveFault is vrrp_state_leave_fault for wantState BACKUP or FAULT.
func (m *Machine) leaveFault(now time.Time) {
	if m.state != m.wantState {
		m.log("Entering %s STATE", m.wantState)
	}
	m.state = m.wantState
	m.notify()
	if m.state == Backup {
		m.preemptTime = time.Time{}
	}
	m.masterAdverInt = m.cfg.AdvertInterval
	m.msDown = m.masterDown()
	m.initSands(now)
}

// Up records that a fault source came back (try_up_instance). When none
// is left down the instance leaves FAULT for BACKUP; with unicast peers it
// first announces its own source address so the master can reach it.
func (m *Machine) Up(now time.Time) []Action {
	m.begin()
	if m.faults == 0 || m.state == Stop {
		return m.out
	}
	m.faults--
	if m.faults > 0 || m.pending > 0 || m.state == Init {
		return m.out
	}
	m.wantState = Backup
	m.masterAdverInt = m.cfg.AdvertInterval
	m.msDown = m.masterDown()
	m.leaveFault(now)
	if m.cfg.Unicast && m.cfg.SourceAddr.IsValid() {
		what := "ARP"
		if m.cfg.SourceAddr.Is6() {
			what = "NA"
		}
		m.emit(Action{Kind: Log, Detail: true, Text: m.cfg.Name + ": sending gratuitous " + what + " for " + m.cfg.SourceAddr.String()})
		m.emit(Action{Kind: SendGARP, Addr: m.cfg.SourceAddr})
	}
	return m.out
}

// Settle reports the first result of one of the Config.InitPending
// weight-0 scripts (process_script_update_priority leaving INIT). A
// failure counts as a fault source that is down (call Up when it
// recovers); once every script has reported and none failed, the
// instance leaves FAULT for BACKUP.
func (m *Machine) Settle(now time.Time, ok bool) []Action {
	m.begin()
	if m.pending == 0 || m.state == Stop {
		return m.out
	}
	m.pending--
	if !ok {
		m.faults++
		return m.out
	}
	if m.pending > 0 || m.faults > 0 || m.state != Fault {
		return m.out
	}
	m.wantState = Backup
	m.masterAdverInt = m.cfg.AdvertInterval
	m.msDown = m.masterDown()
	m.leaveFault(now)
	return m.out
}

// Shutdown stops the instance (SIGTERM): a MASTER sends a priority-0
// advert so a backup takes over after its skew time, and removes its
// VIPs; every instance then runs its stop notifications.
func (m *Machine) Shutdown(now time.Time) []Action {
	m.begin()
	if m.state == Master {
		m.restoreInterface(true)
	}
	m.state, m.wantState = Stop, Stop
	m.sands, m.delayed = time.Time{}, m.delayed[:0]
	m.notify()
	return m.out
}
