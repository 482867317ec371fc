package main

import (
	"strconv"
	"strings"
)

// memDebugWords are the pool-debugging switches haproxy 2.6 accepts after
// -dM (set and clear spellings). Go manages goproxy's memory, so they are
// validated for compatibility and otherwise ignored.
var memDebugWords = [][2]string{
	{"fail", "no-fail"},
	{"no-merge", "merge"},
	{"cold-first", "hot-first"},
	{"integrity", "no-integrity"},
	{"no-global", "global"},
	{"no-cache", "cache"},
	{"caller", "no-caller"},
	{"tag", "no-tag"},
	{"poison", "no-poison"},
}

// memDebugHelp is what -dMhelp prints (haproxy prints its own table there).
const memDebugHelp = `-dM[<byte>][,<keyword>...] is accepted for compatibility with haproxy and
ignored: goproxy's memory is managed by the Go runtime, which has no pools to
poison or debug. The keywords haproxy 2.6 knows are still checked:
`

// checkMemDebug validates what follows -dM the way haproxy's
// pool_parse_debugging() does: an optional leading number (any base strtol
// reads), then comma-separated keywords.
func checkMemDebug(s string) *Stop {
	if i := strings.IndexByte(s, ','); i >= 0 || s != "" {
		head := s
		if i >= 0 {
			head = s[:i]
		}
		if _, err := strconv.ParseInt(head, 0, 64); err == nil || head == "" {
			s = strings.TrimPrefix(s, head)
		}
	}
	for _, w := range strings.Split(s, ",") {
		if w == "" {
			continue
		}
		if w == "help" {
			var b strings.Builder
			b.WriteString(memDebugHelp)
			for _, p := range memDebugWords {
				b.WriteString("    " + p[0] + " / " + p[1] + "\n")
			}
			return &Stop{Stdout: b.String(), Code: 0}
		}
		if !knownMemDebugWord(w) {
			return &Stop{Alert: "-dM: unknown pool debugging feature <" + w + ">", Code: 1}
		}
	}
	return nil
}

func knownMemDebugWord(w string) bool {
	for _, p := range memDebugWords {
		if w == p[0] || w == p[1] {
			return true
		}
	}
	return false
}
