package log

import (
	"errors"
	"net"
)

// Tests never query DNS: only "localhost" resolves.
func init() {
	resolveHost = func(family, host string) ([]net.IP, error) {
		if host == "localhost" {
			if family == "ip6" {
				return []net.IP{net.IPv6loopback}, nil
			}
			return []net.IP{net.IPv4(127, 0, 0, 1)}, nil
		}
		return nil, errors.New("no DNS in tests")
	}
}
