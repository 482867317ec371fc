package stats

// This file regenerates the golden files under testdata/golden/ by running the
// real haproxy 2.6 (Debian build). It only runs with -update:
//
//	go test ./stats -run TestCaptureGolden -update
//
// The verification tests (golden_test.go) always run against the stored files.

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "regenerate testdata/golden from the real haproxy")

const goldenDir = "testdata/golden"

// freePort asks the kernel for an unused loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startHTTP serves a tiny fixed response on 127.0.0.1 and returns its port.
func startHTTP(t *testing.T, body string) (int, *http.Server) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, body)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port, srv
}

// startStatus answers every HTTP request with the given status code.
func startStatus(t *testing.T, code int) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) })}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// startRaw answers every connection with fixed bytes, after reading the
// request head.
func startRaw(t *testing.T, answer string) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(2 * time.Second))
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				io.WriteString(c, answer)
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// startAgent is an agent-check endpoint: it says "up" and hangs up.
func startAgent(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			io.WriteString(c, "up\n")
			c.Close()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// startTCPEcho accepts connections and echoes what it reads.
func startTCPEcho(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// cliCommand sends one command to haproxy's stats socket and returns the answer.
func cliCommand(t *testing.T, sock, cmd string) string {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, cmd+"\n"); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rawHTTP sends a GET over a raw connection so the exact response bytes
// (status line and header order included) are kept.
func rawHTTP(t *testing.T, port int, path string) string {
	t.Helper()
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path)
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const captureConfig = `global
    stats socket {{DIR}}/admin.sock level admin
    nbthread 1

defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend web
    bind 127.0.0.1:{{WEB}}
    option socket-stats
    default_backend app

backend app
    balance roundrobin
    cookie SRV insert indirect nocache
    server a1 127.0.0.1:{{A1}} check inter 300 cookie c1
    server a2 127.0.0.1:{{A2}} check inter 300 weight 2 maxconn 50 maxqueue 20
    server a3 127.0.0.1:{{A3}} check inter 300 fall 2 rise 2 slowstart 60s
    server a4 127.0.0.1:{{A1}} track app/a1
    server m1 127.0.0.1:{{A1}} check disabled
    server bk 127.0.0.1:{{A1}} backup
    server a5 127.0.0.1:{{A1}} track app/m1

backend l7
    option httpchk GET /status
    http-check disable-on-404
    server h1 127.0.0.1:{{A1}} check inter 300 observe layer7
    server h2 127.0.0.1:{{S500}} check inter 300 fall 1
    server h3 127.0.0.1:{{A1}} check inter 300 agent-check agent-port {{AGENT}} agent-inter 300
    server h4 127.0.0.1:{{S404}} check inter 300
    server h5 127.0.0.1:{{ODD}} check inter 300 fall 1

backend dead
    server d1 127.0.0.1:{{A3}} check inter 300 fall 1

frontend off
    bind 127.0.0.1:{{OFF}}
    default_backend dead

frontend tcpin
    mode tcp
    bind 127.0.0.1:{{TCP}}
    maxconn 100
    default_backend tcpout

backend tcpout
    mode tcp
    balance leastconn
    server t1 127.0.0.1:{{ECHO}} check inter 300
    server t2 127.0.0.1:{{ECHO}}

listen stats
    bind 127.0.0.1:{{STATS}}
    stats enable
    stats uri /stats
    http-request use-service prometheus-exporter if { path /metrics }
`

// captureFiles is what TestCaptureGolden writes, and what golden_test.go reads.
var captureFiles = []string{
	"show_stat.csv", "show_stat_typed.txt", "show_stat_json.json",
	"show_stat_desc_typed.txt", "show_info.txt", "show_info_typed.txt",
	"show_info_json.json", "show_stat_filter.csv", "stats_csv_http.txt",
	"metrics.txt", "metrics_show_stat.csv", "metrics_show_info.txt",
	"transition_up.csv", "transition_down.csv", "clear_counters.csv",
	"clear_counters_all.csv", "show_schema.json", "show_stat_up.csv",
	"show_stat_no_maint.csv", "show_stat_listener.csv", "stats_json_http.txt", "show_info_desc.txt", "show_info_float_typed.txt",
	"stats_csv_scope_http.txt", "stats_csv_badscope_http.txt", "stats_typed_http.txt",
	"metrics_scope_be_srv.txt", "metrics_scope_empty.txt", "metrics_scope_bad.txt", "metrics_scope_fe_li.txt",
}

func TestCaptureGolden(t *testing.T) {
	if !*update {
		t.Skip("golden capture runs only with -update")
	}
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/haproxy"); err2 != nil {
			t.Skip("haproxy not installed: cannot regenerate goldens")
		}
		bin = "/usr/sbin/haproxy"
	}
	dir := t.TempDir()
	a1, _ := startHTTP(t, "hello from a1\n")
	a2, _ := startHTTP(t, "hello from a2, a bit longer\n")
	a3 := freePort(t) // nothing listens: checks fail with "Connection refused"
	echo := startTCPEcho(t)
	web, tcpPort, statsPort, offPort := freePort(t), freePort(t), freePort(t), freePort(t)
	s500 := startStatus(t, 500)
	s404 := startStatus(t, 404)
	agent := startAgent(t)
	// A reason phrase with a comma and quotes ends up in last_chk, which
	// exercises haproxy's CSV quoting.
	odd := startRaw(t, "HTTP/1.1 503 Busy, \"really\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	r := strings.NewReplacer("{{DIR}}", dir, "{{WEB}}", fmt.Sprint(web),
		"{{A1}}", fmt.Sprint(a1), "{{A2}}", fmt.Sprint(a2), "{{A3}}", fmt.Sprint(a3),
		"{{TCP}}", fmt.Sprint(tcpPort), "{{ECHO}}", fmt.Sprint(echo),
		"{{STATS}}", fmt.Sprint(statsPort), "{{OFF}}", fmt.Sprint(offPort),
		"{{S500}}", fmt.Sprint(s500), "{{S404}}", fmt.Sprint(s404), "{{AGENT}}", fmt.Sprint(agent), "{{ODD}}", fmt.Sprint(odd))
	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(r.Replace(captureConfig)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", cfg)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("haproxy output:\n%s", stderr.String())
		}
	})
	sock := filepath.Join(dir, "admin.sock")
	waitFor(t, func() bool {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	// a3 must be DOWN (fall 2 x inter 300ms) before traffic is sent, so the
	// request counts are deterministic.
	waitFor(t, func() bool {
		return strings.Contains(cliCommand(t, sock, "show stat"), "app,a3,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,")
	})
	waitForStat(t, sock, "l7,h2,", ",DOWN,")
	waitForStat(t, sock, "l7,h4,", ",NOLB,")
	waitForStat(t, sock, "l7,h3,", ",L7OK,")
	waitForStat(t, sock, "l7,h5,", ",L7STS,")
	waitForStat(t, sock, "dead,BACKEND,", ",DOWN,")
	cliCommand(t, sock, "disable frontend off")

	// Fixed traffic: 20 HTTP requests (2 of them 404), 5 TCP echo sessions.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for i := 0; i < 20; i++ {
		path := "/"
		if i%10 == 9 {
			path = "/missing"
		}
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d%s", web, path))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for i := 0; i < 5; i++ {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", tcpPort))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "ping %d\n", i)
		line, _ := bufio.NewReader(c).ReadString('\n')
		if !strings.HasPrefix(line, "ping") {
			t.Fatalf("echo through haproxy: %q", line)
		}
		c.Close()
	}
	cliCommand(t, sock, "set server app/a2 state drain")
	time.Sleep(200 * time.Millisecond)

	out := map[string]string{}
	out["show_stat.csv"] = cliCommand(t, sock, "show stat")
	out["show_stat_typed.txt"] = cliCommand(t, sock, "show stat typed")
	out["show_stat_desc_typed.txt"] = cliCommand(t, sock, "show stat typed desc")
	out["show_stat_json.json"] = cliCommand(t, sock, "show stat json")
	out["show_info.txt"] = cliCommand(t, sock, "show info")
	out["show_info_typed.txt"] = cliCommand(t, sock, "show info typed")
	out["show_info_json.json"] = cliCommand(t, sock, "show info json")
	out["show_stat_filter.csv"] = cliCommand(t, sock, "show stat app 4 -1")
	out["show_schema.json"] = cliCommand(t, sock, "show schema json")
	out["show_stat_up.csv"] = cliCommand(t, sock, "show stat up")
	out["show_stat_no_maint.csv"] = cliCommand(t, sock, "show stat no-maint")
	out["show_stat_listener.csv"] = cliCommand(t, sock, "show stat 2 8 1")
	out["stats_csv_http.txt"] = rawHTTP(t, statsPort, "/stats;csv;norefresh")
	out["stats_json_http.txt"] = rawHTTP(t, statsPort, "/stats;json")
	out["stats_csv_scope_http.txt"] = rawHTTP(t, statsPort, "/stats;csv;norefresh;up;scope=AP")
	out["stats_csv_badscope_http.txt"] = rawHTTP(t, statsPort, "/stats;csv;scope=b@d;no-maint")
	out["stats_typed_http.txt"] = rawHTTP(t, statsPort, "/stats;typed")
	out["metrics_scope_be_srv.txt"] = rawHTTP(t, statsPort, "/metrics?scope=backend&scope=server&no-maint")
	out["metrics_scope_empty.txt"] = rawHTTP(t, statsPort, "/metrics?scope=")
	out["metrics_scope_bad.txt"] = rawHTTP(t, statsPort, "/metrics?scope=bogus")
	out["metrics_scope_fe_li.txt"] = rawHTTP(t, statsPort, "/metrics?scope=listener&foo=bar&scope=frontend")
	out["show_info_desc.txt"] = cliCommand(t, sock, "show info desc")
	out["show_info_float_typed.txt"] = cliCommand(t, sock, "show info typed float")

	// /metrics and the CSV it is compared with must describe the same state:
	// retry until a show stat taken before and after /metrics agree on every
	// proxy but "stats" (which serves the scrape itself).
	for try := 0; ; try++ {
		before := cliCommand(t, sock, "show stat")
		metrics := rawHTTP(t, statsPort, "/metrics")
		info := cliCommand(t, sock, "show info")
		after := cliCommand(t, sock, "show stat")
		if withoutProxy(before, "stats") == withoutProxy(after, "stats") {
			out["metrics.txt"], out["metrics_show_stat.csv"], out["metrics_show_info.txt"] = metrics, after, info
			break
		}
		if try == 20 {
			t.Fatal("no stable state around /metrics")
		}
	}

	// Transitional states of a3: start a server on its port; after one good
	// check (rise 2) it reads "DOWN 1/2". Once UP, stop it; after one failed
	// check (fall 2) it reads "UP 1/2".
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", a3))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "a3\n") })}
	go srv.Serve(l)
	out["transition_down.csv"] = waitForStat(t, sock, "app,a3,", ",DOWN 1/2,")
	waitForStat(t, sock, "app,a3,", ",UP,")
	srv.Close()
	out["transition_up.csv"] = waitForStat(t, sock, "app,a3,", ",UP 1/2,")

	cliCommand(t, sock, "clear counters")
	out["clear_counters.csv"] = cliCommand(t, sock, "show stat")
	cliCommand(t, sock, "clear counters all")
	out["clear_counters_all.csv"] = cliCommand(t, sock, "show stat")

	if err := os.MkdirAll(goldenDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range captureFiles {
		if out[name] == "" {
			t.Fatalf("nothing captured for %s", name)
		}
		if err := os.WriteFile(filepath.Join(goldenDir, name), []byte(out[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The port numbers are recorded so the verification can tell them apart
	// from counter values if it needs to.
	ports := fmt.Sprintf("web=%d tcp=%d stats=%d a1=%d a2=%d a3=%d echo=%d\n", web, tcpPort, statsPort, a1, a2, a3, echo)
	os.WriteFile(filepath.Join(goldenDir, "ports.txt"), []byte(ports), 0o644)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for haproxy")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitForStat polls show stat until the row starting with rowPrefix contains
// want, and returns that whole show stat output.
func waitForStat(t *testing.T, sock, rowPrefix, want string) string {
	t.Helper()
	var got string
	waitFor(t, func() bool {
		got = cliCommand(t, sock, "show stat")
		for _, line := range strings.Split(got, "\n") {
			if strings.HasPrefix(line, rowPrefix) && strings.Contains(line, want) {
				return true
			}
		}
		return false
	})
	return got
}

// withoutProxy drops the rows of one proxy from a show stat output.
func withoutProxy(csv, name string) string {
	var b strings.Builder
	for _, line := range strings.Split(csv, "\n") {
		if !strings.HasPrefix(line, name+",") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
