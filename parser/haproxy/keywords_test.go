package haproxy

import (
	"strings"
	"testing"
	"time"
)

// base is prepended to keyword snippets so that they live in a valid
// configuration; snippet line N is file line N+len(baseLines).
const base = `defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
`

// TestKeywords checks, snippet by snippet, either the model produced or the
// first alert (substring and line), in the CoreDNS setup_test style.
func TestKeywords(t *testing.T) {
	tests := []struct {
		name  string
		cfg   string
		line  int    // line of the expected alert (0: no alert expected)
		alert string // substring of the alert
		check func(t *testing.T, c *Config)
	}{
		{"bind forms", "frontend fe\n bind *:80\n bind :81\n bind 0.0.0.0:82\n bind [::]:83 v4v6\n bind ipv4@127.0.0.1:84\n bind unix@/tmp/s.sock mode 600\n bind abns@x\n bind fd@3\n bind 127.0.0.1:90-95,:96 name r\n", 0, "", func(t *testing.T, c *Config) {
			b := c.Frontend("fe").Binds
			if len(b) != 9 || b[1].Addresses[0].Port != 81 || b[3].Addresses[0].Family != FamilyIPv6 || !b[3].V4V6 ||
				b[5].Addresses[0].Family != FamilyUnix || b[5].Mode != 0o600 || b[7].Addresses[0].FD != 3 ||
				b[8].Addresses[0].PortEnd != 95 || len(b[8].Addresses) != 2 || b[8].Name != "r" {
				t.Errorf("binds = %+v", b)
			}
		}},
		{"bind fd from env", "frontend fe\n bind \"fd@${FD}\"\n", 0, "", func(t *testing.T, c *Config) {
			if c.Frontend("fe").Binds[0].Addresses[0].FD != 7 {
				t.Errorf("fd = %+v", c.Frontend("fe").Binds[0])
			}
		}},
		{"bind unknown option", "frontend fe\n bind :80 foo\n", 7, "'bind :80' in section 'frontend': unknown keyword 'foo'; did you mean 'tfo' maybe ?", nil},
		{"bind missing port", "frontend fe\n bind 127.0.0.1\n", 7, "missing port specification", nil},
		{"bind in defaults", "defaults\n bind :80\n", 7, "'bind' not allowed in 'defaults' section.", nil},
		{"timeouts and units", "backend be\n timeout connect 10\n timeout server 2m\n timeout queue 1h\n timeout check 100us\n timeout tunnel 1d\n timeout server-fin 1500ms\n server s 127.0.0.1:80\n", 0, "", func(t *testing.T, c *Config) {
			to := c.Backend("be").Timeouts
			if to.Connect != 10*time.Millisecond || to.Server != 2*time.Minute || to.Queue != time.Hour ||
				to.Check != time.Millisecond || to.Tunnel != 24*time.Hour || to.ServerFin != 1500*time.Millisecond {
				t.Errorf("timeouts = %+v", to)
			}
		}},
		{"timeout bad unit", "backend be\n timeout connect 5x\n", 7, "unexpected character 'x' in 'timeout connect'", nil},
		{"timeout unknown", "backend be\n timeout foo 1s\n", 7, "'timeout' supports 'client', 'server'", nil},
		{"timeout missing value", "backend be\n timeout client\n", 7, "'timeout client' expects an integer value (in milliseconds)", nil},
		{"server options", "backend be\n default-server inter 3s fall 4\n server s1 10.0.0.1:8080 maxconn 10 maxqueue 5 minconn 2 weight 256 check fastinter 500ms downinter 10s rise 3 backup disabled port 9000 addr 127.0.0.2 cookie c1 slowstart 30s on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions on-error mark-down observe layer7 error-limit 5 id 7 send-proxy init-addr last,libc\n server s2 backend.example\n", 0, "", func(t *testing.T, c *Config) {
			s := c.Backend("be").Servers[0]
			if s.MaxConn != 10 || s.MaxQueue != 5 || s.MinConn != 2 || s.Weight != 256 || !s.Check || s.Inter != 3*time.Second ||
				s.FastInter != 500*time.Millisecond || s.DownInter != 10*time.Second || s.Rise != 3 || s.Fall != 4 || !s.Backup ||
				!s.Disabled || s.Port != 9000 || s.Addr != "127.0.0.2" || s.Cookie != "c1" || s.Slowstart != 30*time.Second ||
				s.OnMarkedDown != "shutdown-sessions" || s.OnMarkedUp != "shutdown-backup-sessions" || s.OnError != "mark-down" ||
				s.Observe != "layer7" || s.ErrorLimit != 5 || s.ID != 7 || !s.SendProxy || s.InitAddr != "last,libc" {
				t.Errorf("server = %+v", s)
			}
			s2 := c.Backend("be").Servers[1]
			if s2.Address.Family != FamilyHost || !s2.Address.PortOffset || s2.Weight != 1 || s2.Inter != 3*time.Second {
				t.Errorf("server 2 = %+v", s2)
			}
		}},
		{"server typo", "backend be\n server s2 127.0.0.1:80 chekc\n", 7, "'server be/s2' : unknown keyword 'chekc'; did you mean 'check' maybe ?", nil},
		{"server weight range", "backend be\n server s1 127.0.0.1:80 weight 300\n", 7, "weight of server s1 is not within 0 and 256 (300)..", nil},
		{"server missing address", "backend be\n server s1\n", 7, "'server' expects <name> and <addr>[:<port>] as arguments.", nil},
		{"server in frontend", "frontend fe\n bind :80\n server s1 127.0.0.1:80\n", 8, "has no backend capability", nil},
		{"server bad port", "backend be\n server s1 127.0.0.1:99999\n", 7, "invalid port '99999'", nil},
		{"balance algorithms", "backend a\n balance uri len 10 depth 2 whole path-only\nbackend b\n balance url_param id check_post\nbackend c\n balance hdr(Host) use_domain_only\nbackend d\n balance random(3)\nbackend e\n balance rdp-cookie(mstshash)\nbackend f\n balance hash req.hdr(host)\n hash-type consistent djb2 avalanche\nbackend g\n balance leastconn\n hash-type map-based\n", 0, "", func(t *testing.T, c *Config) {
			a, b, cc, d, e, f := c.Backend("a").Balance, c.Backend("b").Balance, c.Backend("c").Balance, c.Backend("d").Balance, c.Backend("e").Balance, c.Backend("f")
			if a.Algo != BalanceURI || a.URILen != 10 || a.URIDepth != 2 || !a.URIWhole || !a.URIPathOnly ||
				b.Algo != BalanceURLParam || b.Param != "id" || !b.CheckPost || cc.Algo != BalanceHdr || cc.Param != "Host" || !cc.UseDomainOnly ||
				d.Algo != BalanceRandom || d.Draws != 3 || e.Param != "mstshash" || f.Balance.Expr != "req.hdr(host)" ||
				!f.HashType.Consistent || f.HashType.Function != "djb2" || !f.HashType.Avalanche || c.Backend("g").Balance.Algo != BalanceLeastConn {
				t.Errorf("balance a=%+v b=%+v c=%+v d=%+v e=%+v f=%+v", a, b, cc, d, e, f)
			}
		}},
		{"balance unknown", "backend be\n balance fastest\n", 7, "only supports 'roundrobin'", nil},
		{"hash-type bad", "backend be\n hash-type magic\n", 7, "'hash-type' only supports 'consistent' and 'map-based'.", nil},
		{"acl and conditions", "frontend fe\n bind :80\n acl a path_beg -i /api /v2\n acl b hdr(host) -m str example.com\n acl c src -f /dev/null\n use_backend be if a b || !c or { path /x } METH_GET\n default_backend be\nbackend be\n", 0, "", func(t *testing.T, c *Config) {
			fe := c.Frontend("fe")
			if len(fe.ACLs) != 3 || fe.ACLs[0].Fetch != "path_beg" || !fe.ACLs[0].IgnoreCase || len(fe.ACLs[0].Patterns) != 2 ||
				fe.ACLs[1].Fetch != "hdr" || fe.ACLs[1].FetchArgs[0] != "host" || fe.ACLs[1].Match != "str" || fe.ACLs[2].Files[0] != "/dev/null" {
				t.Errorf("acls = %+v", fe.ACLs)
			}
			cond := fe.UseBackends[0].Cond
			if len(cond.Or) != 3 || len(cond.Or[0]) != 2 || !cond.Or[1][0].Negate || cond.Or[2][0].Anonymous == nil || cond.Or[2][1].Name != "METH_GET" {
				t.Errorf("cond = %+v", cond)
			}
		}},
		{"acl unknown fetch", "frontend fe\n acl a bogus_fetch foo\n", 7, "unknown fetch method 'bogus_fetch' in ACL expression 'bogus_fetch'", nil},
		{"acl unknown name", "frontend fe\n bind :80\n use_backend be if nope\nbackend be\n", 8, "no such ACL : 'nope'", nil},
		{"acl or name", "frontend fe\n acl or src 1.2.3.4\n", 7, "acl name 'or' will never match", nil},
		{"use_backend missing backend", "frontend fe\n bind :80\n use_backend nobe if TRUE\n", 0, "Proxy 'fe': unable to find required use_backend: 'nobe'.", nil},
		{"default_backend missing", "frontend fe\n bind :80\n default_backend nobe\n", 0, "unable to find required default_backend: 'nobe'.", nil},
		{"duplicate proxy", "frontend fe\n bind :80\nfrontend fe\n", 8, "frontend 'fe' has the same name as frontend 'fe' declared at", nil},
		{"options", "backend be\n option redispatch 2\n option httpchk GET /health HTTP/1.1\n option forwardfor except 127.0.0.0/8 header X-Real-IP if-none\n option http-server-close\n option abortonclose\n option allbackups\n no option allbackups\n option http-buffer-request\n option tcp-check\n", 0, "", func(t *testing.T, c *Config) {
			o := c.Backend("be").Options
			if !o.Redispatch || o.RedispatchInterval != 2 || o.HTTPChk == nil || o.HTTPChk.Method != "GET" || o.HTTPChk.URI != "/health" ||
				o.ForwardFor == nil || o.ForwardFor.Header != "X-Real-IP" || !o.ForwardFor.IfNone || !o.HTTPServerClose ||
				!o.AbortOnClose || o.AllBackups || !o.HTTPBufferRequest {
				t.Errorf("options = %+v", o)
			}
		}},
		{"option typo", "backend be\n option redispatc\n", 7, "unknown option 'redispatc'; did you mean 'redispatch' maybe ?", nil},
		{"option forceclose legacy", "backend be\n option forceclose\n", 0, "", func(t *testing.T, c *Config) {
			if !c.Backend("be").Options.HTTPClose {
				t.Error("forceclose not mapped to httpclose")
			}
		}},
		{"stats", "listen st\n bind :81\n stats enable\n stats uri /s\n stats realm Hello\\ World\n stats auth a:b\n stats refresh 10s\n stats admin if TRUE\n stats hide-version\n stats show-legends\n stats show-node n1\n stats scope .\n", 0, "", func(t *testing.T, c *Config) {
			s := c.Frontend("st").Stats
			if !s.Enabled || s.URI != "/s" || s.Realm != "Hello World" || s.Auths[0].User != "a" || s.Refresh != 10*time.Second ||
				len(s.Admin) != 1 || !s.HideVersion || !s.ShowLegends || s.ShowNode != "n1" || s.Scopes[0] != "." {
				t.Errorf("stats = %+v", s)
			}
		}},
		{"stats unknown", "listen st\n stats foo\n", 7, "unknown stats parameter 'foo'", nil},
		{"errorfile missing file", "frontend fe\n errorfile 503 /nonexistent/503.http\n", 7, "errorfile : error opening file '/nonexistent/503.http'.", nil},
		{"errorfile bad code", "frontend fe\n errorfile 999 /dev/null\n", 7, "status code '999' not handled.", nil},
		{"http rules", "frontend fe\n bind :80\n acl bad src 10.0.0.0/8\n http-request deny deny_status 429 if bad\n http-request redirect scheme https code 301 unless { ssl_fc }\n http-request set-header X-A b\n http-request add-header X-B c\n http-request del-header X-C\n http-request replace-header Host (.*) \\1\n http-request set-path /x\n http-request return status 200 content-type text/plain string ok if { path /ping }\n http-request auth realm R unless bad\n http-request set-var(txn.x) src\n http-request tarpit\n http-response set-header X-D e\n default_backend be\nbackend be\n", 0, "", func(t *testing.T, c *Config) {
			r := c.Frontend("fe").HTTPRequest
			if len(r) != 11 || r[0].Action != "deny" || r[0].Status != 429 || r[1].RedirectTyp != "scheme" || r[1].Status != 301 ||
				!r[1].Cond.Unless || r[2].HeaderName != "X-A" || r[5].Regex != "(.*)" || r[6].Value != "/x" || r[7].Status != 200 ||
				r[8].Realm != "R" || r[9].VarName != "txn.x" || r[10].Action != "tarpit" || len(c.Frontend("fe").HTTPResponse) != 1 {
				t.Errorf("rules = %+v", r)
			}
		}},
		{"http rule unknown action", "frontend fe\n http-request foo\n", 7, "'http-request' expects", nil},
		{"capture", "frontend fe\n bind :80\n capture request header Host len 32\n capture response header Server len 20\n", 0, "", func(t *testing.T, c *Config) {
			cp := c.Frontend("fe").Captures
			if len(cp) != 2 || cp[0].Header != "Host" || cp[0].Len != 32 || cp[1].Kind != "response" {
				t.Errorf("captures = %+v", cp)
			}
		}},
		{"cookie", "backend be\n cookie SRV insert indirect nocache httponly secure domain .example.com maxidle 30m\n", 0, "", func(t *testing.T, c *Config) {
			ck := c.Backend("be").Cookie
			if ck == nil || ck.Name != "SRV" || ck.Mode != "insert" || !ck.Indirect || !ck.NoCache || !ck.HTTPOnly || ck.MaxIdle != 30*time.Minute {
				t.Errorf("cookie = %+v", ck)
			}
		}},
		{"proxy misc", "frontend fe\n bind :80\n maxconn 100\n monitor-uri /ok\n log-format \"%ci %b\"\n unique-id-format %{+X}o\n log global\n log 127.0.0.1:1514 format rfc5424 local0 info notice\n no log\n", 0, "", func(t *testing.T, c *Config) {
			fe := c.Frontend("fe")
			if fe.MaxConn != 100 || fe.MonitorURI != "/ok" || fe.LogFormat != "%ci %b" || fe.UniqueIDFormat != "%{+X}o" || !fe.NoLog || len(fe.Logs) != 0 {
				t.Errorf("fe = %+v", fe)
			}
		}},
		{"unknown keyword", "frontend fe\n bogus_keyword 1\n", 7, "unknown keyword 'bogus_keyword' in 'frontend' section", nil},
		{"unknown keyword suggestion", "frontend fe\n defualt_backend x\n", 7, "did you mean 'default_backend' maybe ?", nil},
		{"mode bad", "frontend fe\n mode udp\n", 7, "unknown proxy mode 'udp'.", nil},
		{"legacy reqadd", "frontend fe\n bind :80\n reqadd X-Proto:\\ http\n rspdel ^Server:.*\n", 0, "", func(t *testing.T, c *Config) {
			fe := c.Frontend("fe")
			if len(fe.HTTPRequest) != 1 || fe.HTTPRequest[0].HeaderName != "X-Proto" || fe.HTTPRequest[0].Value != "http" ||
				len(fe.HTTPResponse) != 1 || fe.HTTPResponse[0].Action != "del-header" || len(fe.Legacy) != 2 {
				t.Errorf("legacy = %+v / %+v", fe.HTTPRequest, fe.HTTPResponse)
			}
		}},
		{"legacy reqrep refused", "frontend fe\n reqrep ^(.*) \\1\n", 7, "'reqrep' directive is not supported anymore", nil},
		{"legacy monitor-net", "frontend fe\n bind :80\n monitor-net 10.0.0.0/8\n", 0, "", func(t *testing.T, c *Config) {
			r := c.Frontend("fe").HTTPRequest
			if len(r) != 1 || r[0].Action != "return" || r[0].Cond.Or[0][0].Anonymous.Fetch != "src" {
				t.Errorf("monitor-net = %+v", r)
			}
		}},
		{"global", "global\n log stdout format raw local0\n log /dev/log local1 notice\n log 10.0.0.1:5514 len 2048 local2 info\n pidfile /run/h.pid\n maxconn 1000\n uid 99\n gid 99\n chroot /var/empty\n daemon\n nbthread 4\n stats socket /run/h.sock mode 600 level admin expose-fd listeners\n stats timeout 30s\n tune.bufsize 32768\n tune.maxrewrite 2048\n tune.http.maxhdr 200\n", 0, "", func(t *testing.T, c *Config) {
			g := c.Global
			if len(g.Logs) != 3 || g.Logs[0].Kind != LogStdout || g.Logs[0].Format != "raw" || g.Logs[1].Kind != LogUnix ||
				g.Logs[1].Path != "/dev/log" || g.Logs[2].Port != 5514 || g.Logs[2].MaxLen != 2048 || g.PidFile != "/run/h.pid" ||
				g.MaxConn != 1000 || g.UID != 99 || g.GID != 99 || g.Chroot != "/var/empty" || !g.Daemon || g.NbThread != 4 ||
				len(g.StatsSockets) != 1 || g.StatsSockets[0].Mode != 0o600 || g.StatsSockets[0].Level != "admin" ||
				!g.StatsSockets[0].ExposeFD || g.StatsTimeout != 30*time.Second || g.TuneBufSize != 32768 ||
				g.TuneMaxRewrite != 2048 || g.TuneHTTPMaxHdr != 200 {
				t.Errorf("global = %+v", g)
			}
		}},
		{"global unknown", "global\n blah\n", 7, "unknown keyword 'blah' in 'global' section", nil},
		{"global log facility", "global\n log 1.2.3.4 foo\n", 7, "log : unknown log facility 'foo'", nil},
		{"global nbthread", "global\n nbthread 0\n", 7, "'nbthread' value must be between 1 and 64 (was 0)", nil},
		{"userlist", "userlist L\n group admins users alice\n user alice password $5$abc groups admins\n user bob insecure-password pw\n", 0, "", func(t *testing.T, c *Config) {
			u := c.Userlists[0]
			if u.Name != "L" || len(u.Users) != 2 || !u.Users[1].Insecure || u.Groups[0].Users[0] != "alice" {
				t.Errorf("userlist = %+v", u)
			}
		}},
		{"other sections kept", "global\n master-worker\nresolvers dns\n nameserver ns1 127.0.0.1:53\npeers p\n peer a 127.0.0.1:1024\nmailers m\n mailer smtp 127.0.0.1:25\nprogram x\n command /bin/true\nhttp-errors e\nring r\n size 1000\ncache c\n total-max-size 4\n", 0, "", func(t *testing.T, c *Config) {
			if len(c.Sections) != 7 || c.Sections[0].Kind != "resolvers" || c.Sections[0].Statements[0].Args[0] != "nameserver" {
				t.Errorf("sections = %+v", c.Sections)
			}
		}},
		{"out of section", "bogus\n", 1, "unknown keyword 'bogus' out of section.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base + tt.cfg
			if strings.HasPrefix(tt.cfg, "bogus") {
				cfg = tt.cfg
			}
			r, path := loadString(t, cfg, map[string]string{"FD": "7"})
			a := firstAlert(r)
			if tt.alert == "" {
				if a != nil {
					t.Fatalf("unexpected alert: %s", a.Text)
				}
				if tt.check != nil {
					tt.check(t, r.Config)
				}
				return
			}
			if a == nil || !strings.Contains(a.Text, tt.alert) {
				t.Fatalf("alerts %+v, want one containing %q", r.Diags, tt.alert)
			}
			// tt.line is the line in the whole file (base included).
			want := tt.line
			if tt.line > 0 && (a.Line != want || a.File != path) {
				t.Errorf("alert at %s:%d, want line %d", a.File, a.Line, want)
			}
		})
	}
}
