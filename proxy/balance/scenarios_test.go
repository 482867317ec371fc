package balance

import (
	"fmt"
	"strings"
	"time"
)

// Request generators shared by the scenarios.

func pathReq(i int) reqSpec {
	return reqSpec{URI: fmt.Sprintf("/d%d/s%d/f%d.html?q=%d&id=%d", i%7, i%5, i%13, i%3, i)}
}

func srcReq(i int) reqSpec {
	return reqSpec{Src: fmt.Sprintf("127.0.0.%d", i%20+1)}
}

func wideSrcReq(i int) reqSpec {
	return reqSpec{Src: fmt.Sprintf("127.%d.%d.%d", i*37%256, i*101%256, i%200+1)}
}

// paramReq carries "id" in most requests; every 7th has none, so the
// hashing falls back to round robin.
func paramReq(i int) reqSpec {
	switch {
	case i%7 == 3:
		return reqSpec{URI: fmt.Sprintf("/p?other=%d", i)}
	case i%5 == 1:
		return reqSpec{URI: fmt.Sprintf("/p?a=1&id=u%d&b=2", i%17)}
	}
	return reqSpec{URI: fmt.Sprintf("/p?id=u%d", i%23)}
}

func hostReq(i int) reqSpec {
	if i%9 == 4 {
		return reqSpec{HTTP10: true} // no Host: falls back to round robin
	}
	return reqSpec{Headers: [][2]string{{"Host", fmt.Sprintf("www%d.site%d.example%d.com", i%4, i%11, i%3)}}}
}

// keyReq varies X-Key, sometimes absent, empty, or a list.
func keyReq(i int) reqSpec {
	switch i % 10 {
	case 2:
		return reqSpec{}
	case 5:
		return reqSpec{Headers: [][2]string{{"X-Key", ""}}}
	case 7:
		return reqSpec{Headers: [][2]string{{"X-Key", fmt.Sprintf(" k%d , other", i%6)}}}
	}
	return reqSpec{Headers: [][2]string{{"X-Key", fmt.Sprintf("key-%d", i%19)}}}
}

// tcpReq is an opaque payload for mode tcp scenarios.
func tcpReq(i int) reqSpec { return reqSpec{Raw: fmt.Sprintf("HELLO %d\r\n", i)} }

// rdpReq sends an RDP connection request with a "Cookie: mstshash=" line
// (the X.224 header is 11 bytes); some use another cookie name, some none.
func rdpReq(i int) reqSpec {
	const x224 = "\x03\x00\x00\x2c\x27\xe0\x00\x00\x00\x00\x00"
	switch i % 6 {
	case 2:
		return reqSpec{Raw: x224 + "NoCookieHere\r\n"}
	case 4:
		return reqSpec{Raw: fmt.Sprintf(x224+"Cookie: user=u%d\r\n", i%9)}
	}
	return reqSpec{Raw: fmt.Sprintf(x224+"Cookie: mstshash=user%d\r\n", i%13)}
}

func weighted(ws ...int) []string {
	var out []string
	for i, w := range ws {
		out = append(out, fmt.Sprintf("s%d weight %d", i+1, w))
	}
	return out
}

func cliAt(pairs ...any) map[int][]step {
	m := map[int][]step{}
	for i := 0; i < len(pairs); i += 2 {
		m[pairs[i].(int)] = append(m[pairs[i].(int)], step{CLI: pairs[i+1].(string)})
	}
	return m
}

func scenarios() []*scenario {
	var out []*scenario
	add := func(sc *scenario) { out = append(out, sc) }

	weightSets := [][]int{{1, 1}, {1, 2}, {3, 2, 1}, {10, 1}, {256, 1}, {5, 5, 5, 5}, {0, 1}, {7, 3, 2}}
	for _, algo := range []string{"roundrobin", "static-rr"} {
		short := map[string]string{"roundrobin": "rr", "static-rr": "srr"}[algo]
		for _, ws := range weightSets {
			name := short + "_w"
			for i, w := range ws {
				if i > 0 {
					name += "_"
				}
				name += fmt.Sprint(w)
			}
			add(&scenario{Name: name, Backend: []string{"balance " + algo}, Servers: weighted(ws...)})
		}
		add(&scenario{Name: short + "_backup", Backend: []string{"balance " + algo},
			Servers: []string{"s1 weight 2", "s2", "b1 backup", "b2 backup weight 3"},
			Steps: cliAt(30, "disable server be/s1", 50, "disable server be/s2",
				70, "disable server be/b1", 85, "enable server be/s1")})
		add(&scenario{Name: short + "_allbackups", Backend: []string{"balance " + algo, "option allbackups"},
			Servers: []string{"s1 disabled", "b1 backup", "b2 backup weight 2", "b3 backup"},
			Steps:   cliAt(40, "disable server be/b2", 60, "enable server be/s1", 80, "disable server be/s1")})
		add(&scenario{Name: short + "_disabled", Backend: []string{"balance " + algo},
			Servers: []string{"s1 weight 2", "s2 disabled", "s3 weight 3"}})
		add(&scenario{Name: short + "_disable_mid", Backend: []string{"balance " + algo},
			Servers: weighted(2, 1, 1),
			Steps:   cliAt(25, "disable server be/s1", 55, "enable server be/s1", 70, "disable server be/s3")})
	}
	add(&scenario{Name: "rr_set_weight", Backend: []string{"balance roundrobin"}, Servers: weighted(1, 1, 1),
		Steps: cliAt(20, "set weight be/s1 3", 45, "set weight be/s2 0", 60, "set weight be/s2 2", 80, "set weight be/s3 200%")})
	add(&scenario{Name: "srr_set_weight", Backend: []string{"balance static-rr"}, Servers: weighted(3, 1, 2),
		Steps: cliAt(30, "set weight be/s1 0", 60, "set weight be/s1 100%")})

	// leastconn: sequential requests find every server idle.
	add(&scenario{Name: "lc_w1_1_1", Backend: []string{"balance leastconn"}, Servers: weighted(1, 1, 1)})
	add(&scenario{Name: "lc_w3_2_1", Backend: []string{"balance leastconn"}, Servers: weighted(3, 2, 1),
		Steps: cliAt(40, "disable server be/s2", 70, "enable server be/s2")})
	// leastconn with held connections: loads differ, weights matter.
	lcHold := func(i int) bool { return i%4 != 3 }
	add(&scenario{Name: "lc_held", Backend: []string{"balance leastconn"}, Servers: weighted(3, 2, 1), N: 60,
		Req: func(i int) reqSpec { return reqSpec{Hold: lcHold(i)} }, Steps: holdPlan(60, lcHold, 6, 2)})
	// first: fills the lowest id up to its maxconn, then the next id.
	fHold := func(i int) bool { return i%3 != 2 }
	add(&scenario{Name: "first_maxconn", Backend: []string{"balance first"},
		Servers: []string{"s1 maxconn 2", "s2 maxconn 3", "s3 maxconn 2 id 7", "s4 id 5 maxconn 1"}, N: 40,
		Req: func(i int) reqSpec { return reqSpec{Hold: fHold(i)} }, Steps: holdPlan(40, fHold, 6, 3)})

	// hashing: each algorithm with both hash types
	for _, ht := range []string{"map-based", "consistent"} {
		short := map[string]string{"map-based": "map", "consistent": "chash"}[ht]
		hl := "hash-type " + ht
		add(&scenario{Name: "source_" + short, Backend: []string{"balance source", hl}, Servers: weighted(1, 2, 1), Req: srcReq})
		add(&scenario{Name: "source_wide_" + short, Backend: []string{"balance source", hl}, Servers: weighted(3, 1, 2, 1), Req: wideSrcReq,
			Steps: cliAt(50, "disable server be/s1", 75, "enable server be/s1")})
		add(&scenario{Name: "uri_" + short, Backend: []string{"balance uri", hl}, Servers: weighted(1, 1, 2), Req: pathReq})
		add(&scenario{Name: "uri_len_depth_" + short, Backend: []string{"balance uri len 9 depth 2", hl}, Servers: weighted(1, 1, 1, 1), Req: pathReq})
		add(&scenario{Name: "uri_depth1_" + short, Backend: []string{"balance uri depth 1", hl}, Servers: weighted(1, 1, 1), Req: pathReq})
		add(&scenario{Name: "uri_whole_" + short, Backend: []string{"balance uri whole", hl}, Servers: weighted(2, 1, 1), Req: pathReq})
		add(&scenario{Name: "url_param_" + short, Backend: []string{"balance url_param id", hl}, Servers: weighted(1, 1, 1), Req: paramReq})
		add(&scenario{Name: "hdr_host_" + short, Backend: []string{"balance hdr(host)", hl}, Servers: weighted(1, 1, 1), Req: hostReq})
		add(&scenario{Name: "hdr_domain_" + short, Backend: []string{"balance hdr(Host) use_domain_only", hl}, Servers: weighted(1, 1, 1), Req: hostReq})
		add(&scenario{Name: "hdr_key_" + short, Backend: []string{"balance hdr(X-Key)", hl}, Servers: weighted(2, 1, 1), Req: keyReq})
		for _, fn := range []string{"sdbm", "djb2", "wt6", "crc32"} {
			for _, av := range []string{"", " avalanche"} {
				name := "uri_" + short + "_" + fn
				if av != "" {
					name += "_aval"
				}
				add(&scenario{Name: name, Backend: []string{"balance uri", hl + " " + fn + av}, Servers: weighted(1, 1, 1, 1), Req: pathReq})
			}
		}
	}
	add(&scenario{Name: "source_map_aval", Backend: []string{"balance source", "hash-type map-based sdbm avalanche"}, Servers: weighted(1, 1, 1), Req: wideSrcReq})
	add(&scenario{Name: "source_chash_one_left", Backend: []string{"balance source", "hash-type consistent"},
		Servers: []string{"s1", "s2 disabled", "b1 backup"}, Req: srcReq,
		Steps: cliAt(40, "disable server be/s1", 70, "enable server be/s2")})
	add(&scenario{Name: "uri_chash_set_weight", Backend: []string{"balance uri", "hash-type consistent"}, Servers: weighted(1, 1, 1), Req: pathReq,
		Steps: cliAt(30, "set weight be/s1 4", 60, "set weight be/s2 0", 80, "set weight be/s2 1")})
	add(&scenario{Name: "uri_map_backup", Backend: []string{"balance uri"},
		Servers: []string{"s1", "s2", "b1 backup weight 2", "b2 backup weight 3"}, Req: pathReq,
		Steps: cliAt(30, "disable server be/s1", 50, "disable server be/s2", 75, "enable server be/s2")})
	// saturation: servers at maxconn are skipped (and requeued by FWRR)
	satHold := func(i int) bool { return i%5 != 4 }
	for _, algo := range []string{"roundrobin", "static-rr", "leastconn"} {
		add(&scenario{Name: "maxconn_" + strings.ReplaceAll(algo, "-", ""), Backend: []string{"balance " + algo},
			Servers: []string{"s1 weight 3 maxconn 1", "s2 weight 2 maxconn 2", "s3 weight 1", "s4 weight 2 maxconn 1"}, N: 80,
			Req: func(i int) reqSpec { return reqSpec{Hold: satHold(i)} }, Steps: holdPlan(80, satHold, 5, 2)})
	}
	// bounded load: held connections push keys off their first choice
	add(&scenario{Name: "uri_chash_balance_factor", Backend: []string{"balance uri", "hash-type consistent", "hash-balance-factor 125"},
		Servers: weighted(1, 1, 2), N: 80,
		Req: func(i int) reqSpec { r := pathReq(i); r.Hold = satHold(i); return r }, Steps: holdPlan(80, satHold, 8, 3)})
	add(&scenario{Name: "random_draws3_held", Backend: []string{"balance random(3)"}, Servers: weighted(2, 1, 1), N: 80,
		Req: func(i int) reqSpec { return reqSpec{Hold: satHold(i)} }, Steps: holdPlan(80, satHold, 8, 3)})
	add(&scenario{Name: "random_balance_factor", Backend: []string{"balance random", "hash-balance-factor 150"}, Servers: weighted(1, 1, 1), N: 80,
		Req: func(i int) reqSpec { return reqSpec{Hold: satHold(i)} }, Steps: holdPlan(80, satHold, 8, 3)})
	add(&scenario{Name: "lc_held_set_weight", Backend: []string{"balance leastconn"}, Servers: weighted(1, 1, 1), N: 80,
		Req: func(i int) reqSpec { return reqSpec{Hold: satHold(i)} },
		Steps: func() map[int][]step {
			m := holdPlan(80, satHold, 6, 2)
			m[20] = append(m[20], step{CLI: "set weight be/s1 4"})
			m[50] = append(m[50], step{CLI: "set weight be/s3 0"})
			return m
		}()})
	// url_param in a POST body (check_post)
	add(&scenario{Name: "url_param_check_post", Backend: []string{"balance url_param id check_post"}, Servers: weighted(1, 1, 1),
		Req: func(i int) reqSpec {
			switch i % 4 {
			case 0:
				return reqSpec{URI: "/form", Body: fmt.Sprintf("a=1&id=v%d&z=2", i%13)}
			case 1:
				return reqSpec{URI: "/form", Body: fmt.Sprintf("id=v%d", i%7)}
			case 2:
				return reqSpec{URI: "/form", Body: "nothing=here"}
			}
			return reqSpec{URI: fmt.Sprintf("/form?id=q%d", i%5), Body: "id=ignored"}
		}})
	// path-only ignores scheme and authority of absolute-form targets
	add(&scenario{Name: "uri_path_only", Backend: []string{"balance uri path-only"}, Servers: weighted(1, 1, 1),
		Req: func(i int) reqSpec {
			r := pathReq(i)
			if i%2 == 0 {
				// haproxy answers 400 when Host differs from the authority
				host := fmt.Sprintf("h%d.example", i%3)
				r.URI = "http://" + host + r.URI
				r.Headers = [][2]string{{"Host", host}}
			}
			return r
		}})
	add(&scenario{Name: "uri_absolute", Backend: []string{"balance uri"}, Servers: weighted(1, 1, 1),
		Req: func(i int) reqSpec {
			r := pathReq(i)
			if i%2 == 0 {
				// haproxy answers 400 when Host differs from the authority
				host := fmt.Sprintf("h%d.example", i%3)
				r.URI = "http://" + host + r.URI
				r.Headers = [][2]string{{"Host", host}}
			}
			return r
		}})
	// consistent-hash round robin (no key) resumes after its last point,
	// even when that point is on the backup circle and actives are back
	add(&scenario{Name: "url_param_chash_allbackups", Backend: []string{"balance url_param id", "hash-type consistent", "option allbackups"},
		Servers: []string{"s1", "s2", "b1 backup", "b2 backup"},
		Req: func(i int) reqSpec {
			if i%5 == 0 {
				return paramReq(i)
			}
			return reqSpec{URI: "/nokey"}
		},
		Steps: func() map[int][]step {
			m := cliAt(10, "disable server be/s1", 10, "disable server be/s2", 30, "enable server be/s1", 30, "enable server be/s2",
				60, "disable server be/s1", 60, "disable server be/s2", 62, "enable server be/s1")
			return m
		}()})
	// slowstart: a server leaving maintenance ramps its weight up over 6s
	pace := func(i int) time.Duration {
		return time.Duration(i/8)*time.Second + 500*time.Millisecond + time.Duration(i%8)*40*time.Millisecond
	}
	add(&scenario{Name: "rr_slowstart", Backend: []string{"balance roundrobin"},
		Servers: []string{"s1 weight 10 slowstart 6s disabled", "s2 weight 10", "s3 weight 5"}, N: 64, Clock: pace,
		Steps: cliAt(0, "enable server be/s1")})
	add(&scenario{Name: "uri_chash_slowstart", Backend: []string{"balance uri", "hash-type consistent"},
		Servers: []string{"s1 weight 2 slowstart 5s disabled", "s2", "s3"}, N: 64, Clock: pace, Req: pathReq,
		Steps: cliAt(0, "enable server be/s1")})
	// drain: no new traffic for the server until it is ready again
	for _, algo := range []string{"roundrobin", "leastconn", "static-rr"} {
		add(&scenario{Name: "drain_" + strings.ReplaceAll(algo, "-", ""), Backend: []string{"balance " + algo}, Servers: weighted(2, 1, 1),
			Steps: cliAt(30, "set server be/s1 state drain", 60, "set server be/s1 state ready", 80, "set server be/s3 state maint")})
	}
	// mode tcp: the same algorithms on raw connections; rdp-cookie reads
	// the RDP connection request, so the backend waits for data first.
	add(&scenario{Name: "tcp_rr_w3_2_1", TCP: true, Backend: []string{"balance roundrobin"}, Servers: weighted(3, 2, 1), Req: tcpReq})
	add(&scenario{Name: "tcp_source_wide", TCP: true, Backend: []string{"balance source"}, Servers: weighted(1, 2, 3),
		Req: func(i int) reqSpec { r := wideSrcReq(i); r.Raw = tcpReq(i).Raw; return r }})
	add(&scenario{Name: "tcp_leastconn_held", TCP: true, Backend: []string{"balance leastconn"}, Servers: weighted(2, 1, 1), N: 60,
		Req: func(i int) reqSpec { r := tcpReq(i); r.Hold = satHold(i); return r }, Steps: holdPlan(60, satHold, 6, 2)})
	for _, ht := range []string{"map-based", "consistent"} {
		short := map[string]string{"map-based": "map", "consistent": "chash"}[ht]
		add(&scenario{Name: "rdp_cookie_" + short, TCP: true,
			Backend: []string{"balance rdp-cookie", "hash-type " + ht, "tcp-request inspect-delay 5s", "tcp-request content accept if { req.len gt 0 }"},
			Servers: weighted(1, 1, 2), Req: rdpReq})
	}
	add(&scenario{Name: "rdp_cookie_named", TCP: true,
		Backend: []string{"balance rdp-cookie(user)", "tcp-request inspect-delay 5s", "tcp-request content accept if { req.len gt 0 }"},
		Servers: weighted(1, 1, 1), Req: rdpReq})
	add(&scenario{Name: "random_default", Backend: []string{"balance random"}, Servers: weighted(1, 2, 1)})
	add(&scenario{Name: "random_draws1", Backend: []string{"balance random(1)"}, Servers: weighted(1, 1, 1, 1)})
	return out
}

// holdPlan releases the oldest held requests, release at a time, whenever
// max of them are open, so the backend never runs out of slots.
func holdPlan(n int, hold func(int) bool, max, release int) map[int][]step {
	m := map[int][]step{}
	var open []int
	for i := 0; i < n; i++ {
		if len(open) >= max {
			for _, j := range open[:release] {
				m[i] = append(m[i], step{Release: j})
			}
			open = open[release:]
		}
		if hold(i) {
			open = append(open, i)
		}
	}
	return m
}

func (sc *scenario) stepsText() string {
	var b strings.Builder
	for i := 0; i <= sc.count(); i++ {
		for _, st := range sc.Steps[i] {
			if st.CLI != "" {
				fmt.Fprintf(&b, "\tbefore %d: %s\n", i, st.CLI)
			} else {
				fmt.Fprintf(&b, "\tbefore %d: release %d\n", i, st.Release)
			}
		}
	}
	return b.String()
}
