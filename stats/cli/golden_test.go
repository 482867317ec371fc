package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readGolden(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name+".txt"))
	if err != nil {
		t.Fatalf("missing golden (regenerate with -update): %v", err)
	}
	return string(b)
}

// ourServer serves f on admin, oper and user sockets in a temporary
// directory and returns that directory.
func ourServer(t *testing.T, f Runtime, timeout time.Duration) string {
	t.Helper()
	dir := t.TempDir()
	srv := &Server{Runtime: f, Timeout: timeout}
	for i, s := range []struct {
		name  string
		level Level
	}{{"admin", LevelAdmin}, {"oper", LevelOperator}, {"user", LevelUser}} {
		l, err := ListenUnix(filepath.Join(dir, s.name+".sock"), 0o600)
		if err != nil {
			t.Fatal(err)
		}
		go srv.ServeSocket(Socket{Listener: l, Level: s.level, ID: i + 1})
	}
	t.Cleanup(func() { srv.Close() })
	return dir
}

// helpLines are the usage lines goha knows; haproxy's listings are
// compared after dropping the commands goha does not implement (its help
// lists only what it supports, in haproxy's words and order).
func supportedOnly(answer string) string {
	known := map[string]bool{}
	for _, kw := range keywords {
		if kw.usage != "" {
			known["  "+kw.usage] = true
		}
	}
	for _, line := range strings.Split(helpTail, "\n") {
		known[line] = true
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(answer, "\n") {
		if strings.HasPrefix(line, "  ") && !known[strings.TrimSuffix(line, "\n")] {
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

// listingSteps answer with command listings (help, unknown commands and
// their suggestions) that include commands goha does not implement; they
// are compared through supportedOnly: the same lines, minus those.
var listingSteps = map[string]bool{
	"help": true, "help_user": true, "help_show": true, "unknown_empty": true,
	"unknown_get": true, "list_in_one_line": true, "unknown_word": true,
	"unknown_set": true, "unknown_servers": true, "unknown_clear": true, "unknown_show_short": true,
	"unknown_disable": true,
}

// TestGoldenReplay plays every captured step against goha's CLI, in the
// capture's order, on a fake runtime seeded from haproxy's first answer,
// and compares each answer byte for byte.
func TestGoldenReplay(t *testing.T) {
	f := fakeFromShowStat(t, readGolden(t, "show_stat"))
	f.info = infoFromShowInfo(t, strings.TrimSuffix(readGolden(t, "show_info"), "\n"))
	dir := ourServer(t, f, 0)
	exact, filtered := 0, 0
	for _, s := range cliSteps {
		want := readGolden(t, s.name)
		got := exchange(t, "unix", filepath.Join(dir, s.sock+".sock"), s.input)
		if listingSteps[s.name] {
			want = supportedOnly(want)
			filtered++
		} else {
			exact++
		}
		if got != want {
			t.Errorf("step %s (%q) differs:\n%s", s.name, s.input, firstDiff(want, got))
		}
	}
	t.Logf("%d steps byte-identical, %d listings identical on the supported commands", exact, filtered)
}

// firstDiff shows the first differing line of two answers.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + itoa(i+1) + "\nhaproxy: " + quote(w) + "\ngoha:    " + quote(g)
		}
	}
	return "lengths " + itoa(len(want)) + " vs " + itoa(len(got))
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }

func fmtInt(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}

func quote(s string) string {
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return "\"" + s + "\""
}
