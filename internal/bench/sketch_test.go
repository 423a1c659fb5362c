package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func nearestRank(sorted []int64, q float64) int64 {
	r := int(math.Ceil(q * float64(len(sorted))))
	if r < 1 {
		r = 1
	}
	return sorted[r-1]
}

func TestSketchSmallGroupsAreExact(t *testing.T) {
	var s Sketch
	for _, v := range []int64{300, 100, 200} {
		s.Add(v)
	}
	if got := s.Quantile(0.5); got != 200 {
		t.Errorf("median of 100,200,300 = %d, want 200", got)
	}
	if got := s.Quantile(0.95); got != 300 {
		t.Errorf("p95 of 100,200,300 = %d, want 300 (nearest rank 3)", got)
	}
	var empty Sketch
	if got := empty.Quantile(0.5); got != -1 {
		t.Errorf("empty sketch median = %d, want -1", got)
	}
}

func TestSketchWithinOnePercent(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, n := range []int{65, 1000, 100000} {
		var s Sketch
		vals := make([]int64, n)
		for i := range vals {
			v := int64(math.Exp(8 + 1.2*rng.NormFloat64())) // lognormal, median ~3 s
			if i%50 == 0 {
				v = 0
			}
			vals[i] = v
			s.Add(v)
		}
		slices.Sort(vals)
		for _, q := range []float64{0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1} {
			want, got := nearestRank(vals, q), s.Quantile(q)
			if math.Abs(float64(got-want)) > 0.01*float64(want)+0.5 {
				t.Errorf("n=%d q=%v: got %d, want %d within 1%%", n, q, got, want)
			}
		}
	}
}

func TestSketchMergeEqualsAddingAll(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var a, b, all Sketch
	for i := 0; i < 5000; i++ {
		v := rng.Int64N(100000)
		all.Add(v)
		if i%3 == 0 {
			a.Add(v)
		} else {
			b.Add(v)
		}
	}
	// one side still exact, the other bucketed
	var small Sketch
	small.Add(42)
	all.Add(42)
	a.Merge(&b)
	a.Merge(&small)
	if a.Count() != all.Count() {
		t.Fatalf("count %d, want %d", a.Count(), all.Count())
	}
	for _, q := range []float64{0.1, 0.5, 0.95} {
		if x, y := a.Quantile(q), all.Quantile(q); x != y {
			t.Errorf("q=%v: merged %d, single %d", q, x, y)
		}
	}
}

func BenchmarkSketchAdd(b *testing.B) {
	var s Sketch
	for i := 0; i < b.N; i++ {
		s.Add(int64(i%20000) + 1)
	}
}
