package proxy

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"goha/parser/haproxy"
	"goha/proxy/acl"
)

// cond is a compiled if/unless condition (configuration.txt §7.2). ACLs
// on request fetches are compiled by proxy/acl; the fetches that need the
// stream's state — var(), status, res.hdr, http_auth, http_auth_group —
// are evaluated here.
type cond struct {
	unless bool
	or     [][]condTerm
}

type condTerm struct {
	negate bool
	any    []matchFn
}

type matchFn func(s *stream) bool

// eval: a nil condition always holds.
func (c *cond) eval(s *stream) bool {
	if c == nil {
		return true
	}
	r := false
	for _, alt := range c.or {
		all := true
		for i := range alt {
			t := &alt[i]
			m := false
			for _, f := range t.any {
				if f(s) {
					m = true
					break
				}
			}
			if m == t.negate {
				all = false
				break
			}
		}
		if all {
			r = true
			break
		}
	}
	return r != c.unless
}

// condCompiler compiles the conditions of one proxy.
type condCompiler struct {
	px    *haproxy.Proxy
	cfg   *haproxy.Config
	named map[string][]matchFn
}

func newCondCompiler(cfg *haproxy.Config, px *haproxy.Proxy) (*condCompiler, error) {
	cc := &condCompiler{px: px, cfg: cfg, named: map[string][]matchFn{}}
	for _, a := range px.ACLs {
		m, err := cc.compileACL(a)
		if err != nil {
			return nil, fmt.Errorf("parsing [%s:%d] : error detected while parsing ACL '%s' : %v", a.File, a.Line, a.Name, err)
		}
		cc.named[a.Name] = append(cc.named[a.Name], m)
	}
	return cc, nil
}

func (cc *condCompiler) compile(c *haproxy.Condition) (*cond, error) {
	if c == nil {
		return nil, nil
	}
	out := &cond{unless: c.Unless}
	for _, alt := range c.Or {
		var ts []condTerm
		for _, t := range alt {
			var ms []matchFn
			switch {
			case t.Anonymous != nil:
				m, err := cc.compileACL(t.Anonymous)
				if err != nil {
					return nil, err
				}
				ms = []matchFn{m}
			case cc.named[t.Name] != nil:
				ms = cc.named[t.Name]
			default: // predefined ACL (TRUE, METH_GET, ...)
				ac, err := acl.NewSet(nil)
				if err != nil {
					return nil, err
				}
				pc, err := ac.Cond(&haproxy.Condition{Or: [][]haproxy.CondTerm{{{Name: t.Name}}}})
				if err != nil {
					return nil, err
				}
				ms = []matchFn{func(s *stream) bool { return pc.Eval(&s.txn) }}
			}
			ts = append(ts, condTerm{negate: t.Negate, any: ms})
		}
		out.or = append(out.or, ts)
	}
	return out, nil
}

func (cc *condCompiler) compileACL(a *haproxy.ACL) (matchFn, error) {
	switch a.Fetch {
	case "http_auth", "http_auth_group":
		return cc.authACL(a)
	case "var", "status", "res.hdr", "shdr", "res.ver":
		return localACL(a)
	}
	if (a.Fetch == "dst_port" || a.Fetch == "src_port") && a.Match == "" {
		// haproxy reads "1-65535" as the range 1:65535 (measured:
		// acl-dst_port); proxy/acl refuses it.
		cp := *a
		cp.Patterns = make([]string, len(a.Patterns))
		for i, p := range a.Patterns {
			if lo, hi, ok := strings.Cut(p, "-"); ok && lo != "" && isDigits(lo) && isDigits(hi) {
				p = lo + ":" + hi
			}
			cp.Patterns[i] = p
		}
		a = &cp
	}
	c, err := acl.Compile(a)
	if err != nil {
		return nil, err
	}
	if a.Fetch == "method" && !a.IgnoreCase && a.Match == "" {
		// haproxy compares methods with their case (measured:
		// acl-method-lower, "method get" does not match GET); proxy/acl
		// folds case, so require the exact spelling too.
		pats := a.Patterns
		return func(s *stream) bool {
			if !c.Match(&s.txn) {
				return false
			}
			for _, p := range pats {
				if string(s.txn.Method) == p {
					return true
				}
			}
			return false
		}, nil
	}
	return func(s *stream) bool { return c.Match(&s.txn) }, nil
}

// localACL matches a stream-state fetch with the common methods.
func localACL(a *haproxy.ACL) (matchFn, error) {
	expr := a.Fetch
	if len(a.FetchArgs) > 0 {
		expr += "(" + strings.Join(a.FetchArgs, ",") + ")"
	}
	for _, c := range a.Converters {
		expr += "," + c
	}
	x, err := compileSample(expr)
	if err != nil {
		return nil, err
	}
	method := a.Match
	if method == "" {
		method = "str"
		if a.Fetch == "status" {
			method = "int"
		}
	}
	pats := append([]string(nil), a.Patterns...)
	var res []*regexp.Regexp
	if method == "reg" {
		for _, p := range pats {
			if a.IgnoreCase {
				p = "(?i)" + p
			}
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, err
			}
			res = append(res, re)
		}
	}
	var ints []func(int64) bool
	if method == "int" {
		for i := 0; i < len(pats); i++ {
			op := "eq"
			p := pats[i]
			switch p {
			case "eq", "ge", "gt", "le", "lt":
				if i+1 < len(pats) {
					op, p = p, pats[i+1]
					i++
				}
			}
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("'%s' is neither a number nor a supported operator", p)
			}
			switch op {
			case "eq":
				ints = append(ints, func(v int64) bool { return v == n })
			case "ge":
				ints = append(ints, func(v int64) bool { return v >= n })
			case "gt":
				ints = append(ints, func(v int64) bool { return v > n })
			case "le":
				ints = append(ints, func(v int64) bool { return v <= n })
			case "lt":
				ints = append(ints, func(v int64) bool { return v < n })
			}
		}
	}
	icase := a.IgnoreCase
	return func(s *stream) bool {
		v, ok := x.eval(s, s.scratch[:0])
		s.scratch = v[:0]
		if !ok {
			return false
		}
		switch method {
		case "found":
			return true
		case "len":
			for _, p := range pats {
				if n, err := strconv.Atoi(p); err == nil && n == len(v) {
					return true
				}
			}
			return false
		case "reg":
			for _, re := range res {
				if re.Match(v) {
					return true
				}
			}
			return false
		case "int":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				return false
			}
			for _, f := range ints {
				if f(n) {
					return true
				}
			}
			return false
		}
		for _, p := range pats {
			pb := []byte(p)
			vv := v
			if icase {
				vv, pb = bytes.ToLower(vv), bytes.ToLower(pb)
			}
			switch method {
			case "str":
				if bytes.Equal(vv, pb) {
					return true
				}
			case "beg":
				if bytes.HasPrefix(vv, pb) {
					return true
				}
			case "end":
				if bytes.HasSuffix(vv, pb) {
					return true
				}
			case "sub":
				if bytes.Contains(vv, pb) {
					return true
				}
			}
		}
		return false
	}, nil
}

// authACL is http_auth(userlist) and http_auth_group(userlist) groups
// (§7.3.6): Basic credentials checked against the userlist; only
// "insecure-password" users can match (crypt(3) hashes are not checked).
func (cc *condCompiler) authACL(a *haproxy.ACL) (matchFn, error) {
	if len(a.FetchArgs) != 1 {
		return nil, fmt.Errorf("missing userlist name")
	}
	var ul *haproxy.Userlist
	for _, u := range cc.cfg.Userlists {
		if u.Name == a.FetchArgs[0] {
			ul = u
		}
	}
	if ul == nil {
		return nil, fmt.Errorf("unable to find userlist '%s'", a.FetchArgs[0])
	}
	for _, u := range ul.Users {
		if !u.Insecure {
			// refuse rather than deny every login silently
			return nil, fmt.Errorf("userlist '%s': user '%s' has a crypt(3) password, which goproxy does not check yet (use insecure-password)", ul.Name, u.Name)
		}
	}
	groups := a.Patterns
	isGroup := a.Fetch == "http_auth_group"
	return func(s *stream) bool {
		u := s.basicUser(ul)
		if u == nil {
			return false
		}
		if !isGroup {
			return true
		}
		for _, g := range groups {
			if userInGroup(ul, u, g) {
				return true
			}
		}
		return false
	}, nil
}

func userInGroup(ul *haproxy.Userlist, u *haproxy.User, g string) bool {
	for _, ug := range u.Groups {
		if ug == g {
			return true
		}
	}
	for _, grp := range ul.Groups {
		if grp.Name != g {
			continue
		}
		for _, n := range grp.Users {
			if n == u.Name {
				return true
			}
		}
	}
	return false
}

// basicUser returns the userlist user whose Basic credentials the request
// carries, or nil.
func (s *stream) basicUser(ul *haproxy.Userlist) *haproxy.User {
	v, ok := s.req.Lookup(s.cbuf[:s.clen], "authorization")
	if !ok || len(v) < 6 || !strings.EqualFold(string(v[:6]), "basic ") {
		return nil
	}
	dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(v[6:])))
	if err != nil {
		return nil
	}
	user, pass, ok := strings.Cut(string(dec), ":")
	if !ok {
		return nil
	}
	for i := range ul.Users {
		u := &ul.Users[i]
		if u.Name == user && u.Insecure && u.Password == pass {
			return u
		}
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
