package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// dialIn opens a TCP connection from inside the network namespace ns: the
// socket is created while this thread sits in ns and stays there, so the
// demo can browse as the client host without curl or a helper process.
func dialIn(ns, addr string, timeout time.Duration) (net.Conn, error) {
	target, err := netns.GetFromName(ns)
	if err != nil {
		return nil, err
	}
	defer target.Close()
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	defer orig.Close()
	if err := netns.Set(target); err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	conn, derr := net.DialTimeout("tcp", addr, timeout)
	if err := netns.Set(orig); err != nil {
		// The thread is stuck in ns: keep it locked so that it dies with
		// this goroutine instead of running other code there.
		if conn != nil {
			conn.Close()
		}
		return nil, fmt.Errorf("cannot return from namespace %s: %v", ns, err)
	}
	runtime.UnlockOSThread()
	return conn, derr
}

// clientIn is an HTTP client whose connections start in ns, one connection
// per request (as curl does).
func clientIn(ns string, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DisableKeepAlives: true,
			DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
				return dialIn(ns, addr, timeout)
			},
		},
	}
}

// get fetches url and returns the status code and body ("" and the error
// when there is no answer).
func get(c *http.Client, url string) (int, string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// vipWatch reports whether a namespace's interface holds an address,
// through netlink (no fork: it is polled every few milliseconds).
type vipWatch struct {
	h     *netlink.Handle
	iface string
	addr  netip.Addr
}

func newVIPWatch(ns, iface, addr string) (*vipWatch, error) {
	n, err := netns.GetFromName(ns)
	if err != nil {
		return nil, err
	}
	defer n.Close()
	h, err := netlink.NewHandleAt(n)
	if err != nil {
		return nil, err
	}
	return &vipWatch{h: h, iface: iface, addr: netip.MustParseAddr(addr)}, nil
}

func (w *vipWatch) has() bool {
	l, err := w.h.LinkByName(w.iface)
	if err != nil {
		return false
	}
	addrs, err := w.h.AddrList(l, netlink.FAMILY_V4)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if ip, ok := netip.AddrFromSlice(a.IP); ok && ip.Unmap() == w.addr {
			return true
		}
	}
	return false
}

func (w *vipWatch) close() { w.h.Close() }

// whichServer names the real server from the page it answered.
func whichServer(body string) string {
	switch {
	case strings.Contains(body, "first real-server"):
		return "real-server1"
	case strings.Contains(body, "second real-server"):
		return "real-server2"
	}
	return fmt.Sprintf("%q", body)
}
