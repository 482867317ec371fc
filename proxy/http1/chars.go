package http1

// Character classes used by the parsers, as tables indexed by byte.

var (
	// tokenChar marks RFC 9110 tchar: the bytes allowed in a method and in a
	// header field name.
	tokenChar [256]bool
	// uriChar marks the bytes haproxy 2.6 accepts inside a request target
	// without "option accept-invalid-http-request": visible ASCII and DEL,
	// but not '#' (a fragment is never sent on the wire). Measured: NUL,
	// controls, TAB and bytes >= 0x80 are rejected with 400, DEL and
	// "<>\^`{|} are forwarded unchanged.
	uriChar [256]bool
)

func init() {
	for c := 'a'; c <= 'z'; c++ {
		tokenChar[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		tokenChar[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		tokenChar[c] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		tokenChar[c] = true
	}
	for c := 0x21; c <= 0x7f; c++ {
		uriChar[c] = c != '#'
	}
}

func isLWS(c byte) bool { return c == ' ' || c == '\t' }

// isListLWS also counts CR and LF, which appear inside obs-folded values.
func isListLWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// equalFold reports whether b equals the lower-case ASCII string s,
// ignoring the case of b.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lower(b[i]) != s[i] {
			return false
		}
	}
	return true
}

// equalFoldBytes compares two byte strings ignoring ASCII case.
func equalFoldBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// trimLWS removes SP, HTAB, CR and LF at both ends.
func trimLWS(b []byte) []byte {
	for len(b) > 0 && isListLWS(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isListLWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// equalFoldAny compares b with s ignoring ASCII case on both sides.
func equalFoldAny(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}
