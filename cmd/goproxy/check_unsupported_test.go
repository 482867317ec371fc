package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file the engine refuses at start (a cookie form goproxy does not
// implement) is not "valid" for -c: the same alert and status as a start.
func TestCheckReportsUnsupportedCookie(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.cfg")
	cfg := "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n" +
		"frontend fe\n    bind 127.0.0.1:18080\n    default_backend be\n" +
		"backend be\n    cookie SRV insert dynamic\n    server s1 127.0.0.1:8080 cookie s1\n"
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		p := &program{name: "goproxy", argv0: "goproxy", stdout: &out, stderr: &errb}
		return p.run(args), out.String(), errb.String()
	}
	const alert = "parsing ["
	code, out, stderr := run("-c", "-f", path)
	want := "'cookie' persistence is not supported by goproxy yet (backend 'be')"
	if code != 1 || strings.Contains(out, "valid") || !strings.Contains(stderr, "[ALERT]") || !strings.Contains(stderr, alert+path+":10] : "+want) {
		t.Fatalf("-c: code %d stdout %q stderr %q", code, out, stderr)
	}
	// the implemented form is valid
	os.WriteFile(path, []byte(strings.Replace(cfg, " dynamic", " indirect nocache maxidle 1h maxlife 2h", 1)), 0o644)
	if code, out, stderr := run("-c", "-f", path); code != 0 || out != "Configuration file is valid\n" {
		t.Fatalf("-c on a supported cookie: code %d stdout %q stderr %q", code, out, stderr)
	}
}
