package compattests

// The leak test (issue 3, last acceptance item): goproxy, run as a binary,
// takes 10,000 requests of mixed kinds — keep-alive, Connection: close,
// pipelined, clients aborting mid-request and mid-response, malformed
// requests (400), servers closing without an answer (502), server timeouts
// (504), client timeouts (408) — and once idle again its descriptors,
// threads and goroutines must be back to the baseline and its memory must
// not keep growing. Goroutines are counted through goproxy's debug switch
// GOHA_DEBUG_GOROUTINES (cmd/goproxy/debug.go).

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// leakConfig keeps every timeout short so the error kinds cost little.
const leakConfig = `global
    maxconn 2000
defaults
    mode http
    timeout connect 500ms
    timeout client 2s
    timeout server 300ms
    timeout http-request 300ms
    timeout http-keep-alive 500ms
frontend fe
    bind {L}
    default_backend be
backend be
    balance roundrobin
    server s1 {S0}
    server s2 {S1}
`

// leakServer is a backend: "/" answers a short body, /big a large one,
// /slow after 100 ms, /hang after 1 s (beyond timeout server), and /drop
// closes the connection without answering. Idle connections are closed
// after 400 ms so that goproxy's pooled connections end too.
func leakServer(t *testing.T) string {
	t.Helper()
	big := strings.Repeat("x", 256<<10)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, big) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
		io.WriteString(w, "slow\n")
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
		io.WriteString(w, "late\n")
	})
	mux.HandleFunc("/drop", func(w http.ResponseWriter, r *http.Request) {
		if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
			c.Close()
		}
	})
	ln, err := net.Listen("tcp4", freeLoopback(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, IdleTimeout: 400 * time.Millisecond}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// procFigures are what /proc and the debug dump say about a process.
type procFigures struct {
	fds, threads, goroutines int
	rssKB                    int
	// serverConns counts the process's connections to the backends by
	// TCP state (ESTAB, CLOSE-WAIT...).
	serverConns map[string]int
}

func (f procFigures) String() string {
	return fmt.Sprintf("fds=%d threads=%d goroutines=%d rss=%dkB server-conns=%v", f.fds, f.threads, f.goroutines, f.rssKB, f.serverConns)
}

// tcpStates are the state codes of /proc/net/tcp.
var tcpStates = map[string]string{"01": "ESTAB", "02": "SYN-SENT", "04": "FIN-WAIT-1", "05": "FIN-WAIT-2",
	"06": "TIME-WAIT", "07": "CLOSE", "08": "CLOSE-WAIT", "09": "LAST-ACK", "0A": "LISTEN", "0B": "CLOSING"}

// serverConns counts pid's sockets connected to one of servers, by state:
// the socket inodes of /proc/PID/fd matched in /proc/net/tcp.
func serverConns(pid int, servers []string) map[string]int {
	inodes := map[string]bool{}
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, e := range ents {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	remotes := map[string]bool{}
	for _, s := range servers {
		_, port, _ := net.SplitHostPort(s)
		p, _ := strconv.Atoi(port)
		remotes[fmt.Sprintf("0100007F:%04X", p)] = true
	}
	out := map[string]int{}
	b, _ := os.ReadFile("/proc/net/tcp")
	for _, l := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) > 9 && remotes[f[2]] && inodes[f[9]] {
			out[tcpStates[f[3]]]++
		}
	}
	return out
}

func readFigures(t *testing.T, pid int, dump string) procFigures {
	t.Helper()
	var f procFigures
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	f.fds = len(ents)
	st := procStatusFields(t, pid)
	f.threads, _ = strconv.Atoi(st["Threads"])
	f.rssKB, _ = strconv.Atoi(strings.TrimSuffix(st["VmRSS"], " kB"))
	if dump != "" {
		f.goroutines = goroutineCount(t, pid, dump)
	}
	return f
}

// procStatusFields reads /proc/PID/status as name -> value.
func procStatusFields(t *testing.T, pid int) map[string]string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok { // "Threads:\t8"
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// goroutineCount asks goproxy for its goroutine count (SIGUSR2 with
// GOHA_DEBUG_GOROUTINES set) and waits for the new dump.
func goroutineCount(t *testing.T, pid int, dump string) int {
	t.Helper()
	os.Remove(dump)
	if err := syscall.Kill(pid, syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		if b, err := os.ReadFile(dump); err == nil {
			n, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err == nil {
				return n
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("goproxy wrote no goroutine count after SIGUSR2")
	return 0
}

// leakKind is one kind of client session: what it sends, how many
// requests it counts for, and the statuses it must see ("" for none).
type leakKind struct {
	name string
	reqs int
	run  func(addr string) (statuses []string, err error)
}

func leakKinds() []leakKind {
	get := func(path, extra string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: leak\r\n" + extra + "\r\n"
	}
	return []leakKind{
		{"keep-alive", 3, func(a string) ([]string, error) {
			return leakSession(a, []string{get("/", ""), "POST / HTTP/1.1\r\nHost: leak\r\nContent-Length: 5\r\n\r\nhello", get("/", "")}, false, 0)
		}},
		{"close", 1, func(a string) ([]string, error) {
			return leakSession(a, []string{get("/", "Connection: close\r\n")}, false, 0)
		}},
		{"pipelined", 3, func(a string) ([]string, error) {
			return leakSession(a, []string{get("/", ""), get("/slow", ""), get("/", "Connection: close\r\n")}, true, 0)
		}},
		{"abort-head", 1, func(a string) ([]string, error) {
			return nil, leakAbort(a, "GET /slow HTTP/1.1\r\nHost: le", 0)
		}},
		{"abort-body", 1, func(a string) ([]string, error) {
			return nil, leakAbort(a, "POST / HTTP/1.1\r\nHost: leak\r\nContent-Length: 100\r\n\r\nabc", 0)
		}},
		{"abort-waiting", 1, func(a string) ([]string, error) {
			return nil, leakAbort(a, get("/slow", ""), 30*time.Millisecond)
		}},
		{"abort-response", 1, func(a string) ([]string, error) {
			return leakSession(a, []string{get("/big", "")}, false, 1)
		}},
		{"malformed-400", 1, func(a string) ([]string, error) {
			return leakSession(a, []string{"GET / HTTP/1.1\r\nHost: leak\r\nBad Header\r\n\r\n"}, false, 0)
		}},
		{"drop-502", 1, func(a string) ([]string, error) {
			return leakSession(a, []string{get("/drop", "")}, false, 0)
		}},
		{"server-timeout-504", 1, func(a string) ([]string, error) {
			return leakSession(a, []string{get("/hang", "")}, false, 0)
		}},
		{"client-timeout-408", 1, func(a string) ([]string, error) {
			return leakSession(a, []string{"GET / HTTP/1.1\r\nHost: leak\r\n"}, false, 0)
		}},
	}
}

// leakWant is the status sequence each kind must see.
var leakWant = map[string]string{
	"keep-alive": "200 200 200", "close": "200", "pipelined": "200 200 200",
	"abort-head": "", "abort-body": "", "abort-waiting": "", "abort-response": "200",
	"malformed-400": "400", "drop-502": "502", "server-timeout-504": "504", "client-timeout-408": "408",
}

// leakSession sends reqs (one after the other, or all at once when
// pipelined) and reads the responses; with headOnly > 0 it closes after
// that many response heads without reading the bodies.
func leakSession(addr string, reqs []string, pipelined bool, headOnly int) ([]string, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	var got []string
	if pipelined {
		if _, err := io.WriteString(c, strings.Join(reqs, "")); err != nil {
			return nil, err
		}
	}
	for _, r := range reqs {
		if !pipelined {
			if _, err := io.WriteString(c, r); err != nil {
				return got, err
			}
		}
		method := strings.Fields(r)[0]
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return got, err
		}
		got = append(got, strconv.Itoa(resp.StatusCode))
		if headOnly > 0 && len(got) == headOnly {
			return got, nil // close with the body unread
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Close {
			break
		}
	}
	return got, nil
}

// leakAbort writes part of a request and closes after wait.
func leakAbort(addr, part string, wait time.Duration) error {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err
	}
	_, err = io.WriteString(c, part)
	time.Sleep(wait)
	c.Close()
	return err
}

// leakLoad runs sessions on workers parallel clients until total requests
// were sent, and returns the failures (wrong statuses, errors) by kind.
func leakLoad(addr string, total, workers int) (sent int64, failures map[string]int, sample map[string]string) {
	kinds := leakKinds()
	// A weighted schedule: mostly ordinary traffic, some of each error.
	var schedule []int
	for i, k := range kinds {
		w := map[string]int{"keep-alive": 16, "close": 8, "pipelined": 8, "server-timeout-504": 1, "client-timeout-408": 1}[k.name]
		if w == 0 {
			w = 2
		}
		for j := 0; j < w; j++ {
			schedule = append(schedule, i)
		}
	}
	var n, next atomic.Int64
	var mu sync.Mutex
	failures, sample = map[string]int{}, map[string]string{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n.Load() < int64(total) {
				k := kinds[schedule[int(next.Add(1))%len(schedule)]]
				n.Add(int64(k.reqs))
				got, err := k.run(addr)
				status := strings.Join(got, " ")
				if err != nil || status != leakWant[k.name] {
					mu.Lock()
					failures[k.name]++
					sample[k.name] = fmt.Sprintf("got %q want %q err %v", status, leakWant[k.name], err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return n.Load(), failures, sample
}

func TestLeakMixedTraffic(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 requests: not in -short mode")
	}
	// haproxy takes the same load first: it proves the expected statuses
	// and shows what its descriptors do meanwhile.
	for _, b := range procBins(t) {
		t.Run(b.name, func(t *testing.T) { runLeak(t, b) })
	}
}

func runLeak(t *testing.T, b procBin) {
	dir := t.TempDir()
	listen := freeLoopback(t)
	s0, s1 := leakServer(t), leakServer(t)
	cfg := strings.NewReplacer("{L}", listen, "{S0}", s0, "{S1}", s1).Replace(leakConfig)
	cfgPath := filepath.Join(dir, "leak.cfg")
	writeFile(t, cfgPath, cfg)
	dump := ""
	var env []string
	if b.name == "goproxy" {
		dump = filepath.Join(dir, "goroutines")
		env = []string{"GOHA_DEBUG_GOROUTINES=" + dump}
	}
	p := startProc(t, b.path, dir, env, "-db", "-f", cfgPath)
	waitListening(t, listen, p.output)
	servers := []string{s0, s1}

	// Warm up (lazy runtime goroutines, buffer pools), then let every
	// keep-alive and pooled connection expire before the baseline.
	if _, fails, s := leakLoad(listen, 200, 8); len(fails) > 0 {
		t.Fatalf("warm-up failures: %v %v", fails, s)
	}
	base := settle(t, p.pid, dump, procFigures{}, servers)
	t.Logf("baseline        %v", base)

	// Two halves: the second must not grow memory the first did not.
	start := time.Now()
	var totalSent int64
	var mid procFigures
	for half := 0; half < 2; half++ {
		sent, fails, sample := leakLoad(listen, 5000, 32)
		totalSent += sent
		for k, n := range fails {
			t.Errorf("%s: %d sessions failed, e.g. %s", k, n, sample[k])
		}
		got := settle(t, p.pid, dump, base, servers)
		t.Logf("after %5d reqs %v (%.1fs)", totalSent, got, time.Since(start).Seconds())
		if half == 0 {
			mid = got
			continue
		}
		// ± small: a few descriptors and threads may come and go with the
		// runtime (netpoll, timers); goroutines are exact but for the
		// runtime's own.
		if got.fds > base.fds+2 {
			t.Errorf("descriptors: %d after the load, %d before; connections to the servers: %v", got.fds, base.fds, got.serverConns)
		}
		// Once idle, connections the servers closed must be gone: haproxy
		// closes an idle server connection as soon as the server does.
		if n := got.serverConns["CLOSE-WAIT"]; n > 0 {
			t.Errorf("%d server connections closed by the servers are still held (CLOSE-WAIT): the idle pool neither notices nor purges them", n)
		}
		if dump != "" && got.goroutines > base.goroutines+2 {
			stacks, _ := os.ReadFile(dump + ".stacks")
			t.Errorf("goroutines: %d after the load, %d before; stacks:\n%s", got.goroutines, base.goroutines, stacks)
		}
		// Go keeps the threads it started (it never exits idle ones), so
		// threads are bounded, not restored: the second half adds none.
		if got.threads > mid.threads+2 {
			t.Errorf("threads: %d after 10,000 requests, %d after 5,000 (baseline %d)", got.threads, mid.threads, base.threads)
		}
		if grow := got.rssKB - mid.rssKB; grow > 8<<10 {
			t.Errorf("RSS grew by %d kB in the second 5,000 requests (%d -> %d kB)", grow, mid.rssKB, got.rssKB)
		}
	}
	if totalSent < 10000 {
		t.Fatalf("only %d requests sent", totalSent)
	}
	if !p.alive() {
		t.Fatalf("%s died:\n%s", b.name, p.output())
	}
}

// settle waits (up to 6 s) for the process to drop back to the target
// figures (keep-alive and pooled connections expire), then returns the
// figures it has.
func settle(t *testing.T, pid int, dump string, target procFigures, servers []string) procFigures {
	t.Helper()
	time.Sleep(time.Second)
	var f procFigures
	for i := 0; i < 10; i++ {
		f = readFigures(t, pid, dump)
		f.serverConns = serverConns(pid, servers)
		// Idle server connections the servers closed are purged by the
		// pool's sweep (every second): give it its turn too.
		if (target.fds == 0 || f.fds <= target.fds && f.goroutines <= target.goroutines) && f.serverConns["CLOSE-WAIT"] == 0 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	return f
}
