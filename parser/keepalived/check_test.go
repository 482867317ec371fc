package keepalived

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testOpts describes a host with lo, ens33 and eth1, users root and
// nobody, and nothing under /etc/keepalived.
func testOpts() Options {
	return Options{
		Link:       TestLinks("lo", "ens33", "eth1"),
		LookupUser: func(n string) bool { return n == "root" || n == "nobody" },
		Stat: func(p string) (os.FileInfo, error) {
			if strings.HasPrefix(p, "/etc/keepalived/") {
				return nil, os.ErrNotExist
			}
			return os.Stat(p)
		},
		ConfigID: "node1",
	}
}

// checkText checks text saved as keepalived.conf in a temporary directory.
func checkText(t *testing.T, text string) (*Config, *Report) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "keepalived.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return Check(path, testOpts())
}

// instanceConf wraps instance keywords in a minimal valid instance.
func instanceConf(body string) string {
	return "vrrp_instance VI {\n interface ens33\n virtual_router_id 51\n" + body +
		"\n virtual_ipaddress {\n  192.168.13.144/24\n }\n}\n"
}

func messages(r *Report) []string {
	var out []string
	for _, d := range r.Diags {
		out = append(out, d.Msg)
	}
	return out
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestGlobalKeywords(t *testing.T) {
	tests := []struct {
		kw    string
		check func(g Global) bool
	}{
		{"router_id lb1", func(g Global) bool { return g.RouterID == "lb1" }},
		{"notification_email {\n a@x\n b@x\n}", func(g Global) bool { return reflect.DeepEqual(g.NotificationEmail, []string{"a@x", "b@x"}) }},
		{"notification_email { a@x b@x }", func(g Global) bool { return len(g.NotificationEmail) == 2 }},
		{"notification_email_from ka@x", func(g Global) bool { return g.NotificationEmailFrom == "ka@x" }},
		{"smtp_server 192.0.2.1", func(g Global) bool { return g.SMTPServer == "192.0.2.1" && g.SMTPPort == 25 }},
		{"smtp_server 192.0.2.1 2525", func(g Global) bool { return g.SMTPPort == 2525 }},
		{"smtp_helo_name me", func(g Global) bool { return g.SMTPHeloName == "me" }},
		{"smtp_connect_timeout 7", func(g Global) bool { return g.SMTPConnectTimeout == 7*time.Second }},
		{"smtp_alert", func(g Global) bool { return g.SMTPAlert != nil && *g.SMTPAlert }},
		{"smtp_alert off", func(g Global) bool { return g.SMTPAlert != nil && !*g.SMTPAlert }},
		{"enable_script_security", func(g Global) bool { return g.EnableScriptSecurity }},
		{"script_user root", func(g Global) bool { return g.ScriptUser == "root" }},
		{"vrrp_version 3", func(g Global) bool { return g.VRRPVersion == 3 }},
		{"vrrp_strict", func(g Global) bool { return g.VRRPStrict }},
		{"vrrp_skip_check_adv_addr", func(g Global) bool { return g.VRRPSkipCheckAdvAddr }},
		{"vrrp_check_unicast_src", func(g Global) bool { return g.VRRPCheckUnicastSrc }},
		{"vrrp_mcast_group4 224.0.0.50", func(g Global) bool { return g.VRRPMcastGroup4 == mustAddr("224.0.0.50") }},
		{"vrrp_mcast_group6 ff02::50", func(g Global) bool { return g.VRRPMcastGroup6 == mustAddr("ff02::50") }},
		{"vrrp_garp_master_delay 2", func(g Global) bool { return g.VRRPGarpMasterDelay == 2*time.Second }},
		{"vrrp_garp_master_repeat 3", func(g Global) bool { return g.VRRPGarpMasterRepeat == 3 }},
		{"vrrp_garp_master_refresh 60", func(g Global) bool { return g.VRRPGarpMasterRefresh == time.Minute }},
		{"vrrp_garp_master_refresh_repeat 4", func(g Global) bool { return g.VRRPGarpMasterRefreshRepeat == 4 }},
		{"vrrp_garp_lower_prio_delay 9", func(g Global) bool { return g.VRRPGarpLowerPrioDelay == 9*time.Second }},
		{"vrrp_garp_lower_prio_repeat 0", func(g Global) bool { return g.VRRPGarpLowerPrioRepeat == 0 }},
		{"vrrp_garp_interval 0.001", func(g Global) bool { return g.VRRPGarpInterval == time.Millisecond }},
		{"vrrp_gna_interval 0.25", func(g Global) bool { return g.VRRPGnaInterval == 250*time.Millisecond }},
		{"vrrp_down_timer_adverts 5", func(g Global) bool { return g.VRRPDownTimerAdverts == 5 }},
		{"vrrp_lower_prio_no_advert", func(g Global) bool { return g.VRRPLowerPrioNoAdvert }},
		{"vrrp_higher_prio_send_advert true", func(g Global) bool { return g.VRRPHigherPrioSendAdvert }},
		{"dynamic_interfaces", func(g Global) bool { return g.DynamicInterfaces && !g.AllowIfChanges }},
		{"dynamic_interfaces allow_if_changes", func(g Global) bool { return g.AllowIfChanges }},
		{"max_auto_priority 20", func(g Global) bool { return g.MaxAutoPriority == 20 }},
		{"vrrp_iptables", func(g Global) bool { return len(g.Other) == 1 && g.Other[0][0] == "vrrp_iptables" }},
	}
	for _, tc := range tests {
		t.Run(strings.Fields(tc.kw)[0], func(t *testing.T) {
			cfg, rep := checkText(t, "global_defs {\n"+tc.kw+"\n}\n"+instanceConf(""))
			if rep.ExitCode() != 0 {
				t.Fatalf("exit %d: %s", rep.ExitCode(), rep.Text())
			}
			if !tc.check(cfg.Global) {
				t.Errorf("%q: wrong value: %+v", tc.kw, cfg.Global)
			}
		})
	}
}

func TestGlobalDefaults(t *testing.T) {
	cfg, rep := checkText(t, instanceConf(""))
	if rep.ExitCode() != 0 {
		t.Fatal(rep.Text())
	}
	g := cfg.Global
	if g.VRRPVersion != 2 || g.VRRPGarpMasterDelay != 5*time.Second || g.VRRPGarpMasterRepeat != 5 ||
		g.VRRPGarpLowerPrioDelay != 5*time.Second || g.VRRPGarpLowerPrioRepeat != 5 ||
		g.SMTPConnectTimeout != 30*time.Second || g.VRRPMcastGroup4 != mustAddr("224.0.0.18") {
		t.Errorf("defaults: %+v", g)
	}
	in := cfg.Instances[0]
	if in.Priority != 100 || in.State != StateBackup || in.AdvertInt != time.Second || in.Version != 2 ||
		in.McastDstIP != mustAddr("224.0.0.18") || in.GarpMasterRepeat != 5 || in.DownTimerAdverts != 3 || !in.Accept {
		t.Errorf("instance defaults: %+v", in)
	}
}

func TestInstanceKeywords(t *testing.T) {
	tests := []struct {
		body  string
		check func(in *Instance) bool
	}{
		{"state MASTER\npriority 150", func(in *Instance) bool { return in.State == StateMaster && in.Priority == 150 }},
		{"state MASTER", func(in *Instance) bool { return in.Priority == 255 }},
		{"priority 255", func(in *Instance) bool { return in.State == StateMaster }},
		{"state BACKUP\npriority 90", func(in *Instance) bool { return in.State == StateBackup && in.Priority == 90 }},
		{"advert_int 3", func(in *Instance) bool { return in.AdvertInt == 3*time.Second }},
		{"version 3\nadvert_int 0.25", func(in *Instance) bool { return in.Version == 3 && in.AdvertInt == 250*time.Millisecond }},
		{"authentication {\nauth_type PASS\nauth_pass 1111\n}", func(in *Instance) bool { return in.AuthType == AuthPass && in.AuthPass == "1111" }},
		{"authentication {\nauth_type AH\nauth_pass x\n}", func(in *Instance) bool { return in.AuthType == AuthAH }},
		{"nopreempt", func(in *Instance) bool { return in.NoPreempt }},
		{"nopreempt\npreempt", func(in *Instance) bool { return !in.NoPreempt }},
		{"preempt_delay 2.5", func(in *Instance) bool { return in.PreemptDelay == 2500*time.Millisecond }},
		{"track_interface {\neth1 weight -10 reverse\n}", func(in *Instance) bool {
			return reflect.DeepEqual(in.TrackInterfaces, []TrackInterface{{Name: "eth1", Weight: -10, Reverse: true, PriorityWeight: -10}})
		}},
		{"dont_track_primary", func(in *Instance) bool { return in.DontTrackPrimary }},
		{"unicast_src_ip 192.0.2.1\nunicast_peer {\n192.0.2.2\n192.0.2.3 min_ttl 250\n}", func(in *Instance) bool {
			return in.UnicastSrcIP == mustAddr("192.0.2.1") && len(in.UnicastPeers) == 2 &&
				in.UnicastPeers[1] == UnicastPeer{Addr: mustAddr("192.0.2.3"), MinTTL: 250, MaxTTL: 255}
		}},
		{"mcast_src_ip 192.0.2.9", func(in *Instance) bool { return in.UnicastSrcIP == mustAddr("192.0.2.9") }},
		{"mcast_dst_ip 224.0.0.99", func(in *Instance) bool { return in.McastDstIP == mustAddr("224.0.0.99") }},
		{"notify_master \"/bin/echo master now\"", func(in *Instance) bool {
			return in.NotifyMaster != nil && reflect.DeepEqual(in.NotifyMaster.Args, []string{"/bin/echo", "master", "now"})
		}},
		{"notify_backup /bin/echo root", func(in *Instance) bool { return in.NotifyBackup != nil && in.NotifyBackup.User == "root" }},
		{"notify_fault /bin/echo", func(in *Instance) bool { return in.NotifyFault != nil }},
		{"notify_stop /bin/echo", func(in *Instance) bool { return in.NotifyStop != nil }},
		{"notify /bin/echo", func(in *Instance) bool { return in.Notify != nil }},
		{"notify_master /bin/echo no_such_user", func(in *Instance) bool { return in.NotifyMaster == nil }},
		{"garp_master_delay 1\ngarp_master_repeat 2\ngarp_master_refresh 3\ngarp_master_refresh_repeat 4", func(in *Instance) bool {
			return in.GarpMasterDelay == time.Second && in.GarpMasterRepeat == 2 && in.GarpMasterRefresh == 3*time.Second && in.GarpMasterRefreshRepeat == 4
		}},
		{"garp_lower_prio_delay 6\ngarp_lower_prio_repeat 7", func(in *Instance) bool { return in.GarpLowerPrioDelay == 6*time.Second && in.GarpLowerPrioRepeat == 7 }},
		{"down_timer_adverts 10", func(in *Instance) bool { return in.DownTimerAdverts == 10 }},
		{"no_accept", func(in *Instance) bool { return !in.Accept }},
		{"accept", func(in *Instance) bool { return in.Accept }},
		{"smtp_alert", func(in *Instance) bool { return in.SMTPAlert }},
		{"skip_check_adv_addr", func(in *Instance) bool { return in.SkipCheckAdvAddr }},
		{"promote_secondaries", func(in *Instance) bool { return in.PromoteSecondaries }},
		{"use_vmac", func(in *Instance) bool { return in.hasOther("use_vmac") }},
	}
	for _, tc := range tests {
		t.Run(strings.Fields(tc.body)[0], func(t *testing.T) {
			secure := "global_defs {\n enable_script_security\n script_user root\n}\n"
			cfg, rep := checkText(t, secure+instanceConf(tc.body))
			if rep.ExitCode() != 0 || len(cfg.Instances) != 1 {
				t.Fatalf("exit %d: %s", rep.ExitCode(), rep.Text())
			}
			if in := cfg.Instances[0]; !tc.check(in) {
				t.Errorf("%q: wrong value: %+v", tc.body, in)
			}
		})
	}
}

func TestVirtualIPAddresses(t *testing.T) {
	cfg, rep := checkText(t, `vrrp_instance V {
 interface ens33
 virtual_router_id 9
 virtual_ipaddress {
  192.168.13.1/24 dev ens33 label ens33:1 scope global
  192.168.13.2/24 brd + dev eth1
  192.168.13.3/25 broadcast 192.168.13.127 no_track
 }
 virtual_ipaddress_excluded {
  10.0.0.1/8
 }
}
`)
	if rep.ExitCode() != 0 {
		t.Fatal(rep.Text())
	}
	in := cfg.Instances[0]
	want := []VIP{
		{Prefix: netip.MustParsePrefix("192.168.13.1/24"), Dev: "ens33", Label: "ens33:1", Scope: "global"},
		{Prefix: netip.MustParsePrefix("192.168.13.2/24"), Dev: "eth1", Broadcast: "+"},
		{Prefix: netip.MustParsePrefix("192.168.13.3/25"), Broadcast: "192.168.13.127", NoTrack: true},
	}
	for i := range in.VIPs {
		in.VIPs[i].Source = Source{}
	}
	if !reflect.DeepEqual(in.VIPs, want) {
		t.Errorf("VIPs = %+v", in.VIPs)
	}
	if len(in.ExcludedVIPs) != 1 || in.ExcludedVIPs[0].Prefix.Bits() != 8 {
		t.Errorf("excluded = %+v", in.ExcludedVIPs)
	}
}

func TestScriptKeywords(t *testing.T) {
	cfg, rep := checkText(t, `global_defs {
 enable_script_security
 script_user root
}
vrrp_script chk {
 script "/bin/sh -c 'exit 0'"
 interval 4
 timeout 2
 weight -30 reverse
 rise 3
 fall 2
 user root
 init_fail
}
`+instanceConf("track_script {\n chk weight 20 noreverse\n}"))
	if rep.ExitCode() != 0 {
		t.Fatal(rep.Text())
	}
	s := cfg.Scripts[0]
	if !reflect.DeepEqual(s.Command, []string{"/bin/sh", "-c", "exit 0"}) || s.Interval != 4*time.Second ||
		s.EffectiveTimeout() != 2*time.Second || s.Weight != -30 || !s.WeightReverse || s.Rise != 3 || s.Fall != 2 ||
		s.User != "root" || !s.InitFail {
		t.Errorf("script = %+v", s)
	}
	ts := cfg.Instances[0].TrackScripts
	if !reflect.DeepEqual(ts, []TrackScript{{Name: "chk", Weight: 20}}) {
		t.Errorf("track_script = %+v", ts)
	}
}

func TestTrackFileAndSyncGroup(t *testing.T) {
	cfg, rep := checkText(t, `global_defs {
 enable_script_security
 script_user root
}
track_file tf {
 file /tmp/goha-prio
 weight -5 reverse
}
vrrp_sync_group G {
 group {
  A
  B
 }
 notify_master /bin/echo
}
vrrp_instance A {
 interface ens33
 virtual_router_id 1
 virtual_ipaddress { 192.0.2.1 }
 track_file {
  tf weight 3
 }
}
vrrp_instance B {
 interface eth1
 virtual_router_id 2
 virtual_ipaddress { 192.0.2.2 }
}
`)
	// keepalived: a weighted track file in a sync group is dropped, with a
	// message (exit 5).
	if rep.ExitCode() != 5 {
		t.Fatalf("exit %d: %s", rep.ExitCode(), rep.Text())
	}
	tf := cfg.TrackFiles[0]
	if tf.Name != "tf" || tf.Path != "/tmp/goha-prio" || tf.Weight != -5 || !tf.WeightReverse {
		t.Errorf("track_file = %+v", tf)
	}
	g := cfg.SyncGroups[0]
	if !reflect.DeepEqual(g.Group, []string{"A", "B"}) || g.NotifyMaster == nil {
		t.Errorf("sync group = %+v", g)
	}
	if want := "(A) ignoring tracked file tf with weight 3 due to SYNC group"; !contains(messages(rep), want) {
		t.Errorf("missing %q in %q", want, messages(rep))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The semantic checks of keepalived 2.2.7, each verified with keepalived -t
// (see the corpus in testdata/check/keepalived for the full outputs).
func TestSemanticChecks(t *testing.T) {
	tests := []struct {
		name string
		conf string
		exit int
		msg  string
	}{
		{"vrid range", strings.Replace(instanceConf(""), "virtual_router_id 51", "virtual_router_id 256", 1),
			5, "(VI): VRID '256' not valid - must be between 1 & 255"},
		{"priority range", instanceConf("priority 0"), 5, "(VI) Priority not valid! must be between 1 & 255. Using default 100"},
		{"nopreempt master", instanceConf("state MASTER\npriority 100\nnopreempt"), 5, "(VI) Warning - nopreempt will not work with initial state MASTER - clearing"},
		{"nopreempt owner", instanceConf("priority 255\nnopreempt"), 5, "(VI) nopreempt is incompatible with priority 255. resetting nopreempt"},
		{"preempt_delay master", instanceConf("state MASTER\npriority 100\npreempt_delay 5"), 5, "(VI) Warning - preempt delay will not work with initial state MASTER - clearing"},
		{"auth_pass long", instanceConf("authentication {\nauth_type PASS\nauth_pass 123456789\n}"), 5, "Truncating auth_pass to 8 characters"},
		{"track_script missing", instanceConf("track_script {\nnope\n}"), 5, "(VI) track script nope not found, ignoring..."},
		{"no interface", "vrrp_instance X {\n virtual_router_id 1\n virtual_ipaddress { 1.2.3.4 }\n}\n", 5, "(X) Unknown interface!"},
		{"bad interface", strings.Replace(instanceConf(""), "ens33", "eth7", 1), 5, "WARNING - interface eth7 for vrrp_instance VI doesn't exist"},
		{"no vrid", "vrrp_instance X {\n interface ens33\n virtual_ipaddress { 1.2.3.4 }\n}\n", 5, "(X) the virtual router id must be set"},
		{"duplicate vrid", instanceConf("") + strings.Replace(instanceConf(""), "vrrp_instance VI", "vrrp_instance VJ", 1), 5,
			"VI and VJ both use VRID 51 with IPv4 on interface ens33"},
		{"advert fraction v2", instanceConf("advert_int 1.5"), 5, "(VI) VRRPv2 advertisement interval 1.500000s must be an integer. rounding"},
		{"v3 auth", instanceConf("version 3\nauthentication {\nauth_type PASS\nauth_pass x\n}"), 5, "(VI) VRRP version 3 does not support authentication. Ignoring."},
		{"unknown keyword", instanceConf("frobnicate"), 5, "Unknown keyword 'frobnicate'"},
		{"missing parameter", instanceConf("priority"), 2, "*** Configuration line starting `priority` is missing a parameter after keyword `priority` at word position 2"},
		{"unicast without peers", instanceConf("unicast_src_ip 192.0.2.1"), 15 - 10,
			"(VI) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration."},
		{"security", "vrrp_script s {\n script /bin/true\n}\n" + instanceConf("track_script {\n s\n}"), 6,
			"SECURITY VIOLATION - scripts are being executed but script_security not enabled."},
		{"script not found", "vrrp_script s {\n script /nonexistent/x.sh\n}\n" + instanceConf("track_script {\n s\n}"), 5,
			"Disabling track script s since not found/accessible"},
		{"extra brace", instanceConf("") + "}\n", 5, "Extra '}' found"},
		{"missing brace", strings.TrimSuffix(instanceConf(""), "}\n"), 5, "There are 1 missing '}'s or extra '{'s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, rep := checkText(t, tc.conf)
			if rep.ExitCode() != tc.exit {
				t.Errorf("exit %d, want %d\n%s", rep.ExitCode(), tc.exit, rep.Text())
			}
			if !contains(messages(rep), tc.msg) {
				t.Errorf("missing %q in\n%s", tc.msg, rep.Text())
			}
		})
	}
}

// keepalived reads the text once per process: an unknown top-level keyword
// is reported four times, an unknown keyword in global_defs once (by the
// parent, without the file name), one in vrrp_instance once (by the VRRP
// process, with the file name).
func TestPassesAndLocations(t *testing.T) {
	_, rep := checkText(t, "global_defs {\n nope_g\n}\nnope_top\n"+instanceConf("nope_v"))
	var got []string
	for _, d := range rep.Diags {
		got = append(got, d.String())
	}
	want := []string{
		"(Line 2) Unknown keyword 'nope_g'",
		"(Line 4) Unknown keyword 'nope_top'",
		"(keepalived.conf: Line 4) Unknown keyword 'nope_top'",
		"(keepalived.conf: Line 4) Unknown keyword 'nope_top'",
		"(keepalived.conf: Line 8) Unknown keyword 'nope_v'",
		"(keepalived.conf: Line 4) Unknown keyword 'nope_top'",
	}
	for i := range got {
		// child readings print the path as given: absolute here
		got[i] = strings.Replace(got[i], filepath.Dir(rep.Diags[len(rep.Diags)-1].File)+"/", "", 1)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMissingFileExitsZero(t *testing.T) {
	// keepalived 2.2.7 -t on a missing file prints a message and exits 0.
	_, rep := Check(filepath.Join(t.TempDir(), "none.conf"), testOpts())
	if rep.ExitCode() != 0 || len(rep.Diags) != 1 || !strings.HasPrefix(rep.Diags[0].Msg, "Config files missing") {
		t.Errorf("exit %d: %s", rep.ExitCode(), rep.Text())
	}
}

func TestUnsupportedBlocksAreKept(t *testing.T) {
	cfg, rep := checkText(t, instanceConf("")+"virtual_server 192.0.2.1 80 {\n lb_algo rr\n real_server 192.0.2.2 80 {\n  weight 1\n }\n}\n")
	if rep.ExitCode() != 0 {
		t.Fatal(rep.Text())
	}
	if len(cfg.Unsupported) != 1 || cfg.Unsupported[0].Keyword != "virtual_server" || len(cfg.Unsupported[0].Lines) != 3 {
		t.Errorf("unsupported = %+v", cfg.Unsupported)
	}
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "not supported yet") {
		t.Errorf("notes = %q", rep.Notes)
	}
}

// A configuration keepalived's VRRP process refuses is marked, so that the
// engine does not run half-validated instances.
func TestVRRPStopped(t *testing.T) {
	cfg, _ := checkText(t, "vrrp_instance X {\n interface ens33\n virtual_ipaddress { 1.2.3.4 }\n}\n")
	if cfg.VRRPStopped != "(X) the virtual router id must be set" {
		t.Errorf("VRRPStopped = %q", cfg.VRRPStopped)
	}
	cfg, _ = checkText(t, instanceConf(""))
	if cfg.VRRPStopped != "" {
		t.Errorf("VRRPStopped = %q for a valid configuration", cfg.VRRPStopped)
	}
}
