package sock

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// echoOnce accepts one connection on ln and echoes what it reads.
func echoOnce(t *testing.T, ln net.Listener) {
	t.Helper()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()
}

// roundTrip writes msg on c, shuts c's write side and reads everything.
func roundTrip(t *testing.T, c net.Conn, msg string) string {
	t.Helper()
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	c.(interface{ CloseWrite() error }).CloseWrite()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAbstractIsPaddedLikeHaproxy(t *testing.T) {
	name := "goha-sock-test-" + filepath.Base(t.TempDir())
	ln, err := ListenAbstract(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	echoOnce(t, ln)
	// /proc/net/unix shows NULs as '@': haproxy's abns@ name is the whole
	// sun_path, so 107 characters follow the leading NUL.
	b, _ := os.ReadFile("/proc/net/unix")
	want := "@" + name + strings.Repeat("@", sunPathLen-1-len(name))
	if !strings.Contains(string(b), want+"\n") {
		t.Fatalf("abstract socket not padded to sun_path's size; /proc/net/unix lacks %q", want)
	}
	// the short (socat-style) name is another socket
	if c, err := net.Dial("unix", "@"+name); err == nil {
		c.Close()
		t.Fatal("the unpadded abstract name connected")
	}
	c, err := Dial(context.Background(), &net.Dialer{}, Target("abns@"+name))
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTrip(t, c, "ping"); got != "ping" {
		t.Fatalf("echo through abns@: %q", got)
	}
}

func TestListenUnixRenamesAndKeepsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fe.sock")
	// a stale socket file from an earlier process is replaced
	old, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	old.(*net.UnixListener).SetUnlinkOnClose(false)
	old.Close()
	ln, err := ListenUnix(path, 0o640, -1, -1)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o640 {
		t.Fatalf("socket file mode %v, want socket 0640", fi.Mode())
	}
	if m, _ := filepath.Glob(path + ".*.tmp"); len(m) != 0 {
		t.Fatalf("temporary name left behind: %v", m)
	}
	echoOnce(t, ln)
	c, err := Dial(context.Background(), &net.Dialer{}, Target("unix@"+path))
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTrip(t, c, "ping"); got != "ping" {
		t.Fatalf("echo through unix@: %q", got)
	}
	ln.Close()
	// like haproxy, the file stays: a process taking over may own it
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("socket file removed on close: %v", err)
	}
}

func TestSockPairPassesConnections(t *testing.T) {
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(sv[0])
	defer unix.Close(sv[1])
	ln, err := ListenSockPair(sv[0])
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	for _, msg := range []string{"first", "second", "third"} {
		c, err := DialSockPair(sv[1])
		if err != nil {
			t.Fatal(err)
		}
		if got := roundTrip(t, c, msg); got != msg {
			t.Fatalf("echo through sockpair@: %q, want %q", got, msg)
		}
	}
	ln.Close()
	// the inherited descriptor itself stays open: a paused frontend can
	// listen on it again
	ln2, err := ListenSockPair(sv[0])
	if err != nil {
		t.Fatalf("listening again after close: %v", err)
	}
	ln2.Close()
}

func TestListenFDListensOnBoundSocket(t *testing.T) {
	fd, port := boundLoopbackSocket(t)
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	// bound but not listening: fd@ must listen itself
	ln, err := ListenFD(fd, 16)
	if err != nil {
		t.Fatal(err)
	}
	echoOnce(t, ln)
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTrip(t, c, "ping"); got != "ping" {
		t.Fatalf("echo through fd@: %q", got)
	}
	ln.Close()
	if ln2, err := ListenFD(fd, 16); err != nil {
		t.Fatalf("listening again after close: %v", err)
	} else {
		ln2.Close()
	}
}

// boundLoopbackSocket is a TCP socket bound to 127.0.0.1 on a free port,
// not listening yet; closed at the end of the test.
func boundLoopbackSocket(t *testing.T) (fd, port int) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, _ := unix.Getsockname(fd)
	return fd, sa.(*unix.SockaddrInet4).Port
}
