package main

import (
	"fmt"
	"slices"
	"time"
)

// scenario is one row group of the report. run measures one target once;
// every round runs the targets in order, so goproxy and haproxy alternate.
type scenario struct {
	name    string
	desc    string
	targets []string
	run     func(h *harness, sr *ScenarioResult, t string) error
	// round, when set, measures every target of a round together
	// (interleaved) instead of run measuring them one after the other.
	round func(h *harness, sr *ScenarioResult, targets []string) error
}

var allTargets = []string{tGoproxy, tHaproxy, tNginx, tDirect}

func scenarios() []*scenario {
	return []*scenario{
		{
			name:    "keepalive",
			desc:    "HTTP/1.1 keep-alive, 64 connections, GET /small (34-byte body), wrk -t1 -c64",
			targets: allTargets,
			run: func(h *harness, sr *ScenarioResult, t string) error {
				return h.wrkScenario(sr, t, shapePlain, h.be.httpPort, wrkLoad{path: "/small", conns: 64}, len(smallBody), false)
			},
		},
		{
			name:    "stats",
			desc:    "keepalive with the stats page enabled in the frontend and its CSV scraped every 100 ms during the run (issue 4: counting must cost no throughput), beside the same target without stats in the same round (off, on, on, off; the next round on, off, off, on)",
			targets: []string{tGoproxy, tHaproxy},
			run:     (*harness).statsScenario,
		},
		{
			name:    "close",
			desc:    "a new client connection per request: wrk -t1 -c64 with \"Connection: close\"; server side kept alive (http-reuse safe)",
			targets: allTargets,
			run: func(h *harness, sr *ScenarioResult, t string) error {
				l := wrkLoad{path: "/small", conns: 64, headers: [][2]string{{"Connection", "close"}}}
				return h.wrkScenario(sr, t, shapePlain, h.be.httpPort, l, len(smallBody), false)
			},
		},
		{
			name:    "large",
			desc:    "1 MiB responses (nginx sendfile), keep-alive, wrk -t1 -c16",
			targets: allTargets,
			run: func(h *harness, sr *ScenarioResult, t string) error {
				return h.wrkScenario(sr, t, shapePlain, h.be.httpPort, wrkLoad{path: "/1m.bin", conns: 16}, mib, true)
			},
		},
		{
			name:    "headers30",
			desc:    "30 request headers through the tutorial's frontend (acl html url_reg -i \\.html$, use_backend, roundrobin over 2 checked servers), GET /index.html, wrk -t1 -c64",
			targets: allTargets,
			run: func(h *harness, sr *ScenarioResult, t string) error {
				l := wrkLoad{path: "/index.html", conns: 64, headers: headers29}
				return h.wrkScenario(sr, t, shapeTutorial, h.be.httpPort, l, len(smallBody), false)
			},
		},
		{
			name:    "tcp",
			desc:    "mode tcp bulk transfer: 4 connections read an endless stream from a Go source through the proxy (no nginx anchor: Debian's nginx has no stream module installed)",
			targets: []string{tGoproxy, tHaproxy, tDirect},
			run:     (*harness).tcpScenario,
		},
		{
			name:    "latency",
			desc:    "open-loop fixed rate (half of haproxy's keep-alive saturation rate in this run), 64 keep-alive connections, latency from each request's due time to the kernel's receive time of its response; the targets take turns in 250-ms slices within each round",
			targets: allTargets,
			round:   (*harness).latencyRound,
		},
		{
			name:    "idle",
			desc:    "10,000 idle keep-alive client connections (one request each, then silent); backend closes its side; RSS from /proc/PID/status VmRSS",
			targets: []string{tGoproxy, tHaproxy, tNginx},
			run:     (*harness).idleScenario,
		},
		{
			name:    "bigconfig",
			desc:    "2,000 backends x 10 servers (compat-tests/cmd/gencfg): -c wall time and peak RSS; start-up until the frontend accepts, and RSS then (servers moved to unused loopback addresses, checks on)",
			targets: []string{tGoproxy, tHaproxy},
			run:     (*harness).bigConfigScenario,
		},
	}
}

// headers29 plus the Host header wrk adds make the 30 headers of issue 7's
// acl scenario: what a browser behind a CDN sends.
var headers29 = [][2]string{
	{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"},
	{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
	{"Accept-Language", "en-US,en;q=0.5"},
	{"Accept-Encoding", "gzip, deflate, br"},
	{"Referer", "https://www.example.com/catalog/index.html"},
	{"Cookie", "session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; consent=yes"},
	{"Cache-Control", "max-age=0"},
	{"Pragma", "no-cache"},
	{"Upgrade-Insecure-Requests", "1"},
	{"DNT", "1"},
	{"Sec-Fetch-Dest", "document"},
	{"Sec-Fetch-Mode", "navigate"},
	{"Sec-Fetch-Site", "same-origin"},
	{"Sec-Fetch-User", "?1"},
	{"Sec-CH-UA", `"Chromium";v="120", "Not?A_Brand";v="24"`},
	{"Sec-CH-UA-Mobile", "?0"},
	{"Sec-CH-UA-Platform", `"Linux"`},
	{"If-None-Match", `"5d8c72a5edda8"`},
	{"If-Modified-Since", "Tue, 24 Nov 2026 10:00:00 GMT"},
	{"X-Forwarded-For", "203.0.113.7, 198.51.100.23"},
	{"X-Forwarded-Proto", "https"},
	{"X-Real-IP", "203.0.113.7"},
	{"X-Request-ID", "3f1c9a2e-6b1d-4c55-9a57-0c1e2f3a4b5c"},
	{"X-Correlation-ID", "corr-0000000000000042"},
	{"Origin", "https://www.example.com"},
	{"Via", "1.1 cdn-edge-17"},
	{"X-Client-Version", "web-4.18.2"},
	{"Priority", "u=0, i"},
	{"TE", "trailers"},
}

// wrkScenario is one wrk run against target t: start it, check it answers
// correctly, warm up for a second, then measure req/s and the target's own
// CPU time over the run. bulk adds MiB figures.
func (h *harness) wrkScenario(sr *ScenarioResult, t string, shape proxyShape, backend int, l wrkLoad, want int, bulk bool) error {
	r, err := h.startTarget(t, shape, backend, true)
	if err != nil {
		return err
	}
	defer r.stop()
	if shape == shapeTutorial && r.proc != nil {
		// The first health checks run at start-up; let them pass so
		// that no request meets a server still being checked.
		time.Sleep(300 * time.Millisecond)
	}
	if err := fetchOnce(r.addr, l.path, want); err != nil {
		return fmt.Errorf("%s does not answer correctly: %v", t, err)
	}
	if _, err := h.runWrk(r.addr, l, time.Second); err != nil {
		return err
	}
	c0 := r.cpu()
	stopScrape := func() (int, error) { return 0, nil }
	if l.scrape != "" {
		stopScrape = scrapeEvery(r.addr, l.scrape, 100*time.Millisecond)
	}
	res, err := h.runWrk(r.addr, l, h.duration)
	scrapes, serr := stopScrape()
	c1 := r.cpu()
	if err != nil {
		return err
	}
	if p := res.problems(); p != "" {
		sr.Errors = append(sr.Errors, fmt.Sprintf("%s: %s in %d requests", t, p, res.Requests))
	}
	if serr != nil {
		sr.Errors = append(sr.Errors, fmt.Sprintf("%s: stats scrape failed after %d scrapes: %v", t, scrapes, serr))
	}
	rps := res.rps()
	cpu := c1 - c0
	if bulk {
		mibs := float64(res.Requests) * float64(want) / mib / res.seconds()
		sr.metric("MiB/s", "MiB/s", "higher").add(t, mibs)
		if r.proc != nil && cpu > 0 {
			sr.metric("MiB per proxy CPU-s", "MiB/CPU-s", "higher").add(t, float64(res.Requests)*float64(want)/mib/cpu)
		}
	} else {
		sr.metric("req/s", "req/s", "higher").add(t, rps)
		if r.proc != nil && cpu > 0 {
			sr.metric("req per proxy CPU-s", "req/CPU-s", "higher").add(t, float64(res.Requests)/cpu)
		}
	}
	if r.proc != nil {
		sr.metric("proxy CPU use", "% of a core", "info").add(t, 100*cpu/res.seconds())
	}
	h.progress("%-9s %-7s %9.0f req/s  proxy CPU %5.1f s  %s", sr.Name, t, rps, cpu, res.problems())
	return nil
}

// statsScenario measures t with the stats page on and scraped, beside t
// without it in the same round: the keepalive scenario of the same run is minutes
// away, and the machine's noise between the two (±10 % in req per
// CPU-second) was as large as the cost the comparison looks for.
//
// Each round runs them off, on, on, off (on, off, off, on in the next
// round) and compares the mean of the two on runs with the mean of the
// two off runs: in the first runs of this pairing, both proxies' second
// run came out 7–9 % below their first (goproxy 0.93, haproxy 0.91),
// while with stats on and no scrape goproxy's CPU per request was the
// same as without (alternating 2-s runs). One run of each per round, the
// order swapped every round, left each round's ratio to one order, and
// the rounds' spread stayed wide (goproxy 0.80–1.15 in five rounds, where
// 10 paired runs right after put the cost at 1.03); in a-b-b-a each
// round's ratio has both orders, a steady drift of the machine cancels
// too, and each side is the mean of two runs.
func (h *harness) statsScenario(sr *ScenarioResult, t string) error {
	plain := &ScenarioResult{Name: sr.Name + "/off"}
	off := func() error {
		return h.wrkScenario(plain, t, shapePlain, h.be.httpPort, wrkLoad{path: "/small", conns: 64}, len(smallBody), false)
	}
	on := func() error {
		l := wrkLoad{path: "/small", conns: 64, scrape: statsURI + ";csv"}
		return h.wrkScenario(sr, t, shapeStats, h.be.httpPort, l, len(smallBody), false)
	}
	order := []func() error{off, on, on, off}
	if sr.runs(statsPairMetric, t)%2 == 1 {
		order = []func() error{on, off, off, on}
	}
	for _, run := range order {
		if err := run(); err != nil {
			return err
		}
	}
	const metric = "req per proxy CPU-s"
	offRuns, onRuns := plain.metric(metric, "", "").Values[t], sr.metric(metric, "", "").Values[t]
	if offRuns == nil || onRuns == nil || len(offRuns.Runs) < 2 || len(onRuns.Runs) < 2 {
		return nil // no CPU figure (not a proxy)
	}
	last2 := func(r []float64) float64 { return (r[len(r)-1] + r[len(r)-2]) / 2 }
	without, with := last2(offRuns.Runs), last2(onRuns.Runs)
	sr.metric(statsOffMetric, "req/CPU-s", "higher").add(t, without)
	sr.metric(statsPairMetric, "ratio", "higher").add(t, with/without)
	return nil
}

// The stats scenario's same-round comparison (statsCostTarget).
const (
	statsOffMetric  = "req per proxy CPU-s, stats off (same round)"
	statsPairMetric = "stats on / off (same round)"
)

func (h *harness) tcpScenario(sr *ScenarioResult, t string) error {
	r, err := h.startTarget(t, shapeTCP, h.be.tcpSource.port, true)
	if err != nil {
		return err
	}
	defer r.stop()
	if _, err := bulkRead(r.addr, 4, time.Second); err != nil {
		return err
	}
	c0 := r.cpu()
	n, err := bulkRead(r.addr, 4, h.duration)
	c1 := r.cpu()
	if err != nil {
		return err
	}
	total := float64(n) / mib
	sr.metric("MiB/s", "MiB/s", "higher").add(t, total/h.duration.Seconds())
	cpu := c1 - c0
	if r.proc != nil && cpu > 0 {
		sr.metric("MiB per proxy CPU-s", "MiB/CPU-s", "higher").add(t, total/cpu)
		sr.metric("proxy CPU use", "% of a core", "info").add(t, 100*cpu/h.duration.Seconds())
	}
	h.progress("%-9s %-7s %9.0f MiB/s  proxy CPU %5.1f s", sr.Name, t, total/h.duration.Seconds(), cpu)
	return nil
}

// The machine's stalls decide latency's tail: kernel threads (kdamond,
// kcompactd, kworkers) were seen taking the proxy's CPU for 20–40 ms at
// a time, and the host's own noise comes and goes over minutes. Measured
// one after the other, a target's p99 at half load varied 2–60 ms between
// rounds of the same binary. Within a round the targets take turns in
// latencySlice slices, so that each one meets the same stretch of the
// machine's weather; each slice starts with latencySkip not counted,
// while the connections of a target that waited wake up again.
//
// That evens out the weather that lasts; what is left are episodes of
// 20–180 ms in which the whole VM runs slow (every process's CPU time
// per request rises, every connection's requests queue at once, the
// direct-to-nginx target's too, while a SCHED_FIFO thread on each CPU
// still wakes within 3 ms of its 1-ms timer: the CPUs are not taken
// away, they run slower). Such an episode decides the p99 of the slice it
// lands in. So each slice has its own p99 ("p99 per turn"), the targets'
// slices of one turn are paired, and issue 7's latency target is the
// median of those paired ratios: an episode spoils a pair, not the
// figure (docs/performance.md, points 11 and 15). That holds only while
// most slices miss the episodes: with 1-s slices, on a day with about
// one episode a second, 50–70 % of slices caught one and the paired
// median was a draw between episodes (0.62 in a run whose 250-ms
// sub-slices read 0.97, bootstrap 0.95–0.98). A 250-ms slice still holds
// thousands of requests (its p99 is the 75th-slowest of 7,500 at 30k
// req/s) and misses the episodes four times in five. The scenario
// measures latencyTurnsPerRound turns per duration/latencySlice: twice
// the measured time of the other scenarios, 40 pairs per 5-s round.
const (
	latencySlice         = 250 * time.Millisecond
	latencySkip          = 100 * time.Millisecond
	latencyConns         = 64
	latencyTurnsPerRound = 2 // × duration/latencySlice
	// latencyTurnMetric is the p99 of each slice: one value per turn.
	latencyTurnMetric = "p99 per turn"
	// episodeP99 (µs) marks a turn that caught an episode: quiet turns'
	// p99 is 0.2–0.6 ms at half load, an episode's 5–70 ms.
	episodeP99 = 2000
)

// latencyTarget is one target's share of a latency round.
type latencyTarget struct {
	t     string
	r     *running
	c     *olClient
	lat   []int64
	turns []int // end of each measured turn's latencies in lat
	res   olSlice
	cpu   float64
	dead  error
}

// latencyRound measures every target at the same fixed rate, in turns of
// latencySlice until each has had latencyTurnsPerRound × h.duration
// measured.
func (h *harness) latencyRound(sr *ScenarioResult, targets []string) error {
	rate, err := h.halfRate()
	if err != nil {
		return err
	}
	var ls []*latencyTarget
	defer func() {
		for _, x := range ls {
			if x.c != nil {
				x.c.close()
			}
			x.r.stop()
		}
	}()
	for _, t := range targets {
		x := &latencyTarget{t: t}
		ls = append(ls, x)
		if x.r, x.dead = h.startTarget(t, shapePlain, h.be.httpPort, true); x.dead != nil {
			continue
		}
		if x.c, x.dead = dialOpenLoop(x.r.addr, latencyConns); x.dead != nil {
			continue
		}
		// A second at the rate, not measured: pools, buffers, caches.
		_, x.dead = x.c.run(rate, time.Second, 0, &x.lat)
	}
	turns := latencyTurnsPerRound * max(1, int(h.duration/latencySlice))
	for turn := 1; turn <= turns; turn++ {
		// Every other turn in the opposite order, as rounds are: what one
		// target leaves behind on the proxy CPU, the next one's slice
		// meets.
		for _, x := range roundOrder(ls, turn) {
			if x.dead != nil {
				continue
			}
			c0 := x.r.cpu()
			got, err := x.c.run(rate, latencySkip, latencySlice, &x.lat)
			x.cpu += x.r.cpu() - c0
			x.res.inWin += got.inWin
			x.res.errors += got.errors
			x.turns = append(x.turns, len(x.lat))
			x.dead = err
		}
	}
	measured := time.Duration(turns) * latencySlice
	// Turns pair up by their place in the run: all targets or none.
	paired := true
	for _, x := range ls {
		paired = paired && x.dead == nil
	}
	for _, x := range ls {
		if x.dead != nil {
			sr.Errors = append(sr.Errors, fmt.Sprintf("%s: %v", x.t, x.dead))
			h.progress("%-9s %-7s FAILED: %v", sr.Name, x.t, x.dead)
			continue
		}
		if len(x.lat) == 0 {
			sr.Errors = append(sr.Errors, fmt.Sprintf("%s: no responses", x.t))
			continue
		}
		// Each turn's own p99, before latencyPercentiles sorts the whole.
		var turnP99 []float64
		if paired {
			from := 0
			for _, to := range x.turns {
				turn := slices.Clone(x.lat[from:to])
				slices.Sort(turn)
				turnP99 = append(turnP99, float64(percentile(turn, 99))/1e3)
				from = to
			}
		}
		res := latencyResult{Rate: rate, Achieved: float64(x.res.inWin) / measured.Seconds(), Errors: x.res.errors}
		latencyPercentiles(&res, x.lat)
		if res.Errors > 0 {
			sr.Errors = append(sr.Errors, fmt.Sprintf("%s: %d responses not 200", x.t, res.Errors))
		}
		t := x.t
		sr.metric("rate asked", "req/s", "info").add(t, res.Rate)
		sr.metric("rate achieved", "req/s", "higher").add(t, res.Achieved)
		sr.metric("p50", "µs", "lower").add(t, res.P50)
		sr.metric("p90", "µs", "lower").add(t, res.P90)
		sr.metric("p99", "µs", "lower").add(t, res.P99)
		sr.metric("p99.9", "µs", "lower").add(t, res.P999)
		slow := 0
		for _, v := range turnP99 {
			sr.metric(latencyTurnMetric, "µs", "lower").add(t, v)
			if v > episodeP99 {
				slow++
			}
		}
		if len(turnP99) > 0 {
			// Which target the episodes hit: the paired median is
			// hardly moved by them, this shows whether one meets more.
			sr.metric(fmt.Sprintf("turns with p99 over %d ms", episodeP99/1000), "%", "info").add(t, 100*float64(slow)/float64(len(turnP99)))
		}
		if x.r.proc != nil {
			sr.metric("proxy CPU use", "% of a core", "info").add(t, 100*x.cpu/(time.Duration(turns)*(latencySkip+latencySlice)).Seconds())
		}
		h.progress("%-9s %-7s rate %6.0f/%6.0f  p50 %6.0f µs  p99 %7.0f µs  p99.9 %7.0f µs", sr.Name, t, res.Achieved, res.Rate, res.P50, res.P99, res.P999)
	}
	return nil
}

// idleConns is issue 7's idle crowd.
const idleConns = 10000

func (h *harness) idleScenario(sr *ScenarioResult, t string) error {
	r, err := h.startTarget(t, shapePlain, h.be.closePort, false)
	if err != nil {
		return err
	}
	defer r.stop()
	// A few requests first, so that buffers and pools a first request
	// creates are in the "before" figure, not counted per connection.
	if _, err := h.runWrk(r.addr, wrkLoad{path: "/small", conns: 8}, time.Second); err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond)
	before := r.rss()
	conns, failed := idleClients(r.addr, idleConns)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	time.Sleep(time.Second)
	after := r.rss()
	alive := stillOpen(conns)
	if failed > 0 || alive < len(conns) {
		sr.Errors = append(sr.Errors, fmt.Sprintf("%s: %d of %d connections failed, %d closed by the proxy", t, failed, idleConns, len(conns)-alive))
	}
	if alive == 0 {
		return fmt.Errorf("no idle connection stayed open")
	}
	perConn := float64(after-before) / float64(alive)
	sr.metric("KiB per idle connection", "KiB", "lower").add(t, perConn)
	sr.metric("RSS before", "MiB", "lower").add(t, float64(before)/1024)
	sr.metric("RSS with the idle connections", "MiB", "lower").add(t, float64(after)/1024)
	sr.metric("connections open", "count", "info").add(t, float64(alive))
	h.progress("%-9s %-7s %6.2f KiB/conn  RSS %6.1f -> %6.1f MiB  open %d", sr.Name, t, perConn, float64(before)/1024, float64(after)/1024, alive)
	return nil
}
