package keepalived

import (
	"fmt"
	"math"
	"strings"
)

// Number reading follows lib/parser.c read_int_func, read_unsigned_func and
// read_decimal_unsigned_long_func as they behave under -t (config test):
// every problem is reported at LevelInvalidNumber and the value rejected
// (except where keepalived itself accepts it, noted below).

// cStrtol parses like strtol/strtoul in base 10: leading blanks, an
// optional sign, digits. rest is what follows the digits (the whole input
// when there are none); overflow reports ERANGE.
func cStrtol(s string) (val int64, neg bool, rest string, overflow bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v uint64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			overflow = true
		} else {
			v = v*10 + d
		}
		i++
	}
	if i == start {
		return 0, false, s, false
	}
	if v > math.MaxInt64 {
		overflow = true
		v = math.MaxInt64
	}
	val = int64(v)
	if neg {
		val = -val
	}
	return val, neg, s[i:], overflow
}

// readInt is read_int_strvec(..., ignore_error) under -t.
func (p *pass) readInt(s string, lo, hi int) (int, bool) {
	v, _, rest, over := cStrtol(s)
	switch {
	case rest != "":
		p.errorf(LevelInvalidNumber, "invalid number '%s'", s)
	case over || v < math.MinInt32 || v > math.MaxInt32:
		p.errorf(LevelInvalidNumber, "number '%s' outside integer range", s)
	case v < int64(lo) || v > int64(hi):
		p.errorf(LevelInvalidNumber, "number '%s' outside range [%d, %d]", s, lo, hi)
	default:
		return int(v), true
	}
	return int(v), false
}

// readUint is read_unsigned_strvec(...) under -t.
func (p *pass) readUint(s string, lo, hi uint64) (uint64, bool) {
	t := strings.TrimLeft(s, " \t\f\n\r\v")
	v, neg, rest, over := cStrtol(t)
	switch {
	case strings.HasPrefix(t, "-"):
		p.errorf(LevelInvalidNumber, "negative number '%s'", s)
	case rest != "":
		p.errorf(LevelInvalidNumber, "invalid number '%s'", s)
	case over || neg || uint64(v) > math.MaxUint32:
		p.errorf(LevelInvalidNumber, "number '%s' outside unsigned integer range", s)
	case uint64(v) < lo || uint64(v) > hi:
		p.errorf(LevelInvalidNumber, "number '%s' outside range [%d, %d]", s, lo, hi)
	default:
		return uint64(v), true
	}
	return uint64(v), false
}

// timerDigits is TIMER_HZ_DIGITS: timers are microseconds.
const timerDigits = 6

// readDecimal is read_decimal_unsigned_strvec(..., shift=6, ignore_error
// true): a number of seconds with up to six decimals, returned in
// microseconds. Under -t keepalived still accepts a value with too many
// decimals (rounded) or trailing junk, as long as it is in range.
func (p *pass) readDecimal(s string, lo, hi uint64) (uint64, bool) {
	if strings.HasPrefix(s, "-") {
		p.errorf(LevelInvalidNumber, "negative number '%s'", s)
		return 0, false
	}
	intPart, frac := s, ""
	hasDot := false
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac, hasDot = s[:i], s[i+1:], true
	}
	roundUp := false
	if len(frac) > timerDigits {
		p.errorf(LevelInvalidNumber, "number '%s' has too many decimal places", s)
		roundUp = frac[timerDigits] >= '5'
		frac = frac[:timerDigits]
	}
	_ = hasDot
	digits := intPart + frac + strings.Repeat("0", timerDigits-len(frac))
	v, _, rest, over := cStrtol(digits)
	if roundUp {
		v++
	}
	uv := uint64(v)
	switch {
	case rest != "":
		p.errorf(LevelInvalidNumber, "invalid number '%s'", s)
	case over:
		p.errorf(LevelInvalidNumber, "number '%s' outside unsigned decimal range", s)
		return 0, false
	case uv < lo || uv > hi:
		p.errorf(LevelInvalidNumber, "number '%s' outside range [%s, %s]", s, fixed6(lo), fixed6(hi))
	default:
		return uv, true
	}
	return uv, uv >= lo && uv <= hi
}

func fixed6(us uint64) string { return fmt.Sprintf("%d.%06d", us/1e6, us%1e6) }

// trueFalse is check_true_false: 1 for on/true/yes, 0 for off/false/no,
// -1 otherwise.
func trueFalse(s string) int {
	switch s {
	case "true", "on", "yes":
		return 1
	case "false", "off", "no":
		return 0
	}
	return -1
}
