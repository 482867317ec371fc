package scenario

import (
	"encoding/hex"
	"goha/internal/linediff"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestNormaliseLog(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<150>Nov 25 15:43:07 haproxy[10771]: 192.168.13.150:41388 [25/Nov/2026:15:43:07.312] web httpservers/http1 0/0/1/0/1 200 225 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"`,
			`<150><time> haproxy[<pid>]: 192.168.13.150:<port> [<date>] web httpservers/http1 N/N/N/N/N 200 225 - - ---- N/N/N/N/N 0/0 "GET / HTTP/1.1"`},
		// -1 marks a phase that never happened and stays.
		{`<150>Nov  5 01:02:03 haproxy[7]: 192.168.13.150:1 [05/Nov/2026:01:02:03.004] web httpservers/<NOSRV> -1/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "GET / HTTP/1.1"`,
			`<150><time> haproxy[<pid>]: 192.168.13.150:<port> [<date>] web httpservers/<NOSRV> -1/-1/-1/-1/N 503 217 - - SC-- N/N/N/N/N 0/0 "GET / HTTP/1.1"`},
		{`<145>Nov 25 15:43:07 haproxy[10771]: Server httpservers/http1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 0 backup servers left.`,
			`<145><time> haproxy[<pid>]: Server httpservers/http1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. 1 active and 0 backup servers left.`},
		{`<150>Nov 25 15:43:07 haproxy[10771]: Connect from 192.168.13.150:34034 to 192.168.13.144:81 (stats/HTTP)`,
			`<150><time> haproxy[<pid>]: Connect from 192.168.13.150:<port> to 192.168.13.144:81 (stats/HTTP)`},
	} {
		if got := normaliseLog(c.in); got != c.want {
			t.Errorf("normaliseLog(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestStateLine(t *testing.T) {
	for _, c := range []struct {
		in, want string
		keep     bool
	}{
		{"Wed Nov 25 15:43:07 2026: (VI_1) Entering MASTER STATE", "(VI_1) Entering MASTER STATE", true},
		// keepalived's parent and VRRP child print in a racy order: the
		// process structure is not a state.
		{"Wed Nov 25 15:43:07 2026: Starting VRRP child process, pid=10672", "", false},
		{"Wed Nov 25 15:43:07 2026: Stopped - used 0.000000 user time, 0.002123 system time", "Stopped - used N user time, N system time", true},
		{"Wed Nov 25 15:43:07 2026: Stopped - used (self/children) 0.001000/0.012000 user time, 0.002123/0.030000 system time", "Stopped - used (self/children) N/N user time, N/N system time", true},
		{"Wed Nov 25 15:43:07 2026: Registering Kernel netlink reflector", "", false},
	} {
		got, keep := stateLine(c.in)
		if got != c.want || keep != c.keep {
			t.Errorf("stateLine(%q) = %q, %v; want %q, %v", c.in, got, keep, c.want, c.keep)
		}
	}
}

func TestNormaliseHeader(t *testing.T) {
	for in, want := range map[string]string{
		"date: Wed, 25 Nov 2026 15:43:07 GMT": "date: <date>",
		"Last-Modified: Wed, 25 Nov 2026 GMT": "Last-Modified: <date>",
		`etag: "6925ce1b-1a"`:                 "etag: <etag>",
		"Content-Length: 26":                  "Content-Length: 26", // case kept
	} {
		if got := normaliseHeader(in); got != want {
			t.Errorf("normaliseHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTranscriptRoundTrip(t *testing.T) {
	tr := &Transcript{Scenario: "x", Run: "reference"}
	tr.Section("http").Lines = []string{"GET :80/ -> 200 real-server1", "  body \"a\""}
	tr.Section("vip").Lines = []string{"-- start", "master"}
	tr.Timings = []Timing{{Name: "a", Value: 1500 * time.Millisecond, Window: 500 * time.Millisecond}, {Name: "b", Missing: true, Window: time.Second}}
	back, err := Parse(tr.String())
	if err != nil {
		t.Fatal(err)
	}
	if back.String() != tr.String() {
		t.Errorf("round trip changed the transcript:\n%s\n---\n%s", tr, back)
	}
}

func TestCompareTimingByWindow(t *testing.T) {
	ref := &Transcript{Timings: []Timing{{Name: "failover", Value: 800 * time.Millisecond, Window: 300 * time.Millisecond}}}
	near := &Transcript{Timings: []Timing{{Name: "failover", Value: 1050 * time.Millisecond, Window: 300 * time.Millisecond}}}
	far := &Transcript{Timings: []Timing{{Name: "failover", Value: 1200 * time.Millisecond, Window: 300 * time.Millisecond}}}
	missing := &Transcript{Timings: []Timing{{Name: "failover", Missing: true, Window: 300 * time.Millisecond}}}
	if d := Compare(ref, near); len(d) != 0 {
		t.Errorf("250 ms off inside a 300 ms window reported: %v", d)
	}
	for _, got := range []*Transcript{far, missing} {
		if d := Compare(ref, got); len(d) != 1 || d[0].Section != "timing" {
			t.Errorf("Compare(%v) = %v, want one timing difference", got.Timings, d)
		}
	}
}

func TestLineDiff(t *testing.T) {
	got := linediff.Lines([]string{"a", "b", "c"}, []string{"a", "x", "c", "d"})
	want := "+ x|- b|+ d"
	if strings.Join(got, "|") != want {
		t.Errorf("lineDiff = %q, want %q", strings.Join(got, "|"), want)
	}
}

func TestCoveredNeedsTheDocText(t *testing.T) {
	known := []Known{{Section: "console", Pattern: mustRe(`contimeout`), Doc: "removed keywords are accepted"}}
	d := Difference{Section: "console master", Lines: []string{"+ [WARNING] ... 'contimeout' ..."}}
	if ok, _ := covered("browse", d, known, "## goproxy\n- removed keywords are accepted, with a warning"); !ok {
		t.Error("difference explained in DIFFERENCES.md not covered")
	}
	if ok, _ := covered("browse", d, known, "## goproxy\n"); ok {
		t.Error("covered although DIFFERENCES.md does not say it")
	}
}

// A VRRPv2 advert as keepalived sends the tutorial's master (VRID 80,
// priority 100, PASS 1111), framed in Ethernet + IPv4 as on the bridge.
func TestVRRPFromFrame(t *testing.T) {
	frame, _ := hex.DecodeString("01005e000012" + "020000000001" + "0800" +
		"45c00028" + "00010000" + "ff70" + "0000" + "c0a80d80" + "e0000012" +
		"21506401010149" + "12c0a80d90" + "3131313100000000")
	p, ok := vrrpFromFrame(frame)
	if !ok {
		t.Fatal("frame not recognised")
	}
	want := "192.168.13.128 > 224.0.0.18 ttl 255 tos 0xc0 vrrp 21 50 64 01 01 01 49 12 c0 a8 0d 90 31 31 31 31 00 00 00 00"
	if p.String() != want {
		t.Errorf("got  %s\nwant %s", p, want)
	}
}

func mustRe(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// Every known difference names a row DIFFERENCES.md really has, and the
// stop lines of keepalived and govrrpd are covered as the report sees them.
func TestKnownDifferencesAreDocumented(t *testing.T) {
	md, err := os.ReadFile(diffFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range KnownDifferences {
		if !strings.Contains(string(md), k.Doc) {
			t.Errorf("DIFFERENCES.md has no %q", k.Doc)
		}
	}
	for _, d := range []Difference{
		{Section: "states master", Lines: []string{"- Stopped Keepalived v2.2.7 (01/16,2022)", "+ Stopped govrrpd (keepalived v2.2.7 compatible)"}},
		{Section: "timing", Lines: []string{"- term->daemon-exited 1016ms ±500ms", "+ term->daemon-exited 11ms ±500ms (off by -1005ms)"}},
	} {
		if ok, _ := covered("vrrp-stop", d, KnownDifferences, string(md)); !ok {
			t.Errorf("not covered: %v", d)
		}
	}
	// A govrrpd that lingered or exited late is not the documented case.
	late := Difference{Section: "timing", Lines: []string{"- term->daemon-exited 1016ms ±500ms", "+ term->daemon-exited 2400ms ±500ms (off by 1384ms)"}}
	if ok, _ := covered("vrrp-stop", late, KnownDifferences, string(md)); ok {
		t.Errorf("covered: %v", late)
	}
}

// Received-advert lines repeat as often as adverts arrive during a timer:
// a run of them is shown once; other lines are all kept.
func TestStateLinesCollapseAdvertRuns(t *testing.T) {
	var in []stamped
	for _, l := range []string{
		"(VI_1) Entering BACKUP STATE (init)",
		"(VI_1) received lower priority (50) advert from 192.168.13.129 - discarding",
		"(VI_1) received lower priority (50) advert from 192.168.13.129 - discarding",
		"(VI_1) received lower priority (50) advert from 192.168.13.129 - discarding",
		"(VI_1) Entering MASTER STATE",
		"(VI_1) setting VIPs.",
		"(VI_1) setting VIPs.",
	} {
		in = append(in, stamped{text: "Wed Nov 25 15:43:07 2026: " + l})
	}
	want := []string{
		"(VI_1) Entering BACKUP STATE (init)",
		"(VI_1) received lower priority (50) advert from 192.168.13.129 - discarding",
		"(VI_1) Entering MASTER STATE",
		"(VI_1) setting VIPs.",
		"(VI_1) setting VIPs.",
	}
	if got := stateLines(in); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSideBySide: both implementations' figures on one line per figure,
// a missing one shown as "-".
func TestSideBySide(t *testing.T) {
	ref := &Transcript{Timings: []Timing{{Name: "a", Value: 800 * time.Millisecond, Window: 500 * time.Millisecond}, {Name: "b", Value: time.Second, Window: time.Second}}}
	goha := &Transcript{Timings: []Timing{{Name: "a", Value: 810 * time.Millisecond}}}
	got := SideBySide(ref, goha)
	want := "== timing side by side (reference | goha | window)\n" +
		"a                                   800ms      810ms    ±500ms\n" +
		"b                                  1000ms          -   ±1000ms\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
