package log

// TestGoldenUpdate runs the real haproxy 2.6 in front of tiny Go backends,
// sends a fixed set of requests and stores every syslog datagram it emits
// under testdata/golden/. It only runs with -update; the verification in
// golden_verify_test.go always runs from the stored files.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const goldenDir = "testdata/golden"

func haproxyBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	t.Skip("haproxy is not installed; the goldens cannot be regenerated")
	return ""
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// udpCatcher records every datagram sent to its loopback port.
type udpCatcher struct {
	conn   net.PacketConn
	path   string // unix datagram socket path, if not UDP
	mu     sync.Mutex
	dgrams [][]byte
	done   chan struct{}
}

func newCatcher(t *testing.T) *udpCatcher {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return startCatcher(t, c, "")
}

// newUnixCatcher records datagrams sent to a unix socket under dir.
func newUnixCatcher(t *testing.T, dir, name string) *udpCatcher {
	t.Helper()
	path := filepath.Join(dir, name+".sock")
	c, err := net.ListenPacket("unixgram", path)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o666)
	return startCatcher(t, c, path)
}

func startCatcher(t *testing.T, c net.PacketConn, path string) *udpCatcher {
	k := &udpCatcher{conn: c, path: path, done: make(chan struct{})}
	go func() {
		defer close(k.done)
		buf := make([]byte, 70000)
		for {
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			k.mu.Lock()
			k.dgrams = append(k.dgrams, append([]byte(nil), buf[:n]...))
			k.mu.Unlock()
		}
	}()
	t.Cleanup(func() { c.Close(); <-k.done })
	return k
}

func (k *udpCatcher) port() int { return k.conn.LocalAddr().(*net.UDPAddr).Port }

func (k *udpCatcher) bytes() []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []byte
	for _, d := range k.dgrams {
		out = append(out, d...)
	}
	return out
}

// startGoBackends starts the HTTP server and the TCP echo server haproxy
// forwards to.
func startGoBackends(t *testing.T) (httpPort, echoPort int) {
	t.Helper()
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header()["Date"] = []string{"Thu, 01 Jan 2026 00:00:00 GMT"}
		if strings.HasPrefix(r.URL.Path, "/notfound") {
			w.WriteHeader(404)
			io.WriteString(w, "not found\n")
			return
		}
		io.WriteString(w, "ok\n")
	})}
	go srv.Serve(hl)
	t.Cleanup(func() { srv.Close() })

	el, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := el.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 256)
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				n, _ := c.Read(buf)
				c.Write(buf[:n])
			}()
		}
	}()
	t.Cleanup(func() { el.Close() })
	return hl.Addr().(*net.TCPAddr).Port, el.Addr().(*net.TCPAddr).Port
}

// writeSelfSigned writes a PEM bundle (certificate + key) haproxy can load.
func writeSelfSigned(t *testing.T, path string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "golden.test"},
		DNSNames:     []string{"golden.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})...)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// haproxyRun is one started reference instance.
type haproxyRun struct {
	cmd    *exec.Cmd
	stderr *strings.Builder
	stdout *strings.Builder
	sock   string
	ports  map[string]int
	done   chan struct{}
}

func startHAProxy(t *testing.T, cfg string, dir string) *haproxyRun {
	t.Helper()
	bin := haproxyBinary(t)
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s\n%s", err, out, cfg)
	}
	r := &haproxyRun{stderr: &strings.Builder{}, stdout: &strings.Builder{}, done: make(chan struct{})}
	r.cmd = exec.Command(bin, "-db", "-f", path)
	r.cmd.Stderr = &lockedWriter{w: r.stderr}
	r.cmd.Stdout = &lockedWriter{w: r.stdout}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			r.cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// cli sends one command to the stats socket and returns the answer.
func (r *haproxyRun) cli(t *testing.T, cmd string) string {
	t.Helper()
	c, err := net.Dial("unix", r.sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	io.WriteString(c, cmd+"\n")
	b, _ := io.ReadAll(c)
	return string(b)
}

// waitReady polls the stats socket until haproxy answers.
func (r *haproxyRun) waitReady(t *testing.T) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("unix", r.sock); err == nil {
			c.Close()
			time.Sleep(300 * time.Millisecond) // let the first health checks finish
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("haproxy did not come up:\n%s", r.stderr.String())
}

// stop soft-stops haproxy with SIGUSR1 (which logs "Proxy X stopped") and
// waits for it to exit.
func (r *haproxyRun) stop(t *testing.T) {
	t.Helper()
	r.cmd.Process.Signal(syscall.SIGUSR1)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("haproxy did not stop on SIGUSR1:\n%s", r.stderr.String())
	}
}

// exchangeNet is exchange over any stream network.
func exchangeNet(t *testing.T, network, addr, req string, wait time.Duration) string {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, req)
	c.SetReadDeadline(time.Now().Add(wait))
	b, _ := io.ReadAll(c)
	return string(b)
}

// exchange opens a connection, writes req, and reads until the peer closes
// or wait elapses.
func exchange(t *testing.T, port int, req string, wait time.Duration) string {
	t.Helper()
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if req != "" {
		io.WriteString(c, req)
	}
	c.SetReadDeadline(time.Now().Add(wait))
	b, _ := io.ReadAll(c)
	return string(b)
}

// logAddr is where a logger's catcher listens, as a `log` address.
func logAddr(l goldenLogger, c *udpCatcher) string {
	if l.unix {
		return c.path
	}
	return fmt.Sprintf("127.0.0.1:%d", c.port())
}

func buildMainConfig(t *testing.T, dir string, catchers map[string]*udpCatcher, ports map[string]int, httpPort, echoPort, closedPort, flapPort int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global\n    stats socket %s/admin.sock level admin\n", dir)
	for _, l := range goldenLoggers() {
		if l.scope == "global" {
			fmt.Fprintf(&b, "    log %s%s\n", logAddr(l, catchers[l.name]), l.logArgs())
		}
	}
	b.WriteString("\ndefaults\n    timeout connect 1s\n    timeout client 2s\n    timeout server 2s\n    retries 1\n\n")
	for _, fe := range goldenFrontends() {
		fmt.Fprintf(&b, "frontend %s\n", fe.name)
		if fe.http {
			b.WriteString("    mode http\n")
		} else {
			b.WriteString("    mode tcp\n")
		}
		if fe.ssl {
			fmt.Fprintf(&b, "    bind 127.0.0.1:%d ssl crt %s/golden.pem\n", ports[fe.name], dir)
		} else if fe.bind == "v6" {
			fmt.Fprintf(&b, "    bind [::1]:%d\n", ports[fe.name])
		} else if fe.bind == "unix" {
			fmt.Fprintf(&b, "    bind unix@%s/%s.sock\n", dir, fe.name)
		} else {
			fmt.Fprintf(&b, "    bind 127.0.0.1:%d\n", ports[fe.name])
		}
		for _, l := range goldenLoggers() {
			if l.scope == fe.name {
				fmt.Fprintf(&b, "    log %s%s\n", logAddr(l, catchers[l.name]), l.logArgs())
			}
		}
		switch fe.option {
		case "":
		case "custom":
			fmt.Fprintf(&b, "    log-format %q\n", fe.logFormat)
		default:
			fmt.Fprintf(&b, "    option %s\n", fe.option)
		}
		if fe.sdFormat != "" {
			fmt.Fprintf(&b, "    log-format-sd %q\n", fe.sdFormat)
		}
		if fe.errFormat != "" {
			fmt.Fprintf(&b, "    error-log-format %q\n", fe.errFormat)
		}
		for _, x := range fe.extra {
			fmt.Fprintf(&b, "    %s\n", x)
		}
		fmt.Fprintf(&b, "    default_backend %s\n\n", fe.backend)
	}
	fmt.Fprintf(&b, "backend be_web\n    mode http\n    log global\n    server s1 127.0.0.1:%d\n\n", httpPort)
	fmt.Fprintf(&b, "backend be_ck\n    mode http\n    log global\n    cookie SRV insert indirect nocache\n    server s1 127.0.0.1:%d cookie s1\n\n", httpPort)
	fmt.Fprintf(&b, "backend be_down\n    mode http\n    log global\n    option log-health-checks\n    server s1 127.0.0.1:%d check inter 200ms\n\n", closedPort)
	fmt.Fprintf(&b, "backend be_down2\n    mode http\n    log global\n    server s1 127.0.0.1:%d check inter 200ms\n\n", closedPort)
	fmt.Fprintf(&b, "backend be_flap\n    mode http\n    log global\n    option log-health-checks\n    server s1 127.0.0.1:%d check inter 200ms fall 1 rise 1\n    server b1 127.0.0.1:%d backup check inter 200ms\n\n", flapPort, closedPort)
	fmt.Fprintf(&b, "backend be_redisp\n    mode http\n    log global\n    option redispatch\n    retries 1\n    balance first\n    server dead 127.0.0.1:%d\n    server live 127.0.0.1:%d\n\n", closedPort, httpPort)
	fmt.Fprintf(&b, "backend be_tcp\n    mode tcp\n    log global\n    server e1 127.0.0.1:%d\n\n", echoPort)
	fmt.Fprintf(&b, "backend be_tcpdown\n    mode tcp\n    log global\n    server t1 127.0.0.1:%d\n", closedPort)
	return b.String()
}

func TestGoldenUpdate(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate the goldens from haproxy 2.6")
	}
	haproxyBinary(t)
	t.Run("main", updateMainRun)
	t.Run("hostname", updateHostnameRun)
	t.Run("errors", updateCompileErrors)
	t.Run("targets", updateTargetErrors)
}

func updateMainRun(t *testing.T) {
	dir := t.TempDir()
	writeSelfSigned(t, filepath.Join(dir, "golden.pem"))
	httpPort, echoPort := startGoBackends(t)
	closedPort := freeTCPPort(t)
	catchers := map[string]*udpCatcher{}
	for _, l := range goldenLoggers() {
		if l.unix {
			catchers[l.name] = newUnixCatcher(t, dir, l.name)
		} else {
			catchers[l.name] = newCatcher(t)
		}
	}
	ports := map[string]int{}
	for _, fe := range goldenFrontends() {
		ports[fe.name] = freeTCPPort(t)
	}
	flapPort := freeTCPPort(t)
	cfg := buildMainConfig(t, dir, catchers, ports, httpPort, echoPort, closedPort, flapPort)
	r := startHAProxy(t, cfg, dir)
	r.sock = filepath.Join(dir, "admin.sock")
	r.waitReady(t)

	pause := func() { time.Sleep(150 * time.Millisecond) }
	get := func(fe, path, extra string) {
		exchange(t, ports[fe], "GET "+path+" HTTP/1.1\r\nHost: golden.test\r\nUser-Agent: goha-golden/1.0\r\n"+extra+"Connection: close\r\n\r\n", 3*time.Second)
		pause()
	}

	get("fe_http", "/ok?a=1&b=2", "")
	get("fe_http", "/notfound/x", "")
	exchange(t, ports["fe_http"], "POST /post HTTP/1.1\r\nHost: golden.test\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world", 3*time.Second)
	pause()
	get("fe_http", "/down/x", "")
	exchange(t, ports["fe_http"], "GET / HTTP/1.1\r\nHost: golden.test\r\nBad Header Line\r\n\r\n", 3*time.Second)
	pause()
	exchange(t, ports["fe_http"], "GET /enc HTTP/1.1\r\nHost: \"q\"#{|}x\r\nUser-Agent: a\x01b\x7fc\xe9d-long-agent-value\r\nConnection: close\r\n\r\n", 3*time.Second)
	pause()

	get("fe_http", longPath+strings.Repeat("a", longCount), "")

	get("fe_clf", "/clf", "Cookie: SRV=s1\r\n")
	get("fe_clf", "/clf2", "")

	if got := exchange(t, ports["fe_tcp"], "hello\n", 3*time.Second); got != "hello\n" {
		t.Errorf("tcp echo through haproxy: %q", got)
	}
	pause()
	exchange(t, ports["fe_tcpdown"], "", 4*time.Second)
	pause()

	get("fe_custom", "/custom?q=1", "X-Quote: say \"hi\" \\ ]\r\n")
	get("fe_custom", "/notfound?x", "")
	// Keep-alive: the second request waits idle on the connection first
	// (%Ti > 0, %tr later than %t).
	func() {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ports["fe_custom"]))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /ka1 HTTP/1.1\r\nHost: golden.test\r\n\r\n")
		time.Sleep(250 * time.Millisecond)
		io.WriteString(c, "GET /ka2 HTTP/1.1\r\nHost: golden.test\r\nConnection: close\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		io.ReadAll(c)
	}()
	pause()

	get("fe_custom2", "http://golden.test/abs/path?x=1", "X-Quote: say \"hi\" \\ ]\r\n")
	exchange(t, ports["fe_custom2"], "GET /plain HTTP/1.0\r\n\r\n", 3*time.Second)
	pause()
	get("fe_custom2", "/e?a=]&b=\\", "")

	simple := "GET /%s HTTP/1.1\r\nHost: golden.test\r\nX-Quote: a \"b\" ]\r\nConnection: close\r\n\r\n"
	exchangeNet(t, "tcp6", fmt.Sprintf("[::1]:%d", ports["fe_v6"]), fmt.Sprintf(simple, "v6"), 3*time.Second)
	pause()
	exchangeNet(t, "unix", filepath.Join(dir, "fe_unix.sock"), fmt.Sprintf(simple, "unix"), 3*time.Second)
	pause()
	exchangeNet(t, "unix", filepath.Join(dir, "fe_unix_tcp.sock"), "ping\n", 3*time.Second)
	pause()
	exchange(t, ports["fe_sd"], fmt.Sprintf(simple, "sd"), 3*time.Second)
	pause()
	get("fe_sep", "/normal", "")
	get("fe_sep", "/notfound/sep", "")
	get("fe_sep", "/down/sep", "")
	exchange(t, ports["fe_sep"], "GET / HTTP/1.1\r\nBad Header Line\r\n\r\n", 3*time.Second)
	pause()
	get("fe_redisp", "/r1", "")
	get("fe_redisp", "/r2", "")
	exchange(t, ports["fe_tcpcustom"], "hello\n", 3*time.Second)
	pause()

	exchange(t, ports["fe_null"], "", 200*time.Millisecond) // no data: not logged
	pause()
	get("fe_null", "/null", "")

	exchange(t, ports["fe_slow"], "GET / HTTP/1.1\r\n", 2*time.Second) // 408
	pause()
	exchange(t, ports["fe_err"], "GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n", 3*time.Second)
	pause()

	exchange(t, ports["fe_connect"], "ping\n", 2*time.Second)
	pause()
	get("fe_connect_http", "/connect", "")

	tc, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp",
		fmt.Sprintf("127.0.0.1:%d", ports["fe_https"]),
		&tls.Config{InsecureSkipVerify: true, ServerName: "golden.test", MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(tc, "GET /tls HTTP/1.1\r\nHost: golden.test\r\nConnection: close\r\n\r\n")
	tc.SetReadDeadline(time.Now().Add(3 * time.Second))
	io.ReadAll(tc)
	tc.Close()
	pause()

	get("fe_asap", "/asap", "")

	// be_flap/s1 comes to life: "Server be_flap/s1 is UP, reason: ...".
	fl, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", flapPort))
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	go func() {
		for {
			c, err := fl.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	time.Sleep(700 * time.Millisecond)

	r.cli(t, "disable server be_web/s1")
	pause()
	r.cli(t, "enable server be_web/s1")
	pause()

	r.stop(t)
	time.Sleep(300 * time.Millisecond)
	writeGoldens(t, "main", cfg, r.stderr.String(), catchers)
}

func updateHostnameRun(t *testing.T) {
	dir := t.TempDir()
	httpPort, _ := startGoBackends(t)
	catchers := map[string]*udpCatcher{}
	var b strings.Builder
	fmt.Fprintf(&b, "global\n    stats socket %s/admin.sock level admin\n    log-send-hostname %s\n    log-tag %s\n    grace 100\n    hard-stop-after 400ms\n", dir, goldenHostname, goldenTag)
	for _, l := range hostnameLoggers() {
		catchers[l.name] = newCatcher(t)
		fmt.Fprintf(&b, "    log 127.0.0.1:%d%s\n", catchers[l.name].port(), l.logArgs())
	}
	b.WriteString("    log stdout format short local0\n    log stderr len 80 format raw local1\n")
	port := freeTCPPort(t)
	fmt.Fprintf(&b, "\ndefaults\n    mode http\n    log global\n    timeout connect 1s\n    timeout client 2s\n    timeout server 2s\n\n")
	fmt.Fprintf(&b, "frontend fe_host\n    bind 127.0.0.1:%d\n    option httplog\n    default_backend be_host\n\n", port)
	fmt.Fprintf(&b, "backend be_host\n    server s1 127.0.0.1:%d\n\n", httpPort)
	// A TCP stream still open at the hard stop: "hard-stopped" messages
	// and a log line with a K (killed) termination state.
	holdPort := freeTCPPort(t)
	hold, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	go func() {
		for {
			c, err := hold.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	fmt.Fprintf(&b, "frontend fe_hold\n    mode tcp\n    option tcplog\n    timeout client 10s\n    bind 127.0.0.1:%d\n    default_backend be_hold\n\n", holdPort)
	fmt.Fprintf(&b, "backend be_hold\n    mode tcp\n    timeout server 10s\n    server h1 %s\n", hold.Addr())
	cfg := b.String()
	r := startHAProxy(t, cfg, dir)
	r.sock = filepath.Join(dir, "admin.sock")
	r.waitReady(t)
	exchange(t, port, "GET /host HTTP/1.1\r\nHost: golden.test\r\nConnection: close\r\n\r\n", 3*time.Second)
	held, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", holdPort))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	io.WriteString(held, "held\n")
	time.Sleep(150 * time.Millisecond)
	r.stop(t)
	time.Sleep(300 * time.Millisecond)
	writeGoldens(t, "hostname", cfg, r.stderr.String(), catchers)
	os.WriteFile(filepath.Join(goldenDir, "hostname", "stdout.txt"), []byte(r.stdout.String()), 0o644)
}

func writeGoldens(t *testing.T, run, cfg, stderr string, catchers map[string]*udpCatcher) {
	t.Helper()
	dir := filepath.Join(goldenDir, run)
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "haproxy.cfg"), []byte(cfg), 0o644)
	os.WriteFile(filepath.Join(dir, "stderr.txt"), []byte(stderr), 0o644)
	for name, c := range catchers {
		if err := os.WriteFile(filepath.Join(dir, name+".log"), c.bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
