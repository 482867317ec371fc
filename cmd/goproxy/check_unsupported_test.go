package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Every cookie form goproxy -c accepts also starts: "dynamic", the last
// one refused at start until now, is valid for -c as for a start (the
// engine's refusals, proxy.CheckUnsupported, are checked by -c too).
func TestCheckCookieForms(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.cfg")
	cfg := "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n" +
		"frontend fe\n    bind 127.0.0.1:18080\n    default_backend be\n" +
		"backend be\n    cookie SRV insert indirect nocache dynamic maxidle 1h maxlife 2h\n    dynamic-cookie-key k\n" +
		"    server s1 127.0.0.1:8080 cookie s1\n    server s2 127.0.0.1:8081\n"
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	p := &program{name: "goproxy", argv0: "goproxy", stdout: &out, stderr: &errb}
	if code := p.run([]string{"-c", "-f", path}); code != 0 || out.String() != "Configuration file is valid\n" {
		t.Fatalf("-c: code %d stdout %q stderr %q", code, out.String(), errb.String())
	}
}
