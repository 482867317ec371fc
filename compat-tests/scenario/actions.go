package scenario

import (
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"

	"goha/internal/topo"
)

// The actions a scenario's script is written with: client requests
// through the VIP, faults, and waits that measure what they caused.

// Step marks the start of a scripted action in the transcript.
func (r *Run) Step(what string) {
	// Let the log lines of the previous step arrive first: a proxy sends
	// a request's line just after the response the client already has.
	time.Sleep(50 * time.Millisecond)
	r.stepAt = time.Now()
	r.rec.add("script", what)
	r.vipMu.Lock()
	r.vipTrail = append(r.vipTrail, vipSample{at: r.stepAt, mark: what})
	r.marks = append(r.marks, vipSample{at: r.stepAt, mark: what})
	r.vipMu.Unlock()
}

// Note adds an outcome line to the script section.
func (r *Run) Note(format string, args ...any) {
	r.rec.add("script", "  "+fmt.Sprintf(format, args...))
}

// Timing records a figure measured from the current step.
func (r *Run) Timing(name string, d time.Duration, ok bool, window time.Duration) {
	r.rec.timing(name, d, ok, window)
}

// Hold waits d, letting the topology settle.
func (r *Run) Hold(d time.Duration) { time.Sleep(d) }

// Get sends one request through the VIP from the client and records it.
// full: record every header and the body; otherwise only the status line,
// the header names and the body's length (for pages that embed clocks).
func (r *Run) Get(port int, path, auth string, full bool) exchange {
	ex, lines := r.get(port, path, auth, full)
	r.rec.add("http", lines...)
	return ex
}

// get sends the request and returns the transcript lines for it.
func (r *Run) get(port int, path, auth string, full bool) (exchange, []string) {
	q := request{addr: fmt.Sprintf("%s:%d", topo.VIP, port), path: path, auth: auth}
	ex := do(r.hosts[client].NS, q, 5*time.Second)
	who := "-"
	switch string(ex.body) {
	case "this is first real-server\n":
		who = "real-server1"
	case "this is second real-server\n":
		who = "real-server2"
	}
	label := fmt.Sprintf("GET :%d%s", port, path)
	if auth != "" {
		label += " (auth " + auth + ")"
	}
	if ex.status == "" {
		return ex, []string{fmt.Sprintf("%s -> no answer (%s)", label, errClass(ex.err))}
	}
	code := strings.Fields(ex.status + " -")[1]
	lines := []string{fmt.Sprintf("%s -> %s %s", label, code, who), "  " + ex.status}
	for _, h := range ex.headers {
		if full {
			lines = append(lines, "  "+normaliseHeader(h))
		} else {
			name, _, _ := strings.Cut(h, ":")
			lines = append(lines, "  "+name+": <masked>")
		}
	}
	if full {
		lines = append(lines, fmt.Sprintf("  body %q", ex.body))
	} else {
		lines = append(lines, "  body <masked>")
	}
	if ex.err != nil {
		lines = append(lines, "  error "+errClass(ex.err))
	}
	return ex, lines
}

// errClass keeps what kind of failure an error was, not its addresses.
func errClass(err error) string {
	if err == nil {
		return "none"
	}
	s := err.Error()
	for _, k := range []string{"connection refused", "i/o timeout", "connection reset", "no route to host", "EOF"} {
		if strings.Contains(s, k) {
			return k
		}
	}
	return "error"
}

// Browse sends count requests for path and notes which real servers
// answered, in order.
func (r *Run) Browse(path string, count int) []string {
	return r.browse(path, count, false)
}

// BrowseUnordered is Browse where the order of the answers is a race (the
// balancer's round-robin position depends on which server came back
// first); the exchanges are recorded sorted.
func (r *Run) BrowseUnordered(path string, count int) []string {
	return r.browse(path, count, true)
}

func (r *Run) browse(path string, count int, unordered bool) []string {
	var who []string
	var blocks []string
	for i := 0; i < count; i++ {
		ex, lines := r.get(80, path, "", true)
		blocks = append(blocks, strings.Join(lines, "\n"))
		w := "no answer"
		switch string(ex.body) {
		case "this is first real-server\n":
			w = "real-server1"
		case "this is second real-server\n":
			w = "real-server2"
		default:
			if ex.status != "" {
				w = strings.Fields(ex.status + " -")[1]
			}
		}
		who = append(who, w)
	}
	how := "answered by"
	if unordered {
		sort.Strings(blocks)
		who = append([]string(nil), who...)
		sort.Strings(who)
		how = "answered by (in any order)"
	}
	for _, b := range blocks {
		r.rec.add("http", strings.Split(b, "\n")...)
	}
	r.Note("%s x%d %s: %s", path, count, how, strings.Join(who, " "))
	return who
}

// StopRealServer stops a real server's nginx (SIGQUIT, as systemctl does).
func (r *Run) StopRealServer(name string) { r.nginx[name].Stop() }

// StartRealServer starts it again.
func (r *Run) StartRealServer(name string) {
	if err := r.nginx[name].Start(); err != nil {
		r.Note("cannot start nginx on %s: %v", name, err)
	}
}

// WaitLog waits for a syslog line from host's proxy containing sub, after
// the current step, and returns the delay.
func (r *Run) WaitLog(host, sub string, limit time.Duration) (time.Duration, bool) {
	s, ok := r.syslog[host].wait(sub, r.stepAt, limit)
	if !ok {
		r.Note("no log line with %q on %s", sub, host)
		return 0, false
	}
	return s.at.Sub(r.stepAt), true
}

// SignalVRRP sends sig to host's VRRP daemon.
func (r *Run) SignalVRRP(host string, sig syscall.Signal) { r.vrrp[host].signal(sig) }

// KillVRRP kills every process of host's VRRP daemon.
func (r *Run) KillVRRP(host string) { r.vrrp[host].kill() }

// WaitVRRPExit waits for host's VRRP daemon to exit and returns how long
// after the current step it did.
func (r *Run) WaitVRRPExit(host string, limit time.Duration) (time.Duration, bool) {
	ok := r.vrrp[host].wait(limit)
	if !ok {
		r.Note("VRRP daemon on %s still running", host)
		return 0, false
	}
	return r.vrrp[host].exitedAt.Sub(r.stepAt), true
}

// StartVRRP starts host's VRRP daemon again.
func (r *Run) StartVRRP(host string) {
	if err := r.vrrp[host].start(); err != nil {
		r.Note("cannot start VRRP on %s: %v", host, err)
	}
}

// StopProxy stops host's proxy.
func (r *Run) StopProxy(host string) {
	if err := r.proxy[host].stop(); err != nil {
		r.Note("%v", err)
	}
}

// SetBalancerLink attaches or detaches master's port on the bridge: its
// ens33 stays up but nothing reaches the other hosts, as a pulled cable
// between switch and balancer would do (master is the topology's first
// host: bridge port p0).
func (r *Run) SetBalancerLink(attached bool) {
	args := []string{"-n", r.tp.Bridge, "link", "set", "p0", "nomaster"}
	if attached {
		args = []string{"-n", r.tp.Bridge, "link", "set", "p0", "master", "br0"}
	}
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		r.Note("ip %s: %v %s", strings.Join(args, " "), err, out)
	}
}
