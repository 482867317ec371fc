// Package vip installs and removes an instance's virtual addresses through
// netlink, as keepalived 2.2.7 does (vrrp_ipaddress.c netlink_ipaddress:
// the address with its prefix length on its device, with the broadcast,
// scope and label the configuration line gives, nothing else: no
// broadcast address is invented when none is configured, and IPv6
// addresses skip duplicate address detection), and sends the gratuitous
// ARPs and unsolicited neighbour advertisements that announce them
// (vrrp_arp.c, vrrp_ndisc.c) on an AF_PACKET socket.
package vip
