package haproxy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loadString writes cfg to a temporary file and loads it.
func loadString(t testing.TB, cfg string, env map[string]string) (Result, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "t.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Resolve:   func(h string) bool { return h == "localhost" || h == "backend.example" },
		CheckFD:   func(int) error { return nil },
		LocalPeer: "a",
	}
	return Load([]string{path}, opts), path
}

func firstAlert(r Result) *Diag {
	for i := range r.Diags {
		if r.Diags[i].Level == LevelAlert {
			return &r.Diags[i]
		}
	}
	return nil
}

func TestSeedConfig(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "seed", "haproxy.cfg")
	r := Load([]string{path}, Options{Resolve: func(string) bool { return false }})
	if r.Fatal || r.ExitCode != 0 {
		t.Fatalf("seed config is fatal: %+v", r.Diags)
	}
	var lines []int
	for _, d := range r.Diags {
		if d.Level != LevelWarning {
			t.Errorf("unexpected %v: %s", d.Level, d.Text)
			continue
		}
		lines = append(lines, d.Line)
	}
	want := []int{8, 15, 16, 17}
	if len(lines) != len(want) {
		t.Fatalf("warnings at lines %v, want %v", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Fatalf("warnings at lines %v, want %v", lines, want)
		}
	}
	for i, kw := range []string{"nbproc", "contimeout", "clitimeout", "srvtimeout"} {
		if !strings.Contains(r.Diags[i].Text, kw) {
			t.Errorf("warning %d %q does not name %s", i, r.Diags[i].Text, kw)
		}
	}
	c := r.Config
	if c.Global.NbProc != 1 || c.Global.MaxConn != 4000 || !c.Global.Daemon || c.Global.PidFile != "/var/run/haproxy.pid" {
		t.Errorf("global = %+v", c.Global)
	}
	if len(c.Global.Logs) != 1 || c.Global.Logs[0].Host != "127.0.0.1" || c.Global.Logs[0].Facility != "local2" || c.Global.Logs[0].Level != "info" {
		t.Errorf("global log = %+v", c.Global.Logs)
	}
	stats := c.Frontend("stats")
	if stats == nil || stats.Kind != KindListen {
		t.Fatal("listen stats missing")
	}
	if len(stats.Binds) != 1 || stats.Binds[0].Addresses[0].Port != 81 || stats.Binds[0].Addresses[0].Host != "*" {
		t.Errorf("stats bind = %+v", stats.Binds)
	}
	if !stats.Stats.Enabled || stats.Stats.URI != "/haproxy" || len(stats.Stats.Auths) != 1 ||
		stats.Stats.Auths[0] != (StatsAuth{User: "yjssjm", Password: "123"}) {
		t.Errorf("stats = %+v", stats.Stats)
	}
	web := c.Frontend("web")
	if web == nil || web.Mode != ModeHTTP || !web.Options.HTTPLog {
		t.Fatalf("frontend web = %+v", web)
	}
	if len(web.ACLs) != 1 || web.ACLs[0].Name != "html" || web.ACLs[0].Fetch != "url_reg" || !web.ACLs[0].IgnoreCase ||
		len(web.ACLs[0].Patterns) != 1 || web.ACLs[0].Patterns[0] != `\.html$` {
		t.Errorf("acl = %+v", web.ACLs)
	}
	if len(web.UseBackends) != 1 || web.UseBackends[0].Backend != "httpservers" || web.UseBackends[0].Cond.Or[0][0].Name != "html" {
		t.Errorf("use_backend = %+v", web.UseBackends)
	}
	if web.DefaultBackend != "httpservers" || web.Timeouts.Client != 50*time.Second {
		t.Errorf("web default_backend/timeout = %q %v", web.DefaultBackend, web.Timeouts.Client)
	}
	be := c.Backend("httpservers")
	if be == nil || be.Balance.Algo != BalanceRoundRobin || !be.Balance.Set {
		t.Fatalf("backend = %+v", be)
	}
	if be.Timeouts.Connect != 5*time.Second || be.Timeouts.Server != 50*time.Second || be.Retries != 3 || !be.Options.Redispatch {
		t.Errorf("backend timeouts/retries/redispatch = %+v %d %v", be.Timeouts, be.Retries, be.Options.Redispatch)
	}
	if len(be.Servers) != 2 {
		t.Fatalf("servers = %d", len(be.Servers))
	}
	for i, s := range be.Servers {
		name := []string{"http1", "http2"}[i]
		host := []string{"192.168.13.133", "192.168.13.137"}[i]
		if s.Name != name || s.Address.Host != host || s.Address.Port != 80 || s.MaxConn != 2000 || s.Weight != 1 ||
			!s.Check || s.Inter != time.Second || s.Rise != 2 || s.Fall != 2 {
			t.Errorf("server %d = %+v", i, s)
		}
	}
}

func TestMissingFile(t *testing.T) {
	r := Load([]string{"/nonexistent/goha.cfg"}, Options{})
	if !r.Fatal || len(r.Diags) != 1 || r.Diags[0].Text != "Cannot open configuration file/directory /nonexistent/goha.cfg : No such file or directory" {
		t.Fatalf("got %+v", r)
	}
}

func TestDirectoryLoading(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("20-be.cfg", "backend be\n    server s1 127.0.0.1:80\n")
	write("10-fe.cfg", "frontend fe\n    bind :80\n    default_backend be\n")
	write(".hidden.cfg", "bogus\n")
	write("notes.txt", "bogus\n")
	write("x.cfg.bak", "bogus\n")
	r := Load([]string{dir}, Options{})
	if r.Fatal {
		t.Fatalf("fatal: %+v", r.Diags)
	}
	if len(r.Config.Files) != 2 || !strings.HasSuffix(r.Config.Files[0], "10-fe.cfg") {
		t.Fatalf("files = %v", r.Config.Files)
	}
	if r.Config.Proxies[0].Name != "fe" || r.Config.Proxies[1].Name != "be" {
		t.Fatalf("order: %s %s", r.Config.Proxies[0].Name, r.Config.Proxies[1].Name)
	}
}

func TestTokenizer(t *testing.T) {
	env := map[string]string{"PORT": "8080", "LIST": "a  b c", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"mode http  ", []string{"mode", "http"}, ""},
		{"  maxconn 4000   #comment", []string{"maxconn", "4000"}, ""},
		{"acl a path_beg /x#y", []string{"acl", "a", "path_beg", "/x"}, ""},
		{`acl a path_beg /x\#y`, []string{"acl", "a", "path_beg", "/x#y"}, ""},
		{`x "a b" 'c d'`, []string{"x", "a b", "c d"}, ""},
		{`x "a # b"`, []string{"x", "a # b"}, ""},
		{`x a\ b`, []string{"x", "a b"}, ""},
		{`x "\x41\t"`, []string{"x", "A\t"}, ""},
		{`x '${PORT}' "${PORT}" ${PORT}`, []string{"x", "${PORT}", "8080", "${PORT}"}, ""},
		{`x "$PORT"`, []string{"x", "8080"}, ""},
		{`x "${NOPE-def}"`, []string{"x", "def"}, ""},
		{`x "${LIST[*]}"`, []string{"x", "a", "b", "c"}, ""},
		{`x "${LIST}"`, []string{"x", "a  b c"}, ""},
		{`x "\$PORT"`, []string{"x", "$PORT"}, ""},
		{`x "" y`, []string{"x", "", "y"}, ""},
		{`x "abc`, nil, "quote"},
		{`x "${PORT"`, nil, "brace"},
		{`x "${1X}"`, nil, "varname"},
		{`x \xZZ`, nil, "hex"},
		{`x "${LIST[x]}"`, nil, "expand"},
		{`x "${.LINE}:${.FILE}"`, []string{"x", "7:f.cfg"}, ""},
		{"# only a comment", nil, ""},
		{"以上 中文 # 注释", []string{"以上", "中文"}, ""},
	}
	for _, tt := range tests {
		got, lerr := tokenize(tt.in, &lineEnv{lookup: lookup, file: "f.cfg", line: 7})
		if tt.err != "" {
			if lerr == nil || lerr.kind != tt.err {
				t.Errorf("%q: error %v, want %s", tt.in, lerr, tt.err)
			}
			continue
		}
		if lerr != nil {
			t.Errorf("%q: unexpected error %v", tt.in, lerr)
			continue
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConditionalBlocks(t *testing.T) {
	cfg := `global
.if defined(HAVE_X)
    maxconn 100
.elif streq("${MODE}",prod)
    maxconn 200
.else
    maxconn 300
.endif
.if version_atleast(2.5) && !version_before(2.6) && feature(OPENSSL)
    nbthread 2
.endif
.if 0 || (1 && !0)
    pidfile /run/x.pid
.endif
.notice "hello"
.warning "careful"
`
	for _, tc := range []struct {
		env  map[string]string
		want int
	}{
		{map[string]string{"HAVE_X": "1"}, 100},
		{map[string]string{"MODE": "prod"}, 200},
		{map[string]string{}, 300},
	} {
		r, path := loadString(t, cfg, tc.env)
		if r.Config == nil {
			t.Fatalf("fatal: %+v", r.Diags)
		}
		if r.Config.Global.MaxConn != tc.want {
			t.Errorf("env %v: maxconn %d, want %d", tc.env, r.Config.Global.MaxConn, tc.want)
		}
		if r.Config.Global.NbThread != 2 || r.Config.Global.PidFile != "/run/x.pid" {
			t.Errorf("nbthread %d pidfile %q", r.Config.Global.NbThread, r.Config.Global.PidFile)
		}
		want := "parsing [" + path + ":16]: 'careful'."
		found := false
		for _, d := range r.Diags {
			if d.Level == LevelWarning && d.Text == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no .warning diag %q in %+v", want, r.Diags)
		}
	}
	for _, bad := range []struct{ cfg, text string }{
		{"global\n.endif\n", "lone '.endif' with no matching '.if'."},
		{"global\n.if 1\n", "non-terminated '.if' block."},
		{"global\n.if foo\n.endif\n", "unparsable conditional expression 'foo' in '.if' at position 1"},
		{"global\n.if 1\n.else\n.elif 1\n.endif\n", "'.elif' after '.else' is not permitted."},
		{"global\n.alert \"stop\"\n", "'stop'."},
		{"global\n.bogus\n", "unknown directive '.bogus'."},
	} {
		r, _ := loadString(t, bad.cfg, nil)
		a := firstAlert(r)
		if !r.Fatal || a == nil || !strings.Contains(a.Text, bad.text) {
			t.Errorf("%q: got %+v, want alert containing %q", bad.cfg, r.Diags, bad.text)
		}
	}
}

func TestDefaultsResolution(t *testing.T) {
	cfg := `defaults base
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 3s
    retries 5
    option redispatch
defaults
    mode tcp
    timeout client 4s
    timeout connect 4s
    timeout server 4s
frontend implicit
    bind :80
    default_backend named
backend named from base
    server s 127.0.0.1:80
defaults tcpish from base
    mode tcp
backend b2 from tcpish
    server s 127.0.0.1:80
`
	r, _ := loadString(t, cfg, nil)
	if r.Config == nil {
		t.Fatalf("fatal: %+v", r.Diags)
	}
	fe := r.Config.Frontend("implicit")
	if fe.Mode != ModeTCP || fe.Timeouts.Client != 4*time.Second || fe.From != "" {
		t.Errorf("implicit frontend: mode %v client %v from %q", fe.Mode, fe.Timeouts.Client, fe.From)
	}
	be := r.Config.Backend("named")
	if be.Mode != ModeHTTP || be.Timeouts.Connect != time.Second || be.Retries != 5 || !be.Options.Redispatch || be.From != "base" {
		t.Errorf("named backend: %+v", be)
	}
	b2 := r.Config.Backend("b2")
	if b2.Mode != ModeTCP || b2.Timeouts.Server != 3*time.Second || b2.Retries != 5 {
		t.Errorf("b2 (defaults from defaults): mode %v server %v retries %d", b2.Mode, b2.Timeouts.Server, b2.Retries)
	}
	// frontend mode tcp uses http backend: allowed; missing defaults name is fatal.
	r, _ = loadString(t, "backend x from nope\n", nil)
	if a := firstAlert(r); a == nil || !strings.Contains(a.Text, "defaults section 'nope' not found for backend 'x'.") {
		t.Errorf("missing named defaults: %+v", r.Diags)
	}
}
