package compattests

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"goha/parser/haproxy"
	"goha/proxy"
	"goha/proxy/sock"
)

// TestListenForms runs the address forms of configuration.txt §11 beyond
// ip:port — unix@ and plain paths, abns@, fd@ and sockpair@, on bind lines
// and on server lines (with health checks) — through haproxy 2.6 and
// through goproxy with the same configuration, and compares what a client
// gets back. Goldens in testdata/listen-forms/ (-update) stand in for
// haproxy when it is not installed.
func TestListenForms(t *testing.T) {
	bin, herr := exec.LookPath("haproxy")
	if updateGoldens() && herr != nil {
		t.Fatal("-update needs haproxy 2.6 installed")
	}
	dir := filepath.Join("..", "testdata", "listen-forms")
	for _, fc := range listenFormCases() {
		fc := fc
		t.Run(fc.name, func(t *testing.T) {
			t.Parallel()
			got := runListenForm(t, fc, "")
			golden := filepath.Join(dir, fc.name+".golden")
			var want string
			if herr == nil {
				want = runListenForm(t, fc, bin)
				if updateGoldens() {
					os.MkdirAll(dir, 0o755)
					if err := os.WriteFile(golden, []byte(want), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			} else {
				b, err := os.ReadFile(golden)
				if err != nil {
					t.Skipf("haproxy not installed and no golden %s", golden)
				}
				want = string(b)
			}
			if got != want {
				t.Errorf("goproxy differs from haproxy 2.6 (- haproxy, + goproxy):\n%s", lineDiff(want, got))
			}
		})
	}
}

// listenForm is one configuration; setup makes the descriptors and
// placeholders of one run and returns how the client connects.
type listenForm struct {
	name  string
	cfg   string
	setup func(t *testing.T, r *formRun) func() (net.Conn, error)
}

// formRun is one proxy run: its directory, the descriptors handed to the
// proxy (fd 3, 4, ... in haproxy; their own numbers in goproxy, which runs
// in this process), and the placeholders of the configuration.
type formRun struct {
	dir      string
	files    []*os.File
	inherit  bool // the proxy is a child process
	replacer []string
}

// pass hands f to the proxy and returns the descriptor number it will see.
func (r *formRun) pass(f *os.File) int {
	r.files = append(r.files, f)
	if r.inherit {
		return 2 + len(r.files)
	}
	return int(f.Fd())
}

func (r *formRun) set(key, val string) { r.replacer = append(r.replacer, key, val) }

// socketPair returns both ends of a connected unix stream pair, closed at
// the end of the test.
func socketPair(t *testing.T) (*os.File, *os.File) {
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, b := os.NewFile(uintptr(sv[0]), "sp0"), os.NewFile(uintptr(sv[1]), "sp1")
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// abnsName is a per-run abstract name: haproxy and goproxy run beside
// each other and beside other test binaries.
func abnsName(r *formRun, what string) string {
	return "goha-" + strings.ReplaceAll(strings.TrimPrefix(r.dir, "/"), "/", "-") + "-" + what
}

func listenFormCases() []listenForm {
	backend := "backend be\n    server s0 {S0}\n"
	unixClient := func(path string) func() (net.Conn, error) {
		return func() (net.Conn, error) { return net.Dial("unix", path) }
	}
	abnsClient := func(name string) func() (net.Conn, error) {
		return func() (net.Conn, error) {
			return sock.Dial(context.Background(), &net.Dialer{}, sock.Target("abns@"+name))
		}
	}
	return []listenForm{
		{name: "bind-unix-path-mode", cfg: "frontend fe\n    bind {DIR}/fe.sock mode 600\n    default_backend be\n" + backend,
			setup: func(t *testing.T, r *formRun) func() (net.Conn, error) {
				return unixClient(filepath.Join(r.dir, "fe.sock"))
			}},
		{name: "bind-unix-prefix", cfg: "frontend fe\n    bind unix@fe.sock\n    default_backend be\n" + backend,
			setup: func(t *testing.T, r *formRun) func() (net.Conn, error) {
				r.set("{GLOBAL}", "    unix-bind prefix "+r.dir+"/ mode 640\n")
				return unixClient(filepath.Join(r.dir, "fe.sock"))
			}},
		{name: "bind-abns", cfg: "frontend fe\n    bind abns@{ABNS}\n    default_backend be\n" + backend,
			setup: func(t *testing.T, r *formRun) func() (net.Conn, error) {
				n := abnsName(r, "fe")
				r.set("{ABNS}", n)
				return abnsClient(n)
			}},
		{name: "bind-fd", cfg: "frontend fe\n    bind fd@{FD}\n    default_backend be\n" + backend,
			setup: func(t *testing.T, r *formRun) func() (net.Conn, error) {
				// a bound socket that nobody listens on yet
				fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
				if err != nil {
					t.Fatal(err)
				}
				unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
				if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
					t.Fatal(err)
				}
				sa, _ := unix.Getsockname(fd)
				f := os.NewFile(uintptr(fd), "bound")
				t.Cleanup(func() { f.Close() })
				r.set("{FD}", strconv.Itoa(r.pass(f)))
				addr := "127.0.0.1:" + strconv.Itoa(sa.(*unix.SockaddrInet4).Port)
				return func() (net.Conn, error) { return net.Dial("tcp4", addr) }
			}},
		{name: "bind-sockpair", cfg: "frontend fe\n    bind sockpair@{FD}\n    default_backend be\n" + backend,
			setup: func(t *testing.T, r *formRun) func() (net.Conn, error) {
				mine, theirs := socketPair(t)
				r.set("{FD}", strconv.Itoa(r.pass(theirs)))
				return func() (net.Conn, error) { return sock.DialSockPair(int(mine.Fd())) }
			}},
		// server lines: the outer frontend reaches an inner one through
		// each form, with a health check over it
		{name: "server-unix", cfg: "frontend fe\n    bind {DIR}/fe.sock\n    default_backend mid\n" +
			"backend mid\n    server in unix@{DIR}/in.sock check inter 100ms\n" +
			"frontend in\n    bind {DIR}/in.sock\n    default_backend be\n" + backend,
			setup: func(t *testing.T, r *formRun) func() (net.Conn, error) {
				return unixClient(filepath.Join(r.dir, "fe.sock"))
			}},
		{name: "server-abns", cfg: "frontend fe\n    bind abns@{ABNS}-fe\n    default_backend mid\n" +
			"backend mid\n    server in abns@{ABNS}-in check inter 100ms\n" +
			"frontend in\n    bind abns@{ABNS}-in\n    default_backend be\n" + backend,
			setup: func(t *testing.T, r *formRun) func() (net.Conn, error) {
				n := abnsName(r, "x")
				r.set("{ABNS}", n)
				return abnsClient(n + "-fe")
			}},
		{name: "server-sockpair", cfg: "frontend fe\n    bind sockpair@{FE}\n    default_backend mid\n" +
			"backend mid\n    server in sockpair@{OUT} check inter 100ms\n" +
			"frontend in\n    bind sockpair@{IN}\n    default_backend be\n" + backend,
			setup: func(t *testing.T, r *formRun) func() (net.Conn, error) {
				mine, fe := socketPair(t)
				in, out := socketPair(t)
				r.set("{FE}", strconv.Itoa(r.pass(fe)))
				r.set("{IN}", strconv.Itoa(r.pass(in)))
				r.set("{OUT}", strconv.Itoa(r.pass(out)))
				return func() (net.Conn, error) { return sock.DialSockPair(int(mine.Fd())) }
			}},
	}
}

// runListenForm runs fc through haproxy (bin set) or goproxy and returns
// what the client saw, plus the mode of any socket file made.
func runListenForm(t *testing.T, fc listenForm, bin string) string {
	t.Helper()
	r := &formRun{dir: t.TempDir(), inherit: bin != ""}
	srv := startScriptServer(t, "s0")
	dial := fc.setup(t, r)
	repl := append([]string{"{S0}", srv.addr(), "{DIR}", r.dir}, r.replacer...)
	logs := startLogCatcher(t)
	global := "global\n    log " + logs.addr + " local0\n"
	for i := 0; i+1 < len(repl); i += 2 {
		if repl[i] == "{GLOBAL}" {
			global += repl[i+1]
		}
	}
	cfg := strings.NewReplacer(repl...).Replace(global + formDefaults + formLogging + fc.cfg)
	startFormProxy(t, r.dir, cfg, bin, r.files)
	// Health checks every 100 ms: a failing one would mark the inner
	// server DOWN (fall 3) within this wait.
	time.Sleep(600 * time.Millisecond)
	out := formRequest(t, dial)
	out += logs.lines(300 * time.Millisecond)
	socks, _ := filepath.Glob(filepath.Join(r.dir, "*.sock"))
	for _, s := range socks {
		if fi, err := os.Stat(s); err == nil {
			out += fmt.Sprintf("-- %s %v\n", filepath.Base(s), fi.Mode())
		}
	}
	return out
}

const formDefaults = "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"

// formLogging logs each request with the addresses haproxy prints for a
// unix client ("unix" and the listener's id) and nothing that varies; the
// health checks' empty connections are not logged.
const formLogging = "    log global\n    option dontlognull\n    log-format \"%ci:%cp %fi:%fp %ft %b/%s %ST\"\n"

// logCatcher receives syslog datagrams.
type logCatcher struct {
	addr string
	c    net.PacketConn
}

func startLogCatcher(t *testing.T) *logCatcher {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &logCatcher{addr: c.LocalAddr().String(), c: c}
}

var (
	ephemeralPort = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	syslogHeader  = regexp.MustCompile(`^<\d+>.*?\]: `)
)

// lines returns the messages received until quiet passes without one,
// header stripped, ports masked, sorted (frontends log in any order).
func (l *logCatcher) lines(quiet time.Duration) string {
	var got []string
	buf := make([]byte, 4096)
	end := time.Now().Add(3 * time.Second)
	for time.Now().Before(end) {
		l.c.SetReadDeadline(time.Now().Add(quiet))
		n, _, err := l.c.ReadFrom(buf)
		if err != nil {
			break
		}
		m := syslogHeader.ReplaceAllString(strings.TrimRight(string(buf[:n]), "\n"), "")
		got = append(got, "-- log "+ephemeralPort.ReplaceAllString(m, "127.0.0.1:<port>")+"\n")
	}
	sort.Strings(got)
	return strings.Join(got, "")
}

// startFormProxy runs cfg with haproxy (bin set; files become its fd 3,
// 4, ...) or with goproxy in this process.
func startFormProxy(t *testing.T, dir, cfg, bin string, files []*os.File) {
	t.Helper()
	f, err := os.CreateTemp(dir, "*.cfg")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(cfg)
	f.Close()
	path := f.Name()
	if bin != "" {
		cmd := exec.Command(bin, "-db", "-f", path)
		cmd.ExtraFiles = files
		var stderr lockedBuffer
		cmd.Stdout, cmd.Stderr = &stderr, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pid := cmd.Process.Pid
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("haproxy:\n%s", stderr.String())
			}
			if p, err := os.FindProcess(pid); err == nil {
				p.Kill()
			}
			<-done
		})
		return
	}
	res := haproxy.Load([]string{path}, haproxy.Options{})
	if res.Fatal {
		var b strings.Builder
		for _, d := range res.Diags {
			b.WriteString(d.Format(0) + "\n")
		}
		t.Fatalf("goproxy refused the configuration:\n%s", b.String())
	}
	e, err := proxy.New(res.Config, proxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(); e.Wait(2 * time.Second) })
}

// TestListenFormsInterop chains goproxy and haproxy through abns@ and
// sockpair@ (each in front of the other): abstract names must be padded
// as haproxy pads them and descriptors passed as haproxy passes them, or
// the inner proxy is not reached.
func TestListenFormsInterop(t *testing.T) {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy 2.6 not installed: nothing to interoperate with")
	}
	for _, form := range []string{"abns", "sockpair"} {
		for _, outerIsGo := range []bool{true, false} {
			form, outerIsGo := form, outerIsGo
			name := form + "/haproxy-then-goproxy"
			if outerIsGo {
				name = form + "/goproxy-then-haproxy"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				srv := startScriptServer(t, "s0")
				var innerBind, outerServer, outerBind string
				var innerFiles, outerFiles []*os.File
				var dial func() (net.Conn, error)
				// fdFor numbers a descriptor for the proxy that gets it
				fdFor := func(isGo bool, f *os.File, files *[]*os.File) string {
					*files = append(*files, f)
					if isGo {
						return strconv.Itoa(int(f.Fd()))
					}
					return strconv.Itoa(2 + len(*files))
				}
				if form == "abns" {
					n := abnsName(&formRun{dir: dir}, "i")
					innerBind, outerServer, outerBind = "abns@"+n+"-in", "abns@"+n+"-in", "abns@"+n+"-fe"
					dial = func() (net.Conn, error) {
						return sock.Dial(context.Background(), &net.Dialer{}, sock.Target("abns@"+n+"-fe"))
					}
				} else {
					mine, fe := socketPair(t)
					in, out := socketPair(t)
					innerBind = "sockpair@" + fdFor(!outerIsGo, in, &innerFiles)
					outerServer = "sockpair@" + fdFor(outerIsGo, out, &outerFiles)
					outerBind = "sockpair@" + fdFor(outerIsGo, fe, &outerFiles)
					dial = func() (net.Conn, error) { return sock.DialSockPair(int(mine.Fd())) }
				}
				inner := "global\n" + formDefaults + "frontend in\n    bind " + innerBind + "\n    default_backend be\nbackend be\n    server s0 " + srv.addr() + "\n"
				outer := "global\n" + formDefaults + "frontend fe\n    bind " + outerBind + "\n    default_backend mid\nbackend mid\n    server in " + outerServer + " check inter 100ms\n"
				innerBin, outerBin := bin, ""
				if !outerIsGo {
					innerBin, outerBin = "", bin
				}
				startFormProxy(t, dir, inner, innerBin, innerFiles)
				startFormProxy(t, dir, outer, outerBin, outerFiles)
				time.Sleep(600 * time.Millisecond)
				got := formRequest(t, dial)
				if !strings.HasPrefix(got, "HTTP/1.1 200 OK") || !strings.Contains(got, "GET /forms HTTP/1.1") {
					t.Fatalf("the request did not go through both proxies:\n%s", got)
				}
			})
		}
	}
}

// formRequest sends one request (retrying while the proxy starts) and
// renders the answer.
func formRequest(t *testing.T, dial func() (net.Conn, error)) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := dial()
		if err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			_, err = c.Write([]byte("GET /forms HTTP/1.1\r\nHost: forms\r\nConnection: close\r\n\r\n"))
			var b []byte
			if err == nil {
				b, err = io.ReadAll(c)
			}
			c.Close()
			if err == nil && bytes.HasPrefix(b, []byte("HTTP/")) {
				return renderBytes(b)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer through the proxy: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
