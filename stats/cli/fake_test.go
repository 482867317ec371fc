package cli

// A fake Runtime holding the state haproxy had when the goldens were
// captured: the model is rebuilt from haproxy's own first "show stat"
// answer, and the state changes go through ApplyAdmin/ApplyWeight like an
// engine would.

import (
	"encoding/csv"
	"strconv"
	"strings"
	"sync"
	"testing"

	"goha/stats"
)

// testClock is the fixed instant of every replayed answer.
var testClock = stats.Clock{Unix: 2_000_000_000, Ms: 7_000_000}

type fakeRuntime struct {
	mu       sync.Mutex
	proxies  []*stats.Proxy
	details  map[*stats.Server]ServerDetail
	info     *stats.Info
	sessions []Session
	cleared  []bool
}

func (f *fakeRuntime) Proxies() []*stats.Proxy          { return f.proxies }
func (f *fakeRuntime) Clock() stats.Clock               { return testClock }
func (f *fakeRuntime) Sessions() []Session              { return f.sessions }
func (f *fakeRuntime) Info(clk stats.Clock) *stats.Info { c := *f.info; return &c }

func (f *fakeRuntime) ServerDetail(px *stats.Proxy, sv *stats.Server) ServerDetail {
	d := DetailFromModel(sv)
	cfg := f.details[sv]
	d.IWeight, d.DynamicLB, d.Port = cfg.IWeight, cfg.DynamicLB, cfg.Port
	return d
}

func (f *fakeRuntime) SetServerAdmin(px *stats.Proxy, sv *stats.Server, a AdminAction) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ApplyAdmin(px, sv, a, testClock.Unix)
}

func (f *fakeRuntime) SetServerWeight(px *stats.Proxy, sv *stats.Server, w uint32) {
	ApplyWeight(sv, w)
}

func (f *fakeRuntime) PauseFrontend(px *stats.Proxy) error {
	px.State.Store(uint32(stats.ProxyPaused))
	return nil
}

func (f *fakeRuntime) ResumeFrontend(px *stats.Proxy) error {
	px.State.Store(uint32(stats.ProxyOpen))
	return nil
}

func (f *fakeRuntime) ClearCounters(all bool) {
	f.cleared = append(f.cleared, all)
	stats.ClearCounters(f.proxies, all)
}

// csvRows parses a show stat CSV answer into maps keyed by column name.
func csvRows(t testing.TB, text string) []map[string]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimSuffix(text, "\n")))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || !strings.HasPrefix(recs[0][0], "# ") {
		t.Fatalf("not a show stat answer: %.80q", text)
	}
	head := recs[0]
	head[0] = strings.TrimPrefix(head[0], "# ")
	var rows []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, v := range rec {
			if i < len(head) {
				m[head[i]] = v
			}
		}
		rows = append(rows, m)
	}
	return rows
}

func u(t testing.TB, s string) uint64 {
	if s == "" {
		return 0
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// fakeFromShowStat rebuilds proxies from a show stat answer taken at
// admin level (with addr and algo) of a config without traffic.
func fakeFromShowStat(t testing.TB, text string) *fakeRuntime {
	t.Helper()
	f := &fakeRuntime{details: map[*stats.Server]ServerDetail{}}
	byName := map[string]*stats.Proxy{}
	for _, r := range csvRows(t, text) {
		px := byName[r["pxname"]]
		if px == nil {
			px = &stats.Proxy{Name: r["pxname"], ID: uint32(u(t, r["iid"])), Mode: stats.ModeTCP}
			if r["mode"] == "http" {
				px.Mode = stats.ModeHTTP
			}
			byName[px.Name] = px
			f.proxies = append(f.proxies, px)
		}
		switch r["type"] {
		case "0":
			px.Cap |= stats.CapFE
			px.MaxConn = uint32(u(t, r["slim"]))
		case "1":
			px.Cap |= stats.CapBE
			px.FullConn = uint32(u(t, r["slim"]))
			px.Algo = r["algo"]
			px.LastChange.Store(testClock.Unix - int64(u(t, r["lastchg"])))
			px.DownTime.Store(int64(u(t, r["downtime"])))
		case "2":
			sv := &stats.Server{Name: r["svname"], ID: uint32(u(t, r["sid"])), Addr: r["addr"],
				Backup: r["bck"] == "1", MaxIdleConns: -1}
			sv.EWeight.Store(uint32(u(t, r["weight"])))
			sv.UWeight.Store(uint32(u(t, r["uweight"])))
			sv.NeedConns.Store(uint32(u(t, r["need_conn_est"])))
			sv.LastChange.Store(testClock.Unix - int64(u(t, r["lastchg"])))
			sv.DownTime.Store(int64(u(t, r["downtime"])))
			chk := stats.Check{Rise: 2, Fall: 3, Health: 2}
			if st := r["check_status"]; st != "" {
				chk = stats.Check{Enabled: true, Status: stats.CheckStatusByInfo(st),
					Duration: u(t, r["check_duration"]), Desc: r["last_chk"],
					Rise: int32(u(t, r["check_rise"])), Fall: int32(u(t, r["check_fall"])),
					Health: int32(u(t, r["check_health"]))}
			}
			sv.SetCheck(chk)
			switch strings.Fields(r["status"])[0] {
			case "UP", "no":
				sv.State.Store(uint32(stats.SrvRunning))
			default:
				t.Fatalf("seed state %q not handled", r["status"])
			}
			_, port, _ := strings.Cut(sv.Addr, ":")
			f.details[sv] = ServerDetail{IWeight: sv.UWeight.Load(), DynamicLB: px.Algo != "static-rr",
				Port: uint16(u(t, port))}
			px.Servers = append(px.Servers, sv)
		}
	}
	// the backend's algo is known only at its own row; fix the servers'
	for _, px := range f.proxies {
		for _, sv := range px.Servers {
			d := f.details[sv]
			d.DynamicLB = px.Algo != "static-rr"
			f.details[sv] = d
		}
	}
	return f
}

// infoFromShowInfo rebuilds "show info" values from haproxy's answer.
func infoFromShowInfo(t testing.TB, text string) *stats.Info {
	t.Helper()
	// field positions by name, from our own typed rendering
	pos, isStr := map[string]int{}, map[string]bool{}
	for _, line := range strings.Split(string(stats.AppendInfo(nil, &stats.Info{}, stats.FormatTyped, false)), "\n") {
		if line == "" {
			continue
		}
		cols := strings.SplitN(line, ":", 4)
		parts := strings.SplitN(cols[0], ".", 3)
		pos[parts[1]] = int(u(t, parts[0]))
		isStr[parts[1]] = cols[2] == "str"
	}
	in := &stats.Info{}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		name, val, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("bad info line %q", line)
		}
		i, known := pos[name]
		if !known {
			if name == "description" {
				continue
			}
			t.Fatalf("unknown info field %q", name)
		}
		if isStr[name] {
			in.S[i] = val
		} else {
			in.U[i] = u(t, val)
		}
	}
	return in
}
