// Package daemon is govrrpd's runtime shell: it turns a parsed
// keepalived.conf (parser/keepalived) into running VRRP instances, each a
// goroutine that drives the pure state machine (vrrp/fsm) with real time,
// sends and receives adverts through vrrp/netio, and installs and
// announces addresses through vrrp/vip. It also runs vrrp_script checks
// (rise/fall, timeout, weight), notify scripts, keepalived's log lines,
// pid files and signals (TERM/INT stop, HUP reload).
//
// keepalived 2.2.7 runs a parent watchdog and a VRRP child; govrrpd is one
// process that writes its pid into both pid files.
package daemon
