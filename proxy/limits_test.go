package proxy

// The derived limits (show info Ulimit-n, Maxsock, Maxconn, Hard_maxconn,
// Maxpipes; the frontends' and backends' slim) against what haproxy 2.6
// shows for the same configurations under RLIMIT_NOFILE 4000:
//
//	go test ./proxy -run TestLimitsGolden -update
//
// runs the installed haproxy under prlimit and rewrites the golden file.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"goha/parser/haproxy"
	"goha/stats"
)

const limitsGolden = "testdata/golden/limits.txt"

// limitsFD is the descriptor limit both sides run under.
const limitsFD = 4000

// limitsCases: each counts other socket eaters (listeners, port ranges,
// checks, "port"/"agent-port", the CLI's maxconn, splicing, ulimit-n,
// fd-hard-limit). {SOCK} is the stats socket, {Pn} free ports, {R} a
// range of four ports.
var limitsCases = []struct{ name, cfg string }{
	{"plain", `
frontend web
    bind 127.0.0.1:{P1}
    default_backend be
backend be
    server s1 127.0.0.1:{P2} check
    server s2 127.0.0.1:{P3}
`},
	{"eaters", `
    stats maxconn 20
frontend web
    bind 127.0.0.1:{R}
    bind 127.0.0.1:{P1},127.0.0.1:{P2}
    use_backend be if { path /x }
    default_backend other
listen st
    bind 127.0.0.1:{P3}
    server a 127.0.0.1:{P4} check port {P5}
backend be
    server s1 127.0.0.1:{P4} check agent-check agent-port {P5} agent-inter 60s
    server s2 127.0.0.1:{P4} port {P5}
backend other
    server s1 127.0.0.1:{P4}
`},
	{"splice", `
frontend web
    bind 127.0.0.1:{P1}
    option splice-auto
    maxconn 500
    default_backend be
frontend web2
    bind 127.0.0.1:{P2}
    option splice-auto
    default_backend be
backend be
    server s1 127.0.0.1:{P3}
`},
	{"splice-bounded", `
frontend web
    bind 127.0.0.1:{P1}
    option splice-request
    maxconn 800
    default_backend be
backend be
    option splice-response
    fullconn 200
    server s1 127.0.0.1:{P3}
`},
	{"configured", `
    maxconn 300
    ulimit-n 3000
    maxpipes 7
frontend web
    bind 127.0.0.1:{P1}
    default_backend be
backend be
    server s1 127.0.0.1:{P3}
`},
	{"hard-limit", `
    fd-hard-limit 150
    no strict-limits
frontend web
    bind 127.0.0.1:{P1}
    default_backend be
backend be
    server s1 127.0.0.1:{P3}
`},
}

// limitsConfig completes a case's sections with the global section and
// defaults both sides share, placeholders replaced from ports.
func limitsConfig(c string, sock string, ports [6]int) string {
	global, sections, _ := strings.Cut(c, "\n")
	for !strings.HasPrefix(sections, "frontend") && !strings.HasPrefix(sections, "defaults") {
		var line string
		line, sections, _ = strings.Cut(sections, "\n")
		global += line + "\n"
	}
	cfg := "global\n    nbthread 2\n    stats socket {SOCK} level admin\n" + global +
		"defaults\n    mode http\n    timeout connect 5s\n    timeout client 5s\n    timeout server 5s\n" + sections
	r := strings.NewReplacer("{SOCK}", sock, "{R}", fmt.Sprintf("%d-%d", ports[0], ports[0]+3),
		"{P1}", fmt.Sprint(ports[1]), "{P2}", fmt.Sprint(ports[2]), "{P3}", fmt.Sprint(ports[3]),
		"{P4}", fmt.Sprint(ports[4]), "{P5}", fmt.Sprint(ports[5]))
	return r.Replace(cfg)
}

// limitsInfo are the show info fields compared, in golden order.
var limitsInfo = []struct {
	name string
	f    int
}{{"Nbthread", stats.INbthread}, {"Ulimit-n", stats.IUlimitN}, {"Maxsock", stats.IMaxsock},
	{"Maxconn", stats.IMaxconn}, {"Hard_maxconn", stats.IHardMaxconn}, {"Maxpipes", stats.IMaxpipes}}

func TestLimitsGolden(t *testing.T) {
	if *updateGolden {
		var b strings.Builder
		for _, c := range limitsCases {
			b.WriteString(haproxyLimits(t, c.name, c.cfg))
		}
		if err := os.WriteFile(limitsGolden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(limitsGolden)
	if err != nil {
		t.Fatalf("%v (regenerate with -update)", err)
	}
	var got strings.Builder
	for i, c := range limitsCases {
		ports := [6]int{}
		for j := range ports {
			ports[j] = 20000 + 10*i + j*5
		}
		path := filepath.Join(t.TempDir(), "haproxy.cfg")
		if err := os.WriteFile(path, []byte(limitsConfig(c.cfg, filepath.Join(t.TempDir(), "s"), ports)), 0o644); err != nil {
			t.Fatal(err)
		}
		res := haproxy.Load([]string{path}, haproxy.Options{})
		if res.Fatal {
			t.Fatalf("%s: config refused: %v", c.name, res.Diags)
		}
		e, err := New(res.Config, Options{FDLimits: func() (uint64, uint64) { return limitsFD, limitsFD }})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&got, "== %s\n", c.name)
		in := e.Info(e.Clock())
		for _, f := range limitsInfo {
			fmt.Fprintf(&got, "%s: %d\n", f.name, in.U[f.f])
		}
		for _, px := range e.Proxies() {
			if px.Cap&stats.CapFE != 0 {
				fmt.Fprintf(&got, "%s,FRONTEND slim=%d\n", px.Name, px.MaxConn)
			}
			if px.Cap&stats.CapBE != 0 {
				fmt.Fprintf(&got, "%s,BACKEND slim=%d\n", px.Name, px.FullConn)
			}
		}
	}
	if got.String() != string(want) {
		t.Errorf("goproxy:\n%s\nhaproxy 2.6:\n%s", got.String(), want)
	}
}

// haproxyLimits runs haproxy on a case under RLIMIT_NOFILE limitsFD and
// reads the same fields from its stats socket.
func haproxyLimits(t *testing.T, name, c string) string {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed: the golden cannot be regenerated")
	}
	prl, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit not installed: the golden cannot be regenerated")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "s")
	var ports [6]int
	for i := range ports {
		ports[i] = freeTCPPort(t)
	}
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(limitsConfig(c, sock, ports)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(prl, fmt.Sprintf("--nofile=%d:%d", limitsFD, limitsFD), bin, "-db", "-f", path)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	defer func() { syscall.Kill(pid, syscall.SIGKILL); cmd.Wait() }()
	info := cliQuery(t, sock, "show info")
	stat := cliQuery(t, sock, "show stat")
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\n", name)
	for _, f := range limitsInfo {
		for _, l := range strings.Split(info, "\n") {
			if strings.HasPrefix(l, f.name+": ") {
				b.WriteString(l + "\n")
			}
		}
	}
	for _, l := range strings.Split(stat, "\n") {
		f := strings.Split(l, ",")
		if len(f) > 6 && (f[1] == "FRONTEND" || f[1] == "BACKEND") {
			fmt.Fprintf(&b, "%s,%s slim=%s\n", f[0], f[1], f[6])
		}
	}
	return b.String()
}

// cliQuery sends one command to a stats socket (retrying while the
// process starts) and returns the whole answer.
func cliQuery(t *testing.T, sock, cmd string) string {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			fmt.Fprintf(c, "%s\n", cmd)
			out, _ := io.ReadAll(bufio.NewReader(c))
			c.Close()
			return string(out)
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats socket %s: %v", sock, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freeTCPPort is a loopback port nobody listens on right now.
func freeTCPPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
