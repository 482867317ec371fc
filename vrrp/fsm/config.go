package fsm

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// State is an instance state. The numbering is keepalived's
// (VRRP_STATE_*), which notify FIFOs and SNMP also expose.
type State uint8

// Instance states.
const (
	Init   State = 0
	Backup State = 1
	Master State = 2
	Fault  State = 3
	Stop   State = 98
)

// String returns the state as keepalived writes it in logs and passes it
// to notify scripts.
func (s State) String() string {
	switch s {
	case Init:
		return "INIT"
	case Backup:
		return "BACKUP"
	case Master:
		return "MASTER"
	case Fault:
		return "FAULT"
	case Stop:
		return "STOP"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Defaults of keepalived 2.2.7 (vrrp.h).
const (
	DefaultPriority          = 100
	DefaultAdvertInterval    = time.Second
	DefaultDownTimerAdverts  = 3
	DefaultGARPMasterDelay   = 5 * time.Second
	DefaultGARPMasterRepeat  = 5
	DefaultGARPRefreshRepeat = 1
)

// Config is the part of a vrrp_instance block the state machine needs.
// Durations are exact: the parser maps advert_int (seconds, fractions in
// VRRPv3) into AdvertInterval.
type Config struct {
	// Name is the instance name (vrrp_instance VI_1), used in log lines.
	Name string
	// Interface is the interface name, used in log lines.
	Interface string
	// VRID is virtual_router_id.
	VRID uint8
	// Priority is the configured (base) priority, 1-255.
	Priority uint8
	// Version is 2 or 3 (vrrp_version / version).
	Version uint8
	// AdvertInterval is advert_int: whole seconds for VRRPv2, a multiple
	// of 10ms below 40.96s for VRRPv3.
	AdvertInterval time.Duration
	// InitialState is the state keyword: Master or Backup (the default).
	InitialState State
	// Nopreempt and PreemptDelay are the preemption settings.
	Nopreempt    bool
	PreemptDelay time.Duration
	// DownTimerAdverts is down_timer_adverts (default 3).
	DownTimerAdverts int
	// SourceAddr is the address adverts are sent from (unicast_src_ip or
	// the interface's primary address); equal priorities are broken by
	// comparing it with the sender's (higher wins).
	SourceAddr netip.Addr
	// Unicast is set when unicast_peer is configured.
	Unicast bool
	// Addresses and ExcludedAddresses are virtual_ipaddress and
	// virtual_ipaddress_excluded.
	Addresses         []netip.Addr
	ExcludedAddresses []netip.Addr
	// GARP settings (garp_master_delay, _repeat, _refresh,
	// _refresh_repeat, garp_lower_prio_delay, _repeat).
	GARPMasterDelay         time.Duration
	GARPMasterRepeat        int
	GARPMasterRefresh       time.Duration
	GARPMasterRefreshRepeat int
	GARPLowerPrioDelay      time.Duration
	GARPLowerPrioRepeat     int
	// LowerPrioNoAdvert and HigherPrioSendAdvert are the keywords of the
	// same names.
	LowerPrioNoAdvert    bool
	HigherPrioSendAdvert bool
	// InitPending is the number of weight-0 tracked scripts whose first
	// result keepalived waits for: until each has reported (Settle), the
	// instance sits in FAULT without saying so.
	InitPending int
	// Notify scripts (notify_master, notify_backup, notify_fault,
	// notify_stop, notify), each a command line already split into
	// arguments; nil when not configured.
	NotifyMaster, NotifyBackup, NotifyFault, NotifyStop, Notify []string
}

// Errors returned by New.
var (
	ErrVersion  = errors.New("fsm: version must be 2 or 3")
	ErrPriority = errors.New("fsm: priority must be 1-255")
	ErrInterval = errors.New("fsm: advert interval out of range")
)

// withDefaults returns cfg with keepalived's defaults filled in and the
// incompatible settings keepalived clears cleared, plus the warnings it
// logs for them (vrrp.c vrrp_complete_instance).
func (cfg Config) withDefaults() (Config, []string, error) {
	var warn []string
	if cfg.Version == 0 {
		cfg.Version = 2
	}
	if cfg.Version != 2 && cfg.Version != 3 {
		return cfg, nil, ErrVersion
	}
	if cfg.Priority == 0 {
		return cfg, nil, ErrPriority
	}
	if cfg.AdvertInterval == 0 {
		cfg.AdvertInterval = DefaultAdvertInterval
	}
	if cfg.AdvertInterval < 10*time.Millisecond || cfg.AdvertInterval > 4095*10*time.Millisecond ||
		(cfg.Version == 2 && cfg.AdvertInterval > 255*time.Second) {
		return cfg, nil, ErrInterval
	}
	if cfg.DownTimerAdverts == 0 {
		cfg.DownTimerAdverts = DefaultDownTimerAdverts
	}
	if cfg.InitialState != Master {
		cfg.InitialState = Backup
	}
	if cfg.Priority == 255 && cfg.Nopreempt {
		warn = append(warn, fmt.Sprintf("(%s) nopreempt is incompatible with priority 255. resetting nopreempt", cfg.Name))
		cfg.Nopreempt = false
	}
	if cfg.InitialState == Master {
		if cfg.Nopreempt {
			warn = append(warn, fmt.Sprintf("(%s) Warning - nopreempt will not work with initial state MASTER - clearing", cfg.Name))
			cfg.Nopreempt = false
		}
		if cfg.PreemptDelay != 0 {
			warn = append(warn, fmt.Sprintf("(%s) Warning - preempt delay will not work with initial state MASTER - clearing", cfg.Name))
			cfg.PreemptDelay = 0
		}
	}
	return cfg, warn, nil
}

// DefaultGARP fills in keepalived's GARP defaults where cfg leaves them
// zero (a parser that tells "unset" from an explicit 0 resolves them
// itself). The lower-priority settings default to the master ones
// (vrrp.c: vrrp_garp_lower_prio_repeat/_delay fall back to
// vrrp_garp_master_repeat/_delay), so a master answering a lower-priority
// advert also re-announces its addresses, and again after the delay.
// strict_mode makes both 0; the caller applies that.
func (cfg *Config) DefaultGARP() {
	if cfg.GARPMasterDelay == 0 {
		cfg.GARPMasterDelay = DefaultGARPMasterDelay
	}
	if cfg.GARPMasterRepeat == 0 {
		cfg.GARPMasterRepeat = DefaultGARPMasterRepeat
	}
	if cfg.GARPMasterRefreshRepeat == 0 {
		cfg.GARPMasterRefreshRepeat = DefaultGARPRefreshRepeat
	}
	if cfg.GARPLowerPrioRepeat == 0 {
		cfg.GARPLowerPrioRepeat = cfg.GARPMasterRepeat
	}
	if cfg.GARPLowerPrioDelay == 0 {
		cfg.GARPLowerPrioDelay = cfg.GARPMasterDelay
	}
}
