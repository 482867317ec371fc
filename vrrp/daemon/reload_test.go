package daemon

import (
	"net/netip"
	"testing"

	"goha/parser/keepalived"
)

// A reload applies priority and virtual address changes in place and
// restarts the instance for anything else.
func TestReloadInPlace(t *testing.T) {
	base := keepalived.Instance{Name: "VI_1", Interface: "ens33", VRID: 80, Priority: 100,
		VIPs: []keepalived.VIP{{Prefix: netip.MustParsePrefix("192.168.13.144/24")}}}
	prio := base
	prio.Priority = 40
	vips := base
	vips.VIPs = append(vips.VIPs, keepalived.VIP{Prefix: netip.MustParsePrefix("192.168.13.146/24")})
	both := vips
	both.Priority = 40
	owner := base
	owner.Priority = 255
	vrid := base
	vrid.VRID = 81
	vridVIPs := vips
	vridVIPs.VRID = 81
	for _, c := range []struct {
		name          string
		b             keepalived.Instance
		inPlace, vips bool
	}{
		{"unchanged", base, true, false},
		{"priority", prio, true, false},
		{"vips", vips, true, true},
		{"priority and vips", both, true, true},
		{"to the owner", owner, false, false},
		{"vrid", vrid, false, false},
		{"vrid and vips", vridVIPs, false, true},
	} {
		if got := inPlace(&base, &c.b); got != c.inPlace {
			t.Errorf("%s: inPlace %v, want %v", c.name, got, c.inPlace)
		}
		if got := vipsDiffer(&base, &c.b); got != c.vips {
			t.Errorf("%s: vipsDiffer %v, want %v", c.name, got, c.vips)
		}
	}
}
