package fsm

import (
	"net/netip"
	"time"
)

// SetAddresses replaces the virtual and excluded addresses after a reload
// that changed only them (keepalived's clear_diff_vrrp keeps the instance
// and its state). The shell adds and removes the addresses themselves
// while the VIPs are set; added reports that it added some, in which case
// a MASTER announces all its addresses again (restore_vrrp_state then
// vrrp_send_link_update) and restarts the refresh timer. keepalived
// calls it for every instance a reload keeps.
func (m *Machine) SetAddresses(now time.Time, addrs, excluded []netip.Addr, added bool) []Action {
	m.begin()
	// keepalived's reload cancels every pending thread: a delayed GARP
	// burst (garp_master_delay) does not come.
	m.delayed = m.delayed[:0]
	m.cfg.Addresses = append([]netip.Addr(nil), addrs...)
	m.cfg.ExcludedAddresses = append([]netip.Addr(nil), excluded...)
	if m.vipSet {
		if len(m.cfg.Addresses) > 0 {
			m.detail("setting VIPs.")
		}
		if len(m.cfg.ExcludedAddresses) > 0 {
			m.detail("setting E-VIPs.")
		}
	}
	if m.vipSet && added {
		m.linkUpdate(m.cfg.GARPMasterRepeat)
		if m.cfg.GARPMasterRefresh > 0 {
			m.refreshAt = now.Add(m.cfg.GARPMasterRefresh)
		}
	}
	return m.out
}
