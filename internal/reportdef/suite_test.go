package reportdef

import (
	"testing"

	"github.com/dcc/carport/internal/extract"
)

func TestShippedSuiteLoads(t *testing.T) {
	s, err := Load("../../reportdefs")
	if err != nil {
		t.Fatalf("shipped suite: %v", err)
	}
	if s.Policy.MinPeers != 5 {
		t.Errorf("min_peers = %d, want 5", s.Policy.MinPeers)
	}
	count := map[extract.Role]int{}
	for _, in := range s.Instances(Select{}) {
		for _, r := range in.Roles {
			count[r]++
		}
	}
	// A dual-role supplier (IS and GS) must be able to receive at least 70
	// report instances, as the assessment budgeted.
	if n := count[extract.IS] + count[extract.GS]; n < 70 {
		t.Errorf("IS+GS instances = %d, want >= 70", n)
	}
	t.Logf("instances per role: %v", count)
}
