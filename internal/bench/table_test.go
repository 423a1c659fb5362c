package bench

import (
	"math/rand/v2"
	"testing"

	"github.com/dcc/carport/internal/extract"
)

// The tables must agree with a Go map through growth, with keys that
// differ in one field only.
func TestGroupTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var tab groupTable
	ref := map[gkey]int32{}
	for i := 0; i < 50_000; i++ {
		g := gkey{role: roleID(rng.IntN(7)), party: extract.Sym(rng.IntN(300)), code: extract.Sym(rng.IntN(200))}
		id, ok := tab.find(g)
		want, wantOK := ref[g]
		if ok != wantOK || (ok && id != want) {
			t.Fatalf("find(%v) = %d, %v; want %d, %v", g, id, ok, want, wantOK)
		}
		if !ok {
			ref[g] = tab.add(g)
			if ref[g] != int32(len(ref)-1) {
				t.Fatalf("add(%v) = %d, want the next id %d", g, ref[g], len(ref)-1)
			}
		}
	}
	if tab.n != len(ref) || len(ref) < 10_000 {
		t.Fatalf("%d entries, map has %d", tab.n, len(ref))
	}
}

func TestTupleTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tab tupleTable
	ref := map[[nDims]extract.Sym]uint32{}
	for i := 0; i < 50_000; i++ {
		var d [nDims]extract.Sym
		for j := range d {
			d[j] = extract.Sym(rng.IntN(3))
		}
		got := tab.id(&d)
		want, ok := ref[d]
		if !ok {
			want = uint32(len(ref))
			ref[d] = want
		}
		if got != want || tab.list[got] != d {
			t.Fatalf("id(%v) = %d, want %d", d, got, want)
		}
	}
	if len(tab.list) != len(ref) || len(ref) < 10_000 {
		t.Fatalf("%d tuples, map has %d", len(tab.list), len(ref))
	}
}
