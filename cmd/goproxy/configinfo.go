package main

import "goha/parser/haproxy"

// What the check needs to know about a loaded configuration beyond its
// diagnostics. Kept in one place so that it follows parser/haproxy's
// Config as that type grows.

// hasListener reports whether at least one enabled proxy has a bind line
// (or a peers section listens): haproxy -c exits 2 otherwise
// (src/haproxy.c, "no listener").
func hasListener(cfg *haproxy.Config) bool {
	if l, ok := any(cfg).(interface{ HasListener() bool }); ok {
		return l.HasListener()
	}
	return true
}

// zeroWarningSet reports whether the configuration's global section holds
// "zero-warning" (the same effect as -dW).
func zeroWarningSet(cfg *haproxy.Config) bool {
	if z, ok := any(cfg).(interface{ ZeroWarning() bool }); ok {
		return z.ZeroWarning()
	}
	return false
}

// quietSet reports whether the global section holds "quiet" (as -q).
func quietSet(cfg *haproxy.Config) bool {
	if q, ok := any(cfg).(interface{ Quiet() bool }); ok {
		return q.Quiet()
	}
	return false
}
