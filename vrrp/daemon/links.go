package daemon

import (
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// linkUp reports whether the interface is usable as keepalived judges it
// (IFF_UP and IFF_RUNNING: administratively up with carrier).
func linkUp(name string) (bool, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return false, err
	}
	return ifi.Flags&net.FlagUp != 0 && ifi.Flags&net.FlagRunning != 0, nil
}

// watchLinks follows link changes through netlink and tells the
// instances tracking a link when it goes down or up, logging keepalived's
// "Netlink reports IF down/up". It returns a function that stops it.
func (d *Daemon) watchLinks() (func(), error) {
	updates := make(chan netlink.LinkUpdate, 16)
	done := make(chan struct{})
	if err := netlink.LinkSubscribe(updates, done); err != nil {
		return nil, err
	}
	// The state before the subscription, so that the first update of a
	// link is compared with what it was.
	state := map[string]bool{}
	if ifs, err := net.Interfaces(); err == nil {
		for _, ifi := range ifs {
			state[ifi.Name] = ifi.Flags&net.FlagUp != 0 && ifi.Flags&net.FlagRunning != 0
		}
	}
	go func() {
		for u := range updates {
			a := u.Attrs()
			up := a.RawFlags&unix.IFF_UP != 0 && a.RawFlags&unix.IFF_RUNNING != 0
			if u.Header.Type == unix.RTM_DELLINK {
				up = false
			}
			prev, known := state[a.Name]
			state[a.Name] = up
			if known && prev == up {
				continue
			}
			if up {
				d.log.Printf("Netlink reports %s up", a.Name)
			} else {
				d.log.Printf("Netlink reports %s down", a.Name)
			}
			for _, in := range d.snapshot() {
				for _, l := range in.spec.links {
					if l.name == a.Name {
						in.linkChanged(a.Name, up)
						break
					}
				}
			}
		}
	}()
	return func() { close(done) }, nil
}
