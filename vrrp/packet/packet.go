package packet

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"time"
)

// Protocol constants (RFC 3768 §5.2, RFC 5798 §5.1).
const (
	// IPProtocol is the IP protocol number of VRRP.
	IPProtocol = 112
	// TTL is the IPv4 TTL / IPv6 hop limit every advertisement is sent
	// with and, for multicast, must be received with.
	TTL = 255
	// HeaderLen is the length of the fixed VRRP header.
	HeaderLen = 8
	// AuthDataLen is the length of the VRRPv2 authentication data.
	AuthDataLen = 8
	// MaxAddresses is the largest address count the 8-bit field holds.
	MaxAddresses = 255
	// PriorityStop is sent by a master that stops (RFC 3768 §5.3.4).
	PriorityStop = 0
	// PriorityOwner is the priority of the address owner.
	PriorityOwner = 255
	// MaxIntervalV3 is the largest VRRPv3 interval (12 bits of centiseconds).
	MaxIntervalV3 = 0x0FFF
)

// Well-known destinations of multicast advertisements.
var (
	GroupIPv4 = netip.AddrFrom4([4]byte{224, 0, 0, 18})
	GroupIPv6 = netip.MustParseAddr("ff02::12")
)

// Type is the VRRP packet type; only Advertisement is defined.
type Type uint8

// TypeAdvertisement is the only VRRP packet type (RFC 3768 §5.3.2).
const TypeAdvertisement Type = 1

// AuthType is the VRRPv2 authentication type (RFC 3768 §5.3.6; RFC 2338
// defined the password and AH types that keepalived still accepts).
type AuthType uint8

// Authentication types.
const (
	AuthNone     AuthType = 0
	AuthPassword AuthType = 1 // keepalived "auth_type PASS"
	AuthAH       AuthType = 2 // keepalived "auth_type AH" (IPsec AH; not produced by this codec)
)

// Sentinel errors returned by the codec.
var (
	ErrTooShort        = errors.New("vrrp packet: too short")
	ErrVersion         = errors.New("vrrp packet: version is neither 2 nor 3")
	ErrTooManyAddrs    = errors.New("vrrp packet: more than 255 addresses")
	ErrMixedFamilies   = errors.New("vrrp packet: address list mixes IPv4 and IPv6")
	ErrV2IPv6          = errors.New("vrrp packet: VRRPv2 carries IPv4 addresses only")
	ErrInterval        = errors.New("vrrp packet: advertisement interval out of range")
	ErrBufferTooSmall  = errors.New("vrrp packet: buffer too small")
	ErrChecksumAddress = errors.New("vrrp packet: VRRPv3 checksum needs IP source and destination of the same family")
)

// Packet is a VRRP advertisement. The field layout follows RFC 3768 §5.1
// (version 2) and RFC 5798 §5.1 (version 3):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	|Version| Type  | Virtual Rtr ID|   Priority    | Count IPvX Addr|
//	|  Auth Type(v2)| Adver Int(v2) |          Checksum             |
//	|(rsvd)| Max Adver Int (v3)     |          Checksum             |
//	|                       IPvX Address(es)                        |
//	|                 Authentication Data (v2 only, 8 bytes)        |
type Packet struct {
	// Version is 2 or 3.
	Version uint8
	// Type is always TypeAdvertisement on the wire.
	Type Type
	// VRID is the virtual router identifier, 1-255.
	VRID uint8
	// Priority is the sender's priority: 0 (master stopping), 1-254, or
	// 255 (address owner).
	Priority uint8
	// AuthType is the VRRPv2 authentication type; zero in version 3.
	AuthType AuthType
	// Interval is the advertisement interval in the version's unit:
	// whole seconds (v2, 8 bits) or centiseconds (v3, 12 bits; the four
	// reserved bits above it are sent as zero and ignored on receipt,
	// as keepalived does).
	Interval uint16
	// Checksum is the checksum field as received, or as computed by
	// Encode. Decoding does not verify it; see Verify and Check.
	Checksum uint16
	// Addresses are the virtual addresses, all IPv4 or all IPv6. VRRPv2
	// carries IPv4 only.
	Addresses []netip.Addr
	// IPv6 records the address family for packets without addresses
	// (it is implied by the addresses otherwise).
	IPv6 bool
	// AuthData is the VRRPv2 authentication data: for AuthPassword the
	// first 8 bytes of the password, zero-padded. keepalived sends the
	// field (zeroed) even with AuthNone.
	AuthData [AuthDataLen]byte
}

// IntervalDuration returns Interval as a duration.
func (p *Packet) IntervalDuration() time.Duration {
	if p.Version == 2 {
		return time.Duration(p.Interval) * time.Second
	}
	return time.Duration(p.Interval) * 10 * time.Millisecond
}

// isIPv6 reports the family of the address list.
func (p *Packet) isIPv6() bool {
	if len(p.Addresses) > 0 {
		return p.Addresses[0].Is6() && !p.Addresses[0].Is4In6()
	}
	return p.IPv6
}

func addrLen(ipv6 bool) int {
	if ipv6 {
		return 16
	}
	return 4
}

// Len returns the encoded length of p.
func (p *Packet) Len() int {
	n := HeaderLen + len(p.Addresses)*addrLen(p.isIPv6())
	if p.Version == 2 {
		n += AuthDataLen
	}
	return n
}

// validate checks the fields that cannot be encoded faithfully.
func (p *Packet) validate() error {
	if p.Version != 2 && p.Version != 3 {
		return ErrVersion
	}
	if len(p.Addresses) > MaxAddresses {
		return ErrTooManyAddrs
	}
	v6 := p.isIPv6()
	for _, a := range p.Addresses {
		if (a.Is4() || a.Is4In6()) == v6 {
			return ErrMixedFamilies
		}
	}
	if p.Version == 2 && v6 {
		return ErrV2IPv6
	}
	if (p.Version == 2 && p.Interval > 0xFF) || p.Interval > MaxIntervalV3 {
		return ErrInterval
	}
	return nil
}

// MarshalBinary implements encoding.BinaryMarshaler. The checksum field is
// written as p.Checksum; use Encode to compute it.
func (p *Packet) MarshalBinary() ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	b := make([]byte, p.Len())
	p.put(b)
	return b, nil
}

// MarshalTo writes p into b, with the checksum field set to p.Checksum,
// and returns the number of bytes written. It does not allocate.
func (p *Packet) MarshalTo(b []byte) (int, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	n := p.Len()
	if len(b) < n {
		return 0, ErrBufferTooSmall
	}
	p.put(b[:n])
	return n, nil
}

// Encode writes p into b with a freshly computed checksum, stores that
// checksum in p.Checksum and returns the number of bytes written. src and
// dst are the IP source and destination of the datagram: VRRPv3 checksums
// cover an IPv4/IPv6 pseudo-header (RFC 5798 §5.2.8); VRRPv2 ignores them.
// It does not allocate.
func (p *Packet) Encode(b []byte, src, dst netip.Addr) (int, error) {
	p.Checksum = 0
	n, err := p.MarshalTo(b)
	if err != nil {
		return 0, err
	}
	sum, err := checksum(p.Version, b[:n], src, dst)
	if err != nil {
		return 0, err
	}
	p.Checksum = sum
	binary.BigEndian.PutUint16(b[6:8], sum)
	return n, nil
}

func (p *Packet) put(b []byte) {
	typ := p.Type
	b[0] = p.Version<<4 | uint8(typ)&0x0F
	b[1] = p.VRID
	b[2] = p.Priority
	b[3] = uint8(len(p.Addresses))
	if p.Version == 2 {
		b[4] = uint8(p.AuthType)
		b[5] = uint8(p.Interval)
	} else {
		binary.BigEndian.PutUint16(b[4:6], p.Interval&MaxIntervalV3)
	}
	binary.BigEndian.PutUint16(b[6:8], p.Checksum)
	off := HeaderLen
	for _, a := range p.Addresses {
		if a.Is4() || a.Is4In6() {
			a4 := a.Unmap().As4()
			off += copy(b[off:], a4[:])
		} else {
			a16 := a.As16()
			off += copy(b[off:], a16[:])
		}
	}
	if p.Version == 2 {
		copy(b[off:], p.AuthData[:])
	}
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler. The address
// family of a VRRPv3 packet is inferred from its length (an IPv6 packet is
// 8+16n bytes); use Decode when the family is known from the socket.
// Bytes after the packet are ignored. The address slice of p is reused, so
// decoding into the same Packet does not allocate.
func (p *Packet) UnmarshalBinary(b []byte) error {
	ipv6 := false
	if len(b) >= HeaderLen && b[0]>>4 == 3 {
		n := int(b[3])
		ipv6 = n > 0 && len(b) >= HeaderLen+16*n
	}
	return p.Decode(b, ipv6)
}

// Decode parses b as a VRRP advertisement whose addresses are IPv6 when
// ipv6 is set (VRRPv2 is IPv4 only, so ipv6 is ignored for it). Bytes after
// the packet are ignored; Check reports them as keepalived does. The
// address slice of p is reused.
func (p *Packet) Decode(b []byte, ipv6 bool) error {
	if len(b) < HeaderLen {
		return ErrTooShort
	}
	version := b[0] >> 4
	if version != 2 && version != 3 {
		return ErrVersion
	}
	if version == 2 {
		ipv6 = false
	}
	count := int(b[3])
	need := HeaderLen + count*addrLen(ipv6)
	if version == 2 {
		need += AuthDataLen
	}
	if len(b) < need {
		return ErrTooShort
	}
	p.Version = version
	p.Type = Type(b[0] & 0x0F)
	p.VRID = b[1]
	p.Priority = b[2]
	if version == 2 {
		p.AuthType = AuthType(b[4])
		p.Interval = uint16(b[5])
	} else {
		p.AuthType = AuthNone
		p.Interval = binary.BigEndian.Uint16(b[4:6]) & MaxIntervalV3
	}
	p.Checksum = binary.BigEndian.Uint16(b[6:8])
	p.IPv6 = ipv6
	p.Addresses = p.Addresses[:0]
	off := HeaderLen
	for i := 0; i < count; i++ {
		if ipv6 {
			p.Addresses = append(p.Addresses, netip.AddrFrom16([16]byte(b[off:off+16])))
			off += 16
		} else {
			p.Addresses = append(p.Addresses, netip.AddrFrom4([4]byte(b[off:off+4])))
			off += 4
		}
	}
	p.AuthData = [AuthDataLen]byte{}
	if version == 2 {
		copy(p.AuthData[:], b[off:off+AuthDataLen])
	}
	return nil
}

// PasswordAuthData returns the VRRPv2 authentication data keepalived
// derives from auth_pass: the first 8 bytes, zero-padded.
func PasswordAuthData(password string) [AuthDataLen]byte {
	var d [AuthDataLen]byte
	copy(d[:], password)
	return d
}
