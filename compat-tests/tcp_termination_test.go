package compattests

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTCPTermination compares the termination state haproxy 2.6 and
// goproxy log (%ts) when a mode tcp stream ends by a timeout on either
// side, by a fin timeout, or cleanly. A client timeout only half-closes
// the stream, yet it is what the line reports. Goldens in
// testdata/tcp-termination/ (-update) stand in for haproxy.
func TestTCPTermination(t *testing.T) {
	bin, herr := exec.LookPath("haproxy")
	if updateGoldens() && herr != nil {
		t.Fatal("-update needs haproxy 2.6 installed")
	}
	cases := []struct {
		name, fe, be string
		msg          string
		halfClose    bool
	}{
		{name: "client-timeout", fe: "timeout client 200ms", msg: "hold\n"},
		{name: "server-timeout", be: "timeout server 200ms", msg: "hold\n"},
		{name: "server-fin", be: "timeout server-fin 200ms", msg: "hold\n", halfClose: true},
		{name: "clean", msg: "echo\n", halfClose: true},
	}
	dir := filepath.Join("..", "testdata", "tcp-termination")
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run := func(bin string) string {
				srv := startScriptServer(t, "s0")
				logs := startLogCatcher(t)
				listen := freeLoopback(t)
				cfg := "global\n    log " + logs.addr + " local0\n" +
					"defaults\n    mode tcp\n    log global\n    log-format \"%ts %b/%s\"\n" +
					"    timeout connect 1s\n    timeout client 2s\n    timeout server 2s\n" +
					"frontend fe\n    bind " + listen + "\n    " + tc.fe + "\n    default_backend be\n" +
					"backend be\n    " + tc.be + "\n    server s0 " + srv.addr() + "\n"
				startFormProxy(t, t.TempDir(), cfg, bin, nil)
				waitListening(t, listen, func() string { return "" })
				c, err := net.Dial("tcp4", listen)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				c.Write([]byte(tc.msg))
				if tc.halfClose {
					c.(*net.TCPConn).CloseWrite()
				}
				// the proxy ends the stream within 2 s in every case
				c.SetReadDeadline(time.Now().Add(4 * time.Second))
				buf := make([]byte, 64)
				for {
					if _, err := c.Read(buf); err != nil {
						break
					}
				}
				c.Close()
				return logs.lines(500 * time.Millisecond)
			}
			got := run("")
			golden := filepath.Join(dir, tc.name+".golden")
			var want string
			if herr == nil {
				want = run(bin)
				if updateGoldens() {
					os.MkdirAll(dir, 0o755)
					if err := os.WriteFile(golden, []byte(want), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			} else {
				b, err := os.ReadFile(golden)
				if err != nil {
					t.Skipf("haproxy not installed and no golden %s", golden)
				}
				want = string(b)
			}
			if strings.TrimSpace(want) == "" {
				t.Fatal("haproxy logged nothing")
			}
			if got != want {
				t.Errorf("goproxy logs %q, haproxy 2.6 %q", got, want)
			}
		})
	}
}
