package main

import (
	"fmt"
	"goha/internal/linediff"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// diff is one difference between haproxy and goproxy.
type diff struct {
	Request string // NAME@PROXY
	Aspect  string // status, header, body, server, log, startup
	Text    string // one line: "- haproxy's line", "+ goproxy's line", or "haproxy X, goproxy Y"
	Covered string // the DIFFERENCES.md pattern that covers it, "" if none
}

// exchangeResult is what one side produced for one request.
type exchangeResult struct {
	resp response
	logs []string
}

var (
	reSyslogHead      = regexp.MustCompile(`^(<\d+>)(?:\w{3} [ \d]\d \d\d:\d\d:\d\d |\d{4}-\d\d-\d\dT\S+ )`)
	rePid             = regexp.MustCompile(`\[\d+\]:`)
	reAcceptDate      = regexp.MustCompile(`\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d(?:\.\d{3})?`)
	reTimers          = regexp.MustCompile(`(\S+/\S+ )(-?\d+(?:/-?\d+){2,4})( )`)
	rePlainNum        = regexp.MustCompile(`(^|/)\d+`)
	reHexLoopbackPort = regexp.MustCompile(`7F000001:[0-9A-F]{4}`)
	// ..._%Ts_%rt:%pid of the default unique-id-format, in hex.
	reUniqueIDTail = regexp.MustCompile(`(7F000001:\S+_7F000001:\S+_)[0-9A-F]+_([0-9A-F]+):[0-9A-F]+`)
	reAnchor       = regexp.MustCompile(`name="?([^" >]+/[^" >]+)"?`)
)

// normaliser removes what legitimately differs between two runs: the
// ports each side was given (named <bindN>/<serverN>), client ports,
// dates, pids and timers.
type normaliser struct{ ports map[string]string }

func (n normaliser) text(s string) string {
	// unique-id-format's default (%{+X}o %ci:%cp_%fi:%fp_...) prints
	// addresses and ports in hex.
	s = reHexLoopbackPort.ReplaceAllStringFunc(s, func(m string) string {
		p, _ := strconv.ParseInt(strings.TrimPrefix(m, "7F000001:"), 16, 32)
		if name, ok := n.ports[strconv.Itoa(int(p))]; ok {
			return "7F000001:" + name
		}
		return "7F000001:<port>"
	})
	s = reUniqueIDTail.ReplaceAllString(s, "${1}<time>_${2}:<pid>")
	return reLoopbackPort.ReplaceAllStringFunc(s, func(m string) string {
		p := strings.TrimPrefix(m, "127.0.0.1:")
		if name, ok := n.ports[p]; ok {
			return "127.0.0.1:" + name
		}
		return "127.0.0.1:<port>"
	})
}

func (n normaliser) header(h string) string {
	name, _, _ := strings.Cut(h, ":")
	if strings.EqualFold(name, "date") {
		return name + ": <date>"
	}
	return n.text(h)
}

func (n normaliser) log(l string) string {
	l = reSyslogHead.ReplaceAllString(l, "$1<time> ")
	l = rePid.ReplaceAllString(l, "[<pid>]:")
	l = reAcceptDate.ReplaceAllString(l, "<date>")
	l = n.text(l)
	return reTimers.ReplaceAllStringFunc(l, func(m string) string {
		g := reTimers.FindStringSubmatch(m)
		return g[1] + rePlainNum.ReplaceAllString(g[2], "${1}N") + g[3]
	})
}

// body normalises a response body; stats pages keep only what does not
// change from run to run (documented in the README): CSV rows are reduced
// to pxname, svname, status, weight, act, bck, type, mode; the HTML page to
// the proxy/server anchors it lists.
func (n normaliser) body(req string, b string) string {
	b = n.text(b)
	if strings.HasPrefix(b, "# pxname,") {
		return statsCSV(b)
	}
	if strings.HasPrefix(req, "stats-") && strings.Contains(b, "<html") {
		var anchors []string
		for _, m := range reAnchor.FindAllStringSubmatch(b, -1) {
			anchors = append(anchors, m[1])
		}
		return "stats page listing: " + strings.Join(dedupe(anchors), " ")
	}
	return b
}

func statsCSV(b string) string {
	lines := strings.Split(strings.TrimRight(b, "\n"), "\n")
	cols := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
	keep := []string{"pxname", "svname", "status", "weight", "act", "bck", "type", "mode"}
	idx := map[string]int{}
	for i, c := range cols {
		idx[c] = i
	}
	out := []string{"(stats CSV reduced to " + strings.Join(keep, ",") + ")"}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		var row []string
		for _, k := range keep {
			if i, ok := idx[k]; ok && i < len(f) {
				row = append(row, f[i])
			} else {
				row = append(row, "?")
			}
		}
		out = append(out, strings.Join(row, ","))
	}
	return strings.Join(out, "\n")
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// serverOf names the stand-in server that answered, from its header.
func serverOf(r response) string {
	for _, h := range r.Headers {
		n, v, _ := strings.Cut(h, ":")
		if strings.EqualFold(n, "x-compat-server") {
			return strings.TrimSpace(v)
		}
	}
	return "(none: the proxy answered itself)"
}

// compareExchange lists the differences between haproxy's (h) and
// goproxy's (g) results for one request.
func compareExchange(id, reqName string, nh, ng normaliser, h, g exchangeResult) []diff {
	var ds []diff
	add := func(aspect, text string) { ds = append(ds, diff{Request: id, Aspect: aspect, Text: text}) }
	if h.resp.Status != g.resp.Status {
		add("status", fmt.Sprintf("haproxy %q, goproxy %q", h.resp.Status, g.resp.Status))
	}
	if sh, sg := serverOf(h.resp), serverOf(g.resp); sh != sg {
		add("server", fmt.Sprintf("haproxy %s, goproxy %s", sh, sg))
	}
	mapAll := func(f func(string) string, xs []string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = f(x)
		}
		return out
	}
	for _, l := range linediff.Lines(mapAll(nh.header, h.resp.Headers), mapAll(ng.header, g.resp.Headers)) {
		add("header", l)
	}
	bh, bg := nh.body(reqName, h.resp.Body), ng.body(reqName, g.resp.Body)
	if bh != bg {
		for _, l := range linediff.Lines(strings.Split(bh, "\n"), strings.Split(bg, "\n")) {
			add("body", l)
		}
	}
	for _, l := range linediff.Lines(mapAll(nh.log, h.logs), mapAll(ng.log, g.logs)) {
		add("log", l)
	}
	return ds
}

// coverRule is one line of the gohacompat block in DIFFERENCES.md:
// ASPECT REQUEST-GLOB REGEX.
type coverRule struct {
	Aspect, Glob string
	Re           *regexp.Regexp
	Line         int
	Src          string
}

// loadCovered reads the fenced ```gohacompat block(s) of DIFFERENCES.md.
func loadCovered(file string) ([]coverRule, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var rules []coverRule
	in := false
	for i, line := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case !in && t == "```gohacompat":
			in = true
		case in && t == "```":
			in = false
		case in && t != "" && !strings.HasPrefix(t, "#"):
			f := strings.Fields(t)
			if len(f) < 3 {
				return nil, fmt.Errorf("%s:%d: expected ASPECT REQUEST-GLOB REGEX", file, i+1)
			}
			re, err := regexp.Compile(strings.TrimSpace(t[strings.Index(t, f[1])+len(f[1]):]))
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", file, i+1, err)
			}
			rules = append(rules, coverRule{Aspect: f[0], Glob: f[1], Re: re, Line: i + 1, Src: t})
		}
	}
	return rules, nil
}

// cover marks the differences a rule covers.
func cover(ds []diff, rules []coverRule, file string) {
	for i := range ds {
		for _, r := range rules {
			if r.Aspect != "*" && r.Aspect != ds[i].Aspect {
				continue
			}
			if ok, _ := path.Match(r.Glob, ds[i].Request); !ok {
				continue
			}
			if r.Re.MatchString(ds[i].Text) {
				ds[i].Covered = fmt.Sprintf("%s:%d", file, r.Line)
				break
			}
		}
	}
}

func sortDiffs(ds []diff) {
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Request < ds[j].Request })
}
