package haproxy

// fingerprint is haproxy's word signature (tools.c make_word_fingerprint):
// counts of transitions between character classes (letters 1..26, digit 27,
// other 28; 28 also marks begin and end), plus presence flags in row 0.
type fingerprint [1024]uint8

func makeFingerprint(word string) *fingerprint {
	var fp fingerprint
	from := 28
	for i := 0; i < len(word); i++ {
		c := word[i] | 0x20
		var to int
		switch {
		case c >= 'a' && c <= 'z' && isAlpha(word[i]):
			to = int(c-'a') + 1
		case isDigit(word[i]):
			to = 27
		default:
			to = 28
		}
		fp[to] = 1
		fp[32*from+to]++
		from = to
	}
	fp[32*from+28]++
	return &fp
}

func fingerprintDistance(a, b *fingerprint) int {
	d := 0
	for i := range a {
		k := int(a[i]) - int(b[i])
		if k < 0 {
			k = -k
		}
		d += k
	}
	return d
}

// bestMatch returns the candidate closest to word by haproxy's
// fingerprint distance (cfg_find_best_match), or "" when none is close
// enough. Candidates are scanned in order and the first best one wins, as in
// haproxy.
func bestMatch(word string, lists ...[]string) string {
	wfp := makeFingerprint(word)
	best := ""
	bestDist := int(^uint(0) >> 1)
	for _, l := range lists {
		for _, cand := range l {
			d := fingerprintDistance(wfp, makeFingerprint(cand))
			if d < bestDist {
				bestDist = d
				best = cand
			}
		}
	}
	if bestDist > 2*len(word) || (best != "" && bestDist > 2*len(best)) {
		return ""
	}
	return best
}
