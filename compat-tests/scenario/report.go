package scenario

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Result is one scenario played by both implementations.
type Result struct {
	Scenario Scenario
	// Ref is the reference run (haproxy 2.6 + keepalived 2.2.7), or the
	// golden transcript when the reference binaries are not installed.
	Ref     *Transcript
	RefFrom string // "this run" or "golden"
	Goha    *Transcript
	// Drift is how this run's reference differs from its golden file: it
	// should be empty; anything here is nondeterminism the normaliser
	// missed, or a changed reference binary.
	Drift         []Difference
	RefErr, GoErr error
	// RefTook and GoTook are how long each play took (set up, script,
	// tear down), for the report.
	RefTook, GoTook time.Duration
}

// Known is a difference the project made on purpose. A difference line is
// covered when it matches Pattern (in a section starting with Section, in
// scenario Scenario or any when empty) and DIFFERENCES.md contains Doc.
type Known struct {
	Scenario, Section string
	Pattern           *regexp.Regexp
	Doc               string
}

// covered reports whether DIFFERENCES.md explains every line of d, and
// which of its entries do.
func covered(sc string, d Difference, known []Known, differencesMD string) (bool, []string) {
	var docs []string
	seen := map[string]bool{}
	for _, l := range d.Lines {
		ok := false
		for _, k := range known {
			if (k.Scenario == "" || k.Scenario == sc) && strings.HasPrefix(d.Section, k.Section) && k.Pattern.MatchString(l) &&
				strings.Contains(differencesMD, k.Doc) {
				ok = true
				if !seen[k.Doc] {
					seen[k.Doc] = true
					docs = append(docs, k.Doc)
				}
				break
			}
		}
		if !ok {
			return false, docs
		}
	}
	return true, docs
}

// Report renders the comparison of every scenario and counts the
// differences DIFFERENCES.md does not cover.
func Report(results []Result, known []Known, differencesMD string) (string, int) {
	var b strings.Builder
	undocumented := 0
	timingCovered := map[string]bool{}
	b.WriteString("goha compat: tutorial scenarios, reference = haproxy 2.6 + keepalived 2.2.7, goha = goproxy + govrrpd\n\n")
	for _, res := range results {
		sc := res.Scenario
		fmt.Fprintf(&b, "== %s (%s)\n", sc.Name, sc.Title)
		if res.RefTook > 0 || res.GoTook > 0 {
			fmt.Fprintf(&b, "   played in %s (reference), %s (goha)\n", fmtSec(res.RefTook), fmtSec(res.GoTook))
		}
		switch {
		case res.GoErr != nil:
			fmt.Fprintf(&b, "   goha run failed: %v\n", res.GoErr)
			undocumented++
			continue
		case res.Ref == nil:
			fmt.Fprintf(&b, "   no reference: %v\n", res.RefErr)
			undocumented++
			continue
		}
		diffs := Compare(res.Ref, res.Goha)
		if len(diffs) == 0 {
			fmt.Fprintf(&b, "   identical (reference from %s)\n", res.RefFrom)
		}
		for _, d := range diffs {
			ok, docs := covered(sc.Name, d, known, differencesMD)
			verdict := "NOT in DIFFERENCES.md"
			if ok {
				verdict = "covered by DIFFERENCES.md: " + strings.Join(docs, "; ")
				if d.Section == "timing" {
					timingCovered[sc.Name] = true
				}
			} else {
				undocumented++
			}
			fmt.Fprintf(&b, "   differs in %s — %s\n", d.Section, verdict)
			for _, l := range d.Lines {
				fmt.Fprintf(&b, "     %s\n", l)
			}
		}
		if len(res.Drift) > 0 {
			fmt.Fprintf(&b, "   note: this run's reference differs from testdata/golden/%s.txt:\n", sc.Name)
			for _, d := range res.Drift {
				for _, l := range d.Lines {
					fmt.Fprintf(&b, "     [%s] %s\n", d.Section, l)
				}
			}
		}
	}
	b.WriteString("\n== timing figures (reference | goha | window)\n")
	fmt.Fprintf(&b, "%-14s %-30s %10s %10s %9s\n", "scenario", "figure", "reference", "goha", "window")
	for _, res := range results {
		if res.Ref == nil {
			continue
		}
		for _, r := range res.Ref.Timings {
			g := "-"
			mark := ""
			if res.Goha != nil {
				if f, ok := res.Goha.Timing(r.Name); ok && !f.Missing {
					g = fmtMs(f.Value)
					if r.Missing || absDur(f.Value-r.Value) > r.Window {
						mark = "  <- outside"
						if timingCovered[res.Scenario.Name] {
							mark += " (covered by DIFFERENCES.md)"
						}
					}
				}
			}
			rv := "-"
			if !r.Missing {
				rv = fmtMs(r.Value)
			}
			fmt.Fprintf(&b, "%-14s %-30s %10s %10s %9s%s\n", res.Scenario.Name, r.Name, rv, g, "±"+fmtMs(r.Window), mark)
		}
	}
	fmt.Fprintf(&b, "\n%d undocumented difference(s)\n", undocumented)
	return b.String(), undocumented
}

// fmtSec prints a play's duration; "-" when it did not run.
func fmtSec(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// SideBySide renders the timing figures of a reference and a goha
// transcript of one scenario in one table, as the transcript files in
// bin/compat end with it.
func SideBySide(ref, goha *Transcript) string {
	var b strings.Builder
	b.WriteString("== timing side by side (reference | goha | window)\n")
	show := func(f Timing, ok bool) string {
		if !ok || f.Missing {
			return "-"
		}
		return fmtMs(f.Value)
	}
	for _, r := range ref.Timings {
		g, ok := goha.Timing(r.Name)
		fmt.Fprintf(&b, "%-30s %10s %10s %9s\n", r.Name, show(r, true), show(g, ok), "±"+fmtMs(r.Window))
	}
	return b.String()
}
