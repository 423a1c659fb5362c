package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/contract"
)

func TestCompareOutputs(t *testing.T) {
	h := []string{"date", "requests"}
	base := map[string]csvTable{
		"data/IS/a/daily.csv": {h, [][]string{{"2026-10-01", "3"}, {"2026-10-02", "4"}, {"2026-10-03", "5"}}},
		"data/IS/a/same.csv":  {h, [][]string{{"x", "1"}}},
		"data/IS/gone/x.csv":  {h, [][]string{{"a", "1"}, {"b", "2"}}},
		"data/IS/a/cols.csv":  {h, [][]string{{"x", "1"}}},
		// ties share a first cell: matched by occurrence
		"data/IS/a/league.csv": {h, [][]string{{"1", "10"}, {"1", "11"}, {"3", "12"}}},
	}
	head := map[string]csvTable{
		"data/IS/a/daily.csv":  {h, [][]string{{"2026-10-01", "3"}, {"2026-10-02", "9"}, {"2026-10-04", "1"}, {"2026-10-05", "1"}}},
		"data/IS/a/same.csv":   {h, [][]string{{"x", "1"}}},
		"data/IS/new/y.csv":    {h, [][]string{{"a", "1"}}},
		"data/IS/a/cols.csv":   {[]string{"date", "n"}, [][]string{{"x", "1"}}},
		"data/IS/a/league.csv": {h, [][]string{{"1", "10"}, {"1", "11"}, {"1", "12"}}},
	}
	var got []string
	for _, c := range compareOutputs(base, head) {
		got = append(got, fmt.Sprintf("%s %s +%d -%d ~%d rows=%d cols=%v", c.Path, c.Kind, c.Added, c.Removed, c.Changed, c.Rows, c.Columns))
	}
	want := []string{
		"data/IS/a/cols.csv changed +0 -0 ~0 rows=0 cols=true",
		"data/IS/a/daily.csv changed +2 -1 ~1 rows=0 cols=false",
		"data/IS/a/league.csv changed +1 -1 ~0 rows=0 cols=false",
		"data/IS/gone/x.csv removed +0 -0 ~0 rows=2 cols=false",
		"data/IS/new/y.csv added +0 -0 ~0 rows=1 cols=false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("compareOutputs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWritePlanWithoutChanges(t *testing.T) {
	tests := []struct {
		name string
		in   Plan
		want []string
	}{
		{"roles only", Plan{Base: "main"}, []string{
			"0 added, 0 changed, 0 archived, 0 removed.",
			"- Roles: none (no published report changes)",
			"- Parties: roles only (give --extracts to count parties from parties.csv)",
		}},
		{"parties and sample", Plan{Base: "main", Roles: []contract.Role{contract.ED}, PartiesFile: "ext/parties.csv",
			Parties: 7, Affected: 1, Sample: "DNOA", Period: "2026-10"}, []string{
			"- Roles: ED",
			"- Parties: 1 of 7 in `ext/parties.csv`",
			"### Output files of DNOA for 2026-10",
			"No output file of DNOA changes.",
		}},
		{"files", Plan{Base: "main", Sample: "SUPA", Period: "2026-10", Files: []FileChange{
			{Path: "data/IS/a/daily.csv", Kind: "changed", Added: 2, Removed: 1, Changed: 3, Columns: true},
			{Path: "data/IS/new/y.csv", Kind: "added", Rows: 4},
		}}, []string{
			"| `data/IS/a/daily.csv` | changed | +2 −1 ~3, columns changed |",
			"| `data/IS/new/y.csv` | added | 4 rows |",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := tt.in.WriteMarkdown(&b); err != nil {
				t.Fatal(err)
			}
			lines := map[string]bool{}
			for _, l := range strings.Split(b.String(), "\n") {
				lines[l] = true
			}
			for _, w := range tt.want {
				if !lines[w] {
					t.Errorf("no line %q in:\n%s", w, b.String())
				}
			}
		})
	}
}
