package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The demo's names: internal/topo names every namespace "gh"+id+"-"+host,
// and the demo fixes id to "demo".
const (
	demoID   = "demo"
	nsPrefix = "gh" + demoID + "-"
)

// stateFile records a running demo, so that "goha-demo down" (make
// demo-down, from another terminal or after a crash) finds what to remove.
var stateFile = "/run/goha-demo/state.json"

type demoState struct {
	PID        int       `json:"pid"` // the goha-demo process
	Started    time.Time `json:"started"`
	Namespaces []string  `json:"namespaces"`
	// Pids are the processes the demo started; all of them live inside
	// the namespaces, which down empties anyway.
	Pids []int `json:"pids"`
}

func writeState(s demoState) error {
	if err := os.MkdirAll(filepath.Dir(stateFile), 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	return os.WriteFile(stateFile, append(b, '\n'), 0o644)
}

func readState() (demoState, bool) {
	var s demoState
	b, err := os.ReadFile(stateFile)
	if err != nil {
		return s, false
	}
	return s, json.Unmarshal(b, &s) == nil
}

// demoNamespaces lists the namespaces named like the demo's that exist now.
func demoNamespaces() []string {
	m, _ := filepath.Glob("/run/netns/" + nsPrefix + "*")
	var names []string
	for _, p := range m {
		names = append(names, filepath.Base(p))
	}
	return names
}

// isDemo reports whether pid is a running goha-demo (not a reused pid).
func isDemo(pid int) bool {
	if pid <= 0 || pid == os.Getpid() {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return err == nil && strings.Contains(string(b), "goha-demo")
}

// downMain tears a demo down: it asks the demo process to clean up (it
// tears down what it built on SIGTERM), then removes whatever is left —
// every process inside the demo's namespaces (all started by the demo)
// and the namespaces themselves.
func downMain(args []string) int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "goha-demo down: needs root")
		return 1
	}
	st, haveState := readState()
	asked := false
	if haveState && isDemo(st.PID) {
		asked = true
		fmt.Printf("asking the demo (pid %d) to tear down...\n", st.PID)
		syscall.Kill(st.PID, syscall.SIGTERM)
		for i := 0; i < 300 && isDemo(st.PID); i++ {
			time.Sleep(50 * time.Millisecond)
		}
		if isDemo(st.PID) {
			fmt.Printf("the demo (pid %d) did not exit; killing it\n", st.PID)
			syscall.Kill(st.PID, syscall.SIGKILL)
		}
	}
	names := map[string]bool{}
	for _, n := range st.Namespaces {
		if strings.HasPrefix(n, nsPrefix) {
			names[n] = true
		}
	}
	for _, n := range demoNamespaces() {
		names[n] = true
	}
	killed := 0
	for n := range names {
		for _, pid := range nsPids(n) {
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
			}
		}
	}
	removed := 0
	for n := range names {
		if _, err := os.Stat("/run/netns/" + n); err != nil {
			continue
		}
		// A killed process may take a moment to leave the namespace.
		var err error
		for i := 0; i < 20; i++ {
			if err = exec.Command("ip", "netns", "del", n).Run(); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "goha-demo down: ip netns del %s: %v\n", n, err)
			continue
		}
		removed++
	}
	tmps, _ := filepath.Glob(filepath.Join(os.TempDir(), "topo-"+demoID+"-*"))
	for _, d := range tmps {
		os.RemoveAll(d)
	}
	os.Remove(stateFile)
	os.Remove(filepath.Dir(stateFile))
	left := demoNamespaces()
	switch {
	case len(left) > 0:
		fmt.Fprintf(os.Stderr, "goha-demo down: namespaces left: %s\n", strings.Join(left, " "))
		return 1
	case removed == 0 && killed == 0 && asked:
		fmt.Println("the demo tore itself down: nothing left behind")
	case removed == 0 && killed == 0:
		fmt.Println("no demo running: nothing to remove")
	default:
		fmt.Printf("demo removed: %d namespaces deleted, %d leftover processes killed\n", removed, killed)
	}
	return 0
}

// nsPids lists the processes whose network namespace is ns.
func nsPids(ns string) []int {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	return pids
}
