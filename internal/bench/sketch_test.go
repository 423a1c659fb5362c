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

// The precomputed buckets must be the formula's, at every small value and
// across the table's edge.
func TestBucketTableMatchesFormula(t *testing.T) {
	for v := int64(1); v < smallBuckets+1000; v++ {
		if got, want := bucketOf(v), bucketFormula(v); got != want {
			t.Fatalf("bucketOf(%d) = %d, want %d", v, got, want)
		}
	}
}

// Values buffered after bucketing count in quantiles and merges exactly as
// if they had been counted one by one, and Quantile leaves the sketch as
// it was.
func TestSketchBufferedValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, n := range []int{65, 100, 129, 1000, 4097} {
		var all, a, b Sketch
		var ref Sketch // counted one by one into its histogram
		ref.bucket = true
		for i := 0; i < n; i++ {
			v := int64(rng.IntN(200_000))
			if i%97 == 0 {
				v = 0
			}
			all.Add(v)
			if i%3 == 0 {
				a.Add(v)
			} else {
				b.Add(v)
			}
			ref.n++
			ref.addValue(v)
		}
		a.Merge(&b)
		for _, q := range []float64{0.01, 0.5, 0.95, 1} {
			want := ref.Quantile(q)
			if got := all.Quantile(q); got != want {
				t.Errorf("n=%d q=%v: one sketch %d, counted one by one %d", n, q, got, want)
			}
			if got := a.Quantile(q); got != want {
				t.Errorf("n=%d q=%v: merged sketches %d, counted one by one %d", n, q, got, want)
			}
		}
		pending := len(all.exact)
		all.Quantile(0.5)
		if len(all.exact) != pending || all.Count() != int64(n) {
			t.Errorf("n=%d: Quantile changed the sketch", n)
		}
	}
}

// An outlier far from the bulk costs one page of counts, not every bucket
// in between, and the quantiles still see it.
func TestSketchOutlierCostsOnePage(t *testing.T) {
	var s Sketch
	for v := int64(1000); v < 1100; v++ {
		s.Add(v)
	}
	s.Add(1_000_000_000)
	s.toBuckets()
	used := 0
	for _, pg := range s.pages {
		if pg != nil {
			used++
		}
	}
	if used > 3 {
		t.Errorf("%d pages allocated for a bulk of 100 values and one outlier, want at most 3", used)
	}
	if got := s.Quantile(1); got < 990_000_000 || got > 1_010_000_000 {
		t.Errorf("max = %d, want 1e9 within 1%%", got)
	}
	if got := s.Quantile(0.5); got < 1039 || got > 1061 {
		t.Errorf("median = %d, want about 1050", got)
	}
}

// A bucket count past what a uint32 holds carries over, exactly.
func TestSketchBucketOverflow(t *testing.T) {
	var s Sketch
	s.bucket = true
	b := bucketOf(500)
	s.addBucket(b, math.MaxUint32-1)
	s.addBucket(b, 5)
	s.addBucket(b, math.MaxUint32)
	var got int64
	s.eachBucket(func(x int, c int64) bool {
		if x != b {
			t.Errorf("bucket %d appeared, want only %d", x, b)
		}
		got += c
		return true
	})
	if want := int64(2*math.MaxUint32 + 4); got != want {
		t.Errorf("count %d, want %d", got, want)
	}
}
