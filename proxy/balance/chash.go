package balance

import (
	"cmp"
	"slices"
)

// Consistent hashing (src/lb_chash.c), also the tree random draws from.
// Each server owns eweight points (16 per user weight) on a 32-bit circle
// at fullHash(id*4096 + i); a key goes to the nearer of the points right
// after and right before it, so servers keeping their id keep their keys
// across restarts and across load balancers.

type chNode struct {
	key uint32
	srv *Server
	idx int // which of the server's points
}

// chTree is the circle as a slice sorted by key, equal keys in insertion
// order like eb32 duplicates.
type chTree struct {
	n []chNode
}

// chRef names one point (haproxy keeps a node pointer in chash.last).
type chRef struct {
	srv *Server
	idx int
}

func (t *chTree) search(k uint32) int {
	lo, hi := 0, len(t.n)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.n[m].key < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// add puts points from..to-1 of s on the circle. Appending then sorting
// stably keeps equal keys in insertion order, as eb32 duplicates are.
func (t *chTree) add(s *Server, from, to int) {
	for i := from; i < to; i++ {
		t.n = append(t.n, chNode{key: s.chKeys[i], srv: s, idx: i})
	}
	slices.SortStableFunc(t.n, func(a, b chNode) int { return cmp.Compare(a.key, b.key) })
}

// find returns the position of a point, or -1.
func (t *chTree) find(r chRef) int {
	if r.srv == nil || r.idx >= len(r.srv.chKeys) {
		return -1
	}
	k := r.srv.chKeys[r.idx]
	for i := t.search(k); i < len(t.n) && t.n[i].key == k; i++ {
		if t.n[i].srv == r.srv && t.n[i].idx == r.idx {
			return i
		}
	}
	return -1
}

// drop removes points from.. of s. When chash.last was one of them it
// moves to the next surviving point, as chash_skip_node does point by point.
func (b *Balancer) drop(t *chTree, s *Server, from int) {
	last := -1
	if b.chLast.srv == s && b.chLast.idx >= from {
		last = t.find(b.chLast)
	}
	gone := func(n chNode) bool { return n.srv == s && n.idx >= from }
	if last >= 0 {
		b.chLast = chRef{}
		for k := 1; k < len(t.n); k++ {
			n := t.n[(last+k)%len(t.n)]
			if !gone(n) {
				b.chLast = chRef{n.srv, n.idx}
				break
			}
		}
	}
	t.n = slices.DeleteFunc(t.n, gone)
}

func (b *Balancer) chTreeOf(s *Server) *chTree {
	if s.backup {
		return &b.chBck
	}
	return &b.chAct
}

func (b *Balancer) initCHash() {
	b.wdiv = weightScale
	b.initWeights()
	total := 0
	for _, s := range b.servers {
		n := s.uweight * weightScale
		s.chKeys = make([]uint32, n)
		for i := range s.chKeys {
			s.chKeys[i] = fullHash(uint32(s.puid*ewghtMax + i))
		}
		total += n
	}
	b.chAct.n = make([]chNode, 0, total)
	b.chBck.n = make([]chNode, 0, total)
	for _, s := range b.servers {
		if s.currentlyUsable() {
			b.chashQueueDequeue(s)
		}
	}
}

func (b *Balancer) chashDequeue(s *Server) {
	b.drop(b.chTreeOf(s), s, 0)
	s.chNow = 0
}

// chashQueueDequeue makes the number of points in the circle match the
// server's next effective weight, growing the point list if the weight
// went above the configured one.
func (b *Balancer) chashQueueDequeue(s *Server) {
	t := b.chTreeOf(s)
	if s.chNow > s.nextEW {
		b.drop(t, s, s.nextEW)
		s.chNow = s.nextEW
	}
	if len(s.chKeys) < s.nextEW {
		b.chashDequeue(s)
		for i := len(s.chKeys); i < s.nextEW; i++ {
			s.chKeys = append(s.chKeys, fullHash(uint32(s.puid*ewghtMax+i)))
		}
	}
	if s.chNow < s.nextEW {
		t.add(s, s.chNow, s.nextEW)
		s.chNow = s.nextEW
	}
}

func (b *Balancer) chashSetDown(s *Server) {
	if !s.changed() {
		return
	}
	if s.willBeUsable() {
		s.commit()
		return
	}
	if s.currentlyUsable() {
		b.accountDown(s)
		b.chashDequeue(s)
	}
	b.updateTotals()
	s.commit()
}

func (b *Balancer) chashSetUp(s *Server) {
	if !s.changed() {
		return
	}
	if !s.willBeUsable() {
		s.commit()
		return
	}
	if !s.currentlyUsable() {
		b.accountUp(s)
		b.chashQueueDequeue(s)
	}
	b.updateTotals()
	s.commit()
}

func (b *Balancer) chashUpdateWeight(s *Server) {
	if !s.changed() {
		return
	}
	was, will := s.currentlyUsable(), s.willBeUsable()
	switch {
	case !was && !will:
		s.commit()
		return
	case !was && will:
		b.chashSetUp(s)
		return
	case was && !will:
		b.chashSetDown(s)
		return
	}
	b.chashQueueDequeue(s)
	if s.backup {
		b.totWbck += s.nextEW - s.curEW
	} else {
		b.totWact += s.nextEW - s.curEW
	}
	b.updateTotals()
	s.commit()
}

// eligible is the bounded-load test of hash-balance-factor: the server's
// share of (served+1)*factor/100 slots, split by weight, must not be full.
func (b *Balancer) eligible(s *Server) bool {
	tot := uint32((b.served+1)*b.opts.HashBalanceFactor+99) / 100
	tw := uint32(b.totWeight)
	per := tot / tw
	rem := tot % tw
	slots := uint32(s.curEW) * per
	cw, ew := uint32(s.cumWeight), uint32(s.curEW)
	slots += (cw+ew)*rem/tw - cw*rem/tw
	if slots == 0 {
		slots = 1
	}
	return uint32(s.served) < slots
}

func (b *Balancer) chRoot() (*chTree, *Server, bool) {
	switch {
	case b.srvAct > 0:
		return &b.chAct, nil, true
	case b.fbck != nil:
		return nil, b.fbck, false
	case b.srvBck > 0:
		return &b.chBck, nil, true
	}
	return nil, nil, false
}

// chashHash returns the server owning the point nearest to h, walking
// forward past the server to avoid and, with a balance factor, past
// servers over their share.
func (b *Balancer) chashHash(h uint32, avoid *Server) *Server {
	t, fixed, ok := b.chRoot()
	if !ok {
		return fixed
	}
	if len(t.n) == 0 {
		return nil
	}
	next := t.search(h)
	if next == len(t.n) {
		next = 0
	}
	prev := next - 1
	if prev < 0 {
		prev = len(t.n) - 1
	}
	dp := h - t.n[prev].key
	dn := t.n[next].key - h
	if dp <= dn {
		next = prev
	}
	s := t.n[next].srv
	loop := 0
	for s == avoid || (b.opts.HashBalanceFactor != 0 && !b.eligible(s)) {
		next++
		if next == len(t.n) {
			next = 0
			loop++
			if loop > 1 {
				break
			}
		}
		s = t.n[next].srv
	}
	return s
}

// chashNext is the round-robin fallback over the circle when the hash key
// is missing: it resumes after the last point used. Like haproxy, it
// continues in the circle that point belongs to, so right after active
// servers return it may finish a walk over the backup circle first.
func (b *Balancer) chashNext(avoid *Server) *Server {
	root, fixed, ok := b.chRoot()
	if !ok {
		return fixed
	}
	cur, node := root, -1
	if b.chLast.srv != nil {
		cur = b.chTreeOf(b.chLast.srv)
		node = cur.find(b.chLast)
	}
	stopT, stop := cur, node
	var avoided *Server
	avoidedRef := chRef{}
	// haproxy loops until it meets its starting point again; the bound
	// only matters where it would spin (start point in the other circle
	// and every server saturated).
	for guard := len(root.n) + len(cur.n) + 1; guard > 0; guard-- {
		if node >= 0 {
			node++
			if node == len(cur.n) {
				node = -1
			}
		}
		if node < 0 {
			cur = root
			if len(root.n) == 0 {
				b.chLast = chRef{}
				return nil
			}
			node = 0
		}
		n := cur.n[node]
		b.chLast = chRef{n.srv, n.idx}
		if stop < 0 {
			stopT, stop = cur, node
		}
		if b.hasRoom(n.srv) {
			if n.srv != avoid {
				return n.srv
			}
			avoided, avoidedRef = n.srv, b.chLast
		}
		if cur == stopT && node == stop {
			break
		}
	}
	b.chLast = avoidedRef
	return avoided
}

// xorshift32 is haproxy's statistical_prng.
func (b *Balancer) xorshift32() uint32 {
	x := b.prng
	x ^= x << 13
	x ^= x >> 17
	x ^= x << 5
	b.prng = x
	return x
}

// randomPick draws Draws points and keeps the least loaded relative to
// weight; a saturated result sends the request to the backend queue.
func (b *Balancer) randomPick(avoid *Server) *Server {
	var cur *Server
	for d := b.opts.Draws; d > 0; d-- {
		prev := cur
		cur = b.chashHash(b.xorshift32(), avoid)
		if cur == nil {
			break
		}
		if prev != nil && prev != cur && cur.served*prev.curEW > prev.served*cur.curEW {
			cur = prev
		}
	}
	if cur != nil && (cur.queued != 0 || (cur.maxconn != 0 && cur.served >= b.dynMaxconn(cur))) {
		cur = nil
	}
	return cur
}
