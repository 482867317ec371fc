package http1

import (
	"bytes"
	"fmt"
	"strings"
)

// hostileCase is one raw exchange sent to haproxy 2.6 by TestHostileGolden.
// For request cases, req is what the client sends and the backend answers
// with backendOK. Response cases (resp set) send a plain request and make the
// backend answer resp instead, to see what haproxy does with the response.
type hostileCase struct {
	name string
	req  []byte
	resp []byte
}

// backendOK is the fixed answer of the recording backend.
var backendOK = []byte("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")

// plainRequest is the client request of the response cases.
var plainRequest = []byte("GET /r HTTP/1.1\r\nHost: r\r\n\r\n")

// headLimitProbe builds a request whose header block is exactly n bytes
// long (request line to final CRLF), with k small headers before a padding
// header that takes up the rest.
func headLimitProbe(n, k int) []byte {
	var b bytes.Buffer
	b.WriteString("GET / HTTP/1.1\r\nHost: a\r\n")
	for i := 0; i < k; i++ {
		fmt.Fprintf(&b, "X-%02d: v\r\n", i)
	}
	pad := n - b.Len() - len("X-Pad: \r\n\r\n")
	b.WriteString("X-Pad: " + strings.Repeat("a", pad) + "\r\n\r\n")
	return b.Bytes()
}

// uriLimitProbe builds a request of n bytes whose URI takes up the space.
func uriLimitProbe(n int) []byte {
	pad := n - len("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	return []byte("GET /" + strings.Repeat("a", pad) + " HTTP/1.1\r\nHost: a\r\n\r\n")
}

// manyHeaders builds a request with n header fields in total (Host included).
func manyHeaders(n int) []byte {
	var b bytes.Buffer
	b.WriteString("GET / HTTP/1.1\r\nHost: a\r\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "X-%d: v\r\n", i)
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func rq(s string) []byte { return []byte(s) }

// hostileCases is the list of exchanges; the golden files are named after them.
// The limits in the *_limit cases (15273 bytes with two headers, 4 bytes less
// per extra header, 15277 when the URI takes the space) were found by a
// binary search against haproxy 2.6.12 and are re-checked by every -update run.
var hostileCases = []hostileCase{
	// Baselines and what haproxy does to names, order and spacing.
	{name: "baseline_get", req: rq("GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n")},
	{name: "header_case_order", req: rq("GET /p?q=1 HTTP/1.1\r\nX-Custom-Header: A\r\nhost: h\r\nACCEPT: b\r\nx-lower: c\r\nCoNtEnT-TyPe: text/plain\r\nX-Custom-Header: second\r\n\r\n")},
	{name: "value_whitespace", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-A:   spaced  value   \r\nX-B:\tv\t\r\nX-Empty:\r\nX-Sp: \r\n\r\n")},
	{name: "http10_plain", req: rq("GET / HTTP/1.0\r\nHost: a\r\n\r\n")},
	{name: "http10_keepalive", req: rq("GET / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n")},
	{name: "http10_no_host", req: rq("GET / HTTP/1.0\r\n\r\n")},
	{name: "http11_no_host", req: rq("GET / HTTP/1.1\r\n\r\n")},
	{name: "connection_close", req: rq("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")},
	{name: "connection_tokens", req: rq("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, X-Hop\r\nX-Hop: 1\r\n\r\n")},
	{name: "upgrade_websocket", req: rq("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")},
	{name: "expect_100", req: rq("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello")},
	{name: "post_content_length", req: rq("POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")},
	{name: "post_chunked", req: rq("POST /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")},
	{name: "pipelined_two", req: rq("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "leading_crlf", req: rq("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "incomplete_head", req: rq("GET / HTTP/1.1\r\nHost: a\r\n")},

	// Content-Length and Transfer-Encoding.
	{name: "cl_te_both", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
	{name: "te_cl_both", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
	{name: "cl_dup_equal", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello")},
	{name: "cl_dup_differ", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")},
	{name: "cl_list_equal", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5,5\r\n\r\nhello")},
	{name: "cl_list_differ", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!")},
	{name: "cl_list_empty_item", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,,5\r\n\r\nhello")},
	{name: "cl_negative", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\nhello")},
	{name: "cl_plus", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello")},
	{name: "cl_trailing_garbage", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5a\r\n\r\nhello")},
	{name: "cl_empty", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\nhello")},
	{name: "cl_huge", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\nhello")},
	{name: "cl_leading_zeros", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 005\r\n\r\nhello")},
	{name: "cl_inner_space", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\nhello")},
	{name: "cl_on_get", req: rq("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc")},
	{name: "te_gzip_only", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nhello")},
	{name: "te_chunked_gzip", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
	{name: "te_gzip_chunked", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
	{name: "te_chunked_twice", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
	{name: "te_two_headers", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
	{name: "te_uppercase", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
	{name: "te_identity", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\nhello")},
	{name: "te_http10", req: rq("POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
	{name: "te_empty", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n")},

	// Chunked bodies.
	{name: "chunk_bad_hex", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")},
	{name: "chunk_size_overflow", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n")},
	{name: "chunk_negative", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n")},
	{name: "chunk_extension", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0;last\r\n\r\n")},
	{name: "chunk_ext_ctl", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a\x01b\r\nhello\r\n0\r\n\r\n")},
	{name: "chunk_size_bws", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n")},
	{name: "chunk_size_leading_space", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n")},
	{name: "chunk_bare_lf", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n")},
	{name: "chunk_trailers", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: T\r\nChecksum: 1\r\n\r\n")},
	{name: "chunk_data_no_crlf", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n")},
	{name: "chunk_uppercase_hex", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n")},
	{name: "chunk_leading_zeros", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0005\r\nhello\r\n000\r\n\r\n")},
	{name: "chunk_empty_size", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n")},

	// Line endings and folding.
	{name: "bare_lf_head", req: rq("GET / HTTP/1.1\nHost: a\nX-A: b\n\n")},
	{name: "bare_lf_mixed", req: rq("GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\n")},
	{name: "bare_cr_in_value", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\rb\r\n\r\n")},
	{name: "obs_fold", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-A: first\r\n  second\r\n\tthird\r\nX-B: c\r\n\r\n")},
	{name: "obs_fold_first_line", req: rq("GET / HTTP/1.1\r\n X-A: b\r\nHost: a\r\n\r\n")},

	// NUL and control bytes.
	{name: "nul_in_method", req: rq("G\x00T / HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "nul_in_uri", req: rq("GET /a\x00b HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "nul_in_version", req: rq("GET / HTTP/1.\x001\r\nHost: a\r\n\r\n")},
	{name: "nul_in_name", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-\x00A: b\r\n\r\n")},
	{name: "nul_in_value", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x00b\r\n\r\n")},
	{name: "ctl_in_value", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x01b\x1fc\r\n\r\n")},
	{name: "del_in_value", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x7fb\r\n\r\n")},
	{name: "high_bytes_in_value", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-A: caf\xc3\xa9 \xff\r\n\r\n")},
	{name: "ctl_in_uri", req: rq("GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "del_in_uri", req: rq("GET /a\x7fb HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "high_bytes_in_uri", req: rq("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "unsafe_ascii_in_uri", req: rq("GET /a\"<>\\^`{|}b HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "tab_in_uri", req: rq("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n")},

	// Header names.
	{name: "name_bad_char_paren", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n")},
	{name: "name_with_space", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n")},
	{name: "name_high_byte", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-\xe9: b\r\n\r\n")},
	{name: "name_token_specials", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX!#$%&'*+-.^_`|~9: b\r\n\r\n")},
	{name: "space_before_colon", req: rq("GET / HTTP/1.1\r\nHost : a\r\n\r\n")},
	{name: "tab_before_colon", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-A\t: b\r\n\r\n")},
	{name: "empty_name", req: rq("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n")},
	{name: "no_colon", req: rq("GET / HTTP/1.1\r\nHost: a\r\nGarbage\r\n\r\n")},

	// Sizes and counts.
	{name: "head_at_limit", req: headLimitProbe(15273, 0)},
	{name: "head_over_limit", req: headLimitProbe(15274, 0)},
	{name: "head_at_limit_50hdr", req: headLimitProbe(15073, 50)},
	{name: "head_over_limit_50hdr", req: headLimitProbe(15074, 50)},
	{name: "uri_at_limit", req: uriLimitProbe(15277)},
	{name: "uri_over_limit", req: uriLimitProbe(15278)},
	{name: "head_larger_than_buffer", req: headLimitProbe(17000, 0)},
	{name: "headers_100", req: manyHeaders(100)},
	{name: "headers_101", req: manyHeaders(101)},

	// Request lines and versions.
	{name: "http09", req: rq("GET /\r\n")},
	{name: "http09_crlfcrlf", req: rq("GET /\r\n\r\n")},
	{name: "http09_post", req: rq("POST /\r\n\r\n")},
	{name: "version_http12", req: rq("GET / HTTP/1.2\r\nHost: a\r\n\r\n")},
	{name: "version_http20", req: rq("GET / HTTP/2.0\r\nHost: a\r\n\r\n")},
	{name: "version_http30", req: rq("GET / HTTP/3.0\r\nHost: a\r\n\r\n")},
	{name: "version_lowercase", req: rq("GET / http/1.1\r\nHost: a\r\n\r\n")},
	{name: "version_two_digits", req: rq("GET / HTTP/1.10\r\nHost: a\r\n\r\n")},
	{name: "version_no_dot", req: rq("GET / HTTP/11\r\nHost: a\r\n\r\n")},
	{name: "version_garbage", req: rq("GET / FOO/1.1\r\nHost: a\r\n\r\n")},
	{name: "version_trailing_space", req: rq("GET / HTTP/1.1 \r\nHost: a\r\n\r\n")},
	{name: "h2_preface", req: rq("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")},
	{name: "method_lowercase", req: rq("get / HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "method_unknown", req: rq("FOOBAR / HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "method_bad_char", req: rq("G@T / HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "request_line_double_space", req: rq("GET  / HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "request_line_tabs", req: rq("GET\t/\tHTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "request_line_no_uri", req: rq("GET HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "request_line_garbage", req: rq("garbage\r\n\r\n")},

	// URI forms and Host.
	{name: "absolute_uri", req: rq("GET http://example.com/p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")},
	{name: "absolute_uri_host_mismatch", req: rq("GET http://example.com/p HTTP/1.1\r\nHost: other.org\r\n\r\n")},
	{name: "absolute_uri_no_host", req: rq("GET http://example.com/p HTTP/1.1\r\n\r\n")},
	{name: "absolute_uri_no_path", req: rq("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")},
	{name: "absolute_uri_https_port", req: rq("GET https://example.com:8443/p HTTP/1.1\r\nHost: example.com:8443\r\n\r\n")},
	{name: "absolute_uri_userinfo", req: rq("GET http://u:p@example.com/p HTTP/1.1\r\nHost: example.com\r\n\r\n")},
	{name: "connect_authority", req: rq("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")},
	{name: "connect_no_port", req: rq("CONNECT example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")},
	{name: "connect_host_mismatch", req: rq("CONNECT example.com:443 HTTP/1.1\r\nHost: other.org:443\r\n\r\n")},
	{name: "options_star", req: rq("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "get_star", req: rq("GET * HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "uri_fragment", req: rq("GET /p#frag HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "uri_no_slash", req: rq("GET index.html HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "empty_host", req: rq("GET / HTTP/1.1\r\nHost:\r\n\r\n")},
	{name: "host_dup_same", req: rq("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n")},
	{name: "host_dup_differ", req: rq("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")},
	{name: "host_list", req: rq("GET / HTTP/1.1\r\nHost: a, b\r\n\r\n")},

	// Responses from the server.
	{name: "resp_baseline", resp: rq("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Mixed-Case: V\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_no_reason", resp: rq("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_bare_lf", resp: rq("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")},
	{name: "resp_http10_until_close", resp: rq("HTTP/1.0 200 OK\r\nX-A: b\r\n\r\nbody until close")},
	{name: "resp_http11_until_close", resp: rq("HTTP/1.1 200 OK\r\nX-A: b\r\n\r\nbody until close")},
	{name: "resp_chunked", resp: rq("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")},
	{name: "resp_cl_te", resp: rq("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")},
	{name: "resp_te_gzip", resp: rq("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nrawbody")},
	{name: "resp_cl_differ", resp: rq("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!")},
	{name: "resp_obs_fold", resp: rq("HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_bad_name", resp: rq("HTTP/1.1 200 OK\r\nX(A): b\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_status_two_digits", resp: rq("HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_status_999", resp: rq("HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_version_http20", resp: rq("HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_garbage", resp: rq("garbage\r\n\r\n")},
	{name: "resp_204_with_cl", resp: rq("HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_100_then_200", resp: rq("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_nul_in_value", resp: rq("HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nok")},

	// Added after the first run to pin down normalisations seen there.
	{name: "version_http09_explicit", req: rq("GET / HTTP/0.9\r\nHost: a\r\n\r\n")},
	{name: "version_http99", req: rq("GET / HTTP/9.9\r\nHost: a\r\n\r\n")},
	{name: "http10_connection_tokens", req: rq("GET / HTTP/1.0\r\nConnection: X-Hop\r\nHost: a\r\nX-Hop: 1\r\n\r\n")},
	{name: "http10_connection_close", req: rq("GET / HTTP/1.0\r\nHost: a\r\nConnection: close\r\n\r\n")},
	{name: "connection_two_headers", req: rq("GET / HTTP/1.1\r\nConnection: X-A\r\nHost: a\r\nConnection: keep-alive\r\n\r\n")},
	{name: "cl_trailing_comma", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\nhello")},
	{name: "cl_2pow63", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\nhello")},
	{name: "cl_dup_list_position", req: rq("POST / HTTP/1.1\r\nX-A: 1\r\nContent-Length: 05, 5\r\nHost: a\r\ncontent-length: 5\r\n\r\nhello")},
	{name: "connect_port_80", req: rq("CONNECT example.com:80 HTTP/1.1\r\nHost: example.com:80\r\n\r\n")},
	{name: "connect_port_8443", req: rq("CONNECT example.com:8443 HTTP/1.1\r\nHost: example.com:8443\r\n\r\n")},
	{name: "connect_no_host", req: rq("CONNECT example.com:443 HTTP/1.1\r\n\r\n")},
	{name: "absolute_uri_default_port", req: rq("GET http://example.com:80/p HTTP/1.1\r\nHost: example.com:80\r\n\r\n")},
	{name: "absolute_uri_https_default_port", req: rq("GET https://example.com:443/p HTTP/1.1\r\nHost: example.com\r\n\r\n")},
	{name: "absolute_uri_host_case", req: rq("GET http://EXAMPLE.com/p HTTP/1.1\r\nHost: example.COM\r\n\r\n")},
	{name: "uri_scheme_no_slashes", req: rq("GET foo:bar HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "host_then_absolute_port_mismatch", req: rq("GET http://example.com:81/p HTTP/1.1\r\nHost: example.com\r\n\r\n")},
	{name: "expect_100_get", req: rq("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n")},
	{name: "chunk_ext_quoted", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x;y\"\r\nhello\r\n0\r\n\r\n")},
	{name: "chunk_trailer_bad_name", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX(T): v\r\n\r\n")},
	{name: "te_chunked_ows", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  chunked \r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
	{name: "te_comma_empty", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
	{name: "resp_te_chunked_twice", resp: rq("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")},
	{name: "resp_connection_close", resp: rq("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_cl_list", resp: rq("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok")},
	{name: "resp_status_1000", resp: rq("HTTP/1.1 1000 Big\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_version_lower", resp: rq("http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")},

	// Third round: assumptions of the first implementation, checked.
	{name: "connection_kept_tokens_list", req: rq("GET / HTTP/1.1\r\nHost: a\r\nConnection: X-A, close,X-B ,  keep-alive\r\n\r\n")},
	{name: "obs_fold_bare_lf", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-A: one\n two\r\n\r\n")},
	{name: "obs_fold_blank_line", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n   \r\nX-B: c\r\n\r\n")},
	{name: "obs_fold_empty_value", req: rq("GET / HTTP/1.1\r\nHost: a\r\nX-A:\r\n two\r\n\r\n")},
	{name: "obs_fold_content_length", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n 5\r\n\r\nhello")},
	{name: "host_origin_with_port_80", req: rq("GET / HTTP/1.1\r\nHost: a:80\r\n\r\n")},
	{name: "absolute_uri_host_default_port_only", req: rq("GET http://a/p HTTP/1.1\r\nHost: a:80\r\n\r\n")},
	{name: "absolute_uri_empty_authority", req: rq("GET http:///p HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "connect_lowercase_method", req: rq("connect example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")},
	{name: "uri_question_only", req: rq("GET ? HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "cl_surrounding_spaces", req: rq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:   5   \r\n\r\nhello")},
	{name: "te_cl_http10", req: rq("POST / HTTP/1.0\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
	{name: "te_on_get", req: rq("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")},
	{name: "chunk_ext_bare_cr", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n")},
	{name: "chunk_trailer_obs_fold", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n")},
	{name: "chunk_trailer_no_colon", req: rq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nnocolon\r\n\r\n")},
	{name: "expect_http10", req: rq("POST / HTTP/1.0\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello")},
	{name: "leading_lf_only", req: rq("\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "leading_space_request_line", req: rq(" GET / HTTP/1.1\r\nHost: a\r\n\r\n")},
	{name: "resp_304_with_cl", resp: rq("HTTP/1.1 304 Not Modified\r\nContent-Length: 2\r\n\r\n")},
	{name: "resp_connection_tokens", resp: rq("HTTP/1.1 200 OK\r\nConnection: keep-alive, X-A\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_status_leading_zero", resp: rq("HTTP/1.1 0200 OK\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_reason_ctl", resp: rq("HTTP/1.1 200 O\x01K\r\nContent-Length: 2\r\n\r\nok")},
	{name: "resp_http10_keepalive", resp: rq("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")},
}
