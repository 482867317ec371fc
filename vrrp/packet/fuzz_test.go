package packet

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"goha/vrrp/internal/golden"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz/FuzzUnmarshal from the golden captures")

// goldenPayloads returns one VRRP message per distinct advert in the
// golden captures.
func goldenPayloads(tb testing.TB) [][]byte {
	seen := map[string]bool{}
	var out [][]byte
	names := make([]string, 0, len(goldenScenarios))
	for name := range goldenScenarios {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		sc, err := golden.Load(name)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range sc.Of(golden.Advert) {
			if !seen[string(f.Payload)] {
				seen[string(f.Payload)] = true
				out = append(out, f.Payload)
			}
		}
	}
	return out
}

// TestWriteFuzzCorpus regenerates the seed corpus (run with
// -update-corpus) so that `go test` alone replays keepalived's adverts
// through FuzzUnmarshal.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*updateCorpus {
		t.Skip("only with -update-corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzUnmarshal")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, b := range goldenPayloads(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("keepalived-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzUnmarshal: decoding never panics, and whatever decodes re-encodes
// to bytes that decode to the same packet. The receive checks must not
// panic on the same input either.
func FuzzUnmarshal(f *testing.F) {
	for _, b := range goldenPayloads(f) {
		f.Add(b)
	}
	f.Add([]byte{0x21, 1, 100, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x31, 1, 100, 255, 0xff, 0xff, 0, 0})
	e := Expect{Version: 2, VRID: 80, AuthType: AuthPassword, AuthData: PasswordAuthData("1111"), Interval: 1,
		Addresses: []netip.Addr{netip.MustParseAddr("192.168.13.144")}}
	e6 := Expect{Version: 3, VRID: 80, IPv6: true, Addresses: []netip.Addr{netip.MustParseAddr("fe80::80")}}
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Packet
		rx := Received{Src: netip.MustParseAddr("192.168.13.129"), Dst: GroupIPv4, TTL: 255, IPHeaderLen: 20, IPTotalLen: 20 + len(b)}
		Check(&e, &rx, b, &c, true)
		rx6 := Received{Src: netip.MustParseAddr("fe80::1"), Dst: GroupIPv6, TTL: 255}
		Check(&e6, &rx6, b, &c, false)

		var p Packet
		if err := p.UnmarshalBinary(b); err != nil {
			return
		}
		out, err := p.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded packet does not encode: %v (%+v)", err, p)
		}
		var q Packet
		if err := q.UnmarshalBinary(out); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip differs:\n%+v\n%+v", p, q)
		}
	})
}
