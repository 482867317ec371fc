package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// Version is goproxy's own version; -ldflags "-X main.Version=..." may set it.
var Version = "0.1.0-dev"

// compatVersion is the haproxy release whose configuration language and
// command line goproxy follows.
const compatVersion = "2.6"

// writeVersion prints what -v prints: the same four-line shape as
// haproxy's display_version(), with goproxy's own facts.
func writeVersion(w io.Writer) {
	fmt.Fprintf(w, "goproxy version %s - drop-in replacement for HAProxy %s (goha)\n", Version, compatVersion)
	fmt.Fprintf(w, "Status: development - configuration check (-c, -cc) and a first proxy engine; see -vv for what is supported.\n")
	fmt.Fprintf(w, "Differences from HAProxy %s: see compat-tests/DIFFERENCES.md in the source tree.\n", compatVersion)
	if u, ok := uname(); ok {
		fmt.Fprintf(w, "Running on: %s\n", u)
	}
}

// uname renders "sysname release version machine" as haproxy does.
func uname() (string, bool) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", false
	}
	return fmt.Sprintf("%s %s %s %s", unix.ByteSliceToString(u.Sysname[:]),
		unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Version[:]),
		unix.ByteSliceToString(u.Machine[:])), true
}

// writeBuildInfo prints what -vv adds after the version: how goproxy was
// built and what it supports so far, in the "Key : value" style haproxy uses.
func writeBuildInfo(w io.Writer) {
	fmt.Fprintf(w, "Build options :\n")
	fmt.Fprintf(w, "  GO      = %s\n", runtime.Version())
	fmt.Fprintf(w, "  TARGET  = %s/%s\n", runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "\n")
	fmt.Fprintf(w, "Built with multi-threading support (goroutines, GOMAXPROCS=%d).\n", runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "\n")
	fmt.Fprintf(w, "Supported so far :\n")
	for _, s := range supported {
		fmt.Fprintf(w, "  %-20s: %s\n", s[0], s[1])
	}
	fmt.Fprintf(w, "\n")
	fmt.Fprintf(w, "Command line (haproxy %s spellings) :\n", compatVersion)
	fmt.Fprintf(w, "  accepted : %s\n", strings.Join(acceptedFlags, " "))
	fmt.Fprintf(w, "  in effect: %s\n", strings.Join(effectiveFlags, " "))
	fmt.Fprintf(w, "\n")
}

// supported lists each capability and its state; keep it current as the
// engine lands.
var supported = [][2]string{
	{"configuration check", "yes (-c, -q, -V, -dW, multiple -f files and directories)"},
	{"conditions (-cc)", "yes (the .if predicates of the configuration parser)"},
	{"removed keywords", "nbproc, contimeout/clitimeout/srvtimeout, reqadd/rspadd, reqdel/rspdel on a whole header, redispatch, option forceclose, monitor-net: accepted with a warning naming the modern form"},
	{"proxy engine", "in progress (serving without -c; -D daemon, -p pidfile, -sf/-st reload, user/group/chroot)"},
	{"master-worker (-W)", "not yet"},
	{"stats / runtime API", "not yet"},
}

// acceptedFlags are all the options haproxy 2.6 reads; effectiveFlags are
// those that change what goproxy does today.
var (
	acceptedFlags = []string{"-f", "--", "-v", "-vv", "-c", "-cc", "-q", "-V", "-d", "-db", "-dM",
		"-de", "-dp", "-dk", "-dv", "-dS", "-dG", "-dR", "-dL", "-dK", "-dr", "-dV", "-dW", "-dD",
		"-D", "-W", "-Ws", "-C", "-n", "-m", "-N", "-L", "-p", "-sf", "-st", "-x", "-S"}
	effectiveFlags = []string{"-f", "--", "-v", "-vv", "-c", "-cc", "-q", "-V", "-d", "-db", "-D", "-dW", "-dM", "-dK", "-dR",
		"-C", "-L", "-n", "-p", "-sf", "-st"}
)
