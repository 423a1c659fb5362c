package contract

import (
	"sort"
	"testing"
)

// DayOf steps from a 24-hour guess; it must agree with a search of the day
// bounds at every hour edge, including both clock-change months.
func TestDayOfMatchesSearch(t *testing.T) {
	for _, s := range []string{"2026-03", "2026-10", "2026-02", "2028-02"} {
		p, err := ParsePeriod(s)
		if err != nil {
			t.Fatal(err)
		}
		search := func(ms int64) int {
			if ms < p.StartMS() || ms >= p.EndMS() {
				return -1
			}
			return sort.Search(len(p.bounds), func(i int) bool { return p.bounds[i] > ms }) - 1
		}
		for ms := p.StartMS() - 7_200_000; ms < p.EndMS()+7_200_000; ms += 1_800_000 {
			for _, x := range []int64{ms - 1, ms, ms + 1} {
				if got, want := p.DayOf(x), search(x); got != want {
					t.Fatalf("%s: DayOf(%d) = %d, want %d", s, x, got, want)
				}
			}
		}
		if got := p.DayOf(p.EndMS() - 1); got != p.Days()-1 {
			t.Errorf("%s: last instant in day %d, want %d", s, got, p.Days()-1)
		}
	}
}
