package cli

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/gocarina/gocsv"

	"github.com/dcc/carport"
	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/reportdef"
)

// lint checks the definitions, catalogues and policy (and the documents
// of the content) and says what else it knows: codes the extracts carry
// that the catalogue lacks, and changes since a base revision.
func (e *env) lint(args []string) error {
	fs := e.flags("lint", "[--reportdefs DIR] [--content DIR] [--base REF] [--extracts DIR [--period YYYY-MM]]")
	dir := fs.String("reportdefs", "", "folder of report definitions (default: ./reportdefs, else the ones built into carport)")
	content := fs.String("content", "", "folder of authored site pages, whose documents/ is checked (default: ./content, else the ones built into carport)")
	base := fs.String("base", "", "git revision to compare with: a definition changed since then needs a version bump and a changelog entry")
	extracts := fs.String("extracts", "", "also list the SRVs and alert codes these extracts carry that the catalogue lacks")
	periodFlag := fs.String("period", "", "with --extracts: count only the rows of this period (YYYY-MM); default: every row")
	if err := parse(fs, args); err != nil {
		return err
	}
	var period *contract.Period
	if *periodFlag != "" {
		if *extracts == "" {
			return usagef("give the extracts too: --extracts DIR --period YYYY-MM", "lint: --period needs --extracts")
		}
		p, err := contract.ParsePeriod(*periodFlag)
		if err != nil {
			return usagef("give the period as YYYY-MM, e.g. --period 2026-10", "lint: %v", err)
		}
		period = &p
	}
	s, src, err := loadSuite("lint", *dir)
	if err != nil {
		return err
	}
	docs, err := lintDocuments(*content)
	if err != nil {
		return err
	}
	gapNote := ""
	if *extracts != "" {
		gaps, _, err := bench.ScanGaps(s, *extracts, period)
		if err != nil {
			return err
		}
		where := "rows"
		if period != nil {
			where = "rows in " + period.String()
		}
		for _, g := range gaps {
			file, kind, cat := contract.ServiceRequestsFile.Name, "SRV", "srvs.toml"
			if g.Dataset == contract.Alerts {
				file, kind, cat = contract.AlertsFile.Name, "alert code", "alerts.toml"
			}
			e.say("note: %s %s is not in the catalogue (%d %s of %s): builds report it under its code; add it to %s",
				kind, g.Code, g.Rows, where, file, filepath.Join(src.Name, "catalogue", cat))
		}
		gapNote = fmt.Sprintf(", %d codes of the extracts not in the catalogue", len(gaps))
	}
	against := ""
	if *base != "" {
		old, err := suiteAt("lint", src, *base)
		if err != nil {
			return err
		}
		diffs := reportdef.Diff(old, s)
		changed := 0
		for _, d := range diffs {
			switch {
			case d.Kind == reportdef.Removed:
				e.say("note: report %q (%s) was removed since %s; status = \"archived\" would keep it in the catalogue",
					d.ID, filepath.ToSlash(d.Base.File), *base)
			case d.Content:
				changed++
			}
		}
		if ps := reportdef.CheckBumps(old, s, *base); len(ps) > 0 {
			return &badInput{ps, "give every changed definition a greater version and a [[changelog]] entry for it"}
		}
		against = fmt.Sprintf(", %d changed since %s", changed, *base)
	}
	n := len(s.Instances(reportdef.Select{Drafts: true, Archived: true}))
	builtIn := ""
	if src.BuiltIn {
		builtIn = " (the definitions built into carport)"
	}
	e.say("lint: %d definitions, %d report instances, %d SRVs, %d alert codes, %d documents%s%s%s: ok",
		len(s.Defs), n, len(s.Catalogue.SRVs), len(s.Catalogue.Alerts), docs, builtIn, against, gapNote)
	return nil
}

// lintDocuments checks the documents of --content dir (documents.toml and
// the files it describes) and returns how many there are.
func lintDocuments(dir string) (int, error) {
	src, err := carport.Open(carport.Content, dir)
	if err != nil {
		return 0, usagef("give --content a folder of authored pages", "lint: --content: %v", err)
	}
	if _, err := fs.Stat(src.FS, "documents"); err != nil {
		return 0, nil
	}
	sub, err := fs.Sub(src.FS, "documents")
	if err != nil {
		return 0, err
	}
	docs, err := reportdef.LoadDocuments(sub, path.Join(src.Name, "documents"))
	return len(docs), err
}

func (e *env) list(args []string) error {
	fs := e.flags("list", "[--search TEXT] [--role R] [--status S] [--category C] [--format table|csv|json]")
	dir := fs.String("reportdefs", "", "folder of report definitions (default: ./reportdefs, else the ones built into carport)")
	search := fs.String("search", "", "only instances whose id or title contains TEXT (any case)")
	role := fs.String("role", "", "only instances a role receives (IS, ES, GS, ED, GT, RSA, OU)")
	status := fs.String("status", "", "only this status (draft, published, archived); default: all")
	category := fs.String("category", "", "only this category (any case)")
	format := fs.String("format", "table", "table, csv or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	var want contract.Role
	if *role != "" {
		r, err := contract.ParseRole(*role)
		if err != nil {
			return usagef("", "list: --role: %v", err)
		}
		want = r
	}
	if *status != "" && *status != "draft" && *status != "published" && *status != "archived" {
		return usagef("", "list: --status %q: want draft, published or archived", *status)
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		return usagef("", "list: --format %q: want table, csv or json", *format)
	}
	s, _, err := loadSuite("list", *dir)
	if err != nil {
		return err
	}
	type row struct {
		ID       string   `json:"id" csv:"id"`
		Version  string   `json:"version" csv:"version"`
		Status   string   `json:"status" csv:"status"`
		Category string   `json:"category" csv:"category"`
		Audience []string `json:"audience" csv:"-"`
		Roles    string   `json:"-" csv:"audience"`
		Title    string   `json:"title" csv:"title"`
	}
	var rows []row
	for _, in := range s.Instances(reportdef.Select{Drafts: true, Archived: true}) {
		if want != "" && !in.HasRole(want) {
			continue
		}
		if *status != "" && in.Def.Status != *status {
			continue
		}
		if *category != "" && !strings.EqualFold(in.Def.Category, *category) {
			continue
		}
		if q := strings.ToLower(*search); q != "" && !strings.Contains(strings.ToLower(in.ID+" "+in.Title), q) {
			continue
		}
		r := row{ID: in.ID, Version: in.Def.Version.String(), Status: in.Def.Status, Category: in.Def.Category, Title: in.Title}
		for _, x := range in.Roles {
			r.Audience = append(r.Audience, string(x))
		}
		r.Roles = strings.Join(r.Audience, " ")
		rows = append(rows, r)
	}
	switch *format {
	case "json":
		b, err := json.MarshalIndent(rows, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", b)
	case "csv":
		// gocsv: the header comes from the struct tags, so it cannot drift
		// from the columns
		return gocsv.Marshal(rows, e.stdout)
	default:
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tVERSION\tSTATUS\tCATEGORY\tAUDIENCE\tTITLE")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Version, r.Status, r.Category, strings.Join(r.Audience, " "), r.Title)
		}
		return tw.Flush()
	}
	return nil
}
