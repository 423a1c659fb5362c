package bench

import (
	"fmt"
	"slices"
	"testing"
)

func TestCompetitionRanks(t *testing.T) {
	for _, tc := range []struct {
		vals []float64
		want []int
	}{
		{nil, []int{}},
		{[]float64{0.9}, []int{1}},
		{[]float64{0.9, 0.8, 0.8, 0.5}, []int{1, 2, 2, 4}},
		{[]float64{1, 1, 1}, []int{1, 1, 1}},
		{[]float64{1, 0.5, 0.5, 0.5, 0}, []int{1, 2, 2, 2, 5}},
	} {
		if got := CompetitionRanks(tc.vals); !slices.Equal(got, tc.want) {
			t.Errorf("CompetitionRanks(%v) = %v, want %v", tc.vals, got, tc.want)
		}
	}
}

func TestRateAndMean(t *testing.T) {
	if got := FormatRate(Rate(1, 3)); got != "0.333333" {
		t.Errorf("FormatRate(1/3) = %q", got)
	}
	if got := FormatRate(Rate(0, 0)); got != "0.000000" {
		t.Errorf("rate of nothing = %q", got)
	}
	if got := MeanMS(5, 2); got != "3" {
		t.Errorf("MeanMS(5,2) = %q, want 3 (half away from zero)", got)
	}
	if got := MeanMS(0, 0); got != "" {
		t.Errorf("MeanMS of nothing = %q, want empty", got)
	}
}

func TestDisclosed(t *testing.T) {
	for peers, want := range map[int]bool{3: false, 4: false, 5: true, 6: true} {
		if got := Disclosed(peers, 5); got != want {
			t.Errorf("Disclosed(%d, 5) = %v", peers, got)
		}
	}
}

func ExampleCompetitionRanks() {
	fmt.Println(CompetitionRanks([]float64{0.99, 0.97, 0.97, 0.90}))
	// Output: [1 2 2 4]
}
