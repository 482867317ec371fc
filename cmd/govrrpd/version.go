package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"
)

// version is govrrpd's own version.
const version = "0.1.0"

// compatible is the keepalived release whose behaviour govrrpd follows.
const compatible = "Keepalived v2.2.7 (01/16,2022)"

// printVersion answers -v on stderr, where keepalived prints its version:
// our version, what we are compatible with and what works today.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "govrrpd v%s (goha), drop-in for %s\n\n", version, compatible)
	fmt.Fprintf(w, "Built with %s for %s/%s\n\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintln(w, "Supported:")
	fmt.Fprintln(w, "  keepalived 2.2.7 command line (short and long options, --signum)")
	fmt.Fprintln(w, "  configuration check -t/--config-test: keepalived's messages and exit codes")
	fmt.Fprintln(w, "  keepalived.conf: include (globs), comments, $VAR definitions, @id lines, ~SEQ, ~LST,")
	fmt.Fprintln(w, "    global_defs, vrrp_script, vrrp_instance, vrrp_sync_group, track_file")
	fmt.Fprintln(w, "  VRRP v2/v3 instances (the daemon: without -t)")
	fmt.Fprintln(w, "Not supported yet:")
	fmt.Fprintln(w, "  virtual_server/real_server (LVS: read, kept, not run), bfd_instance, genhash (-T)")
}

// usage answers -h on stderr in keepalived's layout.
func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: govrrpd [OPTION...]")
	for _, o := range options {
		left := "    "
		if o.short != 0 {
			left = fmt.Sprintf("-%c, ", o.short)
		}
		left += "--" + o.long
		switch o.kind {
		case requiredArg:
			left += "=" + argName(o.long)
		case optionalArg:
			left += "[=" + argName(o.long) + "]"
		}
		fmt.Fprintf(w, "  %-28s %s\n", left, o.usage)
		if o.long == "use-file" {
			fmt.Fprintf(w, "  %-28s  default '%s'\n", "", defaultConfig)
		}
	}
}

func argName(long string) string {
	switch {
	case long == "signum":
		return "SIGFUNC"
	case long == "config-test":
		return "LOG_FILE"
	case long == "log-facility":
		return "FACILITY"
	case long == "config-id":
		return "ID"
	case long == "umask":
		return "MASK"
	case long == "namespace":
		return "NAME"
	case long == "core-dump-pattern":
		return "PATN"
	case long == "config-fd":
		return "FD"
	}
	return "FILE"
}

// noFollow is O_NOFOLLOW: keepalived refuses a symbolic link as -t log.
const noFollow = syscall.O_NOFOLLOW

func errnoOf(err error) int {
	var e syscall.Errno
	if errors.As(err, &e) {
		return int(e)
	}
	return 0
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	s := err.Error()
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}
