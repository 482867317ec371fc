package haproxy

import (
	"strings"
	"testing"
)

// TestValidationMessages pins alerts whose wording and location were
// checked against haproxy 2.6.12 (haproxy -c) while building the parser.
// cfg is a whole file; line is the expected line of the first alert (0 for
// an alert without location); fatal tells whether the result is fatal.
func TestValidationMessages(t *testing.T) {
	const fe = "defaults\n    mode http\n    timeout connect 5s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind :19001\n"
	tests := []struct {
		name  string
		cfg   string
		line  int
		alert string
		fatal bool
	}{
		{"tcp-request unknown", fe + "    tcp-request foo\n", 8, "'tcp-request' expects 'inspect-delay', 'connection', or 'content' in frontend 'fe' (got 'foo')", true},
		{"tcp-request action", fe + "    tcp-request connection foo\n", 8, "'tcp-request connection' expects 'accept', 'reject', 'capture'", true},
		{"tcp-request delay", fe + "    tcp-request inspect-delay\n", 8, "'tcp-request inspect-delay' expects a positive delay in milliseconds, in frontend 'fe'", true},
		{"tcp-request cond", fe + "    tcp-request content reject if { bogus }\n", 8, "'tcp-request content reject' : error detected in frontend 'fe' while parsing 'if' condition : unknown fetch method 'bogus' in ACL expression 'bogus'", true},
		{"stick-table type", fe + "    stick-table type foo size 1k\n", 8, "stick-table: unknown type 'foo'.", true},
		{"stick-table size", fe + "    stick-table type ip size x\n", 8, "stick-table: unexpected character 'x' in argument of 'size'.", true},
		{"track-sc table", fe + "    http-request track-sc0 src\n", 0, "Proxy 'fe': unable to find table 'fe' referenced by track-sc0.", true},
		{"set-var scope", fe + "    http-request set-var(foo) src\n", 8, "invalid variable name 'foo'. A variable name must be start by its scope.", true},
		{"set-var fetch", fe + "    http-request set-var(txn.foo) bogus_fetch\n", 8, "unknown fetch method 'bogus_fetch'", true},
		{"deny status", fe + "    http-request deny deny_status 599\n", 8, "status code '599' not handled by default with 'default-errorfiles' argument..", true},
		{"use-service unknown", fe + "    http-request use-service foo-bar if { path /metrics }\n", 8, "error detected in frontend 'fe' while parsing 'http-request use-service' rule : 'foo-bar' unknown service name..", true},
		{"use-service missing", fe + "    http-request use-service\n", 8, "while parsing 'http-request use-service' rule : 'use-service' expects a service name..", true},
		{"use-service extra", fe + "    http-request use-service prometheus-exporter extra if TRUE\n", 8, "'http-request use-service' expects either 'if' or 'unless' followed by a condition but found 'extra'.", true},
		{"use-service tcp", fe + "    tcp-request content use-service prometheus-exporter\n", 8, "Prometheus exporter service only available on 'http-request' rulesets", true},
		{"use-service tcp unknown", fe + "    tcp-request content use-service foo\n", 8, "'content' unknown service name.", true},
		{"redirect code", fe + "    http-request redirect location /x code 305\n", 8, "'code': unsupported HTTP code '305' (must be one of 301, 302, 303, 307 or 308).", true},
		{"acl int pattern", fe + "    acl a dst_port foo\n", 8, "'foo' is not a number.", true},
		{"acl ip pattern", fe + "    acl a src 10.0.0.300\n", 8, "'10.0.0.300' is not a valid IPv4 or IPv6 address.", true},
		{"acl regex", fe + "    acl a path_reg (abc\n", 8, "regex '(abc' is invalid (error=missing closing parenthesis, erroffset=4).", true},
		{"acl paren", fe + "    acl a req.hdr(host\n", 8, "fetch method 'req.hdr' : expected ')' in ACL expression 'req.hdr(host'.", true},
		{"log-format var", fe + "    log-format %ci\\ %Xo\n", 0, "failed to parse log-format : no such format variable 'Xo'.", true},
		{"log-format http var in tcp", fe + "    mode tcp\n    log-format %tr\n", 0, "format variable 'tr' is reserved for HTTP mode", true},
		{"http-check status", "backend be\n    option httpchk\n    http-check expect status 2m0\n", 3, "'http-check expect' : invalid character 'm' in the list of status codes.", true},
		{"tcp-check send", "backend be\n    tcp-check send\n", 2, "'tcp-check send' : 'string' expects a send as argument.", true},
		{"server observe tcp", "backend be\n    mode tcp\n    server s1 127.0.0.1:80 observe layer7\n", 3, "'layer7' can only be used in http proxies..", false},
		{"server check no port", "backend be\n    server s1 127.0.0.1 check\n", 0, "config: backend 'be': server 's1' has neither service port nor check port.", true},
		{"server track no check", "backend be\n    server s0 127.0.0.1:80\n    server s1 127.0.0.1:81 track s0\n", 3, "unable to use be/s0 for tracking as it does not have any check nor agent enabled.", true},
		{"server ssl verify", "backend be\n    server s1 127.0.0.1:80 ssl\n", 2, "verify is enabled by default but no CA file specified.", true},
		{"server resolvers", "backend be\n    server s1 127.0.0.1:80 resolvers nope\n", 0, "backend 'be', server 's1': unable to find required resolvers 'nope'", true},
		{"server default-server id", "backend be\n    default-server id 5\n", 2, "'id' option is not accepted in default-server sections", false},
		{"resolvers name", "resolvers\n", 1, "missing name for resolvers section.", true},
		{"peers mixing", "peers p\n    bind :10000\n    peer a 127.0.0.1:10001\n", 3, "mixing \"peer\" and \"bind\" line is forbidden", true},
		{"cache size", "cache c\n    max-age 60\n", 0, "Size not specified for cache 'c'", true},
		{"program without master-worker", "program p\n    command /bin/true\n", 0, "Can't use a 'program' section without master worker mode.", true},
		{"userlist group", "userlist u\n    group g users a\n", 0, "userlist 'u': no such user 'a' specified in group 'g'", true},
		{"global ssl-server-verify", "global\n    ssl-server-verify foo\n", 2, "'ssl-server-verify' expects 'none' or 'required' as argument.", true},
		{"global thread-groups", "global\n    thread-groups 2\n", 2, "'thread-groups' value must be between 1 and 1 (was 2)", true},
		{"default option quirk", fe + "    default option http-server-close\n", 8, "'option http-server-close' cannot handle unexpected argument 'http-server-close'.", true},
		{"backend bad header", "backend b ! from x\n    server s 127.0.0.1:80\n", 2, "'listen' or 'defaults' expected.", true},
		{".if empty rhs", ".if 1 &&\n.endif\n", 1, "unparsable conditional expression '&&' in '.if' at position 3:", true},
		{"http rule aborts", fe + "    http-request set-header X-A\n    bogus\n", 8, "expects exactly 2 arguments.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, path := loadString(t, tt.cfg, nil)
			a := firstAlert(r)
			if a == nil || !strings.Contains(a.Text, tt.alert) {
				t.Fatalf("alerts %+v\nwant first alert containing %q", r.Diags, tt.alert)
			}
			if tt.line > 0 && (a.File != path || a.Line != tt.line) {
				t.Errorf("alert at %s:%d, want line %d", a.File, a.Line, tt.line)
			}
			if r.Fatal != tt.fatal {
				t.Errorf("fatal = %v, want %v", r.Fatal, tt.fatal)
			}
		})
	}
}

// TestAbortStopsReading checks that an aborting error (a broken
// http-request rule) stops the file without "Fatal errors found", like
// haproxy's ERR_ABORT.
func TestAbortStopsReading(t *testing.T) {
	r, _ := loadString(t, "frontend fe\n    bind :80\n    http-request set-header X\n    bogus_after\n", nil)
	for _, d := range r.Diags {
		if strings.Contains(d.Text, "bogus_after") || strings.Contains(d.Text, "Fatal errors found") {
			t.Errorf("reading went on after an abort: %s", d.Text)
		}
	}
	if !r.Fatal || !strings.HasPrefix(r.Diags[len(r.Diags)-1].Text, "Error(s) found in configuration file") {
		t.Errorf("diags = %+v", r.Diags)
	}
}

// TestTrailers checks the closing alerts Load appends for the CLI.
func TestTrailers(t *testing.T) {
	r, path := loadString(t, "frontend fe\n    bogus\n", nil)
	n := len(r.Diags)
	if n < 2 || r.Diags[n-2].Text != "Error(s) found in configuration file : "+path || r.Diags[n-1].Text != "Fatal errors found in configuration." {
		t.Fatalf("diags = %+v", r.Diags)
	}
	if r.ExitCode != 1 || r.Config != nil {
		t.Errorf("exit %d config %v", r.ExitCode, r.Config)
	}
	r, _ = loadString(t, "backend be\n    server s 127.0.0.1:80\n", nil)
	if r.Fatal || r.ExitCode != 2 || !r.NoListener || !r.Warnings {
		t.Errorf("no-listener result = %+v", r)
	}
	r, _ = loadString(t, "global\n    zero-warning\nbackend be\n    server s 127.0.0.1:80\n", nil)
	if !r.Fatal || r.Diags[len(r.Diags)-1].Text != "Some warnings were found and 'zero-warning' is set. Aborting." {
		t.Errorf("zero-warning = %+v", r.Diags)
	}
}

// TestDiagFormat checks the rendering of each level.
func TestDiagFormat(t *testing.T) {
	for _, tc := range []struct {
		d    Diag
		want string
	}{
		{Diag{Level: LevelAlert, Context: "config", Text: "x"}, "[ALERT]    (42) : config : x"},
		{Diag{Level: LevelWarning, Context: "config", Text: "x"}, "[WARNING]  (42) : config : x"},
		{Diag{Level: LevelNotice, Text: "x"}, "[NOTICE]   (42) : x"},
	} {
		if got := tc.d.Format(42); got != tc.want {
			t.Errorf("Format = %q, want %q", got, tc.want)
		}
	}
}

// TestSuggestion checks haproxy's fingerprint distance choices.
func TestSuggestion(t *testing.T) {
	for _, tc := range []struct{ word, want string }{
		{"chekc", "check"}, {"bogus_keyword", ""}, {"defualt_backend", "default_backend"}, {"foo", "tfo"},
	} {
		got := bestMatch(tc.word, serverKeywordNames, listenCommonKeywords, bindKeywordNames)
		if tc.word == "defualt_backend" {
			got = bestMatch(tc.word, listenKeywords, listenCommonKeywords)
		}
		if tc.word == "foo" {
			got = bestMatch(tc.word, bindKeywordNames)
		}
		if tc.word == "chekc" {
			got = bestMatch(tc.word, serverKeywordNames, serverExtraKeywords)
		}
		if tc.word == "bogus_keyword" {
			got = bestMatch(tc.word, listenKeywords, listenCommonKeywords)
		}
		if got != tc.want {
			t.Errorf("bestMatch(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}
