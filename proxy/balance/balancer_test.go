package balance

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func mustNew(t testing.TB, o Options, servers ...ServerConfig) *Balancer {
	t.Helper()
	b, err := New(o, servers)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func srv(name string, weight int) ServerConfig { return ServerConfig{Name: name, Weight: weight} }

// seq picks n times, each connection released before the next pick.
func seq(b *Balancer, r *Request, n int) string {
	var out []string
	for range n {
		s := b.Pick(r, nil)
		if s == nil {
			out = append(out, "-")
			continue
		}
		b.TakeConn(s)
		b.DropConn(s)
		out = append(out, s.Name())
	}
	return strings.Join(out, " ")
}

var allAlgorithms = []Options{
	{Algorithm: RoundRobin}, {Algorithm: StaticRR}, {Algorithm: LeastConn}, {Algorithm: First},
	{Algorithm: Source}, {Algorithm: Source, HashType: Consistent},
	{Algorithm: URI}, {Algorithm: URI, HashType: Consistent},
	{Algorithm: URLParam, Param: "id"}, {Algorithm: URLParam, Param: "id", HashType: Consistent},
	{Algorithm: Header, Param: "x-key"}, {Algorithm: Header, Param: "x-key", HashType: Consistent},
	{Algorithm: RDPCookie}, {Algorithm: Random}, {Algorithm: Random, Draws: 1},
}

func TestWeightZeroNeverPicked(t *testing.T) {
	for _, o := range allAlgorithms {
		b := mustNew(t, o, srv("zero", 0), srv("a", 1), srv("z2", 0), srv("b", 3))
		for i := range 200 {
			r := &Request{Src: netip.AddrFrom4([4]byte{10, 0, byte(i), 1}), URI: []byte("/x" + string(rune('a'+i%26)) + "?id=" + string(rune('a'+i%7))),
				Header: []byte{byte('a' + i%5)}, HasHeader: i%3 != 0}
			s := b.Pick(r, nil)
			if s == nil || s.Weight() == 0 {
				t.Fatalf("%v: pick %d = %v", o.Algorithm, i, s)
			}
		}
	}
}

func TestNoServerVersusSaturated(t *testing.T) {
	for _, o := range []Options{{Algorithm: RoundRobin}, {Algorithm: StaticRR}, {Algorithm: LeastConn}, {Algorithm: First}, {Algorithm: Random}} {
		b := mustNew(t, o, ServerConfig{Name: "a", Weight: 1, MaxConn: 1}, ServerConfig{Name: "b", Weight: 1, MaxConn: 1})
		for range 2 {
			s := b.Pick(nil, nil)
			if o.Algorithm == Random {
				// random draws blindly: a full server means "queue"
				// even if another has room; take the free one.
				s = b.Server("a")
				if s.Served() > 0 {
					s = b.Server("b")
				}
			}
			if s == nil {
				t.Fatalf("%v: no server while slots are free", o.Algorithm)
			}
			b.TakeConn(s)
		}
		if s := b.Pick(nil, nil); s != nil && o.Algorithm != LeastConn {
			t.Errorf("%v: picked %s although every server is at maxconn", o.Algorithm, s.Name())
		}
		if !b.Usable() {
			t.Errorf("%v: saturated backend reported unusable", o.Algorithm)
		}
		b.SetMaintenance(b.Server("a"), true)
		b.SetDown(b.Server("b"))
		if s := b.Pick(nil, nil); s != nil || b.Usable() {
			t.Errorf("%v: all servers down, got %v usable=%v", o.Algorithm, s, b.Usable())
		}
	}
}

func TestLeastConnMaxqueueAllowsQueueing(t *testing.T) {
	// leastconn lets a server be chosen while served+queued < maxconn+maxqueue
	b := mustNew(t, Options{Algorithm: LeastConn}, ServerConfig{Name: "a", Weight: 1, MaxConn: 1, MaxQueue: 1})
	s := b.Pick(nil, nil)
	b.TakeConn(s)
	if b.Pick(nil, nil) != s {
		t.Fatal("leastconn should still offer a with one maxqueue slot left")
	}
	b.Enqueue(s)
	if got := b.Pick(nil, nil); got != nil {
		t.Fatalf("leastconn offered %v with maxconn and maxqueue full", got)
	}
}

func TestAvoid(t *testing.T) {
	for _, o := range []Options{{Algorithm: RoundRobin}, {Algorithm: StaticRR}, {Algorithm: LeastConn}, {Algorithm: First},
		{Algorithm: URI, HashType: Consistent}, {Algorithm: Random}} {
		b := mustNew(t, o, srv("a", 1), srv("b", 1))
		a := b.Server("a")
		r := &Request{URI: []byte("/k")}
		for i := range 20 {
			if s := b.Pick(r, a); s == a {
				t.Fatalf("%v: pick %d returned the server to avoid", o.Algorithm, i)
			}
		}
		b.SetDown(b.Server("b"))
		if s := b.Pick(r, a); s != a {
			t.Errorf("%v: only the avoided server is left, got %v", o.Algorithm, s)
		}
	}
}

func TestBackups(t *testing.T) {
	tests := []struct {
		all    bool
		b1, b2 int // picks out of 6
	}{
		{false, 6, 0},
		{true, 2, 4},
	}
	for _, tt := range tests {
		b := mustNew(t, Options{Algorithm: RoundRobin, AllBackups: tt.all},
			srv("a", 1), ServerConfig{Name: "b1", Weight: 1, Backup: true}, ServerConfig{Name: "b2", Weight: 2, Backup: true})
		if got := seq(b, nil, 2); got != "a a" {
			t.Fatalf("active server not preferred: %s", got)
		}
		b.SetDown(b.Server("a"))
		if got := seq(b, nil, 6); strings.Count(got, "b1") != tt.b1 || strings.Count(got, "b2") != tt.b2 {
			t.Errorf("allbackups=%v: %s, want b1 %d times and b2 %d times", tt.all, got, tt.b1, tt.b2)
		}
	}
	// The first backup is replaced when it fails and comes back first.
	b := mustNew(t, Options{Algorithm: LeastConn}, ServerConfig{Name: "b1", Weight: 1, Backup: true}, ServerConfig{Name: "b2", Weight: 1, Backup: true})
	b.SetDown(b.Server("b1"))
	if got := seq(b, nil, 2); got != "b2 b2" {
		t.Errorf("after b1 down: %s", got)
	}
	b.SetUp(b.Server("b1"))
	if got := seq(b, nil, 2); got != "b1 b1" {
		t.Errorf("after b1 back: %s", got)
	}
}

func TestHashFallsBackToRoundRobin(t *testing.T) {
	for _, ht := range []HashType{MapBased, Consistent} {
		b := mustNew(t, Options{Algorithm: URLParam, Param: "id", HashType: ht}, srv("a", 1), srv("b", 1), srv("c", 1))
		// map-based walks the map, consistent walks the 48 points of the
		// circle: either way each server gets its share per turn.
		got := seq(b, &Request{URI: []byte("/nothing")}, 48)
		if strings.Count(got, "a") != 16 || strings.Count(got, "b") != 16 || strings.Count(got, "c") != 16 {
			t.Errorf("%v: absent key should rotate, got %s", ht, got)
		}
		same := seq(b, &Request{URI: []byte("/x?id=7")}, 4)
		if f := strings.Fields(same); f[0] != f[1] || f[1] != f[2] || f[2] != f[3] {
			t.Errorf("%v: same key should stick, got %s", ht, same)
		}
	}
}

func TestSingleServerSkipsHashing(t *testing.T) {
	b := mustNew(t, Options{Algorithm: Source}, srv("a", 1), srv("b", 1))
	b.SetDown(b.Server("b"))
	if h, ok := b.hashKey(&Request{Src: netip.MustParseAddr("192.0.2.7")}); !ok || h != 0 {
		t.Fatalf("one server left: hash %d, %v; want 0, true", h, ok)
	}
	b.SetUp(b.Server("b"))
	if h, _ := b.hashKey(&Request{Src: netip.MustParseAddr("192.0.2.7")}); h != 0xc0000207 {
		t.Fatalf("source key = %#x, want the address as a number", h)
	}
}

func TestSourceKeyFoldsIPv6(t *testing.T) {
	a := netip.MustParseAddr("2001:db8::1:0:0:1")
	want := uint32(0x20010db8) ^ 0 ^ 0x00010000 ^ 0x00000001
	if got := sourceKey(a); got != want {
		t.Fatalf("sourceKey(%v) = %#x, want %#x", a, got, want)
	}
}

func TestStaticWeights(t *testing.T) {
	b := mustNew(t, Options{Algorithm: StaticRR}, srv("a", 2), srv("b", 4))
	a := b.Server("a")
	if err := b.SetWeight(a, 3); !errors.Is(err, ErrStaticWeight) {
		t.Fatalf("SetWeight 3 on static-rr: %v", err)
	}
	if err := b.SetWeight(a, 0); err != nil {
		t.Fatal(err)
	}
	if got := seq(b, nil, 3); got != "b b b" {
		t.Fatalf("weight 0: %s", got)
	}
	if err := b.SetWeight(a, 2); err != nil {
		t.Fatal(err)
	}
	// weights divided by their GCD 2: a map of 1 slot for a and 2 for b
	if len(b.mapSrv) != 3 || b.totWeight != 3 {
		t.Fatalf("map of %d slots, total weight %d; want 3 and 3", len(b.mapSrv), b.totWeight)
	}
	if got := seq(b, nil, 6); strings.Count(got, "a") != 2 {
		t.Fatalf("weights back: %s", got)
	}
	if err := b.SetWeight(a, 257); err == nil {
		t.Fatal("weight 257 accepted")
	}
}

func TestFirstUsesIDs(t *testing.T) {
	b := mustNew(t, Options{Algorithm: First},
		ServerConfig{Name: "a", Weight: 1, ID: 9, MaxConn: 1}, ServerConfig{Name: "b", Weight: 1, MaxConn: 1}, ServerConfig{Name: "c", Weight: 1, MaxConn: 1})
	var got []string
	for range 3 {
		s := b.Pick(nil, nil)
		b.TakeConn(s)
		got = append(got, s.Name()+":"+itoa(s.ID()))
	}
	if g := strings.Join(got, " "); g != "b:2 c:3 a:9" {
		t.Fatalf("first order %s", g)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestAutomaticIDsSkipTakenOnes(t *testing.T) {
	b := mustNew(t, Options{}, ServerConfig{Name: "a", Weight: 1}, ServerConfig{Name: "b", Weight: 1, ID: 1}, ServerConfig{Name: "c", Weight: 1})
	var ids []int
	for _, s := range b.Servers() {
		ids = append(ids, s.ID())
	}
	// cfgparse.c advances its counter past every server, even one with
	// an explicit id, so c gets 4 rather than 3.
	if ids[0] != 2 || ids[1] != 1 || ids[2] != 4 {
		t.Fatalf("ids %v, want [2 1 4]", ids)
	}
}

func TestSlowstartRamp(t *testing.T) {
	b := mustNew(t, Options{Algorithm: RoundRobin}, ServerConfig{Name: "a", Weight: 10, MaxConn: 100, Slowstart: 9500 * time.Millisecond}, srv("b", 10))
	a := b.Server("a")
	b.SetDown(a)
	b.SetUp(a)
	if !a.Starting() || a.WarmupInterval() != time.Second {
		t.Fatalf("starting=%v interval=%v", a.Starting(), a.WarmupInterval())
	}
	// server.c: eweight = uweight * ((16*elapsed + slowstart) / slowstart)
	steps := []struct {
		elapsed time.Duration
		ew, max int
	}{
		{0, 10, 1}, {time.Second, 20, 10}, {5 * time.Second, 90, 50}, {9900 * time.Millisecond, 150, 90}, {10 * time.Second, 160, 100},
	}
	for _, st := range steps {
		b.Warmup(a, st.elapsed)
		if a.EffectiveWeight() != st.ew || b.MaxConn(a) != st.max {
			t.Errorf("after %v: eweight %d maxconn %d, want %d %d", st.elapsed, a.EffectiveWeight(), b.MaxConn(a), st.ew, st.max)
		}
	}
	if a.curState != stRunning {
		t.Error("server still starting after its slowstart period")
	}
}

func TestRandomDistribution(t *testing.T) {
	b := mustNew(t, Options{Algorithm: Random, Seed: 12345}, srv("a", 1), srv("b", 2), srv("c", 1))
	count := map[string]int{}
	const n = 20000
	for range n {
		s := b.Pick(nil, nil)
		b.TakeConn(s)
		b.DropConn(s)
		count[s.Name()]++
	}
	// The shares follow the weights only as well as 16 points per weight
	// unit cover the circle, in haproxy as here.
	for name, want := range map[string]float64{"a": 0.25, "b": 0.5, "c": 0.25} {
		if got := float64(count[name]) / n; got < want-0.07 || got > want+0.07 {
			t.Errorf("server %s got %.3f of idle picks, want %.2f±0.07", name, got, want)
		}
	}
	if count["b"] <= count["a"] || count["b"] <= count["c"] {
		t.Errorf("heaviest server not picked most: %v", count)
	}
}

// More draws spread held connections more evenly: each draw compares the
// servers' loads and keeps the less loaded one.
func TestRandomDrawsBalanceLoad(t *testing.T) {
	spread := func(draws int) int {
		b := mustNew(t, Options{Algorithm: Random, Draws: draws, Seed: 99}, srv("a", 1), srv("b", 1), srv("c", 1))
		for range 300 {
			b.TakeConn(b.Pick(nil, nil))
		}
		lo, hi := 1<<30, 0
		for _, s := range b.Servers() {
			lo, hi = min(lo, s.Served()), max(hi, s.Served())
		}
		return hi - lo
	}
	one, ten := spread(1), spread(10)
	if ten > 4 || one <= ten {
		t.Errorf("held-load spread: draws=1 %d, draws=10 %d; want draws=10 within 4 and below draws=1", one, ten)
	}
}

func TestHashBalanceFactorBoundsLoad(t *testing.T) {
	b := mustNew(t, Options{Algorithm: URI, HashType: Consistent, HashBalanceFactor: 125}, srv("a", 1), srv("b", 1), srv("c", 1), srv("d", 1))
	r := &Request{URI: []byte("/same-key")}
	for i := range 200 {
		s := b.Pick(r, nil)
		b.TakeConn(s)
		limit := (b.served*125+99)/100/4 + 1
		for _, x := range b.Servers() {
			if x.Served() > limit {
				t.Fatalf("after %d picks %s serves %d, over the bound %d", i+1, x.Name(), x.Served(), limit)
			}
		}
	}
}

func TestNewRejects(t *testing.T) {
	bad := []struct {
		o  Options
		ss []ServerConfig
	}{
		{Options{Algorithm: Algorithm(99)}, nil},
		{Options{HashBalanceFactor: 100}, nil},
		{Options{}, []ServerConfig{{Name: "a", Weight: 257}}},
		{Options{}, []ServerConfig{{Name: "a", Weight: 1}, {Name: "a", Weight: 1}}},
		{Options{}, []ServerConfig{{Name: "a", Weight: 1, ID: 3}, {Name: "b", Weight: 1, ID: 3}}},
	}
	for i, tt := range bad {
		if _, err := New(tt.o, tt.ss); err == nil {
			t.Errorf("case %d accepted", i)
		}
	}
}

func TestEmptyBackend(t *testing.T) {
	for _, o := range allAlgorithms {
		b := mustNew(t, o)
		if s := b.Pick(&Request{}, nil); s != nil || b.Usable() {
			t.Errorf("%v: empty backend picked %v", o.Algorithm, s)
		}
	}
}

func TestWeightPercentAndStats(t *testing.T) {
	b := mustNew(t, Options{Algorithm: RoundRobin}, srv("a", 20), srv("b", 200))
	a, bb := b.Server("a"), b.Server("b")
	tests := []struct {
		s         *Server
		pct, want int
	}{
		{a, 50, 10}, {a, 100, 20}, {a, 0, 0}, {bb, 200, 256}, {a, 1000000, 256},
	}
	for _, tt := range tests {
		if err := b.SetWeightPercent(tt.s, tt.pct); err != nil {
			t.Fatal(err)
		}
		if tt.s.Weight() != tt.want || b.StatsWeight(tt.s) != tt.want {
			t.Errorf("%s at %d%%: weight %d, stats %d; want %d", tt.s.Name(), tt.pct, tt.s.Weight(), b.StatsWeight(tt.s), tt.want)
		}
	}
	if err := b.SetWeightPercent(a, -1); err == nil {
		t.Error("negative percentage accepted")
	}
	// static algorithms report weights in user units despite the GCD
	sb := mustNew(t, Options{Algorithm: StaticRR}, srv("a", 4), srv("b", 6))
	if got := sb.StatsWeight(sb.Server("b")); got != 6 || sb.TotalWeight() != 10 {
		t.Errorf("static-rr stats weight %d total %d, want 6 and 10", got, sb.TotalWeight())
	}
}

func TestQueueFirst(t *testing.T) {
	for _, tt := range []struct {
		algo          Algorithm
		queued, conns int
		want          bool
	}{
		{RoundRobin, 0, 5, false}, {RoundRobin, 2, 5, true}, {RoundRobin, 5, 5, false},
		{First, 1, 3, true}, {StaticRR, 1, 3, true}, {LeastConn, 1, 3, false}, {URI, 1, 3, false},
	} {
		b := mustNew(t, Options{Algorithm: tt.algo, Param: "x"}, srv("a", 1))
		if got := b.QueueFirst(tt.queued, tt.conns); got != tt.want {
			t.Errorf("%v queued %d of %d: %v, want %v", tt.algo, tt.queued, tt.conns, got, tt.want)
		}
	}
}
