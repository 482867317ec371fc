//go:build race

package log

// raceEnabled: sync.Pool drops items on purpose under -race, so pooled
// paths allocate there.
const raceEnabled = true
