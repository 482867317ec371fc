package log

import (
	"net"
	"testing"
)

func benchAppend(b *testing.B, format string, http bool) {
	prog := MustCompile(format, CompileOptions{HTTP: http})
	r := sampleRecord()
	r.Samples = make([][]byte, len(prog.Samples()))
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = prog.Append(buf[:0], r, 0)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendHTTPLog(b *testing.B)  { benchAppend(b, HTTPLogFormat, true) }
func BenchmarkAppendTCPLog(b *testing.B)   { benchAppend(b, TCPLogFormat, false) }
func BenchmarkAppendCLF(b *testing.B)      { benchAppend(b, CLFLogFormat, true) }
func BenchmarkAppendCustom(b *testing.B)   { benchAppend(b, customFormat, true) }
func BenchmarkAppendHTTPSLog(b *testing.B) { benchAppend(b, HTTPSLogFormat, true) }
func BenchmarkCompileHTTPLog(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		MustCompile(HTTPLogFormat, CompileOptions{HTTP: true})
	}
}

// BenchmarkDatagramHTTPLog is a whole rfc3164 datagram: render and frame.
func BenchmarkDatagramHTTPLog(b *testing.B) {
	prog := MustCompile(HTTPLogFormat, CompileOptions{HTTP: true})
	r := sampleRecord()
	h := &Header{Format: FormatRFC3164, Facility: 16, Level: LevelInfo, Tag: "haproxy", PID: 1234, Time: fixedNow}
	msg := make([]byte, 0, 2048)
	out := make([]byte, 0, 2048)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		msg = prog.Append(msg[:0], r, 0)
		out = AppendDatagram(out[:0], h, msg, 0)
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	for _, f := range []struct {
		name, format string
		http         bool
	}{
		{"httplog", HTTPLogFormat, true}, {"tcplog", TCPLogFormat, false}, {"clf", CLFLogFormat, true},
		{"httpslog", HTTPSLogFormat, true}, {"custom", customFormat, true}, {"custom2", custom2Format, true},
	} {
		prog := MustCompile(f.format, CompileOptions{HTTP: f.http})
		r := sampleRecord()
		r.Samples = make([][]byte, len(prog.Samples()))
		buf := make([]byte, 0, 4096)
		h := &Header{Format: FormatRFC5424, Facility: 16, Level: LevelInfo, Tag: "haproxy", PID: 1234, Time: fixedNow}
		out := make([]byte, 0, 4096)
		if n := testing.AllocsPerRun(100, func() {
			buf = prog.Append(buf[:0], r, 0)
			out = AppendDatagram(out[:0], h, buf, 0)
		}); n != 0 {
			t.Errorf("%s: %.1f allocations per line", f.name, n)
		}
	}
}

// BenchmarkSendRecordUDP renders an httplog line and sends it as an
// rfc3164 datagram to a loopback socket nobody reads (so some are dropped,
// which is the cheap path haproxy also takes).
func BenchmarkSendRecordUDP(b *testing.B) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	tg, _ := ParseTarget([]string{c.LocalAddr().String(), "format", "rfc3164", "local0"}, false)
	lg, err := NewLogger([]*Target{tg}, "", "")
	if err != nil {
		b.Fatal(err)
	}
	prog := MustCompile(HTTPLogFormat, CompileOptions{HTTP: true})
	r := sampleRecord()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		lg.SendRecord(LevelInfo, prog, nil, r)
	}
}
