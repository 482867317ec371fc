package page

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"goha/stats"
	"goha/stats/cli"
)

var testClock = stats.Clock{Unix: 2_000_000_000, Ms: 9_000_000}

type fakeRuntime struct {
	mu      sync.Mutex
	proxies []*stats.Proxy
	actions []string
}

func (f *fakeRuntime) Proxies() []*stats.Proxy { return f.proxies }
func (f *fakeRuntime) Clock() stats.Clock      { return testClock }
func (f *fakeRuntime) Info(clk stats.Clock) *stats.Info {
	in := &stats.Info{}
	in.S[stats.IName], in.S[stats.IVersion], in.S[stats.IReleaseDate] = "HAProxy", "2.6.12-1+deb12u4", "2026/10/17"
	in.U[stats.IPid], in.U[stats.IProcessNum], in.U[stats.INbproc], in.U[stats.INbthread] = 4242, 1, 1, 2
	in.U[stats.IUptimeSec], in.U[stats.IUlimitN], in.U[stats.IMaxsock], in.U[stats.IMaxconn] = 3725, 20000, 20000, 9986
	in.U[stats.ICurrConns], in.U[stats.ITasks], in.U[stats.IIdlePct] = 3, 13, 100
	return in
}
func (f *fakeRuntime) ServerDetail(px *stats.Proxy, sv *stats.Server) cli.ServerDetail {
	return cli.DetailFromModel(sv)
}
func (f *fakeRuntime) SetServerAdmin(px *stats.Proxy, sv *stats.Server, a cli.AdminAction) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, px.Name+"/"+sv.Name+" "+a.String())
	cli.ApplyAdmin(px, sv, a, testClock.Unix)
}
func (f *fakeRuntime) SetServerWeight(px *stats.Proxy, sv *stats.Server, w uint32) {
	cli.ApplyWeight(sv, w)
}
func (f *fakeRuntime) PauseFrontend(px *stats.Proxy) error  { return nil }
func (f *fakeRuntime) ResumeFrontend(px *stats.Proxy) error { return nil }
func (f *fakeRuntime) ClearCounters(all bool)               {}
func (f *fakeRuntime) Sessions() []cli.Session              { return nil }

func readGolden(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatalf("missing golden (regenerate with -update): %v", err)
	}
	return string(b)
}

// newServer builds a server in state st with the given check snapshot.
func newServer(name string, id uint32, w uint32, backup bool, st stats.ServerState, adm uint32, chk stats.Check) *stats.Server {
	sv := &stats.Server{Name: name, ID: id, Addr: "127.0.0.1:" + strconv.Itoa(8000+int(id)), Backup: backup, MaxIdleConns: -1}
	sv.EWeight.Store(w)
	sv.UWeight.Store(w)
	sv.State.Store(uint32(st))
	sv.Admin.Store(adm)
	sv.LastChange.Store(testClock.Unix - 125)
	sv.SetCheck(chk)
	return sv
}

// testModel is the capture's config (frontend web, backend be with s1 and
// s2) plus a backend showing every colour of the legend.
func testModel(t testing.TB) *fakeRuntime {
	beID, _ := strconv.Atoi(strings.TrimSpace(readGolden(t, "be_iid.txt")))
	noChk := stats.Check{Rise: 2, Fall: 3, Health: 2}
	l4ok := func(health int32) stats.Check {
		return stats.Check{Enabled: true, Status: stats.ChkL4OK, Duration: 1, Rise: 2, Fall: 3, Health: health}
	}
	l4con := func(health int32) stats.Check {
		return stats.Check{Enabled: true, Status: stats.ChkL4Con, Duration: 0, Desc: "Connection refused", Rise: 2, Fall: 3, Health: health}
	}
	web := &stats.Proxy{Name: "web", ID: 1, Cap: stats.CapFE, Mode: stats.ModeHTTP, MaxConn: 9986}
	web.FE.CumSess.Store(100)
	web.FE.CumReq.Store(100)
	be := &stats.Proxy{Name: "be", ID: uint32(beID), Cap: stats.CapBE, Mode: stats.ModeHTTP, Algo: "roundrobin", FullConn: 999}
	be.Servers = []*stats.Server{
		newServer("s1", 1, 1, false, stats.SrvRunning, 0, noChk),
		newServer("s2", 2, 5, false, stats.SrvRunning, 0, noChk),
	}
	be.Servers[0].C.CumSess.Store(50)
	be.Servers[0].C.CumLbConn.Store(50)
	be.Servers[1].C.CumSess.Store(50)
	be.Servers[1].C.CumLbConn.Store(50)
	be.BE.CumConn.Store(100)
	be.BE.CumLbConn.Store(100)
	be.LastChange.Store(testClock.Unix - 125)
	colours := &stats.Proxy{Name: "colours", ID: 9, Cap: stats.CapBE, Mode: stats.ModeHTTP, Algo: "roundrobin"}
	colours.Servers = []*stats.Server{
		newServer("up", 1, 1, false, stats.SrvRunning, 0, l4ok(4)),
		newServer("goingdown", 2, 1, false, stats.SrvRunning, 0, l4con(3)),
		newServer("goingup", 3, 1, false, stats.SrvStopped, 0, l4ok(1)),
		newServer("down", 4, 1, false, stats.SrvStopped, 0, l4con(0)),
		newServer("maint", 5, 1, false, stats.SrvStopped, stats.AdminMaint, noChk),
		newServer("drain", 6, 1, false, stats.SrvRunning, stats.AdminDrain, l4ok(4)),
		newServer("nocheck", 7, 1, false, stats.SrvRunning, 0, noChk),
		newServer("backup", 8, 1, true, stats.SrvRunning, 0, l4ok(4)),
	}
	colours.LastChange.Store(testClock.Unix - 125)
	return &fakeRuntime{proxies: []*stats.Proxy{web, be, colours}}
}

// tutorialHandler is the capture's "listen stats" section.
func tutorialHandler(f *fakeRuntime) *Handler {
	return &Handler{Runtime: f, Config: Config{
		URI: "/stats", Refresh: 10, Self: "stats",
		Users: []User{{"yjssjm", "123"}, {"admin", "s3cret"}},
		Admin: func(*Request) bool { return true },
	}}
}

func basic(userpass string) func(string) string {
	return func(name string) string {
		if name == "authorization" && userpass != "" {
			return "Basic " + base64.StdEncoding.EncodeToString([]byte(userpass))
		}
		return ""
	}
}

// raw renders a Response like haproxy's HTTP/1 layer ("Connection: close"
// requests), for comparison with the goldens.
func raw(resp Response, withBody bool) string {
	s := string(AppendHead(nil, resp, true))
	if withBody {
		s += string(resp.Body)
	}
	return s
}

// TestAuth: the tutorial's credentials get the page; no or wrong
// credentials get haproxy's 401, byte for byte, with the configured realm.
func TestAuth(t *testing.T) {
	f := testModel(t)
	h := tutorialHandler(f)
	for _, tc := range []struct{ golden, auth string }{
		{"auth_none.txt", ""}, {"auth_wrong.txt", "yjssjm:124"}, {"auth_wrong_user.txt", "nobody:123"},
	} {
		resp := h.Respond(&Request{Method: "GET", URI: "/stats", Header: basic(tc.auth)})
		if got, want := raw(resp, true), readGolden(t, tc.golden); got != want {
			t.Errorf("%s: got\n%q\nwant\n%q", tc.golden, got, want)
		}
	}
	for _, tc := range []struct{ golden, auth string }{{"html.txt", "yjssjm:123"}, {"html_second_user.txt", "admin:s3cret"}} {
		resp := h.Respond(&Request{Method: "GET", URI: "/stats", Header: basic(tc.auth)})
		if got, want := raw(resp, false), readGolden(t, tc.golden); got != want {
			t.Errorf("%s: got\n%q\nwant\n%q", tc.golden, got, want)
		}
	}
	priv := &Handler{Runtime: f, Config: Config{URI: "/", Realm: "Private area", Users: []User{{"u", "p"}}}}
	resp := priv.Respond(&Request{Method: "GET", URI: "/", Header: basic("")})
	if got, want := raw(resp, true), readGolden(t, "auth_realm.txt"); got != want {
		t.Errorf("realm: got\n%q\nwant\n%q", got, want)
	}
	// malformed headers are refused, not crashed on
	for _, hv := range []string{"Basic", "Basic !!!", "Bearer x", "basic " + base64.StdEncoding.EncodeToString([]byte("yjssjm"))} {
		resp := h.Respond(&Request{Method: "GET", URI: "/stats", Header: func(string) string { return hv }})
		if resp.Status != 401 {
			t.Errorf("%q: status %d", hv, resp.Status)
		}
	}
	// lower-case scheme is accepted as haproxy does
	resp = h.Respond(&Request{Method: "GET", URI: "/stats", Header: func(string) string {
		return "basic " + base64.StdEncoding.EncodeToString([]byte("yjssjm:123"))
	}})
	if resp.Status != 200 {
		t.Errorf("lower-case basic: %d", resp.Status)
	}
}

// TestNetHTTP serves the page through net/http: 200 with the tutorial's
// credentials, 401 with the realm header without.
func TestNetHTTP(t *testing.T) {
	srv := httptest.NewServer(tutorialHandler(testModel(t)))
	defer srv.Close()
	get := func(auth string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+"/stats", nil)
		if auth != "" {
			u, p, _ := strings.Cut(auth, ":")
			req.SetBasicAuth(u, p)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := get("yjssjm:123"); r.StatusCode != 200 || r.Header.Get("Refresh") != "10" {
		t.Errorf("tutorial credentials: %d, refresh %q", r.StatusCode, r.Header.Get("Refresh"))
	}
	if r := get(""); r.StatusCode != 401 || r.Header.Get("Www-Authenticate") != `Basic realm="HAProxy Statistics"` {
		t.Errorf("no credentials: %d %q", r.StatusCode, r.Header.Get("Www-Authenticate"))
	}
	if r := get("yjssjm:wrong"); r.StatusCode != 401 {
		t.Errorf("wrong credentials: %d", r.StatusCode)
	}
}

// TestExports: ;csv, ;json, ;typed bodies are the stats renderer's output
// with the page's options, and the headers are haproxy's.
func TestExports(t *testing.T) {
	f := testModel(t)
	h := tutorialHandler(f)
	for _, tc := range []struct {
		uri, golden string
		format      stats.Format
		up          bool
	}{
		{"/stats;csv", "csv.txt", stats.FormatCSV, false},
		{"/stats;csv;norefresh", "csv_norefresh.txt", stats.FormatCSV, false},
		{"/stats;json", "json.txt", stats.FormatJSON, false},
		{"/stats;csv;up;norefresh", "csv_norefresh.txt", stats.FormatCSV, true},
		{"/stats;typed;norefresh", "", stats.FormatTyped, false},
	} {
		resp := h.Respond(&Request{Method: "GET", URI: tc.uri, Header: basic("yjssjm:123")})
		d := &stats.StatDump{Format: tc.format, Clock: testClock, Options: stats.Options{HideDown: tc.up}, Self: "stats"}
		if want := string(d.AppendAll(nil, f.proxies)); string(resp.Body) != want {
			t.Errorf("%s body differs from the stats renderer", tc.uri)
		}
		if tc.golden != "" {
			if got, want := raw(resp, false), readGolden(t, tc.golden); got != want {
				t.Errorf("%s head:\n%q\nwant\n%q", tc.uri, got, want)
			}
		}
	}
	// "stats show-legends" adds addr/cookie/algo; "scope=" narrows proxies
	h.Config.ShowLegends = true
	resp := h.Respond(&Request{Method: "GET", URI: "/stats;csv;scope=BE", Header: basic("yjssjm:123")})
	d := &stats.StatDump{Format: stats.FormatCSV, Clock: testClock, Options: stats.Options{Legends: true}, Scope: "BE"}
	if want := string(d.AppendAll(nil, f.proxies)); string(resp.Body) != want || !strings.Contains(want, "127.0.0.1:8001") {
		t.Errorf("legends/scope body differs:\n%s", resp.Body)
	}
	// "stats scope" limits every format
	h.Config.Scope = []string{"web"}
	resp = h.Respond(&Request{Method: "GET", URI: "/stats;csv", Header: basic("yjssjm:123")})
	if strings.Contains(string(resp.Body), "\nbe,") || !strings.Contains(string(resp.Body), "\nweb,FRONTEND") {
		t.Errorf("stats scope web:\n%s", resp.Body)
	}
}

// TestAdminPost replays the capture's admin form posts: the redirect
// locations equal haproxy's and the actions reach the runtime.
func TestAdminPost(t *testing.T) {
	f := testModel(t)
	h := tutorialHandler(f)
	priv := &Handler{Runtime: f, Config: Config{URI: "/", Realm: "Private area", Users: []User{{"u", "p"}}}}
	beID := strings.TrimSpace(readGolden(t, "be_iid.txt"))
	for _, s := range pageSteps {
		if s.method == "GET" {
			continue
		}
		hd := h
		if s.port == "PRIV" {
			hd = priv
		}
		resp := hd.Respond(&Request{Method: s.method, URI: s.path, Header: basic(s.auth),
			Body: []byte(strings.ReplaceAll(s.body, "{{BEID}}", beID))})
		want := readGolden(t, s.name+".txt")
		if got := raw(resp, s.name == "put"); got != want {
			t.Errorf("%s: got\n%q\nwant\n%q", s.name, got, want)
		}
	}
	want := []string{"be/s1 drain", "be/s1 maint", "be/s1 ready"}
	if strings.Join(f.actions, ",") != strings.Join(want, ",") {
		t.Errorf("actions %q, want %q", f.actions, want)
	}
	s1 := f.proxies[1].Servers[0]
	if s1.Admin.Load() != 0 || !s1.Usable() {
		t.Errorf("be/s1 not back to ready")
	}
}

// TestHTMLColumns: the page has haproxy's column groups and columns, in
// its order, for every proxy table; the legend, process block and admin
// form are there.
func TestHTMLColumns(t *testing.T) {
	f := testModel(t)
	h := tutorialHandler(f)
	resp := h.Respond(&Request{Method: "GET", URI: "/stats", Header: basic("yjssjm:123")})
	page := string(resp.Body)
	want := readGolden(t, "columns.txt")
	tables := strings.Split(page, "<table class=\"px\"")[1:]
	if len(tables) != 3 {
		t.Fatalf("%d proxy tables, want 3", len(tables))
	}
	for _, tb := range tables {
		var got []string
		for _, m := range regexp.MustCompile(`<th[^>]*>([^<]+)</th>`).FindAllStringSubmatch(tb, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, "\n")+"\n" != want {
			t.Errorf("columns:\n%s\nwant\n%s", strings.Join(got, " "), strings.ReplaceAll(want, "\n", " "))
		}
	}
	for _, s := range []string{"General process information", "pid = </b>4242", "uptime = </b>0d 1h02m05s",
		"active UP", "backup UP", "active UP, going down", "active DOWN, going up", "not checked",
		"DOWN for maintenance (MAINT)", "SOFT STOPPED for maintenance", "HAProxy version 2.6.12-1+deb12u4",
		`name="action"`, `value="ready"`, `value="drain"`, `value="maint"`, `name="b" value="#` + strconv.Itoa(int(f.proxies[1].ID)),
		`<tr class="s-nocheck"><td class="c"><input type="checkbox" name="s" value="s1">`} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	// each state has its colour class
	for _, name := range []string{"up", "goingdown", "goingup", "down", "maint", "drain", "nocheck"} {
		if !regexp.MustCompile(`<tr class="s-` + name + `">.*value="` + name + `"`).MatchString(page) {
			t.Errorf("server %s is not drawn with class s-%s", name, name)
		}
	}
	if !strings.Contains(page, `<tr class="s-bup"><td class="c"><input type="checkbox" name="s" value="backup">`) {
		t.Error("backup server not drawn as backup UP")
	}
	// hide-version, show-node
	h.Config.HideVersion, h.Config.ShowNode = true, "lb1"
	page = string(h.Respond(&Request{Method: "GET", URI: "/stats;up;norefresh", Header: basic("yjssjm:123")}).Body)
	if strings.Contains(page, "HAProxy version") || !strings.Contains(page, "pid 4242 on lb1") {
		t.Error("hide-version/show-node not applied")
	}
	if strings.Contains(page, `value="down"`) {
		t.Error(";up still shows the DOWN server")
	}
	// without admin rights, no form
	h.Config.Admin = nil
	page = string(h.Respond(&Request{Method: "GET", URI: "/stats", Header: basic("yjssjm:123")}).Body)
	if strings.Contains(page, "<form class=\"act\"") {
		t.Error("admin form shown without stats admin")
	}
	// a status message after an action
	page = string(h.Respond(&Request{Method: "GET", URI: "/stats;st=DONE", Header: basic("yjssjm:123")}).Body)
	if !strings.Contains(page, "Action processed successfully.") {
		t.Error("no message for ;st=DONE")
	}
}

func TestConstantTimeUsers(t *testing.T) {
	// every configured user is compared even after a match: the second
	// user works, and a name of one with the password of another fails
	h := tutorialHandler(testModel(t))
	if !h.authorized(&Request{Header: basic("admin:s3cret")}) || h.authorized(&Request{Header: basic("admin:123")}) {
		t.Fatal("user/password pairing wrong")
	}
	_ = time.Second
}
