package scenario

import "regexp"

// KnownDifferences maps the differences the scenarios show to the entries
// of compat-tests/DIFFERENCES.md that explain them. An entry only counts
// when DIFFERENCES.md really contains its Doc text, so removing the
// explanation makes make compat fail again. Differences that are bugs or
// gaps get no entry here: they stay in the report until fixed.
var KnownDifferences = []Known{
	// goproxy runs the tutorial's haproxy.cfg unchanged and warns about
	// the keywords haproxy 2.6 refuses; haproxy runs the rewrite and
	// prints nothing.
	{Section: "console", Pattern: regexp.MustCompile(`^\+ \[WARNING\] +\(<pid>\) : config : parsing \[/etc/haproxy/haproxy.cfg:\d+\] : nbproc is not supported`),
		Doc: "`nbproc N` in global"},
	{Section: "console", Pattern: regexp.MustCompile(`^\+ \[WARNING\] +\(<pid>\) : config : parsing \[/etc/haproxy/haproxy.cfg:\d+\] : the '(contimeout|clitimeout|srvtimeout)' directive`),
		Doc: "`contimeout`, `clitimeout`, `srvtimeout`"},
	// haproxy prints its two [NOTICE] lines before the first warning or
	// alert; goproxy's first warning is the removed-keyword one above.
	{Section: "console", Pattern: regexp.MustCompile(`^\+ \[NOTICE\] +\(<pid>\) : (goproxy version is |path to executable is )`),
		Doc: "the two `[NOTICE]` lines (version, path to executable) haproxy prints before its first warning"},
	// govrrpd's last line names govrrpd, as its first does.
	{Section: "states", Pattern: regexp.MustCompile(`^(- Stopped Keepalived v2\.2\.7 \(01/16,2022\)|\+ Stopped govrrpd \(keepalived v2\.2\.7 compatible\))$`),
		Doc: "the start and stop banner lines"},
	// keepalived lingers 1 s after its priority-0 advert; govrrpd exits
	// at once (the reference's figure is about 1 s, goha's under one).
	{Section: "timing", Pattern: regexp.MustCompile(`^(- term->daemon-exited \d+ms |\+ term->daemon-exited \d{1,3}ms )`),
		Doc: "SIGTERM: when the process exits"},
}
