package acl

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"goha/parser/haproxy"
)

var update = flag.Bool("update", false, "regenerate testdata/golden from the real haproxy 2.6")

// goldenACLs are evaluated by haproxy and by us on the same requests. Each
// is written as an acl line for haproxy (aclLine) and compiled by Compile.
var goldenACLs = []haproxy.ACL{
	{Name: "html", Fetch: "url_reg", IgnoreCase: true, Patterns: []string{`\.html$`}}, // the tutorial's
	{Name: "url_exact", Fetch: "url", Patterns: []string{"/index.html"}},
	{Name: "url_beg", Fetch: "url_beg", Patterns: []string{"/static/", "/img"}},
	{Name: "url_end", Fetch: "url_end", Patterns: []string{".css"}},
	{Name: "url_sub", Fetch: "url_sub", Patterns: []string{"admin"}},
	{Name: "url_sub_i", Fetch: "url_sub", IgnoreCase: true, Patterns: []string{"ADMIN"}},
	{Name: "url_dir", Fetch: "url_dir", Patterns: []string{"api"}},
	{Name: "url_dom", Fetch: "url_dom", Patterns: []string{"example"}},
	{Name: "url_len", Fetch: "url_len", Patterns: []string{"1:10"}},
	{Name: "path_exact", Fetch: "path", Patterns: []string{"/a/b"}},
	{Name: "path_beg", Fetch: "path_beg", Patterns: []string{"/api/"}},
	{Name: "path_end", Fetch: "path_end", IgnoreCase: true, Patterns: []string{".JPG", ".png"}},
	{Name: "path_reg", Fetch: "path_reg", Patterns: []string{`^/v[0-9]+/`}},
	{Name: "path_sub", Fetch: "path_sub", Patterns: []string{"/x/"}},
	{Name: "path_dir", Fetch: "path_dir", Patterns: []string{"b"}},
	{Name: "path_dom", Fetch: "path_dom", Patterns: []string{"tar"}},
	{Name: "path_len", Fetch: "path_len", Patterns: []string{"gt", "12"}},
	{Name: "query_found", Fetch: "query", Match: "found"},
	{Name: "query_sub", Fetch: "query", Match: "sub", Patterns: []string{"debug=1"}},
	{Name: "host_exact", Fetch: "hdr", FetchArgs: []string{"host"}, IgnoreCase: true, Patterns: []string{"www.example.com"}},
	{Name: "host_beg", Fetch: "hdr_beg", FetchArgs: []string{"host"}, Patterns: []string{"api."}},
	{Name: "host_end", Fetch: "hdr_end", FetchArgs: []string{"host"}, Patterns: []string{".org"}},
	{Name: "host_dom", Fetch: "hdr_dom", FetchArgs: []string{"host"}, Patterns: []string{"example"}},
	{Name: "host_reg", Fetch: "hdr_reg", FetchArgs: []string{"host"}, Patterns: []string{`^[a-z]+\.test$`}},
	{Name: "ua_sub", Fetch: "hdr_sub", FetchArgs: []string{"user-agent"}, IgnoreCase: true, Patterns: []string{"curl"}},
	{Name: "accept_json", Fetch: "hdr", FetchArgs: []string{"accept"}, Patterns: []string{"application/json"}},
	{Name: "xff_first", Fetch: "hdr", FetchArgs: []string{"x-forwarded-for", "1"}, Patterns: []string{"10.0.0.1"}},
	{Name: "xff_last", Fetch: "hdr", FetchArgs: []string{"x-forwarded-for", "-1"}, Patterns: []string{"10.0.0.3"}},
	{Name: "req_hdr", Fetch: "req.hdr", FetchArgs: []string{"x-token"}, Match: "found"},
	{Name: "fhdr_ua", Fetch: "req.fhdr", FetchArgs: []string{"user-agent"}, Match: "sub", Patterns: []string{", like"}},
	{Name: "hdr_cnt2", Fetch: "hdr_cnt", FetchArgs: []string{"x-forwarded-for"}, Patterns: []string{"ge", "2"}},
	{Name: "hdr_cnt0", Fetch: "hdr_cnt", FetchArgs: []string{"cookie"}, Patterns: []string{"0"}},
	{Name: "hdr_len", Fetch: "hdr_len", FetchArgs: []string{"x-token"}, Patterns: []string{"4"}},
	{Name: "hdr_val", Fetch: "hdr_val", FetchArgs: []string{"x-n"}, Patterns: []string{"10:20"}},
	{Name: "hdr_ip", Fetch: "hdr_ip", FetchArgs: []string{"x-real-ip"}, Patterns: []string{"10.0.0.0/8"}},
	{Name: "meth_get", Fetch: "method", Patterns: []string{"GET"}},
	{Name: "meth_post_put", Fetch: "method", Patterns: []string{"POST", "PUT"}},
	{Name: "src_lo2", Fetch: "src", Patterns: []string{"127.0.0.2"}},
	{Name: "src_net", Fetch: "src", Patterns: []string{"127.0.0.0/30"}},
	{Name: "src_abbrev", Fetch: "src", Patterns: []string{"127.0.0.3/32", "127.4/32"}},
	{Name: "dst_port", Fetch: "dst_port", Patterns: []string{"1:65535"}},
	{Name: "urlp_id", Fetch: "urlp", FetchArgs: []string{"id"}, Patterns: []string{"42"}},
	{Name: "url_param_reg", Fetch: "urlp_reg", FetchArgs: []string{"user"}, Patterns: []string{"^adm"}},
	{Name: "urlp_val", Fetch: "urlp_val", FetchArgs: []string{"page"}, Patterns: []string{"gt", "5"}},
	{Name: "ver11", Fetch: "req.ver", Patterns: []string{"1.1"}},
	{Name: "ver10", Fetch: "req.ver", Patterns: []string{"1.0"}},
	{Name: "base_beg", Fetch: "base_beg", Patterns: []string{"www.example.com/img"}},
	{Name: "m_beg", Fetch: "path", Match: "beg", Patterns: []string{"/v1"}},
	{Name: "m_len", Fetch: "url", Match: "len", Patterns: []string{"le", "3"}},
	{Name: "f_file", Fetch: "path_beg", Files: []string{"testdata/paths.lst"}},
	{Name: "meth_lower", Fetch: "method", Patterns: []string{"get"}},
	{Name: "meth_lower_i", Fetch: "method", IgnoreCase: true, Patterns: []string{"get"}},
	{Name: "dst_range", Fetch: "dst_port", Patterns: []string{"1-65535"}},
}

// goldenConds are conditions over the ACLs above and the predefined ones,
// written as haproxy would read them after "if".
var goldenConds = []struct {
	name string
	cond haproxy.Condition
	text string
}{
	{"c_and", haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "meth_get"}, {Name: "path_beg"}}}}, "meth_get path_beg"},
	{"c_or", haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "url_end"}}, {{Name: "path_end"}}}}, "url_end || path_end"},
	{"c_not", haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "meth_get", Negate: true}}}}, "!meth_get"},
	{"c_unless", haproxy.Condition{Unless: true, Or: [][]haproxy.CondTerm{{{Name: "LOCALHOST"}}}}, ""},
	{"c_meth_get", haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "METH_GET"}}}}, "METH_GET"},
	{"c_http11", haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "HTTP_1.1"}}}}, "HTTP_1.1"},
	{"c_url_abs", haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "HTTP_URL_ABS"}}}}, "HTTP_URL_ABS"},
	{"c_url_slash", haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "HTTP_URL_SLASH"}}}}, "HTTP_URL_SLASH"},
	{"c_content", haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "HTTP_CONTENT"}}}}, "HTTP_CONTENT"},
	{"c_anon", haproxy.Condition{Or: [][]haproxy.CondTerm{{{Anonymous: &haproxy.ACL{Fetch: "path_end", Patterns: []string{".gif"}}}}}}, "{ path_end .gif }"},
	{"c_mix", haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: "host_dom"}, {Name: "ua_sub", Negate: true}}, {{Name: "FALSE"}}, {{Name: "TRUE"}, {Name: "query_found"}}}}, "host_dom !ua_sub or FALSE || TRUE query_found"},
}

// aclLine writes a as an acl line haproxy reads.
func aclLine(a haproxy.ACL) string {
	var b strings.Builder
	fmt.Fprintf(&b, "acl %s %s", a.Name, a.Fetch)
	if len(a.FetchArgs) > 0 {
		fmt.Fprintf(&b, "(%s)", strings.Join(a.FetchArgs, ","))
	}
	if a.Match != "" {
		fmt.Fprintf(&b, " -m %s", a.Match)
	}
	if a.IgnoreCase {
		b.WriteString(" -i")
	}
	for _, f := range a.Files {
		fmt.Fprintf(&b, " -f %s", f)
	}
	for _, p := range a.Patterns {
		fmt.Fprintf(&b, " %s", p)
	}
	return b.String()
}

// goldenRequests are sent raw, each on its own connection from the given
// loopback source address.
var goldenRequests = []struct {
	src string
	raw string
}{
	{"127.0.0.1", "GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n"},
	{"127.0.0.1", "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/7.88\r\n\r\n"},
	{"127.0.0.2", "GET /INDEX.HTML HTTP/1.1\r\nHost: api.example.org\r\n\r\n"},
	{"127.0.0.3", "POST /api/v1/users?id=42&page=7 HTTP/1.1\r\nHost: a.test\r\nContent-Length: 3\r\n\r\nabc"},
	{"127.0.0.4", "PUT /static/app.css HTTP/1.0\r\nHost: x\r\n\r\n"},
	{"127.0.0.5", "GET /img/logo.PNG?debug=1 HTTP/1.1\r\nHost: www.example.com\r\nAccept: text/html, application/json\r\n\r\n"},
	{"127.0.0.1", "GET /a/b HTTP/1.1\r\nHost: b.example.com\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2\r\nX-Forwarded-For: 10.0.0.3\r\n\r\n"},
	{"127.0.0.6", "HEAD /v2/x/y.tar.gz HTTP/1.1\r\nHost: WWW.EXAMPLE.COM\r\nUser-Agent: Mozilla/5.0 (X11, like Gecko)\r\nX-Token: abcd\r\nX-N: 15\r\nX-Real-IP: 10.1.2.3\r\n\r\n"},
	{"127.0.0.1", "DELETE /Admin/panel?user=admin1 HTTP/1.1\r\nHost: example.test\r\nCookie: a=b\r\n\r\n"},
	{"127.0.0.7", "GET http://www.example.com/img/a.jpg?x HTTP/1.1\r\nHost: www.example.com\r\n\r\n"},
	{"127.0.0.1", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"127.0.0.8", "GET /api HTTP/1.1\r\nHost: api.test\r\nX-N: 25\r\nX-Token: abc\r\n\r\n"},
	{"127.0.0.1", "GET /x/?page=3&user=bob;id=42 HTTP/1.1\r\nHost: example.org\r\n\r\n"},
	{"127.0.0.2", "GET /example/file.gif HTTP/1.1\r\nhost: api.example.com\r\nuser-agent: CURL\r\n\r\n"},
	{"127.0.0.1", "GET /v10/api/list.html?id=4&id=42 HTTP/1.1\r\nHost: www.example.com\r\nAccept: application/json\r\n\r\n"},
	{"127.0.0.3", "GET /health HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: 0\r\n\r\n"},
	{"127.0.0.1", "get /lower HTTP/1.1\r\nHost: h\r\n\r\n"},
}

func TestACLGolden(t *testing.T) {
	golden := filepath.Join("testdata", "golden", "acl.txt")
	if *update {
		if _, err := exec.LookPath("haproxy"); err != nil {
			t.Fatal("-update needs haproxy 2.6 installed")
		}
		lines := runHaproxy(t)
		if err := os.WriteFile(golden, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (regenerate with go test -run ACLGolden -update)", err)
	}
	wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	if len(wantLines) != len(goldenRequests) {
		t.Fatalf("golden has %d lines for %d requests", len(wantLines), len(goldenRequests))
	}
	set, conds := compileGolden(t)
	for i, r := range goldenRequests {
		txn := parseRaw(t, r.src, r.raw)
		got := evalAll(set, conds, txn)
		if got != wantLines[i] {
			t.Errorf("request %d %q:\n haproxy matched: %s\n we matched:      %s", i, strings.SplitN(r.raw, "\r\n", 2)[0], wantLines[i], got)
		}
	}
}

func compileGolden(t *testing.T) (*Set, []*Cond) {
	t.Helper()
	var srcs []*haproxy.ACL
	for i := range goldenACLs {
		srcs = append(srcs, &goldenACLs[i])
	}
	set, err := NewSet(srcs)
	if err != nil {
		t.Fatal(err)
	}
	var conds []*Cond
	for i := range goldenConds {
		c, err := set.Cond(&goldenConds[i].cond)
		if err != nil {
			t.Fatal(err)
		}
		conds = append(conds, c)
	}
	return set, conds
}

// evalAll lists, in declaration order, the ACLs then conditions that hold.
func evalAll(set *Set, conds []*Cond, txn *Txn) string {
	var names []string
	for _, a := range goldenACLs {
		if set.byName[a.Name][0].Match(txn) {
			names = append(names, a.Name)
		}
	}
	for i, c := range conds {
		if c.Eval(txn) {
			names = append(names, goldenConds[i].name)
		}
	}
	return strings.Join(names, ",")
}

// rawHeaders is a minimal Headers over a parsed test request.
type rawHeaders [][2][]byte

func (h rawHeaders) Len() int                      { return len(h) }
func (h rawHeaders) At(i int) (name, value []byte) { return h[i][0], h[i][1] }

// parseRaw splits a well-formed test request into a Txn. The engine's real
// parser is proxy/http1; tests here only need the fields.
func parseRaw(t *testing.T, src, raw string) *Txn {
	head := raw[:strings.Index(raw, "\r\n\r\n")]
	lines := strings.Split(head, "\r\n")
	rl := strings.SplitN(lines[0], " ", 3)
	var hs rawHeaders
	for _, l := range lines[1:] {
		i := strings.IndexByte(l, ':')
		hs = append(hs, [2][]byte{[]byte(l[:i]), []byte(strings.TrimSpace(l[i+1:]))})
	}
	return &Txn{
		Src:     netip.AddrPortFrom(netip.MustParseAddr(src), 40000),
		Dst:     netip.MustParseAddrPort("127.0.0.1:8080"),
		Method:  []byte(rl[0]),
		URI:     []byte(rl[1]),
		Version: []byte(strings.TrimPrefix(rl[2], "HTTP/")),
		Headers: hs,
		HTTP:    true,
	}
}

// runHaproxy runs every golden request through haproxy 2.6 with one
// http-request rule per ACL and condition appending its name to a variable,
// returned in a response header.
func runHaproxy(t *testing.T) []string {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	wd, _ := os.Getwd()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global\n  log stderr format raw local0 err\ndefaults\n  mode http\n  timeout client 5s\n  timeout server 5s\n  timeout connect 5s\nfrontend fe\n  bind 127.0.0.1:%d\n", port)
	for _, a := range goldenACLs {
		if len(a.Files) > 0 {
			a.Files = []string{filepath.Join(wd, a.Files[0])}
		}
		fmt.Fprintf(&cfg, "  %s\n", aclLine(a))
	}
	emit := func(name, cond string) {
		fmt.Fprintf(&cfg, "  http-request set-var-fmt(txn.m) \"%%[var(txn.m)],%s\" %s\n", name, cond)
	}
	for _, a := range goldenACLs {
		emit(a.Name, "if "+a.Name)
	}
	for _, c := range goldenConds {
		if c.cond.Unless {
			emit(c.name, "unless "+c.cond.Or[0][0].Name)
		} else {
			emit(c.name, "if "+c.text)
		}
	}
	cfg.WriteString("  http-request return status 200 hdr X-Matched \"%[var(txn.m)]\"\n")
	path := filepath.Join(dir, "acl.cfg")
	os.WriteFile(path, []byte(cfg.String()), 0o644)
	cmd := exec.Command("haproxy", "-db", "-f", path)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	var out []string
	for _, r := range goldenRequests {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(r.src)}, Timeout: 2 * time.Second}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(3 * time.Second))
		c.Write([]byte(r.raw))
		br := bufio.NewReader(c)
		status, _ := br.ReadString('\n')
		if !strings.Contains(status, " 200 ") {
			t.Fatalf("haproxy answered %q to %q", status, r.raw)
		}
		matched := ""
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
			if k, v, ok := strings.Cut(strings.TrimRight(l, "\r\n"), ": "); ok && strings.EqualFold(k, "x-matched") {
				matched = strings.TrimPrefix(v, ",")
			}
		}
		c.Close()
		out = append(out, matched)
	}
	_ = strconv.Itoa
	return out
}
