package daemon

import (
	"reflect"
	"time"

	"goha/parser/keepalived"
	"goha/vrrp/fsm"
)

// restored is what a reload carries from an instance to the one that
// replaces it when keepalived would keep the instance's state.
type restored struct {
	state          fsm.State
	vipSet         bool
	lastTransition time.Time
	stats          *stats
}

// sameRouter reports whether b is, for keepalived, the same virtual
// router as a (vrrp.c vrrp_exist: VRID, family, interface, unicast or
// not, the unicast source or the multicast group), so that a reload
// keeps its state whatever else changed. govrrpd also requires the same
// name (keepalived matches renamed instances too) and the same virtual
// addresses (changes of those alone are applied in place).
func sameRouter(a, b *keepalived.Instance, an, bn *instanceSpec) bool {
	return a.Name == b.Name && a.VRID == b.VRID && a.IPv6 == b.IPv6 && a.Interface == b.Interface &&
		(len(an.net.Peers) > 0) == (len(bn.net.Peers) > 0) &&
		(len(an.net.Peers) == 0 || an.net.Source == bn.net.Source) &&
		(len(an.net.Peers) > 0 || an.net.Group == bn.net.Group) &&
		reflect.DeepEqual(an.vips, bn.vips)
}

// detach ends the instance's goroutine without the shutdown a stop does:
// no priority-0 advert, no address removal, no notify. It returns the
// state and whether the addresses were set.
func (in *instance) detach() restored {
	ev := event{kind: evDetach, done: make(chan struct{})}
	select {
	case in.events <- ev:
		<-ev.done
	case <-in.done:
	}
	<-in.done
	return restored{state: in.m.State(), vipSet: in.m.VIPsSet(), lastTransition: in.lastTransition, stats: &in.stats}
}

// takeStats carries the counters over (restore_vrrp_state keeps them).
func (s *stats) takeStats(o *stats) {
	for _, p := range []struct {
		to, from interface {
			Load() uint64
			Store(uint64)
		}
	}{
		{&s.advertRcvd, &o.advertRcvd}, {&s.advertSent, &o.advertSent},
		{&s.becameMaster, &o.becameMaster}, {&s.releaseMaster, &o.releaseMaster},
		{&s.packetLen, &o.packetLen}, {&s.ipTTL, &o.ipTTL}, {&s.invalidType, &o.invalidType},
		{&s.advertInterval, &o.advertInterval}, {&s.addrList, &o.addrList},
		{&s.invalidAuthType, &o.invalidAuthType}, {&s.authMismatch, &o.authMismatch},
		{&s.authFailure, &o.authFailure}, {&s.priZeroRcvd, &o.priZeroRcvd},
		{&s.priZeroSent, &o.priZeroSent}, {&s.rejected, &o.rejected},
	} {
		p.to.Store(p.from.Load())
	}
}

// startActions is the machine's start: Restore after a reload that kept
// the router, Start otherwise.
func (in *instance) startActions(now time.Time) []fsm.Action {
	if r := in.restore; r != nil {
		in.stats.takeStats(r.stats)
		// A tracked script without a result yet counts as good until
		// its first result (keepalived's INIT_RELOAD): a failure then
		// faults the instance, a success changes nothing.
		for _, t := range in.spec.tracks {
			if in.scriptUp[t.script] == nil {
				up := true
				in.scriptUp[t.script] = &up
			}
		}
		acts := in.m.Restore(now, r.state, r.vipSet)
		if in.m.State() == r.state {
			in.lastState, in.lastTransition = r.state, r.lastTransition
		}
		return acts
	}
	return in.m.Start(now)
}

// inSyncGroup reports whether the instance is a vrrp_sync_group member;
// govrrpd restarts those on a change (their group state is rebuilt).
func inSyncGroup(cfg *keepalived.Config, name string) bool {
	for _, sg := range cfg.SyncGroups {
		for _, n := range sg.Group {
			if n == name {
				return true
			}
		}
	}
	return false
}
