// Package scenario plays the tutorial's user stories — browsing through
// the VIP, a real server going away, the master's VRRP daemon or its link
// failing, the check script stopping keepalived, the stats page — on the
// tutorial's own topology (internal/topo: master .128, backup .129, two
// nginx real servers, a client, VIP .144 on ens33), once with haproxy 2.6 +
// keepalived 2.2.7 and once with goproxy + govrrpd, and turns what a user
// would see into a normalised text transcript (see Transcript).
//
// Both balancers run the proxy and the VRRP daemon, as in the tutorial:
// haproxy runs the documented mechanical rewrite
// testdata/check/haproxy/02-tutorial-modern.cfg (it refuses the removed
// keywords), goproxy runs testdata/seed/haproxy.cfg unchanged; both VRRP
// daemons run the tutorial's keepalived files as
// /etc/keepalived/keepalived.conf. The check-script scenario gets a stand-in
// /usr/bin/systemctl in the balancers' mount namespaces that stops the VRRP
// daemon by its pid file, as `systemctl stop keepalived` would.
//
// What a transcript records, and where it comes from:
//
//   - script: the steps, and which real server answered each browse;
//   - http: every exchange through the VIP from the client (raw socket in
//     the client's namespace): status line, headers as sent (clocks
//     masked), body;
//   - stats: the stats CSV's header and its time-independent fields;
//   - vip: who held the VIP (netlink, polled every 20 ms) between steps;
//   - vrrp <host>: the adverts each balancer sent, captured by tcpdump on
//     the bridge, runs of identical packets shown once;
//   - states <host>: the VRRP daemon's state-change console lines;
//   - log <host>: the proxy's syslog lines (a catcher on 127.0.0.1:514/udp
//     inside each balancer), masked and sorted within each step;
//   - console <host>: what the proxy printed on stderr;
//   - systemctl <host>: calls of the stand-in systemctl;
//   - timing: delays measured from a step to what it caused, compared by
//     window rather than byte for byte.
//
// make compat runs TestCompat (GOHA_COMPAT=1; make test runs it last);
// make compat UPDATE=1 rewrites testdata/golden/ from the reference run;
// -no-reference compares goha with the goldens alone. Each play (one
// scenario with one implementation pair) builds its own topology, so
// -parallel N (default 4) of them run at once: a play is mostly waiting
// for VRRP and check timers. GOHA_SCENARIO_DEBUG=1 prints the raw VIP
// samples, packets and console lines with their times on stderr.
package scenario
