// Overview
//
// Load reads haproxy.cfg files the way haproxy 2.6's readcfgfile() does:
//
//   - paths are files or directories (their *.cfg files in lexical order);
//   - each line is tokenised by haproxy's rules (configuration.txt §2.2-2.3:
//     quotes, backslash escapes, '#' comments, "${VAR}", "${VAR[*]}",
//     ${.FILE}/${.LINE}/${.SECTION}), and .if/.elif/.else/.endif blocks with
//     the defined/feature/streq/strneq/version_atleast/version_before
//     predicates and the .notice/.warning/.alert directives are honoured
//     (§2.4);
//   - every keyword of every section is checked with haproxy's arguments
//     rules and reported with haproxy's words and FILE:LINE; error bits
//     follow haproxy's ERR_WARN/ALERT/FATAL/ABORT semantics (an aborting
//     error stops reading, like a broken http-request rule);
//   - after all files, the cross-section checks of check_config_validity()
//     and the post-server checks run (missing backends, mode mismatches,
//     duplicate servers, tracking, resolvers, log-format variables,
//     missing timeouts, ...), then server host names are resolved.
//
// The result is a typed Config: Global, Defaults and Proxies with every
// default already copied in (proxy_defproxy_cpy rules, named defaults and
// "from"), Userlists, and the other sections kept as statements. Removed
// 1.x keywords are mapped as described in LEGACY.md.
//
// Diags holds every message in order, including haproxy's closing alerts,
// so a CLI prints them with Diag.Format and decides the exit status from
// Result.ExitCode.
package haproxy
