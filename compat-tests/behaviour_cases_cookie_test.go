package compattests

// --- cookie persistence (configuration.txt §4.2 "cookie") ---
//
// Each case sends requests with and without the persistence cookie; the
// scripted servers echo the request (what the server received: our cookie
// removed or stripped, the others kept) and "/sc/NAME=VALUE" makes a
// server set a cookie of its own.

// cookieBe is a roundrobin backend over s0 and s1 (cookies a and b) with
// the given cookie line and extra backend lines.
func cookieBe(cookieLine, extra string, servers ...string) string {
	if len(servers) == 1 && servers[0] == "" {
		servers = nil
	}
	if servers == nil {
		servers = []string{"server s0 {S0} cookie a", "server s1 {S1} cookie b"}
	}
	return lbBackend("roundrobin", servers, cookieLine+"\n"+extra)
}

func cookieCases() []bcase {
	ck := func(v string) string { return "Cookie: " + v }
	return []bcase{
		// insert: balanced requests get set-cookie, a valid cookie goes
		// to its server without one
		{name: "cookie-insert", cfg: cookieBe("cookie SRV insert", ""), conns: conns(
			creq("GET", "/"), creq("GET", "/"),
			creq("GET", "/", ck("SRV=a")), creq("GET", "/", ck("SRV=b")),
			creq("GET", "/", ck("x=1; SRV=b; y=2")), creq("GET", "/", ck("SRV=zz")),
			creq("GET", "/", ck("SRV=")))},
		// indirect: our cookie never reaches the server, wherever it was
		{name: "cookie-insert-indirect", cfg: cookieBe("cookie SRV insert indirect", ""), conns: conns(
			creq("GET", "/"), creq("GET", "/", ck("SRV=b")),
			creq("GET", "/", ck("SRV=a; x=1")), creq("GET", "/", ck("x=1; SRV=b")),
			creq("GET", "/", ck("x=1; SRV=a; y = 2")), creq("GET", "/", ck("x=1"), ck("SRV=b")),
			creq("GET", "/", ck("SRV=nope; x=1")))},
		// the attributes of the inserted cookie, in haproxy's order
		{name: "cookie-insert-attrs", cfg: cookieBe("cookie SRV insert indirect httponly secure domain .example.com domain .example.org attr SameSite=Lax attr Foo", ""), conns: conns(
			creq("GET", "/"), creq("GET", "/", ck("SRV=a")))},
		// nocache: cache-control: private on cacheable responses only
		{name: "cookie-insert-nocache", cfg: cookieBe("cookie SRV insert nocache", ""), conns: conns(
			creq("GET", "/"), creq("HEAD", "/"), creq("POST", "/"), creq("GET", "/status/500"),
			creq("GET", "/status/404"), creq("GET", "/hdrs"), creq("GET", "/", ck("SRV=b")),
			creq("GET", "/cc/max-age=60"), creq("GET", "/cc/public"), creq("GET", "/cc/no-cache"),
			creq("GET", "/cc/max-age=0"), creq("POST", "/cc/public"), creq("GET", "/cc/x,%20public"),
			creq("GET", "/status/304"))},
		// postonly: set-cookie only on POST
		{name: "cookie-insert-postonly", cfg: cookieBe("cookie SRV insert postonly", ""), conns: conns(
			creq("GET", "/"), creq("POST", "/"))},
		// the server's own cookie of that name goes, ours comes
		{name: "cookie-insert-server-sets", cfg: cookieBe("cookie SRV insert", ""), conns: conns(
			creq("GET", "/sc/SRV=mine"), creq("GET", "/sc/SRV=mine", ck("SRV=a")))},
		{name: "cookie-insert-preserve", cfg: cookieBe("cookie SRV insert preserve", ""), conns: conns(
			creq("GET", "/sc/SRV=mine"), creq("GET", "/sc/SRV=mine", ck("SRV=a")), creq("GET", "/"))},
		// a server without a cookie value: the client's cookie is removed
		{name: "cookie-insert-server-without-cookie", cfg: cookieBe("cookie SRV insert", "", "server s0 {S0}", "server s1 {S1} cookie b"), conns: conns(
			creq("GET", "/"), creq("GET", "/"), creq("GET", "/", ck("SRV=b")))},
		// keep-alive: each request on its own
		{name: "cookie-insert-keepalive", cfg: cookieBe("cookie SRV insert indirect", ""), conns: []bconn{{parts: []string{
			req("GET", "/", ck("SRV=b")) + req("GET", "/") + creq("GET", "/", ck("SRV=a"))}}}},
		// a cookie naming a DOWN server: balanced again, a new cookie
		{name: "cookie-down-server", settle: 400e6, cfg: cookieBe("cookie SRV insert indirect", "", "server s0 {DEAD} cookie a check inter 50ms fall 1", "server s1 {S1} cookie b"), conns: conns(
			creq("GET", "/", ck("SRV=a")), creq("GET", "/", ck("SRV=b")))},
		// ... unless "option persist": then it goes there (and fails)
		{name: "cookie-down-server-persist", settle: 400e6, cfg: cookieBe("cookie SRV insert indirect", "option persist\nretries 1", "server s0 {DEAD} cookie a check inter 50ms fall 1", "server s1 {S1} cookie b"), conns: conns(
			creq("GET", "/", ck("SRV=a")))},
		// ... and with redispatch too, the retry moves to s1
		{name: "cookie-down-server-persist-redispatch", settle: 400e6, cfg: cookieBe("cookie SRV insert indirect", "option persist\noption redispatch\nretries 1", "server s0 {DEAD} cookie a check inter 50ms fall 1", "server s1 {S1} cookie b"), conns: conns(
			creq("GET", "/", ck("SRV=a")))},
		// force-persist: a DOWN server still takes the matching requests
		{name: "cookie-force-persist", settle: 400e6, cfg: cookieBe("cookie SRV insert indirect", "retries 0\nforce-persist if { path_beg /f }", "server s0 {DEAD} cookie a check inter 50ms fall 1", "server s1 {S1} cookie b"), conns: conns(
			creq("GET", "/f", ck("SRV=a")), creq("GET", "/x", ck("SRV=a")))},
		// ignore-persist: the cookie is not looked at, no set-cookie
		{name: "cookie-ignore-persist", cfg: cookieBe("cookie SRV insert indirect", "ignore-persist if { path_beg /static }", ""), conns: conns(
			creq("GET", "/static/a", ck("SRV=b; x=1")), creq("GET", "/static/b", ck("SRV=b")), creq("GET", "/p", ck("SRV=b")),
			creq("GET", "/static/sc/SRV=mine"))},
		// a drained server (weight 0) still takes its clients
		{name: "cookie-weight0", cfg: cookieBe("cookie SRV insert", "", "server s0 {S0} cookie a weight 0", "server s1 {S1} cookie b"), conns: conns(
			creq("GET", "/"), creq("GET", "/", ck("SRV=a")))},
		// a server at its maxconn keeps its clients waiting in its own
		// queue (not balanced elsewhere) ...
		{name: "cookie-server-maxconn-queue", parallel: true, cfg: cookieBe("cookie SRV insert indirect", "", "server s0 {S0} cookie a maxconn 1", "server s1 {S1} cookie b"), conns: []bconn{
			{parts: []string{creq("GET", "/slow/300", ck("SRV=a"))}},
			{parts: []string{creq("GET", "/slow/10", ck("SRV=a"))}, at: 100e6},
			{parts: []string{creq("GET", "/", "X-N: 3")}, at: 150e6}}},
		// ... at most "timeout queue"
		{name: "cookie-server-maxconn-queue-timeout", parallel: true, cfg: cookieBe("cookie SRV insert indirect", "timeout queue 100ms", "server s0 {S0} cookie a maxconn 1", "server s1 {S1} cookie b"), conns: []bconn{
			{parts: []string{creq("GET", "/slow/500", ck("SRV=a"))}},
			{parts: []string{creq("GET", "/", ck("SRV=a"))}, at: 100e6}}},
		// rewrite: the server's own cookie value becomes the server's id
		{name: "cookie-rewrite", cfg: cookieBe("cookie SRV rewrite", ""), conns: conns(
			creq("GET", "/sc/SRV=mine"), creq("GET", "/sc/SRV=mine", ck("SRV=b")),
			creq("GET", "/", ck("SRV=a; x=1")), creq("GET", "/sc/other=2"))},
		// prefix: "id~" before the server's value, stripped from requests
		{name: "cookie-prefix", cfg: cookieBe("cookie JSESSIONID prefix", ""), conns: conns(
			creq("GET", "/sc/JSESSIONID=abc123"), creq("GET", "/", ck("JSESSIONID=b~abc123")),
			creq("GET", "/", ck("x=1; JSESSIONID=a~zz; y=2")), creq("GET", "/", ck("JSESSIONID=nodelim")))},
		// passive (no mode): the cookie routes, nothing is changed
		{name: "cookie-passive", cfg: cookieBe("cookie SRV", ""), conns: conns(
			creq("GET", "/sc/SRV=x"), creq("GET", "/", ck("SRV=b")), creq("GET", "/", ck("SRV=a")))},
	}
}
