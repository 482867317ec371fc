package packet

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// IPv4HeaderLen is the length of the option-less IPv4 header keepalived
// writes.
const IPv4HeaderLen = 20

// TOSNetworkControl is the TOS keepalived sets on advertisements
// (precedence "internetwork control", vrrp.c vrrp_build_ip4).
const TOSNetworkControl = 0xC0

// ErrIPv4Header reports a buffer that does not hold a valid IPv4 header.
var ErrIPv4Header = errors.New("vrrp packet: invalid IPv4 header")

// IPv4Header holds the IPv4 header fields of an advertisement. keepalived
// builds this header itself (IP_HDRINCL) with ID 0 and no fragment flags,
// so the kernel picks the identification and computes the checksum; the
// Flags/FragOff field stays zero (DF unset).
type IPv4Header struct {
	TOS      uint8
	TotalLen uint16
	ID       uint16
	// FlagsFrag is the 16-bit flags + fragment offset field.
	FlagsFrag uint16
	TTL       uint8
	Protocol  uint8
	Checksum  uint16
	Src, Dst  netip.Addr
	// HeaderLen is the header length in bytes as received (IHL*4).
	HeaderLen int
}

// AdvertIPv4Header returns the header keepalived sends an advertisement of
// vrrpLen bytes with, from src to dst (224.0.0.18 or the unicast peer).
func AdvertIPv4Header(src, dst netip.Addr, vrrpLen int) IPv4Header {
	return IPv4Header{
		TOS:       TOSNetworkControl,
		TotalLen:  uint16(IPv4HeaderLen + vrrpLen),
		TTL:       TTL,
		Protocol:  IPProtocol,
		Src:       src,
		Dst:       dst,
		HeaderLen: IPv4HeaderLen,
	}
}

// MarshalTo writes the 20-byte header into b. ID and Checksum are written
// as given (zero lets the kernel fill them in under IP_HDRINCL); use
// SetChecksum to compute the checksum for captures and tests.
func (h *IPv4Header) MarshalTo(b []byte) (int, error) {
	if len(b) < IPv4HeaderLen {
		return 0, ErrBufferTooSmall
	}
	if !h.Src.Is4() || !h.Dst.Is4() {
		return 0, ErrIPv4Header
	}
	b[0] = 4<<4 | IPv4HeaderLen/4
	b[1] = h.TOS
	binary.BigEndian.PutUint16(b[2:], h.TotalLen)
	binary.BigEndian.PutUint16(b[4:], h.ID)
	binary.BigEndian.PutUint16(b[6:], h.FlagsFrag)
	b[8] = h.TTL
	b[9] = h.Protocol
	binary.BigEndian.PutUint16(b[10:], h.Checksum)
	s, d := h.Src.As4(), h.Dst.As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	return IPv4HeaderLen, nil
}

// SetChecksum computes the header checksum of the encoded header b and
// writes it into b and h.
func (h *IPv4Header) SetChecksum(b []byte) {
	binary.BigEndian.PutUint16(b[10:], 0)
	h.Checksum = fold(sum16(0, b[:IPv4HeaderLen]))
	binary.BigEndian.PutUint16(b[10:], h.Checksum)
}

// UnmarshalBinary parses an IPv4 header (as a raw IPv4 socket delivers it
// in front of the VRRP payload). Options are skipped.
func (h *IPv4Header) UnmarshalBinary(b []byte) error {
	if len(b) < IPv4HeaderLen || b[0]>>4 != 4 {
		return ErrIPv4Header
	}
	ihl := int(b[0]&0x0F) * 4
	if ihl < IPv4HeaderLen || len(b) < ihl {
		return ErrIPv4Header
	}
	h.HeaderLen = ihl
	h.TOS = b[1]
	h.TotalLen = binary.BigEndian.Uint16(b[2:])
	h.ID = binary.BigEndian.Uint16(b[4:])
	h.FlagsFrag = binary.BigEndian.Uint16(b[6:])
	h.TTL = b[8]
	h.Protocol = b[9]
	h.Checksum = binary.BigEndian.Uint16(b[10:])
	h.Src = netip.AddrFrom4([4]byte(b[12:16]))
	h.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	return nil
}

// DontFragment reports whether the DF flag is set.
func (h *IPv4Header) DontFragment() bool { return h.FlagsFrag&0x4000 != 0 }
