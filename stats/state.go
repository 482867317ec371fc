package stats

// SetServerState moves sv to state st at unix time now, keeping the
// bookkeeping haproxy does in srv_update_status() (src/server.c): the
// server's last change and accumulated downtime, its UP->DOWN transition
// count (chkdown), and the backend's own last change, downtime and
// transition count when it loses its last usable server or gets one back
// (set_backend_down in src/backend.c).
//
// Several fields move together, so calls for servers of one backend must
// be serialized by the caller (state changes are rare and off the request
// path; counting stays lock-free).
func (px *Proxy) SetServerState(sv *Server, st ServerState, now int64) {
	cur := ServerState(sv.State.Load())
	if cur == st {
		return
	}
	before := Summarize(px)
	prevCount := before.Act + before.Bck
	sv.State.Store(uint32(st))
	after := Summarize(px)
	switch {
	case st == SrvStopped:
		sv.LastChange.Store(now)
		if prevCount > 0 && after.Act+after.Bck == 0 {
			px.setBackendDown(now)
		}
		sv.C.DownTrans.Add(1)
	case st == SrvStopping:
		sv.LastChange.Store(now)
		if prevCount > 0 && after.Act+after.Bck == 0 {
			px.setBackendDown(now)
		}
	default: // Running or Starting
		if before.Act+before.Bck == 0 {
			if lc := px.LastChange.Load(); lc < now {
				px.DownTime.Add(now - lc)
			}
			px.LastChange.Store(now)
		}
		if lc := sv.LastChange.Load(); cur == SrvStopped && lc < now {
			sv.DownTime.Add(now - lc)
		}
		sv.LastChange.Store(now)
	}
}

func (px *Proxy) setBackendDown(now int64) {
	px.LastChange.Store(now)
	px.DownTrans.Add(1)
}
