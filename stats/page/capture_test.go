package page

// Goldens for the stats page come from the real haproxy 2.6 (Debian):
//
//	go test ./stats/page -run TestCaptureGolden -update
//
// Only facts are stored: status lines, response headers, the 401 body,
// redirect locations and the page's column headings — never haproxy's
// HTML or CSS (goha's page has its own markup).

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "regenerate testdata/golden from the real haproxy")

const goldenDir = "testdata/golden"

const captureConfig = `global
    nbthread 1

defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend web
    bind 127.0.0.1:{{WEB}}
    default_backend be

backend be
    server s1 127.0.0.1:{{P1}}
    server s2 127.0.0.1:{{P2}} weight 5

listen stats
    bind 127.0.0.1:{{STATS}}
    stats enable
    stats uri /stats
    stats auth yjssjm:123
    stats auth admin:s3cret
    stats admin if TRUE
    stats refresh 10s

listen private
    bind 127.0.0.1:{{PRIV}}
    stats enable
    stats uri /
    stats realm Private\ area
    stats auth u:p
`

// pageSteps are raw requests sent in order; each answer's status line and
// headers (and body when it is small and fixed) are the golden.
var pageSteps = []struct {
	name, port, method, path, auth, body string
}{
	{"auth_none", "STATS", "GET", "/stats", "", ""},
	{"auth_wrong", "STATS", "GET", "/stats", "yjssjm:124", ""},
	{"auth_wrong_user", "STATS", "GET", "/stats", "nobody:123", ""},
	{"auth_realm", "PRIV", "GET", "/", "", ""},
	{"html", "STATS", "GET", "/stats", "yjssjm:123", ""},
	{"html_second_user", "STATS", "GET", "/stats", "admin:s3cret", ""},
	{"csv", "STATS", "GET", "/stats;csv", "yjssjm:123", ""},
	{"csv_norefresh", "STATS", "GET", "/stats;csv;norefresh", "yjssjm:123", ""},
	{"json", "STATS", "GET", "/stats;json", "yjssjm:123", ""},
	{"post_drain", "STATS", "POST", "/stats", "yjssjm:123", "s=s1&action=drain&b=%23{{BEID}}"},
	{"post_unknown_server", "STATS", "POST", "/stats", "yjssjm:123", "s=nosuch&action=maint&b=%23{{BEID}}"},
	{"post_partial", "STATS", "POST", "/stats", "yjssjm:123", "s=s1&s=nosuch&action=maint&b=%23{{BEID}}"},
	{"post_bad_action", "STATS", "POST", "/stats", "yjssjm:123", "s=s1&action=bogus&b=%23{{BEID}}"},
	{"post_no_server", "STATS", "POST", "/stats", "yjssjm:123", "action=ready&b=%23{{BEID}}"},
	{"post_bad_backend", "STATS", "POST", "/stats", "yjssjm:123", "s=s1&action=ready&b=nosuch"},
	{"post_keep_options", "STATS", "POST", "/stats;up;norefresh", "yjssjm:123", "s=s1&action=ready&b=be"},
	{"post_no_admin", "PRIV", "POST", "/", "u:p", "s=s1&action=ready&b=be"},
	{"put", "STATS", "PUT", "/stats", "yjssjm:123", ""},
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// rawRequest sends one HTTP/1.1 request with "Connection: close" and
// returns the whole answer.
func rawRequest(t *testing.T, addr, method, path, auth, body string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, path)
	if auth != "" {
		fmt.Fprintf(&b, "Authorization: Basic %s\r\n", base64.StdEncoding.EncodeToString([]byte(auth)))
	}
	if method == "POST" || method == "PUT" {
		fmt.Fprintf(&b, "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n" + body)
	io.WriteString(c, b.String())
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// head keeps the status line and headers of a raw answer.
func head(raw string) string {
	h, _, _ := strings.Cut(raw, "\r\n\r\n")
	return h + "\r\n\r\n"
}

// columnHeadings lists the texts of the header cells of the first table
// that has a "Queue" group, one per line: the page's column set.
func columnHeadings(html string) string {
	i := strings.Index(html, ">Queue<")
	if i < 0 {
		return ""
	}
	j := strings.Index(html[i:], "</tr>")
	k := strings.Index(html[i+j+5:], "</tr>")
	part := html[i-200 : i+j+5+k]
	var out []string
	for _, m := range regexp.MustCompile(`<th[^>]*>([^<]*)</th>`).FindAllStringSubmatch(part, -1) {
		if m[1] != "" {
			out = append(out, m[1])
		}
	}
	return strings.Join(out, "\n") + "\n"
}

func TestCaptureGolden(t *testing.T) {
	if !*update {
		t.Skip("golden capture runs only with -update")
	}
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		if _, err := os.Stat("/usr/sbin/haproxy"); err != nil {
			t.Skip("haproxy not installed: cannot regenerate goldens")
		}
		bin = "/usr/sbin/haproxy"
	}
	dir := t.TempDir()
	ports := map[string]int{"WEB": freePort(t), "P1": freePort(t), "P2": freePort(t), "STATS": freePort(t), "PRIV": freePort(t)}
	cfg := captureConfig
	for k, p := range ports {
		cfg = strings.ReplaceAll(cfg, "{{"+k+"}}", fmt.Sprint(p))
	}
	path := filepath.Join(dir, "haproxy.cfg")
	os.WriteFile(path, []byte(cfg), 0o644)
	cmd := exec.Command(bin, "-db", "-f", path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := func(name string) string { return fmt.Sprintf("127.0.0.1:%d", ports[name]) }
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr("STATS")); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy did not start: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	os.MkdirAll(goldenDir, 0o755)
	// the admin form names backends by "#<iid>": learn be's
	csv := rawRequest(t, addr("STATS"), "GET", "/stats;csv;norefresh", "yjssjm:123", "")
	beID := regexp.MustCompile(`\nbe,BACKEND,(?:[^,]*,){25}(\d+),`).FindStringSubmatch(csv)
	if beID == nil {
		t.Fatalf("no be backend in %s", csv)
	}
	os.WriteFile(filepath.Join(goldenDir, "be_iid.txt"), []byte(beID[1]+"\n"), 0o644)
	for _, s := range pageSteps {
		s.body = strings.ReplaceAll(s.body, "{{BEID}}", beID[1])
		raw := rawRequest(t, addr(s.port), s.method, s.path, s.auth, s.body)
		keep := head(raw)
		if strings.HasPrefix(s.name, "auth_") || s.name == "put" {
			keep = raw // the fixed 401 page
		}
		if s.name == "html" {
			os.WriteFile(filepath.Join(goldenDir, "columns.txt"), []byte(columnHeadings(raw)), 0o644)
		}
		if err := os.WriteFile(filepath.Join(goldenDir, s.name+".txt"), []byte(keep), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
