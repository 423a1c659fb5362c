package reportdef

import (
	"slices"
	"testing"

	"github.com/dcc/carport/internal/contract"
)

func TestShippedSuiteLoads(t *testing.T) {
	s, err := Load("../../reportdefs")
	if err != nil {
		t.Fatalf("shipped suite: %v", err)
	}
	if s.Policy.MinPeers != 5 {
		t.Errorf("min_peers = %d, want 5", s.Policy.MinPeers)
	}
	count := map[contract.Role]int{}
	for _, in := range s.Instances(Select{}) {
		for _, r := range in.Roles {
			count[r]++
		}
	}
	// A dual-role supplier (IS and GS) must be able to receive at least 70
	// report instances, as the assessment budgeted.
	if n := count[contract.IS] + count[contract.GS]; n < 70 {
		t.Errorf("IS+GS instances = %d, want >= 70", n)
	}
	t.Logf("instances per role: %v", count)
}

func TestInstancesWithGaps(t *testing.T) {
	s, err := Load("../../reportdefs")
	if err != nil {
		t.Fatal(err)
	}
	// "ad1" folds onto the catalogue's AD1: its instance gets a suffix
	all := s.InstancesWith(Select{}, Gaps{SRVs: []string{"9.9.9"}, Alerts: []string{"N24", "ad1"}})
	byID := map[string]Instance{}
	for _, in := range all {
		if _, dup := byID[in.ID]; dup {
			t.Errorf("instance %s twice", in.ID)
		}
		byID[in.ID] = in
	}
	for id, want := range map[string]struct {
		title string
		roles []contract.Role
	}{
		"srv-9.9.9":              {"SRV 9.9.9 (not in the catalogue)", []contract.Role{contract.IS, contract.ES, contract.GS, contract.ED, contract.GT, contract.RSA, contract.OU}},
		"alert-N24":              {"Alert N24 (not in the catalogue)", []contract.Role{contract.IS, contract.ES, contract.GS}},
		"alert-ad1-uncatalogued": {"Alert ad1 (not in the catalogue)", []contract.Role{contract.IS, contract.ES, contract.GS}},
	} {
		in, ok := byID[id]
		if !ok || in.Title != want.title || !slices.Equal(in.Roles, want.roles) || !in.Uncatalogued {
			t.Errorf("%s = %+v (found %v), want title %q roles %v", id, in, ok, want.title, want.roles)
		}
	}
	if n := len(all) - len(s.Instances(Select{})); n != 3 {
		t.Errorf("%d gap instances, want 3", n)
	}
	// every SRV reaches every role of the audience: a party gets a report
	// on every SRV it sent (outputs.md), eligible or not
	if in := byID["srv-4.1.1"]; !in.HasRole(contract.ES) || !in.HasRole(contract.OU) {
		t.Errorf("srv-4.1.1 roles = %v", in.Roles)
	}
}
