package balance

// srvTree stands in for haproxy's eb32 trees of servers: entries sorted by
// key, equal keys kept in insertion order (ebtrees append duplicates after
// the existing ones, which is what makes equal-load servers rotate). The
// backing array is allocated once with room for every server, so inserting
// and removing on the pick path never allocates.
type srvTree struct {
	s []*Server
}

func newSrvTree(capacity int) srvTree { return srvTree{s: make([]*Server, 0, capacity)} }

// insert queues srv with key k after every entry whose key is <= k.
func (t *srvTree) insert(srv *Server, k uint32) {
	srv.key = k
	srv.tree = t
	lo, hi := 0, len(t.s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.s[m].key <= k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	t.s = append(t.s, nil)
	copy(t.s[lo+1:], t.s[lo:])
	t.s[lo] = srv
}

// remove unlinks srv if it is queued here; srv.tree is left to the caller,
// as eb32_delete leaves lb_tree alone.
func (t *srvTree) remove(srv *Server) {
	for i, x := range t.s {
		if x == srv {
			copy(t.s[i:], t.s[i+1:])
			t.s[len(t.s)-1] = nil
			t.s = t.s[:len(t.s)-1]
			return
		}
	}
}

func (t *srvTree) first() *Server {
	if len(t.s) == 0 {
		return nil
	}
	return t.s[0]
}

func (t *srvTree) contains(srv *Server) bool {
	for _, x := range t.s {
		if x == srv {
			return true
		}
	}
	return false
}
