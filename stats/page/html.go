package page

import (
	"html"
	"strconv"
	"strings"

	"goha/stats"
	"goha/stats/cli"
)

// html renders the page: header, process block with legend and display
// options, the admin result message, then one table per proxy with
// haproxy's column groups (management.txt §9.1 lists the same fields).
func (h *Handler) html(preq stats.PageRequest, admin bool, clk stats.Clock, proxies []*stats.Proxy) []byte {
	in := h.Runtime.Info(clk)
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>Statistics Report for HAProxy")
	if h.Config.ShowNode != "" {
		b.WriteString(" on " + esc(h.Config.ShowNode))
	}
	b.WriteString("</title>\n<style>" + css() + "</style></head>\n<body>\n<header>")
	if !h.Config.HideVersion {
		b.WriteString("<h1>HAProxy version " + esc(in.S[stats.IVersion]) + ", released " + esc(in.S[stats.IReleaseDate]) + "</h1>")
	}
	b.WriteString("<h2>Statistics Report for pid " + u(in.U[stats.IPid]))
	if h.Config.ShowNode != "" {
		b.WriteString(" on " + esc(h.Config.ShowNode))
	}
	b.WriteString("</h2>")
	if h.Config.ShowDesc != "" {
		b.WriteString("<h2>" + esc(h.Config.ShowDesc) + "</h2>")
	}
	b.WriteString("</header>\n")
	h.processBlock(&b, in, preq)
	if preq.Status != "" {
		h.statusMessage(&b, preq)
	}
	d := &stats.StatDump{Scope: preq.Scope, ConfScope: h.Config.Scope, Self: h.Config.Self}
	for _, px := range proxies {
		if !inScope(d, px) {
			continue
		}
		h.proxyTable(&b, px, preq, admin, clk)
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}

// inScope applies "stats scope" and the page's scope= search by rendering
// nothing but the proxy's first line (the stats package owns the rule).
func inScope(d *stats.StatDump, px *stats.Proxy) bool {
	probe := &stats.Proxy{Name: px.Name, ID: px.ID, Cap: stats.CapFE}
	return len(d.AppendProxy(nil, probe)) > 0
}

func esc(s string) string { return html.EscapeString(s) }

func u(v uint64) string { return strconv.FormatUint(v, 10) }

// processBlock is the "General process information" block: process
// figures, the colour legend and the display options.
func (h *Handler) processBlock(b *strings.Builder, in *stats.Info, preq stats.PageRequest) {
	U := func(i int) string { return u(in.U[i]) }
	memmax := "unlimited"
	if in.U[stats.IMemmaxMB] != 0 {
		memmax = U(stats.IMemmaxMB) + " MB"
	}
	b.WriteString("<section class=\"proc\"><div><h3>&gt; General process information</h3><p>")
	b.WriteString("<b>pid = </b>" + U(stats.IPid) + " (process #" + U(stats.IProcessNum) + ", nbproc = " + U(stats.INbproc) + ", nbthread = " + U(stats.INbthread) + ")<br>")
	b.WriteString("<b>uptime = </b>" + stats.Uptime(in.U[stats.IUptimeSec]) + "<br>")
	b.WriteString("<b>system limits:</b> memmax = " + memmax + "; ulimit-n = " + U(stats.IUlimitN) + "<br>")
	b.WriteString("<b>maxsock = </b>" + U(stats.IMaxsock) + "; <b>maxconn = </b>" + U(stats.IMaxconn) + "; <b>maxpipes = </b>" + U(stats.IMaxpipes) + "<br>")
	kbps := float64(in.U[stats.IBytesOutRate]) * 8 / 1000
	b.WriteString("current conns = " + U(stats.ICurrConns) + "; current pipes = " + U(stats.IPipesUsed) + "/" +
		u(in.U[stats.IPipesUsed]+in.U[stats.IPipesFree]) + "; conn rate = " + U(stats.IConnRate) + "/sec; bit rate = " +
		strconv.FormatFloat(kbps, 'f', 3, 64) + " kbps<br>")
	b.WriteString("Running tasks: " + U(stats.IRunQueue) + "/" + U(stats.ITasks) + "; idle = " + U(stats.IIdlePct) + " %</p></div>\n")

	// legend: the colour of each server state
	b.WriteString("<div><table class=\"legend\">")
	legend := [][2][2]string{
		{{"up", "active UP"}, {"bup", "backup UP"}},
		{{"goingdown", "active UP, going down"}, {"bgoingdown", "backup UP, going down"}},
		{{"goingup", "active DOWN, going up"}, {"bgoingup", "backup DOWN, going up"}},
		{{"down", "active or backup DOWN"}, {"nocheck", "not checked"}},
		{{"maint", "active or backup DOWN for maintenance (MAINT)"}, {}},
		{{"drain", "active or backup SOFT STOPPED for maintenance"}, {}},
	}
	for _, row := range legend {
		b.WriteString("<tr>")
		for _, c := range row {
			if c[0] == "" {
				continue
			}
			b.WriteString("<td class=\"sw s-" + c[0] + "\"></td><td>" + c[1] + "</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table><p class=\"note\">Note: \"NOLB\"/\"DRAIN\" = UP with load-balancing disabled.</p></div>\n")

	// display options
	base := h.uri()
	keep := h.keep(preq)
	b.WriteString("<div class=\"opts\"><b>Display option:</b><ul>")
	b.WriteString("<li><form method=\"GET\" action=\"" + esc(base) + "\">Scope : <input name=\"scope\" size=\"8\" maxlength=\"20\" value=\"" + esc(preq.Scope) + "\"></form></li>")
	up := ";up"
	upText := "Hide 'DOWN' servers"
	if preq.HideDown {
		up, upText = "", "Show all servers"
	}
	nr := ""
	if preq.NoRefresh {
		nr = ";norefresh"
	}
	sc := ""
	if preq.Scope != "" {
		sc = ";scope=" + preq.Scope
	}
	b.WriteString("<li><a href=\"" + esc(base+up+nr+sc) + "\">" + upText + "</a></li>")
	if h.Config.Refresh > 0 {
		if preq.NoRefresh {
			b.WriteString("<li><a href=\"" + esc(base+strings.TrimPrefix(keep, ";norefresh")) + "\">Enable refresh</a></li>")
		} else {
			b.WriteString("<li><a href=\"" + esc(base+keep+";norefresh") + "\">Disable refresh</a></li>")
		}
	}
	b.WriteString("<li><a href=\"" + esc(base+keep) + "\">Refresh now</a></li>")
	b.WriteString("<li><a href=\"" + esc(base+";csv"+sc) + "\">CSV export</a></li>")
	b.WriteString("<li><a href=\"" + esc(base+";json"+sc) + "\">JSON export</a></li>")
	b.WriteString("</ul></div></section>\n")
}

// statusMessage explains the result of the last admin action (";st=").
func (h *Handler) statusMessage(b *strings.Builder, preq stats.PageRequest) {
	class, text := "nocheck", "Unexpected result."
	switch preq.Status {
	case "DONE":
		class, text = "up", "Action processed successfully."
	case "NONE":
		class, text = "goingdown", "Nothing has changed."
	case "PART":
		class, text = "goingdown", "Action partially processed. Some server names are probably unknown or ambiguous (duplicated names in the backend)."
	case "ERRP":
		class, text = "down", "Action not processed because of invalid parameters: unknown action, unknown backend, or unknown servers."
	case "EXCD":
		class, text = "down", "Action not processed: too much data. Retry with fewer servers at a time."
	case "DENY":
		class, text = "down", "Action denied."
	case "IVAL":
		class, text = "down", "Invalid request (unsupported method)."
	}
	b.WriteString("<div class=\"msg s-" + class + "\"><a href=\"" + esc(h.uri()+h.keep(preq)) + "\" title=\"Remove this message\">[X]</a> " + text + "</div>\n")
}

// columns are the page's column groups and their sub-columns.
var columns = []struct {
	group string
	cols  []string
}{
	{"Queue", []string{"Cur", "Max", "Limit"}},
	{"Session rate", []string{"Cur", "Max", "Limit"}},
	{"Sessions", []string{"Cur", "Max", "Limit", "Total", "LbTot", "Last"}},
	{"Bytes", []string{"In", "Out"}},
	{"Denied", []string{"Req", "Resp"}},
	{"Errors", []string{"Req", "Conn", "Resp"}},
	{"Warnings", []string{"Retr", "Redis"}},
	{"Server", []string{"Status", "LastChk", "Wght", "Act", "Bck", "Chk", "Dwn", "Dwntme", "Thrtle"}},
}

// numCols is the number of data columns (29).
var numCols = func() int {
	n := 0
	for _, g := range columns {
		n += len(g.cols)
	}
	return n
}()

func (h *Handler) proxyTable(b *strings.Builder, px *stats.Proxy, preq stats.PageRequest, admin bool, clk stats.Clock) {
	canAct := admin && px.Cap&stats.CapBE != 0 && len(px.Servers) > 0
	if canAct {
		b.WriteString("<form class=\"act\" method=\"post\" action=\"" + esc(h.uri()+h.keep(preq)) + "\">")
	}
	b.WriteString("<table class=\"px\" id=\"px-" + esc(px.Name) + "\"><caption><a name=\"" + esc(px.Name) + "\" href=\"#" + esc(px.Name) + "\">" + esc(px.Name) + "</a></caption>\n<thead><tr>")
	if canAct {
		b.WriteString("<th rowspan=\"2\"></th>")
	}
	b.WriteString("<th rowspan=\"2\"></th>")
	for _, g := range columns {
		b.WriteString("<th colspan=\"" + strconv.Itoa(len(g.cols)) + "\">" + g.group + "</th>")
	}
	b.WriteString("</tr>\n<tr>")
	for _, g := range columns {
		for _, c := range g.cols {
			b.WriteString("<th>" + c + "</th>")
		}
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	opt := stats.Options{Legends: h.Config.ShowLegends, HideDown: preq.HideDown, NoMaint: preq.NoMaint}
	var r stats.Row
	if px.Cap&stats.CapFE != 0 {
		stats.FillFrontend(&r, px, clk)
		h.row(b, "fe", "Frontend", "", canAct, frontendCells(&r))
	}
	for _, l := range px.Listeners {
		stats.FillListener(&r, px, l, opt)
		h.row(b, "li", l.Name, "", canAct, listenerCells(&r))
	}
	if px.Cap&stats.CapBE != 0 {
		d := &stats.StatDump{Options: opt}
		for _, sv := range px.Servers {
			// the dump's own filters decide what "up" and "no-maint"
			// hide: a probe proxy with no sides and this one server
			// renders a line only if the server is shown
			probe := &stats.Proxy{Name: px.Name, ID: px.ID, Servers: []*stats.Server{sv}, Mode: px.Mode}
			if len(d.AppendProxy(nil, probe)) == 0 {
				continue
			}
			stats.FillServer(&r, px, sv, clk, opt)
			h.row(b, serverClass(&r, sv), sv.Name, sv.Name, canAct, serverCells(&r, sv))
		}
		stats.FillBackend(&r, px, clk, opt)
		h.row(b, "be", "Backend", "", canAct, backendCells(&r))
	}
	b.WriteString("</tbody></table>\n")
	if canAct {
		b.WriteString("Choose the action to perform on the checked servers : <select name=\"action\">" +
			"<option value=\"\"></option>" +
			"<option value=\"ready\">Set state to READY</option>" +
			"<option value=\"drain\">Set state to DRAIN</option>" +
			"<option value=\"maint\">Set state to MAINT</option>" +
			"</select><input type=\"hidden\" name=\"b\" value=\"#" + u(uint64(px.ID)) + "\"> <input type=\"submit\" value=\"Apply\"></form>\n")
	}
}

// row writes one table line; check is the server name for the admin
// checkbox ("" for frontend, listener and backend lines).
func (h *Handler) row(b *strings.Builder, class, name, check string, canAct bool, cells []cell) {
	b.WriteString("<tr class=\"" + class + "\">")
	if canAct {
		if check != "" {
			b.WriteString("<td class=\"c\"><input type=\"checkbox\" name=\"s\" value=\"" + esc(check) + "\"></td>")
		} else {
			b.WriteString("<td></td>")
		}
	}
	b.WriteString("<td class=\"name\">" + esc(name) + "</td>")
	for _, c := range cells {
		b.WriteString("<td")
		if c.class != "" {
			b.WriteString(" class=\"" + c.class + "\"")
		}
		if c.title != "" {
			b.WriteString(" title=\"" + esc(c.title) + "\"")
		}
		b.WriteString(">" + c.html + "</td>")
	}
	b.WriteString("</tr>\n")
}

type cell struct{ html, class, title string }

// v is a field's plain value ("" when haproxy leaves the CSV cell empty).
func v(r *stats.Row, f int) string {
	x := r[f]
	switch x.Format {
	case stats.FU32, stats.FU64:
		return u(x.U)
	case stats.FS32, stats.FS64:
		return strconv.FormatInt(x.I, 10)
	case stats.FStr:
		return esc(x.S)
	}
	return ""
}

// lim is a limit column: "-" when unset, as haproxy's page shows it.
func lim(r *stats.Row, f int) string {
	if s := v(r, f); s != "" && s != "0" {
		return s
	}
	return "-"
}

func cells(vals ...string) []cell {
	out := make([]cell, len(vals))
	for i, s := range vals {
		out[i] = cell{html: s}
	}
	return out
}

// ago is an age column: human time, "?" for never (-1 in the CSV).
func ago(r *stats.Row, f int) string {
	x := r[f]
	if x.Format == stats.FEmpty {
		return ""
	}
	if x.Format == stats.FS32 || x.Format == stats.FS64 {
		if x.I < 0 {
			return "?"
		}
		return cli.HumanTime(x.I)
	}
	return cli.HumanTime(int64(x.U))
}

func frontendCells(r *stats.Row) []cell {
	c := cells(
		"", "", "", // queue
		v(r, stats.FRate), v(r, stats.FRateMax), lim(r, stats.FRateLim),
		v(r, stats.FScur), v(r, stats.FSmax), lim(r, stats.FSlim), v(r, stats.FStot), "", "",
		v(r, stats.FBin), v(r, stats.FBout),
		v(r, stats.FDreq), v(r, stats.FDresp),
		v(r, stats.FEreq), "", "",
		"", "",
		v(r, stats.FStatus), "", "", "", "", "", "", "", "",
	)
	c[20].class = "c"
	return c
}

func listenerCells(r *stats.Row) []cell {
	c := cells(
		"", "", "",
		"", "", "",
		v(r, stats.FScur), v(r, stats.FSmax), lim(r, stats.FSlim), v(r, stats.FStot), "", "",
		v(r, stats.FBin), v(r, stats.FBout),
		v(r, stats.FDreq), v(r, stats.FDresp),
		v(r, stats.FEreq), "", "",
		"", "",
		v(r, stats.FStatus), "", "", "", "", "", "", "", "",
	)
	c[20].class = "c"
	return c
}

func yn(s string) string {
	if s == "1" {
		return "Y"
	}
	return "-"
}

func serverCells(r *stats.Row, sv *stats.Server) []cell {
	status := v(r, stats.FStatus)
	if status == "no check" {
		status = "<i>no check</i>"
	} else {
		status = ago(r, stats.FLastchg) + " " + status
	}
	lastChk := ""
	title := ""
	if st := v(r, stats.FCheckStatus); st != "" {
		lastChk = st
		if code := v(r, stats.FCheckCode); code != "" {
			lastChk += "/" + code
		}
		if d := v(r, stats.FCheckDuration); d != "" {
			lastChk += " in " + d + "ms"
		}
		title = r[stats.FCheckDesc].S
		if r[stats.FLastChk].S != "" {
			title += ": " + r[stats.FLastChk].S
		}
	}
	throttle := "-"
	if t := v(r, stats.FThrottle); t != "" {
		throttle = t + " %"
	}
	c := cells(
		v(r, stats.FQcur), v(r, stats.FQmax), lim(r, stats.FQlimit),
		v(r, stats.FRate), v(r, stats.FRateMax), "",
		v(r, stats.FScur), v(r, stats.FSmax), lim(r, stats.FSlim), v(r, stats.FStot), v(r, stats.FLbtot), ago(r, stats.FLastsess),
		v(r, stats.FBin), v(r, stats.FBout),
		"", v(r, stats.FDresp),
		"", v(r, stats.FEcon), v(r, stats.FEresp),
		v(r, stats.FWretr), v(r, stats.FWredis),
		status, lastChk, v(r, stats.FWeight)+"/"+v(r, stats.FUweight), yn(v(r, stats.FAct)), yn(v(r, stats.FBck)),
		v(r, stats.FChkfail), v(r, stats.FChkdown), ago(r, stats.FDowntime), throttle,
	)
	c[20].class, c[21].class, c[21].title = "c", "txt", title
	c[22].class, c[23].class, c[24].class = "c", "c", "c"
	return c
}

func backendCells(r *stats.Row) []cell {
	c := cells(
		v(r, stats.FQcur), v(r, stats.FQmax), "",
		v(r, stats.FRate), v(r, stats.FRateMax), "",
		v(r, stats.FScur), v(r, stats.FSmax), lim(r, stats.FSlim), v(r, stats.FStot), v(r, stats.FLbtot), ago(r, stats.FLastsess),
		v(r, stats.FBin), v(r, stats.FBout),
		v(r, stats.FDreq), v(r, stats.FDresp),
		"", v(r, stats.FEcon), v(r, stats.FEresp),
		v(r, stats.FWretr), v(r, stats.FWredis),
		ago(r, stats.FLastchg)+" "+v(r, stats.FStatus), "", v(r, stats.FWeight)+"/"+v(r, stats.FUweight), v(r, stats.FAct), v(r, stats.FBck),
		"", v(r, stats.FChkdown), ago(r, stats.FDowntime), "",
	)
	c[20].class = "c"
	return c
}

// serverClass picks the row colour from the status column, as haproxy's
// page does: maintenance, drain, soft-stop, no check, up, going down,
// going up, down; backup servers have their own shades.
func serverClass(r *stats.Row, sv *stats.Server) string {
	st := r[stats.FStatus].S
	word, frac, _ := strings.Cut(st, " ")
	var c string
	switch {
	case word == "MAINT":
		return "s-maint"
	case word == "DRAIN":
		c = "drain"
	case word == "NOLB":
		c = "nolb"
	case st == "no check":
		c = "nocheck"
	case word == "UP" && frac == "":
		c = "up"
	case word == "UP":
		c = "goingdown"
	case word == "DOWN" && frac != "" && frac[0] != '(':
		c = "goingup"
	default:
		c = "down"
	}
	if sv.Backup {
		c = "b" + c
	}
	return "s-" + c
}
