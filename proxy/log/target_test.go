package log

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenTargetErrors compares ParseTarget with what `haproxy -c` said
// about each `log` line.
func TestGoldenTargetErrors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(goldenDir, "target_errors.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var c targetCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		_, err := ParseTarget(strings.Fields(c.Args), c.Global)
		switch {
		case c.OK && err != nil:
			t.Errorf("log %s: haproxy accepts it, ParseTarget says %v", c.Args, err)
		case !c.OK && err == nil:
			t.Errorf("log %s: haproxy says %q, ParseTarget accepts it", c.Args, c.Alert)
		case !c.OK && err.Error() != c.Alert:
			t.Errorf("log %s:\nhaproxy: %s\ngoha:    %s", c.Args, c.Alert, err)
		}
	}
}

func TestParseTargetFields(t *testing.T) {
	cases := []struct {
		args string
		want Target
	}{
		{"127.0.0.1 local0", Target{Network: "udp", Address: "127.0.0.1:514", MaxLen: 1024, Facility: 16, Level: 7}},
		{"10.0.0.1:1514 len 200 format rfc5424 local7 notice info",
			Target{Network: "udp", Address: "10.0.0.1:1514", Format: FormatRFC5424, MaxLen: 200, Facility: 23, Level: 5, MinLevel: 6}},
		{"/dev/log daemon", Target{Network: "unixgram", Address: "/dev/log", MaxLen: 1024, Facility: 3, Level: 7}},
		{"stdout format raw local0", Target{Network: "fd", FD: 1, Format: FormatRaw, MaxLen: 1024, Facility: 16, Level: 7}},
		{"stderr local0 err", Target{Network: "fd", FD: 2, MaxLen: 1024, Facility: 16, Level: 3}},
		{"[::1]:600 local0", Target{Network: "udp", Address: "[::1]:600", MaxLen: 1024, Facility: 16, Level: 7}},
		{"ring@buf local0", Target{Network: "ring", Address: "buf", MaxLen: 1024, Facility: 16, Level: 7}},
	}
	for _, c := range cases {
		got, err := ParseTarget(strings.Fields(c.args), false)
		if err != nil {
			t.Errorf("%s: %v", c.args, err)
			continue
		}
		got.Sample = nil
		if *got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.args, *got, c.want)
		}
	}
}

// TestSamplingSequence follows process_send_log(): with "1,3-4:5" the
// 1st, 3rd and 4th of every 5 messages are sent.
func TestSamplingSequence(t *testing.T) {
	tg, err := ParseTarget(strings.Fields("127.0.0.1 sample 3-4,1:5 local0"), false)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for i := 1; i <= 12; i++ {
		if _, ok := tg.Accepts(LevelInfo); ok {
			got = append(got, i)
		}
	}
	want := []int{1, 3, 4, 6, 8, 9, 11}
	if len(got) != len(want) {
		t.Fatalf("sent %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sent %v, want %v", got, want)
		}
	}
}

func TestAcceptsLevels(t *testing.T) {
	tg, _ := ParseTarget(strings.Fields("127.0.0.1 local0 notice warning"), false)
	for _, c := range []struct {
		in, out int
		ok      bool
	}{
		{LevelEmerg, LevelWarning, true},
		{LevelAlert, LevelWarning, true},
		{LevelWarning, LevelWarning, true},
		{LevelNotice, LevelNotice, true},
		{LevelInfo, 0, false},
	} {
		out, ok := tg.Accepts(c.in)
		if ok != c.ok || (ok && out != c.out) {
			t.Errorf("level %d: got %d,%v want %d,%v", c.in, out, ok, c.out, c.ok)
		}
	}
}

// TestTargetAddressWording covers address errors haproxy -c printed once
// but which the golden run no longer asks it (they may make it query DNS).
func TestTargetAddressWording(t *testing.T) {
	for args, want := range map[string]string{
		"::1 local0":                "invalid address: ':' in '::1'",
		"udp6@::1 local0":           "invalid address: ':' in 'udp6@::1'",
		"nosuchhost.invalid local0": "invalid address: 'nosuchhost.invalid' in 'nosuchhost.invalid'",
	} {
		_, err := ParseTarget(strings.Fields(args), false)
		if err == nil || err.Error() != want {
			t.Errorf("log %s: got %v, want %q", args, err, want)
		}
	}
}
