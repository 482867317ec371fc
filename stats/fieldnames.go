// Field names and descriptions exactly as haproxy 2.6.12 (Debian) prints them
// ("show stat typed desc", captured in testdata/golden); the column order is
// the order of its "show stat" header.

package stats

// Index of each proxy-domain stat field, in the column order of haproxy 2.6.12's
// show stat. Fields before NumStaticFields are haproxy's own; the rest belong
// to the statistics modules (ssl, h2, h1) that the Debian build registers.
const (
	FPxname = iota
	FSvname
	FQcur
	FQmax
	FScur
	FSmax
	FSlim
	FStot
	FBin
	FBout
	FDreq
	FDresp
	FEreq
	FEcon
	FEresp
	FWretr
	FWredis
	FStatus
	FWeight
	FAct
	FBck
	FChkfail
	FChkdown
	FLastchg
	FDowntime
	FQlimit
	FPid
	FIid
	FSid
	FThrottle
	FLbtot
	FTracked
	FType
	FRate
	FRateLim
	FRateMax
	FCheckStatus
	FCheckCode
	FCheckDuration
	FHrsp1xx
	FHrsp2xx
	FHrsp3xx
	FHrsp4xx
	FHrsp5xx
	FHrspOther
	FHanafail
	FReqRate
	FReqRateMax
	FReqTot
	FCliAbrt
	FSrvAbrt
	FCompIn
	FCompOut
	FCompByp
	FCompRsp
	FLastsess
	FLastChk
	FLastAgt
	FQtime
	FCtime
	FRtime
	FTtime
	FAgentStatus
	FAgentCode
	FAgentDuration
	FCheckDesc
	FAgentDesc
	FCheckRise
	FCheckFall
	FCheckHealth
	FAgentRise
	FAgentFall
	FAgentHealth
	FAddr
	FCookie
	FMode
	FAlgo
	FConnRate
	FConnRateMax
	FConnTot
	FIntercepted
	FDcon
	FDses
	FWrew
	FConnect
	FReuse
	FCacheLookups
	FCacheHits
	FSrvIcur
	FSrcIlim
	FQtimeMax
	FCtimeMax
	FRtimeMax
	FTtimeMax
	FEint
	FIdleConnCur
	FSafeConnCur
	FUsedConnCur
	FNeedConnEst
	FUweight
	FAggServerStatus
	FAggServerCheckStatus
	FAggCheckStatus
	FSslSess
	FSslReusedSess
	FSslFailedHandshake
	FH2HeadersRcvd
	FH2DataRcvd
	FH2SettingsRcvd
	FH2RstStreamRcvd
	FH2GoawayRcvd
	FH2DetectedConnProtocolErrors
	FH2DetectedStrmProtocolErrors
	FH2RstStreamResp
	FH2GoawayResp
	FH2OpenConnections
	FH2BackendOpenStreams
	FH2TotalConnections
	FH2BackendTotalStreams
	FH1OpenConnections
	FH1OpenStreams
	FH1TotalConnections
	FH1TotalStreams
	FH1BytesIn
	FH1BytesOut
	FH1SplicedBytesIn
	FH1SplicedBytesOut
	NumFields
)

// NumStaticFields is the number of fields before the "-" separator column.
const NumStaticFields = FUweight + 4

type fieldName struct{ name, desc string }

// fieldNames holds each field's column name and its description (show stat desc).
var fieldNames = [NumFields]fieldName{
	FPxname:                       {"pxname", "Proxy name"},
	FSvname:                       {"svname", "Server name"},
	FQcur:                         {"qcur", "Number of current queued connections"},
	FQmax:                         {"qmax", "Highest value of queued connections encountered since process started"},
	FScur:                         {"scur", "Number of current sessions on the frontend, backend or server"},
	FSmax:                         {"smax", "Highest value of current sessions encountered since process started"},
	FSlim:                         {"slim", "Frontend/listener/server's maxconn, backend's fullconn"},
	FStot:                         {"stot", "Total number of sessions since process started"},
	FBin:                          {"bin", "Total number of request bytes since process started"},
	FBout:                         {"bout", "Total number of response bytes since process started"},
	FDreq:                         {"dreq", "Total number of denied requests since process started"},
	FDresp:                        {"dresp", "Total number of denied responses since process started"},
	FEreq:                         {"ereq", "Total number of invalid requests since process started"},
	FEcon:                         {"econ", "Total number of failed connections to server since the worker process started"},
	FEresp:                        {"eresp", "Total number of invalid responses since the worker process started"},
	FWretr:                        {"wretr", "Total number of server connection retries since the worker process started"},
	FWredis:                       {"wredis", "Total number of server redispatches due to connection failures since the worker process started"},
	FStatus:                       {"status", "Frontend/listen status: OPEN/WAITING/FULL/STOP; backend: UP/DOWN; server: last check status"},
	FWeight:                       {"weight", "Server's effective weight, or sum of active servers' effective weights for a backend"},
	FAct:                          {"act", "Total number of active UP servers with a non-zero weight"},
	FBck:                          {"bck", "Total number of backup UP servers with a non-zero weight"},
	FChkfail:                      {"chkfail", "Total number of failed individual health checks per server/backend, since the worker process started"},
	FChkdown:                      {"chkdown", "Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started"},
	FLastchg:                      {"lastchg", "How long ago the last server state changed, in seconds"},
	FDowntime:                     {"downtime", "Total time spent in DOWN state, for server or backend"},
	FQlimit:                       {"qlimit", "Limit on the number of connections in queue, for servers only (maxqueue argument)"},
	FPid:                          {"pid", "Relative worker process number (1)"},
	FIid:                          {"iid", "Frontend or Backend numeric identifier ('id' setting)"},
	FSid:                          {"sid", "Server numeric identifier ('id' setting)"},
	FThrottle:                     {"throttle", "Throttling ratio applied to a server's maxconn and weight during the slowstart period (0 to 100%)"},
	FLbtot:                        {"lbtot", "Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)"},
	FTracked:                      {"tracked", "Name of the other server this server tracks for its state"},
	FType:                         {"type", "Type of the object (Listener, Frontend, Backend, Server)"},
	FRate:                         {"rate", "Total number of sessions processed by this object over the last second (sessions for listeners/frontends, requests for backends/servers)"},
	FRateLim:                      {"rate_lim", "Limit on the number of sessions accepted in a second (frontend only, 'rate-limit sessions' setting)"},
	FRateMax:                      {"rate_max", "Highest value of sessions per second observed since the worker process started"},
	FCheckStatus:                  {"check_status", "Status report of the server's latest health check, prefixed with '*' if a check is currently in progress"},
	FCheckCode:                    {"check_code", "HTTP/SMTP/LDAP status code reported by the latest server health check"},
	FCheckDuration:                {"check_duration", "Total duration of the latest server health check, in milliseconds"},
	FHrsp1xx:                      {"hrsp_1xx", "Total number of HTTP responses with status 100-199 returned by this object since the worker process started"},
	FHrsp2xx:                      {"hrsp_2xx", "Total number of HTTP responses with status 200-299 returned by this object since the worker process started"},
	FHrsp3xx:                      {"hrsp_3xx", "Total number of HTTP responses with status 300-399 returned by this object since the worker process started"},
	FHrsp4xx:                      {"hrsp_4xx", "Total number of HTTP responses with status 400-499 returned by this object since the worker process started"},
	FHrsp5xx:                      {"hrsp_5xx", "Total number of HTTP responses with status 500-599 returned by this object since the worker process started"},
	FHrspOther:                    {"hrsp_other", "Total number of HTTP responses with status <100, >599 returned by this object since the worker process started (error -1 included)"},
	FHanafail:                     {"hanafail", "Total number of failed checks caused by an 'on-error' directive after an 'observe' condition matched"},
	FReqRate:                      {"req_rate", "Number of HTTP requests processed over the last second on this object"},
	FReqRateMax:                   {"req_rate_max", "Highest value of http requests observed since the worker process started"},
	FReqTot:                       {"req_tot", "Total number of HTTP requests processed by this object since the worker process started"},
	FCliAbrt:                      {"cli_abrt", "Total number of requests or connections aborted by the client since the worker process started"},
	FSrvAbrt:                      {"srv_abrt", "Total number of requests or connections aborted by the server since the worker process started"},
	FCompIn:                       {"comp_in", "Total number of bytes submitted to the HTTP compressor for this object since the worker process started"},
	FCompOut:                      {"comp_out", "Total number of bytes emitted by the HTTP compressor for this object since the worker process started"},
	FCompByp:                      {"comp_byp", "Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)"},
	FCompRsp:                      {"comp_rsp", "Total number of HTTP responses that were compressed for this object since the worker process started"},
	FLastsess:                     {"lastsess", "How long ago some traffic was seen on this object on this worker process, in seconds"},
	FLastChk:                      {"last_chk", "Short description of the latest health check report for this server (see also check_desc)"},
	FLastAgt:                      {"last_agt", "Short description of the latest agent check report for this server (see also agent_desc)"},
	FQtime:                        {"qtime", "Time spent in the queue, in milliseconds, averaged over the 1024 last requests (backend/server)"},
	FCtime:                        {"ctime", "Time spent waiting for a connection to complete, in milliseconds, averaged over the 1024 last requests (backend/server)"},
	FRtime:                        {"rtime", "Time spent waiting for a server response, in milliseconds, averaged over the 1024 last requests (backend/server)"},
	FTtime:                        {"ttime", "Total request+response time (request+queue+connect+response+processing), in milliseconds, averaged over the 1024 last requests (backend/server)"},
	FAgentStatus:                  {"agent_status", "Status report of the server's latest agent check, prefixed with '*' if a check is currently in progress"},
	FAgentCode:                    {"agent_code", "Status code reported by the latest server agent check"},
	FAgentDuration:                {"agent_duration", "Total duration of the latest server agent check, in milliseconds"},
	FCheckDesc:                    {"check_desc", "Textual description of the latest health check report for this server"},
	FAgentDesc:                    {"agent_desc", "Textual description of the latest agent check report for this server"},
	FCheckRise:                    {"check_rise", "Number of successful health checks before declaring a server UP (server 'rise' setting)"},
	FCheckFall:                    {"check_fall", "Number of failed health checks before declaring a server DOWN (server 'fall' setting)"},
	FCheckHealth:                  {"check_health", "Current server health check level (0..fall-1=DOWN, fall..rise-1=UP)"},
	FAgentRise:                    {"agent_rise", "Number of successful agent checks before declaring a server UP (server 'rise' setting)"},
	FAgentFall:                    {"agent_fall", "Number of failed agent checks before declaring a server DOWN (server 'fall' setting)"},
	FAgentHealth:                  {"agent_health", "Current server agent check level (0..fall-1=DOWN, fall..rise-1=UP)"},
	FAddr:                         {"addr", "Server's address:port, shown only if show-legends is set, or at levels oper/admin for the CLI"},
	FCookie:                       {"cookie", "Backend's cookie name or Server's cookie value, shown only if show-legends is set, or at levels oper/admin for the CLI"},
	FMode:                         {"mode", "'mode' setting (tcp/http/health/cli)"},
	FAlgo:                         {"algo", "Backend's load balancing algorithm, shown only if show-legends is set, or at levels oper/admin for the CLI"},
	FConnRate:                     {"conn_rate", "Number of new connections accepted over the last second on the frontend for this worker process"},
	FConnRateMax:                  {"conn_rate_max", "Highest value of connections per second observed since the worker process started"},
	FConnTot:                      {"conn_tot", "Total number of new connections accepted on this frontend since the worker process started"},
	FIntercepted:                  {"intercepted", "Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since the worker process started"},
	FDcon:                         {"dcon", "Total number of incoming connections blocked on a listener/frontend by a tcp-request connection rule since the worker process started"},
	FDses:                         {"dses", "Total number of incoming sessions blocked on a listener/frontend by a tcp-request connection rule since the worker process started"},
	FWrew:                         {"wrew", "Total number of failed HTTP header rewrites since the worker process started"},
	FConnect:                      {"connect", "Total number of outgoing connection attempts on this backend/server since the worker process started"},
	FReuse:                        {"reuse", "Total number of reused connection on this backend/server since the worker process started"},
	FCacheLookups:                 {"cache_lookups", "Total number of HTTP requests looked up in the cache on this frontend/backend since the worker process started"},
	FCacheHits:                    {"cache_hits", "Total number of HTTP requests not found in the cache on this frontend/backend since the worker process started"},
	FSrvIcur:                      {"srv_icur", "Current number of idle connections available for reuse on this server"},
	FSrcIlim:                      {"src_ilim", "Limit on the number of available idle connections on this server (server 'pool_max_conn' directive)"},
	FQtimeMax:                     {"qtime_max", "Maximum observed time spent in the queue, in milliseconds (backend/server)"},
	FCtimeMax:                     {"ctime_max", "Maximum observed time spent waiting for a connection to complete, in milliseconds (backend/server)"},
	FRtimeMax:                     {"rtime_max", "Maximum observed time spent waiting for a server response, in milliseconds (backend/server)"},
	FTtimeMax:                     {"ttime_max", "Maximum observed total request+response time (request+queue+connect+response+processing), in milliseconds (backend/server)"},
	FEint:                         {"eint", "Total number of internal errors since process started"},
	FIdleConnCur:                  {"idle_conn_cur", "Current number of unsafe idle connections"},
	FSafeConnCur:                  {"safe_conn_cur", "Current number of safe idle connections"},
	FUsedConnCur:                  {"used_conn_cur", "Current number of connections in use"},
	FNeedConnEst:                  {"need_conn_est", "Estimated needed number of connections"},
	FUweight:                      {"uweight", "Server's user weight, or sum of active servers' user weights for a backend"},
	FAggServerStatus:              {"agg_server_status", "Backend's aggregated gauge of servers' status"},
	FAggServerCheckStatus:         {"agg_server_check_status", "Backend's aggregated gauge of servers' state check status"},
	FAggCheckStatus:               {"agg_check_status", "Backend's aggregated gauge of servers' state check status"},
	FSslSess:                      {"ssl_sess", "Total number of ssl sessions established"},
	FSslReusedSess:                {"ssl_reused_sess", "Total number of ssl sessions reused"},
	FSslFailedHandshake:           {"ssl_failed_handshake", "Total number of failed handshake"},
	FH2HeadersRcvd:                {"h2_headers_rcvd", "Total number of received HEADERS frames"},
	FH2DataRcvd:                   {"h2_data_rcvd", "Total number of received DATA frames"},
	FH2SettingsRcvd:               {"h2_settings_rcvd", "Total number of received SETTINGS frames"},
	FH2RstStreamRcvd:              {"h2_rst_stream_rcvd", "Total number of received RST_STREAM frames"},
	FH2GoawayRcvd:                 {"h2_goaway_rcvd", "Total number of received GOAWAY frames"},
	FH2DetectedConnProtocolErrors: {"h2_detected_conn_protocol_errors", "Total number of connection protocol errors"},
	FH2DetectedStrmProtocolErrors: {"h2_detected_strm_protocol_errors", "Total number of stream protocol errors"},
	FH2RstStreamResp:              {"h2_rst_stream_resp", "Total number of RST_STREAM sent on detected error"},
	FH2GoawayResp:                 {"h2_goaway_resp", "Total number of GOAWAY sent on detected error"},
	FH2OpenConnections:            {"h2_open_connections", "Count of currently open connections"},
	FH2BackendOpenStreams:         {"h2_backend_open_streams", "Count of currently open streams"},
	FH2TotalConnections:           {"h2_total_connections", "Total number of connections"},
	FH2BackendTotalStreams:        {"h2_backend_total_streams", "Total number of streams"},
	FH1OpenConnections:            {"h1_open_connections", "Count of currently open connections"},
	FH1OpenStreams:                {"h1_open_streams", "Count of currently open streams"},
	FH1TotalConnections:           {"h1_total_connections", "Total number of connections"},
	FH1TotalStreams:               {"h1_total_streams", "Total number of streams"},
	FH1BytesIn:                    {"h1_bytes_in", "Total number of bytes received"},
	FH1BytesOut:                   {"h1_bytes_out", "Total number of bytes send"},
	FH1SplicedBytesIn:             {"h1_spliced_bytes_in", "Total number of bytes received using kernel splicing"},
	FH1SplicedBytesOut:            {"h1_spliced_bytes_out", "Total number of bytes sendusing kernel splicing"},
}
