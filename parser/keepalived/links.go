package keepalived

import (
	"net"
	"path/filepath"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// Link is what keepalived needs to know about a network interface.
type Link struct {
	Loopback bool
	MTU      int
}

// linkFinder looks interfaces up in the network namespace keepalived would
// use: the current one, or the one named by -s / net_namespace.
type linkFinder struct {
	opts   Options
	handle *netlink.Handle
}

// namespacePath is where iproute2 (and keepalived's set_namespaces) find
// named network namespaces.
var namespacePath = "/var/run/netns"

// openNamespace prepares lookups in the named namespace; ok is false when
// keepalived could not enter it.
func (f *linkFinder) openNamespace(name string) bool {
	if f.opts.Link != nil {
		// Tests that declare their interfaces also decide namespaces.
		return f.opts.NamespaceExists == nil || f.opts.NamespaceExists(name)
	}
	ns, err := netns.GetFromPath(filepath.Join(namespacePath, name))
	if err != nil {
		return false
	}
	h, err := netlink.NewHandleAt(ns)
	ns.Close()
	if err != nil {
		return false
	}
	f.handle = h
	return true
}

func (f *linkFinder) close() {
	if f.handle != nil {
		f.handle.Close()
	}
}

// lookup reports the interface called name.
func (f *linkFinder) lookup(name string) (Link, bool) {
	if f.opts.Link != nil {
		return f.opts.Link(name)
	}
	if f.handle != nil {
		l, err := f.handle.LinkByName(name)
		if err != nil {
			return Link{}, false
		}
		a := l.Attrs()
		return Link{Loopback: a.Flags&net.FlagLoopback != 0, MTU: a.MTU}, true
	}
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return Link{}, false
	}
	return Link{Loopback: ifi.Flags&net.FlagLoopback != 0, MTU: ifi.MTU}, true
}

// TestLinks returns an Options.Link that knows exactly the named interfaces
// (MTU 1500, lo is a loopback), for tests and tools that check a
// configuration for another host.
func TestLinks(names ...string) func(string) (Link, bool) {
	return func(n string) (Link, bool) {
		for _, x := range names {
			if x == n {
				return Link{Loopback: n == "lo", MTU: 1500}, true
			}
		}
		return Link{}, false
	}
}
