package stats

import (
	"errors"
	"strconv"
	"strings"
)

// The Prometheus exporter of haproxy 2.6 ("http-request use-service
// prometheus-exporter", addons/promex): one family per stats field, in field
// order, for the process, then frontends, listeners, backends and servers.
// A family's "# HELP"/"# TYPE" lines are only written when at least one
// object emits a sample for it.

// Object kinds a metric applies to.
const (
	pFE = 1 << iota
	pLI
	pBE
	pSV
)

type promMetric struct {
	name    string
	counter bool
	kinds   uint8
}

// promStat maps stats fields to metric names (suffix after
// "haproxy_<kind>_"); fields without a name are not exported.
var promStat = [NumStaticFields]promMetric{
	FQcur:                 {"current_queue", false, pBE | pSV},
	FQmax:                 {"max_queue", false, pBE | pSV},
	FScur:                 {"current_sessions", false, pFE | pLI | pBE | pSV},
	FSmax:                 {"max_sessions", false, pFE | pLI | pBE | pSV},
	FSlim:                 {"limit_sessions", false, pFE | pLI | pBE | pSV},
	FStot:                 {"sessions_total", true, pFE | pLI | pBE | pSV},
	FBin:                  {"bytes_in_total", true, pFE | pLI | pBE | pSV},
	FBout:                 {"bytes_out_total", true, pFE | pLI | pBE | pSV},
	FDreq:                 {"requests_denied_total", true, pFE | pLI | pBE},
	FDresp:                {"responses_denied_total", true, pFE | pLI | pBE | pSV},
	FEreq:                 {"request_errors_total", true, pFE | pLI},
	FEcon:                 {"connection_errors_total", true, pBE | pSV},
	FEresp:                {"response_errors_total", true, pBE | pSV},
	FWretr:                {"retry_warnings_total", true, pBE | pSV},
	FWredis:               {"redispatch_warnings_total", true, pBE | pSV},
	FStatus:               {"status", false, pFE | pLI | pBE | pSV},
	FWeight:               {"weight", false, pBE | pSV},
	FAct:                  {"active_servers", false, pBE},
	FBck:                  {"backup_servers", false, pBE},
	FChkfail:              {"check_failures_total", true, pSV},
	FChkdown:              {"check_up_down_total", true, pBE | pSV},
	FLastchg:              {"check_last_change_seconds", false, pBE | pSV},
	FDowntime:             {"downtime_seconds_total", true, pBE | pSV},
	FQlimit:               {"queue_limit", false, pSV},
	FThrottle:             {"current_throttle", false, pSV},
	FLbtot:                {"loadbalanced_total", true, pBE | pSV},
	FRateLim:              {"limit_session_rate", false, pFE},
	FRateMax:              {"max_session_rate", false, pFE | pBE | pSV},
	FCheckStatus:          {"check_status", false, pSV},
	FCheckCode:            {"check_code", false, pSV},
	FCheckDuration:        {"check_duration_seconds", false, pSV},
	FHrsp1xx:              {"http_responses_total", true, pFE | pBE | pSV},
	FHrsp2xx:              {"http_responses_total", true, pFE | pBE | pSV},
	FHrsp3xx:              {"http_responses_total", true, pFE | pBE | pSV},
	FHrsp4xx:              {"http_responses_total", true, pFE | pBE | pSV},
	FHrsp5xx:              {"http_responses_total", true, pFE | pBE | pSV},
	FHrspOther:            {"http_responses_total", true, pFE | pBE | pSV},
	FReqRateMax:           {"http_requests_rate_max", false, pFE},
	FReqTot:               {"http_requests_total", true, pFE | pBE},
	FCliAbrt:              {"client_aborts_total", true, pBE | pSV},
	FSrvAbrt:              {"server_aborts_total", true, pBE | pSV},
	FCompIn:               {"http_comp_bytes_in_total", true, pFE | pBE},
	FCompOut:              {"http_comp_bytes_out_total", true, pFE | pBE},
	FCompByp:              {"http_comp_bytes_bypassed_total", true, pFE | pBE},
	FCompRsp:              {"http_comp_responses_total", true, pFE | pBE},
	FLastsess:             {"last_session_seconds", false, pBE | pSV},
	FQtime:                {"queue_time_average_seconds", false, pBE | pSV},
	FCtime:                {"connect_time_average_seconds", false, pBE | pSV},
	FRtime:                {"response_time_average_seconds", false, pBE | pSV},
	FTtime:                {"total_time_average_seconds", false, pBE | pSV},
	FConnRateMax:          {"connections_rate_max", false, pFE},
	FConnTot:              {"connections_total", true, pFE},
	FIntercepted:          {"intercepted_requests_total", true, pFE},
	FDcon:                 {"denied_connections_total", true, pFE | pLI},
	FDses:                 {"denied_sessions_total", true, pFE | pLI},
	FWrew:                 {"failed_header_rewriting_total", true, pFE | pLI | pBE | pSV},
	FConnect:              {"connection_attempts_total", true, pBE | pSV},
	FReuse:                {"connection_reuses_total", true, pBE | pSV},
	FCacheLookups:         {"http_cache_lookups_total", true, pFE | pBE},
	FCacheHits:            {"http_cache_hits_total", true, pFE | pBE},
	FSrvIcur:              {"idle_connections_current", false, pSV},
	FSrcIlim:              {"idle_connections_limit", false, pSV},
	FQtimeMax:             {"max_queue_time_seconds", false, pBE | pSV},
	FCtimeMax:             {"max_connect_time_seconds", false, pBE | pSV},
	FRtimeMax:             {"max_response_time_seconds", false, pBE | pSV},
	FTtimeMax:             {"max_total_time_seconds", false, pBE | pSV},
	FEint:                 {"internal_errors_total", true, pFE | pLI | pBE | pSV},
	FIdleConnCur:          {"unsafe_idle_connections_current", false, pSV},
	FSafeConnCur:          {"safe_idle_connections_current", false, pSV},
	FUsedConnCur:          {"used_connections_current", false, pSV},
	FNeedConnEst:          {"need_connections_current", false, pSV},
	FUweight:              {"uweight", false, pBE | pSV},
	FAggServerStatus:      {"agg_server_status", false, pBE},
	FAggServerCheckStatus: {"agg_server_check_status", false, pBE},
	FAggCheckStatus:       {"agg_check_status", false, pBE},
}

// promStatHelp overrides the stats description for some families.
var promStatHelp = map[int]string{
	FStatus:               "Current status of the service, per state label value.",
	FCheckStatus:          "Status of last health check, per state label value.",
	FCheckCode:            "layer5-7 code, if available of the last health check.",
	FCheckDuration:        "Total duration of the latest server health check, in seconds.",
	FQtime:                "Avg. queue time for last 1024 successful connections.",
	FCtime:                "Avg. connect time for last 1024 successful connections.",
	FRtime:                "Avg. response time for last 1024 successful connections.",
	FTtime:                "Avg. total time for last 1024 successful connections.",
	FQtimeMax:             "Maximum observed time spent in the queue",
	FCtimeMax:             "Maximum observed time spent waiting for a connection to complete",
	FRtimeMax:             "Maximum observed time spent waiting for a server response",
	FTtimeMax:             "Maximum observed total request+response time (request+queue+connect+response+processing)",
	FAggServerCheckStatus: "Backend's aggregated gauge of servers' state check status",
}

// promInfo maps show info fields to "haproxy_process_" metrics.
var promInfo = [NumInfoFields]promMetric{
	INbthread: {"nbthread", false, 1}, INbproc: {"nbproc", false, 1},
	IProcessNum: {"relative_process_id", false, 1}, IUptimeSec: {"uptime_seconds", false, 1},
	IStartTimeSec: {"start_time_seconds", false, 1}, IMemmaxBytes: {"max_memory_bytes", false, 1},
	IPoolAllocBytes: {"pool_allocated_bytes", false, 1}, IPoolUsedBytes: {"pool_used_bytes", false, 1},
	IPoolFailed: {"pool_failures_total", true, 1}, IUlimitN: {"max_fds", false, 1},
	IMaxsock: {"max_sockets", false, 1}, IMaxconn: {"max_connections", false, 1},
	IHardMaxconn: {"hard_max_connections", false, 1}, ICurrConns: {"current_connections", false, 1},
	ICumConns: {"connections_total", true, 1}, ICumReq: {"requests_total", true, 1},
	IMaxSslConns: {"max_ssl_connections", false, 1}, ICurrSslConns: {"current_ssl_connections", false, 1},
	ICumSslConns: {"ssl_connections_total", true, 1}, IMaxpipes: {"max_pipes", false, 1},
	IPipesUsed: {"pipes_used_total", true, 1}, IPipesFree: {"pipes_free_total", true, 1},
	IConnRate: {"current_connection_rate", false, 1}, IConnRateLimit: {"limit_connection_rate", false, 1},
	IMaxConnRate: {"max_connection_rate", false, 1}, ISessRate: {"current_session_rate", false, 1},
	ISessRateLimit: {"limit_session_rate", false, 1}, IMaxSessRate: {"max_session_rate", false, 1},
	ISslRate: {"current_ssl_rate", false, 1}, ISslRateLimit: {"limit_ssl_rate", false, 1},
	IMaxSslRate: {"max_ssl_rate", false, 1}, ISslFrontendKeyRate: {"current_frontend_ssl_key_rate", false, 1},
	ISslFrontendMaxKeyRate: {"max_frontend_ssl_key_rate", false, 1}, ISslFrontendSessionReusePct: {"frontend_ssl_reuse", false, 1},
	ISslBackendKeyRate: {"current_backend_ssl_key_rate", false, 1}, ISslBackendMaxKeyRate: {"max_backend_ssl_key_rate", false, 1},
	ISslCacheLookups: {"ssl_cache_lookups_total", true, 1}, ISslCacheMisses: {"ssl_cache_misses_total", true, 1},
	ICompressBpsIn: {"http_comp_bytes_in_total", true, 1}, ICompressBpsOut: {"http_comp_bytes_out_total", true, 1},
	ICompressBpsRateLim: {"limit_http_comp", false, 1}, IZlibMemUsage: {"current_zlib_memory", false, 1},
	IMaxZlibMemUsage: {"max_zlib_memory", false, 1}, ITasks: {"current_tasks", false, 1},
	IRunQueue: {"current_run_queue", false, 1}, IIdlePct: {"idle_time_percent", false, 1},
	IStopping: {"stopping", false, 1}, IJobs: {"jobs", false, 1},
	IUnstoppableJobs: {"unstoppable_jobs", false, 1}, IListeners: {"listeners", false, 1},
	IActivePeers: {"active_peers", false, 1}, IConnectedPeers: {"connected_peers", false, 1},
	IDroppedLogs: {"dropped_logs_total", true, 1}, IBusyPolling: {"busy_polling_enabled", false, 1},
	IFailedResolutions: {"failed_resolutions", true, 1}, ITotalBytesOut: {"bytes_out_total", true, 1},
	ITotalSplicdedBytesOut: {"spliced_bytes_out_total", true, 1}, IBytesOutRate: {"bytes_out_rate", false, 1},
	ICumRecvLogs: {"recv_logs_total", true, 1}, IBuildInfo: {"build_info", false, 1},
}

// Server states as the exporter labels them (promex_srv_status).
var promSrvStates = [...]string{"DOWN", "UP", "MAINT", "DRAIN", "NOLB"}

func promSrvState(sv *Server) int {
	st := 0
	switch ServerState(sv.State.Load()) {
	case SrvRunning, SrvStarting:
		st = 1
		if sv.Admin.Load()&AdminDrain != 0 {
			st = 3
		}
	case SrvStopping:
		st = 4
	}
	if sv.Admin.Load()&AdminAnyMaint != 0 {
		st = 2
	}
	return st
}

// promCheckStates lists the check statuses the exporter labels: those whose
// result is "failed", "passed" or "conditionally passed".
var promCheckStates = []CheckStatus{ChkHana, ChkSockErr, ChkL4OK, ChkL4Tout, ChkL4Con, ChkL6OK,
	ChkL6Tout, ChkL6Rsp, ChkL7Tout, ChkL7Rsp, ChkL7OK, ChkL7OKC, ChkL7Sts, ChkProcErr, ChkProcTout, ChkProcOK}

var hrspCodes = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx", "other"}

// PromOptions are the exporter's query-string options.
type PromOptions struct {
	NoMaint bool      // "no-maint": skip servers in maintenance
	Scopes  PromScope // families to dump; the zero value means all
}

// PromScope selects metric families ("scope=" query parameters).
type PromScope uint8

// Scopes, as named in the query string.
const (
	ScopeGlobal PromScope = 1 << iota
	ScopeFrontend
	ScopeBackend
	ScopeServer
	ScopeListener
	ScopeStickTable
	ScopeAll = ScopeGlobal | ScopeFrontend | ScopeBackend | ScopeServer | ScopeListener | ScopeStickTable
	// ScopeExplicit marks a scope set that was given, so that an empty
	// one ("scope=") selects nothing instead of everything.
	ScopeExplicit PromScope = 1 << 7
)

// ErrBadPromQuery means the exporter answers 400 Bad Request.
var ErrBadPromQuery = errors.New("bad prometheus exporter query")

// ParsePromQuery reads the exporter's query string (what follows '?', up
// to an optional '#') like promex_parse_uri: "scope=<name>" may repeat and
// replaces the default of every scope; "scope=" alone selects nothing,
// "scope=*" everything; "no-maint" hides servers in maintenance. Unknown
// parameters are ignored; an unknown scope, a bad %-escape or a second '='
// in a value is an error.
func ParsePromQuery(q string) (PromOptions, error) {
	var opt PromOptions
	scoped := false
	var scopes PromScope
	if i := strings.IndexByte(q, '#'); i >= 0 {
		q = q[:i]
	}
	for q != "" {
		var param string
		param, q, _ = strings.Cut(q, "&")
		key, value, hasValue := strings.Cut(param, "=")
		if strings.IndexByte(value, '=') >= 0 {
			return opt, ErrBadPromQuery
		}
		key, ok := urlDecode(key)
		if !ok {
			return opt, ErrBadPromQuery
		}
		if value, ok = urlDecode(value); !ok {
			return opt, ErrBadPromQuery
		}
		switch key {
		case "scope":
			scoped = true
			if !hasValue {
				return opt, ErrBadPromQuery
			}
			switch value {
			case "":
				scopes = 0
			case "global":
				scopes |= ScopeGlobal
			case "server":
				scopes |= ScopeServer
			case "backend":
				scopes |= ScopeBackend
			case "frontend":
				scopes |= ScopeFrontend
			case "listener":
				scopes |= ScopeListener
			case "sticktable":
				scopes |= ScopeStickTable
			default:
				if value[0] != '*' {
					return opt, ErrBadPromQuery
				}
				scopes = ScopeAll
			}
		case "no-maint":
			opt.NoMaint = true
		}
	}
	opt.Scopes = ScopeAll
	if scoped {
		opt.Scopes = scopes | ScopeExplicit
	}
	return opt, nil
}

// urlDecode is haproxy's url_decode(in_form=1): '+' is a space, %XX must be
// two hex digits.
func urlDecode(s string) (string, bool) {
	if strings.IndexAny(s, "+%") < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", false
			}
			b = append(b, h<<4|l)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// PrometheusContentType is the exporter's Content-Type (text format 0.0.4).
const PrometheusContentType = "text/plain; version=0.0.4"

// promFamilies collects the samples of one object kind. haproxy walks
// field by field and, inside, object by object; we fill each object's row
// once and append its samples to one buffer per field, then write the
// buffers in field order: same bytes, one fill per object.
type promFamilies struct {
	prefix string
	kind   uint8
	buf    [NumStaticFields][]byte
	lab    []string // label scratch
}

// labels returns the empty label scratch slice, with room for every label
// a sample carries (proxy, server or listener, state or code).
func (p *promFamilies) labels() []string {
	if cap(p.lab) < 6 {
		p.lab = make([]string, 0, 6)
	}
	return p.lab[:0]
}

func (p *promFamilies) sample(f int, labels []string, v *Field) {
	b := p.buf[f]
	b = append(b, p.prefix...)
	b = append(b, promStat[f].name...)
	b = appendLabels(b, labels)
	b = appendPromValue(b, v)
	p.buf[f] = b
}

// flush writes every non-empty family with its HELP and TYPE lines. The
// http_responses_total codes share one header, written before 1xx.
func (p *promFamilies) flush(b []byte) []byte {
	for f := range p.buf {
		if len(p.buf[f]) == 0 {
			continue
		}
		if f <= FHrsp1xx || f > FHrspOther {
			b = appendPromHeader(b, p.prefix, promStat[f].name, promHelp(f), promStat[f].counter)
		}
		b = append(b, p.buf[f]...)
		p.buf[f] = p.buf[f][:0]
	}
	return b
}

func appendPromHeader(b []byte, prefix, name, help string, counter bool) []byte {
	b = append(b, "# HELP "...)
	b = append(b, prefix...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, help...)
	b = append(b, "\n# TYPE "...)
	b = append(b, prefix...)
	b = append(b, name...)
	if counter {
		return append(b, " counter\n"...)
	}
	return append(b, " gauge\n"...)
}

func appendLabels(b []byte, labels []string) []byte {
	if len(labels) == 0 {
		return b
	}
	b = append(b, '{')
	for i := 0; i < len(labels); i += 2 {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, labels[i]...)
		b = append(b, `="`...)
		b = append(b, labels[i+1]...)
		b = append(b, '"')
	}
	return append(b, '}')
}

// appendPromValue prints like promex_metric_to_str: integers as is,
// floats with "%f", anything else (empty fields, strings) as NaN.
func appendPromValue(b []byte, f *Field) []byte {
	b = append(b, ' ')
	switch f.Format {
	case FU32, FU64:
		b = strconv.AppendUint(b, f.U, 10)
	case FS32, FS64:
		b = strconv.AppendInt(b, f.I, 10)
	case FFlt:
		b = strconv.AppendFloat(b, f.F, 'f', 6, 64)
	default:
		b = append(b, "NaN"...)
	}
	return append(b, '\n')
}

func gauge(v uint64) Field { return Field{Format: FU32, U: v} }

func boolGauge(v bool) Field {
	if v {
		return gauge(1)
	}
	return gauge(0)
}

func secs(ms uint32) Field { return Field{Format: FFlt, F: float64(ms) / 1000.0} }

func promHelp(f int) string {
	if h, ok := promStatHelp[f]; ok {
		return h
	}
	return fieldNames[f].desc
}

func isHrsp(f int) bool { return f >= FHrsp1xx && f <= FHrspOther }

// httpOnlyFE lists frontend/backend families haproxy skips for TCP proxies.
func httpOnly(f int) bool {
	switch f {
	case FReqRateMax, FReqTot, FIntercepted, FCacheLookups, FCacheHits, FCompIn, FCompOut, FCompByp, FCompRsp:
		return true
	}
	return isHrsp(f)
}

// PromExporter renders the exporter's body. Reuse it across scrapes: it
// keeps its buffers.
type PromExporter struct {
	Options PromOptions
	row     Row
	fam     promFamilies
}

// AppendPrometheus renders the exporter's body for the given process info
// and proxies (a convenience wrapper around PromExporter).
func AppendPrometheus(b []byte, in *Info, proxies []*Proxy, clk Clock, opt PromOptions) []byte {
	e := &PromExporter{Options: opt}
	return e.Append(b, in, proxies, clk)
}

// Append writes the process, frontend, listener, backend and server
// families, in haproxy 2.6.12's order.
func (e *PromExporter) Append(b []byte, in *Info, proxies []*Proxy, clk Clock) []byte {
	scopes := e.Options.Scopes
	if scopes&ScopeExplicit == 0 && scopes == 0 {
		scopes = ScopeAll
	}
	if scopes&ScopeGlobal != 0 {
		b = appendProcess(b, in)
	}
	p := &e.fam
	r := &e.row

	if scopes&ScopeFrontend != 0 {
		p.prefix, p.kind = "haproxy_frontend_", pFE
		for _, px := range proxies {
			if px.Cap&CapFE == 0 {
				continue
			}
			FillFrontend(r, px, clk)
			e.frontend(px)
		}
		b = p.flush(b)
	}

	if scopes&ScopeListener != 0 {
		p.prefix, p.kind = "haproxy_listener_", pLI
		for _, px := range proxies {
			if px.Cap&CapFE == 0 {
				continue
			}
			for _, l := range px.Listeners {
				FillListener(r, px, l, Options{})
				e.listener(px, l)
			}
		}
		b = p.flush(b)
	}

	if scopes&ScopeBackend != 0 {
		p.prefix, p.kind = "haproxy_backend_", pBE
		for _, px := range proxies {
			if px.Cap&CapBE == 0 {
				continue
			}
			FillBackend(r, px, clk, Options{})
			e.backend(px)
		}
		b = p.flush(b)
	}

	if scopes&ScopeServer != 0 {
		p.prefix, p.kind = "haproxy_server_", pSV
		for _, px := range proxies {
			if px.Cap&CapBE == 0 {
				continue
			}
			for _, sv := range px.Servers {
				if e.Options.NoMaint && sv.Admin.Load()&AdminAnyMaint != 0 {
					continue
				}
				FillServer(r, px, sv, clk, Options{})
				e.server(px, sv)
			}
		}
		b = p.flush(b)
	}
	// Stick tables (haproxy_sticktable_*) are not modelled yet.
	return b
}

// appendProcess writes the haproxy_process_* families from show info.
func appendProcess(b []byte, in *Info) []byte {
	info := in.Fields()
	for i := range promInfo {
		m := promInfo[i]
		if m.name == "" {
			continue
		}
		b = appendPromHeader(b, "haproxy_process_", m.name, infoNames[i].desc, m.counter)
		b = append(b, "haproxy_process_"...)
		b = append(b, m.name...)
		if i == IBuildInfo {
			one := gauge(1)
			b = appendLabels(b, []string{"version", in.S[IVersion]})
			b = appendPromValue(b, &one)
			continue
		}
		b = appendPromValue(b, &info[i])
	}
	return b
}

func (e *PromExporter) frontend(px *Proxy) {
	p, r := &e.fam, &e.row
	lab := append(p.labels(), "proxy", px.Name)
	for f := range promStat {
		if promStat[f].kinds&pFE == 0 || (httpOnly(f) && px.Mode != ModeHTTP) {
			continue
		}
		switch {
		case f == FStatus:
			// only a stopped proxy is DOWN; a paused one is UP
			up := ProxyState(px.State.Load()) != ProxyStopped
			down, upv := boolGauge(!up), boolGauge(up)
			p.sample(f, append(lab, "state", "DOWN"), &down)
			p.sample(f, append(lab, "state", "UP"), &upv)
		case isHrsp(f):
			p.sample(f, append(lab, "code", hrspCodes[f-FHrsp1xx]), &r[f])
		default:
			p.sample(f, lab, &r[f])
		}
	}
}

func (e *PromExporter) listener(px *Proxy, l *Listener) {
	p, r := &e.fam, &e.row
	lab := append(p.labels(), "proxy", px.Name, "listener", l.Name)
	for f := range promStat {
		if promStat[f].kinds&pLI == 0 {
			continue
		}
		if f == FStatus {
			st := ListenerStatus(l.Status.Load())
			for s := ListenerWaiting; s <= ListenerFull; s++ {
				v := boolGauge(s == st)
				p.sample(f, append(lab, "state", s.String()), &v)
			}
		} else {
			p.sample(f, lab, &r[f])
		}
	}
}

func (e *PromExporter) backend(px *Proxy) {
	p, r := &e.fam, &e.row
	c := &px.BE
	lab := append(p.labels(), "proxy", px.Name)
	for f := range promStat {
		if promStat[f].kinds&pBE == 0 || (httpOnly(f) && px.Mode != ModeHTTP) {
			continue
		}
		var v Field
		switch f {
		case FAggServerStatus, FAggServerCheckStatus:
			if len(px.Servers) == 0 {
				continue
			}
			var n [len(promSrvStates)]uint64
			for _, sv := range px.Servers {
				n[promSrvState(sv)]++
			}
			for s, name := range promSrvStates {
				v := gauge(n[s])
				p.sample(f, append(lab, "state", name), &v)
			}
			continue
		case FAggCheckStatus:
			if len(px.Servers) == 0 {
				continue
			}
			var n [ChkProcOK + 1]uint64
			for _, sv := range px.Servers {
				if st := sv.Check().Status; st <= ChkProcOK {
					n[st]++
				}
			}
			for _, s := range promCheckStates {
				v := gauge(n[s])
				p.sample(f, append(lab, "state", s.Info()), &v)
			}
			continue
		case FStatus:
			up := Summarize(px).TotalWeight > 0 || len(px.Servers) == 0
			down, upv := boolGauge(!up), boolGauge(up)
			p.sample(f, append(lab, "state", "DOWN"), &down)
			p.sample(f, append(lab, "state", "UP"), &upv)
			continue
		// the exporter averages over the full window, unlike show stat
		case FQtime:
			v = secs(c.QTime.Avg(TimeSamples))
		case FCtime:
			v = secs(c.CTime.Avg(TimeSamples))
		case FRtime:
			v = secs(c.DTime.Avg(TimeSamples))
		case FTtime:
			v = secs(c.TTime.Avg(TimeSamples))
		case FQtimeMax, FCtimeMax, FRtimeMax, FTtimeMax:
			v = secs(uint32(r[f].U))
		case FHrsp1xx, FHrsp2xx, FHrsp3xx, FHrsp4xx, FHrsp5xx, FHrspOther:
			p.sample(f, append(lab, "code", hrspCodes[f-FHrsp1xx]), &r[f])
			continue
		default:
			v = r[f]
		}
		p.sample(f, lab, &v)
	}
}

func (e *PromExporter) server(px *Proxy, sv *Server) {
	p, r := &e.fam, &e.row
	c := &sv.C
	chk := sv.Check()
	lab := append(p.labels(), "proxy", px.Name, "server", sv.Name)
	for f := range promStat {
		if promStat[f].kinds&pSV == 0 || (isHrsp(f) && px.Mode != ModeHTTP) {
			continue
		}
		var v Field
		switch f {
		case FStatus:
			st := promSrvState(sv)
			for s, name := range promSrvStates {
				v := boolGauge(s == st)
				p.sample(f, append(lab, "state", name), &v)
			}
			continue
		case FQtime:
			v = secs(c.QTime.Avg(TimeSamples))
		case FCtime:
			v = secs(c.CTime.Avg(TimeSamples))
		case FRtime:
			v = secs(c.DTime.Avg(TimeSamples))
		case FTtime:
			v = secs(c.TTime.Avg(TimeSamples))
		case FQtimeMax, FCtimeMax, FRtimeMax, FTtimeMax:
			v = secs(uint32(r[f].U))
		case FCheckStatus:
			if !checkActive(chk) {
				continue
			}
			for _, s := range promCheckStates {
				v := boolGauge(chk.Status == s)
				p.sample(f, append(lab, "state", s.Info()), &v)
			}
			continue
		case FCheckCode:
			if !checkActive(chk) {
				continue
			}
			v = gauge(0)
			if chk.Status >= ChkL57Data {
				v.U = uint64(uint32(chk.Code))
			}
		case FCheckDuration:
			if chk.Status < ChkChecked {
				continue
			}
			v = Field{Format: FFlt, F: float64(chk.Duration) / 1000.0}
		case FHrsp1xx, FHrsp2xx, FHrsp3xx, FHrsp4xx, FHrsp5xx, FHrspOther:
			p.sample(f, append(lab, "code", hrspCodes[f-FHrsp1xx]), &r[f])
			continue
		default:
			v = r[f]
		}
		p.sample(f, lab, &v)
	}
}
