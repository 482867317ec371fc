// Package http1 is the HTTP/1.1 message layer of goproxy's data path: an
// allocation-free, incremental, in-place parser for request and response
// heads, a chunked-body decoder, and writers that produce the bytes haproxy
// 2.6 would put on the wire (the forwarded head, and its default error
// responses).
//
// Every rule that decides between "accept", "normalise" and "reject" was
// measured against haproxy 2.6.12 (see NOTES.md and testdata/hostile); the
// parser's verdict on each recorded case is checked by TestHostileVerdicts.
//
// Nothing in this package keeps a reference to the caller's buffer beyond a
// call: heads are described by Span values (offsets into that buffer), so
// the caller may keep the bytes where they were read and forward the parts
// it did not change without copying.
package http1
