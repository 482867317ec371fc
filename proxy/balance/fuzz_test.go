package balance

import (
	"net/netip"
	"testing"
	"time"
)

// FuzzBalancer drives random sequences of state changes and picks through
// every algorithm and checks the invariants haproxy relies on: nothing
// panics, a picked server is usable with a non-zero weight, and the
// backend's usable counts and total weights match its servers.
func FuzzBalancer(f *testing.F) {
	f.Add([]byte{0, 3, 1, 2, 3, 0, 0, 1, 5, 2, 0, 9, 1, 0})
	f.Add([]byte{2, 5, 0, 0, 4, 1, 7, 2, 2, 0, 6, 0, 0, 0, 3, 1})
	f.Add([]byte{9, 1, 4, 2, 0, 0, 5, 1, 8, 3, 0, 0, 0, 3, 3, 3})
	f.Add([]byte{13, 7, 0, 1, 1, 2, 2, 3, 3, 4, 0, 5, 6, 0, 0, 2})
	f.Fuzz(runOps)
}

func runOps(t *testing.T, data []byte) {
	{
		if len(data) < 3 {
			return
		}
		opts := allAlgorithms[int(data[0])%len(allAlgorithms)]
		opts.AllBackups = data[1]&1 != 0
		if data[1]&2 != 0 && opts.Algorithm != LeastConn {
			opts.HashBalanceFactor = 150
		}
		n := int(data[2])%6 + 1
		var cfgs []ServerConfig
		for i := range n {
			c := ServerConfig{Name: string(rune('a' + i)), Weight: int(data[(3+i)%len(data)]) % 4}
			c.Backup = i%3 == 2
			c.MaxConn = int(data[(4+i)%len(data)]) % 3
			c.Disabled = data[(5+i)%len(data)]%7 == 0
			c.Slowstart = time.Duration(data[(6+i)%len(data)]%4) * time.Second
			cfgs = append(cfgs, c)
		}
		b, err := New(opts, cfgs)
		if err != nil {
			t.Fatal(err)
		}
		held := []*Server{}
		ops := data[3:]
		for i := 0; i+1 < len(ops); i += 2 {
			s := b.servers[int(ops[i+1])%n]
			switch ops[i] % 10 {
			case 0, 1, 2:
				var avoid *Server
				if ops[i]&0x80 != 0 {
					avoid = s
				}
				r := &Request{Src: netip.AddrFrom4([4]byte{127, 0, ops[i+1], 1}), URI: []byte{'/', ops[i+1], '?', 'i', 'd', '=', ops[i]},
					Header: []byte{ops[i+1]}, HasHeader: ops[i]&1 != 0}
				p := b.Pick(r, avoid)
				if p == nil {
					continue
				}
				if !p.Usable() || p.EffectiveWeight() == 0 {
					t.Fatalf("op %d: picked %s, usable=%v eweight=%d", i, p.name, p.Usable(), p.EffectiveWeight())
				}
				b.TakeConn(p)
				held = append(held, p)
			case 3:
				if len(held) > 0 {
					b.DropConn(held[0])
					held = held[1:]
				}
			case 4:
				b.SetDown(s)
			case 5:
				b.SetUp(s)
			case 6:
				b.SetMaintenance(s, ops[i]&0x10 != 0)
			case 7:
				_ = b.SetWeight(s, int(ops[i]>>4)*17%257)
			case 8:
				b.SetDrain(s, ops[i]&0x10 != 0)
			case 9:
				b.Warmup(s, time.Duration(ops[i]>>4)*time.Second)
			}
			checkTotals(t, b)
		}
	}
}

func checkTotals(t *testing.T, b *Balancer) {
	t.Helper()
	act, bck, wact, wbck := 0, 0, 0, 0
	for _, s := range b.servers {
		if s.changed() {
			t.Fatalf("server %s has an uncommitted change", s.name)
		}
		if !s.currentlyUsable() {
			continue
		}
		if s.backup {
			bck++
			wbck += s.curEW
		} else {
			act++
			wact += s.curEW
		}
	}
	if act != b.srvAct || bck != b.srvBck || wact != b.totWact || wbck != b.totWbck {
		t.Fatalf("totals act %d/%d bck %d/%d wact %d/%d wbck %d/%d", b.srvAct, act, b.srvBck, bck, b.totWact, wact, b.totWbck, wbck)
	}
	if (b.totWeight == 0) != (act == 0 && bck == 0) {
		t.Fatalf("tot_weight %d with %d active and %d backup usable", b.totWeight, act, bck)
	}
}
