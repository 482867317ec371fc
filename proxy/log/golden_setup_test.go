package log

// The golden scenario: one description of haproxy's loggers and frontends,
// used twice — by the -update run that starts the real haproxy 2.6 and
// records every datagram, and by the verification that re-renders each
// recorded line with this package.

import (
	"flag"
	"fmt"
	"strings"
)

// update regenerates the golden files from the installed haproxy.
var update = flag.Bool("update", false, "regenerate golden log lines from the installed haproxy 2.6")

// goldenLogger is one `log` line of the scenario; each gets its own UDP
// catcher so every recorded datagram is attributable to its framing.
type goldenLogger struct {
	name     string // file name under testdata/golden/<run>/
	scope    string // "global" or the frontend that owns the line
	format   string // "" (haproxy's default) or a `format` keyword
	facility string
	level    string
	minLevel string
	length   int    // `len`, 0 = default 1024
	sample   string // `sample` clause, if any
	unix     bool   // a unix datagram socket instead of UDP
}

// logArgs renders the `log` line's arguments after the address.
func (l goldenLogger) logArgs() string {
	var b strings.Builder
	if l.length > 0 {
		fmt.Fprintf(&b, " len %d", l.length)
	}
	if l.format != "" {
		b.WriteString(" format " + l.format)
	}
	if l.sample != "" {
		b.WriteString(" sample " + l.sample)
	}
	b.WriteString(" " + l.facility)
	if l.level != "" {
		b.WriteString(" " + l.level)
	}
	if l.minLevel != "" {
		b.WriteString(" " + l.minLevel)
	}
	return b.String()
}

// goldenFrontend is a frontend of the scenario with what the verification
// needs to compile its log format the way haproxy did.
type goldenFrontend struct {
	name      string
	http      bool
	option    string // "httplog", "httplog clf", "tcplog", "httpslog", "" or "custom"
	logFormat string // for option "custom"
	errFormat string // error-log-format, if any
	extra     []string
	ssl       bool
	logASAP   bool
	reqCaps   int
	rspCaps   int
	backend   string
	bind      string // "" (127.0.0.1), "v6" ([::1]) or "unix" (a socket in the run's folder)
	sdFormat  string // log-format-sd, if any
	dontLog   bool   // option dontlog-normal
	sepErrors bool   // option log-separate-errors
}

const (
	customFormat = `%{+Q}o %{-Q}ci:%cp %fi:%fp %{+Q}ft %b/%s [%t] [%tr] %T %Ts %ms %pid ` +
		`%Th/%Ti/%TR/%Tq/%Tw/%Tc/%Tr/%Ta/%Tt/%Td/%Tu %ST %B %U %ac/%fc/%bc/%sc/%rc %sq/%bq ` +
		`%hr %hrl %hs %hsl %HM %HP %HPO %HQ %HU %HV %{+X}ci:%{+X}cp %{+X}Ts %{+X}ms %ts %tsc ` +
		`%si:%sp %ID %f %{+Q}r %{-Q}r %[capture.req.hdr(0)] %{+Q}[capture.req.hdr(1),lower] %[src] %rt`
	custom2Format = `%{+E}hr %{+E}hrl %{+E,+Q}[capture.req.hdr(1)] %{+E}r %HM %HPO %HP %HQ %HU %HV %Tl %trl %H %lc ` +
		`%bi:%bp %{+X}bi:%{+X}bp %{+X}pid %{+X}rt %{+X}lc %{-M}CC|%{+Q}CC|%{+Q}ID|%{-M}ID %{+Q,+E}b %{+X}si  %% end`
	// longPath makes a request line longer than haproxy's 1024-byte log
	// buffer, to record how it truncates.
	longPath    = "/long/"
	longCount   = 1500
	errorFormat = `ERR %ci:%cp [%tr] %ft %b/%s %ST %{+Q}r %tsc %[fc_err]`
)

func goldenFrontends() []goldenFrontend {
	return []goldenFrontend{
		{name: "fe_http", http: true, option: "httplog", reqCaps: 2, rspCaps: 1, backend: "be_web",
			extra: []string{
				"capture request header Host len 20",
				"capture request header User-Agent len 16",
				"capture response header Content-Type len 24",
				"use_backend be_down if { path_beg /down }",
			}},
		{name: "fe_clf", http: true, option: "httplog clf", reqCaps: 1, backend: "be_ck",
			extra: []string{"capture request header Host len 20", "capture cookie SRV len 32"}},
		{name: "fe_tcp", option: "tcplog", backend: "be_tcp"},
		{name: "fe_tcpdown", option: "tcplog", backend: "be_tcpdown"},
		{name: "fe_custom", http: true, option: "custom", logFormat: customFormat, reqCaps: 2, rspCaps: 1, backend: "be_web",
			extra: []string{
				"capture request header Host len 20",
				"capture request header X-Quote len 40",
				"capture response header Content-Type len 24",
				`unique-id-format %{+X}o\ %ci:%cp_%fi:%fp_%Ts_%rt`,
			}},
		{name: "fe_custom2", http: true, option: "custom", logFormat: custom2Format, reqCaps: 2, backend: "be_web",
			extra: []string{
				"capture request header Host len 20",
				"capture request header X-Quote len 40",
			}},
		{name: "fe_v6", http: true, option: "custom", bind: "v6", backend: "be_web",
			logFormat: `%ci:%cp %{+X}ci:%{+X}cp %fi:%fp %{+X}fi %{+Q}ci %si:%sp %ft %b/%s %ST %{+Q}r`},
		{name: "fe_unix", http: true, option: "custom", bind: "unix", backend: "be_web",
			logFormat: `%ci:%cp %fi:%fp %{+Q}ci %{+Q}fi:%fp %ft %b/%s %ST %{+Q}r`},
		{name: "fe_unix_tcp", option: "", bind: "unix", backend: "be_tcp"},
		{name: "fe_sd", http: true, option: "httplog", backend: "be_web",
			sdFormat: `[exampleSDID@32473 client=%{+Q}ci port=%cp fe=%f q=%{+Q,+E}[capture.req.hdr(0)]]`,
			reqCaps:  1, extra: []string{"capture request header X-Quote len 40"}},
		{name: "fe_redisp", http: true, option: "httplog", backend: "be_redisp"},
		{name: "fe_tcpcustom", option: "custom", backend: "be_tcp",
			logFormat: `%ci:%cp %fi:%fp %si:%sp %Th/%Tw/%Tc/%Td/%Tt %B/%U %ts %ac/%fc/%bc/%sc/%rc %sq/%bq %[dst_port] %{+Q}b`},
		{name: "fe_sep", http: true, option: "httplog", backend: "be_web", dontLog: true, sepErrors: true,
			extra: []string{"option dontlog-normal", "option log-separate-errors", "use_backend be_down if { path_beg /down }"}},
		{name: "fe_null", http: true, option: "httplog", backend: "be_web", extra: []string{"option dontlognull"}},
		{name: "fe_slow", http: true, option: "httplog", backend: "be_web", extra: []string{"timeout client 300ms"}},
		{name: "fe_err", http: true, option: "httplog", errFormat: errorFormat, backend: "be_web"},
		{name: "fe_connect", option: "", backend: "be_tcp"},
		{name: "fe_connect_http", http: true, option: "", backend: "be_web"},
		{name: "fe_https", http: true, option: "httpslog", ssl: true, backend: "be_web"},
		{name: "fe_asap", http: true, option: "httplog", logASAP: true, backend: "be_web", extra: []string{"option logasap"}},
	}
}

// goldenLoggers lists every `log` line of the main run.
func goldenLoggers() []goldenLogger {
	return []goldenLogger{
		{name: "global_default", scope: "global", facility: "local0"},
		{name: "global_rfc3164", scope: "global", format: "rfc3164", facility: "local1"},
		{name: "global_rfc5424", scope: "global", format: "rfc5424", facility: "local2", level: "notice"},
		{name: "global_raw", scope: "global", format: "raw", facility: "local3", level: "info"},
		{name: "global_short", scope: "global", format: "short", facility: "daemon"},
		{name: "global_timed", scope: "global", format: "timed", facility: "user"},
		{name: "global_iso", scope: "global", format: "iso", facility: "local4"},
		{name: "global_priority", scope: "global", format: "priority", facility: "local5", level: "err"},
		{name: "global_len", scope: "global", format: "rfc3164", facility: "local6", length: 80},
		{name: "global_minlevel", scope: "global", facility: "local7", level: "debug", minLevel: "warning"},

		{name: "fe_http_rfc3164", scope: "fe_http", format: "rfc3164", facility: "local0"},
		{name: "fe_http_raw", scope: "fe_http", format: "raw", facility: "local0"},
		{name: "fe_http_sample", scope: "fe_http", format: "raw", facility: "local0", sample: "1,3-4:5"},
		{name: "global_unix", scope: "global", facility: "local3", unix: true},
		{name: "fe_custom2_raw", scope: "fe_custom2", format: "raw", facility: "local0"},
		{name: "fe_clf_default", scope: "fe_clf", facility: "local1"},
		{name: "fe_tcp_rfc5424", scope: "fe_tcp", format: "rfc5424", facility: "local2"},
		{name: "fe_tcpdown_raw", scope: "fe_tcpdown", format: "raw", facility: "local2"},
		{name: "fe_custom_raw", scope: "fe_custom", format: "raw", facility: "local0"},
		{name: "fe_custom_rfc5424", scope: "fe_custom", format: "rfc5424", facility: "local0"},
		{name: "fe_custom_len", scope: "fe_custom", format: "rfc3164", facility: "local0", length: 120},
		{name: "fe_null_raw", scope: "fe_null", format: "raw", facility: "local0"},
		{name: "fe_slow_raw", scope: "fe_slow", format: "raw", facility: "local0"},
		{name: "fe_err_raw", scope: "fe_err", format: "raw", facility: "local0"},
		{name: "fe_connect_default", scope: "fe_connect", facility: "local0"},
		{name: "fe_connect_http_raw", scope: "fe_connect_http", format: "raw", facility: "local0"},
		{name: "fe_https_raw", scope: "fe_https", format: "raw", facility: "local0"},
		{name: "fe_asap_local", scope: "fe_asap", format: "local", facility: "local0"},
		{name: "fe_sep_rfc3164", scope: "fe_sep", format: "rfc3164", facility: "local5"},
		{name: "fe_v6_raw", scope: "fe_v6", format: "raw", facility: "local0"},
		{name: "fe_unix_raw", scope: "fe_unix", format: "raw", facility: "local0"},
		{name: "fe_unix_tcp_raw", scope: "fe_unix_tcp", format: "raw", facility: "local0"},
		{name: "fe_sd_rfc5424", scope: "fe_sd", format: "rfc5424", facility: "local4"},
		{name: "fe_redisp_raw", scope: "fe_redisp", format: "raw", facility: "local0"},
		{name: "fe_tcpcustom_raw", scope: "fe_tcpcustom", format: "raw", facility: "local0"},
	}
}

// hostnameLoggers is the second, small run with log-send-hostname and a
// log-tag, which change the rfc3164/rfc5424 headers.
func hostnameLoggers() []goldenLogger {
	return []goldenLogger{
		{name: "host_default", scope: "global", facility: "local0"},
		{name: "host_rfc3164", scope: "global", format: "rfc3164", facility: "local1"},
		{name: "host_rfc5424", scope: "global", format: "rfc5424", facility: "local2"},
		{name: "host_local", scope: "global", format: "local", facility: "local3"},
	}
}

const (
	goldenHostname = "goldenhost"
	goldenTag      = "gohatag"
)
