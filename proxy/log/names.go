package log

// Syslog levels, facilities and the `format` keywords of the `log` line
// (configuration.txt §3.1 "log", §4.2 "log").

// Levels, as numbered by syslog(3).
const (
	LevelEmerg = iota
	LevelAlert
	LevelCrit
	LevelErr
	LevelWarning
	LevelNotice
	LevelInfo
	LevelDebug
)

var levelNames = [...]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

var facilityNames = [...]string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "auth2", "ftp", "ntp", "audit", "alert", "cron2",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

// ParseLevel returns the level number of a name, or -1.
func ParseLevel(name string) int {
	for i, n := range levelNames {
		if n == name {
			return i
		}
	}
	return -1
}

// LevelName returns the keyword of a level.
func LevelName(level int) string {
	if level < 0 || level >= len(levelNames) {
		return ""
	}
	return levelNames[level]
}

// ParseFacility returns the facility number of a name, or -1.
func ParseFacility(name string) int {
	for i, n := range facilityNames {
		if n == name {
			return i
		}
	}
	return -1
}

// FacilityName returns the keyword of a facility.
func FacilityName(f int) string {
	if f < 0 || f >= len(facilityNames) {
		return ""
	}
	return facilityNames[f]
}

// Format is the framing a `log` line asks for with `format`.
type Format uint8

const (
	// FormatUnspec is haproxy's default: "local" (no hostname) unless
	// log-send-hostname is set, in which case it is "rfc3164".
	FormatUnspec Format = iota
	FormatLocal
	FormatRFC3164
	FormatRFC5424
	FormatPriority
	FormatShort
	FormatTimed
	FormatISO
	FormatRaw
)

var formatNames = [...]string{"", "local", "rfc3164", "rfc5424", "priority", "short", "timed", "iso", "raw"}

// ParseFormat maps a `format` keyword to a Format.
func ParseFormat(name string) (Format, bool) {
	for i := len(formatNames) - 1; i > 0; i-- {
		if formatNames[i] == name {
			return Format(i), true
		}
	}
	return FormatUnspec, false
}

func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return ""
}
