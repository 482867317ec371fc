package main

import (
	"bytes"
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The latency scenario's load generator shares the load CPU with the
// backend (nginx). The first one, a goroutine per connection over Go's
// net package with a 100 µs pacer, charged the proxies with its own
// delays: Go's scheduler sleeps with a millisecond granularity when the
// process is idle, so requests left up to a millisecond after they were
// due, and responses were timed when the goroutine ran, behind nginx on
// the same CPU. With no proxy at all, p50 read 0.7 ms and p99 2–8 ms
// between runs, and the proxies' own latency drowned in that
// (docs/performance.md, point 10).
//
// openLoop is the same open-loop measurement without those delays, in
// one locked thread with non-blocking sockets and no allocation while it
// runs: it wakes every olTick (or when the next request is due, if
// later), sends what is due, and times each response by the kernel's
// receive time stamp (SO_TIMESTAMPNS), not by when it got to read it.
// Waking for every response instead cost the load CPU more than the
// goroutines did (a wake and a context switch per request, for the
// generator and for nginx).

// olTick is the shortest sleep between two rounds of sends: a request
// leaves at most about olTick after it was due, and its latency counts
// from its due time.
const olTick = 100 * time.Microsecond

// olConn is one keep-alive client connection of an olClient.
type olConn struct {
	fd   int
	due  int64 // the outstanding request's due time (ns, CLOCK_REALTIME); -1: free
	got  int   // response bytes read so far
	need int   // the whole response's length, once its head is in; 0 before
	at   int64 // receive time of the response's last bytes (ns, CLOCK_REALTIME)
	buf  [4096]byte
	oob  [64]byte
}

// olClient is the open-loop generator's connections to one target; they
// stay open from one slice of the round to the next.
type olClient struct {
	ep     int
	cs     []olConn
	free   []int
	events []unix.EpollEvent
	queue  []int64 // due times waiting for a free connection
}

// dialOpenLoop opens conns keep-alive connections to addr.
func dialOpenLoop(addr string, conns int) (*olClient, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, err
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	o := &olClient{ep: ep, cs: make([]olConn, conns), events: make([]unix.EpollEvent, conns)}
	for i := range o.cs {
		o.cs[i].fd, o.cs[i].due = -1, -1
	}
	sa := &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	for i := range o.cs {
		if err := o.dial(i, sa); err != nil {
			o.close()
			return nil, fmt.Errorf("connect %s: %w", addr, err)
		}
		o.free = append(o.free, i)
	}
	return o, nil
}

func (o *olClient) dial(i int, sa unix.Sockaddr) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	o.cs[i].fd = fd
	if err := unix.Connect(fd, sa); err != nil {
		return err
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		return err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return err
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)} // Fd carries the index
	return unix.EpollCtl(o.ep, unix.EPOLL_CTL_ADD, fd, &ev)
}

func (o *olClient) close() {
	for i := range o.cs {
		if o.cs[i].fd >= 0 {
			unix.Close(o.cs[i].fd)
		}
	}
	unix.Close(o.ep)
}

// olSlice is what one run of an olClient measured.
type olSlice struct {
	inWin  int // responses received within the measured window
	errors int // responses other than 200
}

// run sends rate requests per second for skip+d, the first due at once,
// and appends to lat the latency (ns) of each request due after skip:
// from its due time to its response's last byte. A request due while
// every connection waits for a response queues, and its wait counts (no
// coordinated omission). It returns once every request is answered.
func (o *olClient) run(rate float64, skip, d time.Duration, lat *[]int64) (olSlice, error) {
	var res olSlice
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	req := smallRequest("/small")
	interval := int64(float64(time.Second) / rate)
	total := int64(skip+d) / interval
	tick := int64(olTick)
	start := realNow()
	skipEnd, end := start+int64(skip), start+int64(skip+d)
	if need := len(*lat) + int(total); cap(*lat) < need {
		*lat = slices.Grow(*lat, need-len(*lat))
	}
	queue, qHead := o.queue[:0], 0
	next, done := int64(0), int64(0)

	for done < total {
		// Responses first: they free connections for what is due.
		n, err := unix.EpollWait(o.ep, o.events, 0)
		if err != nil && err != unix.EINTR {
			return res, fmt.Errorf("epoll_wait: %w", err)
		}
		for _, ev := range o.events[:max(n, 0)] {
			i := int(ev.Fd)
			c := &o.cs[i]
			if c.due < 0 {
				return res, fmt.Errorf("connection %d: bytes or close with no request out", i)
			}
			complete, status, err := c.readResponse()
			if err != nil {
				return res, err
			}
			if !complete {
				continue
			}
			if status != 200 {
				res.errors++
			}
			if c.due >= skipEnd {
				*lat = append(*lat, c.at-c.due)
				if c.at < end {
					res.inWin++
				}
			}
			c.due = -1
			o.free = append(o.free, i)
			done++
		}
		now := realNow()
		for next < total && start+next*interval <= now {
			queue = append(queue, start+next*interval)
			next++
		}
		for qHead < len(queue) && len(o.free) > 0 {
			i := o.free[len(o.free)-1]
			o.free = o.free[:len(o.free)-1]
			c := &o.cs[i]
			if n, err := unix.Write(c.fd, req); n != len(req) {
				return res, fmt.Errorf("send: %d bytes, %v", n, err)
			}
			c.due, c.got, c.need = queue[qHead], 0, 0
			qHead++
		}
		wait := tick
		if next < total {
			wait = max(tick, start+next*interval-realNow())
		}
		ts := unix.NsecToTimespec(wait)
		unix.RawSyscall(unix.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
	}
	o.queue = queue
	return res, nil
}

// latencyPercentiles fills res's percentiles (µs) from latencies in ns.
func latencyPercentiles(res *latencyResult, lat []int64) {
	slices.Sort(lat)
	us := func(p float64) float64 { return float64(percentile(lat, p)) / 1e3 }
	res.P50, res.P90, res.P99, res.P999 = us(50), us(90), us(99), us(99.9)
}

// realNow is CLOCK_REALTIME in ns, the clock of SO_TIMESTAMPNS.
func realNow() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_REALTIME, &ts)
	return ts.Nano()
}

// readResponse reads what c's socket holds; complete once the whole
// response (head and Content-Length body) is in. The scenario's
// responses are small: one that does not fit c.buf is an error.
func (c *olConn) readResponse() (complete bool, status int, err error) {
	for {
		if c.got == len(c.buf) {
			return false, 0, fmt.Errorf("response longer than %d bytes", len(c.buf))
		}
		n, at, err := c.recv()
		if err == unix.EAGAIN {
			break
		}
		if err != nil {
			return false, 0, err
		}
		if n == 0 {
			return false, 0, fmt.Errorf("connection closed by the server")
		}
		c.got += n
		c.at = at
		if c.need > 0 && c.got >= c.need {
			break // no read that would find nothing
		}
		if c.need == 0 && bytes.Contains(c.buf[:c.got], []byte("\r\n\r\n")) {
			break // the head is in: see whether the body is
		}
	}
	if c.need == 0 {
		end := bytes.Index(c.buf[:c.got], []byte("\r\n\r\n"))
		if end < 0 {
			return false, 0, nil
		}
		cl := contentLength(c.buf[:end])
		if cl < 0 {
			return false, 0, fmt.Errorf("response without content-length")
		}
		c.need = end + 4 + cl
	}
	if c.got < c.need {
		return false, 0, nil
	}
	if c.got > c.need {
		return false, 0, fmt.Errorf("%d bytes more than one response", c.got-c.need)
	}
	for _, b := range c.buf[9:12] { // "HTTP/1.1 200"
		status = status*10 + int(b-'0')
	}
	return true, status, nil
}

// contentLength finds Content-Length in a response head, without
// allocating; -1 when there is none.
func contentLength(head []byte) int {
	for len(head) > 0 {
		line := head
		if i := bytes.Index(head, []byte("\r\n")); i >= 0 {
			line, head = head[:i], head[i+2:]
		} else {
			head = nil
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok || !bytes.EqualFold(bytes.TrimSpace(k), []byte("content-length")) {
			continue
		}
		n := 0
		for _, b := range bytes.TrimSpace(v) {
			if b < '0' || b > '9' {
				return -1
			}
			n = n*10 + int(b-'0')
		}
		return n
	}
	return -1
}

// recv reads into c.buf with the kernel's receive time of the data.
func (c *olConn) recv() (n int, at int64, err error) {
	iov := unix.Iovec{Base: &c.buf[c.got]}
	iov.SetLen(len(c.buf) - c.got)
	msg := unix.Msghdr{Iov: &iov, Iovlen: 1, Control: &c.oob[0]}
	msg.SetControllen(len(c.oob))
	r, _, errno := unix.RawSyscall(unix.SYS_RECVMSG, uintptr(c.fd), uintptr(unsafe.Pointer(&msg)), 0)
	if errno != 0 {
		return 0, 0, errno
	}
	// One control message: SCM_TIMESTAMPNS and a struct timespec.
	if msg.Controllen >= unix.SizeofCmsghdr+16 {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&c.oob[0]))
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS {
			ts := (*unix.Timespec)(unsafe.Pointer(&c.oob[unix.SizeofCmsghdr]))
			at = ts.Nano()
		}
	}
	if at == 0 {
		at = realNow()
	}
	return int(r), at, nil
}
