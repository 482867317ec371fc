package compattests

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
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

// Helpers of the observability tests (issue 4): a reference haproxy and
// goproxy run side by side on loopback, each on its own ports, in front of
// the same loopback web servers.

// freePort returns a loopback TCP port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startPage serves body on a loopback port until the test ends.
func startPage(t *testing.T, body string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// observedProxy is one proxy process in foreground (-db), its stderr kept.
type observedProxy struct {
	name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	errb strings.Builder
}

func (p *observedProxy) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errb.String()
}

// startObserved writes cfg in a temporary directory and runs bin -db -f
// on it; it waits until every port in ready accepts connections.
func startObserved(t *testing.T, name, bin, cfg string, ready ...int) *observedProxy {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "p.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &observedProxy{name: name, cmd: exec.Command(bin, "-db", "-f", path)}
	p.cmd.Dir = dir
	pipe, _ := p.cmd.StderrPipe()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := p.cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(pid, syscall.SIGKILL)
		p.cmd.Wait()
	})
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.mu.Lock()
			p.errb.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for _, port := range ready {
		for {
			c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s does not listen on %d; stderr:\n%s", name, port, p.stderr())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return p
}

// observeGet fetches url with optional basic credentials and returns the status
// and body.
func observeGet(t *testing.T, client *http.Client, url, user, pass string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s body: %v", url, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// csvStat is the ;csv export: its header line and its rows keyed by
// "pxname/svname", each a map from column name to value.
type csvStat struct {
	header string
	rows   map[string]map[string]string
}

func parseStatCSV(t *testing.T, body string) csvStat {
	t.Helper()
	header, _, _ := strings.Cut(body, "\n")
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "# ")))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("bad csv (%v):\n%s", err, body)
	}
	st := csvStat{header: header, rows: map[string]map[string]string{}}
	cols := recs[0]
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, v := range rec {
			if i < len(cols) {
				row[cols[i]] = v
			}
		}
		st.rows[row["pxname"]+"/"+row["svname"]] = row
	}
	return st
}
