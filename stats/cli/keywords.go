package cli

import (
	"sort"
	"strings"
)

// keyword is one CLI command: the words that select it and its help line.
// The help lines are haproxy 2.6.12's own (its "help" output, captured in
// testdata/golden/help.txt), because scripts and people compare them.
type keyword struct {
	words []string
	usage string
	run   func(s *session, args []string) string
}

// keywords lists the commands goha answers, each with haproxy's help line.
// help, prompt and quit have no line of their own: haproxy always appends
// them at the end of the list (helpTail).
var keywords []keyword

func init() {
	keywords = []keyword{
		{[]string{"clear", "counters"}, "clear counters [all]                    : clear max statistics counters (or all counters)", cmdClearCounters},
		{[]string{"disable", "frontend"}, "disable frontend <frontend>             : temporarily disable specific frontend", cmdDisableFrontend},
		{[]string{"disable", "server"}, "disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)", cmdDisableServer},
		{[]string{"enable", "frontend"}, "enable frontend <frontend>              : re-enable specific frontend", cmdEnableFrontend},
		{[]string{"enable", "server"}, "enable server  (DEPRECATED)             : enable a disabled server (use 'set server' instead)", cmdEnableServer},
		{[]string{"get", "weight"}, "get weight <bk>/<srv>                   : report a server's current weight", cmdGetWeight},
		{[]string{"operator"}, "operator                                : lower the level of the current CLI session to operator", cmdSetLevel},
		{[]string{"set", "server"}, "set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl", cmdSetServer},
		{[]string{"set", "timeout"}, "set timeout [cli] <delay>               : change a timeout setting", cmdSetTimeout},
		{[]string{"set", "weight"}, "set weight <bk>/<srv>  (DEPRECATED)     : change a server's weight (use 'set server' instead)", cmdSetWeight},
		{[]string{"show", "backend"}, "show backend                            : list backends in the current running config", cmdShowBackend},
		{[]string{"show", "cli", "level"}, "show cli level                          : display the level of the current CLI session", cmdShowLevel},
		{[]string{"show", "info"}, "show info [desc|json|typed|float]*      : report information about the running process", cmdShowInfo},
		{[]string{"show", "servers", "state"}, "show servers state [<backend>]          : dump volatile server information (all or for a single backend)", cmdShowServersState},
		{[]string{"show", "sess"}, "show sess [id]                          : report the list of current sessions or dump this exact session", cmdShowSess},
		{[]string{"show", "stat"}, "show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server", cmdShowStat},
		{[]string{"user"}, "user                                    : lower the level of the current CLI session to user", cmdSetLevel},
		{[]string{"help"}, "", cmdHelp},
		{[]string{"prompt"}, "", cmdPrompt},
		{[]string{"quit"}, "", cmdQuit},
	}
	candidates = buildCandidates()
}

const helpTail = "  help [<command>]                        : list matching or all commands\n" +
	"  prompt                                  : toggle interactive mode with prompt\n" +
	"  quit                                    : disconnect\n"

// maxArgs is MAX_CLI_ARGS: words after it are not split any more.
const maxArgs = 64

// isOtherCommand reports whether args start with a haproxy command goha
// does not implement.
func isOtherCommand(args []string) bool {
	for _, w := range otherCommands {
		if len(args) >= len(w) && strings.Join(args[:len(w)], " ") == strings.Join(w, " ") {
			return true
		}
	}
	return false
}

// findKeyword returns the command whose words all begin args
// (cli_find_kw).
func findKeyword(args []string) *keyword {
	for i := range keywords {
		kw := &keywords[i]
		if len(args) < len(kw.words) {
			continue
		}
		ok := true
		for j, w := range kw.words {
			if args[j] != w {
				ok = false
				break
			}
		}
		if ok {
			return kw
		}
	}
	return nil
}

// prefixWords is CLI_PREFIX_KW_NB and maxMatches CLI_MAX_MATCHES.
const (
	prefixWords = 5
	maxMatches  = 5
)

// candidate is a command as cli_gen_usage_msg sees it: its words, whether
// it has a help line (only those are suggested), and the line goha prints
// ("" for haproxy commands goha does not implement: never printed).
type candidate struct {
	words    []string
	hasUsage bool
	usage    string
}

// candidates are goha's commands, haproxy's other commands and its hidden
// ones.
// (Built by buildCandidates from init, once keywords is set.)
var candidates []candidate

func buildCandidates() []candidate {
	var c []candidate
	for _, kw := range keywords {
		c = append(c, candidate{kw.words, kw.usage != "", kw.usage})
	}
	for _, w := range otherCommands {
		c = append(c, candidate{w, true, ""})
	}
	for _, w := range hiddenCommands {
		c = append(c, candidate{w, false, ""})
	}
	// Equally close suggestions are kept first come, first served; haproxy
	// walks its commands in registration order, which alphabetical order
	// approximates.
	sort.SliceStable(c, func(i, j int) bool { return strings.Join(c[i].words, " ") < strings.Join(c[j].words, " ") })
	return c
}

// usage builds the answer to "help [words]" and to an unknown command, as
// cli_gen_usage_msg does: the commands matching the longest run of exact
// words, narrowed by a fuzzy match on the next words when there is one,
// sorted by their help line, then help/prompt/quit. The choice is made
// among all of haproxy's commands; only goha's are printed.
func usage(args []string) string {
	ishelp := len(args) > 0 && args[0] == "help"
	if ishelp {
		args = args[1:]
	}
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	// longest run of exactly matching words over all commands
	length := 0
	for _, kw := range candidates {
		for i := 0; i < prefixWords && i < len(kw.words); i++ {
			if arg(i) == "" || kw.words[i] != arg(i) {
				break
			}
			if i+1 > length {
				length = i + 1
			}
		}
	}
	var b strings.Builder
	switch {
	case ishelp:
		b.WriteString("The following commands are valid at this level:\n")
	case length == 0 && arg(0) == "":
		b.WriteString("Unknown command. Please enter one of the following commands only:\n")
	default:
		b.WriteString("Unknown command, but maybe one of the following ones is a better match:\n")
	}
	prefixOK := func(kw *candidate) bool {
		for i := 0; i < length; i++ {
			if i >= len(kw.words) || arg(i) == "" || kw.words[i] != arg(i) {
				return false
			}
		}
		return true
	}
	type match struct {
		kw   *candidate
		dist int
	}
	var matches [maxMatches]match
	for i := range matches {
		matches[i].dist = int(^uint(0) >> 1)
	}
	if arg(length) != "" {
		for i := range candidates {
			kw := &candidates[i]
			if !kw.hasUsage || !prefixOK(kw) {
				continue
			}
			var wsig, lsig fingerprint
			totlen := 0
			for j := length; j < prefixWords && arg(j) != ""; j++ {
				wsig.add(arg(j))
				totlen += len(arg(j))
			}
			for j := length; j < prefixWords && j < len(kw.words); j++ {
				lsig.add(kw.words[j])
				totlen += len(kw.words[j])
			}
			dist := wsig.distance(&lsig)
			if dist < 5*totlen/2 && dist < matches[maxMatches-1].dist {
				m := match{kw, dist}
				matches[maxMatches-1] = m
				for j := maxMatches - 1; j-1 >= 0; j-- {
					if matches[j].dist >= matches[j-1].dist {
						break
					}
					matches[j], matches[j-1] = matches[j-1], m
				}
			}
		}
	}
	var entries []string
	if matches[0].kw != nil {
		for _, m := range matches {
			if m.kw == nil || m.dist > 5*matches[0].dist/2 {
				break
			}
			if m.kw.usage != "" {
				entries = append(entries, m.kw.usage)
			}
		}
	} else {
		for i := range candidates {
			kw := &candidates[i]
			if kw.usage != "" && prefixOK(kw) {
				entries = append(entries, kw.usage)
			}
		}
	}
	sort.Strings(entries)
	for _, u := range entries {
		b.WriteString("  ")
		b.WriteString(u)
		b.WriteByte('\n')
	}
	b.WriteString(helpTail)
	return b.String()
}

// fingerprint counts the transitions between character classes of words
// (haproxy's update_word_fingerprint): classes are the letters 1..26,
// digits 27 and anything else 28, which also stands for a word's start and
// end; fp[to] marks classes seen.
type fingerprint [1024]uint8

func (fp *fingerprint) add(word string) {
	from := 28
	for i := 0; i < len(word); i++ {
		c := word[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		var to int
		switch {
		case 'a' <= c && c <= 'z':
			to = int(c-'a') + 1
		case '0' <= c && c <= '9':
			to = 27
		default:
			to = 28
		}
		fp[to] = 1
		fp[32*from+to]++
		from = to
	}
	fp[32*from+28]++
}

// distance is the sum of the absolute differences (word_fingerprint_distance).
func (fp *fingerprint) distance(o *fingerprint) int {
	d := 0
	for i := range fp {
		k := int(fp[i]) - int(o[i])
		if k < 0 {
			k = -k
		}
		d += k
	}
	return d
}
