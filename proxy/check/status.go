package check

// Status is the result of one check, named as haproxy names it in the stats
// check_status column and in logs (src/check.c check_statuses).
type Status int

const (
	StatusUnknown Status = iota
	StatusInit
	StatusSockErr
	StatusL4OK
	StatusL4Timeout
	StatusL4Con
	StatusL6OK
	StatusL6Timeout
	StatusL6Rsp
	StatusL7Timeout
	StatusL7Rsp
	StatusL7OK
	StatusL7OKC
	StatusL7Sts
)

var statusInfo = [...]struct {
	code, desc string
	passed     bool
}{
	StatusUnknown:   {"UNK", "Unknown", false},
	StatusInit:      {"INI", "Initializing", false},
	StatusSockErr:   {"SOCKERR", "Socket error", false},
	StatusL4OK:      {"L4OK", "Layer4 check passed", true},
	StatusL4Timeout: {"L4TOUT", "Layer4 timeout", false},
	StatusL4Con:     {"L4CON", "Layer4 connection problem", false},
	StatusL6OK:      {"L6OK", "Layer6 check passed", true},
	StatusL6Timeout: {"L6TOUT", "Layer6 timeout", false},
	StatusL6Rsp:     {"L6RSP", "Layer6 invalid response", false},
	StatusL7Timeout: {"L7TOUT", "Layer7 timeout", false},
	StatusL7Rsp:     {"L7RSP", "Layer7 invalid response", false},
	StatusL7OK:      {"L7OK", "Layer7 check passed", true},
	StatusL7OKC:     {"L7OKC", "Layer7 check conditionally passed", true},
	StatusL7Sts:     {"L7STS", "Layer7 wrong status", false},
}

// Code is the short name ("L4CON").
func (s Status) Code() string { return statusInfo[s].code }

// Desc is the long name used as the "reason" of state-change logs
// ("Layer4 connection problem").
func (s Status) Desc() string { return statusInfo[s].desc }

// Passed reports whether the result counts as a success.
func (s Status) Passed() bool { return statusInfo[s].passed }

// Result is one finished check.
type Result struct {
	Status Status
	// Code is the HTTP status for layer-7 checks, 0 otherwise.
	Code int
	// Info is haproxy's detail text: the socket error ("Connection
	// refused"), the HTTP reason phrase, or empty.
	Info string
	// DurationMS is the check duration in milliseconds.
	DurationMS int64
}
