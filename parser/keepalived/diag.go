package keepalived

import (
	"fmt"
	"strings"
)

// Level is the severity keepalived attaches to a configuration message
// (lib/parser.h config_err_t). The numeric order matters: keepalived keeps
// the numerically highest level reported, and `-t` maps that to its exit
// code (see ExitCode), so a later "warning" outranks an earlier "fatal".
type Level int

// The levels, in keepalived's order.
const (
	LevelOK Level = iota
	LevelFileNotFound
	LevelBadInterface
	LevelFatal
	LevelMultipleFiles
	LevelUnknownKeyword
	LevelUnexpectedBOB
	LevelMissingBOB
	LevelUnexpectedEOB
	LevelMissingEOB
	LevelUnmatchedQuote
	LevelMissingParameter
	LevelInvalidNumber
	LevelGeneralError
	LevelWarning
	LevelDeprecated
	LevelSecurityError
)

// Pass names the keepalived process whose reading produced a message.
type Pass int

// The passes in the order `keepalived -t` runs them.
const (
	PassParent Pass = iota
	PassChecker
	PassVRRP
	PassBFD
	// PassNone marks messages of govrrpd itself (not keepalived's).
	PassNone
)

// Diag is one message of the configuration check.
type Diag struct {
	Level Level
	Pass  Pass
	// File and Line locate the message; Line is 0 when keepalived prints
	// no location. File is empty when keepalived prints only "(Line N)".
	File string
	Line int
	// Msg is the message text without the location prefix.
	Msg string
}

// String renders d exactly as keepalived prints it: "(FILE: Line N) MSG",
// "(Line N) MSG" or just "MSG".
func (d Diag) String() string {
	switch {
	case d.Line > 0 && d.File != "":
		return fmt.Sprintf("(%s: Line %d) %s", d.File, d.Line, d.Msg)
	case d.Line > 0:
		return fmt.Sprintf("(Line %d) %s", d.Line, d.Msg)
	}
	return d.Msg
}

// Report is everything a configuration check said.
type Report struct {
	Diags []Diag
	// Max is the highest level reported (keepalived's config_err).
	Max Level
	// Aborted is set when keepalived would have exited in the middle of
	// reading (a missing parameter): the exit code is then 2.
	Aborted bool
	// fileError: an include problem the include checks make an error.
	fileError bool
	// ExitOverride, when set, is the exit code keepalived returns without
	// evaluating the messages (it could not enter its network namespace).
	ExitOverride *int
	// Notes are govrrpd's own remarks (for example about parts of the
	// configuration the engine does not run yet). They are not keepalived
	// messages and do not change the exit code.
	Notes []string
}

func (r *Report) add(d Diag) {
	r.Diags = append(r.Diags, d)
	if d.Level > r.Max {
		r.Max = d.Level
	}
}

// ExitCode is the code `keepalived -t` exits with for this report
// (keepalived/core/main.c config_test_exit, lib/scheduler.h): 0 when nothing
// was reported, 4 when the highest level is a missing file, bad interface or
// fatal error, 6 for a script-security violation, 5 for anything else, and
// 2 when reading stopped at a keyword missing its parameter.
func (r *Report) ExitCode() int {
	if r.ExitOverride != nil {
		return *r.ExitOverride
	}
	if r.Aborted {
		return 2
	}
	switch r.Max {
	case LevelOK:
		return 0
	case LevelFileNotFound, LevelBadInterface, LevelFatal:
		return 4
	case LevelSecurityError:
		return 6
	}
	return 5
}

// Text renders every message, one per line, as keepalived writes them to
// stderr under -t.
func (r *Report) Text() string {
	var b strings.Builder
	for _, d := range r.Diags {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}
