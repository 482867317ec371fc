package fsm

// TrackWeight returns what one tracked object (track_script, track_file,
// track_interface with a weight) contributes to an instance in steady
// state, as keepalived 2.2.7 applies it (vrrp_track.c
// process_script_update_priority):
//
//   - weight 0: no priority change; a failure puts the instance in FAULT
//     (fault is true; pass it to Machine.Down/Up);
//   - weight > 0: +weight while the object is up, 0 when it fails;
//   - weight < 0: 0 while up, weight (negative) when it fails;
//   - reverse flips the direction: a positive weight is added on failure,
//     a negative one applied on success.
//
// The sum over all tracked objects is the delta for Machine.SetTrackDelta.
// For weight 0 with reverse, a success is the fault.
func TrackWeight(weight int, reverse, ok bool) (delta int, fault bool) {
	if weight == 0 {
		return 0, ok == reverse
	}
	up := ok != reverse
	switch {
	case weight > 0 && up:
		return weight, false
	case weight < 0 && !up:
		return weight, false
	}
	return 0, false
}
