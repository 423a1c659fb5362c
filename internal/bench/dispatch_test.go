package bench

import (
	"testing"

	"github.com/dcc/carport/internal/contract"
)

// Every view kind of the output contract is computed, and nothing else is:
// a definition that compiles asks only for kinds of contract.Views.
func TestViewFuncsCoverTheContract(t *testing.T) {
	seen := map[viewKey]bool{}
	for _, v := range contract.Views {
		k := viewKey{v.Dataset, v.Kind}
		if viewFuncs[k] == nil {
			t.Errorf("no computation for %s", v)
		}
		seen[k] = true
	}
	for k := range viewFuncs {
		if !seen[k] {
			t.Errorf("viewFuncs computes %s views of %s, which the contract does not list", k.kind, k.dataset)
		}
	}
}
