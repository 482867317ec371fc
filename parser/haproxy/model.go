package haproxy

import "time"

// Pos locates a statement in the configuration.
type Pos struct {
	File string
	Line int
}

// Statement is one tokenised configuration line, kept for keywords that are
// recognised and valid but not (yet) modelled field by field, so that nothing
// a user wrote is ever dropped silently.
type Statement struct {
	Pos
	// Args are the words of the line after quote removal and environment
	// expansion; Args[0] is the keyword. A leading "no"/"default" modifier
	// is kept in Modifier, not in Args.
	Args     []string
	Modifier string
}

// Config is a fully parsed and resolved haproxy configuration.
type Config struct {
	// Files are the configuration files read, in order.
	Files  []string
	Global Global
	// Defaults lists every defaults section (anonymous and named) in
	// declaration order. Their settings are already copied into the proxies
	// that use them; they are kept for reference (named defaults may be
	// referenced with "from").
	Defaults []*Proxy
	// Proxies lists frontends, backends and listen sections in declaration
	// order, each with its defaults resolved.
	Proxies   []*Proxy
	Userlists []*Userlist
	// Sections holds the other sections (resolvers, peers, mailers, program,
	// http-errors, ring, cache, log-forward, fcgi-app, ...) with their
	// statements.
	Sections []*Section

	frontends map[string]*Proxy
	backends  map[string]*Proxy
}

// Frontend returns the proxy with frontend capability named name (a
// frontend or a listen section), or nil.
func (c *Config) Frontend(name string) *Proxy { return c.frontends[name] }

// Backend returns the proxy with backend capability named name (a backend
// or a listen section), or nil.
func (c *Config) Backend(name string) *Proxy { return c.backends[name] }

// Section is a recognised section that is kept as statements.
type Section struct {
	Pos
	Kind       string // "resolvers", "peers", "mailers", ...
	Name       string
	Statements []Statement
}

// Userlist is a "userlist" section (configuration.txt §3.4).
type Userlist struct {
	Pos
	Name   string
	Groups []UserGroup
	Users  []User
}

// UserGroup is a "group" line of a userlist.
type UserGroup struct {
	Pos
	Name  string
	Users []string
}

// User is a "user" line of a userlist.
type User struct {
	Pos
	Name     string
	Password string
	// Insecure is true for "insecure-password" (clear text), false for
	// "password" (crypt(3) hash).
	Insecure bool
	Groups   []string
}

// Global is the "global" section (configuration.txt §3).
type Global struct {
	Logs    []LogTarget
	PidFile string
	MaxConn int
	User    string
	Group   string
	UID     int
	GID     int
	Chroot  string
	Daemon  bool
	// NbProc is the legacy nbproc value (0 when absent); goproxy ignores it.
	NbProc       int
	NbThread     int
	StatsSockets []StatsSocket
	// CLIFrontend: a "stats socket|timeout|maxconn|bind-process" line
	// made haproxy allocate its CLI frontend (GLOBAL), which takes the
	// first proxy uuid.
	CLIFrontend bool
	// StatsTimeout is "stats timeout" (default 10s in haproxy).
	StatsTimeout   time.Duration
	StatsMaxConn   int
	TuneBufSize    int
	TuneMaxRewrite int
	TuneHTTPMaxHdr int
	Quiet          bool
	ZeroWarning    bool
	MasterWorker   bool
	Description    string
	SpreadChecks   int
	// MaxSpreadChecks caps the period over which the first checks are
	// spread ("max-spread-checks"; 0: no cap).
	MaxSpreadChecks time.Duration
	HardStopAfter   time.Duration
	// Env records setenv/presetenv/unsetenv/resetenv in order; they are
	// applied by haproxy while parsing, which we also do for ${} expansion.
	Env []Statement
	// Other keeps every other valid global statement.
	Other []Statement
}

// StatsSocket is a "stats socket" line of the global section.
type StatsSocket struct {
	Pos
	Address Address
	// Mode is the unix socket permission, 0 when not set.
	Mode uint32
	// Level is "user", "operator" or "admin" (haproxy's default is admin
	// for the first and every stats socket since 2.x: "admin" when unset).
	Level       string
	ExposeFD    bool
	User, Group string
	// Options holds the remaining bind options, unparsed.
	Options []string
}

// LogKind tells where a log target sends its messages.
type LogKind int

const (
	LogUDP LogKind = iota
	LogTCP
	LogUnix
	LogStdout
	LogStderr
	LogFD
	LogRing
)

// LogTarget is a "log" line (configuration.txt §3.1 "log", §4.2 "log").
type LogTarget struct {
	Pos
	// Global is true for "log global": inherit the global section's targets
	// (they are expanded into Logs when the proxy is resolved; Global stays
	// true on the expanded entries' source marker only).
	Global bool
	Kind   LogKind
	// Address is the raw target as written (e.g. "127.0.0.1", "/dev/log",
	// "stdout", "ring@name").
	Address string
	Host    string
	Port    int
	// Path is the unix socket path for LogUnix.
	Path   string
	MaxLen int
	// Format is rfc3164 (default), rfc5424, short, raw, iso, timed, priority,
	// local.
	Format   string
	Facility string
	Level    string
	MinLevel string
	// Sample is the "sample <ranges>:<size>" option, raw.
	Sample string

	fromGlobal bool
	globalRef  Pos
}

// Mode is a proxy mode.
type Mode int

const (
	ModeTCP Mode = iota
	ModeHTTP
)

func (m Mode) String() string {
	if m == ModeHTTP {
		return "http"
	}
	return "tcp"
}

// ProxyKind is the kind of a proxy section.
type ProxyKind int

const (
	KindDefaults ProxyKind = iota
	KindFrontend
	KindBackend
	KindListen
)

func (k ProxyKind) String() string {
	switch k {
	case KindDefaults:
		return "defaults"
	case KindFrontend:
		return "frontend"
	case KindBackend:
		return "backend"
	default:
		return "listen"
	}
}

// IsFrontend reports whether the proxy accepts connections.
func (k ProxyKind) IsFrontend() bool {
	return k == KindFrontend || k == KindListen || k == KindDefaults
}

// IsBackend reports whether the proxy has servers.
func (k ProxyKind) IsBackend() bool { return k == KindBackend || k == KindListen || k == KindDefaults }

// Timeouts are a proxy's "timeout" settings; zero means unset.
type Timeouts struct {
	Connect       time.Duration
	Client        time.Duration
	Server        time.Duration
	HTTPRequest   time.Duration
	HTTPKeepAlive time.Duration
	Queue         time.Duration
	Check         time.Duration
	Tunnel        time.Duration
	Tarpit        time.Duration
	ClientFin     time.Duration
	ServerFin     time.Duration
}

// Proxy is a defaults, frontend, backend or listen section with every
// inherited setting already resolved (configuration.txt §4).
type Proxy struct {
	Pos
	Kind ProxyKind
	Name string
	// From is the defaults section this proxy inherited from ("" for the
	// anonymous one in effect, or when there was none).
	From     string
	Disabled bool
	ID       int

	Mode     Mode
	MaxConn  int
	Backlog  int
	FullConn int
	// DynamicCookieKey is "dynamic-cookie-key" (inherited from defaults),
	// the secret of "cookie ... dynamic".
	DynamicCookieKey string
	// PersistRules are "force-persist" and "ignore-persist" in order.
	PersistRules []*PersistRule
	Retries      int

	Options  ProxyOptions
	Timeouts Timeouts

	Binds []*Bind
	ACLs  []*ACL

	UseBackends    []*UseBackend
	DefaultBackend string

	Balance  Balance
	HashType HashType

	Servers       []*Server
	DefaultServer ServerParams

	Cookie *Cookie
	Stats  Stats

	// ErrorFiles maps a status code to the file whose content replaces
	// haproxy's built-in error page.
	ErrorFiles map[int]string

	HTTPRequest  []*HTTPRule
	HTTPResponse []*HTTPRule

	Captures []*Capture

	Logs []LogTarget
	// NoLog is set by "no log": the proxy does not log at all.
	NoLog          bool
	LogFormat      string
	UniqueIDFormat string
	UniqueIDHeader string
	MonitorURI     string
	Description    string

	HTTPCheck HTTPCheck

	// Legacy lists the removed keywords that were mapped (see LEGACY.md).
	Legacy []Statement
	// Other keeps every other valid statement of the section.
	Other []Statement

	acls      map[string]*ACL
	srvByName map[string]*Server
	// hasTCPRules marks a defaults section holding tcp-request/response
	// rules; rulesUsedBy remembers which kind of proxy inherited rules
	// from it (haproxy forbids mixing frontends and backends).
	hasTCPRules       bool
	rulesUsedBy       ProxyKind
	defaultBackendPos Pos
	logFormatKind     string
	logGlobal         bool
	statsOwn          bool
	balancePos        Pos
	// rule-order bookkeeping for haproxy's "placed after" warnings; the
	// inherited* counts exclude rules referenced from a named defaults.
	inheritedReq, inheritedRes int
	nTCPSess, nTCPCont         int
	nMonitorFail, nRedirect    int
	nUseServer                 int
	trackTables                []trackRef
	hasL4Rules, hasTCPResRules bool
	hasLogFormatSD             bool
	logFormatPos, uniqueIDPos  Pos
	extraFormats               []Statement
}

// trackRef is a track-scN action and the table it names.
type trackRef struct {
	action, table string
}

// ProxyOptions are the "option" flags of a proxy (configuration.txt §4.2).
type ProxyOptions struct {
	Redispatch bool
	// RedispatchInterval is the optional "option redispatch <interval>";
	// -1 (default) means redispatch on the last retry.
	RedispatchInterval int
	HTTPLog            bool
	HTTPLogCLF         bool
	TCPLog             bool
	DontLogNull        bool
	AbortOnClose       bool
	AllBackups         bool
	HTTPServerClose    bool
	HTTPClose          bool
	HTTPKeepAlive      bool
	HTTPBufferRequest  bool
	ForwardFor         *ForwardFor
	HTTPChk            *HTTPChk
	// Set records every "option X" / "no option X" in the order written,
	// keyed by option name, true for enabled, for options not modelled
	// above (e.g. "tcpka", "log-health-checks").
	Set map[string]bool
}

// ForwardFor is "option forwardfor [except <net>] [header <name>] [if-none]".
type ForwardFor struct {
	Except string
	Header string
	IfNone bool
}

// HTTPChk is "option httpchk [<method>] [<uri>] [<version>]".
type HTTPChk struct {
	Method  string
	URI     string
	Version string
}

// HTTPCheck holds "http-check" rules.
type HTTPCheck struct {
	Rules []Statement
}

// AddrFamily is the family of a parsed address.
type AddrFamily int

const (
	FamilyIPv4 AddrFamily = iota
	FamilyIPv6
	FamilyUnix
	FamilyABNS
	FamilyFD
	FamilySockPair
	// FamilyHost is a host name resolved at start-up.
	FamilyHost
)

// Address is a parsed address as haproxy's str2sa_range() understands it:
// [proto@]host[:port[-end]] or a path.
type Address struct {
	// Raw is the text as written.
	Raw    string
	Family AddrFamily
	// Host is the IP literal or host name ("" for any address), or the path
	// for unix/abns sockets.
	Host string
	// Port and PortEnd delimit the port range (equal for a single port; 0
	// when no port).
	Port    int
	PortEnd int
	// PortOffset is true for server ports written "+N"/"-N" or omitted: the
	// destination port is the client's port plus Port.
	PortOffset bool
	// FD is the file descriptor number for fd@N and sockpair@N.
	FD int
	// Proto is an explicit prefix such as "ipv4", "tcp6", "udp" ("" when none).
	Proto string
}

// Bind is a "bind" line: one or more addresses and their options
// (configuration.txt §5.1).
type Bind struct {
	Pos
	Addresses []Address
	Name      string
	V4V6      bool
	V6Only    bool
	SSL       bool
	Crts      []string
	// AcceptProxy enables the PROXY protocol on accepted connections.
	AcceptProxy bool
	Transparent bool
	Interface   string
	Process     string
	// Unix socket ownership for unix@ binds.
	Mode  uint32
	User  string
	Group string
	UID   int
	GID   int
	// Options keeps every bind option as written (keyword and arguments).
	Options []string
}

// ACL is an "acl" line (configuration.txt §7.1).
type ACL struct {
	Pos
	Name  string
	Fetch string
	// FetchArgs are the arguments between parentheses.
	FetchArgs []string
	// Converters are the ",conv(args)" suffixes of the fetch, raw.
	Converters []string
	IgnoreCase bool
	// Match is the -m method ("" for the fetch's default).
	Match string
	// Files are the -f pattern files.
	Files    []string
	NoDNS    bool
	Unique   bool
	Patterns []string
}

// CondTerm is one term of a condition: a named ACL (possibly negated) or an
// anonymous ACL written between braces.
type CondTerm struct {
	Negate bool
	// Name is the ACL name (user-defined or predefined like TRUE,
	// METH_GET); empty for an anonymous ACL.
	Name string
	// Anonymous is the { fetch ... } ACL.
	Anonymous *ACL
}

// Condition is an if/unless condition: a disjunction (||, or) of
// conjunctions (implicit AND) of terms (configuration.txt §7.2).
type Condition struct {
	Pos
	// Unless is true for "unless": the result of the condition is negated.
	Unless bool
	// Or holds the alternatives; each alternative is a list of terms that
	// must all match.
	Or [][]CondTerm
}

// UseBackend is a "use_backend" rule.
type UseBackend struct {
	Pos
	Backend string
	Cond    *Condition
}

// BalanceAlgo is a load-balancing algorithm.
type BalanceAlgo int

const (
	BalanceRoundRobin BalanceAlgo = iota
	BalanceStaticRR
	BalanceLeastConn
	BalanceFirst
	BalanceSource
	BalanceURI
	BalanceURLParam
	BalanceHdr
	BalanceRandom
	BalanceRDPCookie
	BalanceHash
)

var balanceNames = [...]string{"roundrobin", "static-rr", "leastconn", "first", "source", "uri", "url_param", "hdr", "random", "rdp-cookie", "hash"}

func (b BalanceAlgo) String() string { return balanceNames[b] }

// Balance is the "balance" setting (configuration.txt §4.2 "balance").
type Balance struct {
	Algo BalanceAlgo
	// Set is true when the configuration chose the algorithm.
	Set bool
	// URI options.
	URILen      int
	URIDepth    int
	URIWhole    bool
	URIPathOnly bool
	// Param is the url_param name, hdr() header name or rdp-cookie name.
	Param string
	// CheckPost is "url_param <p> check_post".
	CheckPost bool
	// UseDomainOnly is "hdr(<name>) use_domain_only".
	UseDomainOnly bool
	// Draws is random(<draws>), 2 by default.
	Draws int
	// Expr is the sample expression of "balance hash <expr>".
	Expr string
}

// HashType is "hash-type <method> <function> <modifier>".
type HashType struct {
	// Consistent is true for "consistent", false for "map-based".
	Consistent bool
	// Function is sdbm (default), djb2, wt6, crc32 or none.
	Function  string
	Avalanche bool
}

// Server is a "server" line with its default-server settings merged.
type Server struct {
	Pos
	Name    string
	Address Address
	ServerParams
}

// ServerParams are the settings shared by "server" and "default-server"
// (configuration.txt §5.2).
type ServerParams struct {
	MaxConn  int
	MaxQueue int
	MinConn  int
	// Weight is 1..256 (0 = never selected); default 1.
	Weight    int
	Check     bool
	Inter     time.Duration
	FastInter time.Duration
	DownInter time.Duration
	Rise      int
	Fall      int
	Backup    bool
	Disabled  bool
	// Port is the health-check port (0 = server port).
	Port int
	// Addr is the health-check address ("" = server address).
	Addr         string
	Cookie       string
	Slowstart    time.Duration
	OnMarkedDown string
	OnMarkedUp   string
	OnError      string
	Observe      string
	ErrorLimit   int
	ID           int
	SendProxy    bool
	SendProxyV2  bool
	Resolvers    string
	InitAddr     string
	SSL          bool
	Verify       string
	Track        string
	AgentCheck   bool
	AgentPort    int
	AgentInter   time.Duration
	// Options keeps every server option as written.
	Options []string
}

// PersistRule is "force-persist if|unless <cond>" (Force) or
// "ignore-persist if|unless <cond>" (configuration.txt §4.2).
type PersistRule struct {
	Pos
	Force bool
	Cond  *Condition
}

// Cookie is the "cookie" persistence setting (configuration.txt §4.2).
type Cookie struct {
	Pos
	Name     string
	Mode     string // rewrite, insert, prefix (or "" = rewrite default)
	Indirect bool
	NoCache  bool
	PostOnly bool
	Preserve bool
	HTTPOnly bool
	Secure   bool
	Dynamic  bool
	Domains  []string
	MaxIdle  time.Duration
	MaxLife  time.Duration
	Attrs    []string
}

// Stats is the "stats" settings of a proxy (configuration.txt §4.2).
type Stats struct {
	Enabled      bool
	URI          string
	Realm        string
	Auths        []StatsAuth
	Refresh      time.Duration
	Admin        []*Condition
	HideVersion  bool
	ShowLegends  bool
	ShowNode     string
	ShowNodeSet  bool
	ShowDesc     string
	Scopes       []string
	HTTPRequests []*HTTPRule
}

// StatsAuth is one "stats auth user:password".
type StatsAuth struct {
	User     string
	Password string
}

// HTTPRule is an http-request / http-response rule (configuration.txt §4.2
// "http-request").
type HTTPRule struct {
	Pos
	// Action is the verb: allow, deny, tarpit, redirect, set-header, ...
	// For parametrised actions such as set-var(NAME) it is "set-var" and
	// VarName holds NAME.
	Action  string
	VarName string
	// Args are the words between the action and the condition.
	Args []string
	Cond *Condition
	// Parsed fields for the common actions.
	Status      int    // deny_status, return status, redirect code
	HeaderName  string // set-header/add-header/del-header/replace-header
	Value       string // header value / set-path / set-uri format
	Regex       string // replace-header regex
	RedirectTyp string // location, prefix, scheme
	Realm       string // auth realm
}

// Capture is "capture request|response header <name> len <n>" or
// "capture cookie <name> len <n>".
type Capture struct {
	Pos
	Kind   string // "request", "response", "cookie"
	Header string
	Len    int
}
