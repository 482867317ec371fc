package log_test

import (
	"fmt"
	"net/netip"
	"time"

	"goha/proxy/log"
)

func Example() {
	prog, err := log.Compile(log.HTTPLogFormat, log.CompileOptions{HTTP: true})
	if err != nil {
		panic(err)
	}
	r := &log.Record{
		Client:       netip.MustParseAddrPort("192.168.13.10:51234"),
		AcceptDate:   time.Date(2026, 11, 25, 12, 39, 33, 604_000_000, time.UTC),
		Request:      0, // request complete at accept + 0 ms
		Queue:        0,
		Connect:      1,
		Data:         3,
		Close:        4,
		BackendHTTP:  true,
		Status:       200,
		BytesOut:     1234,
		ActConn:      1,
		FeConn:       1,
		BeConn:       1,
		SrvConn:      1,
		RequestLine:  []byte("GET / HTTP/1.1"),
		FrontendName: "www",
		BackendName:  "web",
		ServerName:   "web1",
	}
	msg := prog.Append(nil, r, 0)
	fmt.Println(string(msg))

	h := &log.Header{Format: log.FormatRFC3164, Facility: 16, Level: log.LevelInfo, Tag: "haproxy", PID: 4242, Time: r.AcceptDate}
	fmt.Printf("%q\n", log.AppendDatagram(nil, h, msg, 0)[:49])

	down, level := log.ServerDown(nil, log.ServerRef{Backend: "web", Server: "web1"},
		&log.CheckInfo{Status: log.CheckL4Conn, Info: "Connection refused", DurationMS: 0}, log.ServerCounts{}, false)
	fmt.Println(log.LevelName(level), string(down))
	// Output:
	// 192.168.13.10:51234 [25/Nov/2026:12:39:33.604] www web/web1 0/0/1/2/4 200 1234 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"
	// "<134>Nov 25 12:39:33 localhost haproxy[4242]: 192"
	// alert Server web/web1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.
}
