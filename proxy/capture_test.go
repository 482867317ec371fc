package proxy

import (
	"regexp"
	"testing"
)

// The captures of the values sent in compat-tests' TestObserveLogs (caps
// frontend, "capture cookie SESSIONID len 12") are those haproxy 2.6.12
// logged there; this test keeps them checked where haproxy is not
// installed. The others (no match, empty cookies, a Set-Cookie whose
// first cookie is not ours) follow http_manage_*_side_cookies.
func TestCookieCapture(t *testing.T) {
	for _, c := range []struct {
		value, want string
		set         bool
	}{
		{value: "$Version=1; other=1, SESSIONID = abcdefghijklmnop ; x=2", want: "SESSIONID=ab"},
		{value: `SESSION=short; noequal; SESSIONID2="q;uoted"`, want: `SESSIONID2="`},
		{value: "SESSIONID=denied", want: "SESSIONID=de"},
		{value: "other=1", want: "-"},
		{value: ";;", want: "-"},
		{value: "SESSIONID = s3rv3r-s1d3-long ; Path=/; Expires=Thu, 01 Jan 2037 00:00:00 GMT", want: "SESSIONID=s3", set: true},
		{value: "Path=/; SESSIONID=x", want: "-", set: true},
	} {
		var got []byte
		var ok bool
		if c.set {
			got, ok = setCookieCapture(nil, []byte(c.value), "SESSIONID", 12)
		} else {
			got, ok = cookieCapture(nil, []byte(c.value), "SESSIONID", 12)
		}
		if !ok {
			got = []byte("-")
		}
		if string(got) != c.want {
			t.Errorf("%q: captured %q, want %q", c.value, got, c.want)
		}
	}
}

// uuid() in a unique-id-format: version 4, haproxy's lower-case layout.
func TestAppendUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := string(appendUUID(nil)), string(appendUUID(nil))
	if !re.MatchString(a) || a == b {
		t.Fatalf("uuids %q %q", a, b)
	}
}

// Log-format samples goproxy does not evaluate are refused at compile
// time (the engine warns and logs '-'), not guessed.
func TestCompileLogSample(t *testing.T) {
	for expr, ok := range map[string]bool{
		"capture.req.hdr(0),upper": true, "uuid()": true, "var(txn.x)": true, "src": true,
		"capture.res.hdr(1),base64": false, "ssl_fc": false,
	} {
		if _, err := compileLogSample(expr); (err == nil) != ok {
			t.Errorf("%s: err %v", expr, err)
		}
	}
}
