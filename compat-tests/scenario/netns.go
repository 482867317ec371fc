package scenario

import (
	"fmt"
	"net"
	"runtime"
	"time"

	"github.com/vishvananda/netns"
)

// inNetNS runs fn on a thread that has joined the named network namespace,
// then returns the thread to the namespace it came from. Sockets fn creates
// stay in the namespace: that is how the runner dials from the client host
// and listens for syslog inside the balancers without forking a process.
func inNetNS(name string, fn func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		return err
	}
	defer orig.Close()
	target, err := netns.GetFromName(name)
	if err != nil {
		return err
	}
	defer target.Close()
	if err := netns.Set(target); err != nil {
		return fmt.Errorf("join %s: %w", name, err)
	}
	defer netns.Set(orig)
	return fn()
}

// dialIn opens a TCP connection from inside the namespace.
func dialIn(ns, addr string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	err := inNetNS(ns, func() (err error) {
		c, err = net.DialTimeout("tcp4", addr, timeout)
		return err
	})
	return c, err
}

// listenUDPIn opens a UDP socket inside the namespace.
func listenUDPIn(ns, addr string) (*net.UDPConn, error) {
	var c *net.UDPConn
	err := inNetNS(ns, func() error {
		a, err := net.ResolveUDPAddr("udp4", addr)
		if err != nil {
			return err
		}
		c, err = net.ListenUDP("udp4", a)
		return err
	})
	return c, err
}
