package balance

// Pick chooses the server for a request (backend.c assign_server). avoid is
// the server a retry wants to leave (redispatch); it is returned only when
// nothing else is possible. nil means no server can take the request now:
// see Usable to tell "no server" (503) from "all saturated" (queue).
//
// Pick does not count the connection: the engine calls TakeConn once it
// really uses the server.
func (b *Balancer) Pick(r *Request, avoid *Server) *Server {
	if b.totWeight == 0 {
		return nil
	}
	switch b.opts.Algorithm {
	case RoundRobin:
		return b.fwrrNext(avoid)
	case LeastConn, First:
		return b.treeNext(avoid)
	case StaticRR:
		return b.mapRR(avoid)
	case Random:
		return b.randomPick(avoid)
	}
	// Hash algorithms: no key means round robin over the same structure.
	if r != nil {
		if h, ok := b.hashKey(r); ok {
			if b.kind == lkCH {
				return b.chashHash(h, avoid)
			}
			return b.mapHash(h)
		}
	}
	if b.kind == lkCH {
		return b.chashNext(avoid)
	}
	return b.mapRR(avoid)
}

// QueueFirst reports whether a new request must go straight to the backend
// queue without trying the algorithm: for first, roundrobin and static-rr,
// requests already waiting in the backend queue (unless every backend
// connection is one of them) mean every server is full (backend.c
// assign_server).
func (b *Balancer) QueueFirst(backendQueued, backendConns int) bool {
	switch b.opts.Algorithm {
	case First, RoundRobin, StaticRR:
		return backendQueued != 0 && backendQueued != backendConns
	}
	return false
}

// hashKey computes the request's hash for the backend's algorithm, or
// reports that the key is absent. With a single usable server nothing is
// hashed and the key is 0, as haproxy skips the work (except url_param,
// which always hashes).
func (b *Balancer) hashKey(r *Request) (uint32, bool) {
	single := b.totUsed == 1
	switch b.opts.Algorithm {
	case Source:
		if !r.Src.IsValid() {
			return 0, false
		}
		if single {
			return 0, true
		}
		h := sourceKey(r.Src)
		if b.avalanche {
			h = fullHash(h)
		}
		return h, true
	case URI:
		if r.URI == nil {
			return 0, false // not an HTTP request
		}
		if single {
			return 0, true
		}
		u := r.URI
		if b.opts.URIPathOnly {
			u = PathOnly(u)
		}
		return b.finish(URIKey(u, b.opts.URILen, b.opts.URIDepth, b.opts.URIWhole)), true
	case URLParam:
		if r.URI == nil {
			return 0, false
		}
		if v, ok := FindURLParam(r.URI, b.opts.Param); ok {
			return b.finish(v), true
		}
		if b.opts.CheckPost && r.Post {
			if v, ok := postParam(r.Body, b.opts.Param); ok {
				return b.finish(v), true
			}
		}
		return 0, false
	case Header:
		if single {
			return 0, true
		}
		if !r.HasHeader {
			return 0, false
		}
		v := FirstHeaderValue(r.Header)
		if len(v) == 0 {
			return 0, false
		}
		if b.opts.UseDomainOnly {
			v = DomainOnly(v)
		}
		return b.finish(v), true
	case RDPCookie:
		v, ok := FindRDPCookie(r.Payload, b.opts.Param)
		if !ok || len(v) == 0 {
			return 0, false
		}
		if single {
			return 0, true
		}
		return b.finish(v), true
	}
	return 0, false
}

func (b *Balancer) finish(key []byte) uint32 {
	h := hashBytes(b.hfunc, key)
	if b.avalanche {
		h = fullHash(h)
	}
	return h
}
