package compattests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Helpers of the health-check timing tests: loopback servers that record
// when each check arrives, and proxies reached through their runtime
// socket only (no frontend port to pick).

// checkHit is one check connection a sink received.
type checkHit struct {
	at     time.Time
	status int // what it was answered (0: nothing)
}

// checkSink is a loopback server for health checks. It records every
// connection; with http set it reads the check request and answers the
// status set at that moment after delay (status 0: never answers).
type checkSink struct {
	ln    net.Listener
	http  bool
	delay time.Duration
	mu    sync.Mutex
	code  int
	hits  []checkHit
	conns []net.Conn
}

func startCheckSink(t *testing.T, http bool, code int, delay time.Duration) *checkSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &checkSink{ln: ln, http: http, code: code, delay: delay}
	go s.serve()
	t.Cleanup(s.close)
	return s
}

func (s *checkSink) addr() string { return s.ln.Addr().String() }

func (s *checkSink) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.hits = append(s.hits, checkHit{at: time.Now(), status: s.code})
		code := s.code
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		if s.http {
			go s.answer(c, code)
		} else {
			c.Close()
		}
	}
}

// answer reads the check request and answers code after the sink's delay.
func (s *checkSink) answer(c net.Conn, code int) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return
		}
		if strings.TrimRight(l, "\r\n") == "" {
			break
		}
	}
	if code == 0 {
		io.Copy(io.Discard, br) // until the checker gives up
		return
	}
	time.Sleep(s.delay)
	fmt.Fprintf(c, "HTTP/1.0 %d Status\r\nContent-Length: 0\r\n\r\n", code)
}

func (s *checkSink) setCode(code int) {
	s.mu.Lock()
	s.code = code
	s.mu.Unlock()
}

func (s *checkSink) history() []checkHit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]checkHit(nil), s.hits...)
}

func (s *checkSink) close() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
}

// startUnreachable returns a loopback address whose connects never
// complete: a listener with a full accept queue that never accepts (the
// kernel drops further SYNs), so a check's connect times out.
func startUnreachable(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	sa := &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if err := syscall.Bind(fd, sa); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	local, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", local.(*syscall.SockaddrInet4).Port)
	// fill the accept queue; the connects beyond it stay pending
	for i := 0; i < 3; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			t.Cleanup(func() { c.Close() })
		}
	}
	if c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond); err == nil {
		c.Close()
		t.Skip("cannot make a loopback address whose connects time out")
	}
	return addr
}

// checkProxy is a proxy process run for its health checks.
type checkProxy struct {
	*observedProxy
	dir     string
	started time.Time
}

// startCheckProxy runs bin on cfg, where {DIR} is replaced by the
// directory of its runtime socket, and waits until the socket answers.
func startCheckProxy(t *testing.T, name, bin, cfg string) *checkProxy {
	t.Helper()
	dir := t.TempDir()
	started := time.Now()
	p := startObserved(t, name, bin, strings.ReplaceAll(cfg, "{DIR}", dir))
	sock := filepath.Join(dir, "admin.sock")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no runtime socket; stderr:\n%s", name, p.stderr())
		}
	}
	return &checkProxy{observedProxy: p, dir: dir, started: started}
}

// showStat returns the rows of "show stat" (no t.Fatal: goroutines call it).
func (p *checkProxy) showStat() (csvStat, error) {
	c, err := net.Dial("unix", filepath.Join(p.dir, "admin.sock"))
	if err != nil {
		return csvStat{}, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "show stat\n")
	out, err := io.ReadAll(c)
	if err != nil {
		return csvStat{}, err
	}
	st := csvStat{rows: map[string]map[string]string{}}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 2 {
		return st, fmt.Errorf("show stat: %q", out)
	}
	cols := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
	for _, l := range lines[1:] {
		row := map[string]string{}
		for i, v := range strings.Split(l, ",") {
			if i < len(cols) {
				row[cols[i]] = v
			}
		}
		st.rows[row["pxname"]+"/"+row["svname"]] = row
	}
	return st, nil
}

// stateLine is a server's DOWN or UP line on stderr.
type stateLine struct {
	reason   string // "Layer7 timeout", with its info when there is one
	duration int    // check duration, ms
}

var stateLineRE = regexp.MustCompile(`Server (\S+) is (DOWN|UP), reason: (.*?), check duration: (\d+)ms`)

// stateLines returns the first DOWN and UP line of each server
// ("be/srv DOWN").
func stateLines(stderr string) map[string]stateLine {
	out := map[string]stateLine{}
	for _, m := range stateLineRE.FindAllStringSubmatch(stderr, -1) {
		k := m[1] + " " + m[2]
		if _, seen := out[k]; !seen {
			d, _ := strconv.Atoi(m[4])
			out[k] = stateLine{reason: m[3], duration: d}
		}
	}
	return out
}

// median of ds (0 when empty).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// near reports whether got is within tol of want.
func near(got, want, tol time.Duration) bool {
	d := got - want
	return d <= tol && d >= -tol
}
