// Package log reproduces haproxy 2.6's logging byte for byte: the
// log-format compiler (configuration.txt §8.2.4 "Custom log format"), the
// predefined formats (option httplog, httplog clf, tcplog, httpslog, the
// "Connect from" line and error-log-format), rendering of a per-request
// Record without allocations, the syslog framing of every `log ... format`
// keyword, `len` truncation, and the UDP, unix datagram and stdout/stderr
// senders. It also builds the text of haproxy's start/stop and server
// state-change messages.
//
// The engine fills a Record; this package never looks at connections or
// configuration text.
package log
