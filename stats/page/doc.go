// Package page serves haproxy 2.6's statistics page ("stats enable",
// "stats uri", configuration.txt §4.2 "stats *"): the HTML report, its
// ";csv", ";json" and ";typed" exports, "stats auth" (Basic, several
// users, constant-time comparison, "stats realm"), "stats refresh",
// "stats admin" actions posted from the page, "stats hide-version",
// "stats show-legends", "stats show-node", "stats show-desc" and
// "stats scope".
//
// # Contract with the engine
//
// The engine routes a request whose URI starts with the "stats uri"
// (Handler.Matches) to Handler.Respond, giving it the method, the request
// target, a header lookup and the body it parsed (Request). It writes the
// Response back: AppendHead renders the status line and headers the way
// haproxy's HTTP/1 layer does (dumps chunked, fixed answers with their
// content-length, "connection: close" when asked), then the body. The
// Runtime is the same one the CLI uses (goha/stats/cli.Runtime); admin
// actions go through Runtime.SetServerAdmin. Config.Admin evaluates the
// "stats admin if <cond>" condition for the request (Request.Conn carries
// whatever the engine needs for that).
//
// Handler also implements net/http.Handler, which is fine off the proxy's
// hot path (tools, tests, a separate stats listener).
//
// # What matches haproxy, and how it is checked
//
// Byte for byte against haproxy 2.6.12 (testdata/golden, captured with
// -update): the 401 answer (headers, realm, body), the 303 redirects of
// admin posts with their ";st=" codes (DONE, NONE, PART, ERRP, DENY) and
// kept options, the 503 for other methods, the headers of every dump
// (cache-control, content-type, refresh). The exports' bodies are the stats
// package's renderers (themselves checked against haproxy). The HTML page
// has goha's own markup and stylesheet, with haproxy's tables, column
// groups and columns (checked against the headings of haproxy's page), its
// colour for each server state, its legend and its process block; a
// headless Chromium test renders it (docs/stats-page.png).
//
// Admin actions offered: set state to READY, DRAIN, MAINT (and the older
// enable/disable/start/stop names). Health and agent actions and "Kill
// Sessions" need the checker and the session table: they answer ERRP.
package page
