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
	"strconv"
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

// targetCase is one `log` line checked by `haproxy -c`.
type targetCase struct {
	Args   string `json:"args"`
	Global bool   `json:"global"`
	OK     bool   `json:"ok"`
	Alert  string `json:"alert,omitempty"` // text after "parsing [file:line] : log : "
}

var targetInputs = []targetCase{
	{Args: "127.0.0.1 local0"},
	{Args: "127.0.0.1:1514 len 200 format rfc5424 sample 1-2,5:10 local7 notice info"},
	{Args: "/dev/log local0", Global: true},
	{Args: "stdout format raw daemon", Global: true},
	{Args: "stderr format short local1 err"},
	{Args: "fd@2 local0"},
	{Args: "udp@127.0.0.1:515 local1"},
	{Args: "127.0.0.1 len 10 local0"},
	{Args: "127.0.0.1 len 70000 local0"},
	{Args: "127.0.0.1 len abc local0"},
	{Args: "127.0.0.1 len 100abc local0"},
	{Args: "127.0.0.1 len -5 local0"},
	{Args: "127.0.0.1 format foo local0"},
	{Args: "127.0.0.1 sample 1 local0"},
	{Args: "127.0.0.1 sample :3 local0"},
	{Args: "127.0.0.1 sample 2-1:3 local0"},
	{Args: "127.0.0.1 sample 1-2,2-3:5 local0"},
	{Args: "127.0.0.1 sample 1-5:3 local0"},
	{Args: "127.0.0.1 sample 0:3 local0"},
	{Args: "127.0.0.1 sample 1:0 local0"},
	{Args: "127.0.0.1 sample 1:x local0"},
	{Args: "127.0.0.1 bogus"},
	{Args: "127.0.0.1 local0 loud"},
	{Args: "127.0.0.1 local0 info lower"},
	{Args: "127.0.0.1 local0 info err extra"},
	{Args: "127.0.0.1"},
	{Args: "127.0.0.1", Global: true},
	{Args: "127.0.0.1 format raw len 100 local0"},
	{Args: "127.0.0.1:abc local0"},
	{Args: "127.0.0.1:70000 local0"},
	{Args: "127.0.0.1:0 local0"},
	{Args: "localhost:1514 local0"},
	{Args: "[::1]:1514 local0"},
	{Args: "unix@/run/x.sock local0"},
	{Args: "ipv4@127.0.0.1 local0"},
	{Args: "fd@x local0"},
}

var targetAlertRe = regexp.MustCompile(`parsing \[[^\]]*:(\d+)\] : log : (.*)$`)

func updateTargetErrors(t *testing.T) {
	bin := haproxyBinary(t)
	dir := t.TempDir()
	var b strings.Builder
	line := map[int]int{} // config line -> case index
	n := 0
	emit := func(s string) { b.WriteString(s + "\n"); n++ }
	emit("global")
	for i, c := range targetInputs {
		if c.Global {
			emit("    log " + c.Args)
			line[n] = i
		}
	}
	emit("defaults")
	emit("    timeout connect 1s")
	emit("    timeout client 1s")
	emit("    timeout server 1s")
	emit("frontend fe")
	emit("    bind 127.0.0.1:1")
	for i, c := range targetInputs {
		if !c.Global {
			emit("    log " + c.Args)
			line[n] = i
		}
	}
	emit("    default_backend be")
	emit("backend be")
	emit("    server s1 127.0.0.1:2")
	path := filepath.Join(dir, "t.cfg")
	os.WriteFile(path, []byte(b.String()), 0o644)
	res, _ := exec.Command(bin, "-c", "-f", path).CombinedOutput()
	out := append([]targetCase(nil), targetInputs...)
	for i := range out {
		out[i].OK = true
	}
	sc := bufio.NewScanner(strings.NewReader(string(res)))
	for sc.Scan() {
		if m := targetAlertRe.FindStringSubmatch(sc.Text()); m != nil {
			ln, _ := strconv.Atoi(m[1])
			if i, ok := line[ln]; ok {
				out[i].OK, out[i].Alert = false, m[2]
			}
		}
	}
	f, err := os.Create(filepath.Join(goldenDir, "target_errors.jsonl"))
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
