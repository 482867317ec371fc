package scenario

import (
	"encoding/csv"
	"fmt"
	"strings"
)

// statsColumns are the CSV fields (management.txt section 9.1) whose
// values do not depend on when the page is read: identities, states,
// configured limits and the counters of the scripted requests. Clocks
// (lastchg, downtime, check_duration, rates, times) are left out.
var statsColumns = []string{"status", "weight", "act", "bck", "slim", "stot", "lbtot", "hrsp_2xx", "hrsp_5xx",
	"chkfail", "chkdown", "pid", "iid", "sid", "type", "check_status", "check_rise", "check_fall", "addr", "mode", "algo"}

// StatsCSV fetches the stats page's CSV through the VIP with the tutorial's
// credentials and records its header and the deterministic fields of every
// row.
func (r *Run) StatsCSV(path, auth string) {
	ex := r.Get(81, path, auth, false)
	if !strings.HasPrefix(string(ex.body), "# ") {
		first, _, _ := strings.Cut(string(ex.body), "\n")
		r.rec.add("stats", fmt.Sprintf("not CSV (%d bytes), first line %q", len(ex.body), first))
		return
	}
	body := strings.TrimPrefix(string(ex.body), "# ")
	cr := csv.NewReader(strings.NewReader(body))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil || len(rows) == 0 {
		r.rec.add("stats", fmt.Sprintf("no CSV (%d bytes; %v)", len(ex.body), err))
		return
	}
	// Every field ends with a comma, so csv sees an empty last column.
	header := rows[0]
	r.rec.add("stats", fmt.Sprintf("columns %d", len(header)), "header "+strings.Join(header, ","))
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, row := range rows[1:] {
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(row) {
				return row[i]
			}
			return "<absent>"
		}
		var parts []string
		for _, c := range statsColumns {
			parts = append(parts, c+"="+get(c))
		}
		r.rec.add("stats", get("pxname")+"/"+get("svname")+": "+strings.Join(parts, " "))
	}
}
