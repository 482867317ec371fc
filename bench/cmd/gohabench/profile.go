package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// profiled are the loads goproxy-prof is profiled under.
var profiled = []struct {
	scenario string
	load     wrkLoad
}{
	{"keepalive", wrkLoad{path: "/small", conns: 64}},
	{"close", wrkLoad{path: "/small", conns: 64, headers: [][2]string{{"Connection", "close"}}}},
}

// profile runs each profiled load against goproxy-prof (goproxy's engine
// with a CPU profile; bench/cmd/goproxy-prof) for twice the run duration
// and keeps pprof's top functions. outDir receives goproxy-NAME.pprof and
// goproxy-NAME.top.txt.
func (h *harness) profile(bin, outDir string) ([]*ProfileResult, error) {
	dir, err := filepath.Abs(outDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	saved, savedEnv, d := h.goproxy, h.goproxyEnv, h.duration
	defer func() { h.goproxy, h.goproxyEnv, h.duration = saved, savedEnv, d }()
	var out []*ProfileResult
	for _, p := range profiled {
		prof := filepath.Join(dir, "goproxy-"+p.scenario+".pprof")
		h.goproxy, h.goproxyEnv, h.duration = bin, []string{"GOHA_CPUPROFILE=" + prof}, 2*d
		sr := &ScenarioResult{Name: "profile"}
		if err := h.wrkScenario(sr, tGoproxy, shapePlain, h.be.httpPort, p.load, len(smallBody), false); err != nil {
			return out, err
		}
		// The profile is complete once the process has exited
		// (wrkScenario stopped it); pprof reads symbols from the binary.
		top, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=30", bin, prof).CombinedOutput()
		if err != nil {
			return out, fmt.Errorf("pprof: %v: %s", err, top)
		}
		text := strings.TrimRight(string(top), "\n")
		if err := os.WriteFile(strings.TrimSuffix(prof, ".pprof")+".top.txt", []byte(text+"\n"), 0o644); err != nil {
			return out, err
		}
		rel, _ := filepath.Rel(mustGetwd(), prof)
		out = append(out, &ProfileResult{Scenario: p.scenario + " (goproxy-prof, " + (2 * d).String() + ")", File: rel, Top: strings.Split(text, "\n")})
	}
	return out, nil
}

func mustGetwd() string {
	wd, _ := os.Getwd()
	return wd
}

// syscallCounts attaches strace -c to goproxy and haproxy under the
// profiled loads and reports system calls per request: on loopback most
// of a proxy's CPU time is spent in them, so their number per request is
// what the engine can change.
func (h *harness) syscallCounts() (*ScenarioResult, error) {
	if _, err := exec.LookPath("strace"); err != nil {
		return nil, fmt.Errorf("strace is not installed")
	}
	sr := &ScenarioResult{Name: "syscalls", Description: "system calls per request under strace -f -c (strace slows the proxy: counts only, no speed)"}
	for _, p := range profiled {
		for _, t := range []string{tGoproxy, tHaproxy} {
			if err := h.straceRun(sr, p.scenario, p.load, t); err != nil {
				sr.Errors = append(sr.Errors, fmt.Sprintf("%s %s: %v", p.scenario, t, err))
			}
		}
	}
	sr.finish()
	return sr, nil
}

func (h *harness) straceRun(sr *ScenarioResult, name string, l wrkLoad, t string) error {
	r, err := h.startTarget(t, shapePlain, h.be.httpPort, true)
	if err != nil {
		return err
	}
	defer r.stop()
	h.starts++
	out := filepath.Join(h.tmp, fmt.Sprintf("strace-%d.txt", h.starts))
	st, err := startPinned("strace", h.loadCPU, out+".log", nil, "strace", "-f", "-c", "-o", out, "-p", strconv.Itoa(r.proc.pid()))
	if err != nil {
		return err
	}
	// strace attaches thread by thread; the proxy answers again once it
	// is done.
	time.Sleep(time.Second)
	if err := fetchOnce(r.addr, l.path, len(smallBody)); err != nil {
		st.stop()
		return err
	}
	res, err := h.runWrk(r.addr, l, min(h.duration, 3*time.Second))
	st.stop() // strace writes its table when interrupted
	if err != nil {
		return err
	}
	calls, err := readStraceTable(out)
	if err != nil {
		return err
	}
	if res.Requests == 0 {
		return fmt.Errorf("no requests")
	}
	total := 0.0
	for _, name := range []string{"write", "sendto", "writev", "sendmsg"} {
		total += calls[name]
	}
	sr.metric(name+": writes", "per req", "lower").add(t, total/float64(res.Requests))
	reads := calls["read"] + calls["recvfrom"] + calls["readv"] + calls["recvmsg"]
	sr.metric(name+": reads", "per req", "lower").add(t, reads/float64(res.Requests))
	sr.metric(name+": reads that found nothing (EAGAIN)", "per req", "lower").add(t, calls["read.errors"]/float64(res.Requests)+calls["recvfrom.errors"]/float64(res.Requests))
	sr.metric(name+": setsockopt", "per req", "lower").add(t, calls["setsockopt"]/float64(res.Requests))
	sr.metric(name+": epoll", "per req", "lower").add(t, (calls["epoll_ctl"]+calls["epoll_wait"]+calls["epoll_pwait"])/float64(res.Requests))
	sr.metric(name+": all system calls", "per req", "lower").add(t, calls["total"]/float64(res.Requests))
	h.progress("%-9s %-7s %-9s %5.2f syscalls/req (%d requests)", "syscalls", t, name, calls["total"]/float64(res.Requests), res.Requests)
	return nil
}

// readStraceTable reads strace -c's summary: calls per system call, its
// errors as NAME.errors, and the total.
func readStraceTable(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		// % time, seconds, usecs/call, calls, [errors], syscall
		if len(fl) < 5 || strings.HasPrefix(fl[0], "%") || strings.HasPrefix(fl[0], "-") {
			continue
		}
		name := fl[len(fl)-1]
		calls, err := strconv.ParseFloat(fl[3], 64)
		if err != nil {
			continue
		}
		m[name] = calls
		if len(fl) == 6 {
			if e, err := strconv.ParseFloat(fl[4], 64); err == nil {
				m[name+".errors"] = e
			}
		}
	}
	return m, sc.Err()
}
