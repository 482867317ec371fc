package fsm

import (
	"testing"
	"time"
)

// BenchmarkMasterAdvertTick is the steady state of a master: one advert
// timer per interval.
func BenchmarkMasterAdvertTick(b *testing.B) {
	m, _ := New(tutorialMaster())
	m.Start(t0)
	now := t0.Add(down100)
	m.Timer(now)
	now = now.Add(5 * time.Second)
	m.Timer(now) // delayed GARP burst
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		if acts := m.Timer(now); len(acts) != 1 {
			b.Fatal(acts)
		}
	}
}

// BenchmarkBackupReceive is the steady state of a backup: one advert from
// the master per interval.
func BenchmarkBackupReceive(b *testing.B) {
	m, _ := New(tutorialBackup())
	m.Start(t0)
	adv := rx("192.168.13.128", 100)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		if acts := m.Received(now, adv); len(acts) != 0 {
			b.Fatal(acts)
		}
	}
}
