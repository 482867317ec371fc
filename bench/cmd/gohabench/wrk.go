package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// wrkLoad is one wrk invocation.
type wrkLoad struct {
	path    string
	conns   int
	headers [][2]string // added to every request, in order
	// scrape, when set, is a path fetched every 100 ms on a separate
	// connection while the measured load runs (the stats scenario).
	scrape string
}

// wrkResult is what wrk's done() callback reports (bench/wrk/report.lua).
type wrkResult struct {
	Requests   int64   `json:"requests"`
	DurationUS int64   `json:"duration_us"`
	Bytes      int64   `json:"bytes"`
	Connect    int64   `json:"connect"`
	Read       int64   `json:"read"`
	Write      int64   `json:"write"`
	Status     int64   `json:"status"`
	Timeout    int64   `json:"timeout"`
	P50US      float64 `json:"p50_us"`
	P99US      float64 `json:"p99_us"`
}

func (r wrkResult) seconds() float64 { return float64(r.DurationUS) / 1e6 }

func (r wrkResult) rps() float64 {
	if r.DurationUS == 0 {
		return 0
	}
	return float64(r.Requests) / r.seconds()
}

// problems lists the errors wrk counted; a run with errors is reported,
// since a proxy answering errors fast is not fast.
func (r wrkResult) problems() string {
	var p []string
	for _, e := range []struct {
		n    int64
		what string
	}{{r.Connect, "connect"}, {r.Read, "read"}, {r.Write, "write"}, {r.Timeout, "timeout"}, {r.Status, "non-2xx/3xx"}} {
		if e.n > 0 {
			p = append(p, fmt.Sprintf("%d %s errors", e.n, e.what))
		}
	}
	return strings.Join(p, ", ")
}

// wrkScript is the Lua script wrk runs: fixed extra headers (set once, so
// wrk still sends one pre-built request) and a done() that prints the
// summary as one JSON line the harness reads.
func wrkScript(headers [][2]string) string {
	var b strings.Builder
	for _, h := range headers {
		fmt.Fprintf(&b, "wrk.headers[%q] = %q\n", h[0], h[1])
	}
	b.WriteString(`done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('GOHABENCH {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`)
	return b.String()
}

// runWrk runs wrk with one thread on the load generator's CPU.
func (h *harness) runWrk(addr string, l wrkLoad, d time.Duration) (wrkResult, error) {
	h.scripts++
	script := filepath.Join(h.tmp, fmt.Sprintf("wrk-%d.lua", h.scripts))
	if err := os.WriteFile(script, []byte(wrkScript(l.headers)), 0o644); err != nil {
		return wrkResult{}, err
	}
	secs := max(1, int(d.Round(time.Second)/time.Second))
	cmd := exec.Command("taskset", "-c", h.loadCPU, h.wrk, "-t1", fmt.Sprintf("-c%d", l.conns),
		fmt.Sprintf("-d%ds", secs), "--timeout", "10s", "-s", script, "http://"+addr+l.path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %v: %s", err, errb.String())
	}
	return parseWrk(out.String())
}

func parseWrk(out string) (wrkResult, error) {
	for _, l := range strings.Split(out, "\n") {
		if js, ok := strings.CutPrefix(l, "GOHABENCH "); ok {
			var r wrkResult
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				return r, fmt.Errorf("wrk summary %q: %v", js, err)
			}
			return r, nil
		}
	}
	return wrkResult{}, fmt.Errorf("wrk printed no summary: %q", out)
}
