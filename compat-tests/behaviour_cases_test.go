package compattests

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Helpers to write cases briefly.

// req builds an HTTP/1.1 request with Host and extra header lines.
func req(method, uri string, hdrs ...string) string {
	s := method + " " + uri + " HTTP/1.1\r\nHost: example.com\r\n"
	for _, h := range hdrs {
		s += h + "\r\n"
	}
	return s + "\r\n"
}

// creq is req with "Connection: close": the proxy closes after it, so
// the client need not wait for silence.
func creq(method, uri string, hdrs ...string) string {
	return req(method, uri, append(hdrs, "Connection: close")...)
}

func conns(reqs ...string) []bconn {
	var cs []bconn
	for _, r := range reqs {
		cs = append(cs, bconn{parts: []string{r}})
	}
	return cs
}

// feBe is a frontend with the given lines routing to backend be (and be2)
// with servers s0 (be) and s1 (be2).
func feBe(feLines, beLines string) string {
	return "frontend fe\n    bind {L}\n" + indent(feLines) + "    default_backend be\n" +
		"backend be\n" + indent(beLines) + "    server s0 {S0}\n" +
		"backend be2\n    server s1 {S1}\n"
}

func indent(lines string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(lines), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		b.WriteString("    " + strings.TrimSpace(l) + "\n")
	}
	return b.String()
}

func behaviourCases() []bcase {
	var cs []bcase
	cs = append(cs, balanceCases()...)
	cs = append(cs, aclCases()...)
	cs = append(cs, ruleCases()...)
	cs = append(cs, connCases()...)
	cs = append(cs, errorCases()...)
	cs = append(cs, bodyCases()...)
	cs = append(cs, timeoutCases()...)
	cs = append(cs, tcpCases()...)
	cs = append(cs, halfCloseCases()...)
	cs = append(cs, checkCases()...)
	cs = append(cs, portMapCases()...)
	cs = append(cs, hostileCases()...)
	cs = append(cs, cookieCases()...)
	return cs
}

// --- balancing: the server sequence over 100 requests ---

func lbBackend(algo string, servers []string, extra string) string {
	s := "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    balance " + algo + "\n" + indent(extra)
	for _, l := range servers {
		s += "    " + l + "\n"
	}
	return s
}

func uriSeq(i int) string {
	return creq("GET", fmt.Sprintf("/dir%d/sub%d/page%d.html?id=%d&x=%d", i%7, i%5, i, i*37%101, i%3))
}

func hdrSeq(i int) string {
	return creq("GET", "/", fmt.Sprintf("X-Key: key-%d", i*13%29))
}

func srcSeq(i int) string { return fmt.Sprintf("127.0.0.%d", 2+i%23) }

func balanceCases() []bcase {
	weightSets := map[string][]string{
		"equal":     {"server s0 {S0}", "server s1 {S1}", "server s2 {S2}"},
		"w123":      {"server s0 {S0} weight 1", "server s1 {S1} weight 2", "server s2 {S2} weight 3"},
		"w31":       {"server s0 {S0} weight 3", "server s1 {S1} weight 1", "server s2 {S2} weight 0"},
		"backup":    {"server s0 {S0} weight 2", "server s1 {S1}", "server s2 {S2} backup"},
		"deadchk":   {"server s0 {DEAD} check inter 50ms fall 1", "server s1 {S1} weight 2", "server s2 {S2} weight 3"},
		"allbkdown": {"server s0 {DEAD} check inter 50ms fall 1", "server s1 {S1} backup", "server s2 {S2} backup"},
	}
	order := []string{"equal", "w123", "w31", "backup", "deadchk", "allbkdown"}
	type algo struct {
		name, line string
		req        func(int) string
		src        func(int) string
	}
	algos := []algo{
		{"roundrobin", "roundrobin", nil, nil},
		{"static-rr", "static-rr", nil, nil},
		{"leastconn", "leastconn", nil, nil},
		{"first", "first", nil, nil},
		{"source", "source", nil, srcSeq},
		{"uri", "uri", uriSeq, nil},
		{"url_param", "url_param id", uriSeq, nil},
		{"hdr", "hdr(X-Key)", hdrSeq, nil},
	}
	var cs []bcase
	for _, a := range algos {
		for _, w := range order {
			c := bcase{
				name:    "lb-" + a.name + "-" + w,
				cfg:     lbBackend(a.line, weightSets[w], ""),
				servers: 3,
				seq:     &bseq{n: 100, req: a.req, src: a.src},
			}
			if a.name == "leastconn" {
				// the proxy releases a server after the client saw the
				// end of its answer; leave it time to (haproxy too).
				c.seq.gap = 20 * time.Millisecond
			}
			if strings.Contains(w, "dead") || strings.Contains(w, "down") {
				c.settle = 400 * time.Millisecond
			}
			if w == "allbkdown" {
				c.cfg = lbBackend(a.line, weightSets[w], "option allbackups")
			}
			cs = append(cs, c)
		}
	}
	// consistent hashing and hash variants
	for _, a := range []algo{
		{"source", "source", nil, srcSeq},
		{"uri", "uri", uriSeq, nil},
		{"url_param", "url_param id", uriSeq, nil},
		{"hdr", "hdr(X-Key)", hdrSeq, nil},
	} {
		cs = append(cs, bcase{name: "lb-" + a.name + "-consistent", servers: 3,
			cfg: lbBackend(a.line, weightSets["w123"], "hash-type consistent"),
			seq: &bseq{n: 100, req: a.req, src: a.src}})
	}
	cs = append(cs,
		bcase{name: "lb-uri-len5", servers: 3, cfg: lbBackend("uri len 5", weightSets["equal"], ""), seq: &bseq{n: 100, req: uriSeq}},
		bcase{name: "lb-uri-depth1", servers: 3, cfg: lbBackend("uri depth 1", weightSets["equal"], ""), seq: &bseq{n: 100, req: uriSeq}},
		bcase{name: "lb-uri-whole", servers: 3, cfg: lbBackend("uri whole", weightSets["equal"], ""), seq: &bseq{n: 100, req: uriSeq}},
		bcase{name: "lb-uri-sdbm-avalanche", servers: 3, cfg: lbBackend("uri", weightSets["equal"], "hash-type map-based sdbm avalanche"), seq: &bseq{n: 100, req: uriSeq}},
		bcase{name: "lb-uri-consistent-djb2", servers: 3, cfg: lbBackend("uri", weightSets["equal"], "hash-type consistent djb2"), seq: &bseq{n: 100, req: uriSeq}},
		bcase{name: "lb-random-single", servers: 3, cfg: lbBackend("random", []string{"server s0 {S0}", "server s1 {S1} weight 0", "server s2 {S2} backup"}, ""), seq: &bseq{n: 100}},
		bcase{name: "lb-hdr-missing", servers: 3, cfg: lbBackend("hdr(X-None)", weightSets["w123"], ""), seq: &bseq{n: 100}},
		bcase{name: "lb-url_param-missing", servers: 3, cfg: lbBackend("url_param none", weightSets["w123"], ""), seq: &bseq{n: 100}},
		// A server stops in the middle; no check: retries and redispatch
		// decide where the failed requests go.
		bcase{name: "lb-roundrobin-stop-redispatch", servers: 3,
			cfg: lbBackend("roundrobin", weightSets["equal"], "retries 2\noption redispatch\ntimeout connect 100ms"),
			seq: &bseq{n: 100, stopAfter: 40, stopServer: 0}},
		bcase{name: "lb-roundrobin-stop-check", servers: 3,
			cfg: lbBackend("roundrobin", []string{"server s0 {S0} check inter 200ms fall 1", "server s1 {S1} check inter 200ms", "server s2 {S2} check inter 200ms"}, "retries 1\noption redispatch\ntimeout check 2s"),
			seq: &bseq{n: 100, stopAfter: 40, stopServer: 0, pauseAfterStop: 900 * time.Millisecond}},
		bcase{name: "lb-roundrobin-stop-noredispatch", servers: 3,
			cfg: lbBackend("roundrobin", weightSets["equal"], "retries 1\ntimeout connect 100ms"),
			seq: &bseq{n: 60, stopAfter: 40, stopServer: 1}},
		bcase{name: "lb-first-maxconn", servers: 3, cfg: lbBackend("first", []string{"server s0 {S0} maxconn 2", "server s1 {S1} maxconn 2", "server s2 {S2}"}, ""), seq: &bseq{n: 50}},
		bcase{name: "lb-roundrobin-disabled", servers: 3, cfg: lbBackend("roundrobin", []string{"server s0 {S0} disabled", "server s1 {S1}", "server s2 {S2} weight 3"}, ""), seq: &bseq{n: 100}},
	)
	return cs
}

// --- ACL fetches: requests routed to be (s0) or be2 (s1) ---

func aclCase(name, acl string, reqs ...string) bcase {
	return bcase{name: "acl-" + name, cfg: feBe(acl+"\nuse_backend be2 if x", ""), conns: conns(reqs...)}
}

func aclCases() []bcase {
	g := func(uri string, h ...string) string { return creq("GET", uri, h...) }
	cs := []bcase{
		aclCase("url", "acl x url /index.html", g("/index.html"), g("/index.htm")),
		aclCase("url_reg", `acl x url_reg ^/img/.*\.(png|gif)$`, g("/img/a.png"), g("/img/a.jpg")),
		aclCase("url_beg", "acl x url_beg /api", g("/api/v1"), g("/apx")),
		aclCase("url_end", "acl x url_end .php", g("/a.php"), g("/a.php?x")),
		aclCase("url_sub", "acl x url_sub admin", g("/x/admin/y"), g("/adm")),
		aclCase("path", "acl x path /a/b", g("/a/b?q=1"), g("/a/bc")),
		aclCase("path_beg", "acl x path_beg /static/ /media/", g("/media/x"), g("/stat")),
		aclCase("path_end", "acl x path_end .css .js", g("/a.js?v=2"), g("/a.jsx")),
		aclCase("path_reg", `acl x path_reg ^/user/[0-9]+$`, g("/user/42"), g("/user/4x")),
		aclCase("path_sub", "acl x path_sub /admin", g("/x/admin"), g("/x?/admin")),
		aclCase("path_dir", "acl x path_dir api", g("/v1/api/x"), g("/v1/apix")),
		aclCase("path_dom", "acl x path_dom example", g("/www.example.com"), g("/examples")),
		aclCase("hdr-host", "acl x hdr(host) -i EXAMPLE.com", g("/"), "GET / HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n"),
		aclCase("hdr_beg", "acl x hdr_beg(user-agent) curl", g("/", "User-Agent: curl/8"), g("/", "User-Agent: wget")),
		aclCase("hdr_end", "acl x hdr_end(host) .com", g("/"), "GET / HTTP/1.1\r\nHost: a.org\r\nConnection: close\r\n\r\n"),
		aclCase("hdr_reg", `acl x hdr_reg(x-id) ^[a-f0-9]{4}$`, g("/", "X-Id: beef"), g("/", "X-Id: beefy")),
		aclCase("hdr_sub", "acl x hdr_sub(accept) json", g("/", "Accept: application/json"), g("/", "Accept: text/html")),
		aclCase("hdr_dom", "acl x hdr_dom(host) example", g("/"), "GET / HTTP/1.1\r\nHost: examples.com\r\nConnection: close\r\n\r\n"),
		aclCase("hdr_cnt", "acl x hdr_cnt(x-a) gt 1", g("/", "X-A: 1", "X-A: 2"), g("/", "X-A: 1")),
		aclCase("hdr-occurrence", "acl x hdr(x-a,-1) last", g("/", "X-A: first", "X-A: last"), g("/", "X-A: last", "X-A: first")),
		aclCase("hdr-list", "acl x hdr(x-a) b", g("/", "X-A: a, b, c"), g("/", "X-A: ab")),
		aclCase("req.hdr", "acl x req.hdr(x-tok) -m str secret", g("/", "X-Tok: secret"), g("/", "X-Tok: Secret")),
		aclCase("req.fhdr", "acl x req.fhdr(x-a) a,b", g("/", "X-A: a,b"), g("/", "X-A: a")),
		aclCase("method", "acl x method POST PUT", "POST / HTTP/1.1\r\nHost: e\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", g("/")),
		aclCase("method-lower", "acl x method get", "get / HTTP/1.1\r\nHost: e\r\nConnection: close\r\n\r\n", g("/")),
		aclCase("src", "acl x src 127.0.0.0/8", g("/")),
		aclCase("src-miss", "acl x src 10.0.0.0/8 ::2", g("/")),
		aclCase("src_port", "acl x src_port 1:65535", g("/")),
		aclCase("dst_port", "acl x dst_port 1-65535", g("/")),
		aclCase("url_param", "acl x url_param(user) bob", g("/?user=bob"), g("/?user=bobby&x=1"), g("/?a=1&user=bob")),
		aclCase("urlp", "acl x urlp(id) -m int gt 10", g("/?id=11"), g("/?id=9")),
		aclCase("query", "acl x query -m sub debug=1", g("/?a=1&debug=1"), g("/debug=1")),
		aclCase("dash-i", "acl x path -i /ABC", g("/abc"), g("/abd")),
		aclCase("m-beg", "acl x path -m beg /x", g("/xy"), g("/yx")),
		aclCase("m-reg-i", "acl x url -i -m reg ^/A+$", g("/aaa"), g("/ab")),
		aclCase("m-found", "acl x req.hdr(x-flag) -m found", g("/", "X-Flag:"), g("/")),
		aclCase("m-len", "acl x path -m len 3", g("/ab"), g("/abc")),
		{name: "acl-file", cfg: feBe("acl x path -f {DIR}/paths.lst\nuse_backend be2 if x", ""),
			files: map[string]string{"paths.lst": "# comment\n/one\n\n/two\n"}, conns: conns(g("/two"), g("/three"))},
		{name: "acl-or", cfg: feBe("acl a path /a\nacl b path /b\nuse_backend be2 if a || b", ""), conns: conns(g("/a"), g("/b"), g("/c"))},
		{name: "acl-or-word", cfg: feBe("acl a path /a\nacl b path /b\nuse_backend be2 if a or b", ""), conns: conns(g("/b"), g("/c"))},
		{name: "acl-and-not", cfg: feBe("acl a path_beg /a\nacl b hdr(x-b) yes\nuse_backend be2 if a !b", ""), conns: conns(g("/a1"), g("/a2", "X-B: yes"), g("/c"))},
		{name: "acl-unless", cfg: feBe("acl a path_beg /a\nuse_backend be2 unless a", ""), conns: conns(g("/a1"), g("/b"))},
		{name: "acl-anonymous", cfg: feBe("use_backend be2 if { path_end .png } || { hdr(x-img) 1 }", ""), conns: conns(g("/x.png"), g("/", "X-Img: 1"), g("/"))},
		{name: "acl-same-name-or", cfg: feBe("acl x path /one\nacl x path /two\nuse_backend be2 if x", ""), conns: conns(g("/two"), g("/three"))},
		{name: "acl-true", cfg: feBe("use_backend be2 if TRUE", ""), conns: conns(g("/"))},
		{name: "acl-false", cfg: feBe("use_backend be2 if FALSE", ""), conns: conns(g("/"))},
		{name: "acl-meth-get", cfg: feBe("use_backend be2 if METH_GET", ""), conns: conns(g("/"), creq("HEAD", "/"), "DELETE / HTTP/1.1\r\nHost: e\r\nConnection: close\r\n\r\n")},
		{name: "acl-http11", cfg: feBe("use_backend be2 if HTTP_1.1", ""), conns: conns(g("/"), "GET / HTTP/1.0\r\n\r\n")},
		{name: "acl-localhost", cfg: feBe("use_backend be2 if LOCALHOST", ""), conns: conns(g("/"))},
		{name: "acl-http-content", cfg: feBe("use_backend be2 if HTTP_CONTENT", ""), conns: conns(g("/"), "POST / HTTP/1.1\r\nHost: e\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")},
		{name: "acl-dynamic-backend", cfg: feBe("use_backend %[req.hdr(x-be)]", ""), conns: conns(g("/", "X-Be: be2"), g("/", "X-Be: nosuch"), g("/"))},
		{name: "acl-first-use-wins", cfg: feBe("use_backend be if { path_beg /a }\nuse_backend be2 if { path_beg / }", ""), conns: conns(g("/a"), g("/b"))},
	}
	return cs
}

// --- http-request and http-response rules ---

func ruleCase(name, feLines string, reqs ...string) bcase {
	return bcase{name: "rule-" + name, cfg: feBe(feLines, ""), conns: conns(reqs...),
		files: map[string]string{"page.html": "<p>static page</p>\n"}}
}

func ruleCases() []bcase {
	g := func(uri string, h ...string) string { return creq("GET", uri, h...) }
	ka := func(uri string, h ...string) string { return req("GET", uri, h...) }
	cs := []bcase{
		ruleCase("allow-stops", "http-request allow if { path /ok }\nhttp-request deny", g("/ok"), g("/no")),
		ruleCase("deny", "http-request deny if { path_beg /admin }", g("/admin"), g("/user")),
		ruleCase("deny-keepalive", "http-request deny if { path_beg /admin }", ka("/admin")+g("/user")),
		ruleCase("tarpit", "timeout tarpit 200ms\nhttp-request tarpit if { path /t }", g("/t"), g("/u")),
		ruleCase("tarpit-status", "timeout tarpit 100ms\nhttp-request tarpit deny_status 429 if { path /t }", g("/t")),
		ruleCase("redirect-location", "http-request redirect location /new if { path /old }", g("/old"), g("/other")),
		ruleCase("redirect-location-301", "http-request redirect location https://x.example/ code 301", g("/old?x=1")),
		ruleCase("redirect-prefix", "http-request redirect prefix /v2 code 302", g("/a/b?c=d")),
		ruleCase("redirect-prefix-slash", "http-request redirect prefix http://new.example/", g("/a")),
		ruleCase("redirect-prefix-drop-query", "http-request redirect prefix /p drop-query", g("/a?b=c")),
		ruleCase("redirect-scheme", "http-request redirect scheme https code 308", g("/a?b=c")),
		ruleCase("redirect-scheme-nohost", "http-request redirect scheme https", "GET /a HTTP/1.0\r\n\r\n"),
		ruleCase("redirect-303", "http-request redirect location /x code 303", g("/")),
		ruleCase("redirect-307-keepalive", "http-request redirect location /x code 307 if { path /r }", ka("/r")+g("/n")),
		ruleCase("redirect-append-slash", "http-request redirect prefix / append-slash", g("/dir")),
		ruleCase("set-header", "http-request set-header X-Custom hello\nhttp-request set-header X-Dup new", g("/", "X-Dup: a", "Other: o", "X-Dup: b")),
		ruleCase("set-header-fmt", "http-request set-header X-Path %[path]\nhttp-request set-header X-Src %[src]", g("/p/q?z=1")),
		ruleCase("add-header", "http-request add-header X-Dup third", g("/", "X-Dup: a", "Other: o", "X-Dup: b")),
		ruleCase("del-header", "http-request del-header X-Dup", g("/", "X-Dup: a", "Other: o", "X-Dup: b")),
		ruleCase("del-header-cookie-case", "http-request del-header COOKIE", g("/", "Cookie: a=1", "cookie: b=2")),
		ruleCase("replace-header", `http-request replace-header User-Agent ^curl/(.*)$ client-\1`, g("/", "User-Agent: curl/8.1")),
		ruleCase("replace-header-list", `http-request replace-header X-L ^a(.*) z\1`, g("/", "X-L: ab, ac", "X-L: ad")),
		ruleCase("replace-value", `http-request replace-value X-L ^a(.*) z\1`, g("/", "X-L: ab, ac", "X-L: ad")),
		ruleCase("set-path", "http-request set-path /rewritten%[path]", g("/orig?q=1")),
		ruleCase("set-path-static", "http-request set-path /static", g("/a/b?keep=1")),
		ruleCase("set-uri", "http-request set-uri /new?x=1", g("/old?y=2")),
		ruleCase("set-query", "http-request set-query a=b", g("/p?c=d")),
		ruleCase("set-method", "http-request set-method PUT", g("/")),
		ruleCase("return-string", `http-request return status 200 content-type text/plain string "hello world" if { path /hi }`, g("/hi"), g("/x")),
		ruleCase("return-status-only", "http-request return status 404", g("/")),
		ruleCase("return-reasons", "http-request return status 202 if { path /202 }\nhttp-request return status 203 if { path /203 }\nhttp-request return status 299 if { path /299 }\nhttp-request return status 418 if { path /418 }\nhttp-request return status 451 if { path /451 }\nhttp-request return status 502 if { path /502 }\nhttp-request return status 520 if { path /520 }\nhttp-request return status 599 if { path /599 }",
			g("/202"), g("/203"), g("/299"), g("/418"), g("/451"), g("/502"), g("/520"), g("/599")),
		ruleCase("return-lf-string", `http-request return status 200 content-type text/plain lf-string "path=%[path] src=%[src] m=%[method]"`, g("/p/q?x=1")),
		ruleCase("return-file", "http-request return status 200 content-type text/html file {DIR}/page.html", g("/")),
		ruleCase("resp-set-status-noreason", "http-response set-status 418", g("/")),
		ruleCase("return-keepalive", `http-request return status 201 content-type "application/json" string "{}" if { path /j }`, ka("/j")+g("/k")),
		ruleCase("return-hdr", `http-request return status 200 content-type text/plain string ok hdr X-A b`, g("/")),
		ruleCase("set-var", "http-request set-var(txn.route) str(be2) if { path_beg /v }\nuse_backend be2 if { var(txn.route) -m str be2 }", g("/v/1"), g("/w")),
		ruleCase("set-var-hdr", "http-request set-var(req.h) req.hdr(x-in)\nhttp-request set-header X-Out %[var(req.h)]", g("/", "X-In: value")),
		ruleCase("acl-after-set-header", "http-request set-header X-A yes\nhttp-request del-header X-B\nhttp-request replace-value X-C ^a(.*) z\\1\nhttp-request deny deny_status 401 if { hdr(x-a) yes } { hdr(x-c) zb }\nhttp-request deny deny_status 404 if { hdr(x-b) -m found }", g("/", "X-B: 1", "X-C: ab, c"), g("/", "X-B: 1")),
		ruleCase("rule-order", "http-request set-header X-A 1\nhttp-request add-header X-A 2\nhttp-request del-header X-B\nhttp-request add-header X-B 3", g("/", "X-A: 0", "X-B: 0")),
		ruleCase("deny-then-later-rules", "http-request deny if { hdr(x-bad) -m found }\nhttp-request set-header X-Ok 1", g("/", "X-Bad: 1"), g("/")),
		ruleCase("reject", "http-request reject if { path /r }", g("/r")),
		{name: "rule-backend-rules", cfg: feBe("http-request set-header X-Fe 1", "http-request set-header X-Be 2\nhttp-request deny if { path /bd }"), conns: conns(g("/"), g("/bd"))},
		{name: "rule-auth", cfg: "userlist users\n    user alice insecure-password secret\n" +
			feBe("http-request auth realm Private unless { http_auth(users) }", ""),
			conns: conns(g("/"), g("/", "Authorization: Basic YWxpY2U6c2VjcmV0"), g("/", "Authorization: Basic YWxpY2U6d3Jvbmc="))},
		{name: "rule-auth-default-realm", cfg: "userlist users\n    user alice insecure-password secret\n" +
			feBe("http-request auth if !{ http_auth(users) }", ""), conns: conns(g("/"))},
		{name: "rule-auth-group", cfg: "userlist users\n    group admins users alice\n    user alice insecure-password a\n    user bob insecure-password b\n" +
			feBe("http-request auth realm Adm unless { http_auth_group(users) admins }", ""),
			conns: conns(g("/", "Authorization: Basic Ym9iOmI="), g("/", "Authorization: Basic YWxpY2U6YQ=="))},
		// http-response rules
		ruleCase("resp-set-header", "http-response set-header Server goha\nhttp-response set-header X-New 1", g("/hdrs")),
		ruleCase("resp-add-header", "http-response add-header Set-Cookie c=3", g("/hdrs")),
		ruleCase("resp-del-header", "http-response del-header X-Powered-By\nhttp-response del-header set-cookie", g("/hdrs")),
		ruleCase("resp-replace-header", `http-response replace-header X-Version ^v([0-9]+)\..*$ major-\1`, g("/hdrs")),
		ruleCase("resp-replace-value", `http-response replace-value Cache-Control ^private$ public`, g("/hdrs")),
		ruleCase("resp-cond-status", "http-response set-header X-Err yes if { status ge 400 }", g("/status/404"), g("/status/200")),
		ruleCase("resp-cond-reqpath", "http-request set-var(txn.p) path\nhttp-response add-header X-Was %[var(txn.p)]", g("/abc")),
		ruleCase("resp-deny", "http-response deny if { status 500 }", g("/status/500"), g("/status/201")),
		ruleCase("resp-set-status", "http-response set-status 299 reason Fine if { status 200 }", g("/")),
		{name: "rule-resp-backend", cfg: feBe("http-response add-header X-Fe 1", "http-response add-header X-Be 2"), conns: conns(g("/hdrs"))},
		ruleCase("resp-chunked-set-header", "http-response set-header X-C 1", g("/chunked")),
		// option forwardfor
		ruleCase("forwardfor", "option forwardfor", g("/")),
		ruleCase("forwardfor-existing", "option forwardfor", g("/", "X-Forwarded-For: 10.1.1.1")),
		ruleCase("forwardfor-except", "option forwardfor except 127.0.0.0/8", g("/")),
		ruleCase("forwardfor-except-miss", "option forwardfor except 10.0.0.0/8", g("/")),
		ruleCase("forwardfor-header", "option forwardfor header X-Client-IP", g("/", "X-Client-IP: 1.2.3.4")),
		ruleCase("forwardfor-if-none", "option forwardfor if-none", g("/", "X-Forwarded-For: 10.1.1.1"), g("/")),
		{name: "rule-forwardfor-backend", cfg: feBe("", "option forwardfor header X-Real"), conns: conns(g("/"))},
		// frontend and backend both set it: either "except" skips, the
		// backend's header name wins, if-none only when both say so
		{name: "rule-forwardfor-fe-except-be-plain", cfg: feBe("option forwardfor except 127.0.0.0/8 header X-Real-IP if-none", "option forwardfor"), conns: conns(g("/"))},
		{name: "rule-forwardfor-fe-header-be-plain", cfg: feBe("option forwardfor header X-Fe", "option forwardfor"), conns: conns(g("/"))},
		{name: "rule-forwardfor-fe-ifnone-be-plain", cfg: feBe("option forwardfor if-none", "option forwardfor"), conns: conns(g("/", "X-Forwarded-For: 10.1.1.1"))},
		{name: "rule-forwardfor-both-ifnone", cfg: feBe("option forwardfor if-none", "option forwardfor if-none"), conns: conns(g("/", "X-Forwarded-For: 10.1.1.1"))},
		ruleCase("forwardfor-with-set-header", "option forwardfor\nhttp-request set-header X-A 1", g("/", "Z: z")),
		ruleCase("forwardfor-http10", "option forwardfor", "GET / HTTP/1.0\r\nX-A: a\r\n\r\n"),
	}
	return cs
}

// --- connection modes, keep-alive and pipelining ---

func connCases() []bcase {
	two := func(first, second string) []bconn {
		return []bconn{{parts: []string{first, second}, pause: 100 * time.Millisecond}}
	}
	ka := req("GET", "/a")
	kb := req("GET", "/b")
	cs := []bcase{
		{name: "conn-keepalive-default", cfg: feBe("", ""), conns: two(ka, kb)},
		{name: "conn-httpclose", cfg: feBe("option httpclose", ""), conns: two(ka, kb)},
		{name: "conn-httpclose-backend", cfg: feBe("", "option httpclose"), conns: two(ka, kb)},
		{name: "conn-http-server-close", cfg: feBe("option http-server-close", ""), conns: two(ka, kb)},
		{name: "conn-http-keep-alive", cfg: feBe("option http-keep-alive", ""), conns: two(ka, kb)},
		{name: "conn-client-close", cfg: feBe("", ""), conns: two(req("GET", "/a", "Connection: close"), kb)},
		{name: "conn-http10", cfg: feBe("", ""), conns: two("GET /a HTTP/1.0\r\n\r\n", kb)},
		{name: "conn-http10-keepalive", cfg: feBe("", ""), conns: two("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET /b HTTP/1.0\r\n\r\n")},
		{name: "conn-server-closes", cfg: feBe("", ""), conns: two(req("GET", "/close"), kb)},
		{name: "conn-server-http10-body", cfg: feBe("", ""), conns: two(req("GET", "/http10"), kb)},
		{name: "conn-pipelined-3", cfg: feBe("", ""), conns: []bconn{{parts: []string{ka + kb + creq("GET", "/c")}}}},
		{name: "conn-pipelined-post", cfg: feBe("", ""), conns: []bconn{{parts: []string{"POST /p HTTP/1.1\r\nHost: e\r\nContent-Length: 4\r\n\r\nbody" + creq("GET", "/after")}}}},
		{name: "conn-pipelined-two-backends", cfg: feBe("use_backend be2 if { path /b }", ""), conns: []bconn{{parts: []string{ka + kb + creq("GET", "/a2")}}}},
		{name: "conn-pipelined-deny-middle", cfg: feBe("http-request deny if { path /b }", ""), conns: []bconn{{parts: []string{ka + kb + creq("GET", "/c")}}}},
		{name: "conn-connection-tokens", cfg: feBe("", ""), conns: conns(creq("GET", "/", "Connection: X-A, close ,X-B", "X-A: 1"))},
		// server connection reuse (http-reuse safe): x-nth counts requests
		// per server connection
		{name: "conn-reuse-same-session", cfg: feBe("", ""), conns: []bconn{{parts: []string{ka, kb, creq("GET", "/c")}, pause: 100 * time.Millisecond}}},
		{name: "conn-reuse-across-sessions", cfg: feBe("", ""), parallel: true, conns: []bconn{
			{parts: []string{ka, kb}, pause: 100 * time.Millisecond, quiet: 900 * time.Millisecond},
			{parts: []string{ka, kb}, at: 50 * time.Millisecond, pause: 100 * time.Millisecond, quiet: 900 * time.Millisecond}}},
		{name: "conn-reuse-never", cfg: feBe("", "http-reuse never"), conns: []bconn{{parts: []string{ka, kb, creq("GET", "/c")}, pause: 100 * time.Millisecond}}},
		{name: "conn-reuse-always", cfg: feBe("", "http-reuse always"), conns: []bconn{{parts: []string{creq("GET", "/a")}}, {parts: []string{creq("GET", "/b")}}}},
		{name: "conn-reuse-server-close", cfg: feBe("option http-server-close", ""), conns: []bconn{{parts: []string{ka, kb, creq("GET", "/c")}, pause: 100 * time.Millisecond}}},
		// two frontends sharing one backend: one balancer, one order
		{name: "conn-two-frontends-shared-backend", servers: 3,
			cfg:   "frontend fe1\n    bind {L}\n    default_backend be\nfrontend fe2\n    bind {L2}\n    http-request set-header X-Fe fe2\n    default_backend be\nbackend be\n    server s0 {S0}\n    server s1 {S1}\n    server s2 {S2}\n",
			conns: []bconn{{parts: []string{creq("GET", "/1")}}, {parts: []string{creq("GET", "/2")}, second: true}, {parts: []string{creq("GET", "/3")}, second: true}, {parts: []string{creq("GET", "/4")}}}},
		{name: "conn-listen-section", cfg: "listen app\n    bind {L}\n    bind {L2}\n    balance roundrobin\n    server s0 {S0}\n    server s1 {S1}\n",
			conns: []bconn{{parts: []string{creq("GET", "/1")}}, {parts: []string{creq("GET", "/2")}, second: true}, {parts: []string{creq("GET", "/3")}, second: true}}},
		{name: "conn-upgrade-token-kept", cfg: feBe("", ""), conns: conns(creq("GET", "/", "Connection: upgrade", "Upgrade: foo"))},
	}
	return cs
}

// --- error statuses and errorfile ---

func errorCases() []bcase {
	g := func(uri string, h ...string) string { return creq("GET", uri, h...) }
	cs := []bcase{
		{name: "err-400-bad-request-line", cfg: feBe("", ""), conns: conns("GET /a b c\r\n\r\n")},
		{name: "err-400-bad-header", cfg: feBe("", ""), conns: conns("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n")},
		{name: "err-403", cfg: feBe("http-request deny", ""), conns: conns(g("/"))},
		{name: "err-403-keepalive", cfg: feBe("http-request deny", ""), conns: []bconn{{parts: []string{req("GET", "/")}}}},
		{name: "err-408", cfg: feBe("timeout http-request 200ms", ""), conns: []bconn{{parts: []string{"GET / HTTP/1.1\r\nHost: e\r\n"}, quiet: 600 * time.Millisecond}}},
		// a connection that sends nothing: the first request's wait (goproxy parks it) runs out
		{name: "err-408-empty", cfg: feBe("timeout http-request 200ms", ""), conns: []bconn{{parts: []string{}, quiet: 600 * time.Millisecond}}},
		// the request comes a while after the connection (goproxy parks it meanwhile)
		{name: "first-request-late", cfg: feBe("", ""), conns: []bconn{{parts: []string{"", "GET / HTTP/1.1\r\nHost: e\r\nConnection: close\r\n\r\n"}, pause: 150 * time.Millisecond}}},
		{name: "err-500-tarpit", cfg: feBe("timeout tarpit 100ms\nhttp-request tarpit", ""), conns: conns(g("/"))},
		{name: "err-502-garbage", cfg: feBe("", ""), conns: conns(g("/garbage"))},
		{name: "err-502-drop", cfg: feBe("", ""), conns: conns(g("/drop"))},
		{name: "err-502-keepalive", cfg: feBe("", ""), conns: []bconn{{parts: []string{req("GET", "/drop"), g("/ok")}, pause: 200 * time.Millisecond}}},
		{name: "err-503-no-server", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n", conns: conns(g("/"))},
		{name: "err-503-no-backend", cfg: "frontend fe\n    bind {L}\n", conns: conns(g("/"))},
		{name: "err-503-all-down", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    server s0 {DEAD} check inter 50ms fall 1\n", settle: 300 * time.Millisecond, conns: conns(g("/"))},
		{name: "err-503-refused", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    retries 0\n    server s0 {DEAD}\n", conns: conns(g("/"))},
		{name: "err-503-refused-retries", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    retries 2\n    timeout connect 200ms\n    server s0 {DEAD}\n", conns: conns(g("/"))},
		{name: "err-503-keepalive", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    retries 0\n    server s0 {DEAD}\n", conns: []bconn{{parts: []string{req("GET", "/")}}}},
		{name: "err-504", cfg: feBe("", "timeout server 200ms"), conns: []bconn{{parts: []string{g("/slow/600")}, quiet: 800 * time.Millisecond}}},
		{name: "err-deny-status-400", cfg: feBe("http-request deny deny_status 400", ""), conns: conns(g("/"))},
		{name: "err-deny-status-401", cfg: feBe("http-request deny deny_status 401", ""), conns: conns(g("/"))},
		{name: "err-deny-status-404", cfg: feBe("http-request deny deny_status 404", ""), conns: conns(g("/"))},
		{name: "err-deny-status-405", cfg: feBe("http-request deny deny_status 405", ""), conns: conns(g("/"))},
		{name: "err-deny-status-408", cfg: feBe("http-request deny deny_status 408", ""), conns: conns(req("GET", "/"))},
		{name: "err-deny-status-410", cfg: feBe("http-request deny deny_status 410", ""), conns: conns(g("/"))},
		{name: "err-deny-status-413", cfg: feBe("http-request deny deny_status 413", ""), conns: conns(g("/"))},
		{name: "err-deny-status-425", cfg: feBe("http-request deny deny_status 425", ""), conns: conns(g("/"))},
		{name: "err-deny-status-429", cfg: feBe("http-request deny deny_status 429", ""), conns: conns(g("/"))},
		{name: "err-deny-status-500", cfg: feBe("http-request deny deny_status 500", ""), conns: conns(g("/"))},
		{name: "err-deny-status-501", cfg: feBe("http-request deny deny_status 501", ""), conns: conns(g("/"))},
		{name: "err-deny-status-502", cfg: feBe("http-request deny deny_status 502", ""), conns: conns(g("/"))},
		{name: "err-deny-status-503", cfg: feBe("http-request deny deny_status 503", ""), conns: conns(g("/"))},
		{name: "err-deny-status-504", cfg: feBe("http-request deny deny_status 504", ""), conns: conns(g("/"))},
		{name: "err-deny-status-200", cfg: feBe("http-request deny deny_status 200", ""), conns: conns(g("/"))},
		{name: "err-403-head", cfg: feBe("http-request deny", ""), conns: conns(creq("HEAD", "/"))},
		{name: "err-503-head", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n", conns: conns(creq("HEAD", "/"))},
		{name: "err-redirect-head", cfg: feBe("http-request redirect location /x", ""), conns: conns(creq("HEAD", "/"))},
		{name: "err-return-head", cfg: feBe("http-request return status 200 content-type text/plain string hello", ""), conns: conns(creq("HEAD", "/"))},
		{name: "errorfile-defaults", cfg: "defaults\n    mode http\n    timeout connect 300ms\n    timeout client 2s\n    timeout server 2s\n    errorfile 503 {DIR}/503.http\n" +
			"frontend fe\n    bind {L}\n    default_backend be\nbackend be\n",
			files: map[string]string{"503.http": "HTTP/1.1 503 Down\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\ndown\n"},
			conns: conns(g("/"))},
		{name: "errorfile-503", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    errorfile 503 {DIR}/503.http\n",
			files: map[string]string{"503.http": "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body>custom 503</body></html>\n"},
			conns: conns(g("/"))},
		{name: "errorfile-403-frontend", cfg: feBe("errorfile 403 {DIR}/403.http\nhttp-request deny", ""),
			files: map[string]string{"403.http": "HTTP/1.1 403 Go Away\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-Extra: yes\r\n\r\nnope\n"},
			conns: conns(g("/"))},
		{name: "errorfile-502", cfg: feBe("", "errorfile 502 {DIR}/502.http"),
			files: map[string]string{"502.http": "HTTP/1.1 502 Bad\r\nContent-Length: 4\r\n\r\nbad\n"},
			conns: conns(g("/garbage"))},
		{name: "errorfile-504", cfg: feBe("", "timeout server 150ms\nerrorfile 504 {DIR}/504.http"),
			files: map[string]string{"504.http": "HTTP/1.1 504 Slow\r\nContent-Length: 5\r\n\r\nslow\n"},
			conns: []bconn{{parts: []string{g("/slow/500")}, quiet: 700 * time.Millisecond}}},
		{name: "errorfile-400", cfg: feBe("errorfile 400 {DIR}/400.http", ""),
			files: map[string]string{"400.http": "HTTP/1.1 400 Bad\r\nContent-Length: 4\r\n\r\nbad\n"},
			conns: conns("GET /a b c\r\n\r\n")},
		{name: "errorfile-deny-status", cfg: feBe("errorfile 429 {DIR}/429.http\nhttp-request deny deny_status 429", ""),
			files: map[string]string{"429.http": "HTTP/1.1 429 Slow Down\r\nContent-Length: 5\r\nRetry-After: 1\r\n\r\nwait\n"},
			conns: conns(g("/"))},
	}
	return cs
}

// --- bodies: chunked, HEAD/204/304, 100-continue, websocket ---

func bodyCases() []bcase {
	cs := []bcase{
		{name: "body-content-length", cfg: feBe("", ""), conns: conns("POST /p HTTP/1.1\r\nHost: e\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world")},
		{name: "body-content-length-split", cfg: feBe("", ""), conns: []bconn{{parts: []string{"POST /p HTTP/1.1\r\nHost: e\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello", " world"}, pause: 100 * time.Millisecond}}},
		{name: "body-chunked-request", cfg: feBe("", ""), conns: conns("POST /p HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n")},
		{name: "body-chunked-request-split", cfg: feBe("", ""), conns: []bconn{{parts: []string{"POST /p HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n", "6\r\n world\r\n", "0\r\n\r\n"}, pause: 100 * time.Millisecond}}},
		{name: "body-chunked-response", cfg: feBe("", ""), conns: conns(creq("GET", "/chunked"))},
		{name: "body-chunked-both", cfg: feBe("", ""), conns: conns("POST /chunked HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\na\r\n0123456789\r\n0\r\n\r\n")},
		{name: "body-chunked-keepalive", cfg: feBe("", ""), conns: []bconn{{parts: []string{req("GET", "/chunked"), creq("GET", "/after")}, pause: 100 * time.Millisecond}}},
		{name: "body-chunked-http10-client", cfg: feBe("", ""), conns: conns("GET /chunked HTTP/1.0\r\n\r\n")},
		{name: "body-head", cfg: feBe("", ""), conns: conns(creq("HEAD", "/"))},
		{name: "body-head-chunked", cfg: feBe("", ""), conns: conns(creq("HEAD", "/chunked"))},
		{name: "body-head-keepalive", cfg: feBe("", ""), conns: []bconn{{parts: []string{req("HEAD", "/"), creq("GET", "/x")}, pause: 100 * time.Millisecond}}},
		{name: "body-204", cfg: feBe("", ""), conns: []bconn{{parts: []string{req("GET", "/status/204"), creq("GET", "/x")}, pause: 100 * time.Millisecond}}},
		{name: "body-304", cfg: feBe("", ""), conns: []bconn{{parts: []string{req("GET", "/status/304"), creq("GET", "/x")}, pause: 100 * time.Millisecond}}},
		{name: "body-404-passthrough", cfg: feBe("", ""), conns: conns(creq("GET", "/status/404"))},
		{name: "body-100-continue", cfg: feBe("", ""), conns: []bconn{{parts: []string{"POST /continue HTTP/1.1\r\nHost: e\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\n", "data"}, pause: 200 * time.Millisecond}}},
		{name: "body-100-continue-no-interim", cfg: feBe("", ""), conns: []bconn{{parts: []string{"POST /p HTTP/1.1\r\nHost: e\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\n", "data"}, pause: 200 * time.Millisecond}}},
		{name: "body-websocket", cfg: feBe("", ""), conns: []bconn{{parts: []string{"GET /ws HTTP/1.1\r\nHost: e\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: abcdefghijklmnopqrstuv==\r\nSec-WebSocket-Version: 13\r\n\r\n", "ping-1", "ping-2"}, pause: 300 * time.Millisecond, quiet: time.Second}}},
		{name: "body-websocket-keep-open", cfg: feBe("", ""), conns: []bconn{{parts: []string{"GET /ws HTTP/1.1\r\nHost: e\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: abcdefghijklmnopqrstuv==\r\nSec-WebSocket-Version: 13\r\n\r\n", "raw bytes\x00\x01"}, pause: 300 * time.Millisecond, quiet: time.Second}}},
		{name: "body-large-response-echo", cfg: feBe("", ""), conns: conns("POST /p HTTP/1.1\r\nHost: e\r\nContent-Length: 40000\r\nConnection: close\r\n\r\n" + strings.Repeat("0123456789", 4000))},
		{name: "body-get-with-body", cfg: feBe("", ""), conns: conns("GET /g HTTP/1.1\r\nHost: e\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")},
		{name: "body-server-half-close", cfg: feBe("", ""), conns: conns(creq("GET", "/half"))},
	}
	return cs
}

// --- timeouts with short values ---

func timeoutCases() []bcase {
	g := func(uri string, h ...string) string { return creq("GET", uri, h...) }
	cs := []bcase{
		{name: "timeout-connect", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    timeout connect 100ms\n    retries 1\n    server s0 {BLACK}\n",
			conns: []bconn{{parts: []string{g("/")}, quiet: time.Second}}},
		{name: "timeout-client-head", cfg: feBe("timeout client 200ms", ""), conns: []bconn{{parts: []string{"GET / HTTP/1.1\r\n"}, quiet: 700 * time.Millisecond}}},
		{name: "timeout-client-idle", cfg: feBe("timeout client 200ms", ""), conns: []bconn{{parts: []string{}, quiet: 700 * time.Millisecond}}},
		{name: "timeout-client-body", cfg: feBe("timeout client 200ms", ""), conns: []bconn{{parts: []string{"POST / HTTP/1.1\r\nHost: e\r\nContent-Length: 10\r\n\r\nabc"}, quiet: 2500 * time.Millisecond}}},
		{name: "timeout-server", cfg: feBe("", "timeout server 150ms"), conns: []bconn{{parts: []string{req("GET", "/slow/500")}, quiet: 800 * time.Millisecond}}},
		{name: "timeout-server-ok", cfg: feBe("", "timeout server 500ms"), conns: []bconn{{parts: []string{g("/slow/100")}, quiet: 700 * time.Millisecond}}},
		{name: "timeout-http-request", cfg: feBe("timeout http-request 200ms", ""), conns: []bconn{{parts: []string{"GET / HTTP/1.1\r\n", "Host: e\r\n"}, pause: 100 * time.Millisecond, quiet: 600 * time.Millisecond}}},
		{name: "timeout-http-request-idle", cfg: feBe("timeout http-request 200ms", ""), conns: []bconn{{quiet: 600 * time.Millisecond}}},
		{name: "timeout-http-keep-alive", cfg: feBe("timeout http-keep-alive 150ms", ""), conns: []bconn{{parts: []string{req("GET", "/")}, quiet: 600 * time.Millisecond}}},
		{name: "timeout-http-keep-alive-partial", cfg: feBe("timeout http-keep-alive 150ms\ntimeout http-request 400ms", ""), conns: []bconn{{parts: []string{req("GET", "/"), "GET / HT"}, pause: 50 * time.Millisecond, quiet: 900 * time.Millisecond}}},
		{name: "timeout-queue", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    timeout queue 150ms\n    server s0 {S0} maxconn 1\n",
			parallel: true, conns: []bconn{{parts: []string{g("/slow/500")}, quiet: 900 * time.Millisecond}, {parts: []string{g("/queued")}, at: 100 * time.Millisecond, quiet: 900 * time.Millisecond}}},
		{name: "timeout-queue-served", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    timeout queue 1s\n    server s0 {S0} maxconn 1\n",
			parallel: true, conns: []bconn{{parts: []string{g("/slow/200")}, quiet: 900 * time.Millisecond}, {parts: []string{g("/queued")}, at: 50 * time.Millisecond, quiet: 900 * time.Millisecond}}},
		{name: "timeout-maxqueue", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    timeout queue 3s\n    server s0 {S0} maxconn 1 maxqueue 1\n    server s1 {S1} maxconn 1 maxqueue 1\n",
			parallel: true, conns: []bconn{{parts: []string{g("/slow/900")}, quiet: 1500 * time.Millisecond}, {parts: []string{g("/slow/1500")}, at: 150 * time.Millisecond, quiet: 1500 * time.Millisecond},
				{parts: []string{g("/q1")}, at: 450 * time.Millisecond, quiet: 1500 * time.Millisecond}, {parts: []string{g("/q2")}, at: 550 * time.Millisecond, quiet: 1500 * time.Millisecond},
				{parts: []string{g("/q3")}, at: 650 * time.Millisecond, quiet: 1500 * time.Millisecond}}},
		{name: "timeout-tunnel", cfg: feBe("", "timeout tunnel 200ms"), conns: []bconn{{parts: []string{"GET /ws HTTP/1.1\r\nHost: e\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: abcdefghijklmnopqrstuv==\r\nSec-WebSocket-Version: 13\r\n\r\n"}, quiet: 700 * time.Millisecond}}},
		{name: "timeout-client-fin", cfg: "frontend fe\n    bind {L}\n    timeout client-fin 150ms\n    default_backend be\nbackend be\n    timeout tunnel 2s\n    server s0 {S0}\n",
			conns: []bconn{{parts: []string{"GET /ws HTTP/1.1\r\nHost: e\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: abcdefghijklmnopqrstuv==\r\nSec-WebSocket-Version: 13\r\n\r\n", "x"}, pause: 300 * time.Millisecond, halfClose: true, quiet: 700 * time.Millisecond}}},
		{name: "retries-redispatch", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    retries 2\n    option redispatch\n    timeout connect 100ms\n    server s0 {DEAD}\n    server s1 {S1}\n",
			conns: conns(g("/1"), g("/2"), g("/3"))},
		{name: "retries-no-redispatch", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    retries 1\n    timeout connect 200ms\n    server s0 {DEAD}\n    server s1 {S1}\n",
			conns: conns(g("/1"), g("/2"), g("/3"))},
		{name: "retries-redispatch-hash", cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    balance uri\n    retries 2\n    option redispatch\n    timeout connect 200ms\n    server s0 {DEAD}\n    server s1 {S1}\n",
			conns: conns(g("/1"), g("/2"), g("/3"), g("/4"))},
		{name: "maxconn-frontend", cfg: "frontend fe\n    bind {L}\n    maxconn 1\n    default_backend be\nbackend be\n    server s0 {S0}\n",
			parallel: true, conns: []bconn{{parts: []string{g("/slow/300")}, quiet: 900 * time.Millisecond}, {parts: []string{g("/second")}, at: 50 * time.Millisecond, quiet: 900 * time.Millisecond}}},
	}
	return cs
}

// --- mode tcp ---

func tcpCases() []bcase {
	tcpBe := func(algo string, servers ...string) string {
		s := "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    balance " + algo + "\n"
		for _, l := range servers {
			s += "    " + l + "\n"
		}
		return s
	}
	cs := []bcase{
		{name: "tcp-echo-halfclose", tcp: true, cfg: tcpBe("roundrobin", "server s0 {S0}"), conns: []bconn{{parts: []string{"hello\n", "world\x00\xff"}, pause: 50 * time.Millisecond, halfClose: true}}},
		{name: "tcp-http-through", tcp: true, cfg: tcpBe("roundrobin", "server s0 {S0}"), conns: conns("GeT /Raw HTTP/1.1\r\nhOST: x\r\nX-Odd:   spaced  \r\nConnection: close\r\n\r\n")},
		{name: "tcp-http-keepalive-two", tcp: true, cfg: tcpBe("roundrobin", "server s0 {S0}", "server s1 {S1}"), conns: []bconn{{parts: []string{req("GET", "/a"), creq("GET", "/b")}, pause: 100 * time.Millisecond}}},
		{name: "tcp-roundrobin-seq", tcp: true, servers: 3, cfg: tcpBe("roundrobin", "server s0 {S0} weight 1", "server s1 {S1} weight 2", "server s2 {S2} weight 3"), seq: &bseq{n: 100}},
		{name: "tcp-leastconn-seq", tcp: true, servers: 3, cfg: tcpBe("leastconn", "server s0 {S0}", "server s1 {S1}", "server s2 {S2} backup"), seq: &bseq{n: 30, gap: 100 * time.Millisecond}},
		{name: "tcp-source-seq", tcp: true, servers: 3, cfg: tcpBe("source", "server s0 {S0}", "server s1 {S1} weight 2", "server s2 {S2}"), seq: &bseq{n: 60, src: srcSeq}},
		{name: "tcp-check-down-seq", tcp: true, servers: 3, settle: 400 * time.Millisecond, cfg: tcpBe("roundrobin", "server s0 {DEAD} check inter 50ms fall 1", "server s1 {S1} check", "server s2 {S2} check"), seq: &bseq{n: 60}},
		{name: "tcp-httpchk-down-seq", tcp: true, servers: 3, settle: 400 * time.Millisecond, cfg: tcpBe("roundrobin\n    option httpchk GET /status/500", "server s0 {S0} check inter 50ms fall 1", "server s1 {S1}", "server s2 {S2}"), seq: &bseq{n: 40}},
		{name: "tcp-no-server", tcp: true, cfg: "frontend fe\n    bind {L}\n    default_backend be\nbackend be\n    retries 0\n    server s0 {DEAD}\n", conns: conns("hello")},
		{name: "tcp-timeout-client", tcp: true, cfg: "frontend fe\n    bind {L}\n    timeout client 200ms\n    default_backend be\nbackend be\n    timeout server 200ms\n    server s0 {S0}\n", conns: []bconn{{parts: []string{"idle\n"}, quiet: 700 * time.Millisecond}}},
		{name: "tcp-redispatch", tcp: true, cfg: tcpBe("roundrobin\n    retries 2\n    option redispatch\n    timeout connect 200ms", "server s0 {DEAD}", "server s1 {S1}"), seq: &bseq{n: 10}},
	}
	return cs
}

// --- hostile and broken requests ---

func hostileCases() []bcase {
	h := func(name, raw string) bcase {
		return bcase{name: "hostile-" + name, cfg: feBe("", ""), conns: []bconn{{parts: []string{raw}, quiet: 300 * time.Millisecond}}}
	}
	many := "GET / HTTP/1.1\r\nHost: e\r\n"
	for i := 0; i < 101; i++ {
		many += "X-H" + strconv.Itoa(i) + ": v\r\n"
	}
	many += "Connection: close\r\n\r\n"
	return []bcase{
		h("cl-and-te", "POST / HTTP/1.1\r\nHost: e\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
		h("cl-differ", "POST / HTTP/1.1\r\nHost: e\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
		h("cl-same-twice", "POST / HTTP/1.1\r\nHost: e\r\nContent-Length: 3\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"),
		h("te-gzip", "POST / HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: gzip\r\n\r\nabc"),
		h("te-gzip-chunked", "POST / HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
		h("bad-chunk-size", "POST / HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
		h("bare-lf", "GET /lf HTTP/1.1\nHost: e\nX-A: 1\nConnection: close\n\n"),
		h("obs-fold", "GET / HTTP/1.1\r\nHost: e\r\nX-Fold: a\r\n  b\r\nConnection: close\r\n\r\n"),
		h("nul-in-value", "GET / HTTP/1.1\r\nHost: e\r\nX-N: a\x00b\r\nConnection: close\r\n\r\n"),
		h("invalid-header-name", "GET / HTTP/1.1\r\nHost: e\r\nX(A): 1\r\n\r\n"),
		h("space-before-colon", "GET / HTTP/1.1\r\nHost: e\r\nX-A : 1\r\n\r\n"),
		h("uri-too-long", "GET /"+strings.Repeat("a", 17000)+" HTTP/1.1\r\nHost: e\r\n\r\n"),
		h("too-many-headers", many),
		h("http09", "GET /\r\n\r\n"),
		h("http20-version", "GET / HTTP/2.0\r\nHost: e\r\nConnection: close\r\n\r\n"),
		h("http12-version", "GET / HTTP/1.2\r\nHost: e\r\nConnection: close\r\n\r\n"),
		h("lowercase-version", "GET / http/1.1\r\nHost: e\r\n\r\n"),
		h("absolute-uri", "GET http://example.com:80/p HTTP/1.1\r\nHost: example.com:80\r\nConnection: close\r\n\r\n"),
		h("host-mismatch", "GET http://a.example/p HTTP/1.1\r\nHost: b.example\r\n\r\n"),
		h("two-hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
		h("empty-lines-first", "\r\n\r\nGET /after-blank HTTP/1.1\r\nHost: e\r\nConnection: close\r\n\r\n"),
	}
}
