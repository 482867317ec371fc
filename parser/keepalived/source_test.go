package keepalived

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func itoa(i int) string { return strconv.Itoa(i) }

func TestDecomment(t *testing.T) {
	tests := []struct{ in, out, msg string }{
		{"  router_id x   ", "router_id x", ""},
		{"router_id x # comment", "router_id x", ""},
		{"router_id x ! comment", "router_id x", ""},
		{"! whole line", "", ""},
		{`auth_pass "a#b!c"`, `auth_pass "a#b!c"`, ""},
		{`auth_pass a\#b`, `auth_pass a#b`, ""},
		{`script "x \" y"`, `script "x \" y"`, ""},
		{`line continues \`, `line continues\`, ""},
		{`script "unterminated`, `script "unterminated`, `Unterminated quote 'script "unterminated'`},
	}
	for _, tc := range tests {
		out, msg := decomment(tc.in)
		if out != tc.out || msg != tc.msg {
			t.Errorf("decomment(%q) = %q, %q; want %q, %q", tc.in, out, msg, tc.out, tc.msg)
		}
	}
}

// readLines runs the brace-splitting reader over text.
func readLines(text string) []string {
	var events []srcEvent
	for i, l := range strings.Split(text, "\n") {
		if l != "" {
			events = append(events, srcEvent{line: &srcLine{text: l, pos: position{file: "f", line: i + 1}}})
		}
	}
	p := &pass{events: events, report: &Report{}}
	var out []string
	for {
		l, ok := p.readLine()
		if !ok {
			return out
		}
		out = append(out, l)
	}
}

func TestBraceSplitting(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"vrrp_instance VI_1 {", []string{"vrrp_instance VI_1", "{"}},
		{"virtual_ipaddress { 10.0.0.1 }", []string{"virtual_ipaddress", "{", "10.0.0.1", "}"}},
		{"} extra", []string{"}", "extra"}},
		{`auth_pass "{x}" }`, []string{`auth_pass "{x}"`, "}"}},
		{"{", []string{"{"}},
	}
	for _, tc := range tests {
		if got := readLines(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWords(t *testing.T) {
	p := &pass{report: &Report{}}
	tests := []struct {
		in   string
		want []string
	}{
		{"a b\tc", []string{"a", "b", "c"}},
		{`router_id "two words"`, []string{"router_id", "two words"}},
		{`x ab"cd"`, []string{"x", "ab", "cd"}},
	}
	for _, tc := range tests {
		if got := p.words(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("words(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	p.words(`x "open`)
	if len(p.report.Diags) != 1 || p.report.Diags[0].Level != LevelUnmatchedQuote {
		t.Errorf("unmatched quote not reported: %+v", p.report.Diags)
	}
}

func TestSplitQuotedEscaped(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`script "/bin/sh -c 'exit 1'"`, []string{"script", "/bin/sh -c 'exit 1'"}},
		{`/bin/sh -c 'exit 1'`, []string{"/bin/sh", "-c", "exit 1"}},
		{`a\ b c\tx`, []string{"a b", "c\tx"}},
		{`mid"dle quo"te`, []string{"middle quote"}},
		{`\x41\101`, []string{"AA"}},
	}
	for _, tc := range tests {
		got, _, ok := splitQuotedEscaped(tc.in)
		if !ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("split(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if _, msg, ok := splitQuotedEscaped(`a "b`); ok || msg != `String 'a "b': missing terminating "` {
		t.Errorf("unterminated: %q %v", msg, ok)
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func sourceLines(events []srcEvent) []string {
	var out []string
	for _, e := range events {
		if e.line != nil {
			out = append(out, e.line.pos.file+":"+itoa(e.line.pos.line)+":"+e.line.text)
		} else {
			out = append(out, "diag:"+e.diag.msg)
		}
	}
	return out
}

// Includes are relative to the including file's directory, expand globs in
// sorted order, and name files as the glob matched them.
func TestIncludeRelativeGlobs(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.conf":      "a\ninclude conf.d/*.conf\nb\n",
		"conf.d/2.conf":  "two\n",
		"conf.d/1.conf":  "one\ninclude ../extra/x.inc\n",
		"extra/x.inc":    "x\n",
		"conf.d/.hidden": "hidden\n",
	})
	events, ok := loadSource(filepath.Join(dir, "main.conf"), testOpts())
	if !ok {
		t.Fatal("not loaded")
	}
	main := filepath.Join(dir, "main.conf")
	want := []string{main + ":1:a", "conf.d/1.conf:1:one", "../extra/x.inc:1:x", "conf.d/2.conf:1:two", main + ":3:b"}
	if got := sourceLines(events); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestIncludeMissing(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.conf": "include nope.conf\ninclude none/*.conf\ninclude {a,b}.inc\n", "a.inc": "a\n"})
	events, _ := loadSource(filepath.Join(dir, "main.conf"), testOpts())
	want := []string{"diag:Config files missing 'nope.conf'.", "diag:Config files missing 'none/*.conf'.",
		`diag:Some config files missing: "{a,b}.inc".`, "a.inc:1:a"}
	if got := sourceLines(events); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestDefinitionsAndConfigID(t *testing.T) {
	dir := writeFiles(t, map[string]string{"k.conf": `$IF=ens33
$PAIR=a b
interface $IF
x ${PAIR} y
$IF_not_a_ref
@node1 only_here
@node2 not_here
@^node2 not_node2
@^node1 hidden
$MULTI=first \
second
$MULTI
bang $_BANG hash $_HASH
last`})
	events, _ := loadSource(filepath.Join(dir, "k.conf"), testOpts())
	var got []string
	for _, e := range events {
		if e.line != nil {
			got = append(got, itoa(e.line.pos.line)+":"+e.line.text)
		}
	}
	want := []string{"3:interface ens33", "4:x a b y", "5:$IF_not_a_ref", "6:only_here", "8:not_node2",
		"12:first", "12:second", "13:bang", "13:last"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestNumbers(t *testing.T) {
	p := &pass{report: &Report{}}
	if v, ok := p.readUint("42", 1, 255); !ok || v != 42 {
		t.Errorf("readUint 42 = %d %v", v, ok)
	}
	for in, msg := range map[string]string{
		"256": "number '256' outside range [1, 255]",
		"-1":  "negative number '-1'",
		"1x":  "invalid number '1x'",
	} {
		p.report = &Report{}
		if _, ok := p.readUint(in, 1, 255); ok || p.report.Diags[0].Msg != msg {
			t.Errorf("readUint(%q): %v %q", in, ok, messages(p.report))
		}
	}
	p.report = &Report{}
	if v, ok := p.readDecimal("1.5", 10000, 255000000); !ok || v != 1500000 {
		t.Errorf("readDecimal 1.5 = %d %v", v, ok)
	}
	if _, ok := p.readDecimal("300", 10000, 255000000); ok || p.report.Diags[0].Msg != "number '300' outside range [0.010000, 255.000000]" {
		t.Errorf("readDecimal 300: %v %q", ok, messages(p.report))
	}
	p.report = &Report{}
	if v, ok := p.readDecimal("0.0000015", 0, 1000000); !ok || v != 2 || p.report.Diags[0].Msg != "number '0.0000015' has too many decimal places" {
		t.Errorf("readDecimal rounding: %d %v %q", v, ok, messages(p.report))
	}
	if v, ok := p.readInt("-253", -253, 253); !ok || v != -253 {
		t.Errorf("readInt -253 = %d %v", v, ok)
	}
}

func TestSequences(t *testing.T) {
	cfg, rep := checkText(t, `vrrp_instance S {
 interface ens33
 virtual_router_id 1
 virtual_ipaddress {
  ~SEQ(N, 1, 3) 10.0.${N}.1/24
  ~SEQ(A, 2) ~SEQ(B, 3, -1, 2) 10.1.${A}.${B}
 }
 virtual_ipaddress_excluded {
  ~SEQx(H, 10, 2, 14) 2001:db8::${H}:1
 }
}
`)
	if rep.ExitCode() != 0 {
		t.Fatal(rep.Text())
	}
	var got []string
	in := cfg.Instances[0]
	for _, v := range append(in.VIPs, in.ExcludedVIPs...) {
		got = append(got, v.Prefix.String())
	}
	want := []string{"10.0.1.1/24", "10.0.2.1/24", "10.0.3.1/24", "10.1.1.3/32", "10.1.1.2/32", "10.1.2.3/32", "10.1.2.2/32",
		"2001:db8::a:1/128", "2001:db8::c:1/128", "2001:db8::e:1/128"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// A multiline definition expanded by ~SEQ is read whole for each value
// before the sequence moves on.
func TestSequenceOfMultilineDefinition(t *testing.T) {
	cfg, rep := checkText(t, `$VI=vrrp_instance vi_${N} { \
  interface ens33 \
  virtual_router_id ${N} \
  virtual_ipaddress { \
    10.0.${N}.1/24 \
  } \
}
~SEQ(N, 1, 3) $VI
`)
	if rep.ExitCode() != 0 || len(cfg.Instances) != 3 {
		t.Fatalf("exit %d, %d instances\n%s", rep.ExitCode(), len(cfg.Instances), rep.Text())
	}
	for i, in := range cfg.Instances {
		if in.VRID != i+1 || in.VIPs[0].Prefix.String() != "10.0."+itoa(i+1)+".1/24" {
			t.Errorf("instance %d: %+v", i, in)
		}
	}
}

func TestLists(t *testing.T) {
	cfg, rep := checkText(t, `vrrp_instance L {
 interface ens33
 virtual_router_id 1
 virtual_ipaddress {
  ~LST({IP, IP1}, {10,1},{20,4}) 192.168.${IP}.${IP1}
  ~LST(IP, 1, 2) ~SEQ(IP1, 5, 6) 192.169.${IP}.${IP1}
 }
}
`)
	if rep.ExitCode() != 0 {
		t.Fatal(rep.Text())
	}
	var got []string
	for _, v := range cfg.Instances[0].VIPs {
		got = append(got, v.Prefix.Addr().String())
	}
	want := []string{"192.168.10.1", "192.168.20.4", "192.169.1.5", "192.169.1.6", "192.169.2.5", "192.169.2.6"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
