// Package compattests holds the golden suite: the same inputs run through the
// originals (haproxy 2.6, keepalived 2.2.7) and through goha, compared.
// Deliberate differences are listed in DIFFERENCES.md.
package compattests
