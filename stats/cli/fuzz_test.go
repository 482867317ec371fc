package cli

import (
	"bufio"
	"bytes"
	"net"
	"strings"
	"testing"
)

// FuzzSession feeds arbitrary bytes to a CLI session at admin level: it
// must never panic, and every answer of a known command must end with a
// newline or be empty, as haproxy's do (the post-command "\n" comes on
// top); the few messages haproxy leaves without one are listed.
func FuzzSession(f *testing.F) {
	for _, s := range cliSteps {
		f.Add([]byte(s.input))
	}
	f.Add([]byte("set server be/s1 weight 50%;set weight #3/#1 0\n"))
	f.Add([]byte("show stat domain resolvers\nshow stat -1 -1 -1 json desc\n"))
	f.Add([]byte("help a b c d e f g\n\\\\;;\r\n"))
	fake := seededFake(f)
	srv := &Server{Runtime: fake}
	noNewline := map[string]bool{"Empty weight string empty or preceded by garbage": true, "Trailing garbage in weight string": true}
	f.Fuzz(func(t *testing.T, in []byte) {
		s := &session{srv: srv, level: LevelAdmin, timeout: DefaultTimeout, proto: "unix_stream", src: "unix:1", fd: -1}
		r := bufio.NewReader(bytes.NewReader(in))
		for i := 0; i < 50; i++ {
			line, ok := readCommand(r)
			if !ok {
				return
			}
			out := s.execute(line)
			if out != "" && !strings.HasSuffix(out, "\n") && !noNewline[out] {
				t.Fatalf("answer to %q does not end a line: %q", line, out)
			}
			if s.quit {
				return
			}
		}
	})
}

// TestTCPSocket serves the CLI on TCP ("stats socket ipv4@127.0.0.1:port")
// and lists its own session as tcpv4.
func TestTCPSocket(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Runtime: seededFake(t)}
	go srv.Serve(l, LevelOperator)
	defer srv.Close()
	got := exchange(t, "tcp", l.Addr().String(), "show cli level;show sess\n")
	if !strings.HasPrefix(got, "operator\n\n") || !strings.Contains(got, " proto=tcpv4 src=127.0.0.1:") {
		t.Fatalf("TCP session: %q", got)
	}
}
