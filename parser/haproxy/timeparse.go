package haproxy

import "time"

// timeResult classifies parseTime failures like haproxy's parse_time_err().
type timeResult int

const (
	timeOK timeResult = iota
	timeBadChar
	timeOverflow
	timeUnderflow
)

// parseTime parses a haproxy time value (configuration.txt §2.5): digits
// followed by an optional unit us, ms, s, m, h or d; a bare number is in
// defUnit. It returns the duration, the result class and, for timeBadChar,
// the offending character. Values must fit in 2^31-1 units of defUnit
// (milliseconds for timeouts), as in haproxy. Trailing garbage after a valid
// unit is tolerated by haproxy with a warning; trailing reports it.
func parseTime(s string, defUnit time.Duration) (d time.Duration, res timeResult, bad byte, trailing bool) {
	if s == "" || !isDigit(s[0]) {
		if s == "" {
			return 0, timeBadChar, 0, false
		}
		return 0, timeBadChar, s[0], false
	}
	i := 0
	var v uint64
	for i < len(s) && isDigit(s[i]) {
		v = v*10 + uint64(s[i]-'0')
		if v > 1<<62 {
			v = 1 << 62
		}
		i++
	}
	unit := defUnit
	if i < len(s) {
		switch s[i] {
		case 's':
			unit = time.Second
		case 'u':
			if i+1 < len(s) && s[i+1] == 's' {
				unit = time.Microsecond
				i++
			} else {
				return 0, timeBadChar, s[i], false
			}
		case 'm':
			if i+1 < len(s) && s[i+1] == 's' {
				unit = time.Millisecond
				i++
			} else {
				unit = time.Minute
			}
		case 'h':
			unit = time.Hour
		case 'd':
			unit = 24 * time.Hour
		default:
			return 0, timeBadChar, s[i], false
		}
		i++
		trailing = i < len(s)
	}
	// result in defUnit, rounded up like haproxy.
	total := float64(v) * float64(unit)
	res64 := uint64((total + float64(defUnit) - 1) / float64(defUnit))
	if v > 0 && float64(v)*float64(unit) >= float64(0x80000000)*float64(defUnit) {
		return 0, timeOverflow, 0, trailing
	}
	if res64 >= 0x80000000 {
		return 0, timeOverflow, 0, trailing
	}
	if res64 == 0 && v != 0 {
		return 0, timeUnderflow, 0, trailing
	}
	return time.Duration(res64) * defUnit, timeOK, 0, trailing
}
