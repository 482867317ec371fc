// Package log reproduces haproxy 2.6's logging byte for byte.
//
// # Formats
//
// Compile turns a log-format string (configuration.txt §8.2.4 "Custom log
// format") into a Program, with haproxy's parsing rules: %var and
// %{+Q,-M,+X,+E}var, %o for default options, %[sample] expressions kept
// as text for the engine (Program.Samples), "%%" for a literal '%', and
// spaces turned into separators that collapse around empty variables.
// Errors carry haproxy's words (CompileError, Alert, Validate).
// HTTPLogFormat, CLFLogFormat, HTTPSLogFormat and TCPLogFormat are the
// formats behind `option httplog [clf]`, `option httpslog` and `option
// tcplog` (OptionFormat); CompileOptions.UniqueID compiles a
// unique-id-format.
//
// # Rendering
//
// The engine fills a Record (addresses, dates, haproxy's cumulative
// timers, counters, captures, termination state, names, sample values)
// and calls Program.Append(dst, record, maxLen), which allocates nothing
// and truncates like haproxy's 1024-byte (or largest `len`) buffer.
// ConnectFrom is the line of a frontend without any log format; the other
// messages haproxy sends about proxies and servers (ServerDown, ServerUp,
// ServerEnterMaint, ServerLeaveMaint, HealthCheck, NoServerAvailable,
// ProxyStopped) come with the syslog level haproxy uses.
//
// # Sending
//
// ParseTarget reads a `log` line (address, len, format, sample, facility,
// level, minlevel) with haproxy's error messages. AppendHeader,
// AppendDatagram and AppendStreamLine frame a message for every `format`
// keyword (local, rfc3164, rfc5424, priority, short, timed, iso, raw).
// Logger sends to UDP, unix datagram (/dev/log) and stdout/stderr/fd
// targets without ever blocking: a full socket buffer drops the message
// and counts it (Logger.Dropped), as haproxy does.
//
// Every behaviour here is checked against lines recorded from the real
// haproxy 2.6 (testdata/golden, regenerated with `go test -run
// TestGoldenUpdate -update`).
package log
