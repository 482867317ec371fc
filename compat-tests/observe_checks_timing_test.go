package compattests

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Health-check timing beside haproxy 2.6 (issue 3: "inter, fastinter,
// downinter, rise, fall ... the initial state and every transition as
// haproxy 2.6 does them"; configuration.txt §4.2 "timeout check", §5.2
// "inter"). Both proxies run at the same time against the same loopback
// servers; figures are compared with tolerances of 100 ms or more.

const checkTimeoutsConfig = `global
  stats socket {DIR}/admin.sock level admin
defaults
  mode http
  timeout client 5s
  timeout server 5s
{TIMEOUTS}
backend b
  option httpchk
  server ok {OK} check inter {INTER}
  server late {LATE} check inter {INTER}
  server silent {SILENT} check inter {INTER}
  server unreachable {UNREACHABLE} check inter {INTER}
`

// TestCheckTimeouts: the status and duration of checks that pass, time
// out waiting for the response, or time out connecting, for the timeout
// settings that decide them: without "timeout check" inter bounds the
// whole check; with it the connect has min(inter, timeout connect) and
// the response "timeout check" more. The "Layer7 timeout" DOWN lines give
// the same reason and duration.
func TestCheckTimeouts(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	ok := startCheckSink(t, true, 200, 250*time.Millisecond)
	late := startCheckSink(t, true, 200, 400*time.Millisecond)
	silent := startCheckSink(t, true, 0, 0)
	unreachable := startUnreachable(t)
	cases := []struct{ name, timeouts, inter string }{
		{"inter bounds the check", "  timeout connect 100ms", "1s"},
		{"timeout check after the connect", "  timeout connect 100ms\n  timeout check 330ms", "1s"},
		{"inter 50ms without timeout check", "  timeout connect 5s", "50ms"},
		{"connect within inter, then timeout check", "  timeout connect 100ms\n  timeout check 2s", "50ms"},
	}
	type run struct {
		name string
		p    *checkProxy
	}
	var runs [][2]run
	for _, c := range cases {
		cfg := strings.NewReplacer("{TIMEOUTS}", c.timeouts, "{INTER}", c.inter, "{OK}", ok.addr(), "{LATE}", late.addr(),
			"{SILENT}", silent.addr(), "{UNREACHABLE}", unreachable).Replace(checkTimeoutsConfig)
		runs = append(runs, [2]run{
			{"haproxy", startCheckProxy(t, "haproxy", hapBin, cfg)},
			{"goproxy", startCheckProxy(t, "goproxy", gopBin, cfg)},
		})
	}
	servers := []string{"ok", "late", "silent", "unreachable"}
	firstChecksInProgress(t, runs[0][0].p, runs[0][1].p)
	// every server's first check is over within 2.6 s (the longest is the
	// silent one's 2 s, started within inter)
	time.Sleep(2800 * time.Millisecond)
	for i, c := range cases {
		got := map[string]map[string][3]string{}
		lines := map[string]map[string]stateLine{}
		for _, r := range runs[i] {
			var st csvStat
			var err error
			for try := 0; try < 50; try++ {
				if st, err = r.p.showStat(); err == nil && settled(st, servers) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil {
				t.Fatalf("%s, %s: %v", c.name, r.name, err)
			}
			got[r.name] = map[string][3]string{}
			for _, s := range servers {
				row := st.rows["b/"+s]
				got[r.name][s] = [3]string{strings.TrimPrefix(row["check_status"], "* "), row["check_duration"], row["status"]}
			}
			lines[r.name] = stateLines(r.p.stderr())
		}
		for _, s := range servers {
			h, g := got["haproxy"][s], got["goproxy"][s]
			t.Logf("%s: %s: haproxy %s %sms %s, goproxy %s %sms %s", c.name, s, h[0], h[1], h[2], g[0], g[1], g[2])
			hd, _ := strconv.Atoi(h[1])
			gd, _ := strconv.Atoi(g[1])
			if h[0] != g[0] || h[2] != g[2] || !near(millis(gd), millis(hd), 100*time.Millisecond) {
				t.Errorf("%s: server %s: goproxy %s after %sms (%s), haproxy %s after %sms (%s)", c.name, s, g[0], g[1], g[2], h[0], h[1], h[2])
			}
			hl, hok := lines["haproxy"]["b/"+s+" DOWN"]
			gl, gok := lines["goproxy"]["b/"+s+" DOWN"]
			if hok != gok || hl.reason != gl.reason || !near(millis(gl.duration), millis(hl.duration), 100*time.Millisecond) {
				t.Errorf("%s: server %s DOWN line: goproxy %v %+v, haproxy %v %+v", c.name, s, gok, gl, hok, hl)
			}
		}
	}
}

// firstChecksInProgress: with inter 1s the first checks of silent and
// unreachable (positions 2 and 3 of 4: started after 500 and 750 ms) run
// from 0.75 s to 1.5 s after the start: both servers show their check in
// progress ("* INI") and start-up health (rise: "UP 1/3").
func firstChecksInProgress(t *testing.T, hap, gop *checkProxy) {
	t.Helper()
	got := map[string]string{}
	for _, p := range []*checkProxy{hap, gop} {
		time.Sleep(time.Until(p.started.Add(950 * time.Millisecond)))
		st, err := p.showStat()
		if time.Since(p.started) > 1400*time.Millisecond {
			t.Logf("%s: sampled too late (%v after the start) to see first checks in progress", p.name, time.Since(p.started))
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		for _, s := range []string{"silent", "unreachable"} {
			row := st.rows["b/"+s]
			got[p.name] += fmt.Sprintf("%s: %s, %s, health %s\n", s, row["status"], row["check_status"], row["check_health"])
		}
	}
	t.Logf("first checks in progress, haproxy:\n%s", got["haproxy"])
	if got["haproxy"] != got["goproxy"] {
		t.Errorf("first checks in progress: goproxy\n%shaproxy\n%s", got["goproxy"], got["haproxy"])
	}
}

func millis(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// settled: every server has a check result (not the initial one).
func settled(st csvStat, servers []string) bool {
	for _, s := range servers {
		row := st.rows["b/"+s]
		if row == nil || strings.HasSuffix(row["check_status"], "INI") || row["check_duration"] == "" {
			return false
		}
	}
	return true
}

const checkScheduleConfig = `global
  stats socket {DIR}/admin.sock level admin
defaults
  mode http
  timeout connect 1s
  timeout check 1s
  timeout client 5s
  timeout server 5s
backend b
  option httpchk
  server s {SINK} check inter 400ms fastinter 150ms downinter 800ms rise 2 fall 3
`

// gapClass names the delay after a check by the server's health counter
// once that check is counted (src/server.c srv_getinter): inter when
// fully up, downinter when fully down, fastinter in between.
func gapClasses(hits []checkHit, rise, fall int) []string {
	h := rise // haproxy starts a checked server up, on the edge
	var out []string
	for _, hit := range hits {
		if hit.status >= 200 && hit.status < 400 {
			if h < rise+fall-1 {
				h++
				if h >= rise {
					h = rise + fall - 1
				}
			}
		} else if h > 0 {
			h--
			if h < rise {
				h = 0
			}
		}
		switch h {
		case rise + fall - 1:
			out = append(out, "inter")
		case 0:
			out = append(out, "downinter")
		default:
			out = append(out, "fastinter")
		}
	}
	return out
}

// scheduleRun is one proxy's checks through the scenario.
type scheduleRun struct {
	hits           []checkHit
	flipDown       time.Time // the server starts answering 503
	flipUp         time.Time // and 200 again
	downAt, upAt   time.Time // the DOWN and UP lines seen on stderr
	err            error
	downAfterFails int // failed checks the server received before DOWN showed
	upAfterPasses  int // passed checks after flipUp before UP showed
}

// playSchedule: the server passes for five checks, fails until two checks
// after the DOWN line, then passes until three checks after the UP line.
func playSchedule(p *checkProxy, sink *checkSink) scheduleRun {
	var r scheduleRun
	deadline := time.Now().Add(20 * time.Second)
	wait := func(what string, ok func() bool) bool {
		for !ok() {
			if time.Now().After(deadline) {
				r.err = fmt.Errorf("%s: %s never happened; stderr:\n%s", p.name, what, p.stderr())
				return false
			}
			time.Sleep(10 * time.Millisecond)
		}
		return true
	}
	hits := func() int { return len(sink.history()) }
	if !wait("five checks", func() bool { return hits() >= 5 }) {
		return r
	}
	r.flipDown = time.Now()
	sink.setCode(503)
	if !wait("DOWN", func() bool { return strings.Contains(p.stderr(), " is DOWN") }) {
		return r
	}
	r.downAt = time.Now()
	n := hits()
	if !wait("two checks after DOWN", func() bool { return hits() >= n+2 }) {
		return r
	}
	r.flipUp = time.Now()
	sink.setCode(200)
	if !wait("UP", func() bool { return strings.Contains(p.stderr(), " is UP") }) {
		return r
	}
	r.upAt = time.Now()
	n = hits()
	if !wait("three checks after UP", func() bool { return hits() >= n+3 }) {
		return r
	}
	r.hits = sink.history()
	for _, h := range r.hits {
		switch {
		case h.at.After(r.flipDown) && h.at.Before(r.downAt) && h.status == 503:
			r.downAfterFails++
		case h.at.After(r.flipUp) && h.at.Before(r.upAt) && h.status == 200:
			r.upAfterPasses++
		}
	}
	return r
}

// TestCheckSchedule: with inter 400ms fastinter 150ms downinter 800ms
// rise 2 fall 3, the delays between checks (median per health state),
// the number of failed checks before the DOWN line and of passed ones
// before the UP line, as haproxy 2.6 spaces and counts them.
func TestCheckSchedule(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	runs := map[string]scheduleRun{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, b := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		sink := startCheckSink(t, true, 200, 0)
		p := startCheckProxy(t, b.name, b.bin, strings.ReplaceAll(checkScheduleConfig, "{SINK}", sink.addr()))
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			r := playSchedule(p, sink)
			mu.Lock()
			runs[name] = r
			mu.Unlock()
		}(b.name)
	}
	wg.Wait()
	want := map[string]time.Duration{"inter": 400 * time.Millisecond, "fastinter": 150 * time.Millisecond, "downinter": 800 * time.Millisecond}
	medians := map[string]map[string]time.Duration{}
	for _, name := range []string{"haproxy", "goproxy"} {
		r := runs[name]
		if r.err != nil {
			t.Fatal(r.err)
		}
		classes := gapClasses(r.hits, 2, 3)
		gaps := map[string][]time.Duration{}
		for i := 0; i+1 < len(r.hits); i++ {
			gaps[classes[i]] = append(gaps[classes[i]], r.hits[i+1].at.Sub(r.hits[i].at))
		}
		medians[name] = map[string]time.Duration{}
		for class, w := range want {
			m := median(gaps[class])
			medians[name][class] = m
			t.Logf("%s: %s: %d gaps, median %v (configured %v)", name, class, len(gaps[class]), m.Round(time.Millisecond), w)
			// a timer fires late on a loaded machine, never early
			if m < w*8/10 || m > w+w/4+100*time.Millisecond {
				t.Errorf("%s: median delay after a check in state %s is %v, configured %v", name, class, m, w)
			}
		}
		t.Logf("%s: DOWN %v after the server failed (%d failed checks), UP %v after it passed again (%d passed checks)",
			name, r.downAt.Sub(r.flipDown).Round(time.Millisecond), r.downAfterFails,
			r.upAt.Sub(r.flipUp).Round(time.Millisecond), r.upAfterPasses)
		if r.downAfterFails != 3 || r.upAfterPasses != 2 {
			t.Errorf("%s: DOWN after %d failed checks (fall 3), UP after %d passed ones (rise 2)", name, r.downAfterFails, r.upAfterPasses)
		}
	}
	for class := range want {
		if h, g := medians["haproxy"][class], medians["goproxy"][class]; !near(g, h, 100*time.Millisecond) {
			t.Errorf("%s: goproxy's median delay %v, haproxy's %v", class, g, h)
		}
	}
}

const checkSpreadConfig = `global
  stats socket {DIR}/admin.sock level admin
{GLOBAL}
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
  option httpchk
backend x
  server a {A} check inter 600ms
  server b {B} check inter 600ms
  server c {C} check inter 600ms
{MORE}`

// TestCheckFirstSpread: the first checks of a process are spread over
// time (src/check.c start_check_task): the check at position p of n starts
// after p/n of the larger of the smallest interval of at least 1s and its
// own, at most "max-spread-checks". Three servers at inter 600ms start
// 200ms apart; with a fourth at inter 3s in another backend, 750ms apart;
// with max-spread-checks 1s, 250ms apart.
func TestCheckFirstSpread(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	variants := []struct {
		name, global, more string
		want               []time.Duration // offsets from the first server's first check
	}{
		{"three at 600ms", "", "", []time.Duration{0, 200 * time.Millisecond, 400 * time.Millisecond}},
		{"with one at 3s", "", "backend y\n  server d {D} check inter 3s\n",
			[]time.Duration{0, 750 * time.Millisecond, 1500 * time.Millisecond, 2250 * time.Millisecond}},
		{"max-spread-checks 1s", "  max-spread-checks 1s", "backend y\n  server d {D} check inter 3s\n",
			[]time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, 750 * time.Millisecond}},
	}
	type run struct {
		variant, name string
		sinks         []*checkSink
	}
	var runs []run
	for _, v := range variants {
		for _, b := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
			var sinks []*checkSink
			var pairs []string
			for i, k := range []string{"A", "B", "C", "D"}[:len(v.want)] {
				// HTTP checks: a plain TCP check's handshake may never
				// reach accept (haproxy closes before its delayed ACK)
				sinks = append(sinks, startCheckSink(t, true, 200, 0))
				pairs = append(pairs, "{"+k+"}", sinks[i].addr())
			}
			startCheckProxy(t, b.name, b.bin, strings.NewReplacer(pairs...).Replace(strings.NewReplacer("{MORE}", v.more, "{GLOBAL}", v.global).Replace(checkSpreadConfig)))
			runs = append(runs, run{v.name, b.name, sinks})
		}
	}
	time.Sleep(2700 * time.Millisecond)
	got := map[string][]time.Duration{}
	for _, r := range runs {
		var offs []time.Duration
		first := r.sinks[0].history()
		for _, s := range r.sinks {
			h := s.history()
			if len(h) == 0 || len(first) == 0 {
				t.Fatalf("%s, %s: a server was never checked", r.variant, r.name)
			}
			offs = append(offs, h[0].at.Sub(first[0].at))
		}
		got[r.variant+"/"+r.name] = offs
	}
	for _, v := range variants {
		for _, name := range []string{"haproxy", "goproxy"} {
			offs := got[v.name+"/"+name]
			t.Logf("%s: %s: first checks at %v", v.name, name, offs)
			for i, w := range v.want {
				if !near(offs[i], w, 150*time.Millisecond) {
					t.Errorf("%s: %s: server %d first checked %v after the first, want %v", v.name, name, i, offs[i], w)
				}
			}
		}
	}
}
