package main

import (
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// TestParseArgs checks the command line is read as haproxy 2.6 reads it
// (src/haproxy.c init_args/copy_argv); the expectations for the stop cases
// were checked against haproxy 2.6.12 by hand and by cli_test.go.
func TestParseArgs(t *testing.T) {
	usage := &Stop{Usage: true, Code: 1}
	copyFail := &Stop{Alert: "failed to copy argv.", Code: 1}
	tests := []struct {
		args string
		want *Options
		stop *Stop
	}{
		{"-f a.cfg", &Options{Files: []string{"a.cfg"}}, nil},
		{"-f a.cfg -f dir -- b.cfg -c", &Options{Files: []string{"a.cfg", "dir", "b.cfg", "-c"}}, nil},
		{"-c -f a.cfg", &Options{Check: true, Files: []string{"a.cfg"}}, nil},
		{"-check -f a", &Options{Check: true, Files: []string{"a"}}, nil}, // only "c" is looked at
		{"-f -weird.cfg", &Options{Files: []string{"-weird.cfg"}}, nil},   // a value may start with '-'
		{"-v", &Options{Version: 1}, nil},
		{"-vv", &Options{Version: 2}, nil},
		{"-version", &Options{Version: 1}, nil},
		{"-c -v -zz", &Options{Check: true, Version: 1}, nil}, // -v exits before -zz is read
		{"-zz -v", nil, usage},
		{"-h", nil, usage},
		{"--help", nil, usage},
		{"a.cfg", nil, usage},
		{"-", nil, usage},
		{"-q -V -d -db -D -W", &Options{Quiet: true, Verbose: true, Debug: true, Foreground: true, Daemon: true, MasterWorker: true}, nil},
		{"-Ws", &Options{MasterWorker: true, Foreground: true, Systemd: true}, nil},
		{"-de -dp -dS -dG -dR -dV -dr -dL -dD -dW", &Options{NoEpoll: true, NoPoll: true, NoSplice: true, NoGetaddrinfo: true,
			NoReuseport: true, NoServerSSLVerify: true, ResolveDontFail: true, DumpLibs: true, Diagnostic: true, ZeroWarning: true}, nil},
		{"-dk", &Options{Debug: true}, nil}, // kqueue option: plain -d on Linux
		{"-dv", &Options{Debug: true}, nil}, // event ports option: plain -d on Linux
		{"-dt", &Options{Debug: true}, nil},
		{"-dKhelp", &Options{DumpKeywords: true, KeywordClass: "help"}, nil},
		{"-dK", &Options{DumpKeywords: true}, nil},
		{"-dM", &Options{}, nil},
		{"-dM0x41,no-cache,caller", &Options{MemDebug: "0x41,no-cache,caller"}, nil},
		{"-dMbogus", nil, &Stop{Alert: "-dM: unknown pool debugging feature <bogus>", Code: 1}},
		{"-cc 1", &Options{CheckCondition: true, Condition: "1", HasCondition: true}, nil},
		{"-cc", &Options{CheckCondition: true}, nil},
		{"-C /etc -n 100 -m 64 -N 10 -L peer1 -p /run/x.pid -f a", &Options{ChangeDir: "/etc", MaxConn: 100, MemMax: 64,
			MaxPConn: 10, LocalPeer: "peer1", PidFile: "/run/x.pid", Files: []string{"a"}}, nil},
		{"-n abc -f a", &Options{Files: []string{"a"}}, nil}, // atol
		{"-n 12k -f a", &Options{MaxConn: 12, Files: []string{"a"}}, nil},
		{"-f", nil, copyFail},
		{"-v -p", nil, copyFail}, // copy_argv runs before -v is read
		{"-L", nil, copyFail},
		{"-S", nil, copyFail},
		{"-S ipv4@127.0.0.1:9999,level,admin -S /run/m.sock -f a", &Options{MasterCLI: []string{"ipv4@127.0.0.1:9999,level,admin", "/run/m.sock"}, Files: []string{"a"}}, nil},
		{"-x", nil, &Stop{Alert: "Unix socket path expected with the -x flag\n", Usage: true, Code: 1}},
		{"-x /run/a.sock -f a", &Options{OldSocket: "/run/a.sock", Files: []string{"a"}}, nil},
		{"-x /a -x /b", &Options{OldSocket: "/b", Warnings: []string{"-x option already set, overwriting the value"}}, nil},
		{"-sf 12 34 -f a", &Options{OldPids: []int{12, 34}, OldPidsSignal: syscall.SIGUSR1, Files: []string{"a"}}, nil},
		{"-st 7", &Options{OldPids: []int{7}, OldPidsSignal: syscall.SIGTERM}, nil},
		{"-sf", &Options{OldPidsSignal: syscall.SIGUSR1}, nil},
		{"-sf abc", nil, &Stop{Alert: "-sf option: some bytes unconsumed in PID list {abc}", Code: 1}},
		{"-st 12x", nil, &Stop{Alert: "-st option: some bytes unconsumed in PID list {x}", Code: 1}},
		{"-sf 0", nil, usage},
		{"-sx a", nil, usage}, // -s other than -sf/-st takes a value, then is unknown
		{"-- a b", &Options{Files: []string{"a", "b"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			got, stop := ParseArgs(strings.Fields(tt.args))
			if !reflect.DeepEqual(stop, tt.stop) {
				t.Fatalf("stop = %+v, want %+v", stop, tt.stop)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("options = %+v\nwant      %+v", got, tt.want)
			}
		})
	}
}

func TestMemDebugHelp(t *testing.T) {
	_, stop := ParseArgs([]string{"-dMhelp"})
	if stop == nil || stop.Code != 0 || !strings.Contains(stop.Stdout, "no-poison") {
		t.Fatalf("-dMhelp: %+v", stop)
	}
}

func TestLeadingInt(t *testing.T) {
	for _, tt := range []struct{ in, num, rest string }{
		{"12", "12", ""}, {" 12x", " 12"[1:], "x"}, {"-3", "-3", ""}, {"abc", "", "abc"}, {"+", "", "+"},
	} {
		num, rest := leadingInt(tt.in)
		if num != tt.num || rest != tt.rest {
			t.Errorf("leadingInt(%q) = %q, %q; want %q, %q", tt.in, num, rest, tt.num, tt.rest)
		}
	}
}
