package compattests

// Process basics, continued: maxconn, signals and reloads (-sf), haproxy
// 2.6 and goproxy side by side (see process_test.go).

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestProcessMaxconn: with global or frontend maxconn 2, ten parallel slow
// requests all complete — the extra connections wait in the accept queue,
// they are not refused — and the server never sees more than two at once.
func TestProcessMaxconn(t *testing.T) {
	bins := procBins(t)
	for _, c := range []struct {
		name, global, fe string
		// second adds a frontend on another port to the same backend; the
		// requests alternate between the two: global maxconn is one limit
		// for the whole process (configuration.txt §3.2 "maxconn").
		second bool
	}{
		{"global", "    maxconn 2\n", "", false},
		{"frontend", "", "    maxconn 2\n", false},
		{"global-two-frontends", "    maxconn 2\n", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]observation{}
			for _, b := range bins {
				srv := startCountingServer(t)
				dir := caseDir(t, b.name)
				listen := freeLoopback(t)
				cfg := processConfig(c.global, c.fe, listen, srv.addr)
				addrs := []string{listen}
				if c.second {
					addrs = append(addrs, freeLoopback(t))
					cfg += "frontend fe2\n    bind " + addrs[1] + "\n    default_backend be\n"
				}
				writeFile(t, filepath.Join(dir, "p.cfg"), cfg)
				p := startProc(t, b.path, dir, nil, "-db", "-f", "p.cfg")
				for _, a := range addrs {
					waitListening(t, a, p.output)
				}
				statuses := make([]string, 10)
				var wg sync.WaitGroup
				start := time.Now()
				for i := range statuses {
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						statuses[i], _ = get(addrs[i%len(addrs)], "/?ms=300", 10*time.Second)
					}(i)
				}
				wg.Wait()
				took := time.Since(start)
				o := observation{}
				o.set("statuses", strings.Join(statuses, " "))
				o.set("server concurrency max", srv.max.Load())
				// 10 requests 2 at a time: 5 rounds of 300 ms.
				o.set("took 5 rounds", took >= 1400*time.Millisecond)
				o.set("alive", p.alive())
				got[b.name] = o
			}
			compareObservations(t, "maxconn/"+c.name, got, observation{
				"statuses": strings.TrimSpace(strings.Repeat("200 ", 10)), "server concurrency max": "2",
				"took 5 rounds": "true", "alive": "true"})
		})
	}
}

// TestProcessSignals: SIGUSR1 is a soft stop (listeners closed at once,
// the request in progress completes, then exit 0); SIGTERM and SIGINT kill
// at once; SIGHUP, SIGQUIT and SIGUSR2 leave the process serving;
// SIGTTOU pauses the listeners and SIGTTIN resumes them.
func TestProcessSignals(t *testing.T) {
	bins := procBins(t)
	srv := startCountingServer(t)
	start := func(t *testing.T, b procBin) (*proc, string) {
		dir := caseDir(t, b.name)
		listen := freeLoopback(t)
		writeFile(t, filepath.Join(dir, "p.cfg"), processConfig("", "", listen, srv.addr))
		p := startProc(t, b.path, dir, nil, "-db", "-f", "p.cfg")
		waitListening(t, listen, p.output)
		return p, listen
	}
	run := func(name string, want observation, probe func(t *testing.T, p *proc, listen string) observation) {
		t.Run(name, func(t *testing.T) {
			got := map[string]observation{}
			for _, b := range bins {
				p, listen := start(t, b)
				got[b.name] = probe(t, p, listen)
			}
			compareObservations(t, "signals/"+name, got, want)
		})
	}

	run("soft-stop", observation{"in-flight request": "200", "connect during the stop": "refused",
		"ended": "exit 0", "ended after the request": "true"},
		func(t *testing.T, p *proc, listen string) observation {
			o := observation{}
			var inflight string
			done := make(chan struct{})
			// The server answers 800 ms after the request reaches it, so a
			// process that served the request ended at least that long
			// after it was sent. (Comparing with the moment the client had
			// read the answer raced: both proxies close the connection and
			// may exit before the client goroutine has run.)
			answerable := time.Now().Add(800 * time.Millisecond).UnixNano()
			go func() {
				inflight, _ = get(listen, "/?ms=800", 5*time.Second)
				close(done)
			}()
			time.Sleep(200 * time.Millisecond)
			syscall.Kill(p.pid, syscall.SIGUSR1)
			signalled := time.Now()
			time.Sleep(100 * time.Millisecond)
			o.set("connect during the stop", map[bool]string{true: "accepted", false: "refused"}[connectable(listen)])
			o.set("ended", p.wait(5*time.Second))
			ended := time.Now().UnixNano()
			<-done
			o.set("in-flight request", inflight)
			o.set("ended after the request", ended >= answerable)
			// The request had 600 ms left: the process ends right after it.
			o.set("ended within 1.5s", time.Since(signalled) < 1500*time.Millisecond)
			o.set("stderr", normaliseStderr(p.output()))
			return o
		})

	// An idle keep-alive client must not hold a soft stop back.
	run("soft-stop-idle", observation{"ended": "exit 0", "exit within 1s": "true", "idle client closed": "true"},
		func(t *testing.T, p *proc, listen string) observation {
			o := observation{}
			c, err := net.Dial("tcp", listen)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			br := bufio.NewReader(c)
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			start := time.Now()
			syscall.Kill(p.pid, syscall.SIGUSR1)
			o.set("exit within 1s", p.wait(time.Second) != "")
			o.set("ended", p.wait(6*time.Second))
			took := time.Since(start)
			c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			_, rerr := br.ReadByte()
			o.set("idle client closed", rerr == io.EOF || rerr != nil && !isTimeoutErr(rerr))
			t.Logf("%s: soft stop with an idle keep-alive client took %v", filepath.Base(p.cmd.Path), took.Round(time.Millisecond))
			return o
		})

	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		run(sig.String(), observation{"ended": "signal " + sig.String()},
			func(t *testing.T, p *proc, listen string) observation {
				o := observation{}
				syscall.Kill(p.pid, sig)
				o.set("ended", p.wait(2*time.Second))
				return o
			})
	}

	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR2} {
		name := map[syscall.Signal]string{syscall.SIGHUP: "SIGHUP", syscall.SIGQUIT: "SIGQUIT", syscall.SIGUSR2: "SIGUSR2"}[sig]
		run(name, observation{"running": "true", "serves": "200"},
			func(t *testing.T, p *proc, listen string) observation {
				o := observation{}
				syscall.Kill(p.pid, sig)
				time.Sleep(300 * time.Millisecond)
				st, _ := procStat(p.pid)
				o.set("running", p.alive() && st.state != "T")
				status, _ := get(listen, "/", 2*time.Second)
				o.set("serves", status)
				o.set("stderr", firstLine(normaliseStderr(p.output())))
				return o
			})
	}

	run("pause-resume", observation{"paused connect": "refused", "resumed": "200", "not stopped": "true"},
		func(t *testing.T, p *proc, listen string) observation {
			o := observation{}
			syscall.Kill(p.pid, syscall.SIGTTOU)
			time.Sleep(300 * time.Millisecond)
			st, _ := procStat(p.pid)
			o.set("not stopped", st.state != "T")
			o.set("paused connect", map[bool]string{true: "accepted", false: "refused"}[connectable(listen)])
			syscall.Kill(p.pid, syscall.SIGTTIN)
			time.Sleep(300 * time.Millisecond)
			status, _ := get(listen, "/", 2*time.Second)
			o.set("resumed", status)
			o.set("stderr", normaliseStderr(p.output()))
			return o
		})
}

func isTimeoutErr(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// TestProcessReload: a second process started with -sf <old pid> binds
// beside the old one (SO_REUSEPORT) and takes the traffic over while a
// request loop runs: no request fails, the old process finishes the
// request it had and exits 0.
func TestProcessReload(t *testing.T) {
	bins := procBins(t)
	got := map[string]observation{}
	for _, b := range bins {
		srv := startCountingServer(t)
		dir := caseDir(t, b.name)
		listen := freeLoopback(t)
		writeFile(t, filepath.Join(dir, "p.cfg"), processConfig("", "", listen, srv.addr))
		old := startProc(t, b.path, dir, nil, "-db", "-f", "p.cfg")
		waitListening(t, listen, old.output)

		// The loop: 4 clients, a new connection per request.
		var ok, failed atomic.Int64
		var firstErr atomic.Value
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					status, err := get(listen, "/?ms=5", 3*time.Second)
					if status == "200" {
						ok.Add(1)
					} else {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, fmt.Sprintf("%s %v", status, err))
					}
				}
			}()
		}
		time.Sleep(300 * time.Millisecond)
		// A long request on the old process, then the reload.
		var inflight string
		longDone := make(chan struct{})
		go func() { inflight, _ = get(listen, "/?ms=1000", 5*time.Second); close(longDone) }()
		time.Sleep(100 * time.Millisecond)
		newer := startProc(t, b.path, dir, nil, "-db", "-f", "p.cfg", "-sf", fmt.Sprint(old.pid))
		oldEnd := old.wait(5 * time.Second)
		time.Sleep(300 * time.Millisecond)
		close(stop)
		wg.Wait()
		<-longDone
		o := observation{}
		o.set("failed requests", failed.Load())
		o.set("old process", oldEnd)
		o.set("long request on the old process", inflight)
		o.set("new process running", newer.alive())
		status, _ := get(listen, "/", 2*time.Second)
		o.set("serves after", status)
		t.Logf("%s: %d requests during the reload, %d failed (first: %v)", b.name, ok.Load()+failed.Load(), failed.Load(), firstErr.Load())
		got[b.name] = o
	}
	compareObservations(t, "reload", got, observation{"failed requests": "0", "old process": "exit 0",
		"long request on the old process": "200", "new process running": "true", "serves after": "200"})
}
