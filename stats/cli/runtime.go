package cli

import (
	"goha/stats"
)

// Runtime is what the CLI needs from the proxy engine. The engine owns the
// stats model (package stats) and every state change; the CLI parses
// commands, checks permissions, finds the objects, validates arguments
// exactly as haproxy 2.6 does, and then calls one of these methods. Every
// method may be called from several connections at once.
//
// What the CLI does itself, so the engine does not have to: name and
// "#<id>" lookups over Proxies(), "backend/server" splitting, the weight
// syntax ("N" or "N%") and its limits, every error message, the
// level checks, rendering (show stat/info/servers state/backend/sess).
type Runtime interface {
	// Proxies returns every frontend, backend and listen section in
	// configuration order, the order "show stat" prints them in. The
	// slice and its elements must stay valid while the CLI reads them
	// (return the current generation's slice; a reload swaps it whole).
	Proxies() []*stats.Proxy

	// Info returns the "show info" values at the instant clk: the static
	// fields (Name, Version, Pid, limits, node...) set once at start and
	// stats.Process.Fill(&info, clk) for the moving ones. The CLI sets
	// info.Float itself for "show info float".
	Info(clk stats.Clock) *stats.Info

	// Clock is the instant a dump describes; the engine returns
	// stats.Now() (tests return a fixed instant).
	Clock() stats.Clock

	// ServerDetail returns what "show servers state" and weight changes
	// need beyond the stats model (see ServerDetail). Engines that keep
	// no extra state can return DetailFromModel(sv) with IWeight,
	// DynamicLB and Port filled in. Servers without "check" should carry
	// a disabled stats.Check{Rise, Fall, Health: Rise} snapshot, as
	// haproxy keeps a health for them too (show servers state prints it).
	ServerDetail(px *stats.Proxy, sv *stats.Server) ServerDetail

	// SetServerAdmin applies "set server <b>/<s> state ready|drain|maint",
	// "enable server" (AdminReady) and "disable server"
	// (AdminMaintenance), as srv_adm_set_ready/drain/maint do in haproxy's
	// src/server.c (ApplyAdmin does the stats-model part):
	//   - AdminMaintenance: set the forced-maintenance flag (stats.AdminMaint),
	//     clear a forced drain; the server takes no new connection once
	//     this returns (issue 4 acceptance); servers tracking it inherit
	//     stats.AdminIMaint.
	//   - AdminDrain: set stats.AdminDrain and clear a forced maintenance
	//     (the server's weight stays, but it gets no new traffic except
	//     persistent sessions).
	//   - AdminReady: clear both forced flags.
	// The engine updates Server.Admin, LastChange (when the visible state
	// changes) and its load-balancing tree, and logs the state change as
	// haproxy does ("Server be/s1 is going DOWN for maintenance...").
	SetServerAdmin(px *stats.Proxy, sv *stats.Server, a AdminAction)

	// SetServerWeight sets the server's user weight (0..256, already
	// validated and, for "N%", already converted from the initial weight),
	// recomputing the effective weight (server_recalc_eweight: slowstart
	// throttle applies) and the load-balancing tree. The engine stores the
	// results in Server.UWeight and Server.EWeight.
	SetServerWeight(px *stats.Proxy, sv *stats.Server, weight uint32)

	// PauseFrontend ("disable frontend") stops accepting on every listener
	// of px and sets px.State to stats.ProxyPaused; ResumeFrontend
	// ("enable frontend") undoes it and sets stats.ProxyOpen. An error is
	// reported to the user as haproxy's "Failed to pause/resume frontend"
	// message. The CLI has already checked px.State (already paused,
	// stopped...).
	PauseFrontend(px *stats.Proxy) error
	ResumeFrontend(px *stats.Proxy) error

	// ClearCounters is "clear counters" (all=false: the maxima only) and
	// "clear counters all": the engine calls stats.ClearCounters on its
	// proxies and stats.Process.ClearMax for the process-wide maxima.
	ClearCounters(all bool)

	// Sessions lists the streams in progress for "show sess" (summary
	// form). Returning nil is allowed: only the CLI's own session is
	// then listed.
	Sessions() []Session
}

// AdminAction is a forced administrative state change of a server.
type AdminAction uint8

// The three states of "set server <b>/<s> state".
const (
	AdminReady AdminAction = iota
	AdminDrain
	AdminMaintenance
)

func (a AdminAction) String() string {
	return [...]string{"ready", "drain", "maint"}[a]
}

// ServerDetail is the per-server data the stats model does not carry, in
// haproxy's own units, for "show servers state" (one line per server, the
// server-state file format version 1) and for weight changes.
type ServerDetail struct {
	IWeight   uint32 // initial weight from the configuration (srv_iweight)
	DynamicLB bool   // the backend's algorithm accepts any weight (BE_LB_PROP_DYN: roundrobin, leastconn, first, random...); static-rr, source, uri... only take 0% and 100%

	// AdminFlags are haproxy's SRV_ADMF_* bits (FMAINT 0x01, IMAINT 0x02,
	// CMAINT 0x04, FDRAIN 0x08, IDRAIN 0x10, RMAINT 0x20, HMAINT 0x40) for
	// srv_admin_state. DetailFromModel derives them from Server.Admin.
	AdminFlags uint32

	CheckStatus uint8  // check.status (HCHK_STATUS_*: 1 = INI for a server without checks)
	CheckResult uint8  // CHK_RES_*: 0 unknown, 1 neutral, 2 failed, 3 passed, 4 condpass
	CheckHealth int32  // check.health, also kept for servers without checks
	CheckState  uint32 // CHK_ST_* bits: 0x2 configured, 0x4 enabled, 0x8 paused ...
	AgentState  uint32 // CHK_ST_* bits of the agent check (0x10 AGENT set when configured)

	BackendForcedID bool   // the backend has an explicit "id"
	ForcedID        bool   // the server has an explicit "id"
	Hostname        string // FQDN ("" prints "-")
	Port            uint16 // service port
	SrvRecord       string // SRV record ("" prints "-")
	UseSSL          bool
	CheckPort       uint16
	CheckAddr       string // "" prints "-"
	AgentAddr       string // "" prints "-"
	AgentPort       uint16
}

// DetailFromModel derives the ServerDetail fields that follow from the
// stats model: admin flags and the health-check words. IWeight, DynamicLB,
// Port and the other configuration fields are the caller's to fill.
func DetailFromModel(sv *stats.Server) ServerDetail {
	var d ServerDetail
	adm := sv.Admin.Load()
	if adm&stats.AdminMaint != 0 {
		d.AdminFlags |= 0x01
	}
	if adm&stats.AdminIMaint != 0 {
		d.AdminFlags |= 0x02
	}
	if adm&stats.AdminDrain != 0 {
		d.AdminFlags |= 0x08
	}
	if adm&stats.AdminRMaint != 0 {
		d.AdminFlags |= 0x20
	}
	chk := sv.Check()
	d.CheckStatus = uint8(chk.Status)
	// Servers without "check" keep a health too (init_check sets it to
	// rise, maintenance sets it to 0): the engine publishes a disabled
	// Check snapshot with Rise, Fall and Health for them.
	d.CheckHealth = chk.Health
	if chk.Enabled {
		d.CheckState = 0x2 | 0x4
		if chk.Paused {
			d.CheckState |= 0x8
		}
		if chk.InProgress {
			d.CheckState |= 0x1
		}
		d.CheckResult = checkResult(chk.Status)
	} else {
		// haproxy initialises every server's check (init_check): status
		// INI, health = rise (2 by default), even without "check".
		d.CheckStatus = uint8(stats.ChkIni)
	}
	if agt := sv.Agent(); agt.Enabled {
		d.AgentState = 0x10 | 0x2 | 0x4
	}
	return d
}

// checkResult maps a check status to haproxy's CHK_RES_* result.
func checkResult(s stats.CheckStatus) uint8 {
	switch s {
	case stats.ChkL4OK, stats.ChkL6OK, stats.ChkL7OK, stats.ChkProcOK:
		return 3
	case stats.ChkL7OKC:
		return 4
	case stats.ChkUnknown, stats.ChkIni, stats.ChkStart:
		return 0
	case stats.ChkChecked:
		return 1
	}
	return 2
}

// Session is one stream for "show sess". The engine fills what it knows;
// the flags haproxy prints with it (channel, analyser and stream
// connector flags) have no meaning in goha: the CLI prints the values
// haproxy 2.6 shows for a stream in the same State (measured).
type Session struct {
	ID        uint64 // printed as haproxy prints the stream pointer: 0x%x
	Proto     string // "tcpv4", "tcpv6", "unix_stream"
	Src       string // "ip:port" (IPv6 without brackets, as haproxy) or "unix:<listener id>"
	Frontend  string
	Backend   string // "" prints "<NONE>"
	Server    string // "" prints "<none>"
	AgeSec    int64  // seconds since the stream started
	Calls     uint32 // processing steps the stream went through
	Rate      uint32 // steps in the last second
	ReqBytes  uint32 // bytes waiting in the request buffer
	RespBytes uint32 // bytes waiting in the response buffer
	FrontFD   int    // client-side file descriptor (-1 if none)
	BackFD    int    // server-side file descriptor (-1 if none)
	State     SessState
	// ExpireSec is the time left before the timeout of what the stream
	// waits for (queue or connect, server response or data); -1: none.
	ExpireSec int64
	// A TCP session (SessTCP) also tells whether its client sent data
	// and closed its side, and the time left on the client's idle timer
	// (-1: none).
	ClientData, ClientClosed bool
	ReqExpireSec             int64
}

// SessState is what a stream is doing, as far as "show sess" tells.
type SessState uint8

// Stream states.
const (
	// SessWaitServer: an HTTP request or TCP session waits for a server
	// (queue, connect); no server connection yet.
	SessWaitServer SessState = iota
	// SessWaitResponse: the request went to the server, no response yet.
	SessWaitResponse
	// SessResponse: the response is being forwarded.
	SessResponse
	// SessTCP: a TCP session is connected to its server.
	SessTCP
)
