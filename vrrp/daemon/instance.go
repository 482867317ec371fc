package daemon

import (
	"bytes"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"goha/parser/keepalived"
	"goha/vrrp/fsm"
	"goha/vrrp/netio"
	"goha/vrrp/packet"
	"goha/vrrp/vip"
)

// event is something an instance goroutine handles.
type event struct {
	kind   eventKind
	msg    netio.Message
	script string
	ok     bool
	value  int
	spec   *instanceSpec
	out    *bytes.Buffer
	done   chan struct{}
}

type eventKind uint8

const (
	evAdvert eventKind = iota + 1
	evScript
	evStop
	evLink
	evFile
	evPriority
	evVIPs   // a reload changed the virtual addresses to spec's
	evDump   // write the SIGUSR1 block to out
	evWake   // recompute the timer (another group member moved this one)
	evDetach // end without shutting down (a reload replaces the instance)
)

// instance runs one vrrp_instance.
type instance struct {
	spec *instanceSpec
	// model is the configuration block the instance runs now; only the
	// daemon's reload code reads and replaces it.
	model *keepalived.Instance
	d     *Daemon
	m     *fsm.Machine
	conn  *netio.Conn
	an    *vip.Announcer

	events chan event
	done   chan struct{} // closed when the goroutine has ended

	// tracking state, owned by the goroutine
	scriptUp map[string]*bool
	linkUp   map[string]bool
	fileStat map[string]int // applied track_file status
	delta    map[string]int // tracking adjustments by "script:NAME" / "if:NAME"
	shift    int            // reloaded priority minus the priority the machine was built with

	pkt   packet.Packet // outgoing advert template
	rxPkt packet.Packet
	out   []byte

	group     *syncGroup // nil when not in a vrrp_sync_group; set before run
	ownFaults int        // own fault sources down (tracked interfaces, scripts, files)
	// the machine's wantstate, state and deadline (UnixNano, 0 when
	// none), published for the other members' gate
	want, state atomicState
	deadline    atomic.Int64

	pendingStart   []fsm.Action // Start's actions after the clean-up, until launch
	restore        *restored    // set when a reload replaced an instance of the same router
	waiting        bool         // run done, launch not yet
	stats          stats
	lastState      fsm.State // state after the last machine call
	lastTransition time.Time // when lastState was entered
}

func newInstance(d *Daemon, spec *instanceSpec) (*instance, error) {
	m, err := fsm.New(spec.fsm)
	if err != nil {
		return nil, fmt.Errorf("(%s) %v", spec.fsm.Name, err)
	}
	conn, err := netio.Listen(spec.net)
	if err != nil {
		return nil, err
	}
	an, err := vip.NewAnnouncer()
	if err != nil {
		conn.Close()
		return nil, err
	}
	in := &instance{spec: spec, model: spec.model, d: d, m: m, conn: conn, an: an,
		events: make(chan event, 64), done: make(chan struct{}),
		scriptUp: map[string]*bool{}, linkUp: map[string]bool{}, fileStat: map[string]int{}, delta: map[string]int{}, out: make([]byte, 1500)}
	c := m.Config()
	in.pkt = packet.Packet{Version: c.Version, Type: packet.TypeAdvertisement, VRID: c.VRID,
		AuthType: spec.expect.AuthType, AuthData: spec.expect.AuthData, Addresses: spec.expect.Addresses,
		IPv6: spec.expect.IPv6}
	if c.Version == 2 {
		in.pkt.Interval = uint16(c.AdvertInterval / time.Second)
	} else {
		in.pkt.Interval = uint16(c.AdvertInterval / (10 * time.Millisecond))
	}
	return in, nil
}

func (in *instance) name() string { return in.spec.fsm.Name }

// run starts the instance: the interfaces' current state, Start, then
// the receive loop and the state machine loop.
func (in *instance) run() {
	if !in.prepare() {
		in.launch()
	}
}

// prepare does run's work up to the goroutines, in the group's turn; it
// reports whether the instance waits for launch (first start-up).
func (in *instance) prepare() bool {
	in.lockGroup()
	defer in.unlockGroup()
	now := time.Now()
	for _, l := range in.spec.links {
		up, err := linkUp(l.name)
		if err != nil {
			in.d.log.Printf("(%s) tracked interface %s: %v", in.name(), l.name, err)
		}
		in.linkUp[l.name] = true
		if !up {
			in.link(now, l.name, false)
		} else if d, _ := fsm.TrackWeight(l.weight, l.reverse, true); d != 0 {
			// A weighted interface that is up at start counts from the
			// first advert, silently (keepalived sets the initial
			// effective priority without a "Changing" line).
			in.delta["if:"+l.name] = d
			in.setDelta(now, "", 0)
		}
	}
	for _, f := range in.spec.files {
		in.file(now, f.name, in.d.files.value(f.name))
	}
	if in.group != nil {
		in.m.SetSyncGate(func() bool { return in.group.canGotoMaster(in) })
	}
	acts := in.startActions(now)
	if !in.d.starting {
		in.exec(acts)
		return false
	}
	// At start-up keepalived cleans every instance's addresses, logs
	// "Startup complete", and only then enters the initial states
	// (vrrp_dispatcher_init, vrrp_init_state): the rest waits for launch.
	split := 0
	for i, a := range acts {
		if a.Kind == fsm.RemoveVIPs && a.Force {
			split = i + 1
		}
	}
	in.exec(acts[:split])
	in.pendingStart = append([]fsm.Action(nil), acts[split:]...)
	in.waiting = true
	return true
}

// launch carries out what run left for after start-up and starts the
// goroutines.
func (in *instance) launch() {
	in.lockGroup()
	in.waiting = false
	in.exec(in.pendingStart)
	in.pendingStart = nil
	in.unlockGroup()
	go in.receive()
	go in.loop()
}

func (in *instance) receive() {
	buf := make([]byte, 65536)
	for {
		m, err := in.conn.Receive(buf)
		if err == netio.ErrClosed {
			return
		}
		if err != nil {
			// A malformed datagram or a transient socket error: do not
			// spin on a socket that keeps failing.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		m.Payload = append([]byte(nil), m.Payload...)
		select {
		case in.events <- event{kind: evAdvert, msg: m}:
		case <-in.done:
			return
		}
	}
}

// scriptChanged is called by script runners (any goroutine).
func (in *instance) scriptChanged(script string, up bool) {
	select {
	case in.events <- event{kind: evScript, script: script, ok: up}:
	case <-in.done:
	}
}

// linkChanged is called by the daemon's link watcher (any goroutine).
func (in *instance) linkChanged(name string, up bool) {
	select {
	case in.events <- event{kind: evLink, script: name, ok: up}:
	case <-in.done:
	}
}

// fileChanged is called by the track file watcher (any goroutine).
func (in *instance) fileChanged(name string, value int) {
	select {
	case in.events <- event{kind: evFile, script: name, value: value}:
	case <-in.done:
	}
}

// setPriority applies a reloaded base priority in place.
func (in *instance) setPriority(p int) {
	select {
	case in.events <- event{kind: evPriority, value: p}:
	case <-in.done:
	}
}

// stop shuts the instance down (priority-0 advert, VIPs removed unless
// keep) and waits for it.
func (in *instance) stop() {
	ev := event{kind: evStop, done: make(chan struct{})}
	select {
	case in.events <- ev:
		<-ev.done
	case <-in.done:
	}
}

func (in *instance) loop() {
	defer close(in.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		in.lockGroup()
		d := in.m.Deadline()
		in.unlockGroup()
		if !d.IsZero() {
			timer.Reset(time.Until(d))
		} else {
			timer.Reset(time.Hour)
		}
		select {
		case <-timer.C:
			in.lockGroup()
			in.exec(in.m.Timer(time.Now()))
			in.unlockGroup()
		case ev := <-in.events:
			in.lockGroup()
			stop := in.handle(ev)
			in.unlockGroup()
			if stop {
				return
			}
		}
	}
}

// handle runs one event; it reports true when the instance stopped.
func (in *instance) handle(ev event) bool {
	switch ev.kind {
	case evAdvert:
		in.advert(ev.msg)
	case evScript:
		in.script(ev.script, ev.ok)
	case evLink:
		in.link(time.Now(), ev.script, ev.ok)
	case evFile:
		in.file(time.Now(), ev.script, ev.value)
	case evDump:
		in.writeDump(ev.out)
		close(ev.done)
	case evVIPs:
		in.applyVIPs(ev.spec)
	case evPriority:
		in.shift = ev.value - int(in.spec.fsm.Priority)
		in.setDelta(time.Now(), "", 0)
	case evStop:
		in.exec(in.m.Shutdown(time.Now()))
		in.conn.Close()
		in.an.Close()
		close(ev.done)
		return true
	case evDetach:
		in.conn.Close()
		in.an.Close()
		close(ev.done)
		return true
	}
	return false
}

// advert checks a received datagram and feeds it to the machine.
func (in *instance) advert(msg netio.Message) {
	rx := packet.Received{Src: msg.Src, Dst: msg.Dst, TTL: msg.TTL, IPHeaderLen: msg.IPHeaderLen, IPTotalLen: msg.IPTotalLen}
	checkAddrs := in.m.CheckAddresses(msg.Src, in.spec.model.SkipCheckAdvAddr)
	res := packet.Check(&in.spec.expect, &rx, msg.Payload, &in.rxPkt, checkAddrs)
	if res.Reason == packet.UnknownVRID {
		// Each instance has its own socket, so it also sees its
		// neighbours' adverts; keepalived (one socket per interface)
		// reports only VRIDs no instance of the interface runs.
		if !in.d.runsVRID(in.spec.fsm.Interface, res.VRID, in.spec.expect.IPv6) {
			in.d.log.Detailf("%s", res.Message(in.name(), in.spec.fsm.Interface))
		}
		return
	}
	if res.Reason != packet.OK {
		in.stats.count(res.Reason)
		in.d.log.Printf("%s", res.Message(in.name(), in.spec.fsm.Interface))
		in.exec(in.m.Received(time.Now(), fsm.Advert{Src: msg.Src, Rejected: true}))
		return
	}
	if res.SwitchToOldChecksum {
		in.spec.expect.UnicastChecksum = packet.ChecksumOld
		in.d.log.Printf(packet.OldChecksumMessage, in.name())
	}
	in.stats.advertRcvd.Add(1)
	if in.rxPkt.Priority == 0 {
		in.stats.priZeroRcvd.Add(1)
	}
	in.exec(in.m.Received(time.Now(), fsm.Advert{Src: msg.Src, Priority: in.rxPkt.Priority,
		Interval: in.rxPkt.IntervalDuration()}))
}

// script applies a tracked script's new state as keepalived does
// (weight: priority delta; weight 0: fault).
func (in *instance) script(name string, up bool) {
	now := time.Now()
	for _, t := range in.spec.tracks {
		if t.script != name {
			continue
		}
		prev := in.scriptUp[name]
		in.scriptUp[name] = &up
		if prev != nil && *prev == up {
			continue
		}
		d, fault := fsm.TrackWeight(t.weight, t.reverse, up)
		switch {
		case t.weight != 0:
			in.setDelta(now, "script:"+name, d)
		case prev == nil:
			in.exec(in.m.Settle(now, !fault))
			if fault {
				// A failed first result counts as a fault source.
				in.ownFaults++
				if in.ownFaults == 1 && in.group != nil {
					in.group.fault(in, true)
				}
			}
		case fault:
			in.down(now)
		default:
			in.up(now)
		}
	}
}

// link applies a tracked interface's new state (vrrp_track.c: a
// weight-0 interface faults the instance while down).
func (in *instance) link(now time.Time, name string, up bool) {
	for _, l := range in.spec.links {
		if l.name != name || in.linkUp[name] == up {
			continue
		}
		d, fault := fsm.TrackWeight(l.weight, l.reverse, up)
		switch {
		case l.weight != 0:
			in.setDelta(now, "if:"+name, d)
		case fault:
			in.down(now)
		default:
			in.up(now)
		}
	}
	in.linkUp[name] = up
}

// file applies a track_file's new value: its status changes the
// priority, or faults the instance at -254.
func (in *instance) file(now time.Time, name string, value int) {
	for _, f := range in.spec.files {
		if f.name != name {
			continue
		}
		prev := in.fileStat[name]
		next := trackFileStatus(value, f.weight, f.reverse)
		if prev == next {
			continue
		}
		in.fileStat[name] = next
		switch {
		case next == fileStatusFault:
			in.d.log.Detailf("(%s): tracked file %s now FAULT state", in.name(), name)
			in.setDelta(now, "file:"+name, 0)
			in.down(now)
		case prev == fileStatusFault:
			in.d.log.Detailf("(%s): tracked file %s leaving FAULT state", in.name(), name)
			in.setDelta(now, "file:"+name, next)
			in.up(now)
		default:
			in.setDelta(now, "file:"+name, next)
		}
	}
}

// setDelta records one tracking adjustment (none for key "") and gives
// the machine the total, with the reload shift.
func (in *instance) setDelta(now time.Time, key string, d int) {
	if key != "" {
		in.delta[key] = d
	}
	sum := in.shift
	for _, v := range in.delta {
		sum += v
	}
	acts := in.m.SetTrackDelta(now, sum)
	if key == "" {
		// A reload sets the new priority silently, as keepalived does.
		kept := acts[:0]
		for _, a := range acts {
			if a.Kind != fsm.Log || !strings.Contains(a.Text, "Changing effective priority") {
				kept = append(kept, a)
			}
		}
		acts = kept
	}
	in.exec(acts)
}

// exec carries out the machine's actions in order.
func (in *instance) exec(acts []fsm.Action) {
	prev, st := in.lastState, in.m.State()
	if in.group != nil {
		in.want.Store(int32(in.m.WantState()))
		in.state.Store(int32(st))
		var dl int64
		if d := in.m.Deadline(); !d.IsZero() {
			dl = d.UnixNano()
		}
		in.deadline.Store(dl)
		defer func() {
			if st != prev {
				in.group.transition(in, prev, st)
			}
		}()
	}
	if st != in.lastState {
		if st == fsm.Master {
			in.stats.becameMaster.Add(1)
		} else if in.lastState == fsm.Master {
			in.stats.releaseMaster.Add(1)
		}
		in.lastState = st
		in.lastTransition = time.Now()
	}
	for _, a := range acts {
		switch a.Kind {
		case fsm.Log:
			in.d.log.Line(a.Text, a.Detail)
		case fsm.SendAdvert:
			in.sendAdvert(a.Priority)
		case fsm.AddVIPs:
			for _, v := range in.spec.vips {
				if err := vip.Add(v, in.spec.fsm.Interface); err != nil {
					in.d.log.Printf("(%s) %v", in.name(), err)
				}
			}
		case fsm.RemoveVIPs:
			if !a.Force && in.d.stopping.Load() && in.d.opts.DontRelease {
				continue
			}
			for _, v := range in.spec.vips {
				if err := vip.Remove(v, in.spec.fsm.Interface); err != nil {
					in.d.log.Printf("(%s) %v", in.name(), err)
				}
			}
		case fsm.SendGARP:
			in.garp(a)
		case fsm.RunNotify:
			runNotify(a.Script, in.d.log)
		}
	}
}

func (in *instance) sendAdvert(prio uint8) {
	in.pkt.Priority = prio
	in.stats.advertSent.Add(1)
	if prio == 0 {
		in.stats.priZeroSent.Add(1)
	}
	for _, dst := range in.conn.Destinations() {
		sumDst := dst
		if in.spec.expect.Version == 3 && !in.spec.expect.IPv6 && in.spec.expect.Unicast &&
			in.spec.expect.UnicastChecksum == packet.ChecksumOld {
			sumDst = packet.GroupIPv4
		}
		n, err := in.pkt.Encode(in.out, in.conn.Source(), sumDst)
		if err != nil {
			in.d.log.Printf("(%s) cannot build advert: %v", in.name(), err)
			return
		}
		if err := in.conn.Send(dst, in.out[:n]); err != nil {
			in.d.log.Printf("(%s) send advert to %s: %v", in.name(), dst, err)
		}
	}
}

// garp sends a.Repeat rounds of announcements of every VIP (or one of
// a.Addr), logging each as keepalived does with -D.
func (in *instance) garp(a fsm.Action) {
	send := func(dev string, addr vip.Address) {
		ip := addr.Prefix.Addr()
		what := "gratuitous ARP"
		if ip.Is6() {
			what = "unsolicited neighbour advert"
		}
		in.d.log.Detailf("Sending %s on %s for %s", what, dev, ip)
		if err := in.an.Announce(dev, ip); err != nil {
			in.d.log.Printf("(%s) %s on %s for %s: %v", in.name(), what, dev, ip, err)
		}
	}
	if a.Addr.IsValid() {
		send(in.spec.fsm.Interface, vip.Address{Prefix: netipPrefix(a.Addr)})
		return
	}
	for _, v := range in.spec.vips {
		dev := v.Dev
		if dev == "" {
			dev = in.spec.fsm.Interface
		}
		for r := 0; r < a.Repeat; r++ {
			send(dev, v)
		}
	}
}
