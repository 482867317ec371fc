package log

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Logger sends messages to a proxy's targets the way __send_log() and
// __do_send_log() do: per target level filter, sampling and minimum level,
// the target's framing and `len`, one datagram (or one line) per message,
// never blocking — a full socket buffer drops the message and counts it.
type Logger struct {
	targets  []*Target
	sinks    []sink
	hostname string
	tag      string
	pid      int
	// Now returns the emission time; time.Now unless replaced (tests).
	Now func() time.Time
	// Alert receives haproxy's one-time alert when a send fails for a
	// reason other than a full buffer; nil discards it.
	Alert func(msg string)

	maxLen    int
	dropped   atomic.Uint64
	alertOnce sync.Once
	bufs      sync.Pool
}

// NewLogger opens what the targets need. hostname is log-send-hostname
// (empty when not set); tag is log-tag. haproxy's default tag is the
// base name of argv[0] (src/haproxy.c), so a drop-in installed as
// /usr/sbin/haproxy passes filepath.Base(os.Args[0]); empty means
// "haproxy".
func NewLogger(targets []*Target, hostname, tag string) (*Logger, error) {
	if tag == "" {
		tag = "haproxy"
	}
	l := &Logger{targets: targets, hostname: hostname, tag: tag, pid: os.Getpid(), Now: time.Now, maxLen: DefaultMaxLen}
	for _, t := range targets {
		s, err := openSink(t)
		if err != nil {
			return nil, err
		}
		l.sinks = append(l.sinks, s)
		if t.MaxLen > l.maxLen {
			l.maxLen = t.MaxLen
		}
	}
	l.bufs.New = func() any { b := make([]byte, 0, l.maxLen+512); return &b }
	return l, nil
}

// MaxLen is the longest `len` of the targets (at least DefaultMaxLen): the
// bound to render messages with, like haproxy's global.max_syslog_len.
func (l *Logger) MaxLen() int { return l.maxLen }

// Dropped counts messages lost because a socket buffer was full.
func (l *Logger) Dropped() uint64 { return l.dropped.Load() }

// Send frames msg for each target that accepts level and sends it. sd is
// the rendered log-format-sd for rfc5424 targets (nil means "-").
func (l *Logger) Send(level int, msg, sd []byte) {
	if len(l.targets) == 0 {
		return
	}
	bp := l.bufs.Get().(*[]byte)
	now := l.Now()
	nb := 0
	for i, t := range l.targets {
		lvl, ok := t.Accepts(level)
		if !ok {
			continue
		}
		nb++
		h := Header{Format: t.Format, Facility: t.Facility, Level: lvl, Hostname: l.hostname,
			Tag: l.tag, PID: l.pid, StructuredData: sd, Time: now}
		if t.Format == FormatRFC5424 && sd == nil {
			h.StructuredData = defaultSD
		}
		var b []byte
		if l.sinks[i].stream() {
			b = AppendStreamLine((*bp)[:0], &h, msg, t.MaxLen)
		} else {
			b = AppendDatagram((*bp)[:0], &h, msg, t.MaxLen)
		}
		*bp = b
		if err := l.sinks[i].send(b); err != nil {
			if errors.Is(err, unix.EAGAIN) {
				l.dropped.Add(1)
			} else if l.Alert != nil {
				n := nb
				l.alertOnce.Do(func() {
					errno, _ := err.(unix.Errno)
					l.Alert(fmt.Sprintf("sendmsg()/writev() failed in logger #%d: %s (errno=%d)", n, strerror(err), int(errno)))
				})
			}
		}
	}
	l.bufs.Put(bp)
}

var defaultSD = []byte("-")

// SendRecord renders r with prog (and sdProg for rfc5424 targets, nil for
// the default "-") and sends it at level. It allocates nothing once warm.
func (l *Logger) SendRecord(level int, prog, sdProg *Program, r *Record) {
	mp := l.bufs.Get().(*[]byte)
	msg := prog.Append((*mp)[:0], r, l.maxLen)
	if len(msg) > 0 {
		var sd []byte
		var sp *[]byte
		if sdProg != nil {
			sp = l.bufs.Get().(*[]byte)
			sd = sdProg.Append((*sp)[:0], r, l.maxLen)
			*sp = sd
		}
		l.Send(level, msg, sd)
		if sp != nil {
			l.bufs.Put(sp)
		}
	}
	*mp = msg
	l.bufs.Put(mp)
}

// strerror words an errno like C's strerror() ("Connection refused").
func strerror(err error) string {
	s := err.Error()
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// sink is an opened target.
type sink interface {
	send(b []byte) error
	stream() bool
}

// Like haproxy, all datagram targets of a family share one socket, which
// is never read (SO_RCVBUF 0, shut for reading).
var (
	shared   = map[int]int{}
	sharedMu sync.Mutex
)

func sharedSocket(family int) (int, error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if fd, ok := shared[family]; ok {
		return fd, nil
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 0)
	unix.Shutdown(fd, unix.SHUT_RD)
	shared[family] = fd
	return fd, nil
}

// dgramSink sends each message with the destination address, like
// haproxy's sendmsg(), so a restarted syslog daemon (a new /dev/log) is
// reached again without reconnecting. The mutex guards sa, which
// unix.Sendto rewrites into its raw form on every call.
type dgramSink struct {
	fd int
	mu sync.Mutex
	sa unix.Sockaddr
}

func (s *dgramSink) stream() bool { return false }

func (s *dgramSink) send(b []byte) error {
	s.mu.Lock()
	err := unix.Sendto(s.fd, b, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, s.sa)
	s.mu.Unlock()
	return err
}

// fdSink writes lines to stdout, stderr or an inherited descriptor.
// haproxy makes the descriptor non-blocking unless it is a terminal, and
// gives up (dropping the line) rather than wait for a concurrent writer.
type fdSink struct {
	fd int
	mu sync.Mutex
}

func (s *fdSink) stream() bool { return true }

func (s *fdSink) send(b []byte) error {
	for attempts := 0; !s.mu.TryLock(); attempts++ {
		if attempts >= 200 {
			return unix.EAGAIN
		}
		runtime.Gosched()
	}
	defer s.mu.Unlock()
	_, err := unix.Write(s.fd, b)
	return err
}

var (
	fdSinks   = map[int]*fdSink{}
	fdSinksMu sync.Mutex
)

func openSink(t *Target) (sink, error) {
	switch t.Network {
	case "fd":
		fdSinksMu.Lock()
		defer fdSinksMu.Unlock()
		if s, ok := fdSinks[t.FD]; ok {
			return s, nil
		}
		if _, err := unix.IoctlGetTermios(t.FD, unix.TCGETS); err != nil {
			unix.SetNonblock(t.FD, true)
		}
		s := &fdSink{fd: t.FD}
		fdSinks[t.FD] = s
		return s, nil
	case "unixgram":
		fd, err := sharedSocket(unix.AF_UNIX)
		if err != nil {
			return nil, err
		}
		return &dgramSink{fd: fd, sa: &unix.SockaddrUnix{Name: t.Address}}, nil
	case "udp", "udp4", "udp6":
		ua, err := net.ResolveUDPAddr(t.Network, t.Address)
		if err != nil {
			return nil, err
		}
		if ip4 := ua.IP.To4(); ip4 != nil {
			fd, err := sharedSocket(unix.AF_INET)
			if err != nil {
				return nil, err
			}
			sa := &unix.SockaddrInet4{Port: ua.Port}
			copy(sa.Addr[:], ip4)
			return &dgramSink{fd: fd, sa: sa}, nil
		}
		fd, err := sharedSocket(unix.AF_INET6)
		if err != nil {
			return nil, err
		}
		sa := &unix.SockaddrInet6{Port: ua.Port}
		copy(sa.Addr[:], ua.IP.To16())
		return &dgramSink{fd: fd, sa: sa}, nil
	}
	return nil, fmt.Errorf("log target %q (%s) is not supported", t.Address, t.Network)
}
