// Package netio is govrrpd's VRRP transport: a raw IP socket for protocol
// 112 on one interface, as keepalived 2.2.7 opens it (vrrp.c open_vrrp_send_
// socket / open_vrrp_read_socket): multicast adverts go to 224.0.0.18 with
// keepalived's own IPv4 header (IP_HDRINCL: TOS 0xC0, TTL 255, DF unset,
// built by vrrp/packet), the group is joined on the instance's interface
// only, multicast loopback is off, and received datagrams keep their IPv4
// header so the receive checks can see the TTL and lengths. With
// unicast_peer the same socket sends one copy to each peer instead.
//
// It is a thin shell: no VRRP logic lives here. Conn is safe for one
// reader and one writer at a time; Close unblocks a pending Receive.
package netio
