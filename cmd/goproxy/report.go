package main

import (
	"fmt"
	"io"
	"strings"

	"goha/parser/haproxy"
)

// reporter writes messages to stderr the way haproxy 2.6 does while it
// starts (src/errors.c): the first warning or alert is preceded by two
// [NOTICE] lines naming the version and the executable; in quiet mode
// (-q without -V) nothing is printed, yet a warning still counts.
type reporter struct {
	w       io.Writer
	pid     int
	exe     string // path to the executable; "" when unknown
	quiet   bool
	noticed bool // version notices already printed
	warned  bool // a warning was emitted (printed or not)
}

// diag prints one diagnostic of the parser (or of the command line).
func (r *reporter) diag(d haproxy.Diag) {
	if d.Level == haproxy.LevelWarning {
		r.warned = true
	}
	if r.quiet {
		return
	}
	if d.Level == haproxy.LevelNotice && strings.Contains(d.Text, " version is ") {
		r.noticed = true // the parser printed its own; do not repeat it
	}
	if d.Level != haproxy.LevelNotice && !r.noticed {
		r.noticed = true
		r.line(haproxy.Diag{Level: haproxy.LevelNotice, Text: "goproxy version is " + Version})
		if r.exe != "" {
			r.line(haproxy.Diag{Level: haproxy.LevelNotice, Text: "path to executable is " + r.exe})
		}
	}
	r.line(d)
}

func (r *reporter) line(d haproxy.Diag) {
	fmt.Fprintln(r.w, d.Format(r.pid))
}

// alert prints an [ALERT] with the given context ("config" or "").
func (r *reporter) alert(context, text string) {
	r.diag(haproxy.Diag{Level: haproxy.LevelAlert, Context: context, Text: text})
}

// warning prints a [WARNING] with the given context.
func (r *reporter) warning(context, text string) {
	r.diag(haproxy.Diag{Level: haproxy.LevelWarning, Context: context, Text: text})
}
