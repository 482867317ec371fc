package daemon

import (
	"sync"
	"sync/atomic"
	"time"

	"goha/vrrp/fsm"
)

// syncGroup is a vrrp_sync_group: its members move to MASTER, BACKUP and
// FAULT together (keepalived vrrp_sync.c). Each member runs in its own
// goroutine, but they take turns (turn), as keepalived's single thread
// would run them: the member whose turn it is reads the others' states
// and moves them directly, so no other member acts between its own
// transition and the group's.
type syncGroup struct {
	name    string
	log     *Logger
	members []*instance
	turn    sync.Mutex

	mu      sync.Mutex
	state   fsm.State          // the group's state: BACKUP, MASTER or FAULT
	faulted map[*instance]bool // members faulted by their own sources
}

func newSyncGroup(name string, log *Logger) *syncGroup {
	return &syncGroup{name: name, log: log, state: fsm.Backup, faulted: map[*instance]bool{}}
}

// canGotoMaster is vrrp_sync_can_goto_master for member from: true when
// the group is MASTER already or every other member wants MASTER.
func (g *syncGroup) canGotoMaster(from *instance) bool {
	g.mu.Lock()
	st := g.state
	g.mu.Unlock()
	if st == fsm.Master {
		return true
	}
	for _, m := range g.members {
		if m != from && !m.wantsMaster(from.deadline.Load()) {
			return false
		}
	}
	return true
}

// wantsMaster reports whether the member wants MASTER, as seen by
// another member whose master-down timer expired at deadline. A BACKUP
// member whose own timer expired no later counts as wanting it: keepalived
// (one thread) runs expired timers in deadline order, so it would have
// timed out first and set its wantstate; our goroutines may wake in the
// other order.
func (in *instance) wantsMaster(deadline int64) bool {
	if fsm.State(in.want.Load()) == fsm.Master {
		return true
	}
	d := in.deadline.Load()
	return fsm.State(in.state.Load()) == fsm.Backup && d != 0 && d <= deadline
}

// transition applies keepalived's transition matrix (VRRP_TSM) after
// member from moved from prev to cur: becoming MASTER syncs the group to
// MASTER; leaving MASTER for BACKUP syncs it to BACKUP.
func (g *syncGroup) transition(from *instance, prev, cur fsm.State) {
	switch {
	case cur == fsm.Master && prev != fsm.Master:
		g.sync(from, fsm.Master)
	case prev == fsm.Master && cur == fsm.Backup:
		g.sync(from, fsm.Backup)
	}
}

// sync moves the group to state (MASTER or BACKUP) and tells the other
// members, once: the members it forces come back here and find the group
// there already.
func (g *syncGroup) sync(from *instance, state fsm.State) {
	g.mu.Lock()
	if g.state == state {
		g.mu.Unlock()
		return
	}
	g.state = state
	g.mu.Unlock()
	g.log.Printf("VRRP_Group(%s) Syncing instances to %s state", g.name, state)
	now := time.Now()
	for _, m := range g.members {
		if m == from {
			continue
		}
		if state == fsm.Master {
			m.exec(m.m.SyncMaster(now))
		} else {
			m.exec(m.m.SyncBackup(now))
		}
		m.wake()
	}
}

// fault records that member from entered (down) or left FAULT through its
// own sources. The first member down syncs the group to FAULT; when the
// last comes back the group syncs to BACKUP (vrrp_sync_fault, and
// try_up_instance's vrrp_sync_backup).
func (g *syncGroup) fault(from *instance, down bool) {
	g.mu.Lock()
	if down {
		g.faulted[from] = true
	} else {
		delete(g.faulted, from)
	}
	var logState fsm.State
	switch {
	case down && g.state != fsm.Fault:
		g.state, logState = fsm.Fault, fsm.Fault
	case !down && len(g.faulted) == 0 && g.state != fsm.Backup:
		g.state, logState = fsm.Backup, fsm.Backup
	}
	g.mu.Unlock()
	if logState != 0 {
		g.log.Printf("VRRP_Group(%s) Syncing instances to %s state", g.name, logState)
	}
	for _, m := range g.members {
		if m != from {
			m.groupFault(down)
		}
	}
}

// send queues ev for the instance's goroutine (any goroutine).
func (in *instance) send(ev event) {
	select {
	case in.events <- ev:
	case <-in.done:
	}
}

// groupFault is called by the group, in another member's turn.
func (in *instance) groupFault(down bool) {
	if down {
		in.exec(in.m.Down(time.Now()))
	} else {
		in.exec(in.m.Up(time.Now()))
	}
	in.wake()
}

// wake makes the instance's goroutine look at its timer again after
// another member changed its machine.
func (in *instance) wake() {
	select {
	case in.events <- event{kind: evWake}:
	default:
		// Events are queued: the goroutine looks at its timer anyway.
	}
}

// lockGroup and unlockGroup take and give back the group's turn around
// every use of the machine (no-ops outside a group).
func (in *instance) lockGroup() {
	if in.group != nil {
		in.group.turn.Lock()
	}
}

func (in *instance) unlockGroup() {
	if in.group != nil {
		in.group.turn.Unlock()
	}
}

// down and up record a fault source of the instance's own going down or
// up, and tell its sync group when the first goes down or the last comes
// back.
func (in *instance) down(now time.Time) {
	in.exec(in.m.Down(now))
	in.ownFaults++
	if in.ownFaults == 1 && in.group != nil {
		in.group.fault(in, true)
	}
}

func (in *instance) up(now time.Time) {
	in.exec(in.m.Up(now))
	if in.ownFaults == 0 {
		return
	}
	in.ownFaults--
	if in.ownFaults == 0 && in.group != nil {
		in.group.fault(in, false)
	}
}

// atomicState is a member's wantstate as the other members read it.
type atomicState = atomic.Int32
