// Package vrrp is the govrrpd engine: packets, state machine, transport, VIPs.
package vrrp
