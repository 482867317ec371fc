package log

// TestGoldenLines: every datagram haproxy 2.6 sent in the golden scenario
// is parsed back (header fields, then each value through the compiled
// program), rendered again with this package and framed with the logger's
// format, facility, level and `len`; the bytes must be identical.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func readGoldenLines(t *testing.T, run, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, run, name+".log"))
	if err != nil {
		t.Fatalf("golden file missing (regenerate with -update): %v", err)
	}
	if len(b) == 0 {
		return nil
	}
	if b[len(b)-1] != '\n' {
		t.Fatalf("%s/%s: last datagram does not end with LF", run, name)
	}
	return strings.Split(string(b[:len(b)-1]), "\n")
}

// frontendFormat returns the log-format haproxy compiles for a frontend.
func frontendFormat(fe goldenFrontend) string {
	switch fe.option {
	case "httplog":
		return HTTPLogFormat
	case "httplog clf":
		return CLFLogFormat
	case "httpslog":
		return HTTPSLogFormat
	case "tcplog":
		return TCPLogFormat
	case "custom":
		return fe.logFormat
	}
	return ""
}

func shapeOf(fe goldenFrontend) frontendShape {
	return frontendShape{http: fe.http, ssl: fe.ssl, logASAP: fe.logASAP, reqCaps: fe.reqCaps, rspCaps: fe.rspCaps}
}

// messageRenderer recognises one of haproxy's fixed messages, rebuilds it
// from its inputs with this package and returns it with its level.
type messageRenderer struct {
	re     *regexp.Regexp
	render func(m []string) ([]byte, int)
}

var reasonRe = `((?:, reason: [^,]+)?(?:, code: \d+)?(?:, info: "[^"]*")?(?:, check duration: \d+ms)?)`

func parseReason(s string) *CheckInfo {
	if s == "" {
		return nil
	}
	c := &CheckInfo{Status: CheckNone, DurationMS: -1}
	for _, part := range strings.Split(strings.TrimPrefix(s, ", "), ", ") {
		switch {
		case strings.HasPrefix(part, "reason: "):
			d := strings.TrimPrefix(part, "reason: ")
			for st := CheckUnknown; st <= CheckProcOK; st++ {
				if st.Description() == d {
					c.Status = st
					break
				}
			}
		case strings.HasPrefix(part, "code: "):
			c.Code, _ = strconv.Atoi(strings.TrimPrefix(part, "code: "))
		case strings.HasPrefix(part, "info: "):
			c.Info = strings.Trim(strings.TrimPrefix(part, "info: "), `"`)
		case strings.HasPrefix(part, "check duration: "):
			v, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(part, "check duration: "), "ms"))
			c.DurationMS = int64(v)
		}
	}
	return c
}

func atoi(s string) int { v, _ := strconv.Atoi(s); return v }

var messageRenderers = []messageRenderer{
	{regexp.MustCompile(`^Proxy (\S+) stopped \(cumulated conns: FE: (\d+), BE: (\d+)\)\.$`), func(m []string) ([]byte, int) {
		return ProxyStopped(nil, m[1], int64(atoi(m[2])), int64(atoi(m[3])))
	}},
	{regexp.MustCompile(`^Scheduling a soft-stop in (\d+) ms\.$`), func(m []string) ([]byte, int) {
		return SoftStopScheduled(nil, atoi(m[1]))
	}},
	{regexp.MustCompile(`^soft-stop running for too long, performing a hard-stop\.$`), func(m []string) ([]byte, int) {
		return HardStopping(nil)
	}},
	{regexp.MustCompile(`^Proxy (\S+) hard-stopped \((\d+) remaining conns will be closed\)\.$`), func(m []string) ([]byte, int) {
		return ProxyHardStopped(nil, m[1], atoi(m[2]))
	}},
	{regexp.MustCompile(`^Grace period expired, proceeding with soft-stop now\.$`), func(m []string) ([]byte, int) {
		return GraceExpired(nil)
	}},
	{regexp.MustCompile(`^(backend|proxy) (\S+) has no server available!$`), func(m []string) ([]byte, int) {
		return NoServerAvailable(nil, m[1], m[2])
	}},
	{regexp.MustCompile(`^(Backup )?Server (\S+)/(\S+) is DOWN` + reasonRe + `\. (\d+) active and (\d+) backup servers left\.(?: Running on backup\.)? (\d+) sessions active, (\d+) requeued, (\d+) remaining in queue\.$`), func(m []string) ([]byte, int) {
		return ServerDown(nil, ServerRef{Backend: m[2], Server: m[3], Backup: m[1] != ""}, parseReason(m[4]),
			ServerCounts{Active: atoi(m[5]), Backup: atoi(m[6]), Sessions: atoi(m[7]), Requeued: atoi(m[8]), Queue: atoi(m[9])}, false)
	}},
	{regexp.MustCompile(`^(Backup )?Server (\S+)/(\S+) is going DOWN for maintenance` + reasonRe + `\. (\d+) active and (\d+) backup servers left\.(?: Running on backup\.)? (\d+) sessions active, (\d+) requeued, (\d+) remaining in queue\.$`), func(m []string) ([]byte, int) {
		return ServerEnterMaint(nil, ServerRef{Backend: m[2], Server: m[3], Backup: m[1] != ""}, "", parseReason(m[4]),
			ServerCounts{Active: atoi(m[5]), Backup: atoi(m[6]), Sessions: atoi(m[7]), Requeued: atoi(m[8]), Queue: atoi(m[9])}, false, false, true)
	}},
	{regexp.MustCompile(`^(Backup )?Server (\S+)/(\S+) is UP` + reasonRe + `\. (\d+) active and (\d+) backup servers online\.(?: Running on backup\.)? (\d+) sessions requeued, (\d+) total in queue\.$`), func(m []string) ([]byte, int) {
		return ServerUp(nil, ServerRef{Backend: m[2], Server: m[3], Backup: m[1] != ""}, parseReason(m[4]),
			ServerCounts{Active: atoi(m[5]), Backup: atoi(m[6]), Requeued: atoi(m[7]), Queue: atoi(m[8])})
	}},
	{regexp.MustCompile(`^(Backup )?Server (\S+)/(\S+) is (UP|DOWN)/(READY|DRAIN) \(leaving (forced )?maintenance\)\.$`), func(m []string) ([]byte, int) {
		how := LeaveMaint
		if m[6] != "" {
			how = LeaveForcedMaint
		}
		return ServerLeaveMaint(nil, ServerRef{Backend: m[2], Server: m[3], Backup: m[1] != ""}, how, "", m[4] == "DOWN", m[5] == "DRAIN")
	}},
	{regexp.MustCompile(`^(Health|Agent) check for (backup )?server (\S+)/(\S+) (failed|succeeded|conditionally succeeded)` + reasonRe + `, status: (\d+)/(\d+) (UP|DOWN|DRAIN)\.$`), func(m []string) ([]byte, int) {
		outcome := map[string]CheckOutcome{"failed": CheckFailed, "succeeded": CheckSucceeded, "conditionally succeeded": CheckConditionallySucceeded}[m[5]]
		a, b := atoi(m[7]), atoi(m[8])
		health, rise, fall, weight := a, b, 1, 1
		if m[9] != "DOWN" { // a = health-rise+1, b = fall
			health, rise, fall = a, 1, b
			if m[9] == "DRAIN" {
				weight = 0
			}
		}
		return HealthCheck(nil, ServerRef{Backend: m[3], Server: m[4], Backup: m[2] != ""}, m[1] == "Agent", outcome, parseReason(m[6]), health, rise, fall, weight)
	}},
}

// renderMessage rebuilds a fixed message, or reports false.
func renderMessage(msg string) ([]byte, int, bool) {
	for _, mr := range messageRenderers {
		if m := mr.re.FindStringSubmatch(msg); m != nil {
			b, lvl := mr.render(m)
			return b, lvl, true
		}
	}
	return nil, 0, false
}

var (
	connectRe     = regexp.MustCompile(`^Connect from `)
	connectUnixRe = regexp.MustCompile(`^Connect to unix:(\d+) \((\S+)/(HTTP|TCP)\)$`)
)

// rendered is one golden line rebuilt by this package.
type rendered struct {
	msg   []byte
	level int
	kind  string
}

// renderGolden rebuilds the message part of one line of a logger.
func renderGolden(t *testing.T, fe *goldenFrontend, msg string) (rendered, error) {
	if b, lvl, ok := renderMessage(msg); ok {
		return rendered{b, lvl, "message"}, nil
	}
	if fe == nil {
		return rendered{}, fmt.Errorf("not a known haproxy message: %q", msg)
	}
	if m := connectUnixRe.FindStringSubmatch(msg); m != nil {
		r := &Record{UnixListener: true, ListenerID: atoi(m[1]), FrontendName: m[2]}
		b, lvl := ConnectFrom(nil, r, m[3] == "HTTP")
		return rendered{b, lvl, "connect"}, nil
	}
	if connectRe.MatchString(msg) {
		var lp *lineParser
		prog := MustCompile("%ci:%cp %fi:%fp", CompileOptions{})
		lp, _ = newLineParser(prog, frontendShape{})
		m := regexp.MustCompile(`^Connect from (\S+) to (\S+) \((\S+)/(HTTP|TCP)\)$`).FindStringSubmatch(msg)
		if m == nil {
			return rendered{}, fmt.Errorf("bad connect line %q", msg)
		}
		r, err := lp.parse(m[1] + " " + m[2])
		if err != nil {
			return rendered{}, err
		}
		r.FrontendName = m[3]
		b, lvl := ConnectFrom(nil, r, m[4] == "HTTP")
		return rendered{b, lvl, "connect"}, nil
	}
	format := frontendFormat(*fe)
	kind := "request"
	if fe.errFormat != "" && strings.HasPrefix(msg, "ERR ") {
		format, kind = fe.errFormat, "error-log-format"
	}
	prog, err := Compile(format, CompileOptions{HTTP: fe.http})
	if err != nil {
		return rendered{}, fmt.Errorf("compile %q: %v", format, err)
	}
	lp, err := newLineParser(prog, shapeOf(*fe))
	if err != nil {
		return rendered{}, err
	}
	r, err := lp.parse(msg)
	if long := ` "GET ` + longPath; err != nil && strings.Contains(msg, long) && !strings.HasSuffix(msg, `HTTP/1.1"`) {
		// haproxy cut the line at its 1024-byte buffer: rebuild the full
		// line from the request the scenario sent, and let Append cut it.
		full := msg[:strings.Index(msg, long)] + ` "GET ` + longPath + strings.Repeat("a", longCount) + ` HTTP/1.1"`
		if r, err = lp.parse(full); err == nil {
			kind = "truncated"
		}
	}
	if err != nil && (fe.reqCaps > 0 || fe.rspCaps > 0) {
		// A session that never became a stream (a request rejected by the
		// HTTP parser, sess_log()) has no capture slots: %hr/%hs vanish.
		shape := shapeOf(*fe)
		shape.reqCaps, shape.rspCaps = 0, 0
		if lp, err2 := newLineParser(prog, shape); err2 == nil {
			if r2, err2 := lp.parse(msg); err2 == nil {
				r, err, kind = r2, nil, "session"
			}
		}
	}
	if err != nil {
		return rendered{}, err
	}
	// The frontend's unique-id-format, rendered from the same record,
	// must give the %ID the line shows.
	for _, x := range fe.extra {
		if f, ok := strings.CutPrefix(x, "unique-id-format "); ok && r.UniqueID != nil {
			uid, err := Compile(strings.ReplaceAll(f, `\ `, " "), CompileOptions{HTTP: fe.http, UniqueID: true})
			if err != nil {
				return rendered{}, err
			}
			if got := uid.Append(nil, r, 0); string(got) != string(r.UniqueID) {
				return rendered{}, fmt.Errorf("unique-id-format renders %q, haproxy logged %q", got, r.UniqueID)
			}
			kind += "+unique-id"
		}
	}
	level := SessionLogLevel(fe.sepErrors)
	if kind != "session" && kind != "error-log-format" {
		var send bool
		if level, send = r.StreamLogLevel(fe.http, fe.dontLog, fe.sepErrors); !send {
			return rendered{}, fmt.Errorf("haproxy logged a stream we would not log: %q", msg)
		}
	}
	return rendered{prog.Append(nil, r, 0), level, kind}, nil
}

// renderSD rebuilds a log-format-sd part the same way as a message.
func renderSD(fe *goldenFrontend, sd string) ([]byte, error) {
	prog, err := Compile(fe.sdFormat, CompileOptions{HTTP: fe.http})
	if err != nil {
		return nil, err
	}
	lp, err := newLineParser(prog, shapeOf(*fe))
	if err != nil {
		return nil, err
	}
	r, err := lp.parse(sd)
	if err != nil {
		return nil, err
	}
	return prog.Append(nil, r, 0), nil
}

// goldenRun describes one recorded haproxy run.
type goldenRun struct {
	name      string
	loggers   []goldenLogger
	frontends []goldenFrontend
	hostname  string
	tag       string
	// lenSource names, for a logger with `len`, an unlimited logger of
	// the same scope whose lines carry the full messages.
	lenSource map[string]string
}

func goldenRuns() []goldenRun {
	return []goldenRun{
		{name: "main", loggers: goldenLoggers(), frontends: goldenFrontends(), tag: "haproxy",
			lenSource: map[string]string{"global_len": "global_rfc3164", "fe_custom_len": "fe_custom_raw"}},
		{name: "hostname", loggers: hostnameLoggers(), hostname: goldenHostname, tag: goldenTag,
			frontends: []goldenFrontend{{name: "fe_host", http: true, option: "httplog"}, {name: "fe_hold", option: "tcplog"}}},
	}
}

func TestGoldenLines(t *testing.T) {
	total := map[string]int{}
	for _, run := range goldenRuns() {
		for _, lg := range run.loggers {
			t.Run(run.name+"/"+lg.name, func(t *testing.T) {
				lines := readGoldenLines(t, run.name, lg.name)
				if len(lines) == 0 {
					t.Fatal("no datagrams recorded")
				}
				// The frontends whose lines this logger may carry.
				var fes []*goldenFrontend
				for i := range run.frontends {
					if run.frontends[i].name == lg.scope || (lg.scope == "global" && run.name == "hostname") {
						fes = append(fes, &run.frontends[i])
					}
				}
				var full []string
				if src, ok := run.lenSource[lg.name]; ok {
					full = readGoldenLines(t, run.name, src)
					if len(full) != len(lines) {
						t.Fatalf("%d lines, but %d in %s", len(lines), len(full), src)
					}
				}
				format, _ := ParseFormat(lg.format)
				for i, line := range lines {
					h, err := parseHeaderLine(format, run.hostname != "", line)
					if err != nil {
						t.Fatal(err)
					}
					msg := h.msg
					if full != nil {
						fh, err := parseHeaderLine(FormatRFC3164, false, full[i])
						if lg.name == "fe_custom_len" {
							fh, err = parseHeaderLine(FormatRaw, false, full[i])
						}
						if err != nil {
							t.Fatal(err)
						}
						msg = fh.msg
					}
					var got rendered
					var fe *goldenFrontend
					if len(fes) == 0 {
						got, err = renderGolden(t, nil, msg)
					}
					for _, fe = range fes {
						if got, err = renderGolden(t, fe, msg); err == nil {
							break
						}
					}
					if err != nil {
						t.Errorf("line %d: %v", i+1, err)
						continue
					}
					level := got.level
					if minLevel := ParseLevel(lg.minLevel); minLevel > level {
						level = minLevel
					}
					if maxLevel := ParseLevel(lg.level); maxLevel >= 0 && level > maxLevel {
						t.Errorf("line %d: level %s is above the logger's %s, haproxy would not have sent it", i+1, LevelName(level), lg.level)
					}
					hdr := &Header{Format: format, Facility: ParseFacility(lg.facility), Level: level,
						Hostname: run.hostname, Tag: run.tag, PID: h.pid, Time: h.time}
					if format == FormatRFC5424 {
						hdr.StructuredData = []byte(DefaultSDFormat)
						if fe != nil && fe.sdFormat != "" && got.kind != "message" {
							sd, err := renderSD(fe, h.sd)
							if err != nil {
								t.Errorf("line %d: structured data: %v", i+1, err)
								continue
							}
							hdr.StructuredData = sd
						}
					}
					out := AppendDatagram(nil, hdr, got.msg, lg.length)
					if !bytes.Equal(out, []byte(line+"\n")) {
						t.Errorf("line %d (%s) differs:\nhaproxy: %q\ngoha:    %q", i+1, got.kind, line+"\n", out)
						continue
					}
					total[got.kind]++
				}
			})
		}
	}
	t.Logf("byte-identical lines: %v", total)
}

// TestGoldenLevelFiltering checks that loggers with a maximum level got
// exactly the messages at or below it, in order, compared with a logger
// that takes every level.
func TestGoldenLevelFiltering(t *testing.T) {
	all := readGoldenLines(t, "main", "global_raw")
	ref := readGoldenLines(t, "main", "global_rfc3164")
	var levels []int
	var msgs []string
	for _, line := range ref {
		h, err := parseHeaderLine(FormatRFC3164, false, line)
		if err != nil {
			t.Fatal(err)
		}
		_, lvl, ok := renderMessage(h.msg)
		if !ok {
			t.Fatalf("unknown message %q", h.msg)
		}
		levels = append(levels, lvl)
		msgs = append(msgs, h.msg)
	}
	for _, lg := range goldenLoggers() {
		if lg.scope != "global" || lg.level == "" {
			continue
		}
		max := ParseLevel(lg.level)
		var want []string
		for i, m := range msgs {
			if levels[i] <= max {
				want = append(want, m)
			}
		}
		var got []string
		format, _ := ParseFormat(lg.format)
		for _, line := range readGoldenLines(t, "main", lg.name) {
			h, err := parseHeaderLine(format, false, line)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, h.msg)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s (level %s): haproxy sent\n%s\nwe would send\n%s", lg.name, lg.level, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if len(all) != len(msgs) {
		t.Errorf("global_raw (level info) has %d lines, the unfiltered logger %d", len(all), len(msgs))
	}
}

// TestGoldenStreamTargets checks `log stdout format short` and `log stderr
// format raw` against what haproxy wrote to its own stdout and stderr.
func TestGoldenStreamTargets(t *testing.T) {
	out, err := os.ReadFile(filepath.Join(goldenDir, "hostname", "stdout.txt"))
	if err != nil {
		t.Fatal(err)
	}
	fes := goldenRuns()[1].frontends
	n := 0
	var msgs []rendered // what stdout carried, in order
	for _, line := range strings.SplitAfter(string(out), "\n") {
		if line == "" {
			continue
		}
		h, err := parseHeaderLine(FormatShort, false, strings.TrimSuffix(line, "\n"))
		if err != nil {
			t.Fatal(err)
		}
		var got rendered
		for i := range fes {
			if got, err = renderGolden(t, &fes[i], h.msg); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, got)
		b := AppendStreamLine(nil, &Header{Format: FormatShort, Facility: 16, Level: got.level}, got.msg, 0)
		if string(b) != line {
			t.Errorf("stdout line differs:\nhaproxy: %q\ngoha:    %q", line, b)
		}
		n++
	}
	errb, err := os.ReadFile(filepath.Join(goldenDir, "hostname", "stderr.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// stderr is `len 80 format raw`: the same messages, cut at 79 bytes
	// plus the LF.
	i := 0
	for _, line := range strings.SplitAfter(string(errb), "\n") {
		if line == "" || strings.HasPrefix(line, "[") {
			continue // haproxy's own warnings, not log lines
		}
		if i >= len(msgs) {
			t.Fatalf("more stderr log lines than stdout ones")
		}
		b := AppendStreamLine(nil, &Header{Format: FormatRaw}, msgs[i].msg, 80)
		if string(b) != line {
			t.Errorf("stderr line differs:\nhaproxy: %q\ngoha:    %q", line, b)
		}
		i++
		n++
	}
	if n < 4 {
		t.Errorf("only %d stream lines checked", n)
	}
}

// TestGoldenCompileErrors compares Compile's verdict and wording with what
// `haproxy -c` said about each format.
func TestGoldenCompileErrors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(goldenDir, "compile_errors.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// The engine knows sample fetches; this stand-in knows the few the
	// cases use, to show how a Sample hook words its errors.
	known := map[string]bool{"src": true, "capture.req.hdr": true, "fe_name": true, "lower": true}
	sample := func(rest string) (int, error) {
		n, err := ScanSample(rest)
		if err != nil {
			return 0, err
		}
		expr := rest[:n]
		for i, part := range strings.Split(expr, ",") {
			name := part
			if j := strings.IndexByte(name, '('); j >= 0 {
				name = name[:j]
			}
			if !known[name] {
				if i == 0 {
					return 0, fmt.Errorf("unknown fetch method '%s'", name)
				}
				return 0, fmt.Errorf("unknown converter '%s'", name)
			}
		}
		return n, nil
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var c compileCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		if c.Format == "" {
			continue // rejected by the keyword parser, not the compiler
		}
		_, err := Compile(c.Format, CompileOptions{HTTP: c.HTTP, Sample: sample})
		switch {
		case c.OK && err != nil:
			t.Errorf("%q: haproxy accepts it, Compile says %v", c.Format, err)
		case !c.OK && err == nil:
			t.Errorf("%q: haproxy says %q, Compile accepts it", c.Format, c.Alert)
		case !c.OK && err.Error() != c.Alert:
			t.Errorf("%q:\nhaproxy: %s\ngoha:    %s", c.Format, c.Alert, err)
		}
	}
}

// TestGoldenSampling replays the messages fe_http sent to its unsampled
// logger through a `sample 1,3-4:5` clause and expects the lines haproxy
// sent to the sampled one.
func TestGoldenSampling(t *testing.T) {
	all := readGoldenLines(t, "main", "fe_http_raw")
	got := readGoldenLines(t, "main", "fe_http_sample")
	var lg goldenLogger
	for _, l := range goldenLoggers() {
		if l.name == "fe_http_sample" {
			lg = l
		}
	}
	tg, err := ParseTarget(strings.Fields("127.0.0.1"+lg.logArgs()), false)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range all {
		if _, ok := tg.Accepts(LevelInfo); ok {
			want = append(want, line)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sampling differs:\nhaproxy:\n%s\ngoha:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(got) == 0 || len(got) == len(all) {
		t.Errorf("the scenario does not exercise sampling (%d of %d lines)", len(got), len(all))
	}
}
