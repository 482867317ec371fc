package stats

// Byte-identity against haproxy 2.6.12: each golden (captured by
// TestCaptureGolden from the real binary) is parsed back into our model and
// re-rendered by our code; the output must equal haproxy's byte for byte.

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func renderStat(proxies []*Proxy, format Format, opt Options, filter Filter) string {
	d := &StatDump{Format: format, Options: opt, Filter: filter, Clock: testClock}
	return string(d.AppendAll(nil, proxies))
}

var cliOptions = Options{Legends: true} // the golden socket is "level admin"

func TestGoldenShowStatCSV(t *testing.T) {
	for _, name := range []string{"show_stat.csv", "metrics_show_stat.csv", "transition_up.csv",
		"transition_down.csv", "clear_counters.csv", "clear_counters_all.csv"} {
		t.Run(name, func(t *testing.T) {
			want := cliBody(readGolden(t, name))
			proxies := buildModel(t, parseCSVStat(t, want))
			diffLines(t, name, want, renderStat(proxies, FormatCSV, cliOptions, Filter{}))
		})
	}
}

func TestGoldenCSVHeader(t *testing.T) {
	want, _, _ := strings.Cut(readGolden(t, "show_stat.csv"), "\n")
	d := &StatDump{}
	if got := strings.TrimSuffix(string(d.AppendHeader(nil)), "\n"); got != want {
		t.Errorf("header differs\nhaproxy: %s\ngoha:    %s", want, got)
	}
}

func TestGoldenShowStatTyped(t *testing.T) {
	for _, name := range []string{"show_stat_typed.txt", "show_stat_desc_typed.txt"} {
		t.Run(name, func(t *testing.T) {
			want := cliBody(readGolden(t, name))
			desc := strings.Contains(name, "desc")
			text := want
			if desc {
				// strip the descriptions to recover the values
				var b strings.Builder
				for _, line := range strings.Split(strings.TrimRight(want, "\n"), "\n") {
					i := strings.LastIndex(line, ":\"")
					b.WriteString(line[:i] + "\n")
				}
				text = b.String()
			}
			proxies := buildModel(t, parseTypedStat(t, text))
			d := &StatDump{Format: FormatTyped, Options: cliOptions, Desc: desc, Clock: testClock}
			diffLines(t, name, want, string(d.AppendAll(nil, proxies)))
		})
	}
}

func TestGoldenShowStatJSON(t *testing.T) {
	want := cliBody(readGolden(t, "show_stat_json.json"))
	proxies := buildModel(t, parseJSONStat(t, want))
	got := renderStat(proxies, FormatJSON, cliOptions, Filter{})
	if got != want {
		// JSON lines are long: show the first differing object.
		wo, go_ := strings.Split(want, "},{"), strings.Split(got, "},{")
		for i := range wo {
			if i >= len(go_) || wo[i] != go_[i] {
				g := ""
				if i < len(go_) {
					g = go_[i]
				}
				t.Fatalf("json differs at object %d\nhaproxy: %s\ngoha:    %s", i, wo[i], g)
			}
		}
		t.Fatalf("json differs (lengths %d vs %d)", len(want), len(got))
	}
}

func readHTTPGolden(t *testing.T, name string) (head, body string) {
	raw := readGolden(t, name)
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ = strings.Cut(raw, "\r\n\r\n")
	return head + "\r\n\r\n", string(b)
}

// TestGoldenStatsPage checks the ";csv" and ";json" pages: the same bodies
// as show stat but without the legends (no "stats show-legends"), and
// haproxy's response headers.
func TestGoldenStatsPage(t *testing.T) {
	for _, tc := range []struct {
		golden string
		page   PageFormat
		format Format
		parse  func(testing.TB, string) []statRow
	}{
		{"stats_csv_http.txt", PageCSV, FormatCSV, parseCSVStat},
		{"stats_json_http.txt", PageJSON, FormatJSON, parseJSONStat},
	} {
		head, want := readHTTPGolden(t, tc.golden)
		proxies := buildModel(t, tc.parse(t, want))
		diffLines(t, tc.golden, want, renderStat(proxies, tc.format, Options{}, Filter{}))
		if got := "HTTP/1.1 200 OK\r\n" + string(AppendPageHeaders(nil, tc.page, 0, false, true)); got != head {
			t.Errorf("%s headers differ\nhaproxy: %q\ngoha:    %q", tc.golden, head, got)
		}
	}
}

func parseInfo(t *testing.T, text string) *Info {
	in := &Info{}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		name, val, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("bad info line %q", line)
		}
		found := false
		for i := range infoNames {
			if infoNames[i].name == name {
				found = true
				if infoKinds[i].f == FStr {
					in.S[i] = val
				} else {
					in.U[i] = num(t, val)
				}
			}
		}
		if !found {
			t.Fatalf("unknown info field %q", name)
		}
	}
	return in
}

func TestGoldenShowInfo(t *testing.T) {
	for _, name := range []string{"show_info.txt", "metrics_show_info.txt", "show_info_desc.txt"} {
		want := cliBody(readGolden(t, name))
		desc := strings.Contains(name, "desc")
		text := want
		if desc {
			var b strings.Builder
			for _, line := range strings.Split(strings.TrimRight(want, "\n"), "\n") {
				b.WriteString(line[:strings.LastIndex(line, ":\"")] + "\n")
			}
			text = b.String()
		}
		in := parseInfo(t, text)
		diffLines(t, name, want, string(AppendInfo(nil, in, FormatCSV, desc)))
	}
}

func TestGoldenShowInfoTyped(t *testing.T) {
	for _, name := range []string{"show_info_typed.txt", "show_info_float_typed.txt"} {
		testShowInfoTyped(t, name)
	}
}

func testShowInfoTyped(t *testing.T, name string) {
	want := cliBody(readGolden(t, name))
	float := strings.Contains(name, "float")
	floats := map[int]float64{}
	// recover "Name: value" from the typed lines, then render typed
	var plain strings.Builder
	for _, line := range strings.Split(strings.TrimRight(want, "\n"), "\n") {
		parts := strings.SplitN(line, ":", 4)
		key := parts[0]
		name := key[strings.Index(key, ".")+1 : strings.LastIndex(key, ".")]
		val := parts[3]
		if parts[2] == "flt" {
			pos, _ := strconv.Atoi(key[:strings.Index(key, ".")])
			floats[pos], _ = strconv.ParseFloat(val, 64)
			val = strconv.FormatUint(uint64(floats[pos]), 10)
		}
		plain.WriteString(name + ": " + val + "\n")
	}
	in := parseInfo(t, plain.String())
	in.Float = float
	for i, v := range floats {
		in.F[i] = v
	}
	diffLines(t, name, want, string(AppendInfo(nil, in, FormatTyped, false)))
}

func TestGoldenShowInfoJSON(t *testing.T) {
	want := cliBody(readGolden(t, "show_info_json.json"))
	// the JSON capture was taken at its own instant: take values from the
	// typed capture's names and the JSON's own values.
	var plain strings.Builder
	for _, obj := range strings.Split(strings.Trim(want, "[]\n"), "},{") {
		name := between(obj, `"name":"`, `"`)
		val := between(obj, `"value":{"type":"`, "}")
		_, v, _ := strings.Cut(val, `"value":`)
		plain.WriteString(name + ": " + strings.Trim(v, `"}`) + "\n")
	}
	in := parseInfo(t, plain.String())
	got := string(AppendInfo(nil, in, FormatJSON, false))
	if got != want {
		t.Errorf("show info json differs\nhaproxy: %.300s\ngoha:    %.300s", want, got)
	}
}

func between(s, a, b string) string {
	_, rest, _ := strings.Cut(s, a)
	v, _, _ := strings.Cut(rest, b)
	return v
}

// TestGoldenShowStatOptions re-renders the full capture with the "up",
// "no-maint" and listener-filter options; haproxy took these right after it,
// with no traffic in between.
func TestGoldenShowStatOptions(t *testing.T) {
	full := cliBody(readGolden(t, "show_stat.csv"))
	for _, tc := range []struct{ golden, cmd string }{
		{"show_stat_up.csv", "show stat up"},
		{"show_stat_no_maint.csv", "show stat no-maint"},
		{"show_stat_listener.csv", "show stat 2 8 1"},
		{"show_stat_filter.csv", "show stat app 4 -1"},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			// Values come from the filtered capture itself; rows it left
			// out (that we must leave out too) come from the full one.
			want := cliBody(readGolden(t, tc.golden))
			shown := map[string]statRow{}
			for _, r := range parseCSVStat(t, want) {
				shown[r[FPxname]+"/"+r[FSvname]] = r
			}
			rows := parseCSVStat(t, full)
			for i, r := range rows {
				if s, ok := shown[r[FPxname]+"/"+r[FSvname]]; ok {
					rows[i] = s
				}
			}
			proxies := buildModel(t, rows)
			req, err := ParseShowStat(strings.Fields(tc.cmd), ProxyLookup(proxies))
			if err != nil {
				t.Fatal(err)
			}
			opt := cliOptions
			opt.HideDown, opt.NoMaint = req.HideDown, req.NoMaint
			diffLines(t, tc.cmd, want, renderStat(proxies, req.Format, opt, req.Filter))
		})
	}
}

// TestGoldenStatsPageOptions runs the page's URI options (";up", "scope=",
// an invalid scope, ";typed") through ParsePageURI and the dump.
func TestGoldenStatsPageOptions(t *testing.T) {
	full := parseCSVStat(t, cliBody(readGolden(t, "show_stat.csv")))
	for _, tc := range []struct {
		golden, uri string
		parse       func(testing.TB, string) []statRow
	}{
		{"stats_csv_scope_http.txt", ";csv;norefresh;up;scope=AP", parseCSVStat},
		{"stats_csv_badscope_http.txt", ";csv;scope=b@d;no-maint", parseCSVStat},
		{"stats_typed_http.txt", ";typed", parseTypedStat},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			head, want := readHTTPGolden(t, tc.golden)
			shown := map[string]statRow{}
			for _, r := range tc.parse(t, want) {
				shown[r[FPxname]+"/"+r[FSvname]] = r
			}
			// rows the page left out come from the CLI capture
			rows := append([]statRow(nil), full...)
			for i, r := range rows {
				if s, ok := shown[r[FPxname]+"/"+r[FSvname]]; ok {
					rows[i] = s
				}
			}
			proxies := buildModel(t, rows)
			req := ParsePageURI(tc.uri, false)
			d := &StatDump{Format: req.Format.StatFormat(), Clock: testClock, Scope: req.Scope,
				Options: Options{HideDown: req.HideDown, NoMaint: req.NoMaint}}
			diffLines(t, tc.golden, want, string(d.AppendAll(nil, proxies)))
			if got := "HTTP/1.1 200 OK\r\n" + string(AppendPageHeaders(nil, req.Format, 0, req.NoRefresh, true)); got != head {
				t.Errorf("headers differ\nhaproxy: %q\ngoha:    %q", head, got)
			}
		})
	}
}

func TestParsePageURI(t *testing.T) {
	for _, tc := range []struct {
		uri     string
		refresh bool
		want    PageRequest
	}{
		{"", false, PageRequest{Format: PageHTML}},
		{";csv;json", false, PageRequest{Format: PageJSON}},
		{";json-schema;csv", false, PageRequest{Format: PageJSONSchema}},
		{";csv;norefresh", false, PageRequest{Format: PageCSV}},
		{";csv;norefresh", true, PageRequest{Format: PageCSV, NoRefresh: true}},
		{";up;st=DONE;", false, PageRequest{Format: PageHTML, HideDown: true, Status: "DONE"}},
		{";st=XYZW1234", false, PageRequest{Format: PageHTML, Status: "UNKN"}},
		{"x;st=DON", false, PageRequest{Format: PageHTML}}, // fewer than 8 bytes from ";st="
		{"?scope=web01;csv", false, PageRequest{Format: PageCSV, Scope: "web01"}},
		{"?scope=abcdefghijklmnopqrstuvwxyz", false, PageRequest{Format: PageHTML, Scope: "abcdefghijklmnopqrst"}},
		{"?scope=a/b&x", false, PageRequest{Format: PageHTML}},
	} {
		if got := ParsePageURI(tc.uri, tc.refresh); got != tc.want {
			t.Errorf("%q: got %+v, want %+v", tc.uri, got, tc.want)
		}
	}
	if !containsFold("Backend-APP", "app") || containsFold("", "") || !containsFold("x", "") || containsFold("ap", "app") {
		t.Error("containsFold")
	}
}
