// Package plan says what a change to the report definitions does, for a
// pull request: the reports added, changed, archived and removed against a
// base revision, the catalogue and policy files changed, the roles and the
// number of parties it reaches, and, given a month of extracts, which
// output files of a sample party change and by how many rows. It writes
// the plan as Markdown for the pull request's comment.
package plan

// Both suites run on the same extracts, so every difference in the sample
// comes from the definitions.

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/stage"
)

// Options says what to compare beyond the definitions.
type Options struct {
	Base     string           // the base revision, as given (for the title)
	Parties  *extract.Parties // nil: roles only
	File     string           // where Parties came from, for the plan's text
	Sample   string           // a party of Parties whose output files are compared; "" for none
	Extracts string           // with Sample: the month's extracts
	Period   contract.Period  // with Sample
	Workers  int              // engine workers (0: one per core)
	StageDir string           // with Sample: where the engines' plaintext is staged (a locked stage folder's parent)
}

// Make compares head with base.
func Make(base, head *reportdef.Suite, o Options) (*Plan, error) {
	p := &Plan{Base: o.Base, Diffs: reportdef.Diff(base, head), Sources: changedSources(base, head)}
	p.Roles = affectedRoles(p.Diffs)
	if policyChanged(p.Sources) {
		p.Roles = publishedRoles(base, head)
	}
	if o.Parties == nil {
		return p, nil
	}
	p.PartiesFile = o.File
	p.Parties = len(o.Parties.All())
	for _, party := range o.Parties.All() {
		for _, r := range p.Roles {
			if party.HasRole(r) {
				p.Affected++
				break
			}
		}
	}
	if o.Sample != "" {
		p.Sample, p.Period = o.Sample, o.Period.String()
		var err error
		if p.Files, err = sampleChanges(base, head, o); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Plan is everything the plan's Markdown shows.
type Plan struct {
	Base        string
	Diffs       []reportdef.DefDiff
	Sources     []string // catalogue and policy files that changed
	Roles       []contract.Role
	PartiesFile string // "" without --extracts
	Parties     int    // parties in PartiesFile
	Affected    int    // of which hold an affected role
	Sample      string // "" without --party
	Period      string
	Files       []FileChange
}

// FileChange is how one output file of the sample party changes.
type FileChange struct {
	Path                    string // data/<role>/<instance>/<view>.csv
	Kind                    string // "added", "removed" or "changed"
	Added, Removed, Changed int    // rows
	Rows                    int    // rows of an added or removed file
	Columns                 bool   // the header changed
}

// changedSources lists the catalogue and policy files that differ.
func changedSources(base, head *reportdef.Suite) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range []*reportdef.Suite{base, head} {
		for name := range s.Sources {
			if seen[name] || !(name == "policy.toml" || strings.HasPrefix(name, "catalogue/")) {
				continue
			}
			seen[name] = true
			if base.Sources[name] != head.Sources[name] {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

func policyChanged(sources []string) bool {
	for _, s := range sources {
		if s == "policy.toml" {
			return true
		}
	}
	return false
}

func affectedRoles(diffs []reportdef.DefDiff) []contract.Role {
	set := map[contract.Role]bool{}
	for _, d := range diffs {
		for _, r := range d.Roles {
			set[r] = true
		}
	}
	return inOrder(set)
}

// publishedRoles is every role a published instance of either suite
// reaches: a policy change (peers, thresholds, windows) can change them all.
func publishedRoles(suites ...*reportdef.Suite) []contract.Role {
	set := map[contract.Role]bool{}
	for _, s := range suites {
		for _, in := range s.Instances(reportdef.Select{}) {
			for _, r := range in.Roles {
				set[r] = true
			}
		}
	}
	return inOrder(set)
}

func inOrder(set map[contract.Role]bool) []contract.Role {
	var out []contract.Role
	for _, r := range contract.Roles {
		if set[r] {
			out = append(out, r)
		}
	}
	return out
}

// sampleChanges runs the engine with both suites on the same extracts and
// compares the sample party's output files.
func sampleChanges(base, head *reportdef.Suite, o Options) ([]FileChange, error) {
	// the engine's files are plaintext: a locked stage, swept if we crash
	st, err := stage.New(o.StageDir, "carport-plan-")
	if err != nil {
		return nil, err
	}
	defer st.Remove()
	run := func(s *reportdef.Suite, name string) (map[string]csvTable, error) {
		eng, err := bench.Run(bench.Config{Suite: s, Extracts: o.Extracts, Period: o.Period,
			StageDir: filepath.Join(st.Path, name), Workers: o.Workers})
		if err != nil {
			return nil, err
		}
		rep, err := eng.Party(o.Sample)
		if err != nil {
			return nil, fmt.Errorf("%s suite: %w", name, err)
		}
		return outputs(rep)
	}
	b, err := run(base, "base")
	if err != nil {
		return nil, err
	}
	h, err := run(head, "head")
	if err != nil {
		return nil, err
	}
	return compareOutputs(b, h), nil
}

// csvTable is one output file: its header and rows.
type csvTable struct {
	Header []string
	Rows   [][]string
}

// outputs maps each of a party's output files, by its path in the site,
// to its contents.
func outputs(rep *bench.PartyReport) (map[string]csvTable, error) {
	out := map[string]csvTable{}
	for _, rr := range rep.Roles {
		for _, r := range rr.Reports {
			dir := "data/" + string(rr.Role) + "/" + r.Instance.ID + "/"
			for _, v := range r.Views {
				if v.File == "" {
					out[dir+v.View.ID+".csv"] = csvTable{v.Header, v.Rows}
					continue
				}
				t, err := readTable(v.File)
				if err != nil {
					return nil, err
				}
				out[dir+filepath.Base(v.File)] = t
			}
		}
	}
	return out, nil
}

func readTable(path string) (csvTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return csvTable{}, err
	}
	defer f.Close()
	var src io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		z, err := gzip.NewReader(f)
		if err != nil {
			return csvTable{}, fmt.Errorf("%s: %w", path, err)
		}
		defer z.Close()
		src = z
	}
	r := csv.NewReader(src)
	r.FieldsPerRecord = -1
	all, err := r.ReadAll()
	if err != nil {
		return csvTable{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(all) == 0 {
		return csvTable{}, nil
	}
	return csvTable{Header: all[0], Rows: all[1:]}, nil
}

// compareOutputs compares two sets of output files. Rows are matched by
// their first cell (a date, rank, scope or code) and its occurrence: a
// row whose key is on both sides but whose cells differ is changed, a key
// on one side only is an added or removed row. Files come out sorted by
// path; unchanged files are left out.
func compareOutputs(base, head map[string]csvTable) []FileChange {
	var out []FileChange
	for path, h := range head {
		b, ok := base[path]
		if !ok {
			out = append(out, FileChange{Path: path, Kind: "added", Rows: len(h.Rows)})
			continue
		}
		c := compareRows(b.Rows, h.Rows)
		c.Path, c.Kind = path, "changed"
		c.Columns = strings.Join(b.Header, "\x00") != strings.Join(h.Header, "\x00")
		if c.Columns || c.Added+c.Removed+c.Changed > 0 {
			out = append(out, c)
		}
	}
	for path, b := range base {
		if _, ok := head[path]; !ok {
			out = append(out, FileChange{Path: path, Kind: "removed", Rows: len(b.Rows)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func compareRows(base, head [][]string) FileChange {
	keyed := func(rows [][]string) map[string]string {
		m := map[string]string{}
		n := map[string]int{}
		for _, r := range rows {
			first := ""
			if len(r) > 0 {
				first = r[0]
			}
			m[fmt.Sprintf("%s\x00%d", first, n[first])] = strings.Join(r, "\x00")
			n[first]++
		}
		return m
	}
	b, h := keyed(base), keyed(head)
	var c FileChange
	for k, hv := range h {
		bv, ok := b[k]
		switch {
		case !ok:
			c.Added++
		case bv != hv:
			c.Changed++
		}
	}
	for k := range b {
		if _, ok := h[k]; !ok {
			c.Removed++
		}
	}
	return c
}

// WriteMarkdown writes the plan as Markdown for a pull-request comment.
func (in *Plan) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## carport plan: report definitions against `%s`\n\n", in.Base)
	groups := map[string][]reportdef.DefDiff{}
	for _, d := range in.Diffs {
		g := d.Kind
		if d.Kind == reportdef.Changed && d.Head.Status == "archived" && d.Base.Status != "archived" {
			g = "archived"
		}
		groups[g] = append(groups[g], d)
	}
	fmt.Fprintf(&b, "%d added, %d changed, %d archived, %d removed.\n",
		len(groups[reportdef.Added]), len(groups[reportdef.Changed]), len(groups["archived"]), len(groups[reportdef.Removed]))
	for _, g := range []struct{ key, title string }{
		{reportdef.Added, "Added"}, {reportdef.Changed, "Changed"}, {"archived", "Archived"}, {reportdef.Removed, "Removed"},
	} {
		if len(groups[g.key]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n", g.title)
		for _, d := range groups[g.key] {
			writeDiff(&b, d)
		}
	}
	if len(in.Sources) > 0 {
		b.WriteString("\n### Catalogue and policy\n\n")
		for _, s := range in.Sources {
			fmt.Fprintf(&b, "- `%s` changed\n", s)
		}
	}
	b.WriteString("\n### Who is affected\n\n")
	if len(in.Roles) == 0 {
		b.WriteString("- Roles: none (no published report changes)\n")
	} else {
		roles := make([]string, len(in.Roles))
		for i, r := range in.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(&b, "- Roles: %s\n", strings.Join(roles, ", "))
	}
	if in.PartiesFile == "" {
		b.WriteString("- Parties: roles only (give --extracts to count parties from parties.csv)\n")
	} else {
		fmt.Fprintf(&b, "- Parties: %d of %d in `%s`\n", in.Affected, in.Parties, filepath.ToSlash(in.PartiesFile))
	}
	if in.Sample != "" {
		fmt.Fprintf(&b, "\n### Output files of %s for %s\n\n", in.Sample, in.Period)
		if len(in.Files) == 0 {
			fmt.Fprintf(&b, "No output file of %s changes.\n", in.Sample)
		} else {
			b.WriteString("| File | Change | Rows |\n|---|---|---|\n")
			for _, f := range in.Files {
				var rows string
				switch f.Kind {
				case "added", "removed":
					rows = fmt.Sprintf("%d rows", f.Rows)
				default:
					rows = fmt.Sprintf("+%d −%d ~%d", f.Added, f.Removed, f.Changed)
					if f.Columns {
						rows += ", columns changed"
					}
				}
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Path, f.Kind, rows)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeDiff(b *strings.Builder, d reportdef.DefDiff) {
	switch {
	case d.Base == nil:
		fmt.Fprintf(b, "- **%s** %s, %s (`%s`)\n", d.ID, d.Head.Version, d.Head.Status, filepath.ToSlash(d.Head.File))
	case d.Head == nil:
		fmt.Fprintf(b, "- **%s** %s (was `%s`): removed; setting `status = \"archived\"` would keep it in the catalogue\n",
			d.ID, d.Base.Version, filepath.ToSlash(d.Base.File))
	default:
		ver := d.Head.Version.String()
		if d.Base.Version != d.Head.Version {
			ver = d.Base.Version.String() + " → " + ver
		}
		fmt.Fprintf(b, "- **%s** %s (`%s`)\n", d.ID, ver, filepath.ToSlash(d.Head.File))
		if d.StatusChanged() {
			fmt.Fprintf(b, "  - status: %s → %s\n", d.Base.Status, d.Head.Status)
		}
		if !d.Content {
			b.WriteString("  - changed through the catalogue only\n")
		} else if !d.Base.Version.Less(d.Head.Version) {
			b.WriteString("  - **warning**: the content changed but the version did not go up: 'carport lint --base' fails\n")
		}
	}
	for _, c := range d.NewChanges() {
		fmt.Fprintf(b, "  - %s (%s): %s\n", c.Version, c.Date, c.Note)
	}
	if d.Base != nil && d.Head != nil {
		if len(d.InstancesAdded) > 0 {
			fmt.Fprintf(b, "  - new instances: %s\n", strings.Join(d.InstancesAdded, ", "))
		}
		if len(d.InstancesRemoved) > 0 {
			fmt.Fprintf(b, "  - instances gone: %s\n", strings.Join(d.InstancesRemoved, ", "))
		}
	}
	if len(d.Roles) > 0 {
		roles := make([]string, len(d.Roles))
		for i, r := range d.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(b, "  - roles: %s\n", strings.Join(roles, ", "))
	}
}
