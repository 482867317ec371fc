package log

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func render(t *testing.T, format string, r *Record, maxLen int) string {
	t.Helper()
	p, err := Compile(format, CompileOptions{HTTP: true})
	if err != nil {
		t.Fatalf("%q: %v", format, err)
	}
	if r.Samples == nil {
		r.Samples = make([][]byte, len(p.Samples()))
	}
	return string(p.Append(nil, r, maxLen))
}

func TestRenderEmptyRecord(t *testing.T) {
	r := &Record{Request: -1, Queue: -1, Connect: -1, Data: -1, FrontendName: "fe"}
	cases := map[string]string{
		HTTPLogFormat: `-:- [01/Jan/0001:00:00:00.000] fe -/<NOSRV> -1/-1/-1/-1/0 0 0 - - ---- 0/0/0/0/0 0/0 "<BADREQ>"`,
		"%{-M}ci|%{-M}b|%{+Q}ci|%{+Q,-M}CC|%ID|%{+Q}ID": `||""|""|-|""`,
		"%HM %HP %HPO %HQ %HU %HV":                      `<BADREQ> <BADREQ> <BADREQ> <BADREQ> <BADREQ> <BADREQ>`,
		"%hr %hs %hrl %hsl end":                         `end`,
	}
	for f, want := range cases {
		if got := render(t, f, r, 0); got != want {
			t.Errorf("%q:\n got %q\nwant %q", f, got, want)
		}
	}
}

func TestRenderSeparators(t *testing.T) {
	r := sampleRecord()
	r.RequestCaptures, r.ResponseCaptures = nil, nil
	cases := map[string]string{
		"  %b   %s  ":     "web web1 ",    // leading dropped, runs collapse, one trailing kept
		"%b %hr %hs %s":   "web web1",     // empty captures leave no double space
		"%b\t%s":          "web\tweb1",    // only spaces are separators
		"[%b] %hr [%s]":   "[web] [web1]", // text clears the separator state
		"%b %{+Q}o %b %s": `web "web" "web1"`,
		"%%ci %-x %b %[":  "", // error case, see below
		"a%%b%%%b":        "a%b%web",
	}
	for f, want := range cases {
		p, err := Compile(f, CompileOptions{HTTP: true})
		if err != nil {
			if want != "" {
				t.Errorf("%q: %v", f, err)
			}
			continue
		}
		if got := string(p.Append(nil, r, 0)); got != want {
			t.Errorf("%q:\n got %q\nwant %q", f, got, want)
		}
	}
}

func TestRenderTruncation(t *testing.T) {
	r := sampleRecord()
	// maxLen bounds the message to maxLen-1 bytes; numbers and dates are
	// written whole or not at all, text is cut.
	cases := []struct {
		format string
		max    int
		want   string
	}{
		{"%b %s", 6, "web w"},
		{"%b %B", 6, "web "},
		{"%b %B", 9, "web 1234"},
		{"%b %t", 20, "web "},
		{"%b %{+Q}s", 7, "web "},
		{"%b %{+Q}s", 8, "web "},
		{"%b %{+Q}r", 12, `web "GET /i`},
		{"%r", 10, "GET /inde"},
	}
	for _, c := range cases {
		if got := render(t, c.format, r, c.max); got != c.want {
			t.Errorf("%q max %d:\n got %q\nwant %q", c.format, c.max, got, c.want)
		}
	}
}

func TestRenderAddressesAndOptions(t *testing.T) {
	r := sampleRecord()
	r.Client = netip.MustParseAddrPort("[2001:db8::1]:443")
	r.Redispatched, r.Retries = true, 2
	r.LogASAP = true
	got := render(t, "%ci %{+X}ci:%{+X}cp %{+Q}ci %rc %Tt %Ta %Tu %B %{+X}Ts %{+X}ms %{+X}pid", r, 0)
	want := `2001:db8::1 20010DB8000000000000000000000001:01BB "2001:db8::1" +2 +12 +11 +11 +1234 6B06A4C3 2A 04D2`
	if got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	r.UnixListener, r.ListenerID = true, 3
	if got := render(t, "%ci:%cp %fi:%fp", r, 0); got != "unix:3 unix:3" {
		t.Errorf("unix listener: %q", got)
	}
	// +X on a unix address makes haproxy stop the line there.
	if got := render(t, "%b %{+X}ci %s", r, 0); got != "web " {
		t.Errorf("+X on unix: %q", got)
	}
}

func TestRenderTimers(t *testing.T) {
	r := &Record{Handshake: 2, Idle: 5, Request: 10, Queue: 11, Connect: 14, Data: 20, Close: 30, BackendHTTP: true}
	if got := render(t, "%Th %Ti %TR %Tq %Tw %Tc %Tr %Td %Ta %Tt %Tu", r, 0); got != "2 5 3 10 1 3 6 10 23 30 25" {
		t.Errorf("http timers: %q", got)
	}
	r.BackendHTTP = false // %Td counts from the connection in TCP
	if got := render(t, "%Td", r, 0); got != "16" {
		t.Errorf("tcp Td: %q", got)
	}
	r = &Record{Request: -1, Queue: 0, Connect: 0, Data: -1, Close: 5}
	if got := render(t, "%Tw/%Tc/%Tr/%Tt", r, 0); got != "1/0/-1/5" {
		t.Errorf("haproxy's TCP Tw: %q", got)
	}
}

func TestRenderDates(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	r := &Record{AcceptDate: time.Date(2026, 3, 4, 23, 59, 59, 987_000_000, cet), Idle: 20, Handshake: 0}
	got := render(t, "%t|%tr|%T|%trg|%Tl|%trl|%Ts|%ms", r, 0)
	want := "04/Mar/2026:23:59:59.987|05/Mar/2026:00:00:00.007|04/Mar/2026:22:59:59 +0000|04/Mar/2026:23:00:00 +0000|04/Mar/2026:23:59:59 +0100|05/Mar/2026:00:00:00 +0100|1772665199|987"
	if got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
}

func TestRenderEncoding(t *testing.T) {
	r := sampleRecord()
	r.RequestCaptures = [][]byte{[]byte("a\"b#{|}\x01\xff"), []byte(`x\y]`)}
	r.RequestLine = []byte("GET /p?\"q\"#x HTTP/1.1")
	got := render(t, `%hr %{+E}hr %hrl %{+Q}hrl %r %{+E}r`, r, 0)
	want := `{a#22b#23#7B#7C#7D#01#FF|x\y]} {a#22b#23#7B#7C#7D#01#FF|x\\y\]} a#22b#23#7B#7C#7D#01#FF x\y] "a#22b#23#7B#7C#7D#01#FF" "x\y]" GET /p?#22q#22#23x HTTP/1.1 GET /p?#22q#22#23x HTTP/1.1`
	if got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	p := MustCompile("%[a]-%[b]-%ci", CompileOptions{UniqueID: true})
	r.Samples = [][]byte{[]byte("x\x01y z\tw\x7f"), nil}
	r.Client = netip.AddrPort{}
	if got := string(p.Append(nil, r, 0)); got != "x%01y z\tw%7F--" {
		t.Errorf("unique-id samples: %q", got)
	}
}

func TestRequestParts(t *testing.T) {
	r := &Record{}
	for line, want := range map[string]string{
		"GET /a/b?c=d HTTP/1.1":         "GET|/a/b|/a/b|?c=d|/a/b?c=d|HTTP/1.1",
		"GET http://h:8/x/y?z HTTP/1.1": "GET|http://h:8/x/y|/x/y|?z|http://h:8/x/y?z|HTTP/1.1",
		"CONNECT host:443 HTTP/1.1":     "CONNECT|host:443|||host:443|HTTP/1.1",
		"GET /only":                     "GET|/only|/only||/only|HTTP/0.9",
		"OPTIONS * HTTP/1.1":            "OPTIONS|*|||*|HTTP/1.1",
		"GET  /two-spaces  HTTP/1.0":    "GET|/two-spaces|/two-spaces||/two-spaces|HTTP/1.0",
	} {
		r.RequestLine = []byte(line)
		if got := render(t, "%HM|%HP|%HPO|%HQ|%HU|%HV", r, 0); got != want {
			t.Errorf("%q:\n got %q\nwant %q", line, got, want)
		}
	}
}

func TestCompileKeepsSampleText(t *testing.T) {
	p := MustCompile(`%[src] %{+Q}[req.hdr(x-forwarded-for,-1),lower] %[var(txn.a)]`, CompileOptions{HTTP: true})
	if got := strings.Join(p.Samples(), " | "); got != "src | req.hdr(x-forwarded-for,-1),lower | var(txn.a)" {
		t.Errorf("samples: %q", got)
	}
}

func TestStreamLogLevel(t *testing.T) {
	for _, c := range []struct {
		r                     Record
		http, dontlog, sepErr bool
		level                 int
		send                  bool
	}{
		{Record{Status: 200}, true, false, false, LevelInfo, true},
		{Record{Status: 200}, true, true, false, 0, false},
		{Record{Status: 503, TermCause: 'S', TermPhase: 'C'}, true, true, true, LevelErr, true},
		{Record{Status: 200, TermCause: 'L'}, true, true, true, 0, false},
		{Record{Status: 200, Retries: 1}, true, true, true, LevelErr, true},
		{Record{Status: 200, Redispatched: true, Retries: 1}, true, false, true, LevelErr, true},
		{Record{Status: 502}, false, true, false, 0, false},
		{Record{TermCause: 'c', TermPhase: 'D'}, false, true, false, LevelInfo, true},
	} {
		level, send := c.r.StreamLogLevel(c.http, c.dontlog, c.sepErr)
		if level != c.level || send != c.send {
			t.Errorf("%+v: got %d,%v want %d,%v", c, level, send, c.level, c.send)
		}
	}
}
