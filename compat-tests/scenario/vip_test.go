package scenario

import (
	"strings"
	"testing"
	"time"
)

// A preempting master adds the VIP a few milliseconds before the old
// master drops it: the "both" in between is a race and is left out; the
// skew before a backup takes over is real and stays.
func TestRecordVIPLeavesOutTransients(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	r := &Run{rec: &recorder{t: &Transcript{}}, vipTrail: []vipSample{
		{at: at(0), owner: "backup"},
		{at: at(10), mark: "start master"},
		{at: at(3600), owner: "both"},
		{at: at(3620), owner: "master"},
		{at: at(5000), mark: "SIGTERM to master"},
		{at: at(5010), owner: "none"},
		{at: at(5820), owner: "backup"},
	}}
	r.recordVIP()
	got := strings.Join(r.rec.t.Section("vip").Lines, "|")
	want := "backup|-- start master|backup|master|-- SIGTERM to master|master|none|backup"
	if got != want {
		t.Errorf("trail\n got %s\nwant %s", got, want)
	}
}
