package balance

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "record testdata/golden from the real haproxy (needs /usr/sbin/haproxy 2.6)")

const goldenDir = "testdata/golden"

// TestGolden replays every scenario's recorded haproxy sequence through our
// Balancer. With -update it first records the sequences by running haproxy.
func TestGolden(t *testing.T) {
	var bin, version string
	if *update {
		var err error
		bin, err = exec.LookPath("haproxy")
		if err != nil {
			t.Skip("haproxy not installed: cannot record golden sequences")
		}
		out, _ := exec.Command(bin, "-v").Output()
		version, _, _ = strings.Cut(string(out), "\n")
		if !strings.Contains(version, " 2.6.") {
			t.Fatalf("need haproxy 2.6 to record, found %q", version)
		}
	}
	for _, sc := range scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			path := filepath.Join(goldenDir, sc.Name+".txt")
			if *update {
				picks := runHaproxy(t, bin, sc)
				if t.Failed() {
					return
				}
				if err := os.WriteFile(path, []byte(renderGolden(sc, version, picks)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (record it with: go test -run 'TestGolden/%s$' -update)", err, sc.Name)
			}
			cfg, want, err := parseGolden(string(data))
			if err != nil {
				t.Fatal(err)
			}
			if cfg != goldenHeader(sc) {
				t.Fatalf("scenario changed since it was recorded; re-record with -update\nrecorded:\n%s\nnow:\n%s", cfg, goldenHeader(sc))
			}
			got := replay(t, sc)
			if len(got) != len(want) {
				t.Fatalf("got %d picks, golden has %d", len(got), len(want))
			}
			var diffs []string
			for i := range want {
				if got[i] != want[i] {
					diffs = append(diffs, fmt.Sprintf("#%d: haproxy %s, ours %s", i, want[i], got[i]))
				}
			}
			if len(diffs) > 0 {
				t.Errorf("%d of %d picks differ:\n%s\nhaproxy: %s\nours:    %s", len(diffs), len(want),
					strings.Join(diffs[:min(len(diffs), 10)], "\n"), strings.Join(want, " "), strings.Join(got, " "))
			}
		})
	}
}

func goldenHeader(sc *scenario) string {
	s := sc.haproxyConfig(nil, 0, "")
	if st := sc.stepsText(); st != "" {
		s += "steps:\n" + st
	}
	return s
}

func renderGolden(sc *scenario, version string, picks []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Recorded from %s by `go test -run TestGolden -update`; do not edit.\n", version)
	fmt.Fprintf(&b, "# Server that answered each of %d requests, in order.\n", len(picks))
	b.WriteString(goldenHeader(sc))
	b.WriteString("picks:\n")
	for i := 0; i < len(picks); i += 10 {
		b.WriteString(strings.Join(picks[i:min(i+10, len(picks))], " ") + "\n")
	}
	return b.String()
}

func parseGolden(s string) (cfg string, picks []string, err error) {
	var head strings.Builder
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "#") {
			continue
		}
		if l == "picks:" {
			for _, l := range lines[i+1:] {
				picks = append(picks, strings.Fields(l)...)
			}
			return head.String(), picks, nil
		}
		head.WriteString(l + "\n")
	}
	return "", nil, fmt.Errorf("golden file has no picks section")
}

// replay feeds the scenario to our Balancer the way the engine will:
// Pick, TakeConn, and DropConn when the response is over.
func replay(t *testing.T, sc *scenario) []string {
	t.Helper()
	opts, servers := buildFromScenario(t, sc)
	b, err := New(opts, servers)
	if err != nil {
		t.Fatal(err)
	}
	picks := make([]string, sc.count())
	held := map[int]*Server{}
	for i := 0; i < sc.count(); i++ {
		for _, st := range sc.Steps[i] {
			if st.CLI != "" {
				applyCLI(t, b, st.CLI)
				continue
			}
			if s := held[st.Release]; s != nil {
				b.DropConn(s)
				delete(held, st.Release)
			}
		}
		if sc.Clock != nil {
			// the warm-up step haproxy last computed: whole seconds
			for _, s := range b.Servers() {
				b.Warmup(s, sc.Clock(i).Truncate(time.Second))
			}
		}
		rs := sc.request(i)
		req := requestFor(i, rs, opts)
		s := b.Pick(&req, nil)
		if s == nil {
			picks[i] = "503"
			continue
		}
		picks[i] = s.Name()
		b.TakeConn(s)
		if rs.Hold {
			held[i] = s
		} else {
			b.DropConn(s)
		}
	}
	return picks
}

func requestFor(i int, rs reqSpec, opts Options) Request {
	src := rs.Src
	if src == "" {
		src = "127.0.0.1"
	}
	if rs.Raw != "" {
		// mode tcp: no HTTP, only the payload the client sent first
		return Request{Src: netip.MustParseAddr(src), Payload: []byte(fmt.Sprintf("%sX-Req: %d\r\n", rs.Raw, i))}
	}
	r := Request{Src: netip.MustParseAddr(src), URI: []byte(rs.URI), Post: rs.Body != "", Body: []byte(rs.Body)}
	headers := rs.Headers
	if !rs.HTTP10 && !hasHeader(headers, "Host") {
		headers = append([][2]string{{"Host", "test.local"}}, headers...)
	}
	if opts.Algorithm == Header {
		for _, h := range headers {
			if strings.EqualFold(h[0], opts.Param) {
				r.Header, r.HasHeader = []byte(h[1]), true
				break
			}
		}
	}
	return r
}

func hasHeader(hs [][2]string, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h[0], name) {
			return true
		}
	}
	return false
}

// buildFromScenario turns the few backend keywords the scenarios use into
// Options (the real parser lives in parser/haproxy; this one only needs
// to understand our own scenarios).
func buildFromScenario(t *testing.T, sc *scenario) (Options, []ServerConfig) {
	var o Options
	for _, l := range sc.Backend {
		f := strings.Fields(l)
		switch f[0] {
		case "balance":
			parseBalance(t, &o, f[1:])
		case "hash-type":
			if f[1] == "consistent" {
				o.HashType = Consistent
			}
			if len(f) > 2 {
				o.HashFunc = map[string]HashFunc{"sdbm": HashSDBM, "djb2": HashDJB2, "wt6": HashWT6, "crc32": HashCRC32}[f[2]]
			}
			o.Avalanche = len(f) > 3 && f[3] == "avalanche"
		case "option":
			if f[1] == "allbackups" {
				o.AllBackups = true
			}
		case "tcp-request":
			// inspection rules only delay the pick until data is there
		case "hash-balance-factor":
			o.HashBalanceFactor, _ = strconv.Atoi(f[1])
		default:
			t.Fatalf("scenario keyword %q not understood", f[0])
		}
	}
	var servers []ServerConfig
	for _, l := range sc.Servers {
		f := strings.Fields(l)
		c := ServerConfig{Name: f[0], Weight: 1}
		for i := 1; i < len(f); i++ {
			arg := func() int {
				i++
				n, err := strconv.Atoi(f[i])
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			switch f[i] {
			case "weight":
				c.Weight = arg()
			case "backup":
				c.Backup = true
			case "disabled":
				c.Disabled = true
			case "maxconn":
				c.MaxConn = arg()
			case "minconn":
				c.MinConn = arg()
			case "maxqueue":
				c.MaxQueue = arg()
			case "id":
				c.ID = arg()
			case "slowstart":
				i++
				d, err := time.ParseDuration(f[i])
				if err != nil {
					t.Fatal(err)
				}
				c.Slowstart = d
			default:
				t.Fatalf("server keyword %q not understood", f[i])
			}
		}
		servers = append(servers, c)
	}
	return o, servers
}

func parseBalance(t *testing.T, o *Options, f []string) {
	name, arg, _ := strings.Cut(f[0], "(")
	arg = strings.TrimSuffix(arg, ")")
	switch name {
	case "roundrobin":
		o.Algorithm = RoundRobin
	case "static-rr":
		o.Algorithm = StaticRR
	case "leastconn":
		o.Algorithm = LeastConn
	case "first":
		o.Algorithm = First
	case "source":
		o.Algorithm = Source
	case "random":
		o.Algorithm = Random
		if arg != "" {
			o.Draws, _ = strconv.Atoi(arg)
		}
	case "uri":
		o.Algorithm = URI
		for i := 1; i < len(f); i++ {
			switch f[i] {
			case "len":
				i++
				o.URILen, _ = strconv.Atoi(f[i])
			case "depth":
				i++
				o.URIDepth, _ = strconv.Atoi(f[i])
			case "whole":
				o.URIWhole = true
			case "path-only":
				o.URIPathOnly = true
			}
		}
	case "url_param":
		o.Algorithm = URLParam
		o.Param = f[1]
		o.CheckPost = len(f) > 2 && f[2] == "check_post"
	case "hdr":
		o.Algorithm = Header
		o.Param = arg
		o.UseDomainOnly = len(f) > 1 && f[1] == "use_domain_only"
	case "rdp-cookie":
		o.Algorithm = RDPCookie
		o.Param = arg
	default:
		t.Fatalf("balance %q not understood", name)
	}
}

// applyCLI mirrors the runtime API commands the scenarios send.
func applyCLI(t *testing.T, b *Balancer, cmd string) {
	f := strings.Fields(cmd)
	srv := func(arg string) *Server {
		_, name, _ := strings.Cut(arg, "/")
		s := b.Server(name)
		if s == nil {
			t.Fatalf("%q: no server %s", cmd, name)
		}
		return s
	}
	switch {
	case len(f) == 4 && f[0] == "set" && f[1] == "weight":
		s := srv(f[2])
		w, err := strconv.Atoi(strings.TrimSuffix(f[3], "%"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f[3], "%") {
			w = min(s.InitialWeight()*min(w, 25600)/100, MaxWeight)
		}
		if err := b.SetWeight(s, w); err != nil {
			t.Fatalf("%q: %v", cmd, err)
		}
	case len(f) == 5 && f[0] == "set" && f[1] == "server" && f[3] == "state":
		s := srv(f[2])
		switch f[4] {
		case "drain":
			b.SetDrain(s, true)
		case "maint":
			b.SetMaintenance(s, true)
		case "ready":
			b.SetDrain(s, false)
			b.SetMaintenance(s, false)
		default:
			t.Fatalf("%q not mirrored", cmd)
		}
	case len(f) == 3 && f[1] == "server" && (f[0] == "disable" || f[0] == "enable"):
		b.SetMaintenance(srv(f[2]), f[0] == "disable")
	default:
		t.Fatalf("runtime command %q not mirrored", cmd)
	}
}
