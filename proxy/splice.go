package proxy

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"goha/proxy/sock"

	"golang.org/x/sys/unix"
)

// Plain data between two TCP sockets — mode tcp, tunnels, content-length
// and until-close bodies — moves with splice(2) through a pipe: socket →
// pipe → socket, the kernel passing page references, so the bytes never
// cross into user space (haproxy does the same with "option splice-auto";
// by default it copies through its buffers). Go's own TCPConn.ReadFrom
// splices too, but only for one uninterrupted copy: it cannot refresh an
// inactivity timeout as bytes flow. This loop can: it drives the sockets
// through syscall.RawConn, so Go's poller still does the waiting and the
// read deadlines still fire.

// spliceMin is the body size below which a read and a write through the
// stream's buffer cost no more than the two splices and are simpler.
const spliceMin = bufSize

// pipeSize is asked of every pipe (F_SETPIPE_SZ; the kernel's default
// ceiling, /proc/sys/fs/pipe-max-size, is 1 MiB). A bigger pipe lets one
// splice take everything the socket holds.
const pipeSize = 1 << 20

// copyIdle copies from src to dst until src's end of stream, an error, or
// limit bytes (limit < 0: no limit), with idle as src's inactivity timeout
// (0: none): the copy fails with a timeout once src has sent nothing for
// idle. It returns the bytes written to dst. A *countConn on either side
// counts what crosses it. Between two TCP connections the bytes are
// spliced; otherwise, or for a short body, they go through buf (nil: a new
// buffer).
func copyIdle(dst, src net.Conn, idle time.Duration, limit int64, buf []byte) (int64, error) {
	if limit >= 0 && limit < spliceMin {
		return copyBuffered(dst, src, idle, limit, buf)
	}
	base := time.Now()
	s, d := newPipeSide(src, idle, 0, base, 0, 0), newPipeSide(dst, 0, 0, base, 0, 0)
	s.armRead()
	n, err, _ := spliceSides(d, s, limit)
	if errors.Is(err, errCannotSplice) {
		rest := limit
		if limit >= 0 {
			rest = limit - n
		}
		m, err := copyBuffered(dst, src, idle, rest, buf)
		return n + m, err
	}
	return n, err
}

// copyBuffered is the user-space copy: a read deadline refreshed before
// every read.
func copyBuffered(dst, src net.Conn, idle time.Duration, limit int64, buf []byte) (int64, error) {
	var r io.Reader = src
	if idle > 0 {
		r = deadlineConn{src, idle}
	}
	if limit >= 0 {
		r = &io.LimitedReader{R: r, N: limit}
	}
	return io.CopyBuffer(writerOnly{dst}, r, buf)
}

// writerOnly hides a ReadFrom of dst, so that io.CopyBuffer uses buf.
type writerOnly struct{ io.Writer }

// errCannotSplice: the copy has to go on through user space (not two TCP
// sockets, or no pipe to be had). Nothing is lost: the pipe is empty
// whenever it is returned.
var errCannotSplice = errors.New("cannot splice")

// spliceEnd is the TCP socket under a connection and the wrappers that
// watch it, whose bookkeeping the splice does in their place.
type spliceEnd struct {
	tcp   tcpConn
	count *countConn
	watch *watchedConn
}

// tcpConn is a TCP socket that gives its descriptor: *net.TCPConn, or
// *sock.TCPConn for server connections.
type tcpConn interface {
	net.Conn
	SyscallConn() (syscall.RawConn, error)
}

// spliceEndOf unwraps c. Only the known types are trusted: a wrapper that
// buffers bytes of its own must not be spliced past.
func spliceEndOf(c net.Conn) (e spliceEnd, ok bool) {
	for {
		switch x := c.(type) {
		case *net.TCPConn:
			e.tcp = x
			return e, true
		case *sock.TCPConn:
			e.tcp = x
			return e, true
		case *countConn:
			e.count, c = x, x.Conn
		case *watchedConn:
			e.watch, c = x, x.Conn
		default:
			return e, false
		}
	}
}

// spliceSides splices src to dst until src's end of stream (nil), limit
// bytes (limit < 0: none), or an error; it returns the bytes written to
// dst. src's read deadline must be armed: it is re-armed only when it
// fires while src is still alive (pipeSide.stillAlive), which keeps the
// inactivity timeout exact without a timer update per read. dst's write
// timeout (dst.write) is pushed back by any progress; writeErr tells a
// failed write from a failed read.
func spliceSides(dst, src *pipeSide, limit int64) (total int64, err error, writeErr bool) {
	se, ok1 := spliceEndOf(src.conn)
	de, ok2 := spliceEndOf(dst.conn)
	if !ok1 || !ok2 {
		return 0, errCannotSplice, false
	}
	sp := &splicer{dstSide: dst}
	if sp.src, err = se.tcp.SyscallConn(); err != nil {
		return 0, errCannotSplice, false
	}
	if sp.dst, err = de.tcp.SyscallConn(); err != nil {
		return 0, errCannotSplice, false
	}
	sp.drainFn, sp.pumpFn = sp.drain, sp.pump
	defer sp.release()
	if dst.write > 0 {
		de.tcp.SetWriteDeadline(time.Now().Add(dst.write))
	}
	for limit < 0 || total < limit {
		sp.want = pipeSize
		if limit >= 0 && limit-total < pipeSize {
			sp.want = int(limit - total)
		}
		sp.got, sp.err = 0, nil
		err := sp.src.Read(sp.drainFn)
		if err == nil {
			err = sp.err
		}
		if se.watch != nil {
			if err == nil && sp.got == 0 {
				se.watch.noted(0, io.EOF)
			} else {
				se.watch.noted(int(sp.got), err)
			}
		}
		if err != nil {
			if isTimeout(err) && src.stillAlive() {
				continue
			}
			return total, err, false
		}
		if sp.got == 0 {
			return total, nil, false // end of stream
		}
		src.last.Store(src.now())
		if se.count != nil {
			se.count.in += uint64(sp.got)
		}
		sp.inPipe = int(sp.got)
		sp.wlast = time.Now()
		for {
			sp.sent, sp.err = 0, nil
			err := sp.dst.Write(sp.pumpFn)
			if err == nil {
				err = sp.err
			}
			if sp.sent > 0 {
				total += sp.sent
				dst.last.Store(dst.now())
				if de.count != nil {
					de.count.out += uint64(sp.sent)
				}
			}
			if err == nil {
				break
			}
			// A write timeout counts from the last progress.
			if isTimeout(err) && dst.write > 0 && time.Since(sp.wlast) < dst.write {
				de.tcp.SetWriteDeadline(sp.wlast.Add(dst.write))
				continue
			}
			return total, err, true
		}
	}
	return total, nil, false
}

// splicer is one splice in progress. Its two callbacks run inside
// RawConn.Read and RawConn.Write, so Go's poller does the waiting and the
// deadlines apply; they are bound once (drainFn, pumpFn) so that the loop
// does not allocate.
type splicer struct {
	src, dst        syscall.RawConn
	dstSide         *pipeSide
	p               pipePair
	havePipe        bool
	want            int   // most bytes the next drain may take
	inPipe          int   // bytes drained and not yet pumped
	got, sent       int64 // bytes of the last drain / pump
	wlast           time.Time
	err             error
	drainFn, pumpFn func(uintptr) bool
}

// drain moves what the source socket holds (up to want) into the pipe.
// It holds a pipe only while there is data: on EAGAIN the pipe goes back
// to the pool before the wait, so an idle tunnel keeps none.
func (sp *splicer) drain(fd uintptr) bool {
	if !sp.havePipe {
		if !getPipe(&sp.p) {
			sp.err = errCannotSplice
			return true
		}
		sp.havePipe = true
	}
	for {
		n, err := unix.Splice(int(fd), nil, sp.p.w, nil, sp.want, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
		switch err {
		case nil:
			sp.got = n
			return true
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			sp.release()
			return false
		}
		sp.err = os.NewSyscallError("splice", err)
		return true
	}
}

// pump moves everything in the pipe to the destination socket.
func (sp *splicer) pump(fd uintptr) bool {
	moved := false
	for sp.inPipe > 0 {
		n, err := unix.Splice(sp.p.r, nil, int(fd), nil, sp.inPipe, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			if moved {
				// progress before the wait: the write timeout
				// counts from here
				sp.wlast = time.Now()
				sp.dstSide.last.Store(sp.dstSide.now())
			}
			return false
		case err != nil:
			sp.err = os.NewSyscallError("splice", err)
			return true
		case n == 0:
			sp.err = io.ErrShortWrite
			return true
		}
		sp.inPipe -= int(n)
		sp.sent += n
		moved = true
	}
	return true
}

// release gives the pipe back; one that still holds bytes (the copy
// failed half-way) is closed instead.
func (sp *splicer) release() {
	if !sp.havePipe {
		return
	}
	sp.havePipe = false
	if sp.inPipe > 0 {
		sp.inPipe = 0
		closePipe(sp.p)
		return
	}
	putPipe(sp.p)
}

// pipePair is a pipe's read and write ends (non-blocking).
type pipePair struct{ r, w int }

// The pipe pool: a few idle pipes kept for reuse, and a cap on the pipes
// open at once (a quarter of the descriptor limit, as haproxy's maxpipes
// is a quarter of maxconn) so that splicing never starves accept.
var pipes struct {
	mu    sync.Mutex
	once  sync.Once
	free  []pipePair
	open  int
	limit int
}

const maxFreePipes = 32

func getPipe(p *pipePair) bool {
	pipes.once.Do(func() {
		var rl unix.Rlimit
		pipes.limit = 256
		if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil && rl.Cur/8 > 256 {
			pipes.limit = int(min(rl.Cur/8, 1<<20))
		}
	})
	pipes.mu.Lock()
	if n := len(pipes.free); n > 0 {
		*p = pipes.free[n-1]
		pipes.free = pipes.free[:n-1]
		pipes.mu.Unlock()
		return true
	}
	if pipes.open >= pipes.limit {
		pipes.mu.Unlock()
		return false
	}
	pipes.open++
	pipes.mu.Unlock()
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		pipes.mu.Lock()
		pipes.open--
		pipes.mu.Unlock()
		return false
	}
	// A smaller pipe still works: the size is a wish.
	unix.FcntlInt(uintptr(fds[0]), unix.F_SETPIPE_SZ, pipeSize)
	*p = pipePair{r: fds[0], w: fds[1]}
	return true
}

func putPipe(p pipePair) {
	pipes.mu.Lock()
	if len(pipes.free) < maxFreePipes {
		pipes.free = append(pipes.free, p)
		pipes.mu.Unlock()
		return
	}
	pipes.mu.Unlock()
	closePipe(p)
}

func closePipe(p pipePair) {
	unix.Close(p.r)
	unix.Close(p.w)
	pipes.mu.Lock()
	pipes.open--
	pipes.mu.Unlock()
}
