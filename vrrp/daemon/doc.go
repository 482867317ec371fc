// Package daemon is govrrpd's runtime shell: it turns a parsed
// keepalived.conf (parser/keepalived) into running VRRP instances, each a
// goroutine that drives the pure state machine (vrrp/fsm) with real time,
// sends and receives adverts through vrrp/netio, and installs and
// announces addresses through vrrp/vip. Around the instances it runs
// vrrp_script checks (rise/fall, timeout, weight; weight 0 faults),
// track_file and interface tracking (the instance's own interface unless
// dont_track_primary, and track_interface), notify scripts, keepalived's
// log lines (console with -l, syslog daemon facility otherwise), pid
// files and signals: TERM/INT stop (priority-0 advert, VIPs removed),
// HUP reloads (unchanged instances keep their state and VIPs, a changed
// priority is applied in place, other changes restart the instance),
// USR2 writes keepalived's statistics to /tmp/keepalived.stats and USR1 a
// short state report to /tmp/keepalived.data.
//
// Where it differs from keepalived 2.2.7 (measured in compat-tests,
// TestVRRP*):
//
//   - one process: keepalived runs a parent and a VRRP child; govrrpd
//     writes its pid into both pid files (-p and -r) and has no checker;
//   - one raw socket per instance (keepalived shares one per interface),
//     so an unknown-VRID line is suppressed when another instance of the
//     interface runs that VRID;
//   - vrrp_sync_group syncs FAULT only (one member faults, all do); the
//     state machine has no events yet to force members to MASTER or
//     BACKUP together, as keepalived's "Syncing instances to MASTER
//     state" does;
//   - /tmp/keepalived.data holds a few lines per instance, not
//     keepalived's full dump.
package daemon
