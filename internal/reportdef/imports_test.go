package reportdef

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsOnlyTheContract keeps report definitions apart from the
// engine: of carport's own packages, reportdef's sources import only
// internal/contract (the definitions are checked against the contract,
// not against how the extracts are read).
func TestImportsOnlyTheContract(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, "github.com/dcc/carport/") {
				continue
			}
			seen++
			if p != "github.com/dcc/carport/internal/contract" {
				t.Errorf("%s imports %s: reportdef may import only internal/contract of carport's packages", f, p)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no source imports internal/contract: the test read the wrong folder")
	}
}
