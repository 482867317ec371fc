package page

import (
	"strings"
	"testing"
)

// FuzzAdminPost feeds arbitrary form bodies and URIs to the admin POST
// handling: it must never panic and always answer a 303 to the page with
// one of haproxy's status codes.
func FuzzAdminPost(f *testing.F) {
	for _, s := range pageSteps {
		if s.method == "POST" {
			f.Add(s.path, strings.ReplaceAll(s.body, "{{BEID}}", "2"))
		}
	}
	f.Add("/stats;scope=be;up", "s=%zz&action=maint&b=be")
	f.Add("/stats", "&&&=&s=&action=&b=")
	h := tutorialHandler(testModel(f))
	codes := "DENY DONE ERRP EXCD NONE PART UNKN IVAL"
	f.Fuzz(func(t *testing.T, uri, body string) {
		resp := h.Respond(&Request{Method: "POST", URI: "/stats" + uri, Header: basic("yjssjm:123"), Body: []byte(body)})
		if resp.Status != 303 {
			t.Fatalf("status %d", resp.Status)
		}
		loc := ""
		for _, hd := range resp.Headers {
			if hd[0] == "location" {
				loc = hd[1]
			}
		}
		if !strings.HasPrefix(loc, "/stats;st=") || !strings.Contains(codes, loc[len("/stats;st="):len("/stats;st=")+4]) {
			t.Fatalf("location %q", loc)
		}
	})
}
