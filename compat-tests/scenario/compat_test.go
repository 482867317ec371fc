package scenario

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"goha/internal/topo"
)

var (
	update   = flag.Bool("update", false, "rewrite testdata/golden from the reference run (haproxy 2.6 + keepalived 2.2.7)")
	only     = flag.String("scenario", "", "play only the scenarios whose name matches this regexp")
	binDir   = flag.String("bin", "", "directory holding prebuilt goproxy and govrrpd (default: build them)")
	outDir   = flag.String("out", "", "directory to write this run's transcripts and report to (default: a temporary one)")
	noRef    = flag.Bool("no-reference", false, "do not run haproxy + keepalived; compare goha with testdata/golden")
	parallel = flag.Int("parallel", 4, "how many plays (a scenario with one implementation pair, on its own topology) run at once")
	goldDir  = "../../testdata/golden"
	seedDir  = "../../testdata/seed"
	diffFile = "../DIFFERENCES.md"
)

func gohaBinaries(t *testing.T) (goproxy, govrrpd string) {
	if *binDir != "" {
		return filepath.Join(*binDir, "goproxy"), filepath.Join(*binDir, "govrrpd")
	}
	dir := t.TempDir()
	for _, b := range []string{"goproxy", "govrrpd"} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, b), "goha/cmd/"+b).CombinedOutput(); err != nil {
			t.Fatalf("cannot build %s: %v\n%s", b, err, out)
		}
	}
	return filepath.Join(dir, "goproxy"), filepath.Join(dir, "govrrpd")
}

// referenceImpl returns haproxy + keepalived, or why they cannot run.
func referenceImpl(seed Seed) (Impl, error) {
	hap, err := exec.LookPath("haproxy")
	if err != nil {
		return Impl{}, fmt.Errorf("haproxy not installed (apt-get install haproxy)")
	}
	ka, err := exec.LookPath("keepalived")
	if err != nil {
		return Impl{}, fmt.Errorf("keepalived not installed (apt-get install keepalived)")
	}
	// haproxy 2.6 refuses the tutorial's removed keywords; it runs the
	// documented mechanical rewrite (testdata/check/haproxy/README.md).
	modern, err := os.ReadFile("../../testdata/check/haproxy/02-tutorial-modern.cfg")
	if err != nil {
		return Impl{}, err
	}
	return Impl{Name: "reference", Label: "haproxy 2.6 (02-tutorial-modern.cfg) + keepalived 2.2.7",
		Proxy: hap, VRRP: ka, ProxyConfig: string(modern), Keepalived: true}, nil
}

// TestCompat plays every scenario with the reference and with goha and
// prints the comparison (make compat). It fails on any difference
// DIFFERENCES.md does not cover.
func TestCompat(t *testing.T) {
	if os.Getenv("GOHA_COMPAT") == "" && !*update && *only == "" {
		t.Skip("the scenario suite runs with make compat (GOHA_COMPAT=1), not in make test")
	}
	if err := topo.Available(); err != nil {
		t.Skip(err)
	}
	for _, b := range []string{"nginx", "tcpdump"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed", b)
		}
	}
	seed := Seed{Dir: seedDir}
	gp, gv := gohaBinaries(t)
	seedCfg, err := seed.read("haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	goha := Impl{Name: "goha", Label: "goproxy (haproxy.cfg unchanged) + govrrpd", Proxy: gp, VRRP: gv, ProxyConfig: seedCfg}
	ref, refErr := referenceImpl(seed)
	if *noRef {
		refErr = fmt.Errorf("-no-reference given")
	}
	if *update && refErr != nil {
		t.Fatalf("-update needs the reference binaries: %v", refErr)
	}
	out := *outDir
	if out == "" {
		out = t.TempDir()
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	var filter *regexp.Regexp
	if *only != "" {
		filter = regexp.MustCompile(*only)
	}
	var scenarios []Scenario
	for _, sc := range All() {
		if filter == nil || filter.MatchString(sc.Name) {
			scenarios = append(scenarios, sc)
		}
	}
	// Every play builds a topology of its own (namespaces with random
	// names), so plays run side by side: most of a play is waiting for
	// VRRP timers, and the suite's time is the sum of those waits when
	// played one after the other.
	results := make([]Result, len(scenarios))
	sem := make(chan struct{}, max(1, *parallel))
	var wg sync.WaitGroup
	play := func(dst **Transcript, dstErr *error, took *time.Duration, sc Scenario, impl Impl) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			*dst, *dstErr = Play(sc, impl, seed)
			*took = time.Since(start)
		}()
	}
	for i, sc := range scenarios {
		res := &results[i]
		res.Scenario, res.RefErr = sc, refErr
		if refErr == nil {
			res.RefFrom = "this run"
			play(&res.Ref, &res.RefErr, &res.RefTook, sc, ref)
		}
		play(&res.Goha, &res.GoErr, &res.GoTook, sc, goha)
	}
	wg.Wait()
	for i := range results {
		res := &results[i]
		golden := filepath.Join(goldDir, res.Scenario.Name+".txt")
		// The transcripts left in out end with both implementations'
		// timing figures side by side (the goldens keep the reference's
		// own transcript only).
		both := ""
		if res.Ref != nil && res.Goha != nil {
			both = SideBySide(res.Ref, res.Goha)
		}
		if res.Ref != nil {
			os.WriteFile(filepath.Join(out, res.Scenario.Name+".reference.txt"), []byte(res.Ref.String()+both), 0o644)
			if *update {
				if err := os.WriteFile(golden, []byte(res.Ref.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if g, err := readGolden(golden); err == nil {
				res.Drift = Compare(g, res.Ref)
			}
		} else if g, err := readGolden(golden); err == nil {
			t.Logf("%s: reference not run (%v); comparing with %s", res.Scenario.Name, res.RefErr, golden)
			res.Ref, res.RefFrom = g, "golden"
		}
		if res.Goha != nil {
			os.WriteFile(filepath.Join(out, res.Scenario.Name+".goha.txt"), []byte(res.Goha.String()+both), 0o644)
		}
	}
	md, _ := os.ReadFile(diffFile)
	report, undocumented := Report(results, KnownDifferences, string(md))
	os.WriteFile(filepath.Join(out, "report.txt"), []byte(report), 0o644)
	fmt.Print(report)
	fmt.Printf("transcripts and report in %s\n", out)
	if undocumented > 0 {
		t.Errorf("%d difference(s) not covered by compat-tests/DIFFERENCES.md (report above)", undocumented)
	}
}

func readGolden(path string) (*Transcript, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(string(b))
}
