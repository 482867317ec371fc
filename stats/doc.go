// Package stats keeps counters and serves them: HTML page, CSV, JSON, Prometheus, runtime API.
package stats
