// Package fsm is the VRRP state machine of one virtual router instance,
// as keepalived 2.2.7 runs it (vrrp.c, vrrp_scheduler.c, vrrp_track.c)
// on top of RFC 3768 (VRRPv2) and RFC 5798 (VRRPv3).
//
// The machine is pure: it owns no sockets, goroutines or clocks. Each
// event method takes the current time and returns the actions the shell
// must perform, in order (send an advert, add or remove the virtual
// addresses, send gratuitous ARPs, run notify scripts, log a line in
// keepalived's words). Deadline tells the shell when to call Timer next.
//
// Timers follow keepalived to the microsecond:
//
//	skew (v2)        = (256 - priority) * 1s / 256
//	skew (v3)        = (256 - priority) * Master_Adver_Interval / 256
//	master down      = down_timer_adverts * Master_Adver_Interval + skew
//
// where priority is the effective priority and, in VRRPv3, a backup
// adopts the interval the master advertises.
package fsm
