package main

import (
	"fmt"
	"io"
)

// writeUsage prints the help that haproxy prints on stderr for an unknown
// option or a missing -f (the version goes to stdout first, and the exit
// status is 1). Options that do nothing in goproxy yet say so.
func writeUsage(w io.Writer, prog string) {
	fmt.Fprintf(w, "Usage : %s [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -n <maxconn> ] [ -N <maxpconn> ]\n", prog)
	fmt.Fprintf(w, "        [ -p <pidfile> ] [ -m <max megs> ] [ -C <dir> ] [-- <cfgfile>*]\n")
	for _, l := range usageLines {
		fmt.Fprintf(w, "        %s\n", l)
	}
	fmt.Fprintf(w, "\n")
}

// usageLines: one option per line, haproxy 2.6's set (Linux build) plus the
// two that only exist elsewhere. "(accepted, no effect yet)" marks options
// read for compatibility that change nothing until the engine lands.
var usageLines = []string{
	"-f <cfgfile|cfgdir> loads a file, or every *.cfg of a directory in name order (repeatable)",
	"-- <cfgfile>* every following word is a configuration file",
	"-v prints the version ; -vv also prints what is built in and supported.",
	"-c check mode : only check the configuration files and exit",
	"-cc <expr> evaluates a .if condition and exits 0 (true), 1 (false) or 2 (error)",
	"-q quiet mode : print no messages",
	"-V verbose mode (cancels quiet mode)",
	"-d debug mode ; -db only disables background mode.",
	"-dM[<byte>][,<kw>...] memory debugging (accepted and ignored: Go manages memory)",
	"-D goes daemon ; -C <dir> changes to <dir> before loading files.",
	"-W master-worker mode (accepted, no effect yet)",
	"-Ws master-worker mode with systemd notify support (accepted, no effect yet)",
	"-n <maxconn> maximum total connections",
	"-m <megs> memory limit in MB (accepted, no effect yet)",
	"-N <maxpconn> default per-proxy maximum connections (accepted, no effect yet)",
	"-L <name> local peer name (default: hostname); sets HAPROXY_LOCALPEER",
	"-p <pidfile> writes the pid to this file",
	"-de / -dp disable epoll() / poll() (accepted, no meaning in Go)",
	"-dk / -dv are -d on Linux, as in haproxy",
	"-dS disables splice (accepted, no effect yet)",
	"-dG disables getaddrinfo() (accepted, no effect yet)",
	"-dR disables SO_REUSEPORT",
	"-dL dumps loaded object files after the check (accepted, prints nothing)",
	"-dK<class>[,...] dumps registered keywords ('help' lists the classes)",
	"-dr ignores server address resolution failures (accepted, no effect yet)",
	"-dV disables SSL verification towards servers (accepted, no effect yet)",
	"-dW zero-warning mode : any warning makes the check fail",
	"-dD diagnostic mode (accepted, no extra diagnostics yet)",
	"-sf/-st [pid ]* finishes/terminates old pids once listening",
	"-x <unix_socket> takes listening sockets from a unix socket (accepted, no effect yet)",
	"-S <bind>[,<bind options>...] master CLI (accepted, no effect yet)",
}
