package stats

import (
	"sync/atomic"
)

// Mode is a proxy's mode as haproxy prints it in the "mode" column.
type Mode uint8

// Proxy modes (proxy_mode_str).
const (
	ModeTCP Mode = iota
	ModeHTTP
	ModeCLI
	ModeSyslog
	ModePeers
)

func (m Mode) String() string {
	switch m {
	case ModeTCP:
		return "tcp"
	case ModeHTTP:
		return "http"
	case ModeCLI:
		return "cli"
	case ModeSyslog:
		return "syslog"
	case ModePeers:
		return "peers"
	}
	return "unknown"
}

// Cap says which sides a proxy has: frontend, backend, or both (listen).
type Cap uint8

// Proxy capabilities.
const (
	CapFE Cap = 1 << iota
	CapBE
)

// Proxy describes a frontend, backend or listen section, with its counters.
// The engine fills the descriptive fields once from the configuration; the
// atomics change at run time.
type Proxy struct {
	Name       string
	ID         uint32 // iid (haproxy's uuid: config order from 1, or "id")
	Cap        Cap
	Mode       Mode
	MaxConn    uint32 // frontend slim
	FullConn   uint32 // backend slim
	RateLimit  uint32 // frontend rate_lim (rate-limit sessions)
	Algo       string // backend algo column ("roundrobin", ...)
	CookieName string
	AllBackups bool // option allbackups
	Listeners  []*Listener
	Servers    []*Server

	State atomic.Uint32 // ProxyState: frontend status OPEN, PAUSED or STOP

	FE, BE         Counters
	FEMod, BEMod   ModuleCounters
	FeConn, BeConn atomic.Int32 // current sessions
	Queue          atomic.Int32 // backend queue length
	FeSessRate     FreqCtr
	FeConnRate     FreqCtr
	FeReqRate      FreqCtr
	BeSessRate     FreqCtr

	// Backend state: time of the last UP/DOWN change (unix seconds), time
	// spent DOWN before it, and the number of UP->DOWN transitions.
	LastChange atomic.Int64
	DownTime   atomic.Int64
	DownTrans  atomic.Uint64
}

// ProxyState is a frontend's run state as its status column shows it.
type ProxyState uint32

// Frontend states: "disable frontend" pauses (haproxy 2.6.12 prints
// PAUSED, verified), a stopped or disabled proxy prints STOP.
const (
	ProxyOpen ProxyState = iota
	ProxyPaused
	ProxyStopped
)

func (s ProxyState) String() string {
	return [...]string{"OPEN", "PAUSED", "STOP"}[s]
}

// ListenerStatus is a listener's status column.
type ListenerStatus uint8

// Listener statuses (li_status_st).
const (
	ListenerWaiting ListenerStatus = iota
	ListenerOpen
	ListenerFull
)

func (s ListenerStatus) String() string {
	return [...]string{"WAITING", "OPEN", "FULL"}[s]
}

// Listener is one "bind" line of a frontend with "option socket-stats".
type Listener struct {
	Name    string // "sock-1" unless named
	ID      uint32 // sid (luid)
	Addr    string // "127.0.0.1:80", "[::1]:80" or "unix"
	MaxConn uint32
	Status  atomic.Uint32 // ListenerStatus
	NbConn  atomic.Int32
	C       Counters
	Mod     ModuleCounters
}

// ServerState is the operational state (srv_state).
type ServerState uint32

// Server states.
const (
	SrvStopped  ServerState = iota // DOWN
	SrvStarting                    // UP, in slowstart
	SrvRunning                     // UP
	SrvStopping                    // NOLB (soft-stopped by a check)
)

// Admin flags (srv_admin): maintenance and drain, set by config, CLI,
// a tracked server or DNS.
const (
	AdminMaint  uint32 = 1 << iota // forced maintenance (FMAINT/CMAINT)
	AdminIMaint                    // inherited from a tracked server
	AdminRMaint                    // DNS resolution failure
	AdminDrain                     // forced or inherited drain
)

// AdminAnyMaint is any maintenance flag (haproxy's SRV_ADMF_MAINT mask).
const AdminAnyMaint = AdminMaint | AdminIMaint | AdminRMaint

// CheckStatus is a health check result code (HCHK_STATUS_*).
type CheckStatus uint8

// Check statuses, in haproxy's order: the order matters because haproxy
// shows check_code only from L57Data on and check_duration from Checked on.
const (
	ChkUnknown CheckStatus = iota
	ChkIni
	ChkStart
	ChkChecked
	ChkHana
	ChkSockErr
	ChkL4OK
	ChkL4Tout
	ChkL4Con
	ChkL6OK
	ChkL6Tout
	ChkL6Rsp
	ChkL7Tout
	ChkL7Rsp
	ChkL57Data
	ChkL7OK
	ChkL7OKC
	ChkL7Sts
	ChkProcErr
	ChkProcTout
	ChkProcOK
)

var checkStatusInfo = [...][2]string{
	ChkUnknown: {"UNK", "Unknown"}, ChkIni: {"INI", "Initializing"}, ChkStart: {"", ""},
	ChkChecked: {"CHECKED", "No status change"}, ChkHana: {"HANA", "Health analyze"},
	ChkSockErr: {"SOCKERR", "Socket error"}, ChkL4OK: {"L4OK", "Layer4 check passed"},
	ChkL4Tout: {"L4TOUT", "Layer4 timeout"}, ChkL4Con: {"L4CON", "Layer4 connection problem"},
	ChkL6OK: {"L6OK", "Layer6 check passed"}, ChkL6Tout: {"L6TOUT", "Layer6 timeout"},
	ChkL6Rsp: {"L6RSP", "Layer6 invalid response"}, ChkL7Tout: {"L7TOUT", "Layer7 timeout"},
	ChkL7Rsp: {"L7RSP", "Layer7 invalid response"}, ChkL57Data: {"", ""},
	ChkL7OK: {"L7OK", "Layer7 check passed"}, ChkL7OKC: {"L7OKC", "Layer7 check conditionally passed"},
	ChkL7Sts: {"L7STS", "Layer7 wrong status"}, ChkProcErr: {"PROCERR", "External check error"},
	ChkProcTout: {"PROCTOUT", "External check timeout"}, ChkProcOK: {"PROCOK", "External check passed"},
}

// Info is the short code shown in check_status ("L4OK").
func (s CheckStatus) Info() string {
	if int(s) < len(checkStatusInfo) {
		return checkStatusInfo[s][0]
	}
	return checkStatusInfo[ChkUnknown][0]
}

// Desc is the sentence shown in check_desc ("Layer4 check passed").
func (s CheckStatus) Desc() string {
	if int(s) < len(checkStatusInfo) {
		return checkStatusInfo[s][1]
	}
	return checkStatusInfo[ChkUnknown][1]
}

// CheckStatusByInfo maps a short code back to its status (UNK if unknown).
func CheckStatusByInfo(info string) CheckStatus {
	for i, v := range checkStatusInfo {
		if v[0] == info && info != "" {
			return CheckStatus(i)
		}
	}
	return ChkUnknown
}

// Check is a snapshot of a health check (or agent check) as stats shows it.
// The checker publishes a new snapshot after each run (Server.SetCheck),
// so readers never see a half-updated result.
type Check struct {
	Enabled    bool
	Paused     bool
	InProgress bool // check_status gets a "* " prefix
	Status     CheckStatus
	Code       int32  // L7 status code (check_code)
	Duration   uint64 // ms
	Desc       string // last_chk / last_agt: the check's own message
	Rise, Fall int32
	Health     int32 // 0 .. rise+fall-1
}

// Server is one "server" line of a backend, with its counters and state.
type Server struct {
	Name         string
	ID           uint32 // sid (puid)
	Addr         string // "ip:port" as the addr column prints it
	Cookie       string
	Backup       bool
	MaxConn      uint32 // slim (0: unlimited, empty column)
	MaxQueue     uint32 // qlimit (0: empty column)
	MaxIdleConns int32  // src_ilim; -1 when unset (empty column)
	Observe      bool   // "observe layer4|layer7": shows hanafail
	Track        *Server
	TrackProxy   string // proxy name of Track, for "tracked" and MAINT (via)

	State     atomic.Uint32 // ServerState
	Admin     atomic.Uint32 // Admin* flags
	EWeight   atomic.Uint32 // effective weight in user units (weight column)
	UWeight   atomic.Uint32 // user weight (uweight column)
	Throttle  atomic.Uint32 // slowstart percentage while starting
	CurSess   atomic.Int32
	Queue     atomic.Int32
	IdleConns atomic.Uint32 // srv_icur
	IdleNb    atomic.Uint32 // idle_conn_cur
	SafeNb    atomic.Uint32 // safe_conn_cur
	UsedConns atomic.Uint32 // used_conn_cur
	NeedConns atomic.Uint32 // need_conn_est
	SessRate  FreqCtr

	LastChange atomic.Int64 // unix seconds of the last state change
	DownTime   atomic.Int64 // seconds spent DOWN before LastChange

	check atomic.Pointer[Check]
	agent atomic.Pointer[Check]

	C   Counters
	Mod ModuleCounters
}

var noCheck = &Check{}

// SetCheck publishes a new health-check snapshot.
func (s *Server) SetCheck(c Check) { s.check.Store(&c) }

// SetAgent publishes a new agent-check snapshot.
func (s *Server) SetAgent(c Check) { s.agent.Store(&c) }

// Check returns the current health-check snapshot (never nil).
func (s *Server) Check() *Check {
	if c := s.check.Load(); c != nil {
		return c
	}
	return noCheck
}

// Agent returns the current agent-check snapshot (never nil).
func (s *Server) Agent() *Check {
	if c := s.agent.Load(); c != nil {
		return c
	}
	return noCheck
}

// usable mirrors srv_currently_usable(): the server may take new traffic.
func (s *Server) usable() bool {
	if s.EWeight.Load() == 0 || s.Admin.Load()&(AdminAnyMaint|AdminDrain) != 0 {
		return false
	}
	st := ServerState(s.State.Load())
	return st == SrvRunning || st == SrvStarting
}

// Usable reports whether the server may take new traffic.
func (s *Server) Usable() bool { return s.usable() }
