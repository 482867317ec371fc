// Package cli serves haproxy 2.6's runtime API ("stats socket", management
// guide §9.3) over any net.Listener: a unix socket ("stats socket <path>
// mode 600 level admin", see ListenUnix) or TCP ("stats socket
// ipv4@127.0.0.1:9999").
//
// # Wiring it into the engine
//
// The engine implements Runtime (runtime.go: ten methods, most of them a
// few lines over the stats model it already keeps), then for each "stats
// socket" line:
//
//	srv := &cli.Server{Runtime: rt, Timeout: statsTimeout} // "stats timeout", default 10s
//	l, _ := cli.ListenUnix(path, 0o600)                    // "mode 600"
//	go srv.ServeSocket(cli.Socket{Listener: l, Level: cli.LevelAdmin, ID: 1})
//
// and srv.Close() on shutdown. ApplyAdmin and ApplyWeight are reference
// implementations of the model side of SetServerAdmin and SetServerWeight
// (haproxy's srv_update_status bookkeeping), returning the log message
// haproxy writes.
//
// # What is answered, and how
//
// Commands: help [words], prompt, quit, operator, user, show cli level,
// set timeout cli, show info [typed|json|desc|float], show stat [typed|
// json|desc|up|no-maint|<iid> <type> <sid>], show servers state [backend],
// show backend, show sess (summary), get weight, set weight, set server
// <b>/<s> state|weight, enable/disable server, enable/disable frontend,
// clear counters [all].
//
// Framing follows cli_io_handler in haproxy's src/cli.c: commands end at
// a newline or an unescaped ";" (so "a;b" runs both), a trailing CR is
// dropped, a backslash escapes the next byte; every answer is followed by
// "\n" (or "\n> " in interactive mode); outside interactive mode the
// session ends when no further command is already waiting; a command
// without its final newline is ignored. Levels gate commands with
// haproxy's "Permission denied"; unknown commands get haproxy's usage
// answer with its fuzzy suggestions (computed over the commands goha
// implements). Every answer is compared byte for byte with haproxy
// 2.6.12's (testdata/golden, captured with -update; see capture_test.go).
package cli
