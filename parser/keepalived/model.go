package keepalived

import (
	"net/netip"
	"time"
)

// Config is a keepalived.conf after reading and validation, with keepalived
// 2.2.7's defaults resolved (include/vrrp.h, core/global_data.c). It is what
// the VRRP engine consumes; it holds no configuration text.
type Config struct {
	Global     Global
	Scripts    []*Script    // vrrp_script blocks, in file order
	TrackFiles []*TrackFile // track_file / vrrp_track_file blocks
	Instances  []*Instance  // vrrp_instance blocks that survived validation
	SyncGroups []*SyncGroup // vrrp_sync_group blocks

	// VRRPStopped, when not empty, is why keepalived's VRRP process would
	// refuse this configuration at start-up (the message that stopped its
	// validation: a missing interface or virtual_router_id, an instance
	// without the VIPs VRRPv3 requires, ...). Instances after that point
	// have not been completed and must not be run.
	VRRPStopped string

	// Unsupported holds blocks govrrpd reads but does not run yet
	// (virtual_server, virtual_server_group, SSL, bfd_instance,
	// static_ipaddress, ...). They are kept, never dropped silently: the
	// CLI reports them.
	Unsupported []*RawBlock
}

// Source locates a block or keyword in the configuration files.
type Source struct {
	File string
	Line int
}

// RawBlock is a block kept as words, for parts govrrpd does not model.
type RawBlock struct {
	Keyword string
	Args    []string
	Source  Source
	Lines   [][]string // inner lines as words (nested blocks flattened)
}

// Global is the global_defs block.
type Global struct {
	RouterID              string
	NotificationEmail     []string
	NotificationEmailFrom string
	SMTPServer            string // address or host name; empty when unset
	SMTPPort              int    // default 25
	SMTPHeloName          string
	SMTPConnectTimeout    time.Duration // default 30s
	// SMTPAlert is the global smtp_alert; nil when unset.
	SMTPAlert *bool

	EnableScriptSecurity bool
	ScriptUser           string // script_user USER [GROUP]; empty = root / keepalived_script
	ScriptGroup          string

	VRRPVersion          int  // vrrp_version, default 2
	VRRPStrict           bool // vrrp_strict
	VRRPSkipCheckAdvAddr bool
	VRRPCheckUnicastSrc  bool
	VRRPMcastGroup4      netip.Addr // default 224.0.0.18
	VRRPMcastGroup6      netip.Addr // default ff02::12

	// Gratuitous ARP defaults applied to every instance
	// (vrrp_garp_master_delay etc.).
	VRRPGarpMasterDelay         time.Duration // default 5s
	VRRPGarpMasterRepeat        int           // default 5
	VRRPGarpMasterRefresh       time.Duration // default 0 (none)
	VRRPGarpMasterRefreshRepeat int           // default 1
	VRRPGarpLowerPrioDelay      time.Duration // default = VRRPGarpMasterDelay
	VRRPGarpLowerPrioRepeat     int           // default = VRRPGarpMasterRepeat
	VRRPGarpInterval            time.Duration // delay between GARPs on one interface, default 0
	VRRPGnaInterval             time.Duration // same for unsolicited NA, default 0
	VRRPDownTimerAdverts        int           // default 3
	VRRPLowerPrioNoAdvert       bool
	VRRPHigherPrioSendAdvert    bool

	// NetNamespace is the top-level net_namespace (or -s): the network
	// namespace keepalived runs in.
	NetNamespace string

	DynamicInterfaces bool
	AllowIfChanges    bool // dynamic_interfaces allow_if_changes
	MaxAutoPriority   int  // max_auto_priority; 0 when unset

	// Other lists the global_defs keywords govrrpd recognises but does not
	// interpret, with their words, in file order.
	Other [][]string
}

// Script is a vrrp_script block.
type Script struct {
	Name string
	// Command is the program and its arguments (quotes removed).
	Command       []string
	Interval      time.Duration // default 1s
	Timeout       time.Duration // 0 means "interval"
	Weight        int           // -253..253, default 0
	WeightReverse bool
	Rise          int // default 1
	Fall          int // default 1
	User, Group   string
	InitFail      bool // init_fail: start in the failed state
	Source        Source
}

// EffectiveTimeout is the script's timeout with keepalived's default
// (the interval) applied.
func (s *Script) EffectiveTimeout() time.Duration {
	if s.Timeout == 0 {
		return s.Interval
	}
	return s.Timeout
}

// Command is a notify script: program, arguments, and the user (and group)
// to run it as; empty User means the default script user.
type Command struct {
	Args        []string
	User, Group string
}

// TrackFile is a track_file block (vrrp_track_file is its old name).
type TrackFile struct {
	Name          string
	Path          string
	Weight        int // default 1
	WeightReverse bool
	// Init: create the file (InitCreate) or overwrite it (InitOverwrite)
	// with InitValue at start-up.
	Init      TrackFileInit
	InitValue int
	Source    Source
}

// TrackFileInit says what to do with a track file at start-up.
type TrackFileInit int

// Track-file start-up modes (trackers/track_file.c).
const (
	TrackFileNoInit TrackFileInit = iota
	TrackFileInitCreate
	TrackFileInitOverwrite
)

// State is the initial state an instance asks for.
type State int

// Instance states as configured.
const (
	StateUnset State = iota
	StateBackup
	StateMaster
)

func (s State) String() string {
	switch s {
	case StateMaster:
		return "MASTER"
	case StateBackup:
		return "BACKUP"
	}
	return "unset"
}

// AuthType is the VRRPv2 authentication type.
type AuthType int

// Authentication types (RFC 2338 5.3.6).
const (
	AuthNone AuthType = iota
	AuthPass
	AuthAH
)

// Instance is a vrrp_instance block with every default resolved.
type Instance struct {
	Name   string
	Source Source

	State     State // resolved: MASTER when priority is 255 and unset
	Interface string
	VRID      int // 1..255
	Priority  int // 1..255, default 100 (255 for an unset priority with state MASTER)
	// AdvertInt is the advertisement interval; VRRPv2 rounds it to whole
	// seconds, VRRPv3 to centiseconds.
	AdvertInt time.Duration
	Version   int // 2 or 3 (from vrrp_version unless set here; 3 for IPv6)
	IPv6      bool

	AuthType AuthType
	AuthPass string // at most 8 bytes (keepalived truncates)

	VIPs         []VIP
	ExcludedVIPs []VIP

	NoPreempt    bool
	PreemptDelay time.Duration

	TrackScripts    []TrackScript
	TrackInterfaces []TrackInterface
	TrackFiles      []TrackFileRef
	// DontTrackPrimary: a fault of Interface does not fault the instance.
	DontTrackPrimary bool

	UnicastSrcIP netip.Addr // also set by mcast_src_ip
	UnicastPeers []UnicastPeer
	McastDstIP   netip.Addr // unset = global group
	UnicastTTL   int        // -1 = unset

	NotifyMaster, NotifyBackup, NotifyFault, NotifyStop *Command
	NotifyDeleted                                       *Command
	Notify                                              *Command // generic notify script (gets type, name, state, priority)
	SMTPAlert                                           bool

	GarpMasterDelay         time.Duration
	GarpMasterRepeat        int
	GarpMasterRefresh       time.Duration
	GarpMasterRefreshRepeat int
	GarpLowerPrioDelay      time.Duration
	GarpLowerPrioRepeat     int
	DownTimerAdverts        int

	Accept               bool // accept mode (VRRPv3), resolved
	StrictMode           bool
	SkipCheckAdvAddr     bool
	LowerPrioNoAdvert    bool
	HigherPrioSendAdvert bool
	PromoteSecondaries   bool

	// Other lists the instance keywords govrrpd recognises but does not
	// interpret (use_vmac, virtual_routes, ...), with their words.
	Other [][]string

	// raw settings before resolution
	accept     *bool
	strict     *bool
	smtpAlert  *bool
	advertRaw  time.Duration
	unicastCfg bool
	family     int // 0 unset, 4, 6
	srcFromCfg bool
}

// VIP is one virtual_ipaddress (or _excluded) line:
// ADDR[/LEN] [dev IF] [brd ADDR|+|-] [scope SCOPE] [label LABEL] [...].
type VIP struct {
	Prefix    netip.Prefix
	Dev       string
	Broadcast string // as written: an address, "+" or "-"
	Scope     string
	Label     string
	Peer      netip.Prefix
	NoTrack   bool
	UseVMAC   bool
	Source    Source
}

// TrackScript is a track_script entry: NAME [weight W [reverse|noreverse]].
type TrackScript struct {
	Name    string
	Weight  int // the script's weight unless overridden
	Reverse bool
}

// TrackInterface is a track_interface entry: IF [weight W [reverse]].
type TrackInterface struct {
	Name    string
	Weight  int
	Reverse bool
	// PriorityWeight is the weight that moves the priority. It is Weight,
	// except in a sync group without sync_group_tracking_weight:
	// keepalived 2.2.7 warns that it ignores the weight and zeroes it in
	// the instance's list (what its data dump shows), but the
	// interface's own tracking list keeps it, so the priority still
	// follows the link (vrrp.c vrrp_complete_instance against
	// vrrp_track.c initialise_interface_tracking_priorities).
	PriorityWeight int
}

// TrackFileRef is a track_file entry in an instance.
type TrackFileRef struct {
	Name    string
	Weight  int
	Reverse bool
}

// UnicastPeer is an address of unicast_peer{} with optional TTL bounds.
type UnicastPeer struct {
	Addr           netip.Addr
	MinTTL, MaxTTL int // default 0, 255
}

// SyncGroup is a vrrp_sync_group block.
type SyncGroup struct {
	Name                                                string
	Group                                               []string
	NotifyMaster, NotifyBackup, NotifyFault, NotifyStop *Command
	Notify                                              *Command
	TrackScripts                                        []TrackScript
	TrackInterfaces                                     []TrackInterface
	TrackFiles                                          []TrackFileRef
	SMTPAlert                                           bool
	Source                                              Source
}

// defaultGlobal is keepalived 2.2.7's global_data before global_defs.
func defaultGlobal() Global {
	return Global{
		SMTPPort:                    25,
		SMTPConnectTimeout:          30 * time.Second,
		VRRPVersion:                 2,
		VRRPMcastGroup4:             netip.MustParseAddr("224.0.0.18"),
		VRRPMcastGroup6:             netip.MustParseAddr("ff02::12"),
		VRRPGarpMasterDelay:         5 * time.Second,
		VRRPGarpMasterRepeat:        5,
		VRRPGarpMasterRefreshRepeat: 1,
		VRRPGarpLowerPrioDelay:      -1,
		VRRPGarpLowerPrioRepeat:     -1,
		VRRPDownTimerAdverts:        3,
	}
}
