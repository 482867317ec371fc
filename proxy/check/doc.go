// Package check runs haproxy's server health checks (configuration.txt §5.2
// "check", "inter", "rise", "fall"; §4.2 "option httpchk", "http-check").
//
// The decision logic is pure: Health is the rise/fall counter, Interval picks
// inter/fastinter/downinter, Status names a check result as haproxy does.
// Probes (TCP connect, HTTP) and the Checker that schedules them are thin
// shells around it.
package check
