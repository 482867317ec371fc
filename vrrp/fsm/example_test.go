package fsm_test

import (
	"fmt"
	"net/netip"
	"time"

	"goha/vrrp/fsm"
)

// A shell drives the machine with events and sleeps until Deadline. Here
// the tutorial's master starts alone, becomes MASTER one master-down
// interval later, then stops.
func Example() {
	cfg := fsm.Config{Name: "VI_1", Interface: "ens33", VRID: 80, Priority: 100, Version: 2,
		AdvertInterval: time.Second, InitialState: fsm.Master,
		SourceAddr: netip.MustParseAddr("192.168.13.128"),
		Addresses:  []netip.Addr{netip.MustParseAddr("192.168.13.144")}}
	cfg.DefaultGARP()
	m, err := fsm.New(cfg)
	if err != nil {
		panic(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	show := func(now time.Time, acts []fsm.Action) {
		for _, a := range acts {
			if a.Kind == fsm.Log && a.Detail {
				continue
			}
			fmt.Printf("%8v %v\n", now.Sub(start), a)
		}
	}
	show(start, m.Start(start))
	now := m.Deadline()
	show(now, m.Timer(now))
	now = m.Deadline()
	show(now, m.Timer(now))
	show(now.Add(time.Second/2), m.Shutdown(now.Add(time.Second/2)))
	// Output:
	//       0s remove VIPs (force)
	//       0s log (VI_1) Entering BACKUP STATE (init)
	// 3.609375s advert prio 100
	// 3.609375s log (VI_1) Entering MASTER STATE
	// 3.609375s add VIPs
	// 3.609375s garp x5
	// 4.609375s advert prio 100
	// 5.109375s advert prio 0
	// 5.109375s remove VIPs
}
