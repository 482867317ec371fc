package packet

import (
	"encoding/binary"
	"net/netip"
)

// sum16 adds b to the one's-complement accumulator as big-endian 16-bit
// words, padding an odd final byte with zero (RFC 1071).
func sum16(acc uint32, b []byte) uint32 {
	for len(b) >= 2 {
		acc += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint32(b[0]) << 8
	}
	return acc
}

// fold folds the carries and returns the one's complement.
func fold(acc uint32) uint16 {
	for acc > 0xFFFF {
		acc = acc>>16 + acc&0xFFFF
	}
	return ^uint16(acc)
}

// pseudoHeader accumulates the IPv4 (RFC 791) or IPv6 (RFC 8200 §8.1)
// pseudo-header for an upper-layer packet of length n and protocol proto.
func pseudoHeader(src, dst netip.Addr, proto uint8, n int) (uint32, error) {
	var acc uint32
	switch {
	case src.Is4() && dst.Is4():
		s, d := src.As4(), dst.As4()
		acc = sum16(acc, s[:])
		acc = sum16(acc, d[:])
	case src.Is6() && dst.Is6() && !src.Is4In6() && !dst.Is4In6():
		s, d := src.As16(), dst.As16()
		acc = sum16(acc, s[:])
		acc = sum16(acc, d[:])
		acc += uint32(n >> 16)
	default:
		return 0, ErrChecksumAddress
	}
	return acc + uint32(proto) + uint32(n&0xFFFF), nil
}

// checksum computes the checksum of the encoded packet b, whose checksum
// field must be zero.
func checksum(version uint8, b []byte, src, dst netip.Addr) (uint16, error) {
	if version == 2 {
		// RFC 3768 §5.3.8: over the VRRP message only.
		return fold(sum16(0, b)), nil
	}
	acc, err := pseudoHeader(src, dst, IPProtocol, len(b))
	if err != nil {
		return 0, err
	}
	return fold(sum16(acc, b)), nil
}

// Verify reports whether the encoded packet b (checksum field included)
// has a valid checksum. src and dst are the IP source and destination,
// needed for VRRPv3.
func Verify(b []byte, src, dst netip.Addr) bool {
	if len(b) < HeaderLen {
		return false
	}
	if b[0]>>4 == 2 {
		return fold(sum16(0, b)) == 0
	}
	acc, err := pseudoHeader(src, dst, IPProtocol, len(b))
	return err == nil && fold(sum16(acc, b)) == 0
}

// Checksum computes the checksum the encoded packet b should carry,
// treating its checksum field as zero.
func Checksum(b []byte, src, dst netip.Addr) (uint16, error) {
	if len(b) < HeaderLen {
		return 0, ErrTooShort
	}
	var acc uint32
	if b[0]>>4 != 2 {
		var err error
		if acc, err = pseudoHeader(src, dst, IPProtocol, len(b)); err != nil {
			return 0, err
		}
	}
	acc = sum16(acc, b[:6])
	acc = sum16(acc, b[8:])
	return fold(acc), nil
}
