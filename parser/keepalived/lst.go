package keepalived

import (
	"fmt"
	"strings"
)

// list expands "~LST(VAR, v1, v2, ...) TEXT" and
// "~LST({V1, V2}, {a, b}, {c, d}) TEXT" (keepalived.conf(5), "List
// blocks"; lib/parser.c add_lst): TEXT is read once per value set with the
// variables set to its values (missing ones empty). A malformed list is
// reported as keepalived reports it.
func (r *reader) list(buf string, pos position, dir string) {
	names, sets, text, msg, ok := parseList(buf)
	if !ok {
		if msg != "" {
			r.diag(LevelGeneralError, msg, pos, false)
		}
		r.diag(LevelGeneralError, fmt.Sprintf("Invalid ~LST specification '%s'", buf), pos, false)
		return
	}
	for _, set := range sets {
		for i, name := range names {
			if _, known := r.defs[name]; !known {
				r.order = append(r.order, name)
			}
			r.defs[name] = &definition{name: name, value: set[i]}
		}
		r.processExpanded(text, pos, dir)
		if len(r.events) > 1<<20 {
			return
		}
	}
}

// parseList reads the ~LST header the way add_lst scans it.
func parseList(buf string) (names []string, sets [][]string, text, msg string, ok bool) {
	at := func(i int) byte {
		if i < len(buf) {
			return buf[i]
		}
		return 0
	}
	blanks := func(i int) int {
		for at(i) == ' ' || at(i) == '\t' {
			i++
		}
		return i
	}
	// span advances to the first byte of stop (or the end).
	span := func(i int, stop string) int {
		for i < len(buf) && !strings.ContainsRune(stop, rune(buf[i])) {
			i++
		}
		return i
	}
	p := blanks(4)
	if at(p) != '(' {
		return
	}
	p = blanks(p + 1)
	end := byte(',')
	if at(p) == '{' {
		end = '}'
		p = blanks(p + 1)
	}
	for {
		s := p
		p = span(p, " \t,}")
		names = append(names, buf[s:p])
		p = blanks(p)
		if at(p) == end {
			break
		}
		if at(p) != ',' {
			return
		}
		p = blanks(p + 1)
	}
	if at(p) == '}' {
		p = blanks(p + 1)
	}
	if at(p) != ',' {
		return
	}
	p = blanks(p + 1)
	for {
		end = ','
		if at(p) == '{' {
			end = '}'
			p = blanks(p + 1)
		}
		var set []string
		for {
			s := p
			p = span(p, " \t,})")
			set = append(set, buf[s:p])
			p = blanks(p)
			if at(p) == end || (at(p) == ')' && end == ',') {
				break
			}
			if at(p) != ',' {
				return
			}
			p = blanks(p + 1)
			if len(set) > len(names)-1 {
				msg = fmt.Sprintf("~LST specification has too many values '%s'", buf)
				return
			}
		}
		for len(set) < len(names) {
			set = append(set, "")
		}
		sets = append(sets, set)
		if at(p) == '}' && end == '}' {
			p = blanks(p + 1)
		}
		if at(p) == ')' {
			break
		}
		if at(p) != ',' {
			return
		}
		p = blanks(p + 1)
	}
	if len(names) == 0 || len(sets) == 0 {
		return
	}
	p = blanks(p + 1)
	if p > len(buf) {
		p = len(buf)
	}
	return names, sets, buf[p:], "", true
}
