package compattests

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// adminLogConfig has two active servers and a backup, none checked, and
// an admin socket.
const adminLogConfig = `global
    stats socket {SOCK} level admin
defaults
    mode http
    log stderr format raw local0
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen ready
    bind 127.0.0.1:{READY}
    no log
    http-request return status 200
backend be
    server s1 127.0.0.1:9
    server s2 127.0.0.1:9
    server b1 127.0.0.1:9 backup
`

// TestObserveAdminStateLogs: forced state changes through the runtime
// socket (maintenance, drain, ready, in an order that empties the backend
// and fills it again) are reported on stderr and in the logs with haproxy
// 2.6's words, counts and levels.
func TestObserveAdminStateLogs(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	cmds := []string{
		"set server be/s1 state maint", "set server be/s1 state ready",
		"set server be/s2 state drain", "set server be/s1 state drain", "set server be/b1 state drain",
		"set server be/s2 state maint", "set server be/s2 state ready", "set server be/s1 state ready",
		"disable server be/b1", "enable server be/b1",
	}
	pid := regexp.MustCompile(`\(\d+\)`)
	out := map[string]string{}
	for _, run := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		sock := filepath.Join(t.TempDir(), "admin.sock")
		ready := freePort(t)
		cfg := strings.NewReplacer("{SOCK}", sock, "{READY}", fmt.Sprint(ready)).Replace(adminLogConfig)
		p := startObserved(t, run.name, run.bin, cfg, ready)
		time.Sleep(200 * time.Millisecond)
		before := len(p.stderr())
		for _, c := range cmds {
			conn, err := net.Dial("unix", sock)
			if err != nil {
				t.Fatalf("%s: %v", run.name, err)
			}
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(conn, "%s\n", c)
			buf := make([]byte, 4096)
			for {
				if _, err := conn.Read(buf); err != nil {
					break
				}
			}
			conn.Close()
		}
		time.Sleep(300 * time.Millisecond)
		out[run.name] = pid.ReplaceAllString(p.stderr()[before:], "(PID)")
	}
	if out["haproxy"] != out["goproxy"] {
		t.Errorf("state-change messages differ:\nhaproxy:\n%s\ngoproxy:\n%s", out["haproxy"], out["goproxy"])
	}
	if !strings.Contains(out["haproxy"], "enters drain state") {
		t.Errorf("haproxy did not report the drain; the test no longer exercises it:\n%s", out["haproxy"])
	}
}
