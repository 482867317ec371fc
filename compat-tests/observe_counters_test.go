package compattests

import (
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// countersConfig routes requests to backends that end them in every way
// a stream can end: a server that refuses connections (retried, then
// 503), a backend rule that denies, one that answers itself, a server
// that answers, and a listen section.
const countersConfig = `global
    stats socket {SOCK} level admin
    maxconn 100
defaults
    mode http
    timeout connect 200ms
    timeout client 5s
    timeout server 5s
    retries 2
frontend fe
    bind 127.0.0.1:{FE}
    use_backend bdeny if { path /deny }
    use_backend bret if { path /ret }
    use_backend bok if { path /ok }
    default_backend bdead
backend bdead
    server s1 127.0.0.1:{DEAD}
backend bdeny
    http-request deny
    server s1 127.0.0.1:{DEAD}
backend bret
    http-request return status 200 content-type text/plain string hi
    server s1 127.0.0.1:{DEAD}
backend bok
    server s1 {PAGE}
    server s2 {PAGE}
listen li
    bind 127.0.0.1:{LI}
    http-request deny if { path /deny }
    server s1 {PAGE}
`

// countedFields are the stats columns that do not depend on timing.
var countedFields = []string{"scur", "smax", "stot", "bin", "bout", "dreq", "econ", "eresp", "wretr", "wredis",
	"lbtot", "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other", "req_tot", "cli_abrt", "srv_abrt",
	"connect", "reuse", "intercepted", "dcon", "dses"}

// TestObserveCountersByOutcome: after the same requests, ended by a refused
// server (with retries), a backend's deny and return, a served request
// and a listen section's deny, every frontend, backend and server row
// has haproxy 2.6's session, request, response, byte and error counts
// (a backend counts every stream given to it; a server every connection
// attempt; the last server tried keeps the 503's bytes).
func TestObserveCountersByOutcome(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	page := startPage(t, "this is first real-server\n")
	rows := map[string][]string{}
	for _, run := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		sock := filepath.Join(t.TempDir(), "s.sock")
		fe, li, dead := freePort(t), freePort(t), freePort(t)
		cfg := strings.NewReplacer("{SOCK}", sock, "{FE}", fmt.Sprint(fe), "{LI}", fmt.Sprint(li),
			"{DEAD}", fmt.Sprint(dead), "{PAGE}", page).Replace(countersConfig)
		startObserved(t, run.name, run.bin, cfg, fe, li)
		time.Sleep(200 * time.Millisecond)
		for _, r := range []struct {
			port int
			path string
		}{{fe, "/"}, {fe, "/deny"}, {fe, "/ret"}, {fe, "/ok"}, {fe, "/ok"}, {fe, "/ok"}, {li, "/"}, {li, "/deny"}} {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", r.path)
			io.Copy(io.Discard, c)
			c.Close()
		}
		time.Sleep(300 * time.Millisecond) // streams end after the client saw the answer
		st := parseStatCSV(t, socketCommand(t, sock, "show stat"))
		var keys []string
		for k := range st.rows {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			var vals []string
			for _, f := range countedFields {
				if f == "smax" && (strings.HasSuffix(k, "/FRONTEND") || strings.HasSuffix(k, "/BACKEND")) {
					// a client connecting right after the previous one
					// closed may overlap its end or not: haproxy showed
					// 1 and 2 for the same traffic (frontend and backend)
					continue
				}
				vals = append(vals, f+"="+st.rows[k][f])
			}
			rows[run.name] = append(rows[run.name], k+" "+strings.Join(vals, " "))
		}
	}
	h, g := rows["haproxy"], rows["goproxy"]
	if len(h) != len(g) {
		t.Fatalf("haproxy shows %d rows, goproxy %d", len(h), len(g))
	}
	for i := range h {
		if h[i] != g[i] {
			t.Errorf("row differs:\n haproxy %s\n goproxy %s", h[i], g[i])
		}
	}
}

// socketCommand sends one command to a runtime socket at path and returns
// the answer.
func socketCommand(t *testing.T, path, cmd string) string {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "%s\n", cmd)
	b, _ := io.ReadAll(c)
	return string(b)
}
