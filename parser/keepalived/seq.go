package keepalived

import (
	"fmt"
	"strconv"
	"strings"
)

// sequence expands "~SEQ(VAR, START, STEP, END) TEXT" (keepalived.conf(5),
// "ADVANCED CONFIGURATION"; lib/parser.c add_seq): TEXT is read once per
// value with $VAR set to it. ~SEQx formats the value in hexadecimal. With
// two numbers they are START and END (step +/-1); with one, END (from 1, or
// -1 when END is negative).
func (r *reader) sequence(buf string, pos position, dir string) {
	bad := func(format string) {
		r.diag(LevelGeneralError, fmt.Sprintf(format, buf), pos, false)
		r.diag(LevelGeneralError, fmt.Sprintf("Invalid ~SEQ specification '%s'", buf), pos, false)
	}
	p := buf[4:]
	hex := false
	if strings.HasPrefix(p, "x") {
		hex, p = true, p[1:]
	}
	p = strings.TrimLeft(p, " \t")
	if !strings.HasPrefix(p, "(") {
		r.diag(LevelGeneralError, fmt.Sprintf("Invalid ~SEQ specification '%s'", buf), pos, false)
		return
	}
	p = strings.TrimLeft(p[1:], " \t")
	n := strings.IndexAny(p, " \t,)")
	if n < 0 {
		n = len(p)
	}
	name := p[:n]
	p = strings.TrimLeft(p[n:], " \t")
	if p == "" || p[0] == ')' || name == "" {
		bad("Invalid ~SEQ definition '%s'")
		return
	}
	p = strings.TrimLeft(p[1:], " \t")
	end := strings.IndexByte(p, ')')
	if end < 0 {
		bad("Invalid ~SEQ definition '%s'")
		return
	}
	params, _ := r.substitute(p[:end], dir)
	text := strings.TrimLeft(p[end+1:], " \t")
	var nums []int64
	for _, f := range strings.Split(params, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(f), 0, 64)
		if err != nil {
			bad("Invalid ~SEQ definition '%s'")
			return
		}
		nums = append(nums, v)
	}
	var start, step, last int64
	switch len(nums) {
	case 1:
		last, step, start = nums[0], 1, 1
		if last < 1 {
			step = -1
		}
		if last < 0 {
			start = -1
		}
	case 2:
		start, last, step = nums[0], nums[1], 1
		if start > last {
			step = -1
		}
	case 3:
		start, step, last = nums[0], nums[1], nums[2]
		if step == 0 || (start < last && step < 0) || (start > last && step > 0) {
			bad("Invalid ~SEQ values '%s'")
			return
		}
	default:
		bad("Invalid ~SEQ definition '%s'")
		return
	}
	if hex && (start < 0 || last < 0) {
		bad("~SEQx is only valid for positive numbers '%s'")
		return
	}
	for v := start; (step > 0 && v <= last) || (step < 0 && v >= last); v += step {
		val := strconv.FormatInt(v, 10)
		if hex {
			val = strconv.FormatInt(v, 16)
		}
		if _, ok := r.defs[name]; !ok {
			r.order = append(r.order, name)
		}
		r.defs[name] = &definition{name: name, value: val}
		r.processExpanded(text, pos, dir)
		if len(r.events) > 1<<20 {
			return // a runaway sequence; keepalived would grind on
		}
	}
}
