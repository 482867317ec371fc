package balance

// Static map (src/lb_map.c), used by static-rr and map-based hashing. The
// weights are divided by their GCD and a table of tot_weight slots is
// filled by a smooth weighted pass; static-rr walks it, hashing indexes it
// with hash % tot_weight. Weights are fixed at run time (only 0% and 100%)
// and any change rebuilds the whole table.

func (b *Balancer) initMap() {
	// GCD of the user weights, skipping leading zero weights.
	g := 1
	i := 0
	for i < len(b.servers) && b.servers[i].uweight == 0 {
		i++
	}
	if i < len(b.servers) {
		g = b.servers[i].uweight
		for _, s := range b.servers[i+1:] {
			if g <= 1 {
				break
			}
			w := s.uweight
			for w != 0 {
				g, w = w, g%w
			}
		}
	}
	b.wmult = g
	act, bck := 0, 0
	for _, s := range b.servers {
		s.nextEW = (s.uweight*b.wdiv + b.wmult - 1) / b.wmult
		if s.backup {
			bck += s.nextEW
		} else {
			act += s.nextEW
		}
		s.commit()
	}
	// the largest table this server list can ever need
	size := max(act, bck, 1)
	b.mapSrv = make([]*Server, size)
	b.recount()
	b.updateTotals()
	b.recalcMap()
}

// recalcMap refills the table: for each slot every usable server of the
// serving kind (active, or backup when no active is left) adds its weight
// to its score; the best (score+tot)/tot wins, ties to the first declared,
// and pays tot.
func (b *Balancer) recalcMap() {
	if b.totUsed == 0 {
		return
	}
	tot := b.totWeight
	backup := b.srvAct == 0
	for _, s := range b.servers {
		s.wscore = 0
	}
	for o := 0; o < tot; o++ {
		var best *Server
		top := 0
		for _, s := range b.servers {
			if s.backup != backup || !s.willBeUsable() {
				continue
			}
			if tot == 1 {
				best = s
				break
			}
			s.wscore += s.nextEW
			v := (s.wscore + tot) / tot
			if best == nil || v > top {
				top, best = v, s
			}
		}
		b.mapSrv[o] = best
		if best != nil {
			best.wscore -= tot
		}
	}
}

// mapUpdate handles any state or weight change (map_set_server_status_up
// and _down both recount and rebuild).
func (b *Balancer) mapUpdate(s *Server) {
	if !s.changed() {
		return
	}
	b.recount()
	b.updateTotals()
	b.recalcMap()
	s.commit()
}

// mapRR walks the table from the last position, skipping saturated
// servers; the avoided server is returned only if nothing else fits.
func (b *Balancer) mapRR(avoid *Server) *Server {
	tot := b.totWeight
	if tot == 0 {
		return nil
	}
	if b.rrIdx < 0 || b.rrIdx >= tot {
		b.rrIdx = 0
	}
	idx := b.rrIdx
	var avoided *Server
	avoidIdx := 0
	for {
		s := b.mapSrv[idx]
		idx++
		if s != nil && b.hasRoom(s) {
			avoided, avoidIdx = s, idx
			if s != avoid {
				b.rrIdx = idx
				return s
			}
		}
		if idx == tot {
			idx = 0
		}
		if idx == b.rrIdx {
			break
		}
	}
	if avoided != nil {
		b.rrIdx = avoidIdx
	}
	return avoided
}

func (b *Balancer) mapHash(h uint32) *Server {
	if b.totWeight == 0 {
		return nil
	}
	return b.mapSrv[h%uint32(b.totWeight)]
}
