package log

import (
	"strconv"
)

// Messages haproxy 2.6 sends through send_log() about proxies and servers,
// with the level each one uses. Their text also goes to stderr as
// "[WARNING]  (pid) : <text>" (or [ALERT]/[NOTICE]), which is the CLI's
// business, not this package's.

// CheckStatus is a health-check result code (HCHK_STATUS_* in
// include/haproxy/check-t.h); its description is what "reason:" prints.
type CheckStatus int

const (
	CheckNone    CheckStatus = -1 // no check information: no "reason:" part
	CheckUnknown CheckStatus = iota - 1
	CheckInit
	CheckStart
	CheckChecked
	CheckHANA
	CheckSockErr
	CheckL4OK
	CheckL4Timeout
	CheckL4Conn
	CheckL6OK
	CheckL6Timeout
	CheckL6Response
	CheckL7Timeout
	CheckL7Response
	checkL57Data // statuses from here on carry a "code:"
	CheckL7OK
	CheckL7OKConditional
	CheckL7Status
	CheckProcErr
	CheckProcTimeout
	CheckProcOK
)

var checkDescriptions = [...]string{
	CheckUnknown:         "Unknown",
	CheckInit:            "Initializing",
	CheckStart:           "",
	CheckChecked:         "No status change",
	CheckHANA:            "Health analyze",
	CheckSockErr:         "Socket error",
	CheckL4OK:            "Layer4 check passed",
	CheckL4Timeout:       "Layer4 timeout",
	CheckL4Conn:          "Layer4 connection problem",
	CheckL6OK:            "Layer6 check passed",
	CheckL6Timeout:       "Layer6 timeout",
	CheckL6Response:      "Layer6 invalid response",
	CheckL7Timeout:       "Layer7 timeout",
	CheckL7Response:      "Layer7 invalid response",
	checkL57Data:         "",
	CheckL7OK:            "Layer7 check passed",
	CheckL7OKConditional: "Layer7 check conditionally passed",
	CheckL7Status:        "Layer7 wrong status",
	CheckProcErr:         "External check error",
	CheckProcTimeout:     "External check timeout",
	CheckProcOK:          "External check passed",
}

// Description is get_check_status_description().
func (s CheckStatus) Description() string {
	if s >= 0 && int(s) < len(checkDescriptions) && checkDescriptions[s] != "" {
		return checkDescriptions[s]
	}
	return checkDescriptions[CheckUnknown]
}

// CheckInfo is the check part of a server message (srv_append_status()).
type CheckInfo struct {
	Status CheckStatus
	Code   int    // printed for layer-7 statuses
	Info   string // check description, e.g. "Connection refused"
	// DurationMS is printed as "check duration: Nms" when >= 0.
	DurationMS int64
	// Reason is free text used when Status is CheckNone (e.g. a reason
	// given on the CLI).
	Reason string
}

// ServerCounts is the tail of DOWN/UP messages: what remains in the
// backend after the change.
type ServerCounts struct {
	Active, Backup int // usable servers left in the backend
	Sessions       int // the server's current sessions
	Requeued       int // streams moved away or picked up ("xferred")
	Queue          int // the server's queue length
}

func appendStatus(dst []byte, c *CheckInfo, tracked string, forced bool) []byte {
	switch {
	case c != nil && c.Status != CheckNone:
		dst = append(dst, ", reason: "...)
		dst = append(dst, c.Status.Description()...)
		if c.Status >= checkL57Data {
			dst = append(dst, ", code: "...)
			dst = strconv.AppendInt(dst, int64(c.Code), 10)
		}
		if c.Info != "" {
			dst = append(dst, ", info: \""...)
			dst = appendASCIIEncoded(dst, c.Info, '"')
			dst = append(dst, '"')
		}
		if c.DurationMS >= 0 {
			dst = append(dst, ", check duration: "...)
			dst = strconv.AppendInt(dst, c.DurationMS, 10)
			dst = append(dst, "ms"...)
		}
	case c != nil && c.Reason != "":
		dst = append(dst, ", "...)
		dst = append(dst, c.Reason...)
	case !forced && tracked != "":
		dst = append(dst, " via "...)
		dst = append(dst, tracked...)
	}
	return dst
}

// appendASCIIEncoded is chunk_asciiencode(): non-printable bytes, '<',
// '>' and the quote character become "<XX>".
func appendASCIIEncoded(dst []byte, s string, quote byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == quote {
			dst = append(dst, '<', hexDigits[c>>4], hexDigits[c&15], '>')
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

func appendCountsLeft(dst []byte, n ServerCounts) []byte {
	dst = append(dst, ". "...)
	dst = strconv.AppendInt(dst, int64(n.Active), 10)
	dst = append(dst, " active and "...)
	dst = strconv.AppendInt(dst, int64(n.Backup), 10)
	dst = append(dst, " backup servers left."...)
	if n.Backup > 0 && n.Active == 0 {
		dst = append(dst, " Running on backup."...)
	}
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(n.Sessions), 10)
	dst = append(dst, " sessions active, "...)
	dst = strconv.AppendInt(dst, int64(n.Requeued), 10)
	dst = append(dst, " requeued, "...)
	dst = strconv.AppendInt(dst, int64(n.Queue), 10)
	return append(dst, " remaining in queue"...)
}

func appendCountsOnline(dst []byte, n ServerCounts) []byte {
	dst = append(dst, ". "...)
	dst = strconv.AppendInt(dst, int64(n.Active), 10)
	dst = append(dst, " active and "...)
	dst = strconv.AppendInt(dst, int64(n.Backup), 10)
	dst = append(dst, " backup servers online."...)
	if n.Backup > 0 && n.Active == 0 {
		dst = append(dst, " Running on backup."...)
	}
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(n.Requeued), 10)
	dst = append(dst, " sessions requeued, "...)
	dst = strconv.AppendInt(dst, int64(n.Queue), 10)
	return append(dst, " total in queue"...)
}

// ServerRef names a server as messages print it.
type ServerRef struct {
	Backend, Server string
	Backup          bool   // "Backup Server ..." / "backup server ..."
	Tracked         string // "be/srv" this server tracks, for " via ..."
}

func appendServerPrefix(dst []byte, s ServerRef) []byte {
	if s.Backup {
		dst = append(dst, "Backup "...)
	}
	dst = append(dst, "Server "...)
	dst = append(dst, s.Backend...)
	dst = append(dst, '/')
	return append(dst, s.Server...)
}

// ServerDown is "Server be/s is DOWN, reason: ... N remaining in queue."
// at LOG_ALERT (LOG_NOTICE when the server was already stopping or
// draining), from srv_update_status().
func ServerDown(dst []byte, s ServerRef, c *CheckInfo, n ServerCounts, wasStopping bool) ([]byte, int) {
	dst = appendServerPrefix(dst, s)
	dst = append(dst, " is DOWN"...)
	dst = appendStatus(dst, c, s.Tracked, false)
	dst = appendCountsLeft(dst, n)
	dst = append(dst, '.')
	if wasStopping {
		return dst, LevelNotice
	}
	return dst, LevelAlert
}

// ServerStopping is "Server be/s is stopping..." at LOG_NOTICE.
func ServerStopping(dst []byte, s ServerRef, c *CheckInfo, n ServerCounts) ([]byte, int) {
	dst = appendServerPrefix(dst, s)
	dst = append(dst, " is stopping"...)
	dst = appendStatus(dst, c, s.Tracked, false)
	dst = appendCountsLeft(dst, n)
	return append(dst, '.'), LevelNotice
}

// ServerUp is "Server be/s is UP, reason: ... N total in queue." at
// LOG_NOTICE.
func ServerUp(dst []byte, s ServerRef, c *CheckInfo, n ServerCounts) ([]byte, int) {
	dst = appendServerPrefix(dst, s)
	dst = append(dst, " is UP"...)
	dst = appendStatus(dst, c, s.Tracked, false)
	dst = appendCountsOnline(dst, n)
	return append(dst, '.'), LevelNotice
}

// ServerEnterMaint is "Server be/s is going DOWN for maintenance (cause)"
// (or "was DOWN and now enters maintenance" when it already was down),
// at LOG_ALERT, LOG_NOTICE when it was stopping or already down. forced
// is true for a forced maintenance (CLI/stats page), which hides " via".
func ServerEnterMaint(dst []byte, s ServerRef, cause string, c *CheckInfo, n ServerCounts, wasDown, wasStopping, forced bool) ([]byte, int) {
	dst = appendServerPrefix(dst, s)
	if wasDown {
		dst = append(dst, " was DOWN and now enters maintenance"...)
	} else {
		dst = append(dst, " is going DOWN for maintenance"...)
	}
	if cause != "" {
		dst = append(dst, " ("...)
		dst = append(dst, cause...)
		dst = append(dst, ')')
	}
	dst = appendStatus(dst, c, s.Tracked, forced)
	if wasDown {
		return append(dst, '.'), LevelNotice
	}
	dst = appendCountsLeft(dst, n)
	dst = append(dst, '.')
	if wasStopping {
		return dst, LevelNotice
	}
	return dst, LevelAlert
}

// MaintExit says which maintenance a server leaves.
type MaintExit int

const (
	LeaveForcedMaint MaintExit = iota // "(leaving forced maintenance)"
	LeaveMaint                        // "(leaving maintenance)"
	ResolvesAgain                     // "('host') is UP/READY (resolves again)"
)

// ServerLeaveMaint is "Server be/s is UP/READY (leaving forced
// maintenance)." at LOG_NOTICE; hostname is only used by ResolvesAgain.
func ServerLeaveMaint(dst []byte, s ServerRef, how MaintExit, hostname string, down, drain bool) ([]byte, int) {
	dst = appendServerPrefix(dst, s)
	if how == ResolvesAgain {
		dst = append(dst, " ('"...)
		dst = append(dst, hostname...)
		dst = append(dst, "')"...)
	}
	dst = append(dst, " is "...)
	if down {
		dst = append(dst, "DOWN/"...)
	} else {
		dst = append(dst, "UP/"...)
	}
	if drain {
		dst = append(dst, "DRAIN"...)
	} else {
		dst = append(dst, "READY"...)
	}
	switch how {
	case LeaveForcedMaint:
		dst = append(dst, " (leaving forced maintenance)"...)
	case LeaveMaint:
		dst = append(dst, " (leaving maintenance)"...)
	default:
		dst = append(dst, " (resolves again)"...)
	}
	return append(dst, '.'), LevelNotice
}

// CheckOutcome is what a health check concluded.
type CheckOutcome int

const (
	CheckFailed CheckOutcome = iota
	CheckSucceeded
	CheckConditionallySucceeded
)

// HealthCheck is option log-health-checks' "Health check for server be/s
// failed, reason: ..., status: 0/2 DOWN." at LOG_NOTICE (check.c
// set_server_check_status()). health, rise and fall are the check's
// counters after the result; weight tells UP from DRAIN.
func HealthCheck(dst []byte, s ServerRef, agent bool, outcome CheckOutcome, c *CheckInfo, health, rise, fall, weight int) ([]byte, int) {
	if agent {
		dst = append(dst, "Agent check for "...)
	} else {
		dst = append(dst, "Health check for "...)
	}
	if s.Backup {
		dst = append(dst, "backup "...)
	}
	dst = append(dst, "server "...)
	dst = append(dst, s.Backend...)
	dst = append(dst, '/')
	dst = append(dst, s.Server...)
	dst = append(dst, ' ')
	switch outcome {
	case CheckConditionallySucceeded:
		dst = append(dst, "conditionally succeeded"...)
	case CheckSucceeded:
		dst = append(dst, "succeeded"...)
	default:
		dst = append(dst, "failed"...)
	}
	dst = appendStatus(dst, c, s.Tracked, false)
	dst = append(dst, ", status: "...)
	if health >= rise {
		dst = strconv.AppendInt(dst, int64(health-rise+1), 10)
		dst = append(dst, '/')
		dst = strconv.AppendInt(dst, int64(fall), 10)
		if weight > 0 {
			dst = append(dst, " UP"...)
		} else {
			dst = append(dst, " DRAIN"...)
		}
	} else {
		dst = strconv.AppendInt(dst, int64(health), 10)
		dst = append(dst, '/')
		dst = strconv.AppendInt(dst, int64(rise), 10)
		dst = append(dst, " DOWN"...)
	}
	return append(dst, '.'), LevelNotice
}

// NoServerAvailable is "backend be has no server available!" at
// LOG_EMERG (backend.c set_backend_down()); kind is proxy_type_str():
// "backend" for a backend section, "proxy" for a listen section. The
// stderr alert quotes the name instead: "backend 'be' has no server
// available!".
func NoServerAvailable(dst []byte, kind, name string) ([]byte, int) {
	dst = append(dst, kind...)
	dst = append(dst, ' ')
	dst = append(dst, name...)
	return append(dst, " has no server available!"...), LevelEmerg
}

// ProxyStopped is "Proxy X stopped (cumulated conns: FE: n, BE: m)." at
// LOG_WARNING, sent by each TCP/HTTP proxy when a soft stop (SIGUSR1)
// has closed its listeners.
func ProxyStopped(dst []byte, name string, feConns, beConns int64) ([]byte, int) {
	dst = append(dst, "Proxy "...)
	dst = append(dst, name...)
	dst = append(dst, " stopped (cumulated conns: FE: "...)
	dst = strconv.AppendInt(dst, feConns, 10)
	dst = append(dst, ", BE: "...)
	dst = strconv.AppendInt(dst, beConns, 10)
	return append(dst, ")."...), LevelWarning
}

// ConnectFrom is the line a frontend without any log format logs at
// accept time (frontend.c frontend_accept(), configuration.txt §8.2.1), at
// LOG_INFO: "Connect from 10.0.0.1:4242 to 10.0.0.2:80 (fe/HTTP)".
func ConnectFrom(dst []byte, r *Record, http bool) ([]byte, int) {
	mode := "TCP"
	if http {
		mode = "HTTP"
	}
	switch {
	case r.UnixListener:
		dst = append(dst, "Connect to unix:"...)
		dst = strconv.AppendInt(dst, int64(r.ListenerID), 10)
	case !r.Client.IsValid():
		dst = append(dst, "Connect from unknown source to listener "...)
		dst = strconv.AppendInt(dst, int64(r.ListenerID), 10)
	default:
		dst = append(dst, "Connect from "...)
		dst = r.Client.Addr().AppendTo(dst)
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(r.Client.Port()), 10)
		dst = append(dst, " to "...)
		if r.Frontend.IsValid() {
			dst = r.Frontend.Addr().AppendTo(dst)
			dst = append(dst, ':')
			dst = strconv.AppendInt(dst, int64(r.Frontend.Port()), 10)
		} else {
			dst = append(dst, "undetermined address:0"...)
		}
	}
	dst = append(dst, " ("...)
	dst = append(dst, r.FrontendName...)
	dst = append(dst, '/')
	dst = append(dst, mode...)
	return append(dst, ')'), LevelInfo
}

// SoftStopScheduled is "Scheduling a soft-stop in N ms." sent to the
// global loggers at LOG_WARNING when a soft stop (SIGUSR1) meets a
// `grace` delay (src/proxy.c soft_stop()); stderr gets it as a NOTICE.
func SoftStopScheduled(dst []byte, graceMS int) ([]byte, int) {
	dst = append(dst, "Scheduling a soft-stop in "...)
	dst = strconv.AppendInt(dst, int64(graceMS), 10)
	return append(dst, " ms."...), LevelWarning
}

// GraceExpired is "Grace period expired, proceeding with soft-stop now."
// at LOG_NOTICE, to the global loggers.
func GraceExpired(dst []byte) ([]byte, int) {
	return append(dst, "Grace period expired, proceeding with soft-stop now."...), LevelNotice
}

// HardStopping is "soft-stop running for too long, performing a
// hard-stop." at LOG_WARNING (hard-stop-after), to the global loggers.
func HardStopping(dst []byte) ([]byte, int) {
	return append(dst, "soft-stop running for too long, performing a hard-stop."...), LevelWarning
}

// ProxyHardStopped is "Proxy X hard-stopped (N remaining conns will be
// closed)." at LOG_WARNING, to the proxy's loggers.
func ProxyHardStopped(dst []byte, name string, remaining int) ([]byte, int) {
	dst = append(dst, "Proxy "...)
	dst = append(dst, name...)
	dst = append(dst, " hard-stopped ("...)
	dst = strconv.AppendInt(dst, int64(remaining), 10)
	return append(dst, " remaining conns will be closed)."...), LevelWarning
}

// ServerEnterDrain is "Server be/s enters drain state. N active and M
// backup servers online. ..." at LOG_NOTICE (srv_update_status, the
// server taking no new traffic while not in maintenance).
func ServerEnterDrain(dst []byte, s ServerRef, n ServerCounts) ([]byte, int) {
	dst = appendServerPrefix(dst, s)
	dst = append(dst, " enters drain state"...)
	dst = appendCountsOnline(dst, n)
	return append(dst, '.'), LevelNotice
}

// ServerLeaveDrain is "Server be/s is UP (leaving forced drain)." at
// LOG_NOTICE: the forced drain (CLI, stats page) is lifted.
func ServerLeaveDrain(dst []byte, s ServerRef, down bool) ([]byte, int) {
	dst = appendServerPrefix(dst, s)
	if down {
		dst = append(dst, " is DOWN (leaving forced drain)."...)
	} else {
		dst = append(dst, " is UP (leaving forced drain)."...)
	}
	return dst, LevelNotice
}
