// Command gohabench is "make bench": goproxy beside haproxy 2.6 on
// loopback, with nginx as a second anchor and a direct-to-backend run as
// the ceiling (issue 7). docs/performance.md explains the method.
//
// Run it through bench/run.sh, which builds the binaries, runs the Go
// micro-benchmarks and pins this program to the load generator's CPU:
//
//	taskset -c 0 gohabench -goproxy bin/goproxy -gencfg bin/gencfg
//
// Every proxy runs on the other CPU (taskset -c 1), haproxy with
// nbthread 1 and goproxy with GOMAXPROCS=1. Each scenario runs its
// targets in turn, round after round (goproxy, haproxy, nginx, direct,
// goproxy, haproxy, ...), each from a fresh start.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

type harness struct {
	goproxy, haproxy, nginx, wrk, gencfg string
	loadCPU, proxyCPU                    string
	duration                             time.Duration
	rounds                               int
	goproxyEnv                           []string // extra environment (the profiling run)
	goproxyB                             string   // optional second goproxy (-goproxy-b)
	goproxyRev                           string   // revision goproxy was built from, if not the work tree
	tmp                                  string

	be      *backends
	big     *bigConfigs
	starts  int
	scripts int
	// rate is half of haproxy's keep-alive saturation rate, once known.
	rate    float64
	results map[string]*ScenarioResult
	targets map[string]bool // only these (empty: all)
}

// roundTargets is the scenario's targets in run order, with goproxy-b
// right after goproxy when it is given.
func (h *harness) roundTargets(sc *scenario) []string {
	var out []string
	for _, t := range sc.targets {
		out = append(out, t)
		if t == tGoproxy && h.goproxyB != "" {
			out = append(out, tGoproxyB)
		}
	}
	return out
}

// roundOrder is the order of the runs of round (or turn) i, counted
// from 1: xs as given, reversed every other one. Run in the same order
// every round, goproxy went first each time, and with the same build as
// the first two targets (bench/compare.sh, 12 rounds) the first read
// 0.96–0.99 × the second in CPU per request (docs/performance.md, point
// 11): whatever the first run of a round meets, every target meets as
// often.
func roundOrder[T any](xs []T, i int) []T {
	if i%2 == 1 {
		return xs
	}
	r := slices.Clone(xs)
	slices.Reverse(r)
	return r
}

// splitSet reads a comma-separated list.
func splitSet(list string) map[string]bool {
	set := map[string]bool{}
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			set[s] = true
		}
	}
	return set
}

func main() {
	h := &harness{results: map[string]*ScenarioResult{}}
	flag.StringVar(&h.goproxy, "goproxy", "bin/goproxy", "goproxy binary")
	flag.StringVar(&h.goproxyRev, "goproxy-rev", "", "the git revision goproxy was built from (default: the work tree)")
	flag.StringVar(&h.goproxyB, "goproxy-b", "", "a second goproxy binary, run after goproxy in every round (an engine change beside the unchanged engine)")
	flag.StringVar(&h.haproxy, "haproxy", "/usr/sbin/haproxy", "haproxy 2.6 binary")
	flag.StringVar(&h.nginx, "nginx", "/usr/sbin/nginx", "nginx binary (backend and anchor)")
	flag.StringVar(&h.wrk, "wrk", "/usr/bin/wrk", "wrk binary")
	flag.StringVar(&h.gencfg, "gencfg", "bin/gencfg", "compat-tests/cmd/gencfg binary")
	flag.StringVar(&h.loadCPU, "load-cpu", "0", "CPU of the load generators and backends")
	flag.StringVar(&h.proxyCPU, "proxy-cpu", "1", "CPU of the proxy under test")
	flag.DurationVar(&h.duration, "duration", 5*time.Second, "measured time of each run (BENCH_DURATION)")
	flag.IntVar(&h.rounds, "rounds", 3, "rounds per scenario (each target once per round)")
	only := flag.String("only", "", "comma-separated scenarios to run (default: all)")
	targets := flag.String("targets", "", "comma-separated targets to run (default: all of each scenario)")
	out := flag.String("out", "bench/results/latest.json", "machine-readable results")
	micro := flag.String("micro", "", "go test -bench output to include (bench/micro.sh)")
	profBin := flag.String("profile-bin", "", "goproxy-prof binary: profile goproxy under the keep-alive load")
	profOut := flag.String("profile-dir", "bench/results", "where -profile-bin writes goproxy-NAME.pprof and .top.txt")
	syscalls := flag.Bool("syscalls", false, "count system calls per request with strace (goproxy and haproxy)")
	keep := flag.Bool("keep", false, "keep the temporary directory (configs, logs)")
	flag.Parse()

	h.targets = splitSet(*targets)
	if err := h.main(*only, *out, *micro, *profBin, *profOut, *syscalls, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "gohabench:", err)
		os.Exit(1)
	}
}

func (h *harness) main(only, out, micro, profBin, profOut string, syscalls, keep bool) error {
	if h.rounds < 1 {
		return fmt.Errorf("need at least one round")
	}
	if runtime.NumCPU() > 1 {
		fmt.Fprintf(os.Stderr, "gohabench: note: not pinned (%d CPUs usable); run it with taskset -c %s so that the in-process load generators stay off the proxy's CPU\n", runtime.NumCPU(), h.loadCPU)
	}
	var err error
	h.tmp, err = os.MkdirTemp("", "gohabench-")
	if err != nil {
		return err
	}
	// nginx's workers run as nobody and must read the backend's files.
	if err := os.Chmod(h.tmp, 0o755); err != nil {
		return err
	}
	if keep {
		fmt.Println("temporary files in", h.tmp)
	} else {
		defer os.RemoveAll(h.tmp)
	}
	// Interrupted: the programs we started die with us (Pdeathsig); the
	// temporary directory goes too.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		if !keep {
			os.RemoveAll(h.tmp)
		}
		fmt.Fprintln(os.Stderr, "gohabench: stopped by", sig)
		os.Exit(130)
	}()
	rep := &Report{Meta: h.meta()}
	if micro != "" {
		rep.Micro, err = readMicro(micro)
		if err != nil {
			return err
		}
	}
	h.be, err = startBackends(h.tmp, h.nginx, h.loadCPU)
	if err != nil {
		return err
	}
	defer h.be.stop()

	want := splitSet(only)
	fmt.Printf("gohabench: %d rounds of %v per target; load generators and backends on CPU %s, proxy on CPU %s; load average %s\n",
		h.rounds, h.duration, h.loadCPU, h.proxyCPU, rep.Meta.LoadStart)
	for _, sc := range scenarios() {
		if len(want) > 0 && !want[sc.name] {
			continue
		}
		sr := &ScenarioResult{Name: sc.name, Description: sc.desc}
		h.results[sc.name] = sr
		for round := 1; round <= h.rounds; round++ {
			var ts []string
			for _, t := range h.roundTargets(sc) {
				if len(h.targets) == 0 || h.targets[t] {
					ts = append(ts, t)
				}
			}
			if sc.round != nil {
				if err := sc.round(h, sr, ts); err != nil {
					sr.Errors = append(sr.Errors, fmt.Sprintf("round %d: %v", round, err))
					h.progress("%-9s FAILED: %v", sc.name, err)
				}
				continue
			}
			for _, t := range roundOrder(ts, round) {
				if err := sc.run(h, sr, t); err != nil {
					msg := fmt.Sprintf("round %d %s: %v", round, t, err)
					sr.Errors = append(sr.Errors, msg)
					h.progress("%-9s %-7s FAILED: %v", sc.name, t, err)
				}
			}
		}
		sr.finish()
		rep.Scenarios = append(rep.Scenarios, sr)
		printScenario(os.Stdout, sr)
	}
	if syscalls {
		sr, err := h.syscallCounts()
		if err != nil {
			fmt.Fprintln(os.Stderr, "gohabench: syscalls:", err)
		} else {
			rep.Scenarios = append(rep.Scenarios, sr)
			printScenario(os.Stdout, sr)
		}
	}
	if profBin != "" {
		rep.Profiles, err = h.profile(profBin, profOut)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gohabench: profile:", err)
		}
	}
	rep.Targets = evaluateTargets(rep)
	rep.Meta.Finished = time.Now().UTC().Format(time.RFC3339)
	rep.Meta.LoadEnd = loadavg()
	printSummary(os.Stdout, rep)
	if out != "" {
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		js, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(out, append(js, '\n'), 0o644); err != nil {
			return err
		}
		md := strings.TrimSuffix(out, ".json") + ".md"
		if err := os.WriteFile(md, []byte(markdown(rep)), 0o644); err != nil {
			return err
		}
		fmt.Println("results written to", out, "and", md)
	}
	return nil
}

func (h *harness) progress(format string, args ...any) {
	fmt.Printf("  %s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// halfRate is the latency scenario's fixed rate: half of haproxy's
// keep-alive saturation rate in this run (measured now if the keep-alive
// scenario was not run).
func (h *harness) halfRate() (float64, error) {
	if h.rate > 0 {
		return h.rate, nil
	}
	if sr := h.results["keepalive"]; sr != nil {
		for _, m := range sr.Metrics {
			if s := m.Values[tHaproxy]; m.Name == "req/s" && s != nil && s.Median > 0 {
				h.rate = s.Median / 2
				return h.rate, nil
			}
		}
	}
	tmp := &ScenarioResult{Name: "saturate"}
	if err := h.wrkScenario(tmp, tHaproxy, shapePlain, h.be.httpPort, wrkLoad{path: "/small", conns: 64}, len(smallBody), false); err != nil {
		return 0, err
	}
	tmp.finish()
	h.rate = tmp.metric("req/s", "", "").Values[tHaproxy].Median / 2
	return h.rate, nil
}

func (h *harness) meta() Meta {
	host, _ := os.Hostname()
	m := Meta{
		Started:   time.Now().UTC().Format(time.RFC3339),
		Host:      host,
		CPUs:      cpuCount(),
		CPUModel:  cpuModel(),
		Kernel:    firstLine("/proc/sys/kernel/osrelease"),
		LoadStart: loadavg(),
		Duration:  h.duration.String(),
		Rounds:    h.rounds,
		LoadCPU:   h.loadCPU,
		ProxyCPU:  h.proxyCPU,
		Versions:  map[string]string{},
	}
	for name, args := range map[string][]string{
		"goproxy": {h.goproxy, "-v"},
		"haproxy": {h.haproxy, "-v"},
		"nginx":   {h.nginx, "-v"},
		"wrk":     {h.wrk, "-v"},
		"go":      {"go", "version"},
	} {
		b, _ := exec.Command(args[0], args[1:]...).CombinedOutput()
		m.Versions[name] = strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	}
	if h.goproxyRev != "" {
		m.GoproxyBuild = h.goproxyRev
	} else if b, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.GoproxyBuild = strings.TrimSpace(string(b))
		// The binary is built from the work tree: say when the engine's
		// sources differ from the commit.
		if d, err := exec.Command("git", "status", "--porcelain", "--", "proxy", "parser", "cmd/goproxy").Output(); err == nil && len(d) > 0 {
			m.GoproxyBuild += " + uncommitted changes"
		}
	}
	return m
}

func loadavg() string {
	f := strings.Fields(firstLine("/proc/loadavg"))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func firstLine(path string) string {
	b, _ := os.ReadFile(path)
	return strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// cpuCount is the machine's CPUs, not the pinned set runtime.NumCPU sees.
func cpuCount() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "\nprocessor") + map[bool]int{true: 1}[strings.HasPrefix(string(b), "processor")]
}
