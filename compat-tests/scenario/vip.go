package scenario

import (
	"fmt"
	"net/netip"
	"os"
	"sort"
	"time"

	"github.com/vishvananda/netlink"

	"goha/internal/topo"
)

// Who holds the VIP, watched through netlink in both balancers.

type vipSample struct {
	at    time.Time
	owner string // "" for a step mark
	mark  string
}

// observe notes who holds the VIP at a moment, when it changed. Both the
// sampler and WaitVIP report, so that a change WaitVIP saw is in the
// trail before the next step's mark.
func (r *Run) observe(owner string, at time.Time) {
	r.vipMu.Lock()
	defer r.vipMu.Unlock()
	if owner != r.vipLast {
		r.vipTrail = append(r.vipTrail, vipSample{at: at, owner: owner})
		r.vipLast = owner
	}
}

// owner says who holds the VIP now: master, backup, both or none.
func (r *Run) owner() string {
	m, b := r.hasVIP(master), r.hasVIP(backup)
	switch {
	case m && b:
		return "both"
	case m:
		return master
	case b:
		return backup
	}
	return "none"
}

var vip = netip.MustParseAddr(topo.VIP)

func (r *Run) hasVIP(host string) bool {
	// A netlink handle is not safe for concurrent use: the sampler and
	// WaitVIP share them.
	r.nlMu.Lock()
	defer r.nlMu.Unlock()
	h := r.nl[host]
	l, err := h.LinkByName(topo.Iface)
	if err != nil {
		return false
	}
	addrs, err := h.AddrList(l, netlink.FAMILY_V4)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if ip, ok := netip.AddrFromSlice(a.IP); ok && ip.Unmap() == vip {
			return true
		}
	}
	return false
}

// startVIPSampler notes every change of the VIP's owner (polled every
// 20 ms through netlink).
func (r *Run) startVIPSampler() {
	r.vipStop, r.vipDone = make(chan struct{}), make(chan struct{})
	// The first sample is taken here, before the first step's mark: the
	// goroutine's may come after it on a loaded machine.
	r.observe(r.owner(), time.Now())
	go func() {
		defer close(r.vipDone)
		for {
			r.observe(r.owner(), time.Now())
			select {
			case <-r.vipStop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
}

// WaitVIP waits until owner ("master", "backup", "both", "none") holds the
// VIP and returns how long after the current step that was.
func (r *Run) WaitVIP(owner string, limit time.Duration) (time.Duration, bool) {
	deadline := time.Now().Add(limit)
	for {
		now := time.Now()
		if o := r.owner(); o == owner {
			r.observe(o, now)
			return now.Sub(r.stepAt), true
		}
		if now.After(deadline) {
			r.Note("the VIP never went to %s (held by %s)", owner, r.owner())
			return 0, false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// transient is how long an owner must hold the VIP to be shown. When a
// master preempts, it adds the VIP and the old master drops it within a
// few milliseconds, in an order that is a race: the 20 ms sampler sees
// "both" (or "none") in some runs and not in others. Real states — the
// skew before a backup takes over, a split brain — last hundreds of
// milliseconds at least.
const transient = 100 * time.Millisecond

// recordVIP prints the owner trail: each step, then every owner the VIP
// had until the next step, leaving out owners held for less than
// transient.
func (r *Run) recordVIP() {
	r.vipMu.Lock()
	all := append([]vipSample(nil), r.vipTrail...)
	r.vipMu.Unlock()
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	var trail []vipSample
	for i, s := range all {
		if s.mark == "" {
			next := -1
			for j := i + 1; j < len(all); j++ {
				if all[j].mark == "" {
					next = j
					break
				}
			}
			if next >= 0 && all[next].at.Sub(s.at) < transient {
				continue
			}
		}
		trail = append(trail, s)
	}
	if os.Getenv("GOHA_SCENARIO_DEBUG") != "" {
		for _, s := range trail {
			fmt.Fprintf(os.Stderr, "vip %s %q %q\n", s.at.Format("15:04:05.000"), s.owner, s.mark)
		}
	}
	var lines []string
	cur := ""
	for _, s := range trail {
		if s.mark != "" {
			lines = append(lines, "-- "+s.mark)
			if cur != "" {
				lines = append(lines, cur)
			}
			continue
		}
		if s.owner == cur {
			continue // the owner before a transient one, back again
		}
		cur = s.owner
		lines = append(lines, cur)
	}
	r.rec.add("vip", lines...)
}
