package scenario

import (
	"fmt"
	"goha/internal/linediff"
	"time"
)

// Difference is one way two transcripts of a scenario disagree.
type Difference struct {
	Section string
	// Lines are the differing lines, "- " for the reference and "+ " for
	// goha, in the order of a line diff.
	Lines []string
}

// Compare returns the differences between a reference transcript and
// another run's: every section line by line, then every timing figure by
// window (the reference's window).
func Compare(ref, got *Transcript) []Difference {
	var diffs []Difference
	names := []string{}
	seen := map[string]bool{}
	for _, s := range append(append([]*Section{}, ref.Sections...), got.Sections...) {
		if !seen[s.Name] {
			seen[s.Name] = true
			names = append(names, s.Name)
		}
	}
	lines := func(t *Transcript, name string) []string {
		for _, s := range t.Sections {
			if s.Name == name {
				return s.Lines
			}
		}
		return nil
	}
	for _, name := range names {
		if d := linediff.Lines(lines(ref, name), lines(got, name)); len(d) > 0 {
			diffs = append(diffs, Difference{Section: name, Lines: d})
		}
	}
	var timing []string
	for _, r := range ref.Timings {
		g, ok := got.Timing(r.Name)
		switch {
		case !ok:
			timing = append(timing, fmt.Sprintf("- %s (not measured)", r))
		case r.Missing != g.Missing:
			timing = append(timing, fmt.Sprintf("- %s", r), fmt.Sprintf("+ %s", g))
		case !r.Missing && absDur(r.Value-g.Value) > r.Window:
			timing = append(timing, fmt.Sprintf("- %s", r), fmt.Sprintf("+ %s (off by %s)", g, fmtMs(g.Value-r.Value)))
		}
	}
	for _, g := range got.Timings {
		if _, ok := ref.Timing(g.Name); !ok {
			timing = append(timing, fmt.Sprintf("+ %s (not in the reference)", g))
		}
	}
	if len(timing) > 0 {
		diffs = append(diffs, Difference{Section: "timing", Lines: timing})
	}
	return diffs
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
