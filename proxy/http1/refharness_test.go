package http1

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// update regenerates the golden files from the real haproxy 2.6 binary.
var update = flag.Bool("update", false, "regenerate golden files from the installed haproxy")

// haproxyPath returns the reference binary or skips the test with the reason.
func haproxyPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("haproxy")
	if err != nil {
		p = "/usr/sbin/haproxy"
		if _, err := os.Stat(p); err != nil {
			t.Skip("haproxy is not installed; golden files are compared without regeneration")
		}
	}
	return p
}

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

// recordingBackend is a TCP server that keeps every byte each connection
// sends, waits until the connection has been quiet for a moment (or closed),
// answers with a fixed response and closes, so that haproxy never reuses it.
type recordingBackend struct {
	ln       net.Listener
	mu       sync.Mutex
	conns    [][]byte
	response []byte
	wg       sync.WaitGroup
}

const backendQuiet = 200 * time.Millisecond

func startBackend(t *testing.T) *recordingBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &recordingBackend{ln: ln}
	go b.serve()
	t.Cleanup(func() { ln.Close(); b.wg.Wait() })
	return b
}

func (b *recordingBackend) port() int { return b.ln.Addr().(*net.TCPAddr).Port }

// reset forgets what was recorded and sets the answer for the next case.
func (b *recordingBackend) reset(response []byte) {
	b.mu.Lock()
	b.conns = nil
	b.response = response
	b.mu.Unlock()
}

func (b *recordingBackend) recorded() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([][]byte(nil), b.conns...)
}

func (b *recordingBackend) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			defer c.Close()
			b.mu.Lock()
			idx := len(b.conns)
			b.conns = append(b.conns, []byte{})
			resp := b.response
			b.mu.Unlock()
			got := readUntilQuiet(c, backendQuiet, 3*time.Second, true)
			b.mu.Lock()
			if idx < len(b.conns) {
				b.conns[idx] = got.data
			}
			b.mu.Unlock()
			if !got.closed {
				c.Write(resp)
			}
		}()
	}
}

type readResult struct {
	data   []byte
	closed bool // the peer closed (EOF or reset) before we stopped reading
}

// readUntilQuiet reads until EOF, until quiet has passed since the last
// byte (only once something arrived if needData), or until max has passed.
func readUntilQuiet(c net.Conn, quiet, max time.Duration, needData bool) readResult {
	var out []byte
	buf := make([]byte, 32*1024)
	deadline := time.Now().Add(max)
	for {
		d := time.Now().Add(quiet)
		if needData && len(out) == 0 || d.After(deadline) {
			d = deadline
		}
		c.SetReadDeadline(d)
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				return readResult{data: out}
			}
			return readResult{data: out, closed: true}
		}
	}
}

// haproxyInstance runs `haproxy -db -f cfg` and stops it by PID on cleanup.
func startHAProxy(t *testing.T, cfg string, ports ...int) {
	t.Helper()
	bin := haproxyPath(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", path)
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		if p, err := os.FindProcess(pid); err == nil {
			p.Kill()
		}
		cmd.Wait()
		if t.Failed() {
			t.Logf("haproxy output:\n%s", stderr.String())
		}
	})
	for _, port := range ports {
		ok := false
		for i := 0; i < 100; i++ {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err == nil {
				c.Close()
				ok = true
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !ok {
			t.Fatalf("haproxy did not listen on %d: %s", port, stderr.String())
		}
	}
}

func haproxyVersion(t *testing.T) string {
	out, err := exec.Command(haproxyPath(t), "-v").Output()
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

// exchange sends raw bytes to addr and returns what came back.
func exchange(t *testing.T, port int, raw []byte, max time.Duration) readResult {
	t.Helper()
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(raw); err != nil {
		return readResult{closed: true}
	}
	return readUntilQuiet(c, 500*time.Millisecond, max, true)
}

// Golden byte streams are stored one line per source line (split after each
// LF), each line a Go-quoted string, so CR, NUL and high bytes survive any
// editor and show in diffs.
func quoteLines(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b) - 1
		}
		sb.WriteString(strconv.Quote(string(b[:i+1])))
		sb.WriteByte('\n')
		b = b[i+1:]
	}
	return sb.String()
}

func unquoteLines(lines []string) ([]byte, error) {
	var out []byte
	for _, l := range lines {
		s, err := strconv.Unquote(l)
		if err != nil {
			return nil, fmt.Errorf("bad golden line %q: %v", l, err)
		}
		out = append(out, s...)
	}
	return out, nil
}

// goldenFile is a small sectioned text file: "key: value" lines and
// "name:" blocks of quoted lines ended by "end".
type goldenFile struct {
	comments []string
	values   map[string]string
	blocks   map[string][][]byte // several blocks may share a name, in order
}

func (g *goldenFile) write(path string, order []string) error {
	var sb strings.Builder
	for _, c := range g.comments {
		sb.WriteString("# " + c + "\n")
	}
	for _, k := range order {
		if v, ok := g.values[k]; ok {
			fmt.Fprintf(&sb, "%s: %s\n", k, v)
			continue
		}
		for _, blk := range g.blocks[k] {
			sb.WriteString(k + ":\n")
			sb.WriteString(quoteLines(blk))
			sb.WriteString("end\n")
		}
	}
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}

func readGolden(path string) (*goldenFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	g := &goldenFile{values: map[string]string{}, blocks: map[string][][]byte{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var block string
	var lines []string
	inBlock := false
	for sc.Scan() {
		l := sc.Text()
		if inBlock {
			if l == "end" {
				b, err := unquoteLines(lines)
				if err != nil {
					return nil, fmt.Errorf("%s: %v", path, err)
				}
				if b == nil {
					b = []byte{}
				}
				g.blocks[block] = append(g.blocks[block], b)
				inBlock, lines = false, nil
				continue
			}
			lines = append(lines, l)
			continue
		}
		if strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		if strings.HasSuffix(l, ":") {
			block, inBlock = strings.TrimSuffix(l, ":"), true
			continue
		}
		k, v, ok := strings.Cut(l, ": ")
		if !ok {
			return nil, fmt.Errorf("%s: bad line %q", path, l)
		}
		g.values[k] = v
	}
	if inBlock {
		return nil, fmt.Errorf("%s: unterminated block %s", path, block)
	}
	return g, sc.Err()
}

func readQuotedFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return unquoteLines(lines)
}

var _ = io.EOF
