package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// target is one listener a request is sent to, on both sides.
type target struct {
	id     string
	hPort  int
	gPort  int
	listen listener
}

// targets lists the listeners a request goes to. Both sides were rewritten
// from the same lines, so their listeners pair up by position.
func targets(r request, hs, gs *side) []target {
	perProxy := map[string]int{}
	for _, l := range hs.plan.Listeners {
		perProxy[l.Proxy]++
	}
	var ts []target
	for i, l := range hs.plan.Listeners {
		if i >= len(gs.plan.Listeners) {
			break
		}
		switch {
		case r.Target == "" && l.TLS:
			continue
		case r.Target != "" && r.Target != l.Proxy && r.Target != l.Original:
			continue
		}
		id := r.Name + "@" + l.Proxy
		if perProxy[l.Proxy] > 1 {
			id += "[" + l.Original + "]"
		}
		ts = append(ts, target{id: id, hPort: l.Port, gPort: gs.plan.Listeners[i].Port, listen: l})
	}
	return ts
}

// compareRun replays every request against both sides at the same time
// and compares what came back, after comparing the start-up log lines.
func compareRun(o options, reqs []request, hs, gs *side, w io.Writer) []diff {
	nh, ng := normaliser{hs.plan.portNames()}, normaliser{gs.plan.portNames()}
	// Start-up: the lines both send when their proxies start.
	var hStart, gStart []string
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); hStart = hs.sink.since(0, 500*time.Millisecond) }()
	go func() { defer wg.Done(); gStart = gs.sink.since(0, 500*time.Millisecond) }()
	wg.Wait()
	ds := compareExchange("startup", "startup", nh, ng, exchangeResult{logs: hStart}, exchangeResult{logs: gStart})
	exchanges, identical := 0, 0
	for _, r := range reqs {
		ts := targets(r, hs, gs)
		head := strings.HasPrefix(string(r.Raw), "HEAD ")
		for _, t := range ts {
			exchanges++
			var h, g exchangeResult
			wg.Add(2)
			go func() { defer wg.Done(); h = play(hs, t.hPort, r.Raw, head) }()
			go func() { defer wg.Done(); g = play(gs, t.gPort, r.Raw, head) }()
			wg.Wait()
			got := compareExchange(t.id, r.Name, nh, ng, h, g)
			if len(got) == 0 {
				identical++
			}
			if o.verbose {
				verdict := "identical"
				if len(got) > 0 {
					verdict = fmt.Sprintf("%d differences", len(got))
				}
				fmt.Fprintf(w, "  %-40s %-40s %s\n", t.id, firstLine(h.resp.Status), verdict)
			}
			ds = append(ds, got...)
		}
	}
	fmt.Fprintf(w, "%d requests, %d exchanges with each of haproxy and goproxy: %d identical, %d differ\n", len(reqs), exchanges, identical, exchanges-identical)
	return ds
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// play sends one request to one side and collects the log lines it
// produced (a log line comes when the stream ends, shortly after the
// response).
func play(s *side, port int, raw []byte, head bool) exchangeResult {
	before := s.sink.count()
	resp := exchange(port, raw, head)
	return exchangeResult{resp: resp, logs: s.sink.since(before, 300*time.Millisecond)}
}

// report prints the differences and returns the exit status.
func report(w io.Writer, o options, ds []diff) int {
	undocumented, covered := 0, 0
	byReq := map[string][]diff{}
	var order []string
	for _, d := range ds {
		if _, ok := byReq[d.Request]; !ok {
			order = append(order, d.Request)
		}
		byReq[d.Request] = append(byReq[d.Request], d)
		if d.Covered != "" {
			covered++
		} else {
			undocumented++
		}
	}
	fmt.Fprintf(w, "gohacompat: %s — haproxy (%s) vs goproxy (%s)\n", o.cfg, o.haproxy, o.goproxy)
	for _, id := range order {
		fmt.Fprintf(w, "%s:\n", id)
		for _, d := range byReq[id] {
			mark := "UNDOCUMENTED"
			if d.Covered != "" {
				mark = "covered by " + d.Covered
			}
			fmt.Fprintf(w, "  %-7s %s    [%s]\n", d.Aspect, d.Text, mark)
		}
	}
	switch {
	case len(ds) == 0:
		fmt.Fprintln(w, "result: identical — no difference")
	case undocumented == 0:
		fmt.Fprintf(w, "result: %d differences, all covered by %s\n", covered, o.differences)
	default:
		fmt.Fprintf(w, "result: %d undocumented differences (%d covered by %s)\n", undocumented, covered, o.differences)
	}
	if undocumented > 0 {
		return 1
	}
	return 0
}
