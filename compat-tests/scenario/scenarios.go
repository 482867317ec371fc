package scenario

import (
	"syscall"
	"time"
)

// Scenario is a script of client actions and faults played on the
// tutorial's topology once both balancers run their proxy and VRRP daemon
// and the VIP is on master.
type Scenario struct {
	Name  string
	Title string
	// MasterConf is the tutorial file master runs as keepalived.conf
	// (default keepalived-master.conf).
	MasterConf string
	// UnorderedChecks: both servers' checks change state at the same
	// time, so the order of their log lines is a race.
	UnorderedChecks bool
	Script          func(r *Run)
}

// Windows for timing figures: how far goha's figure may be from the
// reference's. VRRP timers tick in advert_int (1 s) with a skew under
// 1 s; checks tick every inter (1 s), so fall 2 detects a stopped server
// after 1 to 2 s depending on where in its period the check was (haproxy
// starts its checks at a random point of inter: measured 1.07 to 1.92 s,
// goproxy 1.05 to 1.17 s), a spread of a whole second plus the time the
// log line takes, hence 1.5 s; the check script runs every 5 s. After a healed link the first good check
// can wait for one that was in flight during the cut (its SYN lost) to
// time out after inter, so rise 2 takes 1 to 3 s (measured 1.6 to 2.9 s
// with haproxy, 2.4 to 2.9 s with goproxy).
const (
	vrrpWindow      = 500 * time.Millisecond
	checkWindow     = 1500 * time.Millisecond
	healCheckWindow = 2000 * time.Millisecond
	scriptWindow    = 5500 * time.Millisecond
)

// All lists the scenarios in the order make compat plays them.
func All() []Scenario {
	return []Scenario{
		{Name: "browse", Title: "browsing through the VIP", Script: browse},
		{Name: "acl-html", Title: "the .html acl route", Script: aclHTML},
		{Name: "real-server", Title: "a real server stopped and started again", Script: realServer},
		{Name: "vrrp-stop", Title: "master's VRRP daemon stopped (TERM, then KILL) and started again", Script: vrrpStop},
		{Name: "split-brain", Title: "the link between the balancers cut and healed", UnorderedChecks: true, Script: splitBrain},
		{Name: "check-script", Title: "master's proxy stopped with the check-script variant", MasterConf: "keepalived-master-script.conf", Script: checkScript},
		{Name: "stats", Title: "the stats page and its CSV", Script: stats},
	}
}

func browse(r *Run) {
	r.Step("browse http://VIP/ ten times")
	r.Browse("/", 10)
}

// The tutorial's `acl html url_reg -i \.html$` sends .html pages to
// httpservers — the default backend too, so only the log line and the
// regex's reach (case, suffix) can tell.
func aclHTML(r *Run) {
	r.Step("browse /index.html four times")
	r.Browse("/index.html", 4)
	r.Step("ask for pages the acl matches or not")
	r.Browse("/INDEX.HTML", 1)
	r.Browse("/index.htm", 1)
	r.Browse("/missing.html", 1)
	r.Browse("/index.html?x=1", 1)
}

func realServer(r *Run) {
	r.Step("browse / four times")
	r.Browse("/", 4)
	r.Step("stop nginx on real-server1")
	r.StopRealServer("real-server1")
	d, ok := r.WaitLog(master, "httpservers/http1 is DOWN", 10*time.Second)
	r.Timing("rs1-stop->down-logged", d, ok, checkWindow)
	// Backup's proxy checks too, in a phase of its own: its line may
	// come up to a second after master's, and must stay in this step.
	r.WaitLog(backup, "httpservers/http1 is DOWN", 10*time.Second)
	r.Hold(300 * time.Millisecond)
	r.Step("browse / four times with real-server1 down")
	r.Browse("/", 4)
	r.Step("start nginx on real-server1")
	r.StartRealServer("real-server1")
	d, ok = r.WaitLog(master, "httpservers/http1 is UP", 10*time.Second)
	r.Timing("rs1-start->up-logged", d, ok, checkWindow)
	r.WaitLog(backup, "httpservers/http1 is UP", 10*time.Second)
	r.Hold(300 * time.Millisecond)
	r.Step("browse / four times with real-server1 back")
	r.Browse("/", 4)
}

func vrrpStop(r *Run) {
	// Let master hold the VIP longer than a transient owner (vip.go), so
	// the trail shows it whatever the machine's load.
	r.Hold(500 * time.Millisecond)
	r.Step("SIGTERM to master's VRRP daemon")
	r.SignalVRRP(master, syscall.SIGTERM)
	d, ok := r.WaitVIP(backup, 10*time.Second)
	r.Timing("term->vip-on-backup", d, ok, vrrpWindow)
	d, ok = r.WaitVRRPExit(master, 5*time.Second)
	r.Timing("term->daemon-exited", d, ok, vrrpWindow)
	r.Hold(500 * time.Millisecond)
	r.Step("browse / twice while backup holds the VIP")
	r.Browse("/", 2)

	r.Step("start master's VRRP daemon again")
	r.StartVRRP(master)
	d, ok = r.WaitVIP(master, 15*time.Second)
	r.Timing("restart->vip-on-master", d, ok, vrrpWindow)
	r.Hold(1500 * time.Millisecond)
	r.Step("browse / twice with master back")
	r.Browse("/", 2)

	r.Step("SIGKILL to every process of master's VRRP daemon")
	r.KillVRRP(master)
	d, ok = r.WaitVIP("both", 10*time.Second)
	r.Timing("kill->vip-on-backup-too", d, ok, vrrpWindow)
	r.WaitVRRPExit(master, 5*time.Second)
	r.Hold(1500 * time.Millisecond)
	r.Step("browse / twice after the crash")
	r.Browse("/", 2)

	r.Step("start master's VRRP daemon after the crash")
	r.StartVRRP(master)
	d, ok = r.WaitVIP(master, 15*time.Second)
	r.Timing("crash-restart->vip-on-master", d, ok, vrrpWindow)
	r.Hold(1500 * time.Millisecond)
	r.Step("browse / twice with master back")
	r.Browse("/", 2)
}

func splitBrain(r *Run) {
	r.Hold(1500 * time.Millisecond)
	r.Step("cut master's link to the segment")
	r.SetBalancerLink(false)
	d, ok := r.WaitVIP("both", 10*time.Second)
	r.Timing("cut->both-master", d, ok, vrrpWindow)
	r.Hold(1500 * time.Millisecond)
	r.Step("browse / twice during the split")
	r.Browse("/", 2)
	r.Step("heal master's link")
	r.SetBalancerLink(true)
	d, ok = r.WaitVIP(master, 10*time.Second)
	r.Timing("heal->one-master", d, ok, vrrpWindow)
	// Master's proxy marked both servers DOWN while it was cut off; they
	// come back after rise 2 checks at inter 1s. Browsing before that
	// would race the checks; the delay is a timing figure.
	d, ok = r.WaitLog(master, "httpservers/http1 is UP", 10*time.Second)
	r.Timing("heal->http1-up-logged", d, ok, healCheckWindow)
	r.Hold(3 * time.Second)
	r.Step("browse / twice after healing")
	r.BrowseUnordered("/", 2)
}

// The check script runs every 5 s from the daemon's start and its
// `curl -I http://localhost` takes a round-robin turn on master: browsing
// right after the VIP arrives (about 3.7 s) keeps clear of its second run.
func checkScript(r *Run) {
	r.Step("browse / twice")
	r.Browse("/", 2)
	r.Step("stop master's proxy")
	r.StopProxy(master)
	d, ok := r.WaitVIP(backup, 15*time.Second)
	r.Timing("proxy-stop->vip-on-backup", d, ok, scriptWindow)
	r.WaitVRRPExit(master, 5*time.Second)
	r.Hold(500 * time.Millisecond)
	r.Step("browse / four times through backup")
	r.Browse("/", 4)
}

func stats(r *Run) {
	r.Step("browse / four times")
	r.Browse("/", 4)
	r.Step("open the stats page without credentials")
	r.Get(81, "/haproxy", "", true)
	r.Step("open the stats page with the tutorial's credentials")
	r.Get(81, "/haproxy", "yjssjm:123", false)
	r.Step("read the CSV")
	r.StatsCSV("/haproxy;csv", "yjssjm:123")
}
