// Package golden loads the captures that vrrp/internal/capture recorded
// from the real keepalived 2.2.7 (vrrp/testdata/golden/<scenario>) and
// splits them into the frames the VRRP tests compare against: VRRP
// advertisements with their IP header fields, gratuitous ARPs and
// unsolicited neighbour advertisements, each with its capture time.
package golden

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"goha/vrrp/internal/pcapfile"
)

// Dir returns the absolute path of vrrp/testdata/golden.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "golden")
}

// Kind classifies a captured frame.
type Kind int

// Frame kinds.
const (
	Other Kind = iota
	Advert
	GARP
	NA
)

// Frame is one captured frame of interest.
type Frame struct {
	Kind Kind
	Time time.Time
	// Raw is the whole Ethernet frame.
	Raw []byte
	// SrcMAC is the Ethernet source.
	SrcMAC []byte
	// IPHeader is the IPv4 header (nil for IPv6 and ARP).
	IPHeader []byte
	// Payload is the VRRP message (Advert), or the ARP/ICMPv6 body.
	Payload []byte
	// Src and Dst are the IP addresses (Advert, NA); TTL the IPv4 TTL or
	// IPv6 hop limit; TrafficClass the IPv6 traffic class.
	Src, Dst     netip.Addr
	TTL          uint8
	TrafficClass uint8
}

// Event is an action the capture harness took.
type Event struct {
	What string    `json:"what"`
	Time time.Time `json:"time"`
}

// Line is a console line of keepalived with the time the harness read it
// (a few milliseconds after keepalived did the thing it reports, as
// keepalived's console output is buffered).
type Line struct {
	Time time.Time
	Text string // without keepalived's own timestamp
}

// Scenario is one recorded run.
type Scenario struct {
	Name   string
	Frames []Frame
	Events []Event
	Dir    string
	MAC1   string `json:"mac_lb1"`
	MAC2   string `json:"mac_lb2"`
	// Console holds lbN.times per node ("lb1", "lb2"), when recorded.
	Console map[string][]Line
}

// Load reads scenario name.
func Load(name string) (*Scenario, error) {
	dir := filepath.Join(Dir(), name)
	frames, link, err := pcapfile.ReadFile(filepath.Join(dir, "capture.pcap"))
	if err != nil {
		return nil, err
	}
	if link != pcapfile.LinkTypeEthernet {
		return nil, fmt.Errorf("%s: link type %d, want Ethernet", name, link)
	}
	sc := &Scenario{Name: name, Dir: dir}
	b, err := os.ReadFile(filepath.Join(dir, "events.json"))
	if err != nil {
		return nil, err
	}
	var meta struct {
		Events []Event `json:"events"`
		MAC1   string  `json:"mac_lb1"`
		MAC2   string  `json:"mac_lb2"`
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return nil, err
	}
	sc.Events, sc.MAC1, sc.MAC2 = meta.Events, meta.MAC1, meta.MAC2
	for _, f := range frames {
		sc.Frames = append(sc.Frames, classify(f))
	}
	sc.Console = map[string][]Line{}
	for _, node := range []string{"lb1", "lb2"} {
		b, err := os.ReadFile(filepath.Join(dir, node+".times"))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			ns, rest, ok := strings.Cut(l, " ")
			n, err := strconv.ParseInt(ns, 10, 64)
			if !ok || err != nil {
				return nil, fmt.Errorf("%s/%s.times: bad line %q", name, node, l)
			}
			// "Wed Nov 25 14:55:15 2026: text"
			if _, text, ok := strings.Cut(rest, ": "); ok {
				rest = text
			}
			sc.Console[node] = append(sc.Console[node], Line{time.Unix(0, n), rest})
		}
	}
	return sc, nil
}

// InitTimes returns, for each run of keepalived on node, when its first
// instance line ("(VI_1) removing VIPs.", printed as the instance is
// initialised and its first timer armed) reached the harness.
func (s *Scenario) InitTimes(node string) []time.Time {
	var out []time.Time
	inRun := false
	for _, l := range s.Console[node] {
		switch {
		case strings.HasPrefix(l.Text, "Starting Keepalived"):
			inRun = true
		case inRun && strings.HasPrefix(l.Text, "(VI_"):
			out = append(out, l.Time)
			inRun = false
		}
	}
	return out
}

// EventTime returns the time of the n-th (0-based) event named what.
func (s *Scenario) EventTime(what string, n int) (time.Time, bool) {
	for _, e := range s.Events {
		if e.What == what {
			if n == 0 {
				return e.Time, true
			}
			n--
		}
	}
	return time.Time{}, false
}

// Of returns the frames of kind k.
func (s *Scenario) Of(k Kind) []Frame {
	var out []Frame
	for _, f := range s.Frames {
		if f.Kind == k {
			out = append(out, f)
		}
	}
	return out
}

func classify(pf pcapfile.Frame) Frame {
	f := Frame{Time: pf.Time, Raw: pf.Data}
	b := pf.Data
	if len(b) < 14 {
		return f
	}
	f.SrcMAC = b[6:12]
	switch binary.BigEndian.Uint16(b[12:14]) {
	case 0x0806:
		f.Kind, f.Payload = GARP, b[14:]
		// Only ARP requests for an address from itself are gratuitous
		// (a kernel's reply to one has equal addresses too).
		if len(b) < 42 || binary.BigEndian.Uint16(b[14+6:14+8]) != 1 || !equal(b[14+14:14+18], b[14+24:14+28]) {
			f.Kind = Other
		}
	case 0x0800:
		if len(b) < 34 {
			return f
		}
		ip := b[14:]
		ihl := int(ip[0]&0x0F) * 4
		total := int(binary.BigEndian.Uint16(ip[2:4]))
		if ip[9] != 112 || len(ip) < total || total < ihl {
			return f
		}
		f.Kind, f.IPHeader, f.Payload = Advert, ip[:ihl], ip[ihl:total]
		f.Src = netip.AddrFrom4([4]byte(ip[12:16]))
		f.Dst = netip.AddrFrom4([4]byte(ip[16:20]))
		f.TTL = ip[8]
	case 0x86DD:
		if len(b) < 54 {
			return f
		}
		ip := b[14:]
		plen := int(binary.BigEndian.Uint16(ip[4:6]))
		if len(ip) < 40+plen {
			return f
		}
		f.Src = netip.AddrFrom16([16]byte(ip[8:24]))
		f.Dst = netip.AddrFrom16([16]byte(ip[24:40]))
		f.TTL = ip[7]
		f.TrafficClass = uint8(binary.BigEndian.Uint16(ip[0:2]) >> 4)
		switch {
		case ip[6] == 112:
			f.Kind, f.Payload = Advert, ip[40:40+plen]
		case ip[6] == 58 && plen > 0 && ip[40] == 136:
			f.Kind, f.Payload = NA, ip[40:40+plen]
		}
	}
	return f
}

func equal(a, b []byte) bool { return string(a) == string(b) }
