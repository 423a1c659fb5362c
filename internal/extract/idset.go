package extract

// A device id is 16 hex digits, so the set of ids already read is a set of
// uint64: an open-addressing table with linear probing, filled up to 7/8
// before it doubles, and sized up front from the file's size when it is a
// plain file. Eight bytes a slot is the least an exact set can keep without
// compressing keys; at GB scale (54 million devices) the table is 2^26
// slots, 512 MiB, and each insert is about one cache miss.

import (
	"sync"
)

// idSet is a set of uint64 device ids. Its methods lock only when shared
// by several workers.
type idSet struct {
	mu      sync.Mutex
	shared  bool
	slots   []uint64 // 0 marks an empty slot; id 0 is kept in hasZero
	n       int
	hasZero bool
}

func newIDSet(shared bool) *idSet { return &idSet{shared: shared, slots: make([]uint64, 1<<12)} }

// maxReserve bounds what reserve allocates on an estimate: 2^27 slots
// (1 GiB), room for 117 million devices. Beyond it the table still grows.
const maxReserve = 1 << 27

// reserve sizes an empty set for about n ids, so that it does not grow
// (and leave its old tables behind) while a file of known size is read.
func (s *idSet) reserve(n int64) {
	if size := slotsFor(n, len(s.slots)); s.n == 0 && size > len(s.slots) {
		s.slots = make([]uint64, size)
	}
}

// slotsFor is the table size, a power of two from size up, that holds n ids
// without growing, at most maxReserve.
func slotsFor(n int64, size int) int {
	for size < maxReserve && 7*int64(size) < 8*n {
		size *= 2
	}
	return size
}

// add adds id and reports whether it was new.
func (s *idSet) add(id uint64) bool {
	if s.shared {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	if id == 0 {
		was := s.hasZero
		s.hasZero = true
		return !was
	}
	mask := uint64(len(s.slots) - 1)
	for i := mix64(id) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case id:
			return false
		case 0:
			s.slots[i] = id
			s.n++
			if 8*s.n > 7*len(s.slots) {
				s.grow()
			}
			return true
		}
	}
}

func (s *idSet) grow() {
	old := s.slots
	s.slots = make([]uint64, 2*len(old))
	mask := uint64(len(s.slots) - 1)
	for _, id := range old {
		if id == 0 {
			continue
		}
		i := mix64(id) & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = id
	}
}

// mix64 spreads a 64-bit word over all bits (the murmur3 finaliser): device
// ids share their maker's prefix, so their low bits alone would cluster.
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// eui64 returns the value of a device id that validEUI64 accepted.
func eui64(v []byte) uint64 {
	var x uint64
	for i, c := range v {
		if i%3 == 2 {
			continue
		}
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		x = x<<4 | uint64(c)
	}
	return x
}
