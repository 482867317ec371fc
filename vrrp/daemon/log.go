package daemon

import (
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// Logger writes keepalived's log lines: to the console (-l) as
// "Wed Nov 25 14:48:18 2026: text" and to syslog (unless -G) with the
// daemon facility (or -S's). keepalived's lines come from two processes,
// told apart in syslog by their ident: the parent's ("Keepalived":
// start-up banner, configuration file, starting the child, reload and
// stop messages; Parentf) and the VRRP child's ("Keepalived_vrrp":
// everything about instances; Printf). govrrpd is one process and uses
// its pid for both. Detail lines (keepalived's log_detail) are written
// only with -D.
type Logger struct {
	mu       sync.Mutex
	console  io.Writer
	syslog   net.Conn
	detail   bool
	facility int
	ident    string
	parent   string // the ident of keepalived's parent process
	now      func() time.Time
}

// LogOptions configure a Logger.
type LogOptions struct {
	Console io.Writer // nil: no console logging
	Syslog  bool      // send to syslog when its socket exists
	// SyslogPath is the syslog socket (default /dev/log).
	SyslogPath string
	Facility   int  // syslog facility number (3 = daemon)
	Detail     bool // -D
}

// NewLogger returns a logger for o.
func NewLogger(o LogOptions) *Logger {
	l := &Logger{console: o.Console, detail: o.Detail, facility: o.Facility,
		ident:  fmt.Sprintf("Keepalived_vrrp[%d]", os.Getpid()),
		parent: fmt.Sprintf("Keepalived[%d]", os.Getpid()), now: time.Now}
	if o.Syslog {
		path := o.SyslogPath
		if path == "" {
			path = "/dev/log"
		}
		if c, err := net.Dial("unixgram", path); err == nil {
			l.syslog = c
		}
	}
	return l
}

// Printf logs a line of keepalived's VRRP child.
func (l *Logger) Printf(format string, args ...any) { l.write(l.ident, fmt.Sprintf(format, args...)) }

// Parentf logs a line of keepalived's parent process.
func (l *Logger) Parentf(format string, args ...any) { l.write(l.parent, fmt.Sprintf(format, args...)) }

// Detailf logs a line the VRRP child prints only with -D.
func (l *Logger) Detailf(format string, args ...any) {
	if l.detail {
		l.write(l.ident, fmt.Sprintf(format, args...))
	}
}

// ParentDetailf logs a line the parent prints only with -D.
func (l *Logger) ParentDetailf(format string, args ...any) {
	if l.detail {
		l.write(l.parent, fmt.Sprintf(format, args...))
	}
}

// Line logs text, as a detail line when detail is set.
func (l *Logger) Line(text string, detail bool) {
	if !detail || l.detail {
		l.write(l.ident, text)
	}
}

func (l *Logger) write(ident, text string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.console != nil {
		fmt.Fprintf(l.console, "%s: %s\n", now.Format("Mon Jan _2 15:04:05 2006"), text)
	}
	if l.syslog != nil {
		// LOG_INFO (6) in the configured facility.
		fmt.Fprintf(l.syslog, "<%d>%s %s: %s", l.facility<<3|6, now.Format(time.Stamp), ident, text)
	}
}

// Close closes the syslog connection.
func (l *Logger) Close() {
	if l.syslog != nil {
		l.syslog.Close()
	}
}
