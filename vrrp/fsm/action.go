package fsm

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Kind is the kind of an Action.
type Kind uint8

// Action kinds.
const (
	// SendAdvert: send an advertisement with Priority (0 when stopping
	// or entering FAULT from MASTER).
	SendAdvert Kind = iota + 1
	// AddVIPs / RemoveVIPs: install or remove the virtual (and excluded)
	// addresses. RemoveVIPs with Force set is the start-up cleanup of
	// addresses a previous run left behind.
	AddVIPs
	RemoveVIPs
	// SendGARP: Repeat rounds of gratuitous ARPs / unsolicited neighbour
	// advertisements, one per virtual address per round. With Addr set,
	// a single announcement for that address (the unicast source address
	// when an instance comes up).
	SendGARP
	// RunNotify: run Script (notify_master/backup/fault/stop, or the
	// generic notify script with keepalived's four arguments appended).
	RunNotify
	// Log: a log line in keepalived's words. Detail lines are the ones
	// keepalived prints only with -D (--log-detail).
	Log
)

// Action is one thing the shell must do, in order.
type Action struct {
	Kind     Kind
	Priority uint8
	Repeat   int
	Addr     netip.Addr
	Force    bool
	State    State
	Script   []string
	Text     string
	Detail   bool
}

// String renders the action for tests and debugging.
func (a Action) String() string {
	switch a.Kind {
	case SendAdvert:
		return "advert prio " + strconv.Itoa(int(a.Priority))
	case AddVIPs:
		return "add VIPs"
	case RemoveVIPs:
		if a.Force {
			return "remove VIPs (force)"
		}
		return "remove VIPs"
	case SendGARP:
		if a.Addr.IsValid() {
			return "garp " + a.Addr.String()
		}
		return "garp x" + strconv.Itoa(a.Repeat)
	case RunNotify:
		return fmt.Sprintf("notify %s %q", a.State, a.Script)
	case Log:
		if a.Detail {
			return "log-detail " + a.Text
		}
		return "log " + a.Text
	}
	return fmt.Sprintf("Action(%d)", a.Kind)
}
