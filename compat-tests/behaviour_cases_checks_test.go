package compattests

import "time"

// --- HTTP health checks: "http-check expect" decides whether s0 stays in
// the round robin (s1 and s2 are not checked) ---

func checkCases() []bcase {
	chk := func(name, rules string) bcase {
		return bcase{name: "check-" + name, servers: 3, settle: 500 * time.Millisecond,
			cfg: lbBackend("roundrobin\n    option httpchk GET /status/404\n    "+rules,
				[]string{"server s0 {S0} check inter 50ms fall 1 rise 1", "server s1 {S1}", "server s2 {S2}"},
				// a loaded machine must not time a passing check out
				"timeout check 2s"),
			seq: &bseq{n: 20}}
	}
	return []bcase{
		chk("expect-status-match", "http-check expect status 404"),
		chk("expect-status-miss", "http-check expect status 200"),
		chk("expect-not-status", "http-check expect ! status 404"),
		chk("expect-rstatus-match", "http-check expect rstatus ^40"),
		chk("expect-rstatus-miss", "http-check expect rstatus ^2"),
		chk("expect-string-match", "http-check expect string /status/404"),
		chk("expect-string-miss", "http-check expect string nothere"),
		chk("expect-rstring-miss", "http-check expect rstring ^nothere$"),
		chk("default-4xx-down", ""),
		// "addr" sends the check elsewhere (nothing listens on
		// 127.0.0.2): the server is marked DOWN though it answers
		{name: "check-addr-elsewhere", servers: 3, settle: 500 * time.Millisecond,
			cfg: lbBackend("roundrobin", []string{"server s0 {S0} check addr 127.0.0.2 inter 50ms fall 1", "server s1 {S1}", "server s2 {S2}"}, "timeout check 2s"),
			seq: &bseq{n: 20}},
	}
}

// --- server lines with a port offset: the connection goes to the port
// the client reached plus the offset (configuration.txt §5.2 "server") ---

func portMapCases() []bcase {
	cfg := "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    server s0 127.0.0.1:{OFS0}\n"
	return []bcase{
		{name: "server-port-offset", cfg: cfg, conns: conns(creq("GET", "/ofs"))},
		{name: "server-port-offset-keepalive", cfg: cfg, conns: []bconn{{parts: []string{req("GET", "/a"), creq("GET", "/b")}, pause: 100 * time.Millisecond}}},
		{name: "tcp-server-port-offset", tcp: true, cfg: cfg, conns: []bconn{{parts: []string{"hello\n"}, halfClose: true}}},
	}
}
