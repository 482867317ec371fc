package packet

import (
	"crypto/subtle"
	"fmt"
	"net/netip"
)

// Reason says why a received advertisement was not accepted. The checks
// and their order are keepalived 2.2.7's (vrrp.c vrrp_check_packet and
// vrrp_scheduler.c vrrp_dispatcher_read); each reason has a counter in
// keepalived's statistics and a log line, see Result.Message.
type Reason uint8

// Reasons, in the order keepalived checks them.
const (
	OK                Reason = iota
	TooShort                 // shorter than the VRRP header
	UnknownVRID              // no instance with this VRID (ignored)
	BadLength                // length differs from what the header announces
	BadTTL                   // multicast TTL / hop limit not 255
	BadVersion               // version differs from ours
	BadAuthType              // auth type not 0, 1 or 2
	AuthTypeMismatch         // auth type differs from ours
	BadPassword              // PASS password differs (constant-time compare)
	IntervalMismatch         // VRRPv2 advert interval differs (dropped)
	BadType                  // packet type is not advertisement
	AddrCountMismatch        // address count differs
	IPLengthMismatch         // IPv4 total length differs from received length
	BadChecksum              // checksum invalid
	CastMismatch             // multicast on a unicast instance or vice versa
	MissingAddress           // one of our VIPs is not in the advert
	NotUnicastPeer           // unicast source is not a configured peer
	numReasons
)

var reasonNames = [numReasons]string{
	"ok", "too short", "unknown VRID", "bad length", "bad TTL", "bad version",
	"bad auth type", "auth type mismatch", "bad password", "interval mismatch",
	"bad type", "address count mismatch", "IP length mismatch", "bad checksum",
	"unicast/multicast mismatch", "missing address", "not a unicast peer",
}

// String returns a short name for the reason, for counters.
func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// ChecksumCompat is the VRRPv3 unicast checksum mode (keepalived's
// old_unicast_checksum): keepalived up to v1.3.6 computed the checksum of
// unicast IPv4 adverts over a pseudo-header whose destination was
// 224.0.0.18 instead of the peer.
type ChecksumCompat uint8

// Checksum compatibility modes.
const (
	// ChecksumAuto uses the real destination and switches to the old
	// form when a peer's advert only verifies with it (the default).
	ChecksumAuto ChecksumCompat = iota
	// ChecksumNever always uses the real destination
	// (old_unicast_checksum never).
	ChecksumNever
	// ChecksumOld uses 224.0.0.18 (old_unicast_checksum, or after an
	// automatic switch); Encode with dst GroupIPv4 to send that form.
	ChecksumOld
)

// OldChecksumMessage is keepalived's log line when Check switches an
// instance to the old unicast checksum (Result.SwitchToOldChecksum).
const OldChecksumMessage = "(%s) Setting unicast VRRPv3 checksum to old version"

// Expect describes the local virtual router that adverts are checked
// against.
type Expect struct {
	Version uint8
	VRID    uint8
	// IPv6 is the instance's address family.
	IPv6 bool
	// AuthType and AuthData are the VRRPv2 authentication settings.
	AuthType AuthType
	AuthData [AuthDataLen]byte
	// Interval is the configured VRRPv2 advert interval in seconds.
	Interval uint16
	// Addresses are the configured virtual addresses (virtual_ipaddress,
	// not the excluded ones), in configuration order.
	Addresses []netip.Addr
	// Unicast is set when unicast_peer is configured.
	Unicast bool
	// Peers are the unicast peers; with CheckUnicastSrc the source of a
	// unicast advert must be one of them.
	Peers           []netip.Addr
	CheckUnicastSrc bool
	// UnicastChecksum is the VRRPv3 unicast IPv4 checksum mode.
	UnicastChecksum ChecksumCompat
}

// Received describes how an advert arrived.
type Received struct {
	// Src and Dst are the IP source and destination.
	Src, Dst netip.Addr
	// TTL is the IPv4 TTL or IPv6 hop limit, or -1 when unknown.
	TTL int
	// IPHeaderLen is the IPv4 header length in front of the VRRP
	// message (0 for IPv6, where the socket strips the header).
	IPHeaderLen int
	// IPTotalLen is the IPv4 total length field.
	IPTotalLen int
}

// Result is the outcome of Check.
type Result struct {
	Reason Reason
	// Got and Want are the received and expected values for reasons that
	// compare numbers (lengths, TTL, version, auth type, interval, type,
	// address count).
	Got, Want int
	// Addr is the address a MissingAddress or NotUnicastPeer refers to.
	Addr netip.Addr
	// VRID is the received VRID.
	VRID uint8
	// Multicast is whether the advert was multicast (CastMismatch).
	Multicast bool
	// IPv6 is the instance's family (TooShort).
	IPv6 bool
	// SwitchToOldChecksum is set on an accepted VRRPv3 unicast advert
	// that only verified with the old pseudo-header: the caller sets
	// Expect.UnicastChecksum to ChecksumOld, sends that form from now on
	// and logs OldChecksumMessage.
	SwitchToOldChecksum bool
}

// Dropped reports whether keepalived treats the failure as "not relevant
// to us" (VRRP_PACKET_DROP / ignored) rather than an invalid packet
// (VRRP_PACKET_KO). Both leave the state machine untouched.
func (r Result) Dropped() bool {
	return r.Reason == UnknownVRID || r.Reason == IntervalMismatch
}

// Message returns keepalived's log line for the result, without the
// timestamp, for instance iname on interface ifname. OK returns "".
func (r Result) Message(iname, ifname string) string {
	switch r.Reason {
	case TooShort:
		if r.IPv6 {
			return fmt.Sprintf("IPv6 VRRP packet too short - %d bytes", r.Got)
		}
		return fmt.Sprintf("IPv4 VRRP packet too short - %d bytes", r.Got)
	case UnknownVRID:
		return fmt.Sprintf("Unknown VRID(%d) received on interface(%s). ignoring...", r.VRID, ifname)
	case BadLength:
		dir := "short"
		if r.Got > r.Want {
			dir = "long"
		}
		return fmt.Sprintf("(%s) vrrp packet too %s, length %d and expect %d", iname, dir, r.Got, r.Want)
	case BadTTL:
		return fmt.Sprintf("(%s) invalid TTL/HL. Received %d and expect %d", iname, r.Got, r.Want)
	case BadVersion:
		return fmt.Sprintf("(%s) wrong version. Received %d and expect %d", iname, r.Got, r.Want)
	case BadAuthType:
		return fmt.Sprintf("(%s) Invalid auth type: %d", iname, r.Got)
	case AuthTypeMismatch:
		return fmt.Sprintf("(%s) received a %d auth, expecting %d!", iname, r.Got, r.Want)
	case BadPassword:
		return fmt.Sprintf("(%s) received an invalid passwd!", iname)
	case IntervalMismatch:
		return fmt.Sprintf("(%s) advertisement interval mismatch mine=%d sec rcv'd=%d sec", iname, r.Want, r.Got)
	case BadType:
		return fmt.Sprintf("(%s) Invalid packet type. %d and expect %d", iname, r.Got, r.Want)
	case AddrCountMismatch:
		return fmt.Sprintf("(%s) received an unexpected ip number count %d, expected %d!", iname, r.Got, r.Want)
	case IPLengthMismatch:
		return fmt.Sprintf("(%s) ip_tot_len mismatch against received length. %d and received %d", iname, r.Want, r.Got)
	case BadChecksum:
		return fmt.Sprintf("(%s) Invalid VRRPv%d checksum", iname, r.Want)
	case CastMismatch:
		if r.Multicast {
			return fmt.Sprintf("(%s) Expected unicast packet but received multicast packet", iname)
		}
		return fmt.Sprintf("(%s) Expected multicast packet but received unicast packet", iname)
	case MissingAddress:
		return fmt.Sprintf("(%s) ip address associated with VRID %d not present in MASTER advert: %s", iname, r.VRID, r.Addr)
	case NotUnicastPeer:
		return fmt.Sprintf("(%s) unicast source address %s not a unicast peer", iname, r.Addr)
	}
	return ""
}

// Check decodes the VRRP message b into p and applies keepalived's receive
// checks for the instance e. checkAddrs asks for the address list checks;
// keepalived skips them when skip_check_adv_addr is set and the advert
// comes from the master it already knows. Check does not allocate once
// p.Addresses has capacity for the address list.
func Check(e *Expect, rx *Received, b []byte, p *Packet, checkAddrs bool) Result {
	if len(b) < HeaderLen {
		return Result{Reason: TooShort, Got: rx.IPHeaderLen + len(b), IPv6: e.IPv6}
	}
	res := Result{VRID: b[1]}
	if b[1] != e.VRID {
		res.Reason = UnknownVRID
		return res
	}
	// Length first, against what the header announces for our family.
	want := HeaderLen + int(b[3])*addrLen(e.IPv6)
	if !e.IPv6 && b[0]>>4 == 2 {
		want += AuthDataLen
	}
	if len(b) != want {
		res.Reason, res.Got, res.Want = BadLength, rx.IPHeaderLen+len(b), rx.IPHeaderLen+want
		return res
	}
	if !e.Unicast && rx.TTL != -1 && rx.TTL != TTL {
		res.Reason, res.Got, res.Want = BadTTL, rx.TTL, TTL
		return res
	}
	if v := b[0] >> 4; v != e.Version {
		res.Reason, res.Got, res.Want = BadVersion, int(v), int(e.Version)
		return res
	}
	if err := p.Decode(b, e.IPv6); err != nil {
		// Length and version were checked, so this cannot happen.
		res.Reason = BadLength
		return res
	}
	if e.Version == 2 {
		if p.AuthType > AuthAH {
			res.Reason, res.Got = BadAuthType, int(p.AuthType)
			return res
		}
		if p.AuthType != e.AuthType {
			res.Reason, res.Got, res.Want = AuthTypeMismatch, int(p.AuthType), int(e.AuthType)
			return res
		}
		if e.AuthType == AuthPassword && subtle.ConstantTimeCompare(p.AuthData[:], e.AuthData[:]) != 1 {
			res.Reason = BadPassword
			return res
		}
		if p.Interval != e.Interval {
			res.Reason, res.Got, res.Want = IntervalMismatch, int(p.Interval), int(e.Interval)
			return res
		}
	}
	if p.Type != TypeAdvertisement {
		res.Reason, res.Got, res.Want = BadType, int(p.Type), int(TypeAdvertisement)
		return res
	}
	if checkAddrs && len(p.Addresses) != len(e.Addresses) {
		res.Reason, res.Got, res.Want = AddrCountMismatch, len(p.Addresses), len(e.Addresses)
		return res
	}
	if !e.IPv6 && rx.IPTotalLen != rx.IPHeaderLen+len(b) {
		res.Reason, res.Got, res.Want = IPLengthMismatch, rx.IPHeaderLen+len(b), rx.IPTotalLen
		return res
	}
	if !verifyFor(e, rx, b, &res) {
		res.Reason, res.Want = BadChecksum, int(e.Version)
		return res
	}
	multicast := rx.Dst.IsMulticast()
	if multicast == e.Unicast {
		res.Reason, res.Multicast = CastMismatch, multicast
		return res
	}
	if checkAddrs {
		for _, a := range e.Addresses {
			if !contains(p.Addresses, a) {
				res.Reason, res.Addr = MissingAddress, a
				return res
			}
		}
		if e.Unicast && e.CheckUnicastSrc && !contains(e.Peers, rx.Src) {
			res.Reason, res.Addr = NotUnicastPeer, rx.Src
			return res
		}
	}
	return res
}

// verifyFor verifies the checksum as keepalived does for e, including the
// VRRPv3 unicast compatibility modes.
func verifyFor(e *Expect, rx *Received, b []byte, res *Result) bool {
	v3unicast4 := e.Version == 3 && !e.IPv6 && e.Unicast
	dst := rx.Dst
	if v3unicast4 && e.UnicastChecksum == ChecksumOld {
		dst = GroupIPv4
	}
	if Verify(b, rx.Src, dst) {
		return true
	}
	if v3unicast4 && e.UnicastChecksum == ChecksumAuto && dst != GroupIPv4 && Verify(b, rx.Src, GroupIPv4) {
		res.SwitchToOldChecksum = true
		return true
	}
	return false
}

func contains(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}
