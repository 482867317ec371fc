package log

// The parts of the request line that %HM, %HP, %HPO, %HQ, %HU and %HV
// print (configuration.txt §8.2.4), cut the way src/log.c cuts them.

func isSPHT(c byte) bool { return c == ' ' || c == '\t' }

// requestPart extracts %HM, %HP, %HPO, %HQ, %HU or %HV from the request
// line the way sess_build_logline() does, including its habit of counting
// the spaces it skipped across the whole line (nspaces).
func requestPart(kind varKind, line []byte, nspaces *int) string {
	uri := badReq
	if line != nil {
		uri = bytesView(line)
		if i := indexNUL(uri); i >= 0 {
			uri = uri[:i]
		}
	}
	end := len(uri)
	switch kind {
	case kindMethod:
		spc := 0
		for spc < end && !isSPHT(uri[spc]) {
			spc++
		}
		if spc == end {
			return badReq
		}
		return uri[:spc]
	case kindQuery:
		if line == nil {
			return badReq
		}
		i := 0
		for i < end && uri[i] != '?' {
			i++
		}
		q := i
		for i < end && !isSPHT(uri[i]) {
			i++
		}
		return uri[q:i]
	}
	i := 0
	for i < end && !isSPHT(uri[i]) {
		i++
	}
	for i < end && isSPHT(uri[i]) {
		i++
		*nspaces++
	}
	bad := line == nil || *nspaces == 0
	switch kind {
	case kindPath:
		spc := i
		for spc < end && uri[spc] != '?' && !isSPHT(uri[spc]) {
			spc++
		}
		if bad {
			return badReq
		}
		return uri[i:spc]
	case kindURI:
		spc := i
		for spc < end && !isSPHT(uri[spc]) {
			spc++
		}
		if bad {
			return badReq
		}
		return uri[i:spc]
	case kindPathOnly:
		spc := i
		for spc < end && !isSPHT(uri[spc]) {
			spc++
		}
		if bad {
			return badReq
		}
		path := uriPath(uri[i:spc])
		for j := 0; j < len(path); j++ {
			if path[j] == '?' {
				return path[:j]
			}
		}
		return path
	default: // kindVersion
		for i < end && !isSPHT(uri[i]) {
			i++
		}
		for i < end && isSPHT(uri[i]) {
			i++
		}
		if bad {
			return badReq
		}
		if i == end {
			return "HTTP/0.9"
		}
		return uri[i:end]
	}
}

// uriPath is http_parse_path(): the path of an origin-form or
// absolute-form target, empty for "*", authority-form or a missing path.
func uriPath(u string) string {
	if u == "" || u == "*" {
		return ""
	}
	if u[0] == '/' {
		return u
	}
	if !isAlpha(u[0]) {
		return ""
	}
	i := 1
	for i < len(u) && (isAlnum(u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.') {
		i++
	}
	if i+3 > len(u) || u[i] != ':' || u[i+1] != '/' || u[i+2] != '/' {
		return ""
	}
	i += 3
	for i < len(u) && u[i] != '/' {
		i++
	}
	return u[i:]
}
