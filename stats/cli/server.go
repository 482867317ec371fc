package cli

import (
	"bufio"
	"errors"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Level is a CLI access level ("stats socket ... level user|operator|admin",
// configuration.txt §5.1 "level").
type Level uint8

// Access levels, in haproxy's order (ACCESS_LVL_*).
const (
	LevelUser Level = iota + 1
	LevelOperator
	LevelAdmin
)

func (l Level) String() string {
	switch l {
	case LevelUser:
		return "user"
	case LevelOperator:
		return "operator"
	case LevelAdmin:
		return "admin"
	}
	return "unknown"
}

// ParseLevel reads a "level" bind argument.
func ParseLevel(s string) (Level, bool) {
	switch s {
	case "user":
		return LevelUser, true
	case "operator":
		return LevelOperator, true
	case "admin":
		return LevelAdmin, true
	}
	return 0, false
}

// DefaultTimeout is "stats timeout"'s default (configuration.txt §3.1:
// "The default value is 10s").
const DefaultTimeout = 10 * time.Second

// Server answers haproxy's runtime API on the listeners it is given. One
// Server may serve several sockets at different levels (Serve takes the
// level per listener).
type Server struct {
	Runtime Runtime
	// Timeout is "stats timeout": a session idle for this long (no
	// complete command received) is closed. 0 means DefaultTimeout.
	Timeout time.Duration
	// OnConn is called for each accepted connection: haproxy gives every
	// CLI connection a stream, which takes a request counter (%rt).
	OnConn func()

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	closed    bool
	nextID    atomic.Uint64
}

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("cli: server closed")

// ListenUnix creates the socket of "stats socket <path> [mode <octal>]":
// an existing socket file is replaced (haproxy unlinks it too) and the
// file gets mode (0 keeps the umask's).
func ListenUnix(path string, mode os.FileMode) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if ul, ok := l.(*net.UnixListener); ok {
		ul.SetUnlinkOnClose(true)
	}
	if mode != 0 {
		if err := os.Chmod(path, mode); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// Serve accepts sessions on l at the given level until l fails or the
// server is closed. It is ServeSocket with listener id 1.
func (s *Server) Serve(l net.Listener, level Level) error {
	return s.ServeSocket(Socket{Listener: l, Level: level, ID: 1})
}

// Socket is one "stats socket" line: its listener, its level, and its
// listener id in haproxy's GLOBAL proxy (1 for the first "stats socket",
// 2 for the second...), which "show sess" prints as "src=unix:<id>".
type Socket struct {
	Listener net.Listener
	Level    Level
	ID       int
}

// ServeSocket accepts sessions on sock until its listener fails or the
// server is closed.
func (s *Server) ServeSocket(sock Socket) error {
	l, level := sock.Listener, sock.Level
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	if s.listeners == nil {
		s.listeners = map[net.Listener]struct{}{}
		s.conns = map[net.Conn]struct{}{}
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	for {
		c, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			delete(s.listeners, l)
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		if !s.track(c, true) {
			c.Close()
			return ErrServerClosed
		}
		if s.OnConn != nil {
			s.OnConn()
		}
		go func() {
			defer s.track(c, false)
			s.serveConn(c, level, sock.ID)
		}()
	}
}

func (s *Server) track(c net.Conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.closed {
			return false
		}
		if s.conns == nil {
			s.conns = map[net.Conn]struct{}{}
		}
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
	return true
}

// Close stops every listener and session.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	return nil
}

// ServeConn runs one CLI session on c and closes it at the end: it reads
// commands separated by newlines or unescaped semicolons, answers each,
// and follows every answer with haproxy's post-command prompt: "\n", or
// "\n> " in interactive mode (cli_io_handler in src/cli.c). Outside
// interactive mode the session ends once no more input is waiting after
// an answer, as haproxy's does.
func (s *Server) ServeConn(c net.Conn, level Level) { s.serveConn(c, level, 1) }

func (s *Server) serveConn(c net.Conn, level Level, lid int) {
	defer c.Close()
	sess := &session{srv: s, level: level, timeout: s.Timeout, id: s.nextID.Add(1), fd: -1}
	sess.proto, sess.src = "unix_stream", "unix:"+strconv.Itoa(lid)
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		sess.proto, sess.src = "tcpv4", a.IP.String()+":"+strconv.Itoa(a.Port)
		if a.IP.To4() == nil {
			sess.proto = "tcpv6"
		}
	}
	if sess.timeout <= 0 {
		sess.timeout = DefaultTimeout
	}
	r := bufio.NewReaderSize(c, 16384)
	w := bufio.NewWriterSize(c, 16384)
	for {
		c.SetReadDeadline(time.Now().Add(sess.timeout))
		line, ok := readCommand(r)
		if !ok {
			// closed, timed out, or a last command without its end of
			// line: haproxy drops it too.
			return
		}
		out := sess.execute(line)
		if sess.quit {
			w.Flush()
			return
		}
		w.WriteString(out)
		switch {
		case sess.prompt:
			w.WriteString("\n> ")
		case !sess.noLF:
			w.WriteString("\n")
		}
		sess.noLF = false
		if err := w.Flush(); err != nil {
			return
		}
		if !sess.prompt && r.Buffered() == 0 {
			return
		}
	}
}

// readCommand reads one command: bytes up to a newline or a semicolon not
// escaped by a backslash; a trailing CR is dropped.
func readCommand(r *bufio.Reader) ([]byte, bool) {
	var line []byte
	for {
		b, err := r.ReadByte()
		if err != nil {
			return nil, false
		}
		if b == '\\' {
			line = append(line, b)
			nb, err := r.ReadByte()
			if err != nil {
				return nil, false
			}
			line = append(line, nb)
			continue
		}
		if b == '\n' || b == ';' {
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			return line, true
		}
		line = append(line, b)
	}
}

// splitArgs cuts a command into words at blanks and tabs; a backslash
// escapes the next byte ("\\" is a backslash), as cli_parse_request does.
func splitArgs(line []byte) []string {
	var args []string
	i := 0
	for i < len(line) {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			break
		}
		var word []byte
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			if line[i] == '\\' && i+1 < len(line) {
				i++
			} else if line[i] == '\\' {
				i++
				continue
			}
			word = append(word, line[i])
			i++
		}
		args = append(args, string(word))
	}
	return args
}
