package bench

// Percentiles over months of traffic cannot keep every value, so durations
// go into a log-bucketed histogram (the DDSketch idea): bucket i holds the
// values in (γ^(i-1), γ^i] with γ = (1+α)/(1-α), and the value reported for
// a bucket is within α of every value in it. With α = 0.4% and integer
// milliseconds rounded at the end, quantiles stay inside the contract's 1%
// relative error. Sketches merge by adding counts, so workers aggregate
// alone and are combined at the end; memory is a few hundred counters per
// group, whatever the rows. Small groups (up to exactLimit values) keep
// their values and answer exactly, so a party with a handful of requests
// sees its true median.

import (
	"maps"
	"math"
	"slices"
)

const sketchAlpha = 0.004

// sketchPage is how many buckets are allocated together. Counts are kept
// in pages allocated on first use rather than one dense run from the
// lowest to the highest bucket: a few outliers far from the bulk then
// cost a page each, not every bucket in between, so a sketch's memory
// follows the values' spread, not their extremes (which widen as the rows
// grow).
//
// Counts are uint32 (half the memory of int64), with any excess carried
// in a map: a bucket would need four billion values to overflow.
const sketchPage = 16

// exactLimit is how many values a sketch keeps exactly before bucketing.
const exactLimit = 64

var (
	sketchGamma  = (1 + sketchAlpha) / (1 - sketchAlpha)
	sketchLogGam = math.Log(sketchGamma)
)

// Sketch is a mergeable histogram of non-negative integer durations.
// Scan workers feed it in batches (see eventWorker.flush): writing each
// value straight into its bucket missed the cache on almost every row.
type Sketch struct {
	exact  []int64               // the values themselves while !bucket
	bucket bool                  // values have moved into the histogram
	zeros  int64                 // values equal to 0
	first  int                   // page number of pages[0]
	pages  []*[sketchPage]uint32 // counts of buckets page*sketchPage+i; nil where none
	big    map[int]int64         // the part of a bucket's count beyond what a uint32 holds
	n      int64
}

// bucketOf returns the bucket of v > 0. Durations are mostly below
// smallBuckets milliseconds, whose buckets are computed once by the same
// formula, so the hot path is a table load rather than a logarithm.
func bucketOf(v int64) int {
	if v < smallBuckets {
		return int(smallBucket[v])
	}
	return bucketFormula(v)
}

func bucketFormula(v int64) int { return int(math.Ceil(math.Log(float64(v)) / sketchLogGam)) }

// smallBuckets bounds the precomputed buckets (64 Ki entries, 128 KiB).
const smallBuckets = 1 << 16

var smallBucket = func() []int16 {
	t := make([]int16, smallBuckets)
	for v := int64(1); v < smallBuckets; v++ {
		t[v] = int16(bucketFormula(v))
	}
	return t
}()

// Add records one value (negative values are ignored).
func (s *Sketch) Add(v int64) {
	if v < 0 {
		return
	}
	s.n++
	if s.bucket {
		s.addValue(v)
		return
	}
	if len(s.exact) < exactLimit {
		s.exact = append(s.exact, v)
		return
	}
	s.toBuckets()
	s.addValue(v)
}

func (s *Sketch) addValue(v int64) {
	if v == 0 {
		s.zeros++
		return
	}
	s.addBucket(bucketOf(v), 1)
}

// toBuckets counts the exact (or buffered) values into the histogram.
func (s *Sketch) toBuckets() {
	s.bucket = true
	for _, v := range s.exact {
		s.addValue(v)
	}
	s.exact = nil
}

func (s *Sketch) addBucket(b int, c int64) {
	p := b / sketchPage // b ≥ 0: values are ≥ 1
	if len(s.pages) == 0 {
		s.first = p
	}
	if p < s.first {
		grow := s.first - p
		np := make([]*[sketchPage]uint32, len(s.pages)+grow)
		copy(np[grow:], s.pages)
		s.pages, s.first = np, p
	}
	i := p - s.first
	for i >= len(s.pages) {
		s.pages = append(s.pages, nil)
	}
	pg := s.pages[i]
	if pg == nil {
		pg = new([sketchPage]uint32)
		s.pages[i] = pg
	}
	j := b % sketchPage
	if sum := int64(pg[j]) + c; sum <= math.MaxUint32 {
		pg[j] = uint32(sum)
	} else {
		if s.big == nil {
			s.big = map[int]int64{}
		}
		s.big[b] += sum - math.MaxUint32
		pg[j] = math.MaxUint32
	}
}

// eachBucket calls fn for every non-empty bucket in increasing order.
func (s *Sketch) eachBucket(fn func(b int, c int64) bool) {
	for i, pg := range s.pages {
		if pg == nil {
			continue
		}
		for j, c := range pg {
			if c == 0 {
				continue
			}
			b := (s.first+i)*sketchPage + j
			if !fn(b, int64(c)+s.big[b]) {
				return
			}
		}
	}
}

// Merge adds every value of o to s.
func (s *Sketch) Merge(o *Sketch) {
	if o == nil || o.n == 0 {
		return
	}
	if !s.bucket && !o.bucket && len(s.exact)+len(o.exact) <= exactLimit {
		s.exact = append(s.exact, o.exact...)
		s.n += o.n
		return
	}
	if !s.bucket {
		s.toBuckets()
	}
	for _, v := range o.exact {
		s.addValue(v)
	}
	s.n += o.n
	s.zeros += o.zeros
	o.eachBucket(func(b int, c int64) bool {
		s.addBucket(b, c)
		return true
	})
}

// Count is the number of values added.
func (s *Sketch) Count() int64 { return s.n }

// Quantile returns the nearest-rank q-quantile (0 < q <= 1): the value at
// rank ceil(q·n), within the sketch's relative error, rounded to an
// integer. It returns -1 for an empty sketch.
func (s *Sketch) Quantile(q float64) int64 {
	if s.n == 0 {
		return -1
	}
	rank := int64(math.Ceil(q * float64(s.n)))
	if rank < 1 {
		rank = 1
	}
	if !s.bucket {
		vals := append([]int64(nil), s.exact...)
		slices.Sort(vals)
		return vals[rank-1]
	}
	if len(s.exact) > 0 { // count the buffered values in a copy: s is left as is
		c := *s
		c.pages = make([]*[sketchPage]uint32, len(s.pages))
		c.big = maps.Clone(s.big)
		for i, pg := range s.pages {
			if pg != nil {
				cp := *pg
				c.pages[i] = &cp
			}
		}
		c.exact = nil
		for _, v := range s.exact {
			c.addValue(v)
		}
		s = &c
	}
	seen := s.zeros
	if rank <= seen {
		return 0
	}
	out := int64(-1)
	s.eachBucket(func(b int, c int64) bool {
		seen += c
		if seen >= rank {
			v := 2 * math.Pow(sketchGamma, float64(b)) / (sketchGamma + 1)
			out = int64(math.Round(v))
			return false
		}
		return true
	})
	return out // -1 is unreachable: counts sum to n - zeros
}
