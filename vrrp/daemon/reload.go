package daemon

import (
	"time"

	"goha/parser/keepalived"
	"goha/vrrp/vip"
)

// inPlace reports whether a reload can apply b to the running instance a
// without restarting it: they differ at most in priority (neither being
// the address owner's 255) and in their virtual addresses. keepalived
// keeps every instance across a reload; govrrpd does so for these
// changes and restarts the instance for the others.
func inPlace(a, b *keepalived.Instance) bool {
	x := *b
	if a.Priority != 255 && b.Priority != 255 {
		x.Priority = a.Priority
	}
	x.VIPs, x.ExcludedVIPs = a.VIPs, a.ExcludedVIPs
	return sameInstance(a, &x)
}

// vipsDiffer reports whether a reload changed the virtual addresses.
func vipsDiffer(a, b *keepalived.Instance) bool {
	x := *b
	x.VIPs, x.ExcludedVIPs = a.VIPs, a.ExcludedVIPs
	return !sameInstance(&x, b)
}

// setVIPs hands the reloaded addresses of spec to the instance goroutine.
func (in *instance) setVIPs(spec *instanceSpec) {
	in.send(event{kind: evVIPs, spec: spec})
}

// applyVIPs is clear_diff_vrrp_vip and restore_vrrp_state for the
// instance's goroutine: while the VIPs are set, the addresses the reload
// dropped are removed and the new ones added, the others stay; the
// adverts and the receive checks carry the new address list.
func (in *instance) applyVIPs(spec *instanceSpec) {
	old := in.spec.vips
	added := false
	if in.m.VIPsSet() {
		for _, v := range old {
			if !hasVIP(spec.vips, v) {
				dev := v.Dev
				if dev == "" {
					dev = in.spec.fsm.Interface
				}
				in.d.log.Printf("(%s) ip address %s/%d dev %s, no longer exist", in.name(), v.Prefix.Addr(), v.Prefix.Bits(), dev)
				if err := vip.Remove(v, in.spec.fsm.Interface); err != nil {
					in.d.log.Printf("(%s) %v", in.name(), err)
				}
			}
		}
		for _, v := range spec.vips {
			if hasVIP(old, v) {
				continue
			}
			if err := vip.Add(v, in.spec.fsm.Interface); err != nil {
				in.d.log.Printf("(%s) %v", in.name(), err)
				continue
			}
			added = true
		}
	}
	in.spec.vips = spec.vips
	in.spec.fsm.Addresses, in.spec.fsm.ExcludedAddresses = spec.fsm.Addresses, spec.fsm.ExcludedAddresses
	in.spec.expect.Addresses = spec.expect.Addresses
	in.pkt.Addresses = spec.expect.Addresses
	in.exec(in.m.SetAddresses(time.Now(), spec.fsm.Addresses, spec.fsm.ExcludedAddresses, added))
}

func hasVIP(list []vip.Address, a vip.Address) bool {
	for _, v := range list {
		if v == a {
			return true
		}
	}
	return false
}
