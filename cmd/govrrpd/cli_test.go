package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestScan(t *testing.T) {
	type opt struct{ Name, Value string }
	tests := []struct {
		args []string
		opts []opt
		rest []string
		errs []string
	}{
		{[]string{"-f", "a.conf", "-t"}, []opt{{"use-file", "a.conf"}, {"config-test", ""}}, nil, nil},
		{[]string{"-fa.conf", "-ltn"}, []opt{{"use-file", "a.conf"}, {"log-console", ""}, {"config-test", "n"}}, nil, nil},
		{[]string{"--use-file=a", "--config-test=log"}, []opt{{"use-file", "a"}, {"config-test", "log"}}, nil, nil},
		{[]string{"--use-file", "a", "x", "--", "-t"}, []opt{{"use-file", "a"}}, []string{"x", "-t"}, nil},
		{[]string{"--vers"}, []opt{{"version", ""}}, nil, nil},
		{[]string{"--no"}, nil, nil, []string{"Unknown option --no"}},
		{[]string{"-Z", "--bogus=1"}, nil, nil, []string{"Unknown option -Z", "Unknown option --bogus=1"}},
		{[]string{"-f"}, nil, nil, []string{"Missing parameter for option -f"}},
		{[]string{"--pid"}, nil, nil, []string{"Missing parameter for option --pid"}},
		{[]string{"--signum", "JSON"}, []opt{{"signum", "JSON"}}, nil, nil},
		{[]string{"-MX"}, []opt{{"core-dump-pattern", "X"}}, nil, nil},
	}
	for _, tc := range tests {
		cl := scan(tc.args)
		var got []opt
		for _, p := range cl.opts {
			got = append(got, opt{p.opt.long, p.value})
		}
		var errs []string
		for _, e := range cl.errs {
			errs = append(errs, e.msg)
		}
		if !reflect.DeepEqual(got, tc.opts) || !reflect.DeepEqual(cl.args, tc.rest) || !reflect.DeepEqual(errs, tc.errs) {
			t.Errorf("scan(%q) = %v %q %q; want %v %q %q", tc.args, got, cl.args, errs, tc.opts, tc.rest, tc.errs)
		}
	}
}

// Every keepalived 2.2.7 option is declared on cobra's flag set with its
// short form.
func TestOptionTable(t *testing.T) {
	fs := pflag.NewFlagSet("govrrpd", pflag.ContinueOnError)
	register(fs)
	want := map[string]string{
		"use-file": "f", "vrrp": "P", "check": "C", "no_bfd": "B", "all": "", "log-console": "l",
		"log-detail": "D", "log-facility": "S", "log-file": "g", "all-config": "e", "no-syslog": "G",
		"umask": "u", "release-vips": "X", "dont-release-vrrp": "V", "dont-release-ipvs": "I",
		"dont-respawn": "R", "dont-fork": "n", "dump-conf": "d", "pid": "p", "vrrp_pid": "r",
		"genhash": "T", "checkers_pid": "c", "address-monitoring": "a", "bfd_pid": "b", "snmp": "x",
		"snmp-agent-socket": "A", "core-dump": "m", "core-dump-pattern": "M", "namespace": "s",
		"config-id": "i", "signum": "", "config-test": "t", "config-fd": "", "version": "v", "help": "h",
	}
	for long, short := range want {
		f := fs.Lookup(long)
		if f == nil || f.Shorthand != short {
			t.Errorf("--%s: %+v, want shorthand %q", long, f, short)
		}
	}
}

func runArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := execute(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.conf")
	if err := os.WriteFile(bad, []byte("bogus_top\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	novrid := filepath.Join(dir, "novrid.conf")
	if err := os.WriteFile(novrid, []byte("vrrp_instance X {\n virtual_ipaddress { 1.2.3.4 }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args         []string
		code         int
		stdout, errs string
	}{
		{[]string{"--signum=RELOAD"}, 0, "1\n", ""},
		{[]string{"--signum=FOO"}, 1, "", "Unknown sigfunc FOO\n"},
		{[]string{"-Z"}, 1, "", "Unknown option -Z\n"},
		{[]string{"-Z", "-v"}, 0, "", "Unknown option -Z\ngovrrpd v"},
		{[]string{"-t", "-f", filepath.Join(dir, "none.conf")}, 0, "", "Config files missing '" + filepath.Join(dir, "none.conf") + "'.\n"},
		{[]string{"-t", "-f", bad}, 5, "", "(Line 1) Unknown keyword 'bogus_top'\n"},
		{[]string{"-f", bad, "-t", "x"}, 5, "Unexpected argument(s): x \n", "(Line 1)"},
		{[]string{"-f", bad}, 1, "", "no vrrp_instance to run"},
		{[]string{"-n", "-f", novrid}, 1, "", "VRRP cannot start: (X) the virtual router id must be set"},
		{[]string{"-h"}, 0, "", "Usage: govrrpd [OPTION...]\n  -f, --use-file=FILE"},
	}
	for _, tc := range tests {
		code, out, errs := runArgs(tc.args...)
		if code != tc.code || out != tc.stdout || !strings.Contains(errs, tc.errs) {
			t.Errorf("govrrpd %q: %d %q %q; want %d %q, stderr containing %q", tc.args, code, out, errs, tc.code, tc.stdout, tc.errs)
		}
	}
}

// -t=FILE / --config-test=FILE append the check's messages to FILE.
func TestConfigTestLogFile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "k.conf")
	logf := filepath.Join(dir, "check.log")
	if err := os.WriteFile(conf, []byte("bogus_top\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runArgs("--config-test="+logf, "-f", conf)
	data, _ := os.ReadFile(logf)
	if code != 5 || errs != "" || !strings.HasPrefix(string(data), "(Line 1) Unknown keyword 'bogus_top'\n") {
		t.Errorf("code %d, stderr %q, log %q", code, errs, data)
	}
}
