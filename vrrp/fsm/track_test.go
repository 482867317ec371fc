package fsm

import "testing"

func TestTrackWeight(t *testing.T) {
	tests := []struct {
		weight  int
		reverse bool
		ok      bool
		delta   int
		fault   bool
	}{
		{0, false, true, 0, false},
		{0, false, false, 0, true},
		{0, true, true, 0, true},
		{0, true, false, 0, false},
		{10, false, true, 10, false},
		{10, false, false, 0, false},
		{-20, false, true, 0, false},
		{-20, false, false, -20, false},
		{10, true, true, 0, false},
		{10, true, false, 10, false},
		{-20, true, true, -20, false},
		{-20, true, false, 0, false},
	}
	for _, tc := range tests {
		d, f := TrackWeight(tc.weight, tc.reverse, tc.ok)
		if d != tc.delta || f != tc.fault {
			t.Errorf("TrackWeight(%d, reverse=%v, ok=%v) = %d, %v; want %d, %v", tc.weight, tc.reverse, tc.ok, d, f, tc.delta, tc.fault)
		}
		// The change between success and failure is what keepalived
		// applies on a transition: ±|weight|, negated by reverse.
		okD, _ := TrackWeight(tc.weight, tc.reverse, true)
		failD, _ := TrackWeight(tc.weight, tc.reverse, false)
		abs := tc.weight
		if abs < 0 {
			abs = -abs
		}
		want := abs
		if tc.reverse {
			want = -abs
		}
		if okD-failD != want {
			t.Errorf("weight %d reverse %v: success-failure = %d, want %d", tc.weight, tc.reverse, okD-failD, want)
		}
	}
}
