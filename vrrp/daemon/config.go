package daemon

import (
	"fmt"
	"net/netip"
	"reflect"
	"time"

	"goha/parser/keepalived"
	"goha/vrrp/fsm"
	"goha/vrrp/netio"
	"goha/vrrp/packet"
	"goha/vrrp/vip"
)

// instanceSpec is everything an instance runner needs, derived from the
// parser's model.
type instanceSpec struct {
	model  *keepalived.Instance
	fsm    fsm.Config
	net    netio.Config
	expect packet.Expect
	vips   []vip.Address // virtual_ipaddress then virtual_ipaddress_excluded
	tracks []trackSpec
	links  []linkSpec
	files  []fileSpec
}

// fileSpec is one track_file entry of an instance.
type fileSpec struct {
	name    string
	weight  int
	reverse bool
}

// linkSpec is one tracked interface: the instance's own (unless
// dont_track_primary) with weight 0, or a track_interface entry.
type linkSpec struct {
	name    string
	weight  int
	reverse bool
}

// trackSpec is one track_script entry of an instance.
type trackSpec struct {
	script  string
	weight  int
	reverse bool
}

func command(c *keepalived.Command) []string {
	if c == nil {
		return nil
	}
	return c.Args
}

func vipsOf(list []keepalived.VIP) []vip.Address {
	out := make([]vip.Address, 0, len(list))
	for _, v := range list {
		out = append(out, vip.Address{Prefix: v.Prefix, Dev: v.Dev, Broadcast: v.Broadcast, Scope: v.Scope, Label: v.Label})
	}
	return out
}

// specFor maps a vrrp_instance into the state machine's, the transport's
// and the receive checks' settings. source resolves the interface's
// primary address when no unicast_src_ip is set.
func specFor(in *keepalived.Instance, scripts map[string]*keepalived.Script, source func(ifname string, ipv6 bool) (netip.Addr, error)) (*instanceSpec, error) {
	s := &instanceSpec{model: in}
	src := in.UnicastSrcIP
	if !src.IsValid() {
		var err error
		if src, err = source(in.Interface, in.IPv6); err != nil {
			return nil, err
		}
	}
	var peers []netip.Addr
	for _, p := range in.UnicastPeers {
		peers = append(peers, p.Addr)
	}
	var addrs, excluded []netip.Addr
	for _, v := range in.VIPs {
		addrs = append(addrs, v.Prefix.Addr())
	}
	for _, v := range in.ExcludedVIPs {
		excluded = append(excluded, v.Prefix.Addr())
	}
	initial := fsm.Backup
	if in.State == keepalived.StateMaster {
		initial = fsm.Master
	}
	pending := 0
	for _, t := range in.TrackScripts {
		sc, ok := scripts[t.Name]
		if !ok {
			continue
		}
		s.tracks = append(s.tracks, trackSpec{script: sc.Name, weight: t.Weight, reverse: t.Reverse})
		if t.Weight == 0 {
			pending++
		}
	}
	if !in.DontTrackPrimary {
		s.links = append(s.links, linkSpec{name: in.Interface})
	}
	for _, ti := range in.TrackInterfaces {
		s.links = append(s.links, linkSpec{name: ti.Name, weight: ti.PriorityWeight, reverse: ti.Reverse})
	}
	for _, tf := range in.TrackFiles {
		s.files = append(s.files, fileSpec{name: tf.Name, weight: tf.Weight, reverse: tf.Reverse})
	}
	s.fsm = fsm.Config{
		Name: in.Name, Interface: in.Interface, VRID: uint8(in.VRID), Priority: uint8(in.Priority),
		Version: uint8(in.Version), AdvertInterval: in.AdvertInt, InitialState: initial,
		Nopreempt: in.NoPreempt, PreemptDelay: in.PreemptDelay, DownTimerAdverts: in.DownTimerAdverts,
		SourceAddr: src, Unicast: len(peers) > 0, Addresses: addrs, ExcludedAddresses: excluded,
		GARPMasterDelay: in.GarpMasterDelay, GARPMasterRepeat: in.GarpMasterRepeat,
		GARPMasterRefresh: in.GarpMasterRefresh, GARPMasterRefreshRepeat: in.GarpMasterRefreshRepeat,
		GARPLowerPrioDelay: in.GarpLowerPrioDelay, GARPLowerPrioRepeat: in.GarpLowerPrioRepeat,
		LowerPrioNoAdvert: in.LowerPrioNoAdvert, HigherPrioSendAdvert: in.HigherPrioSendAdvert,
		InitPending:  pending,
		NotifyMaster: command(in.NotifyMaster), NotifyBackup: command(in.NotifyBackup),
		NotifyFault: command(in.NotifyFault), NotifyStop: command(in.NotifyStop), Notify: command(in.Notify),
	}
	group := in.McastDstIP
	s.net = netio.Config{Interface: in.Interface, IPv6: in.IPv6, Group: group, Source: src, Peers: peers}
	s.expect = packet.Expect{Version: uint8(in.Version), VRID: uint8(in.VRID), IPv6: in.IPv6,
		Addresses: addrs, Unicast: len(peers) > 0, Peers: peers}
	if in.Version == 2 {
		s.expect.Interval = uint16(in.AdvertInt / time.Second)
		switch in.AuthType {
		case keepalived.AuthPass:
			s.expect.AuthType = packet.AuthPassword
			s.expect.AuthData = packet.PasswordAuthData(in.AuthPass)
		case keepalived.AuthAH:
			return nil, fmt.Errorf("(%s) auth_type AH is not supported by govrrpd", in.Name)
		}
	}
	s.vips = append(vipsOf(in.VIPs), vipsOf(in.ExcludedVIPs)...)
	return s, nil
}

// sameInstance reports whether a reload leaves an instance unchanged
// (ignoring where in the files it was written), so that it keeps running
// with its state and VIPs.
func sameInstance(a, b *keepalived.Instance) bool {
	x, y := *a, *b
	x.Source, y.Source = keepalived.Source{}, keepalived.Source{}
	x.VIPs, y.VIPs = stripVIPSources(x.VIPs), stripVIPSources(y.VIPs)
	x.ExcludedVIPs, y.ExcludedVIPs = stripVIPSources(x.ExcludedVIPs), stripVIPSources(y.ExcludedVIPs)
	return reflect.DeepEqual(x, y)
}

func stripVIPSources(l []keepalived.VIP) []keepalived.VIP {
	out := make([]keepalived.VIP, len(l))
	for i, v := range l {
		v.Source = keepalived.Source{}
		out[i] = v
	}
	return out
}

// sameScript is sameInstance for vrrp_script blocks.
func sameScript(a, b *keepalived.Script) bool {
	x, y := *a, *b
	x.Source, y.Source = keepalived.Source{}, keepalived.Source{}
	return reflect.DeepEqual(x, y)
}

func netipPrefix(a netip.Addr) netip.Prefix { return netip.PrefixFrom(a, a.BitLen()) }
