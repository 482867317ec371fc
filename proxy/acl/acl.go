package acl

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"goha/parser/haproxy"
)

// ACL is one compiled acl line (or anonymous ACL).
type ACL struct {
	Name  string
	fetch fetchFn
	args  fargs
	m     *matcher
}

// Match reports whether the transaction matches the ACL.
func (a *ACL) Match(t *Txn) bool { return a.fetch(t, &a.args, a.m) }

// Compile turns a parsed acl into an evaluable one. Pattern files (-f) are
// read now, as haproxy reads them at start-up.
func Compile(src *haproxy.ACL) (*ACL, error) {
	def, method, ok := lookupFetch(src.Fetch)
	if !ok {
		return nil, fmt.Errorf("unknown fetch method '%s' in ACL expression '%s'", src.Fetch, src.Fetch)
	}
	if len(src.Converters) > 0 {
		return nil, fmt.Errorf("converter '%s' is not supported yet", src.Converters[0])
	}
	if src.Match != "" {
		method = src.Match
	}
	args, err := parseFetchArgs(src.Fetch, src.FetchArgs)
	if err != nil {
		return nil, err
	}
	patterns := append([]string(nil), src.Patterns...)
	for _, f := range src.Files {
		lines, err := readPatternFile(f)
		if err != nil {
			return nil, err
		}
		patterns = append(patterns, lines...)
	}
	m, err := compileMatcher(method, src.IgnoreCase, patterns)
	if err != nil {
		return nil, err
	}
	return &ACL{Name: src.Name, fetch: def.fn, args: args, m: m}, nil
}

// readPatternFile reads one pattern per line: leading blanks stripped,
// empty lines and lines starting with '#' ignored (§7.1 "-f").
func readPatternFile(name string) ([]string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("failed to open pattern file <%s>", name)
	}
	var out []string
	for _, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimRight(bytes.TrimLeft(line, " \t"), "\r")
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		out = append(out, string(line))
	}
	return out, nil
}

// predefined are the ACLs of configuration.txt §7.4, by their equivalents.
var predefined = map[string]haproxy.ACL{
	"FALSE":          {Fetch: "always_false"},
	"TRUE":           {Fetch: "always_true"},
	"HTTP":           {Fetch: "req.proto_http"},
	"HTTP_1.0":       {Fetch: "req.ver", Patterns: []string{"1.0"}},
	"HTTP_1.1":       {Fetch: "req.ver", Patterns: []string{"1.1"}},
	"HTTP_2.0":       {Fetch: "req.ver", Patterns: []string{"2.0"}},
	"HTTP_CONTENT":   {Fetch: "req.hdr_val", FetchArgs: []string{"content-length"}, Patterns: []string{"gt", "0"}},
	"HTTP_URL_ABS":   {Fetch: "url_reg", Patterns: []string{"^[^/:]*://"}},
	"HTTP_URL_SLASH": {Fetch: "url_beg", Patterns: []string{"/"}},
	"HTTP_URL_STAR":  {Fetch: "url", Patterns: []string{"*"}},
	"LOCALHOST":      {Fetch: "src", Patterns: []string{"127.0.0.1/8", "::1"}},
	"METH_CONNECT":   {Fetch: "method", Patterns: []string{"CONNECT"}},
	"METH_DELETE":    {Fetch: "method", Patterns: []string{"DELETE"}},
	"METH_GET":       {Fetch: "method", Patterns: []string{"GET", "HEAD"}},
	"METH_HEAD":      {Fetch: "method", Patterns: []string{"HEAD"}},
	"METH_OPTIONS":   {Fetch: "method", Patterns: []string{"OPTIONS"}},
	"METH_POST":      {Fetch: "method", Patterns: []string{"POST"}},
	"METH_PUT":       {Fetch: "method", Patterns: []string{"PUT"}},
	"METH_TRACE":     {Fetch: "method", Patterns: []string{"TRACE"}},
	"WAIT_END":       {Fetch: "wait_end"},
}

// Set is the ACLs of one proxy by name. Several acl lines with the same
// name form one ACL that matches when any of them does (§7.1).
type Set struct {
	byName map[string][]*ACL
}

// NewSet compiles a proxy's acl lines.
func NewSet(acls []*haproxy.ACL) (*Set, error) {
	s := &Set{byName: map[string][]*ACL{}}
	for _, src := range acls {
		a, err := Compile(src)
		if err != nil {
			return nil, fmt.Errorf("parsing [%s:%d] : error detected while parsing ACL '%s' : %v", src.File, src.Line, src.Name, err)
		}
		s.byName[src.Name] = append(s.byName[src.Name], a)
	}
	return s, nil
}

// lookup returns the named ACL, a user-defined one first, then a
// predefined one.
func (s *Set) lookup(name string) ([]*ACL, error) {
	if s != nil {
		if a, ok := s.byName[name]; ok {
			return a, nil
		}
	}
	if p, ok := predefined[name]; ok {
		p.Name = name
		a, err := Compile(&p)
		if err != nil {
			return nil, err
		}
		return []*ACL{a}, nil
	}
	return nil, fmt.Errorf("no such ACL : '%s'", name)
}

// term is one compiled condition term.
type term struct {
	negate bool
	acls   []*ACL // any of them
}

func (t *term) eval(x *Txn) bool {
	r := false
	for _, a := range t.acls {
		if a.Match(x) {
			r = true
			break
		}
	}
	return r != t.negate
}

// Cond is a compiled if/unless condition. A nil *Cond is always true
// (a rule without a condition).
type Cond struct {
	unless bool
	or     [][]term
}

// Cond compiles a parsed condition against the set's ACLs.
func (s *Set) Cond(c *haproxy.Condition) (*Cond, error) {
	if c == nil {
		return nil, nil
	}
	out := &Cond{unless: c.Unless}
	for _, alt := range c.Or {
		var ts []term
		for _, t := range alt {
			var acls []*ACL
			if t.Anonymous != nil {
				a, err := Compile(t.Anonymous)
				if err != nil {
					return nil, err
				}
				acls = []*ACL{a}
			} else {
				var err error
				if acls, err = s.lookup(t.Name); err != nil {
					return nil, err
				}
			}
			ts = append(ts, term{negate: t.Negate, acls: acls})
		}
		out.or = append(out.or, ts)
	}
	return out, nil
}

// Eval reports whether the condition holds for the transaction: any
// alternative whose terms all hold, inverted for "unless" (§7.2).
func (c *Cond) Eval(t *Txn) bool {
	if c == nil {
		return true
	}
	r := false
	for _, alt := range c.or {
		all := true
		for i := range alt {
			if !alt[i].eval(t) {
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

// String names the condition's shape, for debugging.
func (c *Cond) String() string {
	if c == nil {
		return "always"
	}
	var alts []string
	for _, alt := range c.or {
		var ts []string
		for _, t := range alt {
			n := t.acls[0].Name
			if t.negate {
				n = "!" + n
			}
			ts = append(ts, n)
		}
		alts = append(alts, strings.Join(ts, " "))
	}
	k := "if"
	if c.unless {
		k = "unless"
	}
	return k + " " + strings.Join(alts, " || ")
}
