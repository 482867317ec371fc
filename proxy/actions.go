package proxy

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"goha/parser/haproxy"
	"goha/proxy/http1"
)

// proxyRT is what a frontend, listen or backend section needs at run
// time beyond its balancer: its compiled http-request/http-response rules
// and its error pages (errorfile).
type proxyRT struct {
	px        *haproxy.Proxy
	cc        *condCompiler
	reqRules  []*ruleRT
	respRules []*ruleRT
	errors    map[int][]byte
	// persist are force-persist (force) and ignore-persist rules
	persist []persistRT
}

type persistRT struct {
	force bool
	cond  *cond
}

// ruleRT is one compiled http-request or http-response rule.
type ruleRT struct {
	r      *haproxy.HTTPRule
	cond   *cond
	value  *logFormat // set-header, add-header, set-path, set-uri, ...
	lit    []byte     // the value when the format has no sample
	re     *regexp.Regexp
	tmpl   []byte // replace-header template, Go syntax
	sample *sampleExpr
	ul     *haproxy.Userlist
	// return: prebuilt response, or its format ("lf-string") evaluated
	// per request
	ret    []byte
	retFmt *logFormat
	// redirect options
	dropQuery, appendSlash bool
}

func newProxyRT(cfg *haproxy.Config, px *haproxy.Proxy) (*proxyRT, error) {
	cc, err := newCondCompiler(cfg, px)
	if err != nil {
		return nil, err
	}
	rt := &proxyRT{px: px, cc: cc}
	for _, r := range px.HTTPRequest {
		c, err := rt.compileRule(cfg, r, false)
		if err != nil {
			return nil, err
		}
		rt.reqRules = append(rt.reqRules, c)
	}
	for _, r := range px.HTTPResponse {
		c, err := rt.compileRule(cfg, r, true)
		if err != nil {
			return nil, err
		}
		rt.respRules = append(rt.respRules, c)
	}
	for _, r := range px.PersistRules {
		c, err := cc.compile(r.Cond)
		if err != nil {
			return nil, fmt.Errorf("parsing [%s:%d] : %v", r.File, r.Line, err)
		}
		rt.persist = append(rt.persist, persistRT{force: r.Force, cond: c})
	}
	for code, path := range px.ErrorFiles {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("error opening file '%s' for custom error message (%d)", path, code)
		}
		if rt.errors == nil {
			rt.errors = map[int][]byte{}
		}
		rt.errors[code] = b
	}
	return rt, nil
}

func (rt *proxyRT) compileRule(cfg *haproxy.Config, r *haproxy.HTTPRule, resp bool) (*ruleRT, error) {
	fail := func(err error) (*ruleRT, error) {
		return nil, fmt.Errorf("parsing [%s:%d] : %v", r.File, r.Line, err)
	}
	c, err := rt.cc.compile(r.Cond)
	if err != nil {
		return fail(err)
	}
	x := &ruleRT{r: r, cond: c}
	if resp && !responseActions[r.Action] {
		return fail(fmt.Errorf("'http-response %s' is not supported by goproxy yet", r.Action))
	}
	switch r.Action {
	case "set-header", "add-header", "set-path", "set-pathq", "set-uri", "set-query", "set-method", "set-var-fmt":
		if x.value, err = compileFormat(r.Value); err != nil {
			return fail(err)
		}
		if lit, ok := x.value.literal(); ok {
			x.lit = []byte(lit)
		}
	case "replace-header", "replace-value":
		if x.re, err = regexp.Compile(r.Regex); err != nil {
			return fail(err)
		}
		x.tmpl = []byte(regexp.MustCompile(`\\([0-9])`).ReplaceAllString(r.Value, "$${$1}"))
	case "set-var":
		if x.sample, err = compileSample(r.Value); err != nil {
			return fail(err)
		}
	case "return":
		x.ret = buildReturn(r, nil)
		for i := 0; i+1 < len(r.Args); i++ {
			if r.Args[i] == "lf-string" {
				if x.retFmt, err = compileFormat(r.Args[i+1]); err != nil {
					return fail(err)
				}
			}
			if r.Args[i] == "lf-file" {
				b, _ := os.ReadFile(r.Args[i+1])
				if x.retFmt, err = compileFormat(string(b)); err != nil {
					return fail(err)
				}
			}
		}
	case "redirect":
		for _, a := range r.Args {
			switch a {
			case "drop-query":
				x.dropQuery = true
			case "append-slash":
				x.appendSlash = true
			}
		}
	case "use-service":
		// the parser lets through only the services haproxy knows
		if r.Value != "prometheus-exporter" {
			return fail(fmt.Errorf("'%s' unknown service name.", r.Value))
		}
	case "allow", "deny", "tarpit", "auth", "reject", "del-header", "set-status":
	default:
		return fail(fmt.Errorf("'%s' action is not supported by goproxy yet", r.Action))
	}
	return x, nil
}

// responseActions are the http-response actions applyResponseRules runs.
var responseActions = map[string]bool{"allow": true, "deny": true, "add-header": true, "set-header": true,
	"del-header": true, "replace-header": true, "replace-value": true, "set-status": true,
	"set-var": true, "set-var-fmt": true}

// buildReturn prebuilds "return [status N] [content-type T] [string S |
// file F] [hdr N V]...": the hdr fields first, then content-length and
// content-type, as haproxy's HTX message holds them.
func buildReturn(r *haproxy.HTTPRule, lfBody []byte) []byte {
	code := r.Status
	if code == 0 {
		code = 200
	}
	var body []byte
	var ctype string
	var hdrs []string
	for i := 0; i < len(r.Args); i++ {
		switch r.Args[i] {
		case "content-type":
			if i+1 < len(r.Args) {
				ctype = r.Args[i+1]
				i++
			}
		case "string", "lf-string":
			if i+1 < len(r.Args) {
				body = []byte(r.Args[i+1])
				i++
			}
		case "file", "lf-file":
			if i+1 < len(r.Args) {
				body, _ = os.ReadFile(r.Args[i+1])
				i++
			}
		case "hdr":
			if i+2 < len(r.Args) {
				hdrs = append(hdrs, r.Args[i+1], r.Args[i+2])
				i += 2
			}
		case "status":
			i++
		}
	}
	if lfBody != nil {
		body = lfBody
	}
	out := []byte("HTTP/1.1 " + strconv.Itoa(code) + " " + reasonPhrase(code) + "\r\n")
	for i := 0; i+1 < len(hdrs); i += 2 {
		out = append(out, lowerASCII(hdrs[i])+": "+hdrs[i+1]+"\r\n"...)
	}
	if body != nil || ctype != "" {
		out = append(out, "content-length: "+strconv.Itoa(len(body))+"\r\n"...)
	} else {
		out = append(out, "content-length: 0\r\n"...)
	}
	if ctype != "" {
		out = append(out, "content-type: "+ctype+"\r\n"...)
	}
	out = append(out, '\r', '\n')
	return append(out, body...)
}

// headerEdit is one change to a forwarded head, applied in rule order.
type headerEdit struct {
	op    int
	name  string // lower case
	value []byte
	re    *regexp.Regexp
	tmpl  []byte
}

const (
	editAdd      = iota // add-header: append a field
	editSet             // set-header: remove every field of that name, append one
	editDel             // del-header: remove every field of that name
	editReplace         // replace-header: the whole value through a regex
	editValue           // replace-value: each comma-separated value
	editCookieEq        // capture cookie: blanks around each '=' removed
	// persistence cookie in Cookie: value is the cookie name, tmpl[0]
	// 'd' (delete it), 'p' (strip "SRV~") or 0 (blanks only)
	editCookiePersist
	// persistence cookie in Set-Cookie: tmpl[0] 'd' (delete the field),
	// 'r' (value replaced) or 'p' (prefixed) by the server cookie tmpl[1:]
	editSetCookiePersist
)

// applyRules runs http-request rules in order (§4.2 "http-request"): the
// first final action (allow, deny, return, redirect, tarpit, auth, reject)
// stops the list. done reports that the request was answered; keep
// whether the client connection stays open.
func (s *stream) applyRules(rules []*ruleRT) (done, keep bool) {
	for _, x := range rules {
		if !x.cond.eval(s) {
			continue
		}
		r := x.r
		switch r.Action {
		case "allow":
			return false, false
		case "deny":
			code := r.Status
			if code == 0 {
				code = 403
			}
			s.countDenied()
			return true, s.answer(code)
		case "tarpit":
			s.countDenied()
			return true, s.tarpit(r)
		case "reject":
			s.countDenied()
			return true, false
		case "return":
			msg := x.ret
			if x.retFmt != nil {
				msg = buildReturn(r, x.retFmt.eval(s, []byte{}))
			}
			return true, s.sendLocal(msg, s.canKeep())
		case "redirect":
			return true, s.redirect(x)
		case "auth":
			return true, s.askAuth(r.Realm)
		case "use-service":
			return true, s.servePrometheus()
		case "add-header", "set-header", "del-header", "replace-header", "replace-value":
			s.edits = s.addEdit(s.edits, x)
			s.view.apply(&s.hdrs, s.edits[len(s.edits)-1])
			s.txn.Headers = &s.view
		case "set-path", "set-pathq", "set-uri", "set-query":
			s.rewriteURI(x)
		case "set-method":
			s.arena = x.value.eval(s, s.arena[:0])
			s.newMethod = append(s.newMethod[:0], s.arena...)
			s.txn.Method = s.newMethod
		case "set-var", "set-var-fmt":
			s.setVar(x)
		}
	}
	return false, false
}

// applyResponseRules runs http-response rules against the response head;
// deny answers 502 in place of the response (§4.2 "http-response deny").
func (s *stream) applyResponseRules(rules []*ruleRT) (denied bool) {
	for _, x := range rules {
		if !x.cond.eval(s) {
			continue
		}
		switch x.r.Action {
		case "allow":
			return false
		case "deny":
			s.f.st.FE.DeniedResp.Add(1)
			if s.be != nil && s.be.st != nil {
				s.be.st.BE.DeniedResp.Add(1)
			}
			return true
		case "add-header", "set-header", "del-header", "replace-header", "replace-value":
			s.respEdits = s.addEdit(s.respEdits, x)
		case "set-status":
			s.newStatus = x.r.Status
			s.newReason = ""
			for i := 0; i+1 < len(x.r.Args); i++ {
				if x.r.Args[i] == "reason" {
					s.newReason = x.r.Args[i+1]
				}
			}
		case "set-var", "set-var-fmt":
			s.setVar(x)
		}
	}
	return false
}

func (s *stream) addEdit(edits []headerEdit, x *ruleRT) []headerEdit {
	e := headerEdit{name: lowerASCII(x.r.HeaderName)}
	switch x.r.Action {
	case "add-header", "set-header":
		e.op = editAdd
		if x.r.Action == "set-header" {
			e.op = editSet
		}
		if x.lit != nil {
			e.value = x.lit
		} else {
			e.value = x.value.eval(s, nil)
		}
	case "del-header":
		e.op = editDel
	case "replace-header":
		e.op, e.re, e.tmpl = editReplace, x.re, x.tmpl
	case "replace-value":
		e.op, e.re, e.tmpl = editValue, x.re, x.tmpl
	}
	return append(edits, e)
}

// rewriteURI is set-path, set-pathq, set-uri and set-query: the new
// target replaces the forwarded one and what later rules see.
func (s *stream) rewriteURI(x *ruleRT) {
	val := x.value.eval(s, s.arena[:0])
	s.arena = val
	uri := s.txn.URI
	q := bytes.IndexByte(uri, '?')
	var nu []byte
	switch x.r.Action {
	case "set-uri":
		nu = append(nu, val...)
	case "set-path":
		nu = append(nu, val...)
		if q >= 0 {
			nu = append(nu, uri[q:]...)
		}
	case "set-pathq":
		nu = append(nu, val...)
	case "set-query":
		if q >= 0 {
			nu = append(nu, uri[:q]...)
		} else {
			nu = append(nu, uri...)
		}
		if len(val) > 0 {
			nu = append(nu, '?')
			nu = append(nu, val...)
		}
	}
	s.newURI = append(s.newURI[:0], nu...)
	s.txn.URI = s.newURI
}

// Variables (set-var): a few per transaction, kept in a slice.
type variable struct {
	name  string
	value []byte
}

func (s *stream) setVar(x *ruleRT) {
	var v []byte
	var ok bool
	if x.sample != nil {
		v, ok = x.sample.eval(s, nil)
	} else {
		v, ok = x.value.eval(s, nil), true
	}
	if !ok {
		return
	}
	for i := range s.vars {
		if s.vars[i].name == x.r.VarName {
			s.vars[i].value = v
			return
		}
	}
	s.vars = append(s.vars, variable{name: x.r.VarName, value: v})
}

func (s *stream) getVar(name string) ([]byte, bool) {
	for i := range s.vars {
		if s.vars[i].name == name {
			return s.vars[i].value, true
		}
	}
	return nil, false
}

// editScratch holds the reusable buffers of applyEdits, so that a request
// with header rules or forwardfor costs no allocation once warm.
type editScratch struct {
	spare  []byte   // the output buffer of the next edit (ping-pong with s.out)
	lines  [][]byte // the head's lines
	cur    [][]byte // the field lines being edited
	kept   [][]byte
	fields []byte // new field lines
}

// editHead applies edits to a head held in s.out's buffer and returns the
// result in the other buffer; the caller stores it in s.out.
func (s *stream) editHead(head []byte, edits []headerEdit, firstLine []byte, serverClose bool) []byte {
	if len(edits) == 0 && firstLine == nil && !serverClose {
		return head
	}
	out := applyEdits(&s.es, s.es.spare[:0], head, edits, firstLine, serverClose)
	s.es.spare = head[:0]
	return out
}

// applyEdits rewrites a head written by http1 (one "name: value" line per
// field, names in lower case) into dst, applying the edits in rule order.
// Added fields go after the existing ones, before the "connection:" field
// the H1 layer appends last. firstLine, when set, replaces the start line.
func applyEdits(es *editScratch, dst, head []byte, edits []headerEdit, firstLine []byte, serverClose bool) []byte {
	body := head[:len(head)-2]
	lines := es.lines[:0]
	for len(body) > 0 {
		i := bytes.Index(body, []byte("\r\n"))
		if i < 0 {
			lines = append(lines, body)
			break
		}
		lines = append(lines, body[:i+2])
		body = body[i+2:]
	}
	start := lines[0]
	if firstLine != nil {
		start = firstLine
	}
	fields := append(es.cur[:0], lines[1:]...)
	var tail []byte
	if n := len(fields); n > 0 && isH1ConnLine(fields[n-1]) {
		tail = fields[n-1]
		fields = fields[:n-1]
	}
	arena := es.fields[:0]
	newLine := func(name string, value []byte) []byte {
		from := len(arena)
		arena = append(arena, name...)
		arena = append(arena, ':', ' ')
		arena = append(arena, value...)
		arena = append(arena, '\r', '\n')
		return arena[from:len(arena):len(arena)]
	}
	for _, e := range edits {
		switch e.op {
		case editAdd:
			fields = append(fields, newLine(e.name, e.value))
		case editSet, editDel:
			kept := es.kept[:0]
			for _, l := range fields {
				if !lineHasName(l, e.name) {
					kept = append(kept, l)
				}
			}
			// fields may alias lines: copy back through kept
			fields = append(fields[:0], kept...)
			es.kept = kept[:0]
			if e.op == editSet {
				fields = append(fields, newLine(e.name, e.value))
			}
		case editReplace, editValue:
			for i, l := range fields {
				if !lineHasName(l, e.name) {
					continue
				}
				v := l[len(e.name)+2 : len(l)-2]
				var nv []byte
				if e.op == editReplace {
					nv = replaceWhole(e, v)
				} else {
					for j, part := range bytes.Split(v, []byte(",")) {
						if j > 0 {
							nv = append(nv, ',')
						}
						nv = append(nv, replaceWhole(e, bytes.TrimSpace(part))...)
					}
				}
				fields[i] = newLine(e.name, nv)
			}
		case editCookieEq:
			for i, l := range fields {
				if lineHasName(l, e.name) {
					fields[i] = newLine(e.name, stripCookieEq(nil, l[len(e.name)+2:len(l)-2]))
				}
			}
		case editCookiePersist, editSetCookiePersist:
			kept := es.kept[:0]
			for _, l := range fields {
				if !lineHasName(l, e.name) {
					kept = append(kept, l)
					continue
				}
				v := l[len(e.name)+2 : len(l)-2]
				if e.op == editCookiePersist {
					if nv, keep := rewriteRequestCookie(nil, v, string(e.value), e.tmpl[0]); keep {
						kept = append(kept, newLine(e.name, nv))
					}
					continue
				}
				if !setCookieIs(v, e.value) {
					kept = append(kept, l)
				} else if e.tmpl[0] != 'd' {
					kept = append(kept, newLine(e.name, rewriteSetCookie(v, e.tmpl[0], string(e.tmpl[1:]))))
				}
			}
			fields = append(fields[:0], kept...)
			es.kept = kept[:0]
		}
	}
	out := append(dst, start...)
	for _, l := range fields {
		out = append(out, l...)
	}
	if serverClose {
		out = append(out, "connection: close\r\n"...)
	} else {
		out = append(out, tail...)
	}
	es.lines = lines[:0]
	es.cur = fields[:0]
	es.fields = arena[:0]
	return append(out, '\r', '\n')
}

func isH1ConnLine(l []byte) bool {
	return bytes.Equal(l, []byte("connection: keep-alive\r\n")) || bytes.Equal(l, []byte("connection: close\r\n"))
}

// replaceWhole is haproxy's regex replacement: when the regex matches, the
// whole value becomes the template with its references filled in.
func replaceWhole(e headerEdit, v []byte) []byte {
	m := e.re.FindSubmatchIndex(v)
	if m == nil {
		return append([]byte(nil), v...)
	}
	return e.re.Expand(nil, e.tmpl, v, m)
}

func lineHasName(l []byte, name string) bool {
	return len(l) > len(name) && l[len(name)] == ':' && string(l[:len(name)]) == name
}

// redirect is "http-request redirect location|prefix|scheme <to> [code N]
// [drop-query] [append-slash]" (§4.2 "redirect").
func (s *stream) redirect(x *ruleRT) bool {
	r := x.r
	code := r.Status
	if code == 0 {
		code = 302
	}
	to := r.Value
	uri := string(s.txn.URI)
	if x.dropQuery {
		if q := strings.IndexByte(uri, '?'); q >= 0 {
			uri = uri[:q]
		}
	}
	if x.appendSlash && !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	switch r.RedirectTyp {
	case "prefix":
		// A prefix of "/" alone means the path only, to avoid "//".
		if to == "/" {
			to = uri
		} else {
			to += uri
		}
	case "scheme":
		host, _ := s.req.Lookup(s.cbuf[:s.clen], "host")
		to = to + "://" + string(host) + uri
	}
	msg := "HTTP/1.1 " + strconv.Itoa(code) + " " + reasonPhrase(code) + "\r\ncontent-length: 0\r\nlocation: " + to + "\r\n"
	// Only the non-cacheable redirections carry "no-cache" (measured:
	// 302, 303, 307 yes; 301, 308 no).
	if code == 302 || code == 303 || code == 307 {
		msg += "cache-control: no-cache\r\n"
	}
	return s.sendLocal([]byte(msg+"\r\n"), s.canKeep())
}

// askAuth answers 401 with a Basic challenge (http-request auth). Without
// a realm haproxy names the proxy whose rule asked: the frontend for its
// rules (s.be is not chosen yet), the backend for the backend's
// (measured: rule-auth-default-realm).
func (s *stream) askAuth(realm string) bool {
	if realm == "" {
		realm = s.f.name
		if s.be != nil {
			realm = s.be.name
		}
	}
	msg := http1.ErrorResponseHTX(401)
	i := bytes.Index(msg, []byte("\r\n\r\n"))
	out := make([]byte, 0, len(msg)+64)
	out = append(out, msg[:i+2]...)
	out = append(out, "www-authenticate: Basic realm=\""+realm+"\"\r\n"...)
	out = append(out, msg[i+2:]...)
	return s.sendLocal(out, s.canKeep())
}

// tarpit holds the request for "timeout tarpit" (else "timeout connect")
// then answers 500 or deny_status (§4.2 "http-request tarpit").
func (s *stream) tarpit(r *haproxy.HTTPRule) bool {
	d := s.f.cfg.Timeouts.Tarpit
	if d == 0 {
		d = s.f.cfg.Timeouts.Connect
	}
	select {
	case <-time.After(d):
	case <-s.f.e.closing:
	}
	code := r.Status
	if code == 0 {
		code = 500
	}
	return s.answer(code)
}

// headerView is the request's header list as the rules left it, so that
// later ACLs see rewritten headers as haproxy's do. It is built only when
// a rule edits a header.
type headerView struct {
	names, values [][]byte
	built         bool
}

func (v *headerView) Len() int                      { return len(v.names) }
func (v *headerView) At(i int) (name, value []byte) { return v.names[i], v.values[i] }

func (v *headerView) reset() {
	v.names, v.values, v.built = v.names[:0], v.values[:0], false
}

// apply brings one edit into the view, copying the parsed fields first.
func (v *headerView) apply(src *fieldHeaders, e headerEdit) {
	if !v.built {
		for i := 0; i < src.Len(); i++ {
			n, val := src.At(i)
			v.names = append(v.names, n)
			v.values = append(v.values, val)
		}
		v.built = true
	}
	match := func(i int) bool { return equalFoldBytes(v.names[i], e.name) }
	switch e.op {
	case editAdd:
		v.names, v.values = append(v.names, []byte(e.name)), append(v.values, e.value)
	case editSet, editDel:
		k := 0
		for i := range v.names {
			if !match(i) {
				v.names[k], v.values[k] = v.names[i], v.values[i]
				k++
			}
		}
		v.names, v.values = v.names[:k], v.values[:k]
		if e.op == editSet {
			v.names, v.values = append(v.names, []byte(e.name)), append(v.values, e.value)
		}
	case editReplace, editValue:
		for i := range v.names {
			if !match(i) {
				continue
			}
			if e.op == editReplace {
				v.values[i] = replaceWhole(e, v.values[i])
				continue
			}
			var nv []byte
			for j, part := range bytes.Split(v.values[i], []byte(",")) {
				if j > 0 {
					nv = append(nv, ',')
				}
				nv = append(nv, replaceWhole(e, bytes.TrimSpace(part))...)
			}
			v.values[i] = nv
		}
	}
}

func equalFoldBytes(a []byte, lower string) bool {
	if len(a) != len(lower) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
