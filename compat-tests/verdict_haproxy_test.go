package compattests

// The haproxy verdict corpus: every configuration in testdata/check/haproxy
// is checked by haproxy 2.6 ("haproxy -c", live when installed, otherwise
// its stored golden verdict) and by "goproxy -c"; both must give the same
// exit status and, for a broken configuration, name the same FILE:LINE in
// their first alert. See testdata/check/haproxy/README.md for the corpus
// conventions.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// deliberateDiff is an allowed disagreement: haproxy refuses the file but
// goproxy, on purpose, accepts it (exit Exit) with a [WARNING] wherever
// haproxy has a located alert.
type deliberateDiff struct {
	Exit int
	// Rows quote the "Input" cell of each compat-tests/DIFFERENCES.md row
	// that allows the difference; the test checks they are still there.
	Rows []string
}

const (
	rowNbproc   = "`nbproc N` in global"
	rowTimeouts = "`contimeout`, `clitimeout`, `srvtimeout`"
	rowReqAdd   = "`reqadd \"Name: value\"`, `rspadd \"Name: value\"`"
	rowReqDel   = "`reqdel`/`reqidel`/`rspdel`/`rspidel` with `^Name:` or `^Name:.*`"
)

// deliberateDiffs is the complete allowlist, keyed by corpus case name.
// Anything else that disagrees with haproxy is a bug.
var deliberateDiffs = map[string]deliberateDiff{
	"01-tutorial":        {Exit: 0, Rows: []string{rowNbproc, rowTimeouts}},
	"38-legacy-nbproc":   {Exit: 0, Rows: []string{rowNbproc}},
	"39-legacy-timeouts": {Exit: 0, Rows: []string{rowTimeouts}},
	"85-legacy-req-rsp":  {Exit: 0, Rows: []string{rowReqAdd, rowReqDel}},
}

// corpusCase is one check: NN-name.cfg (run as "-f NN-name.cfg") or
// NN-name.args (its words are the arguments after "-c").
type corpusCase struct {
	Name string
	Args []string
}

var caseRE = regexp.MustCompile(`^[0-9][0-9]-[a-z0-9-]+\.(cfg|args)$`)

func corpusCases(t *testing.T) []corpusCase {
	t.Helper()
	entries, err := os.ReadDir(haproxyCorpusDir)
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	for _, e := range entries {
		if e.IsDir() || !caseRE.MatchString(e.Name()) {
			continue
		}
		name := strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".cfg"), ".args")
		if strings.HasSuffix(e.Name(), ".cfg") {
			cases = append(cases, corpusCase{Name: name, Args: []string{"-f", e.Name()}})
			continue
		}
		data, err := os.ReadFile(filepath.Join(haproxyCorpusDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, corpusCase{Name: name, Args: strings.Fields(string(data))})
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].Name < cases[j].Name })
	return cases
}

// haproxyVerdict returns haproxy's verdict on c: live when haproxy is
// installed (checked against the golden), else the golden.
func haproxyVerdict(t *testing.T, haproxy string, c corpusCase) verdict {
	t.Helper()
	goldenPath := filepath.Join(haproxyCorpusDir, c.Name+".golden")
	data, readErr := os.ReadFile(goldenPath)
	if haproxy == "" {
		if readErr != nil {
			t.Fatalf("%s: haproxy is not installed and there is no golden verdict: %v", c.Name, readErr)
		}
		v, err := parseGolden(data)
		if err != nil {
			t.Fatalf("%s: %v", goldenPath, err)
		}
		return v
	}
	live := runCheck(t, haproxy, c.Args)
	if readErr != nil {
		t.Errorf("%s: no golden verdict; run: go test ./compat-tests -run HaproxyVerdict -update", c.Name)
		return live
	}
	stored, err := parseGolden(data)
	if err != nil {
		t.Fatalf("%s: %v", goldenPath, err)
	}
	if stored.Exit != live.Exit || diagText(stored.Stderr) != diagText(live.Stderr) || stored.Stdout != live.Stdout {
		t.Errorf("%s: the installed haproxy disagrees with the stored golden (exit %d, golden %d); "+
			"if haproxy was upgraded on purpose, rerun with -update\nlive stderr:\n%s", c.Name, live.Exit, stored.Exit, live.Stderr)
	}
	return live
}

// diagText renders the diagnostics without the version/path notices.
func diagText(stderr string) string {
	var b strings.Builder
	for _, m := range diagnostics(stderr) {
		fmt.Fprintf(&b, "[%s] %s\n", m.Level, m.Text)
	}
	return b.String()
}

// TestHaproxyVerdict is the corpus comparison. Its failure messages are
// meant for whoever fixes the parser: the config, haproxy's verdict and
// first alert, and ours.
func TestHaproxyVerdict(t *testing.T) {
	haproxy, _ := exec.LookPath("haproxy")
	if haproxy == "" {
		if updateGoldens() {
			t.Fatal("-update needs the real haproxy 2.6 installed (make refs)")
		}
		t.Log("haproxy is not installed: comparing with the stored golden verdicts")
	}
	cases := corpusCases(t)
	if updateGoldens() {
		// Goldens first: they depend on haproxy only, so a goproxy that
		// does not build yet cannot stop them from being regenerated.
		for _, c := range cases {
			v := runCheck(t, haproxy, c.Args)
			path := filepath.Join(haproxyCorpusDir, c.Name+".golden")
			if err := os.WriteFile(path, v.golden(c.Args), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	goproxy := buildGoproxy(t)

	var ran, agree, exact int
	var disagree, inexact []string
	for _, c := range cases {
		started := false
		ok := t.Run(c.Name, func(t *testing.T) {
			started = true
			want := haproxyVerdict(t, haproxy, c)
			got := runCheck(t, goproxy, c.Args)
			if d, found := deliberateDiffs[c.Name]; found {
				checkDeliberate(t, c, d, want, got)
			} else {
				checkSameVerdict(t, c, want, got)
			}
			if diagText(want.Stderr) == diagText(got.Stderr) && want.Stdout == got.Stdout {
				exact++
			} else {
				inexact = append(inexact, c.Name)
				t.Logf("strict text check (informational): messages differ\n--- haproxy\n%s%s--- goproxy\n%s%s",
					want.Stdout, diagText(want.Stderr), got.Stdout, diagText(got.Stderr))
			}
		})
		if !started { // filtered out by -run
			continue
		}
		ran++
		if ok {
			agree++
		} else {
			disagree = append(disagree, c.Name)
		}
	}
	t.Logf("haproxy verdict corpus: %d/%d configs agree (verdict and first FILE:LINE); %d/%d also match haproxy's message text exactly",
		agree, ran, exact, ran)
	if len(disagree) > 0 {
		t.Logf("disagreeing: %s", strings.Join(disagree, " "))
	}
	if len(inexact) > 0 {
		t.Logf("text differs: %s", strings.Join(inexact, " "))
	}
}

func checkSameVerdict(t *testing.T, c corpusCase, want, got verdict) {
	t.Helper()
	hFirst, hHas := firstOf(messages(want.Stderr), "ALERT")
	gFirst, gHas := firstOf(messages(got.Stderr), "ALERT")
	report := func(problem string) {
		t.Errorf("%s (haproxy -c %s): %s\n  haproxy: exit %d, first alert: %s\n  goproxy: exit %d, first alert: %s\n--- goproxy stdout\n%s--- goproxy stderr\n%s",
			c.Name, strings.Join(c.Args, " "), problem,
			want.Exit, alertOrNone(hFirst, hHas), got.Exit, alertOrNone(gFirst, gHas), got.Stdout, got.Stderr)
	}
	if want.Exit != got.Exit {
		report("different exit status")
		return
	}
	if want.Exit == 0 || !hHas {
		return
	}
	if loc := location(hFirst.Text); loc != "" && location(gFirst.Text) != loc {
		report("first alert at a different FILE:LINE (want " + loc + ")")
	}
}

func alertOrNone(m message, ok bool) string {
	if !ok {
		return "(none)"
	}
	return m.Text
}

// checkDeliberate enforces an allowlisted difference: goproxy's own exit
// status, no alert, and a [WARNING] at every FILE:LINE haproxy alerts on.
func checkDeliberate(t *testing.T, c corpusCase, d deliberateDiff, want, got verdict) {
	t.Helper()
	if want.Exit == d.Exit {
		t.Errorf("%s is allowlisted as a deliberate difference, but haproxy now exits %d like goproxy should: remove it from deliberateDiffs", c.Name, want.Exit)
	}
	if got.Exit != d.Exit {
		t.Errorf("%s (deliberate difference, DIFFERENCES.md %q): goproxy exit %d, want %d\n--- goproxy stderr\n%s",
			c.Name, d.Rows, got.Exit, d.Exit, got.Stderr)
	}
	warnings := map[string]bool{}
	for _, m := range messages(got.Stderr) {
		switch m.Level {
		case "WARNING":
			warnings[location(m.Text)] = true
		case "ALERT":
			t.Errorf("%s (deliberate difference): goproxy must not alert: %s", c.Name, m.Text)
		}
	}
	var missing []string
	for _, m := range messages(want.Stderr) {
		if m.Level != "ALERT" {
			continue
		}
		if loc := location(m.Text); loc != "" && !warnings[loc] {
			missing = append(missing, "  "+loc+"  haproxy: "+m.Text)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s (deliberate difference): goproxy prints no [WARNING] where haproxy alerts:\n%s\n--- goproxy stderr\n%s",
			c.Name, strings.Join(missing, "\n"), got.Stderr)
	}
}

// TestHaproxyVerdictAllowlistCitesDifferences keeps the allowlist honest:
// every row it cites must exist in compat-tests/DIFFERENCES.md.
func TestHaproxyVerdictAllowlistCitesDifferences(t *testing.T) {
	doc, err := os.ReadFile("DIFFERENCES.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range deliberateDiffs {
		if _, err := os.Stat(filepath.Join(haproxyCorpusDir, name+".cfg")); err != nil {
			t.Errorf("allowlisted case %s has no config: %v", name, err)
		}
		for _, row := range d.Rows {
			if !bytes.Contains(doc, []byte("| "+row+" |")) {
				t.Errorf("allowlisted case %s cites DIFFERENCES.md row %q, which is not there", name, row)
			}
		}
	}
}

// TestHaproxyVerdictCorpusShape checks the corpus holds what it promises:
// enough valid and broken configurations, each with its golden verdict,
// and the tutorial's file byte for byte.
func TestHaproxyVerdictCorpusShape(t *testing.T) {
	cases := corpusCases(t)
	names := map[string]bool{}
	valid, broken := 0, 0
	for _, c := range cases {
		names[c.Name] = true
		data, err := os.ReadFile(filepath.Join(haproxyCorpusDir, c.Name+".golden"))
		if err != nil {
			t.Errorf("%s: no golden verdict (go test ./compat-tests -run HaproxyVerdict -update)", c.Name)
			continue
		}
		v, err := parseGolden(data)
		if err != nil {
			t.Errorf("%s.golden: %v", c.Name, err)
			continue
		}
		switch v.Exit {
		case 0:
			valid++
		case 1:
			broken++
		}
	}
	goldens, _ := filepath.Glob(filepath.Join(haproxyCorpusDir, "*.golden"))
	for _, g := range goldens {
		if n := strings.TrimSuffix(filepath.Base(g), ".golden"); !names[n] {
			t.Errorf("%s has no config", g)
		}
	}
	t.Logf("corpus: %d cases, %d valid, %d broken, %d other", len(cases), valid, broken, len(cases)-valid-broken)
	if len(cases) < 45 || valid < 25 || broken < 18 {
		t.Errorf("corpus too small: %d cases (want >= 45), %d valid (>= 25), %d broken (>= 18)", len(cases), valid, broken)
	}
	seed, err := os.ReadFile(filepath.Join("..", "testdata", "seed", "haproxy.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	tut, err := os.ReadFile(filepath.Join(haproxyCorpusDir, "01-tutorial.cfg"))
	if err != nil || !bytes.Equal(seed, tut) {
		t.Errorf("01-tutorial.cfg must be testdata/seed/haproxy.cfg byte for byte (err %v)", err)
	}
}

// TestHaproxyVerdictTutorialLegacyWarnings: the tutorial's haproxy.cfg
// passes goproxy -c unchanged, exit 0, with exactly the four legacy
// warnings, each at haproxy's line and naming the modern spelling.
func TestHaproxyVerdictTutorialLegacyWarnings(t *testing.T) {
	goproxy := buildGoproxy(t)
	got := runCheck(t, goproxy, []string{"-f", "01-tutorial.cfg"})
	if got.Exit != 0 {
		t.Errorf("goproxy -c -f 01-tutorial.cfg: exit %d, want 0\n%s", got.Exit, got.Stderr)
	}
	want := map[string]string{
		"01-tutorial.cfg:8":  "nbproc",
		"01-tutorial.cfg:15": "timeout connect",
		"01-tutorial.cfg:16": "timeout client",
		"01-tutorial.cfg:17": "timeout server",
	}
	var warnings []message
	for _, m := range messages(got.Stderr) {
		switch m.Level {
		case "WARNING":
			warnings = append(warnings, m)
		case "ALERT":
			t.Errorf("unexpected alert: %s", m.Text)
		}
	}
	if len(warnings) != len(want) {
		t.Errorf("got %d warnings, want exactly %d:\n%s", len(warnings), len(want), got.Stderr)
	}
	for _, w := range warnings {
		loc := location(w.Text)
		spelling, ok := want[loc]
		if !ok {
			t.Errorf("warning at unexpected place %q: %s", loc, w.Text)
			continue
		}
		if !strings.Contains(w.Text, spelling) {
			t.Errorf("warning at %s does not name %q: %s", loc, spelling, w.Text)
		}
		delete(want, loc)
	}
	for loc, spelling := range want {
		t.Errorf("no warning at %s (about %s)", loc, spelling)
	}
	if got.Stdout != "Warnings were found.\nConfiguration file is valid\n" {
		t.Errorf("stdout = %q, want the warnings line and the valid line", got.Stdout)
	}
}
