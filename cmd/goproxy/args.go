package main

import (
	"strconv"
	"strings"
	"syscall"
)

// Options is the command line, read the way haproxy 2.6 reads it
// (src/haproxy.c, init_args() and copy_argv()).
//
// haproxy does not use getopt: it looks only at the first one or two
// letters after the dash, so "-dbx" is "-db", "-vfoo" is "-v", and any other
// "-d..." is plain "-d". Options spelled "-dk" and "-dv" exist only on
// builds with kqueue or event ports; on Linux they fall through to "-d",
// and so they do here.
type Options struct {
	Files []string // -f FILE|DIR (repeatable) and everything after "--"

	Version int // 1 for -v, 2 for -vv: print and exit 0

	Check          bool   // -c
	CheckCondition bool   // -cc EXPR
	Condition      string // the EXPR of -cc; empty with HasCondition false
	HasCondition   bool

	Quiet        bool // -q
	Verbose      bool // -V (wins over -q)
	Debug        bool // -d and any unrecognised -d...
	Foreground   bool // -db, and -Ws
	Daemon       bool // -D
	MasterWorker bool // -W, -Ws
	Systemd      bool // -Ws
	ZeroWarning  bool // -dW
	Diagnostic   bool // -dD
	DumpLibs     bool // -dL

	NoEpoll, NoPoll, NoSplice, NoGetaddrinfo, NoReuseport bool // -de -dp -dS -dG -dR
	NoServerSSLVerify                                     bool // -dV
	ResolveDontFail                                       bool // -dr

	DumpKeywords bool   // -dK
	KeywordClass string // what follows -dK
	MemDebug     string // what follows -dM (validated, otherwise unused)

	ChangeDir string // -C
	MaxConn   int64  // -n (atol: garbage reads as 0, as in haproxy)
	MemMax    int64  // -m, megabytes
	MaxPConn  int64  // -N
	LocalPeer string // -L
	PidFile   string // -p

	OldPids       []int          // -sf / -st PID...
	OldPidsSignal syscall.Signal // SIGUSR1 for -sf (finish), SIGTERM for -st
	OldSocket     string         // -x
	MasterCLI     []string       // -S BIND[,OPTS] (repeatable)

	// Warnings are said while reading the line ("-x option already set").
	Warnings []string
}

// Stop ends the program while the command line is read, the way haproxy
// would at the same point.
type Stop struct {
	Stdout string // printed to stdout first (-dMhelp)
	Alert  string // printed as an [ALERT], after the version notices
	Usage  bool   // then the version on stdout and usage on stderr
	Code   int    // exit status
}

// withParam are the options that take one value, which may itself start
// with '-' (copy_argv in src/haproxy.c); one of them as the last word is
// haproxy's "failed to copy argv." error.
const withParam = "CnmNLfpS"

// ParseArgs reads args (without the program name). It returns either the
// options or where and how haproxy would have stopped.
func ParseArgs(args []string) (*Options, *Stop) {
	if stop := precheck(args); stop != nil {
		return nil, stop
	}
	o := &Options{}
	usage := &Stop{Usage: true, Code: 1}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return nil, usage // haproxy takes no bare words
		}
		flag := a[1:]
		at := func(n int) byte { // flag[n], or 0 past the end as in C
			if n < len(flag) {
				return flag[n]
			}
			return 0
		}
		c0, c1 := at(0), at(1)
		switch {
		case c0 == 'v':
			o.Version = 1
			if c1 == 'v' {
				o.Version = 2
			}
			return o, nil
		case c0 == 'd' && c1 == 'e':
			o.NoEpoll = true
		case c0 == 'd' && c1 == 'p':
			o.NoPoll = true
		case c0 == 'd' && c1 == 'S':
			o.NoSplice = true
		case c0 == 'd' && c1 == 'G':
			o.NoGetaddrinfo = true
		case c0 == 'd' && c1 == 'R':
			o.NoReuseport = true
		case c0 == 'd' && c1 == 'V':
			o.NoServerSSLVerify = true
		case c0 == 'V':
			o.Verbose = true
		case c0 == 'd' && c1 == 'b':
			o.Foreground = true
		case c0 == 'd' && c1 == 'D':
			o.Diagnostic = true
		case c0 == 'd' && c1 == 'W':
			o.ZeroWarning = true
		case c0 == 'd' && c1 == 'M':
			o.MemDebug = flag[2:]
			if stop := checkMemDebug(o.MemDebug); stop != nil {
				return nil, stop
			}
		case c0 == 'd' && c1 == 'r':
			o.ResolveDontFail = true
		case c0 == 'd' && c1 == 'L':
			o.DumpLibs = true
		case c0 == 'd' && c1 == 'K':
			o.DumpKeywords = true
			o.KeywordClass = flag[2:]
		case c0 == 'd':
			o.Debug = true
		case c0 == 'c' && c1 == 'c':
			o.CheckCondition = true
			if i+1 < len(args) {
				i++
				o.Condition, o.HasCondition = args[i], true
			}
		case c0 == 'c':
			o.Check = true
		case c0 == 'D':
			o.Daemon = true
		case c0 == 'W' && c1 == 's':
			o.MasterWorker, o.Foreground, o.Systemd = true, true, true
		case c0 == 'W':
			o.MasterWorker = true
		case c0 == 'q':
			o.Quiet = true
		case c0 == 'x':
			if i+1 >= len(args) {
				return nil, &Stop{Alert: "Unix socket path expected with the -x flag\n", Usage: true, Code: 1}
			}
			if o.OldSocket != "" {
				o.Warnings = append(o.Warnings, "-x option already set, overwriting the value")
			}
			i++
			o.OldSocket = args[i]
		case c0 == 'S':
			if i+1 >= len(args) {
				return nil, &Stop{Alert: "Socket and optional bind parameters expected with the -S flag", Usage: true, Code: 1}
			}
			i++
			// haproxy pushes each at the head of its list; keep command-line order.
			o.MasterCLI = append(o.MasterCLI, args[i])
		case c0 == 's' && (c1 == 'f' || c1 == 't'):
			o.OldPidsSignal = syscall.SIGTERM
			if c1 == 'f' {
				o.OldPidsSignal = syscall.SIGUSR1
			}
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				pid, stop := parsePid(flag, args[i])
				if stop != nil {
					return nil, stop
				}
				o.OldPids = append(o.OldPids, pid)
			}
		case c0 == '-' && c1 == 0: // "--": every remaining word is a config file
			o.Files = append(o.Files, args[i+1:]...)
			return o, nil
		default: // options with one value
			if i+1 >= len(args) {
				return nil, usage
			}
			i++
			v := args[i]
			switch c0 {
			case 'C':
				o.ChangeDir = v
			case 'n':
				o.MaxConn = atol(v)
			case 'm':
				o.MemMax = atol(v)
			case 'N':
				o.MaxPConn = atol(v)
			case 'L':
				o.LocalPeer = v
			case 'f':
				o.Files = append(o.Files, v)
			case 'p':
				o.PidFile = v
			default:
				return nil, usage
			}
		}
	}
	return o, nil
}

// precheck mirrors copy_argv(), which haproxy runs before reading any
// option: an option of withParam left without its value is fatal there.
func precheck(args []string) *Stop {
	fail := &Stop{Alert: "failed to copy argv.", Code: 1}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			continue
		}
		flag := a[1:]
		if flag == "-" {
			return nil
		}
		if flag == "" {
			continue
		}
		switch {
		case flag[0] == 's' && len(flag) > 1 && (flag[1] == 'f' || flag[1] == 't'):
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
			}
		case flag[0] == 'x':
			i++
		case strings.IndexByte(withParam, flag[0]) >= 0:
			if i+1 >= len(args) {
				return fail
			}
			i++
		}
	}
	return nil
}

// parsePid reads one PID of -sf/-st as strtol would; flag is "sf" or "st"
// plus whatever followed (haproxy prints its first two letters).
func parsePid(flag, word string) (int, *Stop) {
	name := flag
	if len(name) > 2 {
		name = name[:2]
	}
	digits, rest := leadingInt(word)
	if strings.TrimLeft(rest, " \t\n\v\f\r") != "" {
		return 0, &Stop{Alert: "-" + name + " option: some bytes unconsumed in PID list {" + rest + "}", Code: 1}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil && digits != "" && digits != "-" && digits != "+" {
		return 0, &Stop{Alert: "-" + name + " option: failed to parse {" + word + "}: Numerical result out of range", Code: 1}
	}
	if n <= 0 || n > 1<<31-1 {
		return 0, &Stop{Usage: true, Code: 1}
	}
	return int(n), nil
}

// leadingInt splits s into the part strtol(s, &end, 10) reads (leading
// spaces, a sign, digits) and the rest; with no digits all of s is rest.
func leadingInt(s string) (num, rest string) {
	i := len(s) - len(strings.TrimLeft(s, " \t\n\v\f\r"))
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	k := j
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	if k == j {
		return "", s
	}
	return s[i:k], s[k:]
}

// atol reads a number as C's atol: leading digits, 0 when there are none.
func atol(s string) int64 {
	num, _ := leadingInt(s)
	n, _ := strconv.ParseInt(num, 10, 64)
	return n
}
