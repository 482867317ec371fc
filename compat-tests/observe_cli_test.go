package compattests

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cliCommand sends one command on the runtime socket of o, as
// "echo cmd | socat stdio unix:admin.sock" does, and returns the answer.
func cliCommand(t *testing.T, o *observed, cmd string) string {
	t.Helper()
	c, err := net.Dial("unix", filepath.Join(o.dir, "admin.sock"))
	if err != nil {
		t.Fatalf("%s: runtime socket: %v", o.name, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, cmd+"\n")
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("%s: %q: %v", o.name, cmd, err)
	}
	return string(out)
}

// whoAnswers sends n requests to the web frontend of o and counts the
// answers by real server.
func whoAnswers(t *testing.T, o *observed, n int) map[string]int {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	who := map[string]int{}
	for i := 0; i < n; i++ {
		_, _, body := observeGet(t, client, fmt.Sprintf("http://127.0.0.1:%d/", o.web), "", "")
		who[strings.Fields(body + " ? ? ?")[2]]++
	}
	return who
}

// lastChange masks srv_time_since_last_change (10th column) of "show
// servers state" lines, the one figure that depends on timing.
var lastChange = regexp.MustCompile(`(?m)^((?:\S+ ){9})\d+ `)

// TestObserveRuntimeSocket: a script of runtime commands (show stat,
// disable server, get/set weight, show servers state, enable server)
// gives the same answers and the same traffic through goproxy as through
// haproxy 2.6.
func TestObserveRuntimeSocket(t *testing.T) {
	hap, gop := startObservePair(t, "")
	for _, o := range []*observed{hap, gop} {
		waitStat(t, o, checksSettled)
	}
	type step struct {
		cmd      string
		requests int // then send this many requests and compare who answered
	}
	script := []step{
		{"show stat -1 4 -1", 0},
		{"disable server httpservers/http1", 10},
		{"get weight httpservers/http2", 0},
		{"show servers state httpservers", 0},
		{"set weight httpservers/http2 0", 0},
		{"get weight httpservers/http2", 0},
		{"set server httpservers/http2 weight 3", 0},
		{"enable server httpservers/http1", 8},
		{"set server httpservers/http1 state drain", 6},
		{"set server httpservers/http1 state ready", 6},
		{"show servers state httpservers", 0},
	}
	answers := map[string][]string{}
	for _, o := range []*observed{hap, gop} {
		for _, st := range script {
			out := cliCommand(t, o, st.cmd)
			if strings.HasPrefix(st.cmd, "show servers state") {
				out = lastChange.ReplaceAllString(out, "${1}<age> ")
			}
			if strings.HasPrefix(st.cmd, "show stat") {
				out = maskStatVolatile(out)
			}
			line := st.cmd + " -> " + out
			if st.requests > 0 {
				line += fmt.Sprintf(" | traffic %v", whoAnswers(t, o, st.requests))
			}
			answers[o.name] = append(answers[o.name], line)
		}
	}
	t.Logf("goproxy's answers:\n%s", strings.Join(answers["goproxy"], "\n"))
	for i := range script {
		if h, g := answers["haproxy"][i], answers["goproxy"][i]; h != g {
			t.Errorf("step %d:\n goproxy %q\n haproxy %q", i, g, h)
		}
	}
}

// maskStatVolatile blanks the show stat columns that depend on timing or
// on the byte counts of health checks and polls (lastchg, check_duration,
// bin/bout, rates, times, last_chk...) so the rest can be compared.
func maskStatVolatile(out string) string {
	lines := strings.Split(out, "\n")
	if len(lines) == 0 {
		return out
	}
	cols := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
	keep := map[string]bool{"pxname": true, "svname": true, "qcur": true, "scur": true, "slim": true,
		"stot": true, "status": true, "weight": true, "act": true, "bck": true, "chkdown": true,
		"iid": true, "sid": true, "lbtot": true, "type": true, "check_status": true, "check_desc": true,
		"hrsp_2xx": true, "econ": true, "eresp": true, "agent_status": true, "mode": true, "addr": true}
	for i := 1; i < len(lines); i++ {
		f := strings.Split(lines[i], ",")
		for j := range f {
			if j < len(cols) && !keep[cols[j]] {
				f[j] = "*"
			}
		}
		lines[i] = strings.Join(f, ",")
	}
	return strings.Join(lines, "\n")
}

// TestObserveDisableStopsTraffic: once "disable server" has returned, no
// request started afterwards reaches the disabled server, while requests
// keep flowing from several clients.
func TestObserveDisableStopsTraffic(t *testing.T) {
	_, gop := startObservePair(t, "")
	waitStat(t, gop, checksSettled)
	var disabledAt atomic.Int64 // unix ns when the command returned, 0 before
	var bad, total atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 5 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now().UnixNano()
				resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/", gop.web))
				if err != nil {
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				total.Add(1)
				if at := disabledAt.Load(); at != 0 && start > at && strings.Contains(string(body), "first") {
					bad.Add(1)
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if out := cliCommand(t, gop, "disable server httpservers/http1"); out != "\n" {
		t.Fatalf("disable server answered %q", out)
	}
	disabledAt.Store(time.Now().UnixNano())
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if bad.Load() != 0 {
		t.Errorf("%d requests started after the disable reached http1 (of %d)", bad.Load(), total.Load())
	}
	if total.Load() < 20 {
		t.Errorf("only %d requests went through", total.Load())
	}
	t.Logf("%d requests, none to the disabled server after the command", total.Load())
}

// TestObserveDisableFrontend: "disable frontend" stops new clients of that
// frontend only and "show stat" says PAUSED, "enable frontend" brings it
// back, as with haproxy 2.6 (whose paused listener leaves new clients in
// the accept queue instead of refusing them: a client's request does not
// get an answer either way).
func TestObserveDisableFrontend(t *testing.T) {
	hap, gop := startObservePair(t, "")
	for _, o := range []*observed{hap, gop} {
		waitStat(t, o, checksSettled)
		if out := cliCommand(t, o, "disable frontend web"); out != "\n" {
			t.Errorf("%s: disable frontend answered %q", o.name, out)
		}
		st := waitStat(t, o, func(csvStat) bool { return true })
		if got := st.rows["web/FRONTEND"]["status"]; got != "PAUSED" {
			t.Errorf("%s: web status %q after disable, want PAUSED", o.name, got)
		}
		client := &http.Client{Timeout: 500 * time.Millisecond}
		if resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/", o.web)); err == nil {
			resp.Body.Close()
			t.Errorf("%s: a paused frontend answered %d", o.name, resp.StatusCode)
		}
		if out := cliCommand(t, o, "enable frontend web"); out != "\n" {
			t.Errorf("%s: enable frontend answered %q", o.name, out)
		}
		if who := whoAnswers(t, o, 2); who["first"]+who["second"] != 2 {
			t.Errorf("%s: after enable: %v", o.name, who)
		}
		st = waitStat(t, o, func(csvStat) bool { return true })
		if got := st.rows["web/FRONTEND"]["status"]; got != "OPEN" {
			t.Errorf("%s: web status %q after enable, want OPEN", o.name, got)
		}
	}
}
