package proxy

import (
	"context"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"goha/parser/haproxy"
	plog "goha/proxy/log"
	"goha/proxy/sock"
)

// listen opens the sockets of one bind address (configuration.txt §5.1 and
// §11): IPv4/IPv6 with a port or a port range (one socket per port), a
// unix@ path, an abns@ abstract name, an inherited fd@ socket, or a
// sockpair@ descriptor that passes connections.
func (e *Engine) listen(a haproxy.Address, b *haproxy.Bind) ([]net.Listener, error) {
	one := func(ln net.Listener, err error) ([]net.Listener, error) {
		if err != nil {
			return nil, err
		}
		return []net.Listener{ln}, nil
	}
	switch a.Family {
	case haproxy.FamilyUnix:
		ux := e.unixBindSettings(b)
		return one(sock.ListenUnix(ux.prefix+a.Host, ux.mode, ux.uid, ux.gid))
	case haproxy.FamilyABNS:
		return one(sock.ListenAbstract(a.Host))
	case haproxy.FamilyFD:
		return one(sock.ListenFD(a.FD, e.backlog(b)))
	case haproxy.FamilySockPair:
		return one(sock.ListenSockPair(a.FD))
	}
	network := "tcp"
	switch {
	case a.Family == haproxy.FamilyIPv4:
		network = "tcp4"
	case a.Family == haproxy.FamilyIPv6 && b.V6Only:
		network = "tcp6"
	}
	var out []net.Listener
	end := a.PortEnd
	if end < a.Port {
		end = a.Port
	}
	// No TCP keep-alive probes on accepted connections unless the
	// frontend asks (serve): Go enables them by default, haproxy only
	// with "option clitcpka", and each costs four setsockopt calls per
	// connection.
	lc := net.ListenConfig{KeepAlive: -1}
	// Go listens with MPTCP by default since 1.24; haproxy binds plain
	// TCP (MPTCP only on "mptcp@" addresses, from 3.1), and an MPTCP
	// listener answers MPTCP clients differently on the wire, costs more
	// per accepted connection and refuses TCP_QUICKACK (noQuickAck).
	lc.SetMultipathTCP(false)
	reusePort, smartAccept := !e.opts.NoReusePort, e.smartAccept(b)
	if reusePort {
		lc.Control = func(network, address string, c syscall.RawConn) error {
			var serr error
			c.Control(func(fd uintptr) {
				if reusePort {
					serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, unix.SO_REUSEPORT, 1)
				}
			})
			return serr
		}
	}
	host := a.Host
	if host == "*" {
		host = "" // "*:80": every address
	}
	for p := a.Port; p <= end; p++ {
		ln, err := lc.Listen(context.Background(), network, net.JoinHostPort(host, strconv.Itoa(p)))
		if err == nil && smartAccept {
			err = noQuickAck(ln)
		}
		if err == nil {
			ln, err = ownTCP(ln)
		}
		if err != nil {
			if ln != nil {
				ln.Close()
			}
			for _, l := range out {
				l.Close()
			}
			return nil, err
		}
		out = append(out, ln)
	}
	return out, nil
}

// unixSettings are the path prefix and the owner and mode of a unix
// socket file.
type unixSettings struct {
	prefix   string
	mode     os.FileMode
	uid, gid int
}

// unixBindSettings merges the global "unix-bind" line (§3.1: prefix,
// mode, user/uid, group/gid for every unix bind) with the bind line's own
// mode/user/uid/group/gid, which win. The prefix is prepended to the path
// as written, absolute or not, as haproxy does.
func (e *Engine) unixBindSettings(b *haproxy.Bind) unixSettings {
	ux := unixSettings{uid: -1, gid: -1}
	apply := func(kw, val string) {
		switch kw {
		case "prefix":
			ux.prefix = val
		case "mode":
			if m, err := strconv.ParseUint(val, 8, 32); err == nil {
				ux.mode = os.FileMode(m)
			}
		case "uid":
			ux.uid, _ = strconv.Atoi(val)
		case "gid":
			ux.gid, _ = strconv.Atoi(val)
		case "user":
			if u, err := user.Lookup(val); err == nil {
				ux.uid, _ = strconv.Atoi(u.Uid)
			}
		case "group":
			if g, err := user.LookupGroup(val); err == nil {
				ux.gid, _ = strconv.Atoi(g.Gid)
			}
		}
	}
	for _, st := range e.cfg.Global.Other {
		if len(st.Args) > 0 && st.Args[0] == "unix-bind" {
			for i := 1; i+1 < len(st.Args); i += 2 {
				apply(st.Args[i], st.Args[i+1])
			}
		}
	}
	if b.Mode != 0 {
		ux.mode = os.FileMode(b.Mode)
	}
	if b.UID != 0 {
		ux.uid = b.UID
	}
	if b.GID != 0 {
		ux.gid = b.GID
	}
	if b.User != "" {
		apply("user", b.User)
	}
	if b.Group != "" {
		apply("group", b.Group)
	}
	return ux
}

// backlog is the listen(2) backlog of an inherited socket: the bind's
// "backlog", else the global maxconn (configured or derived), else 4096 (the kernel caps it at
// net.core.somaxconn).
func (e *Engine) backlog(b *haproxy.Bind) int {
	for i, o := range b.Options {
		if o == "backlog" && i+1 < len(b.Options) {
			if n, err := strconv.Atoi(b.Options[i+1]); err == nil && n > 0 {
				return n
			}
		}
	}
	if e.limits.MaxConn > 0 {
		return e.limits.MaxConn
	}
	return 4096
}

// noteUnixClient marks a record whose client came through a unix
// listener (unix@, abns@, sockpair@): haproxy logs such a client and
// frontend as "unix" with the listener's id as the port (src/log.c,
// %ci/%cp/%fi/%fp).
func (f *frontend) noteUnixClient(r *plog.Record, local net.Addr) {
	ua, ok := local.(*net.UnixAddr)
	if !ok {
		return
	}
	r.UnixListener = true
	r.ListenerID = f.unixListenerID(ua.Name)
	r.NoFrontendAddr = f.sockPairOnly(ua.Name)
}

// sockPairOnly reports whether a connection with this local name came
// through a sockpair@ listener: it has no name (Go reads an unnamed
// socket's address as "@").
func (f *frontend) sockPairOnly(name string) bool {
	if name != "" && name != "@" {
		return false
	}
	for _, b := range f.cfg.Binds {
		for _, a := range b.Addresses {
			if a.Family == haproxy.FamilySockPair {
				return true
			}
		}
	}
	return false
}

// unixListenerID finds the id of the unix listener whose accepted
// connections have local address name: listeners are numbered from 1 in
// the frontend's bind order, one per address and port, as haproxy numbers
// them when no "id" is set. An abstract name reads up to its first NUL;
// a unix path has the temporary name it was bound with; sockpair@ and
// fd@ connections have none (the first such listener is taken).
func (f *frontend) unixListenerID(name string) int {
	id := 0
	first := 0
	for _, b := range f.cfg.Binds {
		for _, a := range b.Addresses {
			id++
			switch a.Family {
			case haproxy.FamilyUnix:
				path := f.e.unixBindSettings(b).prefix + a.Host
				if name == path || strings.HasPrefix(name, path+".") && strings.HasSuffix(name, ".tmp") {
					return id
				}
			case haproxy.FamilyABNS:
				if name == "@"+a.Host {
					return id
				}
			case haproxy.FamilySockPair, haproxy.FamilyFD:
				if first == 0 {
					first = id
				}
			default:
				if a.PortEnd > a.Port {
					id += a.PortEnd - a.Port
				}
			}
		}
	}
	if first == 0 {
		first = 1
	}
	return first
}

// smartAccept tells whether the frontend of bind b saves the ACK of a
// client's first segment ("option tcp-smart-accept"): automatic in mode
// http unless "no option tcp-smart-accept", only when set in mode tcp
// (haproxy 2.6 cfgparse.c; the SSL case does not apply to goproxy).
func (e *Engine) smartAccept(b *haproxy.Bind) bool {
	for _, f := range e.front {
		for _, fb := range f.cfg.Binds {
			if fb != b {
				continue
			}
			if on, set := f.cfg.Options.Set["tcp-smart-accept"]; set {
				return on
			}
			return f.mode == haproxy.ModeHTTP
		}
	}
	return false
}

// noQuickAck turns delayed ACKs on for the connections ln accepts, so
// that the request's ACK rides on the response (haproxy's
// LI_O_NOQUICKACK, "option tcp-smart-accept"). Accepted sockets inherit
// the listener's setting, but only one made after listen(2): listen
// resets it (measured: set before, every request still got its own bare
// ACK, one segment more per connection than haproxy).
func noQuickAck(ln net.Listener) error {
	tl, ok := ln.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := tl.SyscallConn()
	if err != nil {
		return err
	}
	return quickAckOff(rc)
}

// quickAckOff turns TCP_QUICKACK off on socket rc: its ACKs wait to ride
// on data (a listener's accepted sockets, a socket about to connect).
func quickAckOff(rc syscall.RawConn) error {
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, unix.TCP_QUICKACK, 0)
	}); err != nil {
		return err
	}
	return serr
}

// ownTCP hands a TCP listener's socket to a sock.TCPListener, whose
// connections are sock.TCPConn (recvfrom/sendto, no getsockname per
// accepted connection). On failure ln is closed.
func ownTCP(ln net.Listener) (net.Listener, error) {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return ln, nil
	}
	own, err := sock.OwnTCPListener(tl)
	if err != nil {
		tl.Close()
		return nil, err
	}
	return own, nil
}
