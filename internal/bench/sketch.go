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
	"math"
	"slices"
)

const sketchAlpha = 0.004

// exactLimit is how many values a sketch keeps exactly before bucketing.
const exactLimit = 64

var (
	sketchGamma  = (1 + sketchAlpha) / (1 - sketchAlpha)
	sketchLogGam = math.Log(sketchGamma)
)

// Sketch is a mergeable histogram of non-negative integer durations.
type Sketch struct {
	exact  []int64 // the values themselves while n <= exactLimit and !bucketed
	bucket bool    // values have moved into the histogram
	zeros  int64   // values equal to 0
	offset int     // bucket index of counts[0]
	counts []int64 // dense counts from offset
	n      int64
}

func bucketOf(v int64) int { return int(math.Ceil(math.Log(float64(v)) / sketchLogGam)) }

// Add records one value (negative values are ignored).
func (s *Sketch) Add(v int64) {
	if v < 0 {
		return
	}
	s.n++
	if !s.bucket {
		if len(s.exact) < exactLimit {
			s.exact = append(s.exact, v)
			return
		}
		s.toBuckets()
	}
	s.addValue(v)
}

func (s *Sketch) addValue(v int64) {
	if v == 0 {
		s.zeros++
		return
	}
	s.addBucket(bucketOf(v), 1)
}

// toBuckets moves the exact values into the histogram.
func (s *Sketch) toBuckets() {
	s.bucket = true
	for _, v := range s.exact {
		s.addValue(v)
	}
	s.exact = nil
}

func (s *Sketch) addBucket(b int, c int64) {
	if len(s.counts) == 0 {
		s.offset = b
		s.counts = append(s.counts, c)
		return
	}
	if b < s.offset {
		grow := s.offset - b
		nc := make([]int64, len(s.counts)+grow, len(s.counts)+grow+8)
		copy(nc[grow:], s.counts)
		s.counts, s.offset = nc, b
	}
	i := b - s.offset
	for i >= len(s.counts) {
		s.counts = append(s.counts, 0)
	}
	s.counts[i] += c
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
	for i, c := range o.counts {
		if c != 0 {
			s.addBucket(o.offset+i, c)
		}
	}
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
	seen := s.zeros
	if rank <= seen {
		return 0
	}
	for i, c := range s.counts {
		seen += c
		if seen >= rank {
			b := float64(s.offset + i)
			v := 2 * math.Pow(sketchGamma, b) / (sketchGamma + 1)
			return int64(math.Round(v))
		}
	}
	return -1 // unreachable: counts sum to n - zeros
}
