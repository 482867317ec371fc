package daemon

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// stopBanner is the last line govrrpd logs. keepalived's parent logs
// "Stopped Keepalived v2.2.7 (01/16,2022)" there; govrrpd names itself
// as its start banner does (DIFFERENCES.md).
const stopBanner = "Stopped govrrpd (keepalived v2.2.7 compatible)"

// logStopped writes the lines keepalived writes as it exits: its VRRP
// child's (log_stopping in lib/utils.c), then its parent's (the end of
// keepalived_main in core/main.c). govrrpd is one process, so both report
// this process's CPU time and that of the scripts it ran and reaped.
func (d *Daemon) logStopped() {
	var self, children unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &self)
	unix.Getrusage(unix.RUSAGE_CHILDREN, &children)
	for i, l := range stoppedLines(&self, &children, d.log.detail) {
		if i == 0 {
			d.log.Printf("%s", l) // the VRRP child's last line
		} else {
			d.log.Parentf("%s", l)
		}
	}
}

// stoppedLines are the exit lines for the given CPU usage: with -D the
// child's "Stopped - used ..." (with a children column only when the
// scripts used user time, as keepalived tests ru_utime) and the parent's
// "CPU usage ..."; without -D a bare "Stopped". The banner comes last.
func stoppedLines(self, children *unix.Rusage, detail bool) []string {
	if !detail {
		return []string{"Stopped", stopBanner}
	}
	var used string
	if children.Utime.Sec != 0 || children.Utime.Usec != 0 {
		used = fmt.Sprintf("Stopped - used (self/children) %s/%s user time, %s/%s system time",
			tv(self.Utime), tv(children.Utime), tv(self.Stime), tv(children.Stime))
	} else {
		used = fmt.Sprintf("Stopped - used %s user time, %s system time", tv(self.Utime), tv(self.Stime))
	}
	cpu := fmt.Sprintf("CPU usage (self/children) user: %s/%s system: %s/%s",
		tv(self.Utime), tv(children.Utime), tv(self.Stime), tv(children.Stime))
	return []string{used, cpu, stopBanner}
}

// tv prints a timeval as keepalived's "%ld.%6.6ld".
func tv(t unix.Timeval) string {
	return fmt.Sprintf("%d.%06d", t.Sec, t.Usec)
}
