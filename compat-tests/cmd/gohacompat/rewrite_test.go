package main

import (
	"goha/internal/linediff"
	"os"
	"strings"
	"testing"
)

// The haproxy-side rewrite of the tutorial's file is exactly the corpus's
// modern copy (which haproxy 2.6 accepts: its golden is "valid").
func TestLegacyRewriteIsTheCorpusModernCopy(t *testing.T) {
	seed, err := os.ReadFile("../../../testdata/seed/haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	modern, err := os.ReadFile("../../../testdata/check/haproxy/02-tutorial-modern.cfg")
	if err != nil {
		t.Fatal(err)
	}
	if got := legacyRewrite(string(seed)); got != string(modern) {
		t.Errorf("rewrite differs from 02-tutorial-modern.cfg:\n%s", strings.Join(linediff.Lines(strings.Split(string(modern), "\n"), strings.Split(got, "\n")), "\n"))
	}
	if got := legacyRewrite("    redispatch\n    option forceclose\n"); got != "    option redispatch\n    option httpclose\n" {
		t.Errorf("redispatch/forceclose: %q", got)
	}
}

func TestLoopbackRewrite(t *testing.T) {
	cfg := `global
    log 10.0.0.1 local2 info
    chroot /var/lib/haproxy
    stats socket /run/haproxy/admin.sock mode 660
frontend web
    bind *:80,:8080 transparent
    default_backend be
listen stats
    bind 10.1.1.1:81 ssl crt x.pem
    stats uri /st
    stats auth u:p
backend be
    server s1 192.168.0.1:80 check ssl verify none
    server s2 backend.example:8080 weight 2
`
	n := 20000
	plan := loopbackRewrite(cfg, "/tmp/x", 5514, func() int { n++; return n })
	want := `global
    log 127.0.0.1:5514 local2 info
    stats socket /tmp/x/stats.sock mode 660
frontend web
    bind 127.0.0.1:20001,127.0.0.1:20002
    default_backend be
listen stats
    bind 127.0.0.1:20003 ssl crt x.pem
    stats uri /st
    stats auth u:p
backend be
    server s1 127.0.0.1:20004 check
    server s2 127.0.0.1:20005 weight 2
`
	if plan.Config != want {
		t.Errorf("rewrite:\n%s", strings.Join(linediff.Lines(strings.Split(want, "\n"), strings.Split(plan.Config, "\n")), "\n"))
	}
	if len(plan.Listeners) != 3 || plan.Listeners[2].Proxy != "stats" || !plan.Listeners[2].TLS || plan.Listeners[0].Original != "*:80" {
		t.Errorf("listeners: %+v", plan.Listeners)
	}
	if len(plan.Servers) != 2 || plan.Servers[1].Name != "be/s2" {
		t.Errorf("servers: %+v", plan.Servers)
	}
	if len(plan.Stats) != 1 || plan.Stats[0] != (statsPage{"stats", "/st", "u:p"}) {
		t.Errorf("stats: %+v", plan.Stats)
	}
}

func TestRequestFile(t *testing.T) {
	reqs, err := parseRequests("# mine\n### a @web\nPOST /x HTTP/1.1\nHost: h\n\nbody\n\n### b\nGET / HTTP/1.1\nbad line\n\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 2 || reqs[0].Target != "web" || reqs[1].Target != "" {
		t.Fatalf("%+v", reqs)
	}
	if got := string(reqs[0].Raw); got != "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody" {
		t.Errorf("a: %q", got)
	}
	if got := string(reqs[1].Raw); got != "GET / HTTP/1.1\r\nbad line\r\n\r\n" {
		t.Errorf("b: %q", got)
	}
	if _, err := parseRequests(defaultRequests); err != nil {
		t.Errorf("built-in set: %v", err)
	}
	if _, err := parseRequests("GET / HTTP/1.1\n"); err == nil {
		t.Error("text outside a request accepted")
	}
}

func TestCoverRules(t *testing.T) {
	dir := t.TempDir()
	f := dir + "/D.md"
	os.WriteFile(f, []byte("text\n```gohacompat\n# c\nheader get-*@web ^\\+ x-a:\n```\n"), 0o644)
	rules, err := loadCovered(f)
	if err != nil || len(rules) != 1 {
		t.Fatal(rules, err)
	}
	ds := []diff{{Request: "get-root@web", Aspect: "header", Text: "+ x-a: 1"}, {Request: "get-root@web", Aspect: "body", Text: "+ x-a: 1"}}
	cover(ds, rules, "D.md")
	if ds[0].Covered != "D.md:4" || ds[1].Covered != "" {
		t.Errorf("%+v", ds)
	}
}

func TestNormaliseLog(t *testing.T) {
	n := normaliser{ports: map[string]string{"20001": "<bind1>"}}
	in := `<150>Nov 25 15:52:01 haproxy[4467]: 127.0.0.1:41234 [25/Nov/2026:15:52:01.123] web httpservers/http1 0/0/1/2/3 200 178 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1" 7F000001:A1B2_7F000001:4E21_6B070313_0000:1173`
	want := `<150><time> haproxy[<pid>]: 127.0.0.1:<port> [<date>] web httpservers/http1 N/N/N/N/N 200 178 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1" 7F000001:<port>_7F000001:<bind1>_<time>_0000:<pid>`
	if got := n.log(in); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	if got := n.log(`<134>Nov  5 01:02:03 haproxy[1]: x web be/<NOSRV> -1/-1/-1/-1/0 503`); !strings.Contains(got, "-1/-1/-1/-1/N 503") {
		t.Errorf("-1 timers must stay: %s", got)
	}
}
