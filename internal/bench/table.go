package bench

// Open-addressing tables for the per-row lookups of a scan worker: a
// group's dense id by (role, party, code), and a signifier tuple's id. A
// Go map did the same at two to three times the cost per row (hashing a
// struct key, then a control-word match); these hash a few machine words
// and usually find the slot at the first probe.

import (
	"encoding/binary"
	"math/bits"
	"unsafe"

	"github.com/dcc/carport/internal/extract"
)

// mix64 spreads a 64-bit word over all bits (the murmur3 finaliser).
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

type groupSlot struct {
	pc   uint64 // party<<32 | code
	role roleID
	id   int32 // id+1; 0 marks an empty slot
}

// groupTable maps a gkey to a dense id 0, 1, 2, … in order of first sight.
type groupTable struct {
	slots []groupSlot // power-of-two length, at most half full
	n     int
}

func (t *groupTable) find(g gkey) (int32, bool) {
	pc := uint64(g.party)<<32 | uint64(g.code)
	if len(t.slots) == 0 {
		t.slots = make([]groupSlot, 1024)
	}
	mask := uint64(len(t.slots) - 1)
	for i := mix64(pc^uint64(g.role)<<61) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.id == 0 {
			return 0, false
		}
		if s.pc == pc && s.role == g.role {
			return s.id - 1, true
		}
	}
}

// add stores g with the next id, which it returns; g must be absent.
func (t *groupTable) add(g gkey) int32 {
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		t.slots = make([]groupSlot, max(1024, 2*len(old)))
		for _, s := range old {
			if s.id != 0 {
				t.put(s)
			}
		}
	}
	id := int32(t.n)
	t.put(groupSlot{pc: uint64(g.party)<<32 | uint64(g.code), role: g.role, id: id + 1})
	t.n++
	return id
}

func (t *groupTable) put(s groupSlot) {
	mask := uint64(len(t.slots) - 1)
	for i := mix64(s.pc^uint64(s.role)<<61) & mask; ; i = (i + 1) & mask {
		if t.slots[i].id == 0 {
			t.slots[i] = s
			return
		}
	}
}

type tupleSlot struct {
	hash uint32
	id   uint32 // id+1; 0 marks an empty slot
}

// tupleTable maps a signifier tuple to a dense id; list holds the tuples
// by id.
type tupleTable struct {
	slots []tupleSlot
	list  [][nDims]extract.Sym
}

func hashTuple(d *[nDims]extract.Sym) uint32 {
	b := unsafe.Slice((*byte)(unsafe.Pointer(d)), nDims*4)
	h := uint64(0x9e3779b97f4a7c15)
	for len(b) >= 8 {
		h = bits.RotateLeft64(h^binary.LittleEndian.Uint64(b), 29) * 0xff51afd7ed558ccd
		b = b[8:]
	}
	h ^= uint64(binary.LittleEndian.Uint32(b))
	return uint32(mix64(h))
}

// id returns the id of d, adding it when new.
func (t *tupleTable) id(d *[nDims]extract.Sym) uint32 {
	if len(t.slots) == 0 {
		t.slots = make([]tupleSlot, 1024)
	}
	h := hashTuple(d)
	mask := uint32(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.id == 0 {
			break
		}
		if s.hash == h && t.list[s.id-1] == *d {
			return s.id - 1
		}
	}
	id := uint32(len(t.list))
	t.list = append(t.list, *d)
	if 2*len(t.list) > len(t.slots) {
		old := t.slots
		t.slots = make([]tupleSlot, 2*len(old))
		for _, s := range old {
			if s.id != 0 {
				t.put(s)
			}
		}
	}
	t.put(tupleSlot{hash: h, id: id + 1})
	return id
}

func (t *tupleTable) put(s tupleSlot) {
	mask := uint32(len(t.slots) - 1)
	for i := s.hash & mask; ; i = (i + 1) & mask {
		if t.slots[i].id == 0 {
			t.slots[i] = s
			return
		}
	}
}
