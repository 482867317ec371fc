package fsm

import "time"

// Restore starts a machine that replaces, after a reload, an instance of
// the same virtual router whose other settings changed (advert_int,
// nopreempt, tracking, authentication, ...). keepalived 2.2.7 keeps such
// an instance's state (vrrp.c vrrp_complete_init on reload, then
// restore_vrrp_state and vrrp_init_state): a MASTER stays MASTER with its
// addresses and sends an advert at once (reload_master), a BACKUP stays
// BACKUP with a fresh master-down timer; neither logs a transition nor
// runs a notify script. A weight-0 script without its first result does
// not hold the instance back (keepalived's SCRIPT_INIT_STATE_INIT_RELOAD:
// it is taken as good until it fails). An instance that was in FAULT, or
// that now has a fault, starts as Start starts it.
// vipSet tells whether the previous instance had its addresses set (they
// are still on the interface).
func (m *Machine) Restore(now time.Time, prev State, vipSet bool) []Action {
	if m.faults > 0 || (prev != Master && prev != Backup) {
		return m.Start(now)
	}
	m.pending = 0
	m.begin()
	for _, w := range m.warnings {
		m.emit(Action{Kind: Log, Text: w})
	}
	m.setEffective(false)
	m.state, m.wantState = prev, prev
	m.masterAdverInt = m.cfg.AdvertInterval
	if prev == Master {
		m.vipSet = vipSet
		if vipSet {
			if len(m.cfg.Addresses) > 0 {
				m.detail("setting VIPs.")
			}
			if len(m.cfg.ExcludedAddresses) > 0 {
				m.detail("setting E-VIPs.")
			}
		}
		m.sands = now
		return m.out
	}
	m.msDown = m.masterDown()
	m.sands = now.Add(m.msDown)
	return m.out
}
