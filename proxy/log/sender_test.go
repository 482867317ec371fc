package log

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var fixedNow = time.Date(2026, 11, 25, 9, 5, 7, 123456000, time.UTC)

func newTestLogger(t *testing.T, lines ...string) *Logger {
	t.Helper()
	var targets []*Target
	for _, l := range lines {
		tg, err := ParseTarget(strings.Fields(l), false)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, tg)
	}
	lg, err := NewLogger(targets, "", "")
	if err != nil {
		t.Fatal(err)
	}
	lg.Now = func() time.Time { return fixedNow }
	return lg
}

func readDatagram(t *testing.T, c net.PacketConn) []byte {
	t.Helper()
	buf := make([]byte, 70000)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}

func TestLoggerUDP(t *testing.T) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.LocalAddr().String()
	lg := newTestLogger(t,
		addr+" format rfc5424 local2",
		addr+" len 80 local0 notice",
		addr+" format raw local0 err") // filtered out at info
	msg := []byte("127.0.0.1:4242 [25/Nov/2026:09:05:07.000] fe be/s1 hello world, a message long enough to be cut by len 80")
	lg.Send(LevelInfo, msg, nil)
	lg.Send(LevelNotice, []byte("notice line"), nil)

	want := [][]byte{
		AppendDatagram(nil, &Header{Format: FormatRFC5424, Facility: 18, Level: LevelInfo, Tag: "haproxy", PID: os.Getpid(), Time: fixedNow, StructuredData: []byte("-")}, msg, 0),
		AppendDatagram(nil, &Header{Format: FormatRFC5424, Facility: 18, Level: LevelNotice, Tag: "haproxy", PID: os.Getpid(), Time: fixedNow}, []byte("notice line"), 0),
		AppendDatagram(nil, &Header{Facility: 16, Level: LevelNotice, Tag: "haproxy", PID: os.Getpid(), Time: fixedNow}, []byte("notice line"), 80),
	}
	for i, w := range want {
		got := readDatagram(t, c)
		if !bytes.Equal(got, w) {
			t.Errorf("datagram %d:\n got %q\nwant %q", i, got, w)
		}
	}
	if !strings.HasPrefix(string(want[0]), "<150>1 2026-11-25T09:05:07.123456+00:00 - haproxy ") {
		t.Errorf("unexpected rfc5424 framing %q", want[0])
	}
	if len(want[2]) != len("<133>Nov 25 09:05:07 haproxy[")+len(itoa(os.Getpid()))+len("]: notice line\n") {
		t.Errorf("unexpected local framing %q", want[2])
	}
}

func itoa(n int) string { return string(appendInt(nil, int64(n))) }

func TestLoggerUnixgramAndDrops(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log.sock")
	c, err := net.ListenPacket("unixgram", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lg := newTestLogger(t, path+" format short daemon")
	lg.Send(LevelErr, []byte("first"), nil)
	if got := readDatagram(t, c); string(got) != "<3>first\n" {
		t.Fatalf("got %q", got)
	}
	// Nobody reads any more: the receive queue fills, sends must not
	// block and the losses are counted.
	start := time.Now()
	for i := 0; i < 5000; i++ {
		lg.Send(LevelErr, bytes.Repeat([]byte("x"), 900), nil)
	}
	if lg.Dropped() == 0 {
		t.Fatal("no message counted as dropped with a full socket buffer")
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("sending to a full socket took %v", el)
	}
}

func TestLoggerFD(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	fd := int(w.Fd())
	lg := newTestLogger(t, "fd@"+itoa(fd)+" len 80 format raw local0")
	lg.Send(LevelInfo, []byte("hello\n"), nil)
	long := strings.Repeat("y", 200)
	lg.Send(LevelInfo, []byte(long), nil)
	buf := make([]byte, 1000)
	r.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _ := r.Read(buf)
	// fd targets keep one byte of `len` for the LF.
	want := "hello\n" + long[:79] + "\n"
	if string(buf[:n]) != want {
		t.Fatalf("got %q\nwant %q", buf[:n], want)
	}
	// A full pipe drops instead of blocking.
	for i := 0; i < 2000; i++ {
		lg.Send(LevelInfo, []byte(long), nil)
	}
	if lg.Dropped() == 0 {
		t.Fatal("no drop counted on a full pipe")
	}
	syscall.SetNonblock(fd, false)
}

func TestSendRecordAllocs(t *testing.T) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lg := newTestLogger(t, c.LocalAddr().String()+" local0", c.LocalAddr().String()+" format rfc5424 local0")
	prog := MustCompile(HTTPLogFormat, CompileOptions{HTTP: true})
	r := sampleRecord()
	lg.SendRecord(LevelInfo, prog, nil, r)
	got := readDatagram(t, c)
	want := AppendDatagram(nil, &Header{Facility: 16, Level: LevelInfo, Tag: "haproxy", PID: os.Getpid(), Time: fixedNow}, prog.Append(nil, r, 0), 0)
	if !bytes.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if raceEnabled {
		return
	}
	allocs := testing.AllocsPerRun(200, func() { lg.SendRecord(LevelInfo, prog, nil, r) })
	if allocs != 0 {
		t.Errorf("SendRecord allocates %.1f times per message", allocs)
	}
}

// sampleRecord is a typical HTTP request as the engine would fill it.
func sampleRecord() *Record {
	return &Record{
		Client:           netip.MustParseAddrPort("192.168.13.10:51234"),
		Frontend:         netip.MustParseAddrPort("192.168.13.100:80"),
		Server:           netip.MustParseAddrPort("192.168.13.21:8080"),
		AcceptDate:       time.Date(2026, 11, 25, 9, 5, 7, 42_000_000, time.UTC),
		Handshake:        0,
		Idle:             1,
		Request:          3,
		Queue:            3,
		Connect:          4,
		Data:             9,
		Close:            12,
		BackendHTTP:      true,
		Status:           200,
		BytesIn:          130,
		BytesOut:         1234,
		RequestCaptures:  [][]byte{[]byte("www.example.com"), nil},
		ResponseCaptures: [][]byte{[]byte("text/html")},
		TermCause:        '-',
		TermPhase:        '-',
		ActConn:          3, FeConn: 2, BeConn: 1, SrvConn: 1,
		RequestLine:  []byte("GET /index.html?lang=en HTTP/1.1"),
		FrontendName: "www",
		BackendName:  "web",
		ServerName:   "web1",
		PID:          1234,
	}
}

// TestLoggerConcurrent: many request goroutines log at once (run with
// -race); every datagram arrives whole.
func TestLoggerConcurrent(t *testing.T) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.UDPConn).SetReadBuffer(4 << 20)
	lg := newTestLogger(t, c.LocalAddr().String()+" format raw sample 1-3:4 local0", c.LocalAddr().String()+" format rfc5424 local0")
	prog := MustCompile(HTTPLogFormat, CompileOptions{HTTP: true})
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			r := sampleRecord()
			for i := 0; i < 50; i++ {
				lg.SendRecord(LevelInfo, prog, nil, r)
			}
			done <- struct{}{}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	want := string(prog.Append(nil, sampleRecord(), 0)) + "\n"
	raw, framed := 0, 0
	buf := make([]byte, 4096)
	for {
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			break
		}
		switch got := string(buf[:n]); {
		case got == want:
			raw++
		case strings.HasPrefix(got, "<134>1 ") && strings.HasSuffix(got, " - - "+want):
			framed++
		default:
			t.Fatalf("mangled datagram %q", got)
		}
	}
	if raw+int(lg.Dropped()) < 300 || framed == 0 {
		t.Errorf("raw %d (3 in 4 of 400 expected), rfc5424 %d, dropped %d", raw, framed, lg.Dropped())
	}
}
