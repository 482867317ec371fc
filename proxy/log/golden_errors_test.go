package log

// Compile errors golden: each case is checked by `haproxy -c` at -update
// time and the alert text is stored; the verification compares Compile's
// error with the stored alert.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

type compileCase struct {
	Format string `json:"format"`
	HTTP   bool   `json:"http"`
	OK     bool   `json:"ok"`
	Alert  string `json:"alert,omitempty"` // haproxy's error text after "failed to parse log-format : "
}

var compileInputs = []compileCase{
	{Format: "%ci:%cp %Z", HTTP: true},
	{Format: "%ci %unknownvar rest", HTTP: true},
	{Format: "%r", HTTP: false},
	{Format: "%HM %HU", HTTP: false},
	{Format: "%CC", HTTP: false},
	{Format: "%ci %", HTTP: true},
	{Format: "%ci % x", HTTP: true},
	{Format: "100%5", HTTP: true},
	{Format: "%{+Q", HTTP: true},
	{Format: "%{+Q}", HTTP: true},
	{Format: "%{+Q} ci", HTTP: true},
	{Format: "%[src", HTTP: true},
	{Format: "%[src x]", HTTP: true},
	{Format: "%[", HTTP: true},
	{Format: "%[]", HTTP: true},
	{Format: "%ci %{+Q,+X}ci %{+E}r %{-M}b %{+Z}s", HTTP: true},
	{Format: "a%%b %-x %ci", HTTP: true},
	{Format: "%o %{+Q}o %ci", HTTP: true},
	{Format: "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts", HTTP: false},
	{Format: "%[src] %[capture.req.hdr(0),lower] %{+Q}[fe_name]", HTTP: true},
	{Format: "%ci %[nosuchfetch] x", HTTP: true},
	{Format: "%[src,nosuchconv]", HTTP: true},
	{Format: "%Tq %Ta %Tu %Td", HTTP: true},
	{Format: "%1ci", HTTP: true},
	{Format: "%{+Q}%ci", HTTP: true},
	{Format: "%{+Q}1", HTTP: true},
	{Format: "text only", HTTP: true},
	{Format: "", HTTP: true},
}

var alertRe = regexp.MustCompile(`failed to parse log-format : (.*)\.$`)

func updateCompileErrors(t *testing.T) {
	bin := haproxyBinary(t)
	dir := t.TempDir()
	var out []compileCase
	for _, c := range compileInputs {
		mode := "tcp"
		if c.HTTP {
			mode = "http"
		}
		cfg := fmt.Sprintf("defaults\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n\n"+
			"frontend fe\n    mode %s\n    bind 127.0.0.1:1\n    log 127.0.0.1 local0\n    log-format %q\n    default_backend be\n\n"+
			"backend be\n    mode %s\n    server s1 127.0.0.1:2\n", mode, c.Format, mode)
		if c.Format == "" {
			cfg = strings.Replace(cfg, `log-format ""`, `log-format ""`, 1)
		}
		path := filepath.Join(dir, "c.cfg")
		os.WriteFile(path, []byte(cfg), 0o644)
		res, err := exec.Command(bin, "-c", "-f", path).CombinedOutput()
		c.OK = err == nil
		sc := bufio.NewScanner(strings.NewReader(string(res)))
		for sc.Scan() {
			if m := alertRe.FindStringSubmatch(sc.Text()); m != nil {
				c.Alert = m[1]
			}
		}
		if !c.OK && c.Alert == "" {
			t.Logf("haproxy rejected %q without a log-format alert:\n%s", c.Format, res)
		}
		out = append(out, c)
	}
	f, err := os.Create(filepath.Join(goldenDir, "compile_errors.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	for _, c := range out {
		enc.Encode(c)
	}
}
