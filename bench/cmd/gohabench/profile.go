package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// profile runs the keep-alive load against goproxy-prof (goproxy's engine
// with a CPU profile; bench/cmd/goproxy-prof) for twice the run duration
// and keeps pprof's top functions.
func (h *harness) profile(bin, out string) (*ProfileResult, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, err
	}
	saved, savedEnv := h.goproxy, h.goproxyEnv
	h.goproxy, h.goproxyEnv = bin, []string{"GOHA_CPUPROFILE=" + abs}
	defer func() { h.goproxy, h.goproxyEnv = saved, savedEnv }()
	sr := &ScenarioResult{Name: "profile"}
	d := h.duration
	h.duration = 2 * d
	err = h.wrkScenario(sr, tGoproxy, shapePlain, h.be.httpPort, wrkLoad{path: "/small", conns: 64}, len(smallBody), false)
	h.duration = d
	if err != nil {
		return nil, err
	}
	// The profile is complete once the process has exited (wrkScenario
	// stopped it); pprof reads symbols from the binary.
	top, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=30", bin, abs).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("pprof: %v: %s", err, top)
	}
	text := strings.TrimRight(string(top), "\n")
	if err := os.WriteFile(strings.TrimSuffix(abs, ".pprof")+".top.txt", []byte(text+"\n"), 0o644); err != nil {
		return nil, err
	}
	res := &ProfileResult{Scenario: "keepalive (goproxy-prof, " + (2 * d).String() + ")", File: out}
	for _, l := range strings.Split(text, "\n") {
		res.Top = append(res.Top, l)
	}
	return res, nil
}
