package balance

import "hash/crc32"

// The string hash functions selectable with "hash-type <method> <function>"
// (configuration.txt §4.2 "hash-type"). They must give bit-identical results
// to haproxy's so that a key lands on the same server in both.

// HashFunc selects the function applied to the extracted key.
type HashFunc int

const (
	// HashDefault is sdbm; with consistent hashing it also implies the
	// avalanche modifier ("hash-type consistent" without a function).
	HashDefault HashFunc = iota
	HashSDBM
	HashDJB2
	HashWT6
	HashCRC32
)

func (f HashFunc) String() string {
	switch f {
	case HashSDBM:
		return "sdbm"
	case HashDJB2:
		return "djb2"
	case HashWT6:
		return "wt6"
	case HashCRC32:
		return "crc32"
	}
	return "default"
}

// hashBytes applies f to key.
func hashBytes(f HashFunc, key []byte) uint32 {
	switch f {
	case HashDJB2:
		return djb2(key)
	case HashWT6:
		return wt6(key)
	case HashCRC32:
		// haproxy computes the IEEE CRC-32 bit by bit; the table-driven
		// standard library gives the same value (checked in keys_test.go).
		return crc32.ChecksumIEEE(key)
	}
	return sdbm(key)
}

func sdbm(key []byte) uint32 {
	var h uint32
	for _, c := range key {
		h = uint32(c) + (h << 6) + (h << 16) - h
	}
	return h
}

func djb2(key []byte) uint32 {
	h := uint32(5381)
	for _, c := range key {
		h = h*33 + uint32(c)
	}
	return h
}

// wt6 is Willy Tarreau's 6-step rotating hash.
func wt6(key []byte) uint32 {
	h0, h1 := uint32(0xa53c965a), uint32(0x5ca6953a)
	step0, step1 := uint32(6), uint32(18)
	for _, c := range key {
		t := uint32(c)
		h0 = ^(h0 ^ t)
		h1 = ^(h1 + t)
		t = h1<<step0 | h1>>(32-step0)
		h1 = h0<<step1 | h0>>(32-step1)
		h0 = t
		t = ((h0 >> 16) ^ h1) & 0xffff
		step0 = t & 0x1f
		step1 = t >> 11
	}
	return h0 ^ h1
}

// fullHash is Bob Jenkins' 32-bit integer avalanche followed by a multiply
// by a large prime; haproxy uses it for the "avalanche" modifier, for source
// hashing with avalanche and to place consistent-hash points.
func fullHash(a uint32) uint32 {
	a = (a + 0x7ed55d16) + (a << 12)
	a = (a ^ 0xc761c23c) ^ (a >> 19)
	a = (a + 0x165667b1) + (a << 5)
	a = (a + 0xd3a2646c) ^ (a << 9)
	a = (a + 0xfd7046c5) + (a << 3)
	a = (a ^ 0xb55a4f09) ^ (a >> 16)
	return a * 3221225473
}
