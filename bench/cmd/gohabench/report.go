package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// printScenario prints one scenario: per metric, each target's median and
// min–max over the rounds, and goproxy/haproxy.
func printScenario(w io.Writer, sr *ScenarioResult) {
	withB := hasB(sr)
	fmt.Fprintf(w, "\n== %s: %s\n", sr.Name, sr.Description)
	fmt.Fprintf(w, "   %-30s %-24s", "metric", tGoproxy)
	if withB {
		fmt.Fprintf(w, " %-24s %-7s", tGoproxyB, "b/g")
	}
	fmt.Fprintf(w, " %-24s %-7s %-24s %-24s\n", tHaproxy, "g/h", tNginx, tDirect)
	for _, m := range sr.Metrics {
		fmt.Fprintf(w, "   %-30s %-24s", m.Name+" ("+m.Unit+")", cell(m.Values[tGoproxy]))
		if withB {
			fmt.Fprintf(w, " %-24s %-7s", cell(m.Values[tGoproxyB]), ratioText(m.RatioB))
		}
		fmt.Fprintf(w, " %-24s %-7s %-24s %-24s\n", cell(m.Values[tHaproxy]), ratioText(m.Ratio), cell(m.Values[tNginx]), cell(m.Values[tDirect]))
	}
	for _, t := range issueTargets {
		if !t.paired || t.scenario != sr.Name {
			continue
		}
		for _, m := range sr.Metrics {
			if m.Name == t.metric && len(m.RoundRatios) > 0 {
				med, lo, hi := summarize(m.RoundRatios)
				fmt.Fprintf(w, "   %s, goproxy/haproxy paired by turn: median %.2f (%.2f–%.2f, %d pairs)\n", m.Name, med, lo, hi, len(m.RoundRatios))
			}
		}
	}
	for _, e := range sr.Errors {
		fmt.Fprintf(w, "   ! %s\n", e)
	}
}

func hasB(sr *ScenarioResult) bool {
	for _, m := range sr.Metrics {
		if m.Values[tGoproxyB] != nil {
			return true
		}
	}
	return false
}

func ratioText(r float64) string {
	if r == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", r)
}

// cell is "median (min–max)".
func cell(s *Series) string {
	if s == nil || len(s.Runs) == 0 {
		return "-"
	}
	return fmt.Sprintf("%s (%s–%s)", num(s.Median), num(s.Min), num(s.Max))
}

// num prints three significant figures or whole numbers.
func num(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// target is one of issue 7's goals, checked against a metric's ratio.
type target struct {
	name, scenario, metric string
	limit                  float64
	atLeast                bool // ratio >= limit, else ratio <= limit
	// paired: the median of the metric's paired ratios (RoundRatios),
	// not the ratio of the targets' medians.
	paired bool
}

var issueTargets = []target{
	{"HTTP keep-alive req/s", "keepalive", "req/s", 0.95, true, false},
	{"HTTP keep-alive req per proxy CPU-s", "keepalive", "req per proxy CPU-s", 1.0, true, false},
	{"p99 latency at half load", "latency", latencyTurnMetric, 1.2, false, true},
	{"new connection per request: req per proxy CPU-s", "close", "req per proxy CPU-s", 1.0, true, false},
	{"mode tcp MiB per proxy CPU-s", "tcp", "MiB per proxy CPU-s", 1.5, true, false},
	{"memory per idle client connection", "idle", "KiB per idle connection", 1.5, false, false},
	{"2,000 x 10: -c wall time", "bigconfig", "-c wall (best of 3)", 1.0, false, false},
	{"2,000 x 10: start-up", "bigconfig", "start-up", 1.0, false, false},
}

// microZeroAlloc are the benchmark families that must not allocate
// (issue 7: "zero allocations per request in the parse and pick
// benchmarks").
var microZeroAlloc = []struct{ name, pkg, prefix string }{
	{"parse: 0 allocs/op", "goha/proxy/http1", "BenchmarkParse"},
	{"pick: 0 allocs/op", "goha/proxy/balance", "BenchmarkPick"},
}

func evaluateTargets(rep *Report) []TargetStatus {
	var out []TargetStatus
	for _, t := range issueTargets {
		op := "≤"
		if t.atLeast {
			op = "≥"
		}
		st := TargetStatus{Target: t.name, Scenario: t.scenario, Metric: t.metric, Want: fmt.Sprintf("goproxy/haproxy %s %.2f", op, t.limit), Measured: "not measured in this run"}
		for _, sr := range rep.Scenarios {
			if sr.Name != t.scenario {
				continue
			}
			for _, m := range sr.Metrics {
				if m.Name != t.metric || m.Ratio == 0 {
					continue
				}
				st.Known, st.Ratio = true, m.Ratio
				st.Measured = fmt.Sprintf("%.2f (goproxy %s, haproxy %s %s)", m.Ratio, num(m.Values[tGoproxy].Median), num(m.Values[tHaproxy].Median), m.Unit)
				if t.paired {
					if len(m.RoundRatios) == 0 {
						continue
					}
					pr, _, _ := summarize(m.RoundRatios)
					st.Ratio = round3(pr)
					st.Measured = fmt.Sprintf("%.2f (median of %d paired ratios; goproxy's median %s, haproxy's %s %s)",
						st.Ratio, len(m.RoundRatios), num(m.Values[tGoproxy].Median), num(m.Values[tHaproxy].Median), m.Unit)
				}
				st.Met = t.atLeast && st.Ratio >= t.limit || !t.atLeast && st.Ratio <= t.limit
			}
		}
		out = append(out, st)
	}
	out = append(out, statsCostTarget(rep))
	for _, z := range microZeroAlloc {
		st := TargetStatus{Target: z.name, Scenario: "micro", Metric: z.prefix + "*", Want: "0 allocs/op in every sub-benchmark", Measured: "not measured in this run"}
		var worst []string
		n := 0
		for _, m := range rep.Micro {
			if m.Package != z.pkg || !strings.HasPrefix(m.Name, z.prefix) {
				continue
			}
			n++
			if m.AllocsPerOp > 0 {
				worst = append(worst, fmt.Sprintf("%s %.0f allocs/op", m.Name, m.AllocsPerOp))
			}
		}
		if n > 0 {
			st.Known, st.Met = true, len(worst) == 0
			st.Measured = fmt.Sprintf("%d benchmarks, %d allocate", n, len(worst))
			if len(worst) > 0 {
				st.Measured += ": " + strings.Join(worst, "; ")
			}
		}
		out = append(out, st)
	}
	return out
}

// statsCostTarget is issue 4's "no throughput lost with stats enabled":
// goproxy's requests per proxy CPU-second in the stats scenario (stats
// page on, its CSV scraped every 100 ms) against the same without stats:
// the median of each round's ratio to the run just before it, else (older
// results) against the keepalive scenario of the same run. 0.95 leaves
// room for the scrapes themselves (haproxy's own figure is printed beside
// it for comparison).
func statsCostTarget(rep *Report) TargetStatus {
	const limit = 0.95
	const metric = "req per proxy CPU-s"
	st := TargetStatus{Target: "stats enabled: req per proxy CPU-s vs keepalive", Scenario: "stats", Metric: metric,
		Want: fmt.Sprintf("goproxy stats/keepalive ≥ %.2f", limit), Measured: "not measured in this run"}
	medianOf := func(scenario, name, t string) float64 {
		for _, sr := range rep.Scenarios {
			if sr.Name != scenario {
				continue
			}
			for _, m := range sr.Metrics {
				if m.Name == name {
					if v, ok := m.Values[t]; ok {
						return v.Median
					}
				}
			}
		}
		return 0
	}
	median := func(scenario, t string) float64 { return medianOf(scenario, metric, t) }
	if pg := medianOf("stats", statsPairMetric, tGoproxy); pg > 0 {
		st.Known, st.Ratio = true, pg
		st.Met = st.Ratio >= limit
		st.Measured = fmt.Sprintf("%.2f (median of the rounds' on/off ratios; goproxy %s with stats, %s without", pg,
			num(median("stats", tGoproxy)), num(medianOf("stats", statsOffMetric, tGoproxy)))
		if ph := medianOf("stats", statsPairMetric, tHaproxy); ph > 0 {
			st.Measured += fmt.Sprintf("; haproxy %.2f", ph)
		}
		st.Measured += ")"
		return st
	}
	gs, gk := median("stats", tGoproxy), median("keepalive", tGoproxy)
	if gs == 0 || gk == 0 {
		return st
	}
	st.Known, st.Ratio = true, gs/gk
	st.Met = st.Ratio >= limit
	st.Measured = fmt.Sprintf("%.2f (goproxy %s with stats, %s without", st.Ratio, num(gs), num(gk))
	if hs, hk := median("stats", tHaproxy), median("keepalive", tHaproxy); hs > 0 && hk > 0 {
		st.Measured += fmt.Sprintf("; haproxy %.2f", hs/hk)
	}
	st.Measured += ")"
	return st
}

func printSummary(w io.Writer, rep *Report) {
	fmt.Fprintf(w, "\n== targets of issues 7 and 4 (ratios from this run)\n")
	for _, t := range rep.Targets {
		verdict := "NOT MET"
		switch {
		case !t.Known:
			verdict = "unknown"
		case t.Met:
			verdict = "met"
		}
		fmt.Fprintf(w, "   %-8s %-48s want %-24s measured %s\n", verdict, t.Target, t.Want, t.Measured)
	}
	if len(rep.Micro) > 0 {
		fmt.Fprintf(w, "\n== Go micro-benchmarks (-benchmem)\n")
		for _, m := range rep.Micro {
			fmt.Fprintf(w, "   %-22s %-52s %10.1f ns/op %8.0f B/op %5.0f allocs/op\n", strings.TrimPrefix(m.Package, "goha/"), m.Name, m.NsPerOp, m.BytesPerOp, m.AllocsPerOp)
		}
	}
	for _, p := range rep.Profiles {
		fmt.Fprintf(w, "\n== goproxy CPU profile under %s (%s)\n", p.Scenario, p.File)
		for _, l := range p.Top {
			fmt.Fprintf(w, "   %s\n", l)
		}
	}
}

// markdown renders the results as the tables docs/performance.md shows.
func markdown(rep *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run %s–%s on %s (%d CPUs, %s), load average %s at start, %s at end; %d rounds of %s per target.\n\n",
		rep.Meta.Started, rep.Meta.Finished, rep.Meta.Host, rep.Meta.CPUs, rep.Meta.CPUModel, rep.Meta.LoadStart, rep.Meta.LoadEnd, rep.Meta.Rounds, rep.Meta.Duration)
	fmt.Fprintf(&b, "goproxy at %s; %s; %s; %s.\n\n", rep.Meta.GoproxyBuild, rep.Meta.Versions["haproxy"], rep.Meta.Versions["nginx"], rep.Meta.Versions["go"])
	fmt.Fprintf(&b, "Each cell: median (min–max) over the rounds. g/h = goproxy median / haproxy median.\n\n")
	withB := false
	for _, sr := range rep.Scenarios {
		withB = withB || hasB(sr)
	}
	if withB {
		fmt.Fprintf(&b, "b/g = goproxy-b median / goproxy median (bench/compare.sh: goproxy-b is the work tree).\n\n")
		fmt.Fprintf(&b, "| scenario | metric | goproxy | goproxy-b | b/g | haproxy 2.6 | g/h | nginx | direct |\n|---|---|---|---|---|---|---|---|---|\n")
	} else {
		fmt.Fprintf(&b, "| scenario | metric | goproxy | haproxy 2.6 | g/h | nginx | direct |\n|---|---|---|---|---|---|---|\n")
	}
	for _, sr := range rep.Scenarios {
		for i, m := range sr.Metrics {
			name := ""
			if i == 0 {
				name = sr.Name
			}
			ratio := "–"
			if m.Ratio != 0 {
				ratio = fmt.Sprintf("**%.2f**", m.Ratio)
			}
			fmt.Fprintf(&b, "| %s | %s (%s) | %s |", name, m.Name, m.Unit, cell(m.Values[tGoproxy]))
			if withB {
				fmt.Fprintf(&b, " %s | %s |", cell(m.Values[tGoproxyB]), ratioText(m.RatioB))
			}
			fmt.Fprintf(&b, " %s | %s | %s | %s |\n", cell(m.Values[tHaproxy]), ratio, cell(m.Values[tNginx]), cell(m.Values[tDirect]))
		}
	}
	fmt.Fprintf(&b, "\n| issue 7 target | want | measured | status |\n|---|---|---|---|\n")
	for _, t := range rep.Targets {
		verdict := "**not met**"
		switch {
		case !t.Known:
			verdict = "not measured"
		case t.Met:
			verdict = "met"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.Target, t.Want, t.Measured, verdict)
	}
	if len(rep.Micro) > 0 {
		fmt.Fprintf(&b, "\nGo micro-benchmarks (bench/micro.sh, -benchmem):\n\n| package | benchmark | ns/op | B/op | allocs/op |\n|---|---|---|---|---|\n")
		for _, m := range rep.Micro {
			fmt.Fprintf(&b, "| %s | %s | %.1f | %.0f | %.0f |\n", strings.TrimPrefix(m.Package, "goha/"), strings.TrimPrefix(m.Name, "Benchmark"), m.NsPerOp, m.BytesPerOp, m.AllocsPerOp)
		}
	}
	var errs []string
	for _, sr := range rep.Scenarios {
		for _, e := range sr.Errors {
			errs = append(errs, sr.Name+": "+e)
		}
	}
	if len(errs) > 0 {
		fmt.Fprintf(&b, "\nErrors and warnings of the run:\n\n")
		for _, e := range errs {
			fmt.Fprintf(&b, "- %s\n", strings.ReplaceAll(e, "\n", " "))
		}
	}
	return b.String()
}
