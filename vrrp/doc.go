// Package vrrp is the govrrpd engine: packets, state machine, transport, VIPs.
//
// The pure cores live in subpackages:
//
//   - vrrp/packet: the wire codec (VRRPv2/v3 adverts, the IPv4 header
//     keepalived writes, gratuitous ARP, unsolicited neighbour
//     advertisements) and keepalived's receive checks with typed drop
//     reasons;
//   - vrrp/fsm: the per-instance state machine (INIT, BACKUP, MASTER,
//     FAULT, STOP) driven by events and an explicit time, producing
//     actions for the shell.
//
// Both are verified against captures of the real keepalived 2.2.7 in
// testdata/golden, regenerated (root needed) with
//
//	go test ./vrrp/internal/capture -run TestCaptureGolden -update -v
package vrrp
