package scenario

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"goha/internal/topo"
)

// stamped is a line and when the runner read it.
type stamped struct {
	at   time.Time
	text string
}

// lineLog collects lines from several sources of one host.
type lineLog struct {
	mu    sync.Mutex
	lines []stamped
}

func (l *lineLog) add(text string) {
	l.mu.Lock()
	l.lines = append(l.lines, stamped{time.Now(), text})
	l.mu.Unlock()
}

func (l *lineLog) snapshot() []stamped {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]stamped(nil), l.lines...)
}

// wait returns the first line after `after` that contains sub.
func (l *lineLog) wait(sub string, after time.Time, limit time.Duration) (stamped, bool) {
	deadline := time.Now().Add(limit)
	for {
		for _, s := range l.snapshot() {
			if s.at.After(after) && strings.Contains(s.text, sub) {
				return s, true
			}
		}
		if time.Now().After(deadline) {
			return stamped{}, false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readLines copies every line of f into l until f ends.
func readLines(f *os.File, l *lineLog) {
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l.add(sc.Text())
	}
	f.Close()
}

// startSyslog listens on 127.0.0.1:514/udp inside the host, where the
// tutorial's `log 127.0.0.1 local2 info` sends. One datagram is one line.
func startSyslog(h *topo.Host, l *lineLog) (*net.UDPConn, error) {
	c, err := listenUDPIn(h.NS, "127.0.0.1:514")
	if err != nil {
		return nil, err
	}
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, _, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			l.add(strings.TrimRight(string(buf[:n]), "\n\x00"))
		}
	}()
	return c, nil
}

// vrrpDaemon is keepalived or govrrpd on one host, run as Debian's unit
// runs keepalived (--dont-fork), logging to the console (-l -D) so the
// runner reads its state changes. The pid files are the defaults'
// names under the host's private /run, which the stand-in systemctl reads.
type vrrpDaemon struct {
	host   *topo.Host
	bin    string
	isKA   bool
	log    *lineLog
	cmd    *exec.Cmd
	exited chan struct{}
	// exitedAt is when the daemon's main process was reaped; read it
	// only after exited is closed.
	exitedAt time.Time
}

const vrrpPidFile = "/run/keepalived.pid"

func (d *vrrpDaemon) start() error {
	args := []string{"-n", "-l", "-D", "-f", "/etc/keepalived/keepalived.conf", "-p", vrrpPidFile, "-r", "/run/vrrp.pid"}
	if d.isKA {
		args = append(args, "-c", "/run/checkers.pid")
	}
	d.cmd = d.host.Command(d.bin, args...)
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	d.cmd.Stdout, d.cmd.Stderr = w, w
	if err := d.host.Start(d.cmd); err != nil {
		r.Close()
		w.Close()
		return err
	}
	w.Close()
	go readLines(r, d.log)
	d.exited = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) {
		c.Wait()
		d.exitedAt = time.Now()
		close(done)
	}(d.cmd, d.exited)
	return nil
}

func (d *vrrpDaemon) running() bool {
	if d.cmd == nil {
		return false
	}
	select {
	case <-d.exited:
		return false
	default:
		return true
	}
}

// signal sends sig to the daemon's main process.
func (d *vrrpDaemon) signal(sig syscall.Signal) {
	if d.running() {
		syscall.Kill(d.cmd.Process.Pid, sig)
	}
}

// kill SIGKILLs the daemon's whole process group at once (keepalived's
// parent and its VRRP child), as `kill -9` of all of them would.
func (d *vrrpDaemon) kill() {
	if d.running() {
		syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	}
}

func (d *vrrpDaemon) wait(limit time.Duration) bool {
	if d.cmd == nil {
		return true
	}
	select {
	case <-d.exited:
		return true
	case <-time.After(limit):
		return false
	}
}

// proxyDaemon is haproxy or goproxy on one host, started as the tutorial
// starts it (`-f /etc/haproxy/haproxy.cfg`; the file says `daemon`).
type proxyDaemon struct {
	host    *topo.Host
	bin     string
	console *lineLog
	cmd     *exec.Cmd
}

func (p *proxyDaemon) start() error {
	p.cmd = p.host.Command(p.bin, "-f", "/etc/haproxy/haproxy.cfg")
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.host.Start(p.cmd); err != nil {
		r.Close()
		w.Close()
		return err
	}
	w.Close()
	go readLines(r, p.console)
	go p.cmd.Wait()
	for _, port := range []int{80, 81} {
		if !p.waitPort(port, true, 10*time.Second) {
			return fmt.Errorf("%s on %s: nothing listens on :%d", p.bin, p.host.Name, port)
		}
	}
	return nil
}

// stop stops the proxy as `systemctl stop haproxy` would: SIGTERM to the
// pid in the tutorial's pid file (and to what we started, should it still
// run), then waits until port 80 is free.
func (p *proxyDaemon) stop() error {
	if b, err := os.ReadFile(p.host.Path("/var/run/haproxy.pid")); err == nil {
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
				syscall.Kill(pid, syscall.SIGTERM)
			}
		}
	}
	if p.cmd != nil && p.cmd.Process != nil {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	}
	if !p.waitPort(80, false, 10*time.Second) {
		return fmt.Errorf("%s on %s: port 80 still busy after SIGTERM", p.bin, p.host.Name)
	}
	return nil
}

func (p *proxyDaemon) waitPort(port int, listening bool, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		out, _ := p.host.Output("ss", "-Hltn", "sport = :"+strconv.Itoa(port))
		if (strings.TrimSpace(out) != "") == listening {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
