package compattests

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// With "capture cookie", haproxy walks the request's Cookie headers and
// forwards them without the blanks around each '='; goproxy forwards the
// same bytes.

const cookieConfig = `
defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
frontend web
    bind 127.0.0.1:{P1}
    capture cookie SRV len 32
    default_backend be
backend be
    server s1 {S1}
`

// TestObserveCaptureCookieForwarded: the Cookie headers the server gets.
func TestObserveCaptureCookieForwarded(t *testing.T) {
	hapBin, gopBin := needBinaries(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%q", r.Header.Values("Cookie"))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	cookies := [][]string{
		{"a = 1; SRV = xyz;b=2 ; c =3"},
		{"SRV= q ;  d  =  4", "e\t=5, f= \"g h\" ; $Path = /"},
		{"plain=1; noeq ; x =y"},
	}
	run := func(name, bin string) []string {
		p1 := freePort(t)
		cfg := strings.NewReplacer("{P1}", fmt.Sprint(p1), "{S1}", ln.Addr().String()).Replace(cookieConfig)
		startObserved(t, name, bin, cfg, p1)
		client := &http.Client{Timeout: 5 * time.Second}
		var out []string
		for _, cs := range cookies {
			req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/", p1), nil)
			for _, c := range cs {
				req.Header.Add("Cookie", c)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			out = append(out, string(b))
		}
		return out
	}
	h, g := run("haproxy", hapBin), run("goproxy", gopBin)
	t.Logf("haproxy 2.6 forwards:\n%s", strings.Join(h, "\n"))
	if strings.Join(h, "\n") != strings.Join(g, "\n") {
		t.Errorf("goproxy forwards:\n%s\nhaproxy 2.6:\n%s", strings.Join(g, "\n"), strings.Join(h, "\n"))
	}
}
