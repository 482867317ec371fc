package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// echoServer stands in for one server of the user's configuration: it
// answers every HTTP request with 200 and a body that is the request
// exactly as it arrived (a PROXY protocol line included), and names
// itself in an "X-Compat-Server" header so the tool knows which server
// the proxy chose.
type echoServer struct {
	name string
	ln   net.Listener
	wg   sync.WaitGroup
}

func startEcho(name string, port int) (*echoServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return nil, err
	}
	e := &echoServer{name: name, ln: ln}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go e.serve(c)
		}
	}()
	return e, nil
}

func (e *echoServer) close() { e.ln.Close(); e.wg.Wait() }

func (e *echoServer) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		raw, keep, err := readRequest(br)
		if err != nil || len(raw) == 0 {
			return
		}
		body := raw
		var resp bytes.Buffer
		fmt.Fprintf(&resp, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Compat-Server: %s\r\nContent-Length: %d\r\n", e.name, len(body))
		if !keep {
			resp.WriteString("Connection: close\r\n")
		}
		resp.WriteString("\r\n")
		if !strings.HasPrefix(string(raw), "HEAD ") {
			resp.Write(body)
		}
		if _, err := c.Write(resp.Bytes()); err != nil || !keep {
			return
		}
	}
}

// readRequest reads one HTTP/1 request (head and body, by Content-Length
// or chunked) and returns its bytes as received and whether the
// connection may be kept open.
func readRequest(br *bufio.Reader) ([]byte, bool, error) {
	var raw bytes.Buffer
	var clen int64 = -1
	chunked, first, keep := false, true, true
	for {
		line, err := br.ReadString('\n')
		raw.WriteString(line)
		if err != nil {
			return raw.Bytes(), false, err
		}
		if first && strings.HasPrefix(line, "PROXY ") {
			continue // PROXY protocol v1 line (send-proxy), echoed too
		}
		t := strings.TrimRight(line, "\r\n")
		if first {
			first = false
			keep = strings.HasSuffix(t, "HTTP/1.1")
			continue
		}
		if t == "" {
			break
		}
		name, value, _ := strings.Cut(t, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			clen, _ = strconv.ParseInt(value, 10, 64)
		case "transfer-encoding":
			chunked = strings.Contains(strings.ToLower(value), "chunked")
		case "connection":
			switch strings.ToLower(value) {
			case "close":
				keep = false
			case "keep-alive":
				keep = true
			}
		}
	}
	switch {
	case chunked:
		for {
			line, err := br.ReadString('\n')
			raw.WriteString(line)
			if err != nil {
				return raw.Bytes(), false, err
			}
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.SplitN(line, ";", 2)[0]), 16, 64)
			if n == 0 {
				for { // trailers up to the empty line
					l, err := br.ReadString('\n')
					raw.WriteString(l)
					if err != nil || strings.TrimRight(l, "\r\n") == "" {
						return raw.Bytes(), keep, err
					}
				}
			}
			if _, err := io.CopyN(&raw, br, n+2); err != nil {
				return raw.Bytes(), false, err
			}
		}
	case clen > 0:
		if _, err := io.CopyN(&raw, br, clen); err != nil {
			return raw.Bytes(), false, err
		}
	}
	return raw.Bytes(), keep, nil
}

// syslogSink collects the log lines a proxy sends over UDP.
type syslogSink struct {
	pc    net.PacketConn
	mu    sync.Mutex
	lines []string
	ch    chan struct{} // signalled on every line
}

func startSyslog() (*syslogSink, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &syslogSink{pc: pc, ch: make(chan struct{}, 1)}
	go func() {
		buf := make([]byte, 65536)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.lines = append(s.lines, strings.TrimRight(string(buf[:n]), "\n"))
			s.mu.Unlock()
			select {
			case s.ch <- struct{}{}:
			default:
			}
		}
	}()
	return s, nil
}

func (s *syslogSink) port() int { return s.pc.LocalAddr().(*net.UDPAddr).Port }

func (s *syslogSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lines)
}

// since returns the lines after the first n, waiting up to wait for a first
// one and then until none arrives for 60 ms.
func (s *syslogSink) since(n int, wait time.Duration) []string {
	deadline := time.Now().Add(wait)
	for s.count() == n && time.Now().Before(deadline) {
		select {
		case <-s.ch:
		case <-time.After(time.Until(deadline)):
		}
	}
	for {
		c := s.count()
		time.Sleep(60 * time.Millisecond)
		if s.count() == c {
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines[n:]...)
}
