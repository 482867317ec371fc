package daemon

import (
	"fmt"
	"io"
	"sync/atomic"

	"goha/vrrp/packet"
)

// stats are an instance's counters, as keepalived keeps them (vrrp_t
// stats) and writes them on SIGUSR2 to /tmp/keepalived.stats.
type stats struct {
	advertRcvd, advertSent        atomic.Uint64
	becameMaster, releaseMaster   atomic.Uint64
	packetLen, ipTTL, invalidType atomic.Uint64
	advertInterval, addrList      atomic.Uint64
	invalidAuthType, authMismatch atomic.Uint64
	authFailure                   atomic.Uint64
	priZeroRcvd, priZeroSent      atomic.Uint64
	// rejected counts every refused advert, whatever the reason.
	rejected atomic.Uint64
}

// count records a refused advert under keepalived's counter for reason.
func (s *stats) count(r packet.Reason) {
	s.rejected.Add(1)
	switch r {
	case packet.TooShort, packet.BadLength, packet.IPLengthMismatch:
		s.packetLen.Add(1)
	case packet.BadTTL:
		s.ipTTL.Add(1)
	case packet.BadType:
		s.invalidType.Add(1)
	case packet.IntervalMismatch:
		// Dropped, not counted: keepalived 2.2.7 leaves "Advertisement
		// Interval" at 0 for a VRRPv2 interval mismatch (checked in
		// compat-tests TestVRRPRejects).
	case packet.AddrCountMismatch, packet.MissingAddress:
		s.addrList.Add(1)
	case packet.BadAuthType:
		s.invalidAuthType.Add(1)
	case packet.AuthTypeMismatch:
		s.authMismatch.Add(1)
	case packet.BadPassword:
		s.authFailure.Add(1)
	}
}

// write writes the block keepalived writes for one instance.
func (s *stats) write(w io.Writer, name string) {
	fmt.Fprintf(w, "VRRP Instance: %s\n", name)
	fmt.Fprintf(w, "  Advertisements:\n    Received: %d\n    Sent: %d\n", s.advertRcvd.Load(), s.advertSent.Load())
	fmt.Fprintf(w, "  Became master: %d\n  Released master: %d\n", s.becameMaster.Load(), s.releaseMaster.Load())
	fmt.Fprintf(w, "  Packet Errors:\n    Length: %d\n    TTL: %d\n    Invalid Type: %d\n    Advertisement Interval: %d\n    Address List: %d\n",
		s.packetLen.Load(), s.ipTTL.Load(), s.invalidType.Load(), s.advertInterval.Load(), s.addrList.Load())
	fmt.Fprintf(w, "  Authentication Errors:\n    Invalid Type: %d\n    Type Mismatch: %d\n    Failure: %d\n",
		s.invalidAuthType.Load(), s.authMismatch.Load(), s.authFailure.Load())
	fmt.Fprintf(w, "  Priority Zero:\n    Received: %d\n    Sent: %d\n", s.priZeroRcvd.Load(), s.priZeroSent.Load())
}
