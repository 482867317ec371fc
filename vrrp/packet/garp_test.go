package packet

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"testing"
)

func TestAnnouncementErrors(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	v4, v6 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("2001:db8::1")
	buf := make([]byte, NALen)
	if _, err := GratuitousARP(buf, mac[:4], v4); !errors.Is(err, ErrHardwareAddr) {
		t.Errorf("short MAC: %v", err)
	}
	if _, err := GratuitousARP(buf, mac, v6); !errors.Is(err, ErrAddrFamily) {
		t.Errorf("IPv6 GARP: %v", err)
	}
	if _, err := GratuitousARP(buf[:41], mac, v4); !errors.Is(err, ErrBufferTooSmall) {
		t.Errorf("short buffer: %v", err)
	}
	if _, err := UnsolicitedNA(buf, mac, v4, false); !errors.Is(err, ErrAddrFamily) {
		t.Errorf("IPv4 NA: %v", err)
	}
	if _, err := UnsolicitedNA(buf[:NALen-1], mac, v6, false); !errors.Is(err, ErrBufferTooSmall) {
		t.Errorf("short buffer: %v", err)
	}
	if _, err := UnsolicitedNA(buf, nil, v6, false); !errors.Is(err, ErrHardwareAddr) {
		t.Errorf("no MAC: %v", err)
	}
}

// TestNARouterFlag: on a forwarding interface keepalived adds the Router
// flag; the checksum must still verify.
func TestNARouterFlag(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	ip := netip.MustParseAddr("2001:db8::1")
	plain, router := make([]byte, NALen), make([]byte, NALen)
	_, _ = UnsolicitedNA(plain, mac, ip, false)
	_, _ = UnsolicitedNA(router, mac, ip, true)
	if router[54+4] != byte(NARouter|NAOverride) || plain[54+4] != byte(NAOverride) {
		t.Errorf("flags %#x / %#x", router[58], plain[58])
	}
	acc, _ := pseudoHeader(ip, netip.AddrFrom16(allNodes), 58, 32)
	if fold(sum16(acc, router[54:])) != 0 {
		t.Error("router NA checksum does not verify")
	}
	if bytes.Equal(plain, router) {
		t.Error("identical frames")
	}
}
