package log

import (
	"net/netip"
	"time"
)

// Record holds everything a log line can print about one stream (or one
// session that never became a stream). The engine fills it when the stream
// ends (or at accept with option logasap); the zero value of most fields
// prints as haproxy prints a missing value.
//
// A request the HTTP parser rejects before a stream exists (haproxy's
// sess_log(), e.g. 400 PR-- "<BADREQ>" or 408 cR--) is logged with the
// frontend's error-log-format if any, else its log-format, and a Record
// where: RequestCaptures/ResponseCaptures are empty (%hr prints nothing),
// BackendName is the frontend's name, ServerName is empty (<NOSRV>),
// RequestLine is nil, Request/Queue/Connect/Data are -1, Close is the
// time since accept, bytes are 0, BackendCookies is false, and the status
// and termination state come from the parser (400/PR, 408/cR, 501/PR,
// 500/IR); the request counter (%rt) is still consumed. The golden lines
// of fe_http, fe_slow and fe_err show these.
type Record struct {
	// Addresses: Client is %ci:%cp, Frontend the address the client
	// reached (%fi:%fp), BackendSource the local end of the server
	// connection (%bi:%bp) and Server its remote end (%si:%sp). A zero
	// AddrPort is "unknown" and prints '-'.
	Client, Frontend, BackendSource, Server netip.AddrPort
	// UnixListener is set when the client came through a unix socket:
	// %ci/%fi print "unix" and %cp/%fp print ListenerID.
	UnixListener bool
	ListenerID   int
	// NoFrontendAddr: the client is a unix one but the socket has no
	// address to report (sockpair@: haproxy prints '-' for %fi/%fp).
	NoFrontendAddr bool

	// AcceptDate is when the connection was accepted; its Location is
	// the "local time" of %t, %tr, %Tl and %trl.
	AcceptDate time.Time

	// Timers in milliseconds, measured from AcceptDate, as haproxy keeps
	// them (struct strm_logs); -1 means the event did not happen.
	//   Handshake = Th, Idle = Ti,
	//   Request   = Th+Ti+TR (Tq): the full request was received,
	//   Queue     = Tq+Tw: a server slot was obtained,
	//   Connect   = Tq+Tw+Tc: the server connection was established,
	//   Data      = Tq+Tw+Tc+Tr: the response headers were received,
	//   Close     = Tt: the stream ended.
	Handshake, Idle, Request, Queue, Connect, Data, Close int64
	// BackendHTTP tells %Td which end of the exchange to count from.
	BackendHTTP bool
	// LogASAP marks a line emitted before the end (option logasap): %Ta,
	// %Tt, %Tu and %B get a '+' prefix.
	LogASAP bool

	Status   int   // %ST (0 for TCP)
	BytesIn  int64 // %U, client to server
	BytesOut int64 // %B, server to client, headers included

	// Captured cookies (%CC, %CS); empty prints '-'.
	ClientCookie, ServerCookie []byte
	// Captured headers in `capture request/response header` order. The
	// slice length is the number of captures the frontend declares; a
	// nil entry is a header that was absent.
	RequestCaptures, ResponseCaptures [][]byte

	// Termination state (configuration.txt §8.5): TermCause is the first
	// character (-, L, c, C, s, S, P, R, I, D, K, U), TermPhase the second
	// (-, R, C, H, D, L, Q, T). Zero bytes print as '-'.
	TermCause, TermPhase byte
	// Persistence cookie state for %tsc, when the backend uses cookies
	// (BackendCookies): ClientCookieState is one of N I D V E O U,
	// ServerCookieState one of N P D I R U.
	BackendCookies                       bool
	ClientCookieState, ServerCookieState byte

	ActConn, FeConn, BeConn, SrvConn int64
	Retries                          int
	Redispatched                     bool // %rc gets a '+' prefix
	SrvQueue, BackendQueue           int64

	// RequestLine is the request line without CRLF, as received ("GET /
	// HTTP/1.1"); nil prints "<BADREQ>".
	RequestLine []byte

	FrontendName string
	FrontendSSL  bool // %ft appends '~'
	BackendName  string
	ServerName   string // "" prints "<NOSRV>"

	UniqueID              []byte // %ID
	PID                   int
	Hostname              string
	SSLVersion, SSLCipher string
	RequestCounter        uint32 // %rt, the global request counter
	LogCounter            uint32 // %lc, the frontend's log counter

	// Samples holds the value of each %[...] expression, in the order of
	// Program.Samples(); a nil entry is a sample that was not found.
	Samples [][]byte
}

// Reset clears r for reuse, keeping the capacity of its slices.
func (r *Record) Reset() {
	rq, rs, sm := r.RequestCaptures[:0], r.ResponseCaptures[:0], r.Samples[:0]
	*r = Record{RequestCaptures: rq, ResponseCaptures: rs, Samples: sm}
	r.Handshake, r.Idle, r.Request, r.Queue, r.Connect, r.Data, r.Close = 0, 0, -1, -1, -1, -1, 0
}

// IsError is strm_log()'s notion of an abnormal stream: redispatched,
// ended by anything but a normal or local close (termination cause other
// than '-' or 'L'), retried, or answered with a 5xx by an HTTP frontend.
func (r *Record) IsError(httpFrontend bool) bool {
	cause := r.TermCause
	return r.Redispatched ||
		(cause != 0 && cause != '-' && cause != 'L') ||
		((cause == 0 || cause == '-') && r.Retries != 0) ||
		(httpFrontend && r.Status >= 500)
}

// StreamLogLevel decides like strm_log() whether a finished stream is
// logged and at which level: `option dontlog-normal` skips normal streams,
// `option log-separate-errors` raises abnormal ones from info to err.
func (r *Record) StreamLogLevel(httpFrontend, dontLogNormal, separateErrors bool) (level int, send bool) {
	err := r.IsError(httpFrontend)
	if !err && dontLogNormal {
		return 0, false
	}
	if err && separateErrors {
		return LevelErr, true
	}
	return LevelInfo, true
}

// SessionLogLevel is sess_log()'s level for a request rejected before a
// stream existed: always logged, err with log-separate-errors.
func SessionLogLevel(separateErrors bool) int {
	if separateErrors {
		return LevelErr
	}
	return LevelInfo
}
