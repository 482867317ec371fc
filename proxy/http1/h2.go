package http1

import "bytes"

// h2Preface is the HTTP/2 connection preface (RFC 9113 §3.4).
var h2Preface = []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")

// IsH2Preface reports whether buf starts with the HTTP/2 preface. haproxy
// 2.6 switches an HTTP/1 listener to HTTP/2 on it (measured: h2_preface
// gets no HTTP/1 answer), so the proxy must look before parsing.
func IsH2Preface(buf []byte) bool { return bytes.HasPrefix(buf, h2Preface) }
