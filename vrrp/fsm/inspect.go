package fsm

import (
	"net/netip"
	"time"
)

// The accessors below feed keepalived's state dump (SIGUSR1,
// /tmp/keepalived.data).

// Faults is the number of fault sources down (num_script_if_fault).
func (m *Machine) Faults() int { return m.faults }

// PendingScripts is the number of weight-0 scripts without a first
// result (num_script_init).
func (m *Machine) PendingScripts() int { return m.pending }

// TotalPriority is the base priority plus the tracking adjustments,
// unclamped (total_priority).
func (m *Machine) TotalPriority() int { return m.total }

// StateTimer is the state timer's deadline (sands: master down in
// BACKUP, next advert in MASTER); zero when disabled.
func (m *Machine) StateTimer() time.Time { return m.sands }

// MasterRouter is the last master heard from and its priority.
func (m *Machine) MasterRouter() (netip.Addr, uint8) { return m.masterAddr, m.masterPrio }
