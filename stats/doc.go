// Package stats keeps counters and serves them the way haproxy 2.6.12 does:
// "show stat" (CSV, typed, JSON, with the "<iid> <type> <sid>" filter and
// the up/no-maint options), "show info" (plain, typed, JSON, desc), the
// stats page's ";csv" and ";json" bodies and headers, and the Prometheus
// exporter's text format.
//
// The model: the engine builds one Proxy per frontend/backend/listen
// section, with its Listeners (those with "option socket-stats") and
// Servers, from the parsed configuration. Counters are atomics updated on
// the request path without locks (Proxy.Accept, SessionStart, Request,
// BackendStart, ... in events.go, or the Counters fields directly); states
// (server state, admin flags, weights, health-check snapshots) are atomics
// or atomically swapped snapshots written by the checker and the CLI.
//
// Rendering goes through haproxy's own intermediate form: each object is
// filled into a Row of typed Fields (FillFrontend, FillListener,
// FillServer, FillBackend mirror stats_fill_*_stats in src/stats.c), then a
// StatDump writes rows as CSV, typed or JSON, and PromExporter writes the
// metric families. Every output is checked byte for byte against goldens
// captured from the real haproxy (testdata/golden, regenerated with
// "go test ./stats -run TestCaptureGolden -update").
//
// CLI framing: haproxy's CLI ends every answer with an empty line; the
// renderers here produce the answer without it, and the CLI layer appends
// "\n" after each command's output.
package stats
