package log

import (
	"strings"
	"testing"
)

// TestStateMessagesFromInputs builds the messages of the golden scenario
// from what the scenario did (not from the recorded lines) and requires
// each to be among the lines haproxy 2.6 sent, at the same syslog level.
func TestStateMessagesFromInputs(t *testing.T) {
	l4con := &CheckInfo{Status: CheckL4Conn, Info: "Connection refused", DurationMS: 0}
	l4ok := &CheckInfo{Status: CheckL4OK, DurationMS: 0}
	none := ServerCounts{}
	type built struct {
		msg   []byte
		level int
	}
	mk := func(b []byte, l int) built { return built{b, l} }
	cases := []built{
		mk(ServerDown(nil, ServerRef{Backend: "be_down2", Server: "s1"}, l4con, none, false)),
		mk(ServerDown(nil, ServerRef{Backend: "be_down", Server: "s1"}, nil, none, false)),
		mk(HealthCheck(nil, ServerRef{Backend: "be_down", Server: "s1"}, false, CheckFailed, l4con, 0, 2, 3, 1)),
		mk(NoServerAvailable(nil, "backend", "be_down")),
		mk(ServerDown(nil, ServerRef{Backend: "be_flap", Server: "s1"}, nil, ServerCounts{Backup: 1}, false)),
		mk(ServerDown(nil, ServerRef{Backend: "be_flap", Server: "b1", Backup: true}, nil, none, false)),
		mk(HealthCheck(nil, ServerRef{Backend: "be_flap", Server: "b1", Backup: true}, false, CheckFailed, l4con, 0, 2, 3, 1)),
		mk(HealthCheck(nil, ServerRef{Backend: "be_flap", Server: "s1"}, false, CheckSucceeded, l4ok, 1, 1, 1, 1)),
		mk(ServerUp(nil, ServerRef{Backend: "be_flap", Server: "s1"}, nil, ServerCounts{Active: 1})),
		mk(ServerEnterMaint(nil, ServerRef{Backend: "be_web", Server: "s1"}, "", nil, none, false, false, true)),
		mk(ServerLeaveMaint(nil, ServerRef{Backend: "be_web", Server: "s1"}, LeaveForcedMaint, "", false, false)),
		mk(ProxyStopped(nil, "be_down2", 0, 0)),
	}
	lines := readGoldenLines(t, "main", "global_rfc3164")
	for _, c := range cases {
		found := false
		for _, line := range lines {
			h, err := parseHeaderLine(FormatRFC3164, false, line)
			if err != nil {
				t.Fatal(err)
			}
			if h.msg == string(c.msg) {
				found = true
				pri := string(appendPriority(nil, 17<<3+c.level))
				if !strings.HasPrefix(line, pri) {
					t.Errorf("%q: haproxy sent it as %s, we say %s", c.msg, line[:5], pri)
				}
			}
		}
		if !found {
			t.Errorf("haproxy never sent %q", c.msg)
		}
	}

	// The example of the brief, word for word.
	b, lvl := ServerDown(nil, ServerRef{Backend: "be", Server: "s1"}, l4con, none, false)
	want := `Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`
	if string(b) != want || lvl != LevelAlert {
		t.Errorf("got %q at %d", b, lvl)
	}
}

func TestOtherStateMessages(t *testing.T) {
	c := &CheckInfo{Status: CheckL7Status, Code: 503, Info: "Service <Unavailable>\x01", DurationMS: 12}
	cases := []struct {
		got   []byte
		level int
		want  string
		wantL int
	}{}
	add := func(b []byte, l int, want string, wl int) {
		cases = append(cases, struct {
			got   []byte
			level int
			want  string
			wantL int
		}{b, l, want, wl})
	}
	b, l := ServerDown(nil, ServerRef{Backend: "be", Server: "s2"}, c, ServerCounts{Active: 0, Backup: 1, Sessions: 3, Requeued: 2, Queue: 1}, true)
	add(b, l, `Server be/s2 is DOWN, reason: Layer7 wrong status, code: 503, info: "Service <3C>Unavailable<3E><01>", check duration: 12ms. 0 active and 1 backup servers left. Running on backup. 3 sessions active, 2 requeued, 1 remaining in queue.`, LevelNotice)
	b, l = ServerStopping(nil, ServerRef{Backend: "be", Server: "s2", Tracked: "be2/s9"}, nil, ServerCounts{Active: 2})
	add(b, l, `Server be/s2 is stopping via be2/s9. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`, LevelNotice)
	b, l = ServerEnterMaint(nil, ServerRef{Backend: "be", Server: "s2"}, "resolution failed", nil, ServerCounts{}, true, false, false)
	add(b, l, `Server be/s2 was DOWN and now enters maintenance (resolution failed).`, LevelNotice)
	b, l = ServerLeaveMaint(nil, ServerRef{Backend: "be", Server: "s2", Backup: true}, ResolvesAgain, "app.example", true, true)
	add(b, l, `Backup Server be/s2 ('app.example') is DOWN/DRAIN (resolves again).`, LevelNotice)
	b, l = HealthCheck(nil, ServerRef{Backend: "be", Server: "s2"}, true, CheckConditionallySucceeded, &CheckInfo{Status: CheckNone, Reason: "agent says drain", DurationMS: -1}, 4, 2, 3, 0)
	add(b, l, `Agent check for server be/s2 conditionally succeeded, agent says drain, status: 3/3 DRAIN.`, LevelNotice)
	b, l = NoServerAvailable(nil, "proxy", "app")
	add(b, l, `proxy app has no server available!`, LevelEmerg)
	for _, c := range cases {
		if string(c.got) != c.want || c.level != c.wantL {
			t.Errorf("got  %q (%d)\nwant %q (%d)", c.got, c.level, c.want, c.wantL)
		}
	}
}
