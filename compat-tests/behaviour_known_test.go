package compattests

// behaviourKnown lists behaviour cases where goproxy still differs from
// haproxy 2.6, with the reason; each is a row of DIFFERENCES.md. A case
// listed here is still run and its difference logged.
var behaviourKnown = map[string]string{}
