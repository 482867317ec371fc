package main

import (
	"fmt"
	"sort"
	"strings"
	"syscall"
	"time"

	"goha/internal/topo"
)

func (p *printer) say(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// event prints a timeline line, stamped with the time since the timeline
// started.
func (p *printer) event(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.t0.IsZero() {
		return
	}
	fmt.Fprintf(p.w, "  %+7.3fs  %s\n", time.Since(p.t0).Seconds(), fmt.Sprintf(format, args...))
}

// vrrpLine keeps a govrrpd console line and shows the state changes on
// the timeline while one runs.
func (p *printer) vrrpLine(host, line string) {
	p.mu.Lock()
	if p.lines == nil {
		p.lines = map[string][]string{}
	}
	l := append(p.lines[host], line)
	if len(l) > 8 {
		l = l[len(l)-8:]
	}
	p.lines[host] = l
	p.mu.Unlock()
	if strings.Contains(line, "STATE") || strings.Contains(line, "priority 0") || strings.Contains(line, "Stopping") {
		p.event("%-6s govrrpd: %s", host, trimLogPrefix(line))
	}
}

func (p *printer) lastVRRP(host string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, l := range p.lines[host] {
		fmt.Fprintf(&b, "     %s: %s\n", host, l)
	}
	return b.String()
}

// trimLogPrefix drops keepalived's console date ("Wed Nov 25 15:00:00
// 2026: ") so that timeline lines stay short.
func trimLogPrefix(l string) string {
	if i := strings.Index(l, ": "); i > 0 && i < 30 && strings.Count(l[:i], ":") >= 2 {
		return l[i+2:]
	}
	return l
}

// sample is one request of the load the failover runs under.
type sample struct {
	at     time.Duration
	took   time.Duration
	server string // "" when no answer
	err    string
	vip    string // the VIP's owner when the answer came
}

// failover shows the tutorial's failover live: under 10 requests per
// second through the VIP from the client, master's govrrpd is stopped
// (SIGTERM, what `systemctl stop keepalived` sends), the VIP moves to
// backup, then master's govrrpd starts again and takes the VIP back
// (priority 100 over 50).
func (d *demo) failover() {
	d.out.say("\nFailover, live. The client sends GET http://%s/ every 100 ms (one at a time, 2 s timeout);\nevery second a line sums up the requests sent in that second.", topo.VIP)
	d.out.mu.Lock()
	d.out.t0 = time.Now()
	d.out.mu.Unlock()
	t0 := d.out.t0
	owner := func() string {
		m, b := d.vipMaster.has(), d.vipBackup.has()
		switch {
		case m && b:
			return "both"
		case m:
			return "master"
		case b:
			return "backup"
		}
		return "nobody"
	}
	stop := make(chan struct{})
	samplesCh := make(chan sample, 1000)
	go d.load(t0, owner, stop, samplesCh)
	vipDone := make(chan struct{})
	go func() { // the VIP's owner, sampled every 5 ms
		defer close(vipDone)
		last := owner()
		d.out.event("VIP %s on %s", topo.VIP, last)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			if now := owner(); now != last {
				d.out.event("VIP %s now on %s", topo.VIP, now)
				last = now
			}
		}
	}()
	var all []sample
	summaryDone := make(chan struct{})
	go func() { // one line per second
		defer close(summaryDone)
		var bucket []sample
		next := time.Second
		flush := func() {
			if len(bucket) > 0 {
				d.out.event("requests sent in [%2ds,%2ds): %s", next/time.Second-1, next/time.Second, summarise(bucket))
			}
			bucket = nil
		}
		for s := range samplesCh {
			for s.at >= next {
				flush()
				next += time.Second
			}
			bucket = append(bucket, s)
			all = append(all, s)
		}
		flush()
	}()

	time.Sleep(2 * time.Second)
	m := d.vrrp["master"]
	d.out.event(">> stopping master's govrrpd (SIGTERM, as `systemctl stop keepalived`)")
	tStop := time.Now()
	syscall.Kill(m.cmd.Process.Pid, syscall.SIGTERM)
	movedOK := waitFor(10*time.Second, func() bool { return d.vipBackup.has() && !d.vipMaster.has() })
	moved := time.Since(tStop)
	select {
	case <-m.done:
	case <-time.After(5 * time.Second):
		d.out.event("!! master's govrrpd did not exit 5 s after SIGTERM; killing it")
		syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		<-m.done
	}
	time.Sleep(3 * time.Second)
	d.out.event(">> starting master's govrrpd again")
	tStart := time.Now()
	var backOK bool
	var back time.Duration
	if p, err := d.startGovrrpd(d.master); err != nil {
		d.out.event("!! govrrpd did not start again on master: %v", err)
	} else {
		d.vrrp["master"] = p
		backOK = waitFor(10*time.Second, func() bool { return d.vipMaster.has() && !d.vipBackup.has() })
		back = time.Since(tStart)
	}
	time.Sleep(2 * time.Second)
	close(stop)
	<-vipDone
	<-summaryDone
	d.out.mu.Lock()
	d.out.t0 = time.Time{}
	d.out.mu.Unlock()

	failed := 0
	for _, s := range all {
		if s.server == "" {
			failed++
		}
	}
	d.out.say("\nSummary:")
	if movedOK {
		d.out.say("  VIP on backup %d ms after master's govrrpd was stopped", moved.Milliseconds())
	} else {
		d.out.say("  !! the VIP did not move to backup within 10 s")
	}
	if backOK {
		d.out.say("  VIP back on master %d ms after its govrrpd started again (master preempts: priority 100 > 50)", back.Milliseconds())
	} else {
		d.out.say("  !! the VIP did not come back to master within 10 s")
	}
	d.out.say("  %d requests through the VIP, %d answered, %d without an answer", len(all), len(all)-failed, failed)
	if failed > 0 {
		d.out.say("  (a connection open on master when the VIP leaves it is reset by backup, which never saw it;\n   keepalived's failover does the same: VRRP moves the address, not the connections)")
	}
}

// load sends one request every 100 ms from the client to the VIP.
func (d *demo) load(t0 time.Time, owner func() string, stop chan struct{}, out chan<- sample) {
	defer close(out)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		s := sample{at: time.Since(t0)}
		code, body, err := get(d.http, "http://"+topo.VIP+"/")
		switch {
		case err != nil:
			s.err = err.Error()
		case code != 200:
			s.err = fmt.Sprintf("status %d", code)
		default:
			s.server = whichServer(body)
		}
		s.took = time.Since(t0) - s.at
		s.vip = owner()
		out <- s
	}
}

// summarise reads like "10 requests: 10 answered (real-server1 5,
// real-server2 5), VIP on master".
func summarise(b []sample) string {
	by := map[string]int{}
	vips := map[string]bool{}
	var errs []string
	ok := 0
	for _, s := range b {
		vips[s.vip] = true
		if s.server != "" {
			ok++
			by[s.server]++
		} else {
			errs = append(errs, s.err)
		}
	}
	var parts []string
	for k, v := range by {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	var owners []string
	for k := range vips {
		owners = append(owners, k)
	}
	sort.Strings(owners)
	var slowest time.Duration
	for _, s := range b {
		slowest = max(slowest, s.took)
	}
	line := fmt.Sprintf("%2d, %2d answered (%s), slowest %d ms, VIP on %s", len(b), ok, strings.Join(parts, ", "), slowest.Milliseconds(), strings.Join(owners, "/"))
	if len(errs) > 0 {
		line += fmt.Sprintf("; %d failed: %s", len(errs), errs[0])
	}
	return line
}
