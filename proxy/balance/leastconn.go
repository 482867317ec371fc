package balance

// leastconn (src/lb_fwlc.c) and first (src/lb_fas.c) share one shape: a
// sorted queue per kind (active, backup) walked from the head, skipping
// saturated servers. leastconn sorts by (inflight+1)*4096/eweight with 0
// for idle servers, so idle servers win and equal loads rotate FIFO; first
// sorts by server id.

func (b *Balancer) initTree() {
	b.wdiv = weightScale
	b.initWeights()
	n := len(b.servers)
	b.tAct, b.tBck = newSrvTree(n), newSrvTree(n)
	for _, s := range b.servers {
		if s.currentlyUsable() {
			s.tree = b.kindTree(s)
			b.treeQueue(s, s.nextEW)
		}
	}
}

func (b *Balancer) kindTree(s *Server) *srvTree {
	if s.backup {
		return &b.tBck
	}
	return &b.tAct
}

func lcKey(s *Server, ew int) uint32 {
	inflight := s.served + s.queued
	if inflight == 0 {
		return 0
	}
	if ew == 0 {
		ew = 1
	}
	return uint32((inflight + 1) * ewghtMax / ew)
}

func (b *Balancer) treeQueue(s *Server, ew int) {
	if b.kind == lkFAS {
		s.tree.insert(s, uint32(s.puid))
	} else {
		s.tree.insert(s, lcKey(s, ew))
	}
}

// fwlcReposition re-sorts s after its load changed; an unchanged key keeps
// its place in line.
func (b *Balancer) fwlcReposition(s *Server) {
	if s.tree == nil {
		return
	}
	k := lcKey(s, s.curEW)
	in := s.tree.contains(s)
	if in && s.curEW != 0 && s.key == k {
		return
	}
	if !in || s.key != k {
		s.tree.remove(s)
		s.tree.insert(s, k)
	}
}

func (b *Balancer) fasReposition(s *Server) {
	if s.tree != nil {
		s.tree.remove(s)
		s.tree.insert(s, uint32(s.puid))
	}
}

func (b *Balancer) treeSetDown(s *Server) {
	if !s.changed() {
		return
	}
	if s.willBeUsable() {
		s.commit()
		return
	}
	if s.currentlyUsable() {
		b.accountDown(s)
		if s.tree != nil {
			s.tree.remove(s)
		}
		s.tree = nil
	}
	b.updateTotals()
	s.commit()
}

func (b *Balancer) treeSetUp(s *Server) {
	if !s.changed() {
		return
	}
	if !s.willBeUsable() {
		s.commit()
		return
	}
	if !s.currentlyUsable() {
		s.tree = b.kindTree(s)
		b.accountUp(s)
		b.treeQueue(s, s.nextEW)
	}
	b.updateTotals()
	s.commit()
}

func (b *Balancer) treeUpdateWeight(s *Server) {
	if !s.changed() {
		return
	}
	was, will := s.currentlyUsable(), s.willBeUsable()
	switch {
	case !was && !will:
		s.commit()
		return
	case !was && will:
		b.treeSetUp(s)
		return
	case was && !will:
		b.treeSetDown(s)
		return
	}
	if s.tree != nil {
		s.tree.remove(s)
	}
	if s.backup {
		b.totWbck += s.nextEW - s.curEW
	} else {
		b.totWact += s.nextEW - s.curEW
	}
	s.tree = b.kindTree(s)
	b.treeQueue(s, s.nextEW)
	b.updateTotals()
	s.commit()
}

// treeNext serves both leastconn and first: the head of the queue that is
// not saturated and not the server to avoid (which is kept as a last
// resort).
func (b *Balancer) treeNext(avoid *Server) *Server {
	var t *srvTree
	switch {
	case b.srvAct > 0:
		t = &b.tAct
	case b.fbck != nil:
		return b.fbck
	case b.srvBck > 0:
		t = &b.tBck
	default:
		return nil
	}
	var avoided *Server
	for _, s := range t.s {
		var room bool
		if b.kind == lkLC {
			// leastconn lets a server's own queue fill up to maxqueue
			room = s.maxconn == 0 || s.served+s.queued < b.dynMaxconn(s)+s.maxqueue
		} else {
			room = b.hasRoom(s)
		}
		if room {
			if s != avoid {
				return s
			}
			avoided = s
		}
	}
	return avoided
}
