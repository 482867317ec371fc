package check

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"regexp"
	"strconv"
	"syscall"
	"time"
)

// Probe performs one check against addr within dl (Deadlines); ctx only
// cancels it (Stop), and its result is then not used.
type Probe interface {
	Run(ctx context.Context, addr string, dl Deadlines) Result
}

// TCPProbe is haproxy's plain "check": a connection that completes passes
// (L4OK), a refused one fails (L4CON), one that does not complete in time
// fails (L4TOUT).
type TCPProbe struct{}

// Run connects to addr and closes at once.
func (TCPProbe) Run(ctx context.Context, addr string, dl Deadlines) Result {
	c, err := dial(ctx, addr, dl)
	if err != nil {
		return connFailure(err, dl)
	}
	c.Close()
	return Result{Status: StatusL4OK, DurationMS: dl.elapsedMS()}
}

// connFailure names a failed connection as haproxy does: a timeout is
// L4TOUT without detail, any other error L4CON with the C library's text
// for errno ("Connection refused").
func connFailure(err error, dl Deadlines) Result {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return Result{Status: StatusL4Timeout, DurationMS: dl.elapsedMS()}
	}
	info := err.Error()
	var errno syscall.Errno
	if errors.As(err, &errno) {
		info = strerror(errno)
	}
	return Result{Status: StatusL4Con, Info: info, DurationMS: dl.elapsedMS()}
}

// strerror returns glibc's message for the errnos a connect can give; Go's
// own texts are lower-case and would differ from haproxy's logs.
func strerror(e syscall.Errno) string {
	switch e {
	case syscall.ECONNREFUSED:
		return "Connection refused"
	case syscall.EHOSTUNREACH:
		return "No route to host"
	case syscall.ENETUNREACH:
		return "Network is unreachable"
	case syscall.ECONNRESET:
		return "Connection reset by peer"
	case syscall.ETIMEDOUT:
		return "Connection timed out"
	case syscall.EADDRNOTAVAIL:
		return "Cannot assign requested address"
	}
	s := e.Error()
	if s != "" {
		return string(bytes.ToUpper([]byte(s[:1]))) + s[1:]
	}
	return s
}

// Expect is an "http-check expect" rule (§4.2); the zero value is haproxy's
// default: any 2xx or 3xx status passes.
type Expect struct {
	Negate bool
	// Exactly one of the following is set.
	Status  [][2]int       // "status": codes and ranges
	RStatus *regexp.Regexp // "rstatus"
	String  []byte         // "string": body contains
	RString *regexp.Regexp // "rstring": body matches
}

// HTTPProbe is "option httpchk": it sends Request (for example
// "OPTIONS / HTTP/1.0\r\n\r\n", haproxy's default) and judges the
// response with Expect.
type HTTPProbe struct {
	Request []byte
	Expect  Expect
}

// DefaultHTTPRequest is the request of a bare "option httpchk".
var DefaultHTTPRequest = []byte("OPTIONS / HTTP/1.0\r\n\r\n")

// maxCheckResponse bounds what is read of a check response (haproxy reads
// into one buffer, tune.chksize/bufsize).
const maxCheckResponse = 16384

// Run sends the request and evaluates the response.
func (p HTTPProbe) Run(ctx context.Context, addr string, dl Deadlines) Result {
	c, err := dial(ctx, addr, dl)
	if err != nil {
		return connFailure(err, dl)
	}
	defer c.Close()
	c.SetDeadline(dl.AfterConnect(time.Now()))
	// Stop interrupts a check waiting for its response
	defer context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })()
	req := p.Request
	if len(req) == 0 {
		req = DefaultHTTPRequest
	}
	if _, err := c.Write(req); err != nil {
		return Result{Status: StatusSockErr, Info: err.Error(), DurationMS: dl.elapsedMS()}
	}
	br := bufio.NewReaderSize(c, 4096)
	line, err := br.ReadSlice('\n')
	if err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return Result{Status: StatusL7Timeout, DurationMS: dl.elapsedMS()}
		}
		return Result{Status: StatusL7Rsp, Info: "Invalid response (not HTTP)", DurationMS: dl.elapsedMS()}
	}
	code, reason, ok := parseStatusLine(line)
	if !ok {
		return Result{Status: StatusL7Rsp, Info: "Invalid response (not HTTP)", DurationMS: dl.elapsedMS()}
	}
	var body []byte
	if p.Expect.String != nil || p.Expect.RString != nil {
		body = readBody(br)
		if len(body) == 0 {
			// haproxy fails a content check on an empty body whatever the
			// pattern and its negation (tcpcheck_eval_expect_http).
			return Result{Status: StatusL7Rsp, Code: code, Info: "HTTP content check could not find a response body", DurationMS: dl.elapsedMS()}
		}
	}
	pass := p.Expect.match(code, body)
	r := Result{Code: code, Info: reason, DurationMS: dl.elapsedMS()}
	if pass {
		// a passed protocol check has no description: the reason
		// phrase is only kept to explain a failure (src/tcpcheck.c,
		// tcpcheck_expect_onsuccess_message; measured: last_chk empty)
		r.Status = StatusL7OK
		r.Info = ""
	} else {
		r.Status = StatusL7Sts
		if p.Expect.String != nil || p.Expect.RString != nil {
			r.Status = StatusL7Rsp
		}
	}
	return r
}

func readBody(br *bufio.Reader) []byte {
	var buf bytes.Buffer
	// skip the header block
	for {
		l, err := br.ReadSlice('\n')
		if err != nil || len(bytes.TrimRight(l, "\r\n")) == 0 {
			break
		}
	}
	tmp := make([]byte, 4096)
	for buf.Len() < maxCheckResponse {
		n, err := br.Read(tmp)
		buf.Write(tmp[:n])
		if err != nil {
			break
		}
	}
	return buf.Bytes()
}

// parseStatusLine reads "HTTP/1.x NNN reason".
func parseStatusLine(l []byte) (int, string, bool) {
	l = bytes.TrimRight(l, "\r\n")
	if len(l) < 12 || !bytes.HasPrefix(l, []byte("HTTP/")) || l[8] != ' ' {
		return 0, "", false
	}
	code, err := strconv.Atoi(string(l[9:12]))
	if err != nil {
		return 0, "", false
	}
	reason := ""
	if len(l) > 13 {
		reason = string(l[13:])
	}
	return code, reason, true
}

func (e Expect) match(code int, body []byte) bool {
	var r bool
	switch {
	case e.Status != nil:
		for _, rg := range e.Status {
			if code >= rg[0] && code <= rg[1] {
				r = true
			}
		}
	case e.RStatus != nil:
		r = e.RStatus.MatchString(strconv.Itoa(code))
	case e.String != nil:
		r = bytes.Contains(body, e.String)
	case e.RString != nil:
		r = e.RString.Match(body)
	default:
		return code >= 200 && code < 400
	}
	return r != e.Negate
}
