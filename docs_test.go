package carport

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/contract"
)

// markdownLink finds [text](target) links.
var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// Every link of the user-facing documents resolves inside the repository:
// no link leaves it (../shared/… is broken in any clone), and every file
// or folder linked is there.
func TestDocumentLinksStayInTheRepository(t *testing.T) {
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{"README.md", "reportdefs/README.md", "third_party/echarts/README.md", "docs/extracts.md", "docs/outputs.md", "docs/history.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		links := 0
		for _, m := range markdownLink.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "mailto:") || strings.HasPrefix(target, "#") {
				continue
			}
			links++
			target, _, _ = strings.Cut(target, "#")
			p, err := filepath.Abs(filepath.Join(filepath.Dir(doc), filepath.FromSlash(target)))
			if err != nil {
				t.Fatal(err)
			}
			if rel, err := filepath.Rel(root, p); err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s links to %s, outside the repository", doc, m[1])
				continue
			}
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s links to %s, which is not there", doc, m[1])
			}
		}
		if doc == "README.md" && links == 0 {
			t.Errorf("no relative link found in %s: the pattern is wrong", doc)
		}
	}
}

// The schema reference's table of view kinds lists exactly the kinds the
// contract defines for each dataset.
func TestReportdefsReadmeListsTheViewKinds(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("reportdefs", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| (.*) \\|$")
	code := regexp.MustCompile("`([a-z_]+)`")
	seen := map[contract.Dataset]bool{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		d := contract.Dataset(m[1])
		if _, err := contract.ParseDataset(m[1]); err != nil {
			continue // another table
		}
		seen[d] = true
		var listed []string
		for _, k := range code.FindAllStringSubmatch(m[2], -1) {
			listed = append(listed, k[1])
		}
		var want []string
		for _, k := range contract.Kinds(d) {
			want = append(want, string(k))
		}
		slices.Sort(listed)
		slices.Sort(want)
		if !slices.Equal(listed, want) {
			t.Errorf("reportdefs/README.md lists %s kinds %v, the contract %v", d, listed, want)
		}
	}
	for _, d := range contract.Datasets {
		if !seen[d] {
			t.Errorf("reportdefs/README.md has no row of view kinds for %s", d)
		}
	}
}
