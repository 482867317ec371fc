// Package keepalived reads keepalived.conf (keepalived 2.2.7 dialect) into a
// typed configuration and reports problems the way `keepalived -t` does.
//
// The package mirrors keepalived's own reading model, because its messages
// (and therefore what an operator sees) depend on it:
//
//   - The text layer (source.go) turns files into logical lines: `!` and `#`
//     comments are removed (also after a value, unless quoted or escaped
//     with a backslash), `include` lines are expanded with globs relative to
//     the directory of the including file, `@id` lines are kept or dropped
//     by the configuration id, `$NAME=value` definitions are recorded and
//     `$NAME` / `${NAME}` substituted and `~SEQ(...)` / `~LST(...)` lines
//     repeated (keepalived.conf(5), "ADVANCED CONFIGURATION").
//   - keepalived then reads that text several times, once per process it
//     would start: the parent (global_defs), the checker (LVS), the VRRP
//     child and the BFD child. Each pass knows every top-level keyword but
//     only acts on its own blocks and skips the others, so an unknown
//     top-level keyword is reported once per pass, while an unknown keyword
//     inside vrrp_instance is reported only by the VRRP pass. Check
//     reproduces the four passes and their order (pass.go).
//   - After reading, the VRRP pass completes and validates every instance
//     (vrrp.c vrrp_complete_init / vrrp_complete_instance in 2.2.7):
//     validate.go.
//
// The result is a *Config (model.go) whose timers are time.Duration and whose
// defaults are resolved, and a *Report holding keepalived's messages, their
// severity and the exit code `keepalived -t` would return.
package keepalived
