package scenario

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net/http/httputil"
	"strconv"
	"strings"
	"time"
)

// exchange is one HTTP request from the client host and what came back.
type exchange struct {
	status  string   // status line, "" when no answer
	headers []string // header lines as sent
	body    []byte
	err     error
}

// request is what the client sends: a GET as curl sends it, one request
// per connection.
type request struct {
	addr, path string
	auth       string // user:password for Basic authentication, or ""
}

func (q request) bytes() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: goha-scenario\r\nAccept: */*\r\n", q.path, strings.TrimSuffix(q.addr, ":80"))
	if q.auth != "" {
		fmt.Fprintf(&b, "Authorization: Basic %s\r\n", base64.StdEncoding.EncodeToString([]byte(q.auth)))
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

// do sends q from inside the namespace and reads one response: the body
// by Content-Length, chunks, or until the server closes.
func do(ns string, q request, timeout time.Duration) exchange {
	c, err := dialIn(ns, q.addr, timeout)
	if err != nil {
		return exchange{err: err}
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write(q.bytes()); err != nil {
		return exchange{err: err}
	}
	br := bufio.NewReader(c)
	var ex exchange
	line, err := br.ReadString('\n')
	if err != nil {
		ex.err = err
		return ex
	}
	ex.status = strings.TrimRight(line, "\r\n")
	length, chunked := -1, false
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			ex.err = err
			return ex
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		ex.headers = append(ex.headers, line)
		name, value, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-length":
			length, _ = strconv.Atoi(strings.TrimSpace(value))
		case "transfer-encoding":
			chunked = strings.Contains(strings.ToLower(value), "chunked")
		}
	}
	switch {
	case chunked:
		ex.body, ex.err = io.ReadAll(httputil.NewChunkedReader(br))
	case length >= 0:
		ex.body = make([]byte, length)
		_, ex.err = io.ReadFull(br, ex.body)
	default:
		ex.body, ex.err = io.ReadAll(br)
	}
	return ex
}
