package check

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "regenerate testdata/golden from the real haproxy 2.6")

// statusWord renders the counter as haproxy's health-check log does:
// "1/2 UP" while up (position above rise, out of fall), "0/2 DOWN" while
// down (position out of rise) (src/check.c set_server_check_status).
func statusWord(h Health) string {
	if h.Up() {
		return fmt.Sprintf("%d/%d UP", h.Value-h.Rise+1, h.Fall)
	}
	return fmt.Sprintf("%d/%d DOWN", h.Value, h.Rise)
}

// healthScenarios are check results (HTTP statuses answered to haproxy's
// checks, in order) for several rise/fall settings.
var healthScenarios = []struct {
	name       string
	rise, fall int
	statuses   []int
}{
	{"tutorial-rise2-fall2", 2, 2, []int{200, 503, 200, 503, 503, 200, 503, 200, 200, 200, 503}},
	{"rise2-fall3", 2, 3, []int{503, 200, 200, 503, 503, 200, 503, 503, 503, 200, 200, 200}},
	{"rise3-fall1", 3, 1, []int{200, 503, 200, 200, 503, 200, 200, 200, 503}},
	{"rise1-fall1", 1, 1, []int{503, 200, 503, 503, 200, 200}},
	{"start-failing", 2, 2, []int{503, 503, 503, 200, 200, 200}},
}

// replay applies the statuses to a fresh counter and returns the lines
// haproxy's log would contain: one per counter move or status change, and
// one per up/down transition.
func replay(rise, fall int, statuses []int) []string {
	h := NewHealth(rise, fall, false)
	var out []string
	prev := 0
	for _, st := range statuses {
		pass := st >= 200 && st < 400
		var tr Transition
		var changed bool
		if pass {
			tr, changed = h.Pass()
		} else {
			tr, changed = h.Fail()
		}
		if changed || st != prev {
			verdict := "failed"
			if pass {
				verdict = "succeeded"
			}
			out = append(out, fmt.Sprintf("check %s code %d status %s", verdict, st, statusWord(h)))
		}
		switch tr {
		case WentUp:
			out = append(out, "server UP")
		case WentDown:
			out = append(out, "server DOWN")
		}
		prev = st
	}
	return out
}

func TestHealthGolden(t *testing.T) {
	for _, sc := range healthScenarios {
		t.Run(sc.name, func(t *testing.T) {
			golden := filepath.Join("testdata", "golden", "health-"+sc.name+".txt")
			if *update {
				lines := haproxyHealth(t, sc.rise, sc.fall, sc.statuses)
				os.WriteFile(golden, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (regenerate with -update)", err)
			}
			got := strings.Join(replay(sc.rise, sc.fall, sc.statuses), "\n") + "\n"
			if got != string(want) {
				t.Errorf("haproxy:\n%s\nours:\n%s", want, got)
			}
		})
	}
}

var (
	reCheckLine = regexp.MustCompile(`Health check for server be/s1 (succeeded|failed), reason: [^,]+, code: (\d+).*, status: (\d+/\d+ (?:UP|DOWN))`)
	reStateLine = regexp.MustCompile(`Server be/s1 is (UP|DOWN)`)
)

// haproxyHealth runs haproxy 2.6 with option log-health-checks against a
// server answering the given statuses, and condenses its log into the
// lines replay produces.
func haproxyHealth(t *testing.T, rise, fall int, statuses []int) []string {
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Fatal("-update needs haproxy installed")
	}
	var mu sync.Mutex
	n := 0
	done := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if n >= len(statuses) {
			// 299 passes too but differs from every scripted status,
			// so haproxy logs it: that marks the end of the script.
			w.WriteHeader(299)
			if n == len(statuses) {
				close(done)
			}
			n++
			return
		}
		w.WriteHeader(statuses[n])
		n++
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	cfg := fmt.Sprintf(`global
  log stdout format raw local0
defaults
  mode http
  log global
  timeout connect 1s
  timeout client 1s
  timeout server 1s
frontend fe
  bind %s
  default_backend be
backend be
  option httpchk
  option log-health-checks
  server s1 %s check inter 200ms rise %d fall %d
`, freeAddr(t), ln.Addr(), rise, fall)
	path := filepath.Join(t.TempDir(), "h.cfg")
	os.WriteFile(path, []byte(cfg), 0o644)
	cmd := exec.Command("haproxy", "-db", "-f", path)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() }()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var got []string
	timeout := time.After(time.Duration(len(statuses)+10) * 400 * time.Millisecond)
	for {
		select {
		case l := <-lines:
			if m := reCheckLine.FindStringSubmatch(l); m != nil {
				got = append(got, fmt.Sprintf("check %s code %s status %s", m[1], m[2], m[3]))
			} else if m := reStateLine.FindStringSubmatch(l); m != nil {
				got = append(got, "server "+m[1])
			}
		case <-done:
			// let the last lines arrive
			time.Sleep(100 * time.Millisecond)
			for {
				select {
				case l := <-lines:
					if m := reCheckLine.FindStringSubmatch(l); m != nil {
						got = append(got, fmt.Sprintf("check %s code %s status %s", m[1], m[2], m[3]))
					} else if m := reStateLine.FindStringSubmatch(l); m != nil {
						got = append(got, "server "+m[1])
					}
				default:
					return trimAfter(got)
				}
			}
		case <-timeout:
			t.Fatalf("haproxy did not run %d checks; log so far: %v", len(statuses), got)
		}
	}
}

// trimAfter keeps the lines before the first check answered after the
// script (code 299).
func trimAfter(lines []string) []string {
	for i, l := range lines {
		if strings.Contains(l, " code 299 ") {
			return lines[:i]
		}
	}
	return lines
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
