package bench

import (
	"math"
	"strconv"
)

// Rate is successes over total; 0 when total is 0.
func Rate(ok, total int64) float64 {
	if total == 0 {
		return 0
	}
	return float64(ok) / float64(total)
}

// FormatRate writes a rate in [0,1] with six decimal places (the contract
// asks for at least four).
func FormatRate(r float64) string { return strconv.FormatFloat(r, 'f', 6, 64) }

// PeerRate is ok/total rounded half-up to 3 decimal places, in exact
// integer arithmetic: the figure a peer row shows (outputs.md), so that a
// peer's volume cannot be read back from an exact fraction (0.428571 is
// 3/7; 0.429 could be 3/7, 6/14, 9/21, …). 0 when total is 0.
func PeerRate(ok, total int64) float64 {
	if total <= 0 {
		return 0
	}
	// round(1000*ok/total) half up = floor((2000*ok + total) / (2*total))
	return float64((2000*ok+total)/(2*total)) / 1000
}

// MeanMS is the integer mean of a sum of milliseconds over n values,
// rounded half away from zero; "" when n is 0.
func MeanMS(sum, n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(int64(math.Round(float64(sum)/float64(n))), 10)
}

// CompetitionRanks ranks values in descending order the "1224" way: equal
// values share a rank and the next distinct value skips the shared places.
// vals must already be sorted in descending order; an empty slice gives an
// empty result, a single value rank 1.
func CompetitionRanks(vals []float64) []int {
	ranks := make([]int, len(vals))
	for i := range vals {
		if i > 0 && vals[i] == vals[i-1] {
			ranks[i] = ranks[i-1]
		} else {
			ranks[i] = i + 1
		}
	}
	return ranks
}

// Disclosed reports whether a peer-derived figure may be published: at
// least k role peers (parties other than the recipient) contributed to it.
func Disclosed(peers, k int) bool { return peers >= k }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
