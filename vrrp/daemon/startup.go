package daemon

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// Start-up lines in keepalived 2.2.7's order (main.c start_keepalived,
// then the VRRP child): banner, kernel, command line, configuration
// file, then the VRRP process. The banner names govrrpd: keepalived
// prints its own version there.

func (d *Daemon) logBanner() {
	d.log.Parentf("Starting govrrpd (keepalived v2.2.7 compatible)")
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		d.log.Parentf("Running on %s %s %s", unix.ByteSliceToString(u.Sysname[:]),
			unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Version[:]))
	}
	if len(d.opts.Args) > 0 {
		for _, l := range commandLineLines(d.opts.Args) {
			d.log.Parentf("%s", l)
		}
	}
}

// commandLineLines is keepalived's log_command_line: every argument in
// single quotes, "Command line: " and the words wrapped at spaces so that
// each piece is at most 100 characters less the label's length,
// continuation lines indented under the first.
func commandLineLines(args []string) []string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + a + "'"
	}
	const label = "Command line"
	s := strings.Join(quoted, " ")
	maxLen := 100 - len(label)
	var out []string
	for s != "" {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			break
		}
		end := len(s)
		if end > maxLen {
			end = maxLen
			if s[end] != ' ' {
				for end > 0 && s[end-1+0] != ' ' {
					end--
				}
				// keepalived stops at the space itself.
				if end > 0 {
					end--
				} else {
					end = maxLen
				}
			}
		}
		if out == nil {
			out = append(out, fmt.Sprintf("%s: %s", label, s[:end]))
		} else {
			out = append(out, strings.Repeat(" ", len(label)+2)+s[:end])
		}
		s = s[end:]
	}
	return out
}

// launchAll starts the instances the first apply prepared, in
// configuration order, then logs the socket pools.
func (d *Daemon) launchAll() {
	var order []*instance
	for _, c := range d.cfg.Instances {
		d.mu.Lock()
		in := d.instances[c.Name]
		d.mu.Unlock()
		if in != nil && in.waiting {
			order = append(order, in)
		}
	}
	for _, in := range order {
		in.launch()
	}
	d.logSockPools(order)
}

// snapshotOrdered is the running instances in configuration order.
func (d *Daemon) snapshotOrdered() []*instance {
	var out []*instance
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.cfg.Instances {
		if in := d.instances[c.Name]; in != nil {
			out = append(out, in)
		}
	}
	return out
}

// logSockPools logs the socket pools as keepalived -D does after start
// and reload (vrrp_dispatcher_init): one line per interface, family and
// cast. keepalived's instances share a socket there; each govrrpd
// instance has one of its own, and the first one's descriptor is shown.
func (d *Daemon) logSockPools(order []*instance) {
	seen := map[string]bool{}
	for _, in := range order {
		c := in.spec.net
		family := "IPv4"
		if c.IPv6 {
			family = "IPv6"
		}
		cast, addr := "mult", c.Group.String()
		if len(c.Peers) > 0 {
			cast, addr = ", un", c.Source.String()
		} else if !c.Group.IsValid() {
			addr = "224.0.0.18"
			if c.IPv6 {
				addr = "ff02::12"
			}
		}
		key := fmt.Sprint(in.conn.IfIndex(), family, cast, addr)
		if seen[key] {
			continue
		}
		seen[key] = true
		d.log.Detailf("VRRP sockpool: [ifindex(%3d), family(%s), proto(112), fd(%d,%d) %sicast, address(%s)]",
			in.conn.IfIndex(), family, in.conn.FD(), in.conn.FD(), cast, addr)
	}
}
