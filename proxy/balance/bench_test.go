package balance

import (
	"fmt"
	"net/netip"
	"testing"
)

// BenchmarkPick measures one pick plus the connection accounting the
// engine does around it, for each algorithm over 8 servers of mixed
// weights. The pick path must not allocate.
func BenchmarkPick(b *testing.B) {
	cases := []struct {
		name string
		o    Options
	}{
		{"roundrobin", Options{Algorithm: RoundRobin}},
		{"static-rr", Options{Algorithm: StaticRR}},
		{"leastconn", Options{Algorithm: LeastConn}},
		{"first", Options{Algorithm: First}},
		{"source-map", Options{Algorithm: Source}},
		{"source-consistent", Options{Algorithm: Source, HashType: Consistent}},
		{"uri-map", Options{Algorithm: URI}},
		{"uri-consistent", Options{Algorithm: URI, HashType: Consistent}},
		{"uri-map-crc32-avalanche", Options{Algorithm: URI, HashFunc: HashCRC32, Avalanche: true}},
		{"url_param-map", Options{Algorithm: URLParam, Param: "id"}},
		{"url_param-consistent-fallback", Options{Algorithm: URLParam, Param: "nope", HashType: Consistent}},
		{"hdr-map", Options{Algorithm: Header, Param: "host", UseDomainOnly: true}},
		{"hdr-consistent", Options{Algorithm: Header, Param: "host", HashType: Consistent}},
		{"rdp-cookie", Options{Algorithm: RDPCookie}},
		{"random", Options{Algorithm: Random}},
		{"random-balance-factor", Options{Algorithm: Random, HashBalanceFactor: 150}},
	}
	var servers []ServerConfig
	for i, w := range []int{1, 2, 3, 1, 10, 1, 5, 1} {
		servers = append(servers, ServerConfig{Name: string(rune('a' + i)), Weight: w, MaxConn: 1000})
	}
	req := &Request{
		Src:       netip.MustParseAddr("192.0.2.44"),
		URI:       []byte("/static/img/logo.png?v=3&id=user42&x=y"),
		Header:    []byte("www.example.com"),
		HasHeader: true,
		Payload:   []byte("\x03\x00\x00\x2c\x27\xe0\x00\x00\x00\x00\x00Cookie: mstshash=alice\r\n"),
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			bal, err := New(c.o, servers)
			if err != nil {
				b.Fatal(err)
			}
			// keep a few connections open so leastconn has real work
			for range 5 {
				bal.TakeConn(bal.Pick(req, nil))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				s := bal.Pick(req, nil)
				bal.TakeConn(s)
				bal.DropConn(s)
			}
		})
	}
}

// BenchmarkPickManyServers shows how the sorted-slice queues scale with
// 200 servers (haproxy uses ebtrees; our queues move pointers in O(n)).
func BenchmarkPickManyServers(b *testing.B) {
	var servers []ServerConfig
	for i := range 200 {
		servers = append(servers, ServerConfig{Name: fmt.Sprint("s", i), Weight: 1 + i%7})
	}
	req := &Request{URI: []byte("/some/path")}
	for _, o := range []Options{{Algorithm: RoundRobin}, {Algorithm: LeastConn}, {Algorithm: StaticRR}, {Algorithm: URI, HashType: Consistent}, {Algorithm: Random}} {
		b.Run(o.Algorithm.String(), func(b *testing.B) {
			bal, err := New(o, servers)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for range b.N {
				s := bal.Pick(req, nil)
				bal.TakeConn(s)
				bal.DropConn(s)
			}
		})
	}
}

func TestPickDoesNotAllocate(t *testing.T) {
	req := &Request{Src: netip.MustParseAddr("192.0.2.44"), URI: []byte("/a/b?id=1"), Header: []byte("h.example.com"), HasHeader: true}
	for _, o := range allAlgorithms {
		bal := mustNew(t, o, srv("a", 1), srv("b", 3), srv("c", 2))
		allocs := testing.AllocsPerRun(200, func() {
			s := bal.Pick(req, nil)
			bal.TakeConn(s)
			bal.DropConn(s)
		})
		if allocs != 0 {
			t.Errorf("%v: %.1f allocations per pick", o.Algorithm, allocs)
		}
	}
}
