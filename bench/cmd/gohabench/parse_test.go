package main

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseStat(t *testing.T) {
	// A command name with spaces and parentheses, as proc(5) allows.
	line := "4242 (my (odd) prog) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 6 0 1000 0 0\n"
	st, err := parseStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if st.ppid != 17 || st.cpuSeconds != 3.25 {
		t.Errorf("got ppid %d cpu %v, want 17 and 3.25 s", st.ppid, st.cpuSeconds)
	}
	if _, err := parseStat("garbage"); err == nil {
		t.Error("a line without the command name parsed")
	}
}

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tgoproxy\nVmPeak:\t  9000 kB\nVmRSS:\t   12345 kB\nRssAnon:\t 100 kB\n"
	if got := parseVmRSS(status); got != 12345 {
		t.Errorf("VmRSS = %d, want 12345", got)
	}
}

func TestParseWrk(t *testing.T) {
	out := "Running 1s test @ http://127.0.0.1:1/small\n  1 threads and 64 connections\nRequests/sec: 100\n" +
		`GOHABENCH {"requests":2000,"duration_us":2000000,"bytes":1,"connect":0,"read":3,"write":0,"status":5,"timeout":0,"p50_us":100,"p99_us":900}` + "\n"
	r, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.rps() != 1000 {
		t.Errorf("rps = %v, want 1000", r.rps())
	}
	if p := r.problems(); p != "3 read errors, 5 non-2xx/3xx errors" {
		t.Errorf("problems = %q", p)
	}
	if _, err := parseWrk("no summary"); err == nil {
		t.Error("output without the summary line parsed")
	}
}

func TestParseMicro(t *testing.T) {
	in := "goos: linux\npkg: goha/proxy/http1\n" +
		"BenchmarkParseRequest/browser12-2   \t  302712\t       932.1 ns/op\t 567.54 MB/s\t       0 B/op\t       0 allocs/op\n" +
		"PASS\npkg: goha/proxy/balance\nBenchmarkPick/random-2 \t 551726\t 191.2 ns/op\t 1 B/op\t 0 allocs/op\n"
	got := parseMicro(bufio.NewScanner(strings.NewReader(in)))
	if len(got) != 2 {
		t.Fatalf("got %d results, want 2: %+v", len(got), got)
	}
	if g := got[0]; g.Package != "goha/proxy/http1" || g.Name != "BenchmarkParseRequest/browser12" || g.NsPerOp != 932.1 || g.MBPerSec != 567.54 {
		t.Errorf("first = %+v", g)
	}
	if g := got[1]; g.Package != "goha/proxy/balance" || g.Name != "BenchmarkPick/random" || g.BytesPerOp != 1 {
		t.Errorf("second = %+v", g)
	}
}

func TestReadStraceTable(t *testing.T) {
	table := `% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 68.35    0.327393           9     33437           sendto
 22.42    0.107366           3     33565        65 recvfrom
------ ----------- ----------- --------- --------- ----------------
100.00    0.478967           6     71048       130 total
`
	path := filepath.Join(t.TempDir(), "strace.txt")
	if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := readStraceTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if m["sendto"] != 33437 || m["recvfrom"] != 33565 || m["recvfrom.errors"] != 65 || m["total"] != 71048 {
		t.Errorf("table = %v", m)
	}
}

func TestLoopbackConfig(t *testing.T) {
	in := "global\n    maxconn 100000\nfrontend fe_main\n    bind 127.0.0.1:18999\nbackend be_0\n" +
		"    server s0 10.0.0.1:80 cookie s0 check inter 2s rise 2 fall 3 weight 1 maxconn 1000\n"
	got := string(loopbackConfig([]byte(in), 4321))
	for _, want := range []string{"    bind 127.0.0.1:4321\n", "    server s0 127.0.0.1:9 cookie", "    maxconn 9000\n    no strict-limits\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("rewritten config lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "10.0.0.1") {
		t.Errorf("a server is left outside loopback:\n%s", got)
	}
}

func TestSummaryAndRatio(t *testing.T) {
	sr := &ScenarioResult{}
	m := sr.metric("req/s", "req/s", "higher")
	for _, v := range []float64{10, 30, 20} {
		m.add(tGoproxy, v)
	}
	for _, v := range []float64{20, 20, 40, 10} {
		m.add(tHaproxy, v)
	}
	sr.finish()
	g, h := m.Values[tGoproxy], m.Values[tHaproxy]
	if g.Median != 20 || g.Min != 10 || g.Max != 30 || h.Median != 20 {
		t.Errorf("goproxy %+v haproxy %+v", g, h)
	}
	if m.Ratio != 1 || len(m.RoundRatios) != 3 || m.RoundRatios[0] != 0.5 {
		t.Errorf("ratio %v rounds %v", m.Ratio, m.RoundRatios)
	}
	if p := percentile([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99); p != 10 {
		t.Errorf("p99 = %v", p)
	}
}

func TestStatsCostTargetPairsRounds(t *testing.T) {
	sr := &ScenarioResult{Name: "stats"}
	// Rounds where the machine drifted: each with-stats run is near its
	// own without-stats run, far from the other rounds'.
	for _, r := range [][2]float64{{50000, 49500}, {60000, 59000}, {40000, 41000}} {
		sr.metric(statsOffMetric, "", "").add(tGoproxy, r[0])
		sr.metric("req per proxy CPU-s", "", "").add(tGoproxy, r[1])
		sr.metric(statsPairMetric, "", "").add(tGoproxy, r[1]/r[0])
	}
	sr.finish()
	ka := &ScenarioResult{Name: "keepalive"}
	ka.metric("req per proxy CPU-s", "", "").add(tGoproxy, 60000)
	ka.finish()
	st := statsCostTarget(&Report{Scenarios: []*ScenarioResult{ka, sr}})
	if !st.Known || !st.Met || st.Ratio < 0.98 || st.Ratio > 1.0 {
		t.Errorf("paired: %+v; want the median round ratio 0.99, met", st)
	}
	// Without the paired metric (older results): against keepalive.
	old := &ScenarioResult{Name: "stats"}
	old.metric("req per proxy CPU-s", "", "").add(tGoproxy, 49500)
	old.finish()
	st = statsCostTarget(&Report{Scenarios: []*ScenarioResult{ka, old}})
	if !st.Known || st.Met || st.Ratio != 49500.0/60000 {
		t.Errorf("unpaired: %+v; want 0.825, not met", st)
	}
}

func TestLatencyTargetPairsTurns(t *testing.T) {
	sr := &ScenarioResult{Name: "latency"}
	// Turns alike but for two stalls, one in each target's slices: each
	// spoils one pair.
	turns := [][2]float64{{500, 500}, {600, 600}, {9000, 400}, {700, 700}, {800, 800}, {400, 9000}, {300, 300}}
	for _, p := range turns {
		sr.metric(latencyTurnMetric, "µs", "lower").add(tGoproxy, p[0])
		sr.metric(latencyTurnMetric, "µs", "lower").add(tHaproxy, p[1])
	}
	sr.finish()
	var st TargetStatus
	for _, s := range evaluateTargets(&Report{Scenarios: []*ScenarioResult{sr}}) {
		if s.Scenario == "latency" {
			st = s
		}
	}
	if !st.Known || !st.Met || st.Ratio != 1 {
		t.Errorf("%+v; want the median paired ratio 1.00, met", st)
	}
	// One turn in three twice as slow: the target sees it.
	sr = &ScenarioResult{Name: "latency"}
	for i := range 9 {
		g := 500.0
		if i%3 != 0 {
			g = 1000
		}
		sr.metric(latencyTurnMetric, "µs", "lower").add(tGoproxy, g)
		sr.metric(latencyTurnMetric, "µs", "lower").add(tHaproxy, 500)
	}
	sr.finish()
	for _, s := range evaluateTargets(&Report{Scenarios: []*ScenarioResult{sr}}) {
		if s.Scenario == "latency" && (s.Met || s.Ratio != 2) {
			t.Errorf("%+v; want 2.00, not met", s)
		}
	}
}

func TestRoundOrderAlternates(t *testing.T) {
	ts := []string{tGoproxy, tHaproxy, tNginx}
	if got := roundOrder(ts, 1); !slices.Equal(got, ts) {
		t.Errorf("round 1: %v", got)
	}
	if got := roundOrder(ts, 2); !slices.Equal(got, []string{tNginx, tHaproxy, tGoproxy}) {
		t.Errorf("round 2: %v", got)
	}
	if !slices.Equal(ts, []string{tGoproxy, tHaproxy, tNginx}) {
		t.Errorf("roundOrder changed its argument: %v", ts)
	}
}
