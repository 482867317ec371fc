package scenario

import (
	"regexp"
	"strings"
)

// The normaliser masks what legitimately changes from one run to the next
// — clocks, pids, ephemeral ports, elapsed times — and nothing else, so
// that what remains is what a user would see differ between two products.

// maskedHeaders are response headers whose value is a clock or derives from
// a file's modification time.
var maskedHeaders = map[string]string{
	"date":          "<date>",
	"last-modified": "<date>",
	"etag":          "<etag>",
	"expires":       "<date>",
}

// normaliseHeader returns the header line as the transcript prints it: the
// name exactly as sent (case matters to a drop-in), the value masked when
// it is a clock.
func normaliseHeader(line string) string {
	name, value, ok := strings.Cut(line, ":")
	if !ok {
		return line
	}
	if m, ok := maskedHeaders[strings.ToLower(name)]; ok {
		return name + ": " + m
	}
	return name + ":" + value
}

var (
	// RFC 3164 header: "<134>Nov 25 15:30:00 haproxy[1234]: " — the
	// priority stays (facility and level are what a syslog daemon files
	// the line by), time and pid go.
	reSyslogTime = regexp.MustCompile(`^(<\d+>)?[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d `)
	// RFC 5424 header, in case a log line uses it.
	reSyslog5424 = regexp.MustCompile(`^(<\d+>)1 \S+ `)
	rePidTag     = regexp.MustCompile(`^(\S*?)\[\d+\]:`)
	// httplog fields (configuration.txt 8.2.3): client port, accept date,
	// the five timers.
	reClientPort = regexp.MustCompile(`(\d+\.\d+\.\d+\.\d+):\d+ \[`)
	// The default log format (configuration.txt 8.2.1) names the
	// client's port too.
	reConnectFrom = regexp.MustCompile(`Connect from (\d+\.\d+\.\d+\.\d+):\d+ `)
	reAcceptDate  = regexp.MustCompile(`\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]`)
	reTimers      = regexp.MustCompile(` (-?\d+)/(-?\d+)/(-?\d+)/(-?\d+)/(\+?-?\d+) `)
	reDuration    = regexp.MustCompile(`check duration: \d+ms`)
	reProcPid     = regexp.MustCompile(`\(\d+\)`)
	reNumber      = regexp.MustCompile(`\d+`)
)

// normaliseLog masks a syslog line a proxy sent.
func normaliseLog(line string) string {
	line = strings.TrimRight(line, "\n\x00")
	if m := reSyslog5424.FindStringSubmatch(line); m != nil {
		line = m[1] + "1 <time> " + line[len(m[0]):]
	} else if m := reSyslogTime.FindStringSubmatch(line); m != nil {
		line = m[1] + "<time> " + line[len(m[0]):]
	}
	if i := strings.Index(line, "> "); i >= 0 {
		head, rest := line[:i+2], line[i+2:]
		line = head + rePidTag.ReplaceAllString(rest, "$1[<pid>]:")
	}
	line = reClientPort.ReplaceAllString(line, "$1:<port> [")
	line = reConnectFrom.ReplaceAllString(line, "Connect from $1:<port> ")
	line = reAcceptDate.ReplaceAllString(line, "[<date>]")
	line = reTimers.ReplaceAllStringFunc(line, func(s string) string {
		// Keep -1 (a phase that never happened) and mask durations.
		parts := strings.Split(strings.TrimSpace(s), "/")
		for i, p := range parts {
			if !strings.HasPrefix(p, "-") {
				parts[i] = "N"
			}
		}
		return " " + strings.Join(parts, "/") + " "
	})
	line = reDuration.ReplaceAllString(line, "check duration: Nms")
	return line
}

// VRRP daemons log to the console with -l; a line starts with a clock
// ("Wed Nov 25 15:30:00 2026: ") that goes.
var (
	reConsoleTime = regexp.MustCompile(`^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}: `)
	// stateLine picks the lines a user watches for failover: state
	// changes, priority changes, scripts, stop and start.
	reStateLine = regexp.MustCompile(`Entering [A-Z]+ STATE|Transition to MASTER|Changing effective priority|VRRP_Script|[Ss]cript .*(succeeded|failed|timed out)|sent 0 priority|received lower priority|received higher priority|Stopped|Stopping$|Got SIGTERM|Received advert from .* with lower priority|removing VIPs|setting VIPs|Netlink reports .* down|Netlink reports .* up`)
)

// stateLine returns the masked console line and whether it is a state
// change.
func stateLine(line string) (string, bool) {
	line = reConsoleTime.ReplaceAllString(line, "")
	if !reStateLine.MatchString(line) {
		return "", false
	}
	// No pid is masked in parentheses: the number in "received lower
	// priority (50) advert" is the sender's priority.
	line = reChildPid.ReplaceAllString(line, "pid=<pid>")
	if strings.HasPrefix(line, "Stopped - used") {
		// CPU time used: a clock.
		line = reNumber.ReplaceAllString(reDecimal.ReplaceAllString(line, "N"), "N")
	}
	return line, true
}

// stateLines picks a VRRP daemon's state lines from its console, a run
// of identical lines about received adverts shown once: how many adverts
// arrive while a timer runs depends on the phase of the sender's advert
// timer (master waits 3.61 s in BACKUP at start, backup adverts every
// second: 3 or 4 of them), not on the implementation.
func stateLines(lines []stamped) []string {
	var out []string
	for _, s := range lines {
		l, ok := stateLine(s.text)
		if !ok {
			continue
		}
		if n := len(out); n > 0 && out[n-1] == l && strings.Contains(l, " advert from ") {
			continue
		}
		out = append(out, l)
	}
	return out
}

var (
	reChildPid = regexp.MustCompile(`pid=\d+`)
	reDecimal  = regexp.MustCompile(`\d+\.\d+`)
	reExecPath = regexp.MustCompile(`path to executable is \S+`)
)

// normaliseConsole masks what a proxy printed on its console (stderr):
// the pid in haproxy's "[WARNING]  (1234) : " prefix and the binary's
// location.
func normaliseConsole(line string) string {
	line = reProcPid.ReplaceAllString(line, "(<pid>)")
	return reExecPath.ReplaceAllString(line, "path to executable is <path>")
}
