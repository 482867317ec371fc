package log

import "unsafe"

// Character maps of src/log.c init_log(): which bytes a log line encodes.
type byteSet [256]bool

var (
	// hdrEncode: captured headers; '#' + two hex digits.
	hdrEncode = makeSet(`"#{|}`, true)
	// urlEncode: the request line and its parts.
	urlEncode = makeSet(`"#`, true)
	// rfc5424Escape: escaped with '\' under +E (RFC 5424 §6.3.3).
	rfc5424Escape = makeSet(`"\]`, false)
	// httpEncode: samples of unique-id-format, which ends up in a header
	// (everything but VCHAR, obs-text, SP and HTAB); '%' + two hex digits.
	httpEncode = func() *byteSet {
		var s byteSet
		for i := 0; i < 0x20; i++ {
			s[i] = i != '\t'
		}
		s[0x7f] = true
		return &s
	}()
)

func makeSet(chars string, nonPrintable bool) *byteSet {
	var s byteSet
	if nonPrintable {
		for i := 0; i < 32; i++ {
			s[i] = true
		}
		for i := 127; i < 256; i++ {
			s[i] = true
		}
	}
	for i := 0; i < len(chars); i++ {
		s[chars[i]] = true
	}
	return &s
}

const hexDigits = "0123456789ABCDEF"

// bytesView reads b as a string without copying; the result must not
// outlive b's next modification (it is only used while rendering).
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
