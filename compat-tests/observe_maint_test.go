package compattests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// maintConfig checks one server every 200 ms.
const maintConfig = `global
    stats socket {DIR}/admin.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{WEB}
    default_backend be
backend be
    option httpchk GET /health
    server s1 {SRV} check inter 200ms rise 2 fall 3
`

// checkCounter answers HTTP health checks and counts them. (TCP checks
// cannot be counted from user space: haproxy resets them at once, and an
// accept(2) that meets the reset is dropped by Go's runtime.)
func checkCounter(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				if req.URL.Path == "/health" {
					n.Add(1)
				}
				io.WriteString(c, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
			}()
		}
	}()
	return ln.Addr().String(), &n
}

// maintColumns are the show stat columns of a server that maintenance
// and its end change.
var maintColumns = []string{"status", "weight", "act", "chkdown", "check_status", "check_code", "last_chk",
	"check_desc", "check_rise", "check_fall", "check_health"}

// serverRow returns be/s1's show stat columns and its show servers state
// line without the fields that legitimately differ (time since the last
// change, port).
func serverRow(t *testing.T, o *observed) string {
	t.Helper()
	st := parseStatCSV(t, cliCommand(t, o, "show stat"))
	row := st.rows["be/s1"]
	var b strings.Builder
	for _, c := range maintColumns {
		fmt.Fprintf(&b, "%s=%s ", c, row[c])
	}
	for _, l := range strings.Split(cliCommand(t, o, "show servers state be"), "\n") {
		f := strings.Fields(l)
		if len(f) > 18 && f[3] == "s1" {
			f[9], f[18] = "T", "PORT"
			b.WriteString("| " + strings.Join(f, " "))
		}
	}
	return b.String()
}

// TestObserveMaintenancePausesChecks: as haproxy 2.6 does, a server put
// in maintenance through the runtime API is no longer health-checked
// (no connection reaches it), its check columns are empty; back to ready
// it is UP at once with the health at rise and its last check status,
// and checks resume.
func TestObserveMaintenancePausesChecks(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	rows := map[string][3]string{}
	for _, run := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		addr, checks := checkCounter(t)
		o := &observed{dir: t.TempDir(), web: freePort(t)}
		r := strings.NewReplacer("{DIR}", o.dir, "{WEB}", fmt.Sprint(o.web), "{SRV}", addr)
		o.observedProxy = startObserved(t, run.name, run.bin, r.Replace(maintConfig), o.web)
		waitRow := func(what string, ok func(map[string]string) bool) {
			t.Helper()
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				row := parseStatCSV(t, cliCommand(t, o, "show stat")).rows["be/s1"]
				if ok(row) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: %s never happened: %v\n%s", run.name, what, row, o.stderr())
				}
			}
		}
		// fully up: health rise+fall-1
		waitRow("s1 fully up", func(r map[string]string) bool { return r["status"] == "UP" && r["check_health"] == "4" })

		if out := cliCommand(t, o, "set server be/s1 state maint"); strings.TrimSpace(out) != "" {
			t.Fatalf("%s: maint: %q", run.name, out)
		}
		// a check already connecting may still arrive
		time.Sleep(300 * time.Millisecond)
		before := checks.Load()
		time.Sleep(time.Second) // five check intervals
		if n := checks.Load() - before; n != 0 {
			t.Errorf("%s: %d check connections during maintenance, want none", run.name, n)
		}
		maint := serverRow(t, o)
		before = checks.Load()
		if out := cliCommand(t, o, "set server be/s1 state ready"); strings.TrimSpace(out) != "" {
			t.Fatalf("%s: ready: %q", run.name, out)
		}
		ready := serverRow(t, o)
		waitRow("s1 fully up again", func(r map[string]string) bool { return r["status"] == "UP" && r["check_health"] == "4" })
		if checks.Load() == before {
			t.Errorf("%s: no check after leaving maintenance", run.name)
		}
		rows[run.name] = [3]string{maint, ready, serverRow(t, o)}
		if !strings.Contains(o.stderr(), "Server be/s1 is UP/READY (leaving forced maintenance)") {
			t.Errorf("%s: no 'leaving forced maintenance' message:\n%s", run.name, o.stderr())
		}
	}
	h, g := rows["haproxy"], rows["goproxy"]
	for i, when := range []string{"in maintenance", "right after ready", "after checks resumed"} {
		if h[i] != g[i] {
			t.Errorf("%s:\nhaproxy %s\ngoproxy %s", when, h[i], g[i])
		}
	}
}
