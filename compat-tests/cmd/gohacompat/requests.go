package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// request is one entry of a request file.
type request struct {
	Name   string
	Target string // "" (every plain listener), a proxy name, or an address as written in a bind line
	Raw    []byte // bytes sent, CRLF line ends in the head
}

// requestFileHelp documents the request file format (gohacompat -h).
const requestFileHelp = `Request file format:
  # a comment (outside a request)
  ### NAME [@TARGET]
  GET /path HTTP/1.1
  Host: example.com
  Header: value

  optional body, up to the next "###" line
Each "###" line starts a request. The head lines are sent as written
with CRLF line ends (malformed lines too), then the empty line that ends
the head. What follows the first blank line is the body, sent as written
(blank lines before the next "###" are not part of it); when the head has
no Content-Length or Transfer-Encoding, a Content-Length is added for a
non-empty body. @TARGET sends the request
only to the listeners of that frontend/listen section, or to the bind
address written exactly so ("@*:81"); without it, to every listener that
is not TLS. Each request goes on its own connection.`

// parseRequests reads a request file.
func parseRequests(text string) ([]request, error) {
	var reqs []request
	var cur *request
	var lines []string
	flush := func() {
		if cur == nil {
			return
		}
		cur.Raw = buildRaw(lines)
		reqs = append(reqs, *cur)
		cur, lines = nil, nil
	}
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "###") {
			flush()
			f := strings.Fields(strings.TrimPrefix(line, "###"))
			if len(f) == 0 {
				return nil, fmt.Errorf("line %d: a request needs a name after ###", i+1)
			}
			cur = &request{Name: f[0]}
			if len(f) > 1 {
				if !strings.HasPrefix(f[1], "@") || len(f) > 2 {
					return nil, fmt.Errorf("line %d: expected \"### NAME [@TARGET]\"", i+1)
				}
				cur.Target = f[1][1:]
			}
			continue
		}
		if cur == nil {
			if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "#") {
				return nil, fmt.Errorf("line %d: text outside a request (start one with \"### NAME\")", i+1)
			}
			continue
		}
		lines = append(lines, line)
	}
	flush()
	if len(reqs) == 0 {
		return nil, fmt.Errorf("no request in the file")
	}
	return reqs, nil
}

func buildRaw(lines []string) []byte {
	for len(lines) > 0 && strings.TrimRight(lines[len(lines)-1], "\r") == "" && !hasBlank(lines[:len(lines)-1]) {
		lines = lines[:len(lines)-1] // the blank lines closing a head-only block
	}
	blank := len(lines)
	for i, l := range lines {
		if strings.TrimRight(l, "\r") == "" {
			blank = i
			break
		}
	}
	head := lines[:blank]
	body := ""
	if blank < len(lines) {
		body = strings.TrimSuffix(strings.Join(lines[blank+1:], "\n"), "\n")
	}
	hasLen := false
	for _, l := range head[min(1, len(head)):] {
		n, _, _ := strings.Cut(l, ":")
		switch strings.ToLower(strings.TrimSpace(n)) {
		case "content-length", "transfer-encoding":
			hasLen = true
		}
	}
	var b bytes.Buffer
	for _, l := range head {
		b.WriteString(strings.TrimRight(l, "\r") + "\r\n")
	}
	if body != "" && !hasLen {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return b.Bytes()
}

func hasBlank(ls []string) bool {
	for _, l := range ls {
		if strings.TrimRight(l, "\r") == "" {
			return true
		}
	}
	return false
}

// defaultRequests is the built-in set, used without --requests.
const defaultRequests = `### get-root
GET / HTTP/1.1
Host: compat.test
User-Agent: gohacompat
Accept: */*

### get-html
GET /index.html HTTP/1.1
Host: compat.test
User-Agent: gohacompat

### get-query
GET /search?q=goha&page=2 HTTP/1.1
Host: compat.test

### head-root
HEAD / HTTP/1.1
Host: compat.test

### post-form
POST /submit HTTP/1.1
Host: compat.test
Content-Type: application/x-www-form-urlencoded

name=goha&drop=in
### http10-no-host
GET / HTTP/1.0

### headers-mixed
GET /headers HTTP/1.1
Host: compat.test
X-Custom-Header: One
x-custom-header: two
Cookie: SERVERID=abc; session=1
Accept-Encoding: gzip

### close-requested
GET / HTTP/1.1
Host: compat.test
Connection: close

### bad-header-line
GET / HTTP/1.1
Host: compat.test
this line has no colon
`

// statsRequests adds, for every "stats uri" of the configuration, the page
// without and with its "stats auth" credentials, and its CSV export.
func statsRequests(pages []statsPage) []request {
	var reqs []request
	for _, p := range pages {
		head := "GET " + p.URI + " HTTP/1.1\r\nHost: compat.test\r\n"
		auth := ""
		if p.Auth != "" {
			auth = "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(p.Auth)) + "\r\n"
			reqs = append(reqs, request{Name: "stats-no-auth", Target: p.Proxy, Raw: []byte(head + "\r\n")})
		}
		reqs = append(reqs, request{Name: "stats-page", Target: p.Proxy, Raw: []byte(head + auth + "\r\n")})
		reqs = append(reqs, request{Name: "stats-csv", Target: p.Proxy,
			Raw: []byte("GET " + p.URI + ";csv HTTP/1.1\r\nHost: compat.test\r\n" + auth + "\r\n")})
	}
	return reqs
}

// response is what a client saw for one request.
type response struct {
	Status  string   // status line, or "(no response: ...)"
	Headers []string // "name: value" in order
	Body    string
}

// exchange sends raw to port on its own connection and reads one response
// (by Content-Length, chunked, or until the proxy closes).
func exchange(port int, raw []byte, head bool) response {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 2*time.Second)
	if err != nil {
		return response{Status: "(no connection: " + err.Error() + ")"}
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(raw); err != nil {
		return response{Status: "(write failed)"}
	}
	br := bufio.NewReader(c)
	status, err := br.ReadString('\n')
	if err != nil {
		if status == "" {
			return response{Status: "(connection closed without a response)"}
		}
		return response{Status: "(truncated response)", Body: status}
	}
	r := response{Status: strings.TrimRight(status, "\r\n")}
	var clen int64 = -1
	chunked := false
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			r.Headers = append(r.Headers, "(truncated head)")
			return r
		}
		t := strings.TrimRight(l, "\r\n")
		if t == "" {
			break
		}
		r.Headers = append(r.Headers, t)
		n, v, _ := strings.Cut(t, ":")
		switch strings.ToLower(n) {
		case "content-length":
			clen, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		case "transfer-encoding":
			chunked = strings.Contains(strings.ToLower(v), "chunked")
		}
	}
	code := ""
	if f := strings.Fields(r.Status); len(f) > 1 {
		code = f[1]
	}
	var body bytes.Buffer
	switch {
	case head || code == "204" || code == "304" || strings.HasPrefix(code, "1"):
	case chunked:
		// Decoded: the chunking is visible in the headers already, and
		// where a proxy cuts chunks is not something a client relies on.
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				break
			}
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.SplitN(l, ";", 2)[0]), 16, 64)
			if n == 0 {
				br.ReadString('\n')
				break
			}
			if _, err := io.CopyN(&body, br, n); err != nil {
				break
			}
			br.ReadString('\n')
		}
	case clen >= 0:
		io.CopyN(&body, br, clen)
	default:
		io.Copy(&body, br)
	}
	r.Body = body.String()
	return r
}
