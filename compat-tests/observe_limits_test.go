package compattests

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Without "maxconn" in global, haproxy 2.6 derives one from the
// descriptor limit (src/haproxy.c compute_ideal_maxconn); it shows in show
// info, in the frontends' slim and backends' fullconn, in Prometheus, and
// it bounds the connections accepted.

const limitsConfig = `
global
    stats socket {DIR}/admin.sock level admin
{GLOBAL}
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend web
    bind 127.0.0.1:{WEB}
    http-request use-service prometheus-exporter if { path /metrics }
    default_backend be
backend be
    server s1 {S1} check inter 10s
`

// startLimited runs bin under RLIMIT_NOFILE nofile:nofile (prlimit execs
// it: the pid is the proxy's) with limitsConfig.
func startLimited(t *testing.T, name, bin string, nofile int, global, s1 string) *observed {
	t.Helper()
	prl, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit not installed (util-linux)")
	}
	if !filepath.IsAbs(bin) {
		if bin, err = exec.LookPath(bin); err != nil {
			t.Fatal(err)
		}
	}
	o := &observed{dir: t.TempDir(), web: freePort(t)}
	wrapper := filepath.Join(o.dir, "run")
	script := fmt.Sprintf("#!/bin/sh\nexec %s --nofile=%d:%d %s \"$@\"\n", prl, nofile, nofile, bin)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	r := strings.NewReplacer("{DIR}", o.dir, "{WEB}", fmt.Sprint(o.web), "{S1}", s1, "{GLOBAL}", global)
	o.observedProxy = startObserved(t, name, wrapper, r.Replace(limitsConfig), o.web)
	return o
}

// limitFigures picks the limits out of show info, show stat and the
// Prometheus export.
func limitFigures(t *testing.T, o *observed) []string {
	var out []string
	for _, l := range strings.Split(socketCommand(t, filepath.Join(o.dir, "admin.sock"), "show info"), "\n") {
		k, _, _ := strings.Cut(l, ":")
		switch k {
		case "Nbthread", "Ulimit-n", "Maxsock", "Maxconn", "Hard_maxconn", "Maxpipes":
			out = append(out, l)
		}
	}
	for _, l := range strings.Split(socketCommand(t, filepath.Join(o.dir, "admin.sock"), "show stat"), "\n") {
		if f := strings.Split(l, ","); len(f) > 6 && (f[1] == "FRONTEND" || f[1] == "BACKEND") {
			out = append(out, fmt.Sprintf("%s,%s slim=%s", f[0], f[1], f[6]))
		}
	}
	sc := scrapeProm(t, o.web, "")
	for _, fam := range []string{"haproxy_process_max_connections", "haproxy_process_hard_max_connections",
		"haproxy_process_max_sockets", "haproxy_process_max_fds", "haproxy_frontend_limit_sessions",
		"haproxy_backend_limit_sessions"} {
		mf := sc.families[fam]
		if mf == nil {
			out = append(out, fam+" missing")
			continue
		}
		for _, m := range mf.Metric {
			out = append(out, fmt.Sprintf("%s{%s} %g", fam, labelKey(m), metricValue(m)))
		}
	}
	return out
}

// TestObserveDerivedMaxconn: under the same descriptor limit, goproxy
// derives the same maxconn, maxsock and ulimit-n as haproxy 2.6 and shows
// them in the same places.
func TestObserveDerivedMaxconn(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	s1 := startPage(t, "ok\n")
	hap := startLimited(t, "haproxy", hapBin, 4000, "", s1)
	gop := startLimited(t, "goproxy", gopBin, 4000, "", s1)
	h, g := limitFigures(t, hap), limitFigures(t, gop)
	t.Logf("haproxy:\n%s", strings.Join(h, "\n"))
	if strings.Join(h, "\n") != strings.Join(g, "\n") {
		t.Errorf("goproxy:\n%s\nhaproxy 2.6:\n%s", strings.Join(g, "\n"), strings.Join(h, "\n"))
	}
}

// TestObserveDerivedMaxconnEnforced: with fd-hard-limit 150 the derived
// maxconn falls to haproxy's floor of 100; once 100 client connections are
// open, the next request waits until one of them closes, in haproxy and
// in goproxy alike.
func TestObserveDerivedMaxconnEnforced(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	s1 := startPage(t, "ok\n")
	for _, side := range []struct{ name, bin string }{{"haproxy", hapBin}, {"goproxy", gopBin}} {
		o := startLimited(t, side.name, side.bin, 4000, "    fd-hard-limit 150\n    no strict-limits", s1)
		if got := socketCommand(t, filepath.Join(o.dir, "admin.sock"), "show info"); !strings.Contains(got, "\nMaxconn: 100\n") {
			t.Fatalf("%s: derived maxconn is not 100:\n%s", side.name, got)
		}
		var held []net.Conn
		for i := 0; i < 100; i++ {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", o.web))
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
		}
		// Every held connection is accepted before the probe is sent: a
		// request on the last one is answered.
		last := held[99]
		fmt.Fprintf(last, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		last.SetReadDeadline(time.Now().Add(10 * time.Second))
		if line, err := bufio.NewReader(last).ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 200") {
			t.Fatalf("%s: the 100th connection got %q, %v", side.name, line, err)
		}
		probe, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", o.web))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(probe, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		rd := bufio.NewReader(probe)
		probe.SetReadDeadline(time.Now().Add(time.Second))
		if line, err := rd.ReadString('\n'); err == nil {
			t.Errorf("%s: the 101st connection was served while 100 were open: %q", side.name, line)
		}
		held[0].Close()
		probe.SetReadDeadline(time.Now().Add(10 * time.Second))
		if line, err := rd.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 200") {
			t.Errorf("%s: the 101st connection was not served after one closed: %q, %v", side.name, line, err)
		}
		probe.Close()
		for _, c := range held {
			c.Close()
		}
	}
}
