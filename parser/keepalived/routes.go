package keepalived

import "strings"

// Virtual and static routes and rules are kept as words; the checks below
// are the ones of keepalived 2.2.7 (vrrp/vrrp_iproute.c alloc_route,
// vrrp/vrrp_iprule.c alloc_rule) that most configurations meet: missing
// interfaces, deprecated spellings, untracked routes, rules without a
// preference. Full route and rule validation is not done yet.

// routeArgKeywords take one value.
var routeArgKeywords = map[string]bool{
	"src": true, "table": true, "metric": true, "priority": true, "preference": true, "scope": true,
	"proto": true, "protocol": true, "tos": true, "dsfield": true, "mtu": true, "advmss": true,
	"realms": true, "rtt": true, "rttvar": true, "reordering": true, "window": true, "cwnd": true,
	"initcwnd": true, "initrwnd": true, "ssthresh": true, "rto_min": true, "features": true,
	"quickack": true, "congctl": true, "pref": true, "expires": true, "ttl-propagate": true,
	"track_group": true, "weight": true, "hoplimit": true, "fastopen_no_cookie": true,
}

// routeTypes may start a route, before its destination.
var routeTypes = map[string]bool{
	"unicast": true, "blackhole": true, "unreachable": true, "prohibit": true, "throw": true,
	"local": true, "broadcast": true, "multicast": true, "nat": true, "anycast": true,
}

// checkRoute reads one route line.
func (p *pass) checkRoute(v []string) {
	dest := ""
	tracked, oif := true, false
	for i := 0; i < len(v); i++ {
		w := v[i]
		switch {
		case w == "inet" || w == "inet6" || w == "onlink" || w == "append" || w == "lock":
		case w == "via" || w == "gw":
			if w == "gw" {
				p.errorf(LevelGeneralError, "\"gw\" for routes is deprecated. Please use \"via\"")
			}
			i++
			if i < len(v) && (v[i] == "inet" || v[i] == "inet6") {
				i++
			}
		case w == "dev" || w == "oif":
			i++
			if i >= len(v) {
				return
			}
			if ok, _ := p.lookupInterface(v[i]); !ok {
				p.errorf(LevelGeneralError, "WARNING - interface %s for VROUTE nexthop doesn't exist", v[i])
				return
			}
			oif = true
		case w == "or":
			p.errorf(LevelGeneralError, "\"or\" for routes is deprecated. Please use \"nexthop\"")
			i++
		case w == "nexthop":
			// The nexthops (via/dev/weight ...) follow; their devices
			// are checked the same way.
		case w == "no_track":
			tracked = false
		case w == "to":
			if i+1 < len(v) {
				i++
				dest = v[i]
			}
		case routeArgKeywords[w]:
			i++
		case routeTypes[w] && dest == "":
		case dest == "":
			dest = w
		}
	}
	if tracked && !oif {
		p.errorf(LevelGeneralError, "Warning - cannot track route %s with no interface specified, not tracking", dest)
	}
}

// ruleStartPriority is the preference keepalived gives the first rule that
// has none, counting down (vrrp_iprule.c RULE_START_PRIORITY).
const ruleStartPriority = 16384

// checkRule reads one rule line: a rule without preference gets one, with
// a warning.
func (p *pass) checkRule(v []string) {
	six := false
	for i, w := range v {
		switch w {
		case "preference", "order", "priority":
			return
		case "from", "to":
			if i+1 >= len(v) {
				p.arg(v, i+1)
			}
			addr := v[i+1]
			switch addr {
			case "default", "any", "all": // parse_route's specials
			default:
				if _, ok := p.parseIPAddress(addr); !ok {
					p.errorf(LevelGeneralError, "Invalid rule %s address %s", w, addr)
					return
				}
			}
			if strings.Contains(addr, ":") {
				six = true
			}
		case "inet6":
			six = true
		}
	}
	next := &p.st.rulePrio4
	if six {
		next = &p.st.rulePrio6
	}
	if *next == 0 {
		*next = ruleStartPriority
	}
	p.errorf(LevelGeneralError, "Rule has no preference specified - setting to %d. This is probably not what you want.", *next)
	*next--
}
