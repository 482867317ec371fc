package fsm

import "time"

// A vrrp_sync_group moves its members together (keepalived vrrp_sync.c).
// The machine sees the group through two things: a gate it asks before
// going MASTER on its own, and the forced transitions SyncMaster and
// SyncBackup the group sends it when another member moved.

// SetSyncGate installs the group's check (vrrp_sync_can_goto_master): a
// member whose master-down timer expires goes MASTER only when gate
// reports true, which the group does when it is already MASTER or every
// other member wants MASTER too. Otherwise the member stays BACKUP,
// remembers that it wants MASTER (WantState) and re-arms its timer, so
// that a group prefers BACKUP to thrashing.
func (m *Machine) SetSyncGate(gate func() bool) { m.syncGate = gate }

// WantState is the state the instance would be in disregarding its sync
// group (keepalived's wantstate).
func (m *Machine) WantState() State { return m.wantState }

// SyncMaster forces a BACKUP member to MASTER because another member of
// its group became MASTER (vrrp_sync_master). Members in other states
// are left alone: a group only syncs to MASTER when every member wants
// it, so none is in FAULT.
func (m *Machine) SyncMaster(now time.Time) []Action {
	m.begin()
	if m.state != Backup {
		return m.out
	}
	m.wantState = Master
	m.gotoMaster(now)
	m.initSands(now)
	return m.out
}

// SyncBackup forces a MASTER member to BACKUP because another member of
// its group left MASTER for BACKUP (vrrp_sync_backup: leave_master
// without a priority-0 advert). A member in FAULT through the group
// alone (no fault source of its own down) leaves it for BACKUP too.
func (m *Machine) SyncBackup(now time.Time) []Action {
	m.begin()
	switch m.state {
	case Master:
		m.wantState = Backup
		m.leaveMaster(now, false)
	case Fault:
		if m.faults > 0 || m.pending > 0 {
			return m.out
		}
		m.wantState = Backup
		m.leaveFault(now)
	}
	return m.out
}
