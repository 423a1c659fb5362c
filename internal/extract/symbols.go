package extract

import (
	"encoding/binary"
	"sync"
)

// Symbols interns strings to Sym. It is safe for concurrent use; Sym 0 is
// the empty string, which is how a null field is interned.
type Symbols struct {
	mu    sync.RWMutex
	ids   map[string]Sym
	names []string
}

// NewSymbols returns a table holding only the null symbol.
func NewSymbols() *Symbols {
	return &Symbols{ids: map[string]Sym{"": Null}, names: []string{""}}
}

// Intern returns the symbol of b, adding it when new. Empty b is Null.
func (s *Symbols) Intern(b []byte) Sym {
	if len(b) == 0 {
		return Null
	}
	s.mu.RLock()
	x, ok := s.ids[string(b)]
	s.mu.RUnlock()
	if ok {
		return x
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if x, ok := s.ids[string(b)]; ok {
		return x
	}
	name := string(b)
	x = Sym(len(s.names))
	s.names = append(s.names, name)
	s.ids[name] = x
	return x
}

// Name returns the string of x, or "" for Null and for unknown symbols.
func (s *Symbols) Name(x Sym) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if int(x) < len(s.names) {
		return s.names[x]
	}
	return ""
}

// Lookup returns the symbol of name without adding it.
func (s *Symbols) Lookup(name string) (Sym, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	x, ok := s.ids[name]
	return x, ok
}

// Len is the number of symbols, Null included; every Sym is below it.
func (s *Symbols) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.names)
}

// symCache is one worker's lock-free cache in front of Symbols: an
// open-addressing table keyed by a hash of the field's bytes, compared as
// string(b) == key, which Go does without allocating. It beat a
// map[string]Sym by about half on short codes, and a miss falls back to the
// shared table.
type symCache struct {
	s     *Symbols
	slots []cacheSlot // power-of-two length, at most half full
	n     int
}

type cacheSlot struct {
	key  string
	hash uint32
	sym  Sym // Null marks an empty slot
}

func newSymCache(s *Symbols) *symCache {
	return &symCache{s: s, slots: make([]cacheSlot, 256)}
}

// hashBytes mixes b eight bytes at a time (a multiply-xorshift in the
// style of FNV/murmur finalisers); it only spreads the cache's slots.
func hashBytes(b []byte) uint32 {
	h := uint64(len(b)) * 0x9e3779b97f4a7c15
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * 0xff51afd7ed558ccd
		h ^= h >> 29
		b = b[8:]
	}
	var w uint64
	for i, c := range b {
		w |= uint64(c) << (8 * i)
	}
	h = (h ^ w) * 0xc4ceb9fe1a85ec53
	h ^= h >> 32
	return uint32(h)
}

func (c *symCache) intern(b []byte) Sym {
	if len(b) == 0 {
		return Null
	}
	h := hashBytes(b)
	mask := uint32(len(c.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &c.slots[i]
		if sl.sym == Null {
			break
		}
		if sl.hash == h && sl.key == string(b) {
			return sl.sym
		}
	}
	x := c.s.Intern(b)
	if 2*(c.n+1) > len(c.slots) {
		c.grow()
		mask = uint32(len(c.slots) - 1)
	}
	c.put(cacheSlot{key: string(b), hash: h, sym: x}, mask)
	c.n++
	return x
}

func (c *symCache) put(e cacheSlot, mask uint32) {
	for i := e.hash & mask; ; i = (i + 1) & mask {
		if c.slots[i].sym == Null {
			c.slots[i] = e
			return
		}
	}
}

func (c *symCache) grow() {
	old := c.slots
	c.slots = make([]cacheSlot, 2*len(old))
	mask := uint32(len(c.slots) - 1)
	for _, e := range old {
		if e.sym != Null {
			c.put(e, mask)
		}
	}
}
