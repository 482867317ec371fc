package cli

// Goldens for the runtime API come from the real haproxy 2.6 (Debian):
//
//	go test ./stats/cli -run TestCaptureGolden -update
//
// runs haproxy with three stats sockets (admin, operator, user) under a
// temporary directory, plays the steps of cliSteps against them in order,
// and stores each answer in testdata/golden/<step>.txt. The replay tests
// (golden_test.go) always run against the stored files.

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "regenerate testdata/golden from the real haproxy")

const goldenDir = "testdata/golden"

// step is one connection to a socket: the bytes sent, whose complete answer
// (until haproxy closes) is the golden.
type step struct {
	name  string
	sock  string // "admin", "oper" or "user"
	input string
}

// cliSteps is played in this order against haproxy and then against goha;
// state-changing steps change both the same way. The first step's answer
// (show stat at admin level) seeds the fake runtime's model.
var cliSteps = []step{
	{"show_stat", "admin", "show stat\n"},
	{"help", "admin", "help\n"},
	{"help_user", "user", "help\n"},
	{"help_show", "admin", "help show\n"},
	{"help_set_server", "admin", "help set server\n"},
	{"unknown_empty", "admin", "\n"},
	{"unknown_word", "admin", "frobnicate\n"},
	{"unknown_show", "admin", "show statz\n"},
	{"unknown_get", "admin", "get weigth be/s1\n"},
	{"unknown_set", "admin", "set wieght be/s1 2\n"},
	{"unknown_servers", "admin", "show servrs state\n"},
	{"unknown_clear", "admin", "clear counter\n"},
	{"unknown_show_short", "admin", "show st\n"},
	{"unknown_disable", "admin", "dissable server be/s1\n"},
	{"show_stat_typed", "admin", "show stat typed\n"},
	{"show_stat_json", "admin", "show stat json\n"},
	{"show_stat_filter", "admin", "show stat be 4 -1\n"},
	{"show_stat_filter_num", "admin", "show stat 3 2 -1\n"},
	{"show_stat_noproxy", "admin", "show stat nosuch 1 1\n"},
	{"show_stat_up", "admin", "show stat up\n"},
	{"show_stat_user", "user", "show stat\n"},
	{"show_info", "admin", "show info\n"},
	{"show_servers_state", "admin", "show servers state\n"},
	{"show_servers_state_be", "admin", "show servers state static\n"},
	{"show_servers_state_bad", "admin", "show servers state nosuch\n"},
	{"show_backend", "user", "show backend\n"},
	{"get_weight", "user", "get weight be/s2\n"},
	{"get_weight_noslash", "admin", "get weight be\n"},
	{"get_weight_nobe", "admin", "get weight nosuch/s1\n"},
	{"get_weight_nosrv", "admin", "get weight be/nosuch\n"},
	{"get_weight_id", "admin", "get weight #3/#2\n"},
	{"set_weight_user", "user", "set weight be/s2 3\n"},
	{"set_weight_oper", "oper", "set weight be/s2 3\n"},
	{"set_weight_big", "admin", "set weight be/s2 300\n"},
	{"set_weight_garbage", "admin", "set weight be/s2 abc\n"},
	{"set_weight_trailing", "admin", "set weight be/s2 3x\n"},
	{"set_weight_negpct", "admin", "set weight be/s2 -5%\n"},
	{"set_weight_missing", "admin", "set weight be/s2\n"},
	{"set_weight_static", "admin", "set weight static/t1 3\n"},
	{"set_weight_static_zero", "admin", "set weight static/t1 0%;get weight static/t1;set weight static/t1 100%\n"},
	{"set_server_weight_pct", "admin", "set server be/s2 weight 50%;get weight be/s2\n"},
	{"set_server_weight_back", "admin", "set server be/s2 weight 5;get weight be/s2\n"},
	{"set_server_noslash", "admin", "set server be state ready\n"},
	{"set_server_badstate", "admin", "set server be/s1 state foo\n"},
	{"set_server_badcmd", "admin", "set server be/s1 bogus\n"},
	{"drain", "admin", "set server be/s1 state drain\n"},
	{"show_stat_drain", "admin", "show stat\n"},
	{"maint", "admin", "set server be/s1 state maint\n"},
	{"show_servers_state_maint", "admin", "show servers state be\n"},
	{"show_stat_maint", "admin", "show stat\n"},
	{"show_stat_nomaint", "admin", "show stat no-maint\n"},
	{"ready", "admin", "set server be/s1 state ready\n"},
	{"disable_server_user", "user", "disable server be/s1\n"},
	{"disable_frontend", "admin", "disable frontend web\n"},
	{"disable_frontend_again", "admin", "disable frontend web\n"},
	{"show_stat_paused", "admin", "show stat -1 1 -1\n"},
	{"enable_frontend", "admin", "enable frontend web\n"},
	{"enable_frontend_again", "admin", "enable frontend web\n"},
	{"disable_frontend_none", "admin", "disable frontend\n"},
	{"disable_frontend_nosuch", "admin", "disable frontend be\n"},
	{"clear_counters_user", "user", "clear counters\n"},
	{"clear_counters_all_oper", "oper", "clear counters all\n"},
	{"clear_counters_oper", "oper", "clear counters\n"},
	{"levels", "admin", "show cli level;operator;show cli level;user;show cli level;operator\n"},
	{"levels_oper", "oper", "show cli level\n"},
	{"level_nolf", "admin", "operator -;show cli level\n"},
	{"show_stat_oper", "oper", "show stat\n"},
	{"show_stat_desc_typed_filter", "oper", "show stat static 4 2 typed desc\n"},
	{"list_in_one_line", "admin", "get weight be/s1;get weight be/s2;;get weight static/t2\n"},
	{"escaped_semicolon", "admin", "get weight be/s1\\;x\n"},
	{"crlf", "admin", "get weight be/s1\r\n"},
	{"no_final_newline", "admin", "get weight be/s1"},
	{"prompt", "admin", "prompt\nget weight be/s1\nshow cli level\nquit\n"},
	{"quit", "admin", "quit\nget weight be/s1\n"},
	// the operator script of issue 4, one connection per command as
	// "echo cmd | socat stdio /run/haproxy.sock" does
	{"script_show_stat", "admin", "show stat\n"},
	{"script_disable", "admin", "disable server be/s1\n"},
	{"script_set_weight", "admin", "set weight be/s2 3\n"},
	{"script_servers_state", "admin", "show servers state\n"},
	{"script_show_stat_after", "admin", "show stat\n"},
	{"script_enable", "admin", "enable server be/s1\n"},
	{"show_stat_end", "admin", "show stat\n"},
}

const captureConfig = `global
    stats socket {{DIR}}/admin.sock level admin
    stats socket {{DIR}}/oper.sock level operator
    stats socket {{DIR}}/user.sock level user
    stats timeout 2s
    nbthread 1

defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend web
    bind 127.0.0.1:{{WEB}}
    default_backend be

backend be
    balance roundrobin
    server s1 127.0.0.1:{{P1}}
    server s2 127.0.0.1:{{P2}} weight 5
    server s3 127.0.0.1:{{LIVE}} check inter 60s

backend static
    balance static-rr
    server t1 127.0.0.1:{{P1}}
    server t2 127.0.0.1:{{P2}} backup weight 2
`

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// exchange sends input on a new connection to the unix socket and reads
// until the peer closes.
func exchange(t *testing.T, network, addr, input string) string {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, input); err != nil {
		t.Fatal(err)
	}
	if input != "" && !strings.HasSuffix(input, "\n") {
		// a command without its end of line: close our side so the
		// server sees the end of the stream
		c.(interface{ CloseWrite() error }).CloseWrite()
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("%q: %v", input, err)
	}
	return string(b)
}

func haproxyBin(t *testing.T) string {
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	t.Skip("haproxy not installed: cannot regenerate goldens")
	return ""
}

// startHaproxy runs haproxy with cfg (placeholders {{DIR}} and any of
// repl) and returns its directory; the process is killed by PID at cleanup.
func startHaproxy(t *testing.T, cfg string, repl ...string) string {
	t.Helper()
	bin := haproxyBin(t)
	dir := t.TempDir()
	r := strings.NewReplacer(append([]string{"{{DIR}}", dir}, repl...)...)
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(r.Replace(cfg)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("haproxy output:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("unix", filepath.Join(dir, "admin.sock"))
		if err == nil {
			c.Close()
			return dir
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy did not start: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// liveTCP accepts and closes connections (a health-check target).
func liveTCP(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

func TestCaptureGolden(t *testing.T) {
	if !*update {
		t.Skip("golden capture runs only with -update")
	}
	live := liveTCP(t)
	// The whole script must run within one second of haproxy's clock so
	// that ages (lastchg, srv_time_since_last_change) agree with the
	// replay's fixed clock; retry otherwise.
	for try := 0; try < 5; try++ {
		out := captureOnce(t, live)
		first, last := lastchgOf(out["show_stat"], "be,s3,"), lastchgOf(out["show_stat_end"], "be,s3,")
		if first != last || first == "" {
			t.Logf("clock ticked during capture (%q vs %q), retrying", first, last)
			continue
		}
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, s := range cliSteps {
			if err := os.WriteFile(filepath.Join(goldenDir, s.name+".txt"), []byte(out[s.name]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	t.Fatal("could not capture within one second")
}

func captureOnce(t *testing.T, live int) map[string]string {
	p1, p2, web := freePort(t), freePort(t), freePort(t)
	dir := startHaproxy(t, captureConfig, "{{WEB}}", fmt.Sprint(web), "{{P1}}", fmt.Sprint(p1),
		"{{P2}}", fmt.Sprint(p2), "{{LIVE}}", fmt.Sprint(live))
	admin := filepath.Join(dir, "admin.sock")
	// s3's first check must have passed (L4OK) before the script starts.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(exchange(t, "unix", admin, "show stat\n"), ",L4OK,") {
		if time.Now().After(deadline) {
			t.Fatal("s3 never checked")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// start the script right after a second boundary
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 20*time.Millisecond)))
	out := map[string]string{}
	for _, s := range cliSteps {
		out[s.name] = exchange(t, "unix", filepath.Join(dir, s.sock+".sock"), s.input)
	}
	return out
}

// lastchgOf returns the lastchg column of the CSV row starting with prefix.
func lastchgOf(csv, prefix string) string {
	for _, line := range strings.Split(csv, "\n") {
		if strings.HasPrefix(line, prefix) {
			f := strings.Split(line, ",")
			if len(f) > 23 {
				return f[23]
			}
		}
	}
	return ""
}
