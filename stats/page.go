package stats

import (
	"strings"
)

// PageRequest is what the stats page reads from the request URI after the
// "stats uri" prefix (http_handle_stats in src/http_ana.c): each option is
// found anywhere in the rest of the URI, query string included.
type PageRequest struct {
	Format    PageFormat
	HideDown  bool   // ";up"
	NoMaint   bool   // ";no-maint"
	NoRefresh bool   // ";norefresh" (only looked for when "stats refresh" is set)
	Scope     string // "scope=<text>": proxies whose name contains it, case-insensitively
	Status    string // ";st=<code>" after an admin action: one of DENY DONE ERRP EXCD NONE PART UNKN IVAL; "" if absent
}

// scopeMaxLen is STAT_SCOPE_TXT_MAXLEN: longer search texts are cut.
const scopeMaxLen = 20

var pageStatusCodes = []string{"DENY", "DONE", "ERRP", "EXCD", "NONE", "PART", "UNKN", "IVAL"}

// ParsePageURI parses rest, the request URI after the "stats uri" prefix.
// refresh tells whether "stats refresh" is configured. Later formats win
// as in haproxy: ";csv" < ";typed" < ";json" < ";json-schema".
func ParsePageURI(rest string, refresh bool) PageRequest {
	req := PageRequest{Format: PageHTML}
	req.HideDown = strings.Contains(rest, ";up")
	req.NoMaint = strings.Contains(rest, ";no-maint")
	if refresh {
		req.NoRefresh = strings.Contains(rest, ";norefresh")
	}
	if strings.Contains(rest, ";csv") {
		req.Format = PageCSV
	}
	if strings.Contains(rest, ";typed") {
		req.Format = PageTyped
	}
	if strings.Contains(rest, ";json") {
		req.Format = PageJSON
	}
	if strings.Contains(rest, ";json-schema") {
		req.Format = PageJSONSchema
	}
	// haproxy only looks for ";st=" and "scope=" where 8 bytes remain.
	if i := strings.Index(rest, ";st="); i >= 0 && i+8 <= len(rest) {
		req.Status = "UNKN"
		code := rest[i+4:]
		for _, c := range pageStatusCodes {
			if strings.HasPrefix(code, c) {
				req.Status = c
				break
			}
		}
	}
	if i := strings.Index(rest, "scope="); i >= 0 && i+8 <= len(rest) {
		s := rest[i+6:]
		if j := strings.IndexAny(s, ";& "); j >= 0 {
			s = s[:j]
		}
		if len(s) > scopeMaxLen {
			s = s[:scopeMaxLen]
		}
		if validScope(s) {
			req.Scope = s
		}
	}
	return req
}

// validScope is haproxy's invalid_char() test: non-empty, [A-Za-z0-9.:_-].
func validScope(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == ':' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// containsFold is strnistr(): ASCII case-insensitive substring search; an
// empty name never matches.
func containsFold(name, pat string) bool {
	if name == "" {
		return false
	}
	for i := 0; i+len(pat) <= len(name); i++ {
		j := 0
		for ; j < len(pat); j++ {
			a, b := name[i+j], pat[j]
			if 'a' <= a && a <= 'z' {
				a -= 'a' - 'A'
			}
			if 'a' <= b && b <= 'z' {
				b -= 'a' - 'A'
			}
			if a != b {
				break
			}
		}
		if j == len(pat) {
			return true
		}
	}
	return false
}

// StatFormat is the show stat format a page format dumps in.
func (f PageFormat) StatFormat() Format {
	switch f {
	case PageTyped:
		return FormatTyped
	case PageJSON:
		return FormatJSON
	}
	return FormatCSV
}
