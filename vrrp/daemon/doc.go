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
// HUP reloads (unchanged instances keep their state and VIPs; changed
// priorities and virtual addresses are applied in place, a MASTER adding
// and removing only the addresses that changed; other changes restart the
// instance), USR2 writes keepalived's statistics to /tmp/keepalived.stats
// and USR1 keepalived's VRRP Topology and Sync groups sections to
// /tmp/keepalived.data. vrrp_sync_group members move to MASTER, BACKUP
// and FAULT together, with keepalived's "Syncing instances to ... state"
// lines.
//
// Where it differs from keepalived 2.2.7 (measured in compat-tests,
// TestVRRP*):
//
//   - one process: keepalived runs a parent and a VRRP child; govrrpd
//     writes its pid into both pid files (-p and -r), has no checker, and
//     logs the parent's and the child's start-up lines itself (the banner
//     names govrrpd);
//   - one raw socket per instance (keepalived shares one per interface),
//     so an unknown-VRID line is suppressed when another instance of the
//     interface runs that VRID;
//   - a reload that changes anything but priority and addresses restarts
//     the instance (keepalived keeps every instance that still exists);
//   - /tmp/keepalived.data lacks keepalived's global definitions, socket
//     pool, scripts, track files and interfaces sections.
package daemon
