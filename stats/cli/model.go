package cli

import (
	"goha/stats"
)

// ApplyAdmin is a reference implementation of the stats-model side of
// Runtime.SetServerAdmin, following srv_update_status() in haproxy 2.6's
// src/server.c. The engine calls it (serialized per backend) and then
// updates its load-balancing state from sv.Usable(). It returns the
// message haproxy logs for the change ("" when nothing visible changed),
// e.g. "Server be/s1 is going DOWN for maintenance".
//
//   - entering maintenance: a running server goes DOWN now (last change,
//     one more chkdown; the backend goes DOWN with its last usable
//     server); health checks are paused by the caller.
//   - leaving maintenance: a server without enabled health checks comes
//     straight back UP; with checks, it stays DOWN until they pass.
//   - entering drain (outside maintenance): last change is now; the server
//     keeps its state but takes no new traffic.
func ApplyAdmin(px *stats.Proxy, sv *stats.Server, a AdminAction, now int64) string {
	old := sv.Admin.Load()
	adm := old
	switch a {
	case AdminMaintenance:
		adm = adm&^stats.AdminDrain | stats.AdminMaint
	case AdminDrain:
		adm = adm&^stats.AdminMaint | stats.AdminDrain
	case AdminReady:
		adm &^= stats.AdminMaint | stats.AdminDrain
	}
	if adm == old {
		return ""
	}
	before := stats.Summarize(px)
	sv.Admin.Store(adm)
	wasMaint, isMaint := old&stats.AdminAnyMaint != 0, adm&stats.AdminAnyMaint != 0
	prefix := "Server "
	if sv.Backup {
		prefix = "Backup Server "
	}
	name := px.Name + "/" + sv.Name
	msg := ""
	switch {
	case !wasMaint && isMaint:
		if stats.ServerState(sv.State.Load()) == stats.SrvStopped {
			msg = prefix + name + " was DOWN and now enters maintenance"
			break
		}
		sv.LastChange.Store(now)
		sv.State.Store(uint32(stats.SrvStopped))
		sv.C.DownTrans.Add(1)
		chk := *sv.Check()
		chk.Health = 0 // "failure", even for a server without checks
		if chk.Enabled {
			chk.Paused = true
		}
		sv.SetCheck(chk)
		msg = prefix + name + " is going DOWN for maintenance"
	case wasMaint && !isMaint:
		chk := *sv.Check()
		if chk.Enabled {
			chk.Paused = false
			chk.Health = chk.Rise // start OK but check immediately
			sv.SetCheck(chk)
		}
		// "UP/READY", or ".../DRAIN" when it leaves for drain mode
		// (src/server.c srv_update_status)
		admin := "/READY"
		if adm&stats.AdminDrain != 0 {
			admin = "/DRAIN"
		}
		if !chk.Enabled || chk.Health >= chk.Rise {
			sv.LastChange.Store(now)
			sv.State.Store(uint32(stats.SrvRunning))
			msg = prefix + name + " is UP" + admin + " (leaving forced maintenance)"
		} else {
			msg = prefix + name + " is DOWN" + admin + " (leaving forced maintenance)"
		}
	case !isMaint && adm&stats.AdminDrain != 0 && old&stats.AdminDrain == 0:
		sv.LastChange.Store(now)
		msg = prefix + name + " enters drain mode"
	case !isMaint:
		msg = prefix + name + " leaves drain mode"
	}
	after := stats.Summarize(px)
	prev, cur := before.Act+before.Bck, after.Act+after.Bck
	switch {
	case prev > 0 && cur == 0:
		px.LastChange.Store(now)
		px.DownTrans.Add(1)
	case prev == 0 && cur > 0:
		px.LastChange.Store(now)
	}
	return msg
}

// ApplyWeight is the stats-model side of Runtime.SetServerWeight: the user
// weight, and the effective weight (scaled by the slow-start throttle while
// the server is starting, as server_recalc_eweight does).
func ApplyWeight(sv *stats.Server, w uint32) {
	sv.UWeight.Store(w)
	if stats.ServerState(sv.State.Load()) == stats.SrvStarting {
		if t := sv.Throttle.Load(); t > 0 && t < 100 {
			w = (w*t + 99) / 100
		}
	}
	sv.EWeight.Store(w)
}
