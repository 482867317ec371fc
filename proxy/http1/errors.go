package http1

import "strconv"

// haproxy 2.6's built-in error messages (configuration.txt §4.2
// "errorfile"; REFERENCE.md §3.3). The texts are checked byte for byte
// against responses recorded from haproxy (testdata/errors).
type errorPage struct {
	code     int
	reason   string
	sentence string
	close    bool // the message carries "Connection: close"
}

var errorPages = []errorPage{
	{200, "OK", "Service ready.", false},
	{400, "Bad request", "Your browser sent an invalid request.", true},
	{401, "Unauthorized", "You need a valid user and password to access this content.", false},
	{403, "Forbidden", "Request forbidden by administrative rules.", false},
	{404, "Not Found", "The resource could not be found.", false},
	{405, "Method Not Allowed", "A request was made of a resource using a request method not supported by that resource", false},
	{407, "Unauthorized", "You need a valid user and password to access this content.", false},
	{408, "Request Time-out", "Your browser didn't send a complete request in time.", true},
	{410, "Gone", "The resource is no longer available and will not be available again.", false},
	{413, "Payload Too Large", "The request entity exceeds the maximum allowed.", false},
	{421, "Misdirected Request", "Request sent to a non-authoritative server.", false},
	{422, "Unprocessable Content", "The server cannot process the contained instructions.", false},
	{425, "Too Early", "Your browser sent early data.", false},
	{429, "Too Many Requests", "You have sent too many requests in a given amount of time.", false},
	{500, "Internal Server Error", "An internal server error occurred.", false},
	{501, "Not Implemented", ".The server does not support the functionality required to fulfill the request.", false},
	{502, "Bad Gateway", "The server returned an invalid or incomplete response.", false},
	{503, "Service Unavailable", "No server is available to handle this request.", false},
	{504, "Gateway Time-out", "The server didn't respond in time.", false},
}

// Prebuilt responses, indexed by status code; shared and read-only.
var (
	rawErrors = map[int][]byte{}
	htxErrors = map[int][]byte{}
)

func init() {
	for _, p := range errorPages {
		status := strconv.Itoa(p.code) + " " + p.reason
		body := "<html><body><h1>" + status + "</h1>\n" + p.sentence + "\n</body></html>\n"
		clen := strconv.Itoa(len(body))
		raw := "HTTP/1.1 " + status + "\r\nContent-length: " + clen + "\r\nCache-Control: no-cache\r\n"
		htx := "HTTP/1.1 " + status + "\r\ncontent-length: " + clen + "\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n"
		if p.close {
			raw += "Connection: close\r\n"
			htx += "connection: close\r\n"
		}
		raw += "Content-Type: text/html\r\n\r\n" + body
		htx += "\r\n" + body
		rawErrors[p.code] = []byte(raw)
		htxErrors[p.code] = []byte(htx)
	}
}

// ErrorResponse is the message exactly as haproxy's table holds it, which
// is what the HTTP/1 layer itself sends when it refuses a request before
// any rule ran: 400 for a bad request, 408 for a request timeout, 422 for
// an unknown transfer-coding (capitalised names; the connection is closed
// afterwards whether or not the message says so). Nil for unknown codes.
// The slice is shared: do not modify it.
func ErrorResponse(code int) []byte { return rawErrors[code] }

// ErrorResponseHTX is the same message once it went through haproxy's
// internal representation: what the client gets for errors produced by the
// stream (deny rules, no server -> 503, bad response -> 502, server
// timeout -> 504). Names are lower case and a Connection header moves
// last. Nil for unknown codes. The slice is shared: do not modify it.
func ErrorResponseHTX(code int) []byte { return htxErrors[code] }
