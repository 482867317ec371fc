// Info field names and descriptions as haproxy 2.6.12 (Debian) prints them in
// "show info"; positions are those of "show info typed".

package stats

// Index of each show info field.
const (
	IName = iota
	IVersion
	IReleaseDate
	INbthread
	INbproc
	IProcessNum
	IPid
	IUptime
	IUptimeSec
	IMemmaxMB
	IPoolAllocMB
	IPoolUsedMB
	IPoolFailed
	IUlimitN
	IMaxsock
	IMaxconn
	IHardMaxconn
	ICurrConns
	ICumConns
	ICumReq
	IMaxSslConns
	ICurrSslConns
	ICumSslConns
	IMaxpipes
	IPipesUsed
	IPipesFree
	IConnRate
	IConnRateLimit
	IMaxConnRate
	ISessRate
	ISessRateLimit
	IMaxSessRate
	ISslRate
	ISslRateLimit
	IMaxSslRate
	ISslFrontendKeyRate
	ISslFrontendMaxKeyRate
	ISslFrontendSessionReusePct
	ISslBackendKeyRate
	ISslBackendMaxKeyRate
	ISslCacheLookups
	ISslCacheMisses
	ICompressBpsIn
	ICompressBpsOut
	ICompressBpsRateLim
	IZlibMemUsage
	IMaxZlibMemUsage
	ITasks
	IRunQueue
	IIdlePct
	INode
	IDescription
	IStopping
	IJobs
	IUnstoppableJobs
	IListeners
	IActivePeers
	IConnectedPeers
	IDroppedLogs
	IBusyPolling
	IFailedResolutions
	ITotalBytesOut
	ITotalSplicdedBytesOut
	IBytesOutRate
	IDebugCommandsIssued
	ICumRecvLogs
	IBuildInfo
	IMemmaxBytes
	IPoolAllocBytes
	IPoolUsedBytes
	IStartTimeSec
	ITainted
	NumInfoFields
)

var infoNames = [NumInfoFields]fieldName{
	IName:                       {"Name", "Product name"},
	IVersion:                    {"Version", "Product version"},
	IReleaseDate:                {"Release_date", "Date of latest source code update"},
	INbthread:                   {"Nbthread", "Number of started threads (global.nbthread)"},
	INbproc:                     {"Nbproc", "Number of started worker processes (historical, always 1)"},
	IProcessNum:                 {"Process_num", "Relative worker process number (1)"},
	IPid:                        {"Pid", "This worker process identifier for the system"},
	IUptime:                     {"Uptime", "How long ago this worker process was started (days+hours+minutes+seconds)"},
	IUptimeSec:                  {"Uptime_sec", "How long ago this worker process was started (seconds)"},
	IMemmaxMB:                   {"Memmax_MB", "Worker process's hard limit on memory usage in MB (-m on command line)"},
	IPoolAllocMB:                {"PoolAlloc_MB", "Amount of memory allocated in pools (in MB)"},
	IPoolUsedMB:                 {"PoolUsed_MB", "Amount of pool memory currently used (in MB)"},
	IPoolFailed:                 {"PoolFailed", "Number of failed pool allocations since this worker was started"},
	IUlimitN:                    {"Ulimit-n", "Hard limit on the number of per-process file descriptors"},
	IMaxsock:                    {"Maxsock", "Hard limit on the number of per-process sockets"},
	IMaxconn:                    {"Maxconn", "Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)"},
	IHardMaxconn:                {"Hard_maxconn", "Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)"},
	ICurrConns:                  {"CurrConns", "Current number of connections on this worker process"},
	ICumConns:                   {"CumConns", "Total number of connections on this worker process since started"},
	ICumReq:                     {"CumReq", "Total number of requests on this worker process since started"},
	IMaxSslConns:                {"MaxSslConns", "Hard limit on the number of per-process SSL endpoints (front+back), 0=unlimited"},
	ICurrSslConns:               {"CurrSslConns", "Current number of SSL endpoints on this worker process (front+back)"},
	ICumSslConns:                {"CumSslConns", "Total number of SSL endpoints on this worker process since started (front+back)"},
	IMaxpipes:                   {"Maxpipes", "Hard limit on the number of pipes for splicing, 0=unlimited"},
	IPipesUsed:                  {"PipesUsed", "Current number of pipes in use in this worker process"},
	IPipesFree:                  {"PipesFree", "Current number of allocated and available pipes in this worker process"},
	IConnRate:                   {"ConnRate", "Number of front connections created on this worker process over the last second"},
	IConnRateLimit:              {"ConnRateLimit", "Hard limit for ConnRate (global.maxconnrate)"},
	IMaxConnRate:                {"MaxConnRate", "Highest ConnRate reached on this worker process since started (in connections per second)"},
	ISessRate:                   {"SessRate", "Number of sessions created on this worker process over the last second"},
	ISessRateLimit:              {"SessRateLimit", "Hard limit for SessRate (global.maxsessrate)"},
	IMaxSessRate:                {"MaxSessRate", "Highest SessRate reached on this worker process since started (in sessions per second)"},
	ISslRate:                    {"SslRate", "Number of SSL connections created on this worker process over the last second"},
	ISslRateLimit:               {"SslRateLimit", "Hard limit for SslRate (global.maxsslrate)"},
	IMaxSslRate:                 {"MaxSslRate", "Highest SslRate reached on this worker process since started (in connections per second)"},
	ISslFrontendKeyRate:         {"SslFrontendKeyRate", "Number of SSL keys created on frontends in this worker process over the last second"},
	ISslFrontendMaxKeyRate:      {"SslFrontendMaxKeyRate", "Highest SslFrontendKeyRate reached on this worker process since started (in SSL keys per second)"},
	ISslFrontendSessionReusePct: {"SslFrontendSessionReuse_pct", "Percent of frontend SSL connections which did not require a new key"},
	ISslBackendKeyRate:          {"SslBackendKeyRate", "Number of SSL keys created on backends in this worker process over the last second"},
	ISslBackendMaxKeyRate:       {"SslBackendMaxKeyRate", "Highest SslBackendKeyRate reached on this worker process since started (in SSL keys per second)"},
	ISslCacheLookups:            {"SslCacheLookups", "Total number of SSL session ID lookups in the SSL session cache on this worker since started"},
	ISslCacheMisses:             {"SslCacheMisses", "Total number of SSL session ID lookups that didn't find a session in the SSL session cache on this worker since started"},
	ICompressBpsIn:              {"CompressBpsIn", "Number of bytes submitted to the HTTP compressor in this worker process over the last second"},
	ICompressBpsOut:             {"CompressBpsOut", "Number of bytes emitted by the HTTP compressor in this worker process over the last second"},
	ICompressBpsRateLim:         {"CompressBpsRateLim", "Limit of CompressBpsOut beyond which HTTP compression is automatically disabled"},
	IZlibMemUsage:               {"ZlibMemUsage", "Amount of memory currently used by HTTP compression on the current worker process (in bytes)"},
	IMaxZlibMemUsage:            {"MaxZlibMemUsage", "Limit on the amount of memory used by HTTP compression above which it is automatically disabled (in bytes, see global.maxzlibmem)"},
	ITasks:                      {"Tasks", "Total number of tasks in the current worker process (active + sleeping)"},
	IRunQueue:                   {"Run_queue", "Total number of active tasks+tasklets in the current worker process"},
	IIdlePct:                    {"Idle_pct", "Percentage of last second spent waiting in the current worker thread"},
	INode:                       {"node", "Node name (global.node)"},
	IDescription:                {"description", "Node description (global.description)"},
	IStopping:                   {"Stopping", "1 if the worker process is currently stopping, otherwise zero"},
	IJobs:                       {"Jobs", "Current number of active jobs on the current worker process (frontend connections, master connections, listeners)"},
	IUnstoppableJobs:            {"Unstoppable Jobs", "Current number of unstoppable jobs on the current worker process (master connections)"},
	IListeners:                  {"Listeners", "Current number of active listeners on the current worker process"},
	IActivePeers:                {"ActivePeers", "Current number of verified active peers connections on the current worker process"},
	IConnectedPeers:             {"ConnectedPeers", "Current number of peers having passed the connection step on the current worker process"},
	IDroppedLogs:                {"DroppedLogs", "Total number of dropped logs for current worker process since started"},
	IBusyPolling:                {"BusyPolling", "1 if busy-polling is currently in use on the worker process, otherwise zero (config.busy-polling)"},
	IFailedResolutions:          {"FailedResolutions", "Total number of failed DNS resolutions in current worker process since started"},
	ITotalBytesOut:              {"TotalBytesOut", "Total number of bytes emitted by current worker process since started"},
	ITotalSplicdedBytesOut:      {"TotalSplicdedBytesOut", "Total number of bytes emitted by current worker process through a kernel pipe since started"},
	IBytesOutRate:               {"BytesOutRate", "Number of bytes emitted by current worker process over the last second"},
	IDebugCommandsIssued:        {"DebugCommandsIssued", "Number of debug commands issued on this process (anything > 0 is unsafe)"},
	ICumRecvLogs:                {"CumRecvLogs", "Total number of log messages received by log-forwarding listeners on this worker process since started"},
	IBuildInfo:                  {"Build info", "Build info"},
	IMemmaxBytes:                {"Memmax_bytes", "Worker process's hard limit on memory usage in byes (-m on command line)"},
	IPoolAllocBytes:             {"PoolAlloc_bytes", "Amount of memory allocated in pools (in bytes)"},
	IPoolUsedBytes:              {"PoolUsed_bytes", "Amount of pool memory currently used (in bytes)"},
	IStartTimeSec:               {"Start_time_sec", "Start time in seconds"},
	ITainted:                    {"Tainted", "Experimental features used"},
}
