package page

// The colours carry haproxy's meanings, so an operator used to its page
// reads ours the same way: green is an active server up, light blue a
// backup up, yellow tones a server changing state, red a server down,
// brown maintenance, blue a server soft-stopped (NOLB) or draining, grey
// one without checks. The stylesheet itself is goha's.
var stateColours = []struct {
	class, colour string
}{
	{"up", "#c0ffc0"},
	{"goingdown", "#ffffa0"},
	{"goingup", "#ffd020"},
	{"down", "#ff9090"},
	{"nolb", "#20a0ff"},
	{"drain", "#20a0ff"},
	{"nocheck", "#e0e0e0"},
	{"bup", "#b0d0ff"},
	{"bgoingdown", "#c060ff"},
	{"bgoingup", "#ff80ff"},
	{"bdown", "#ff9090"},
	{"bnolb", "#90b0e0"},
	{"bdrain", "#cc9900"},
	{"bnocheck", "#e0e0e0"},
	{"maint", "#c07820"},
}

const baseStyle = `
body{font:12px sans-serif;margin:8px;color:#000;background:#fff}
header h1{font-size:20px;margin:0 0 4px}
header h2{font-size:18px;font-style:italic;color:#6020a0;margin:0}
section.proc{display:flex;gap:24px;border-top:2px solid #000;margin:6px 0 10px;padding-top:4px}
section.proc h3{font-size:14px;margin:0 0 4px;color:#b00040;background:#e8e8d0}
section.proc p{margin:0;line-height:1.5}
.legend td{padding:1px 4px}
.legend .sw{width:14px;border:1px solid #888}
.note{margin:4px 0}
.opts ul{margin:0;padding-left:16px}
.msg{padding:3px 6px;margin:6px 0}
table.px{border-collapse:collapse;margin:0 0 12px}
table.px td,table.px th{border:1px solid #999;padding:1px 3px;font-size:10px;white-space:nowrap}
table.px td{text-align:right}
table.px td.name,table.px td.txt{text-align:left}
table.px td.c{text-align:center}
table.px caption{text-align:left;font-weight:bold;font-size:12px;color:#ff4;background:#b00040;padding:2px 6px;width:max-content}
table.px caption a{color:#ff4;text-decoration:none}
table.px thead th{background:#20d0d0;font-weight:bold;text-align:center}
tr.fe,tr.be{background:#e8e8d0}
tr.li{background:#d0d0d0}
tr.be td.name,tr.fe td.name{font-weight:bold}
form.act{margin:2px 0 12px}
`

// css returns the page's stylesheet.
func css() string {
	s := baseStyle
	for _, c := range stateColours {
		s += "tr.s-" + c.class + ",.sw.s-" + c.class + ",.msg.s-" + c.class + "{background:" + c.colour + "}\n"
	}
	return s
}
