package daemon

import (
	"sync"
	"time"
)

// syncGroup is a vrrp_sync_group: when one member faults (its own tracked
// interface, script or file), the others are put in FAULT too, and they
// leave it when it recovers (vrrp_sync.c vrrp_sync_fault). govrrpd syncs
// FAULT only: the state machine has no events yet to force a member to
// MASTER or BACKUP.
type syncGroup struct {
	name    string
	log     *Logger
	members []*instance

	mu      sync.Mutex
	faulted map[*instance]bool // members faulted by their own sources
}

func newSyncGroup(name string, log *Logger) *syncGroup {
	return &syncGroup{name: name, log: log, faulted: map[*instance]bool{}}
}

// fault records that member from entered (down) or left FAULT through its
// own sources, and tells the other members.
func (g *syncGroup) fault(from *instance, down bool) {
	g.mu.Lock()
	was := len(g.faulted) > 0
	if down {
		g.faulted[from] = true
	} else {
		delete(g.faulted, from)
	}
	g.mu.Unlock()
	if down && !was {
		g.log.Printf("VRRP_Group(%s) Syncing instances to FAULT state", g.name)
	}
	for _, m := range g.members {
		if m != from {
			m.groupFault(down)
		}
	}
}

// groupFault is called by the group (any goroutine).
func (in *instance) groupFault(down bool) {
	v := -1
	if down {
		v = 1
	}
	select {
	case in.events <- event{kind: evGroup, value: v}:
	case <-in.done:
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
