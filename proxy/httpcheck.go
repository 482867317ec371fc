package proxy

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"goha/parser/haproxy"
	"goha/proxy/check"
)

// httpCheckProbe builds a backend's HTTP health check from "option
// httpchk [<method> <uri> <version>]" and its "http-check send" and
// "http-check expect" rules (configuration.txt §4.2). Without an expect
// rule any 2xx or 3xx status passes.
func httpCheckProbe(px *haproxy.Proxy) (check.HTTPProbe, error) {
	hc := px.Options.HTTPChk
	method, uri, ver := "OPTIONS", "/", "HTTP/1.0"
	if hc != nil {
		if hc.Method != "" {
			method = hc.Method
		}
		if hc.URI != "" {
			uri = hc.URI
		}
		if hc.Version != "" {
			// The deprecated form may carry headers after "\r\n" in the
			// version ("HTTP/1.1\r\nHost:\ www"): they are sent as written.
			ver = hc.Version
		}
	}
	var headers []string
	var probe check.HTTPProbe
	for _, st := range px.HTTPCheck.Rules {
		args := st.Args
		if len(args) > 0 && args[0] == "http-check" {
			args = args[1:]
		}
		if len(args) == 0 {
			continue
		}
		switch args[0] {
		case "send":
			for i := 1; i+1 < len(args); i += 2 {
				switch args[i] {
				case "meth":
					method = args[i+1]
				case "uri":
					uri = args[i+1]
				case "ver":
					ver = args[i+1]
				case "hdr":
					if i+2 < len(args) {
						headers = append(headers, args[i+1]+": "+args[i+2])
						i++
					}
				}
			}
		case "expect":
			e, err := parseExpect(args[1:])
			if err != nil {
				return probe, fmt.Errorf("parsing [%s:%d] : %v", st.File, st.Line, err)
			}
			probe.Expect = e
		case "connect", "comment":
			// no effect on a plain HTTP check
		default:
			return probe, fmt.Errorf("parsing [%s:%d] : 'http-check %s' is not supported by goproxy yet", st.File, st.Line, args[0])
		}
	}
	req := method + " " + uri + " " + ver + "\r\n"
	for _, h := range headers {
		req += h + "\r\n"
	}
	probe.Request = []byte(req + "\r\n")
	return probe, nil
}

// parseExpect reads "[!] status|rstatus|string|rstring <pattern>".
func parseExpect(args []string) (check.Expect, error) {
	var e check.Expect
	if len(args) > 0 && args[0] == "!" {
		e.Negate = true
		args = args[1:]
	}
	// options such as min-recv, ok-status, error-status come first
	for len(args) > 2 && (strings.HasSuffix(args[0], "-status") || args[0] == "min-recv" || strings.HasPrefix(args[0], "on-") || args[0] == "tout-status" || args[0] == "comment") {
		args = args[2:]
	}
	if len(args) < 2 {
		return e, fmt.Errorf("'http-check expect' expects a matching method and a pattern")
	}
	pat := args[1]
	switch args[0] {
	case "status":
		for _, part := range strings.Split(pat, ",") {
			lo, hi, isRange := strings.Cut(part, "-")
			a, err := strconv.Atoi(lo)
			if err != nil {
				return e, fmt.Errorf("invalid status code '%s'", part)
			}
			b := a
			if isRange {
				if b, err = strconv.Atoi(hi); err != nil {
					return e, fmt.Errorf("invalid status range '%s'", part)
				}
			}
			e.Status = append(e.Status, [2]int{a, b})
		}
	case "rstatus":
		re, err := regexp.Compile(pat)
		if err != nil {
			return e, fmt.Errorf("invalid regex '%s'", pat)
		}
		e.RStatus = re
	case "string":
		e.String = []byte(pat)
	case "rstring":
		re, err := regexp.Compile(pat)
		if err != nil {
			return e, fmt.Errorf("invalid regex '%s'", pat)
		}
		e.RString = re
	default:
		return e, fmt.Errorf("'http-check expect %s' is not supported by goproxy yet", args[0])
	}
	return e, nil
}
