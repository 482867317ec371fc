package balance

// Fast weighted round robin (src/lb_fwrr.c). Each group (active, backup)
// keeps three queues: "curr" holds servers placed at their next position
// in the current window, "init" servers waiting by weight (heaviest first)
// for their first turn, and "next" servers pushed past the window. When the
// window is exhausted, init and next swap. Positions advance by
// total/eweight per pick, with a remainder carried in rweight, which spreads
// a server's turns evenly across the window.

type fwrrGroup struct {
	curr       srvTree
	t0, t1     srvTree
	init, next *srvTree
	currPos    int
	currWeight int
	nextWeight int
}

func (b *Balancer) group(s *Server) *fwrrGroup {
	if s.backup {
		return &b.bck
	}
	return &b.act
}

func (b *Balancer) initFWRR() {
	b.wdiv = weightScale
	b.initWeights()
	n := len(b.servers)
	for _, g := range []*fwrrGroup{&b.act, &b.bck} {
		g.curr, g.t0, g.t1 = newSrvTree(n), newSrvTree(n), newSrvTree(n)
		g.init, g.next = &g.t0, &g.t1
	}
	b.act.currPos, b.act.currWeight, b.act.nextWeight = b.totWact, b.totWact, b.totWact
	b.bck.currPos, b.bck.currWeight, b.bck.nextWeight = b.totWbck, b.totWbck, b.totWbck
	for _, s := range b.servers {
		if s.currentlyUsable() {
			fwrrQueueByWeight(b.group(s).init, s)
		}
	}
}

// fwrrQueueByWeight sorts by decreasing weight so heavy servers start first.
func fwrrQueueByWeight(t *srvTree, s *Server) {
	t.insert(s, uint32(ewghtMax-s.nextEW))
}

func (b *Balancer) fwrrSetDown(s *Server) {
	if !s.changed() {
		return
	}
	if s.willBeUsable() {
		s.commit()
		return
	}
	if s.currentlyUsable() {
		g := b.group(s)
		g.nextWeight -= s.curEW
		if s.backup {
			b.totWbck = g.nextWeight
			b.srvBck--
			if s == b.fbck {
				b.fbck = b.nextBackupAfter(s)
			}
		} else {
			b.totWact = g.nextWeight
			b.srvAct--
		}
		if s.tree != nil {
			s.tree.remove(s)
		}
		s.tree = nil
	}
	b.updateTotals()
	s.commit()
}

func (b *Balancer) fwrrSetUp(s *Server) {
	if !s.changed() {
		return
	}
	if !s.willBeUsable() {
		s.commit()
		return
	}
	if !s.currentlyUsable() {
		g := b.group(s)
		g.nextWeight += s.nextEW
		if s.backup {
			b.totWbck = g.nextWeight
			b.srvBck++
			if !b.opts.AllBackups && (b.fbck == nil || s.index < b.fbck.index) {
				b.fbck = s
			}
		} else {
			b.totWact = g.nextWeight
			b.srvAct++
		}
		b.fwrrGetSrv(s)
		s.npos = g.currPos + (g.nextWeight+g.currWeight-g.currPos)/s.nextEW
		b.fwrrQueueSrv(s)
	}
	b.updateTotals()
	s.commit()
}

func (b *Balancer) fwrrUpdateWeight(s *Server) {
	if !s.changed() {
		return
	}
	was, will := s.currentlyUsable(), s.willBeUsable()
	switch {
	case !was && !will:
		s.commit()
		return
	case !was && will:
		b.fwrrSetUp(s)
		return
	case was && !will:
		b.fwrrSetDown(s)
		return
	}
	g := b.group(s)
	g.nextWeight = g.nextWeight - s.curEW + s.nextEW
	b.totWact = b.act.nextWeight
	b.totWbck = b.bck.nextWeight

	switch {
	case s.tree == g.init:
		g.init.remove(s)
		fwrrQueueByWeight(g.init, s)
	case s.tree == nil:
		// not reachable today (haproxy keeps it for slowstart from down)
		b.fwrrGetSrv(s)
		s.npos = g.currPos + (g.nextWeight+g.currWeight-g.currPos)/s.nextEW
		b.fwrrQueueSrv(s)
	default:
		// In curr or next: if it has turns left in this window, move its
		// next position according to the new step.
		b.fwrrGetSrv(s)
		if s.nextEW > 0 {
			prev := s.npos
			step := g.nextWeight / s.nextEW
			s.npos = s.lpos + step
			s.rweight = 0
			if s.npos > prev {
				s.npos = prev
			}
			if s.npos < g.currPos+2 {
				s.npos = g.currPos + step
			}
		} else {
			s.npos = g.currPos + g.currWeight
		}
		s.tree.remove(s)
		b.fwrrQueueSrv(s)
	}
	b.updateTotals()
	s.commit()
}

// fwrrQueueSrv places s in curr at its next position, or in next when that
// position falls outside the current (or the next theoretical) window.
func (b *Balancer) fwrrQueueSrv(s *Server) {
	g := b.group(s)
	switch {
	case !s.willBeUsable():
		s.tree = nil
	case s.nextEW <= 0 || s.npos >= 2*g.currWeight || s.npos >= g.currWeight+g.nextWeight:
		s.npos -= g.currWeight
		fwrrQueueByWeight(g.next, s)
	default:
		// Position first, then the remainder-adjusted weight so heavier
		// servers win ties (the key is in units of npos*256).
		k := uint32(MaxWeight*s.npos) + uint32(ewghtMax+s.rweight-s.nextEW)/weightScale
		g.curr.insert(s, k)
	}
}

// fwrrGetSrv prepares s for leaving its current queue.
func (b *Balancer) fwrrGetSrv(s *Server) {
	g := b.group(s)
	switch s.tree {
	case g.init:
		s.npos, s.rweight = 0, 0
	case g.next:
		s.npos += g.currWeight
	case nil:
		s.npos = g.currPos
	}
}

func (g *fwrrGroup) switchTrees() {
	g.init, g.next = g.next, g.init
	g.currWeight = g.nextWeight
	g.currPos = g.currWeight
}

// fromGroup returns the server due at the current position, or the
// heaviest waiting in init when curr has a hole, or the head of curr.
func (g *fwrrGroup) fromGroup() *Server {
	s1 := g.curr.first()
	if s1 != nil && s1.curEW != 0 && s1.npos <= g.currPos {
		return s1
	}
	if s2 := g.init.first(); s2 != nil && s2.curEW != 0 {
		s2.npos, s2.rweight = 0, 0
		return s2
	}
	return s1
}

func (g *fwrrGroup) updatePosition(s *Server) {
	ew := s.curEW
	if ew == 0 {
		return
	}
	if s.npos == 0 {
		s.npos = g.currPos // first turn ever
	}
	s.lpos = s.npos
	s.npos += g.nextWeight / ew
	s.rweight += g.nextWeight % ew
	if s.rweight >= ew {
		s.rweight -= ew
		s.npos++
	}
}

// fwrrNext is fwrr_get_next_server: saturated servers (and the one to
// avoid) are taken out, chained and requeued after the pick.
func (b *Balancer) fwrrNext(avoid *Server) *Server {
	var g *fwrrGroup
	switch {
	case b.srvAct > 0:
		g = &b.act
	case b.fbck != nil:
		return b.fbck
	case b.srvBck > 0:
		g = &b.bck
	default:
		return nil
	}
	switched := false
	var srv, full, avoided *Server
	for {
		if g.currWeight == 0 {
			g.currPos, g.currWeight = g.nextWeight, g.nextWeight
		}
		for {
			srv = g.fromGroup()
			if srv != nil {
				break
			}
			if switched {
				if avoided != nil {
					srv = avoided
					b.fwrrQueueSrv(srv)
				}
				goto requeue
			}
			switched = true
			g.switchTrees()
		}
		g.updatePosition(srv)
		srv.tree.remove(srv)
		g.currPos++
		if b.hasRoom(srv) {
			if srv != avoid || avoided != nil {
				break
			}
			avoided = srv
		}
		srv.nextFull = full
		full = srv
	}
	b.fwrrQueueSrv(srv)
requeue:
	for full != nil {
		next := full.nextFull
		full.nextFull = nil
		if full != srv {
			if switched {
				// their place was lost with the switch; only weight counts
				fwrrQueueByWeight(g.init, full)
			} else {
				b.fwrrQueueSrv(full)
			}
		}
		full = next
	}
	return srv
}
