package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hatopDriver loads hatop's own socket and parsing code (Debian's hatop
// is a Python script) and does what its screens do: interactive mode,
// "set timeout cli", show info, show stat, a filtered show stat, a command
// typed in its CLI screen, and show stat again. It prints a summary.
const hatopDriver = `
import sys, importlib.machinery, importlib.util
loader = importlib.machinery.SourceFileLoader('hatop', '/usr/bin/hatop')
spec = importlib.util.spec_from_loader('hatop', loader)
hatop = importlib.util.module_from_spec(spec)
loader.exec_module(hatop)
sock = hatop.Socket(sys.argv[1])
sock.connect()
data = hatop.SocketData(sock)
data.update_info()
print('info', data.info['software_name'], data.info['software_version'])
data.update_stat()
print('counts', data.pxcount, data.svcount)
def dump():
    for iid in sorted(data.stat):
        for sid in sorted(data.stat[iid], key=str):
            s = data.stat[iid][sid]
            print(iid, sid, s['pxname'], s['svname'], s['status'], s['weight'])
dump()
data.register_stat_filter(['3 -1 -1'])
try:
    data.update_stat()
except RuntimeWarning as w:  # hatop reloads when the counts change
    print('warning', w)
print('filtered', data.pxcount, data.svcount)
sock.send(b'disable server be/s1')
print('answer', repr(list(sock.recv())))
data._filters = set()
try:
    data.update_stat()
except RuntimeWarning as w:
    print('warning', w)
dump()
sock.send(b'enable server be/s1')
list(sock.recv())
sock.close()
`

func runHatop(t *testing.T, sock string) string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "drive.py")
	os.WriteFile(script, []byte(hatopDriver), 0o644)
	out, err := exec.Command("python3", script, sock).CombinedOutput()
	if err != nil {
		t.Fatalf("hatop driver: %v\n%s", err, out)
	}
	return string(out)
}

// TestHatop runs hatop's code against goha's socket and, when haproxy is
// installed, against haproxy's with the capture's configuration: both
// must read the same proxies, servers, states and answers.
func TestHatop(t *testing.T) {
	if _, err := os.Stat("/usr/bin/hatop"); err != nil {
		t.Skip("hatop not installed (apt-get install hatop)")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	dir := ourServer(t, seededFake(t), 0)
	ours := runHatop(t, filepath.Join(dir, "admin.sock"))
	for _, want := range []string{"info HAProxy 2.6.12", "counts 3 8", "3 1 be s1 - 1", "filtered 1 4", "answer ['']", "3 1 be s1 MAINT 1"} {
		if !strings.Contains(ours, want) {
			t.Errorf("hatop against goha lacks %q:\n%s", want, ours)
		}
	}
	if _, err := exec.LookPath("haproxy"); err != nil {
		return
	}
	live := liveTCP(t)
	hdir := startHaproxy(t, captureConfig, "{{WEB}}", fmt.Sprint(freePort(t)), "{{P1}}", fmt.Sprint(freePort(t)),
		"{{P2}}", fmt.Sprint(freePort(t)), "{{LIVE}}", fmt.Sprint(live))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(exchange(t, "unix", filepath.Join(hdir, "admin.sock"), "show stat\n"), ",L4OK,") {
		if time.Now().After(deadline) {
			t.Fatal("s3 never checked")
		}
		time.Sleep(50 * time.Millisecond)
	}
	theirs := runHatop(t, filepath.Join(hdir, "admin.sock"))
	if ours != theirs {
		t.Errorf("hatop sees goha and haproxy differently\ngoha:\n%s\nhaproxy:\n%s", ours, theirs)
	}
}
