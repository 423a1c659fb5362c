package runreport

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dcc/carport/internal/audit"
	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/reportdef"
)

// The run report of the CLI tests' hand-built month: every extract's
// quality, the engine's stages, the bundles in build order with their
// audit, and an empty (not null) list of codes the catalogue lacks.
func TestReportOfAMonth(t *testing.T) {
	suite, err := reportdef.Load(filepath.Join("..", "..", "reportdefs"))
	if err != nil {
		t.Fatal(err)
	}
	period, _ := contract.ParsePeriod("2026-10")
	eng, err := bench.Run(bench.Config{Suite: suite, Extracts: filepath.Join("..", "..", "cmd", "carport", "testdata", "month"),
		Period: period, StageDir: t.TempDir(), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Run{Generator: "9.9.9", Engine: eng, Total: 2 * time.Second, Index: time.Second / 2, IndexSize: 1234,
		Bundles: []Bundle{
			{Party: "SUPB", ZipSHA256: "bb", Audit: audit.Stats{Files: 3, Bytes: 300, Estate: 1, Elapsed: time.Second}},
			{Party: "SUPA", ZipSHA256: "aa", Audit: audit.Stats{Files: 2, Bytes: 200}},
		}}).JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(b), "}\n") || strings.Contains(string(b), "kept_parties") {
		t.Errorf("run.json ends %q, or lists kept parties though none were", b[len(b)-5:])
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["generator_version"] != "9.9.9" || got["total_seconds"] != 2.0 || got["audit_index_seconds"] != 0.5 || got["audit_index_bytes"] != 1234.0 {
		t.Errorf("header fields: %v", got)
	}
	if ps := got["parties"].([]any); len(ps) != 2 || ps[0] != "SUPB" || ps[1] != "SUPA" {
		t.Errorf("parties %v, want the build order", ps)
	}
	bundles := got["bundles"].([]any)
	if first := bundles[0].(map[string]any); first["party"] != "SUPB" || first["zip_sha256"] != "bb" || first["audit_files"] != 3.0 ||
		first["audit_bytes"] != 300.0 || first["audit_estate_devices"] != 1.0 || first["audit_seconds"] != 1.0 {
		t.Errorf("first bundle %v", first)
	}
	if u, ok := got["uncatalogued"].([]any); !ok || len(u) != 0 {
		t.Errorf("uncatalogued = %#v, want an empty list", got["uncatalogued"])
	}
	files := map[string]bool{}
	for _, q := range got["quality"].([]any) {
		files[q.(map[string]any)["file"].(string)] = true
	}
	for _, f := range contract.Files {
		if !files[f.Name] {
			t.Errorf("no quality of %s in %v", f.Name, files)
		}
	}
	// the engine's stages, then the parties' steps
	stages := got["stages"].([]any)
	if len(stages) != len(eng.Stages)+3 || len(eng.Stages) == 0 || stages[len(stages)-1].(map[string]any)["name"] != "seal and sign" {
		t.Errorf("stages %v, the engine's %d", got["stages"], len(eng.Stages))
	}
}

// The report's new parts: bundle sizes, the views withheld aggregated by
// view with their parties, and the change against last month's report.
func TestWithheldAndChange(t *testing.T) {
	suite, err := reportdef.Load(filepath.Join("..", "..", "reportdefs"))
	if err != nil {
		t.Fatal(err)
	}
	period, _ := contract.ParsePeriod("2026-10")
	eng, err := bench.Run(bench.Config{Suite: suite, Extracts: filepath.Join("..", "..", "cmd", "carport", "testdata", "month"),
		Period: period, StageDir: t.TempDir(), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	league := View{Role: "IS", Definition: "srv", Report: "srv-4.1.1", View: "league"}
	trend := View{Role: "IS", Definition: "srvs-all", Report: "srvs-all", View: "trend"}
	prev := &Report{Parties: []string{"SUPA", "OLD"}, Kept: []string{"SUPC"}, Quality: []Quality{
		{File: "service_requests.csv", Rows: 10}, {File: "alerts.csv", Rows: 0}}}
	rep := New(Run{Generator: "9.9.9", Period: "2026-10", Engine: eng, History: []string{"2026-08"},
		Previous: prev, PreviousPeriod: "2026-09",
		Bundles: []Bundle{
			{Party: "SUPB", Size: 2000, ZipSize: 1900, Withheld: []View{league, trend}},
			{Party: "SUPA", Size: 1000, ZipSize: 900, Withheld: []View{league}},
		}})
	if rep.WithheldViews != 3 || len(rep.Withheld) != 2 || rep.Withheld[0].View != league ||
		strings.Join(rep.Withheld[0].Parties, ",") != "SUPB,SUPA" || strings.Join(rep.Withheld[1].Parties, ",") != "SUPB" {
		t.Errorf("withheld %d views: %+v", rep.WithheldViews, rep.Withheld)
	}
	if rep.Bundles[0].Bytes != 2000 || rep.Bundles[0].ZipBytes != 1900 {
		t.Errorf("bundle sizes %+v", rep.Bundles[0])
	}
	c := rep.Change
	if c == nil || c.Period != "2026-09" || strings.Join(c.Added, ",") != "SUPB" || strings.Join(c.Gone, ",") != "OLD,SUPC" {
		t.Fatalf("change %+v", c)
	}
	rows := map[string]RowChange{}
	for _, r := range c.Rows {
		rows[r.File] = r
	}
	sr, al := rows["service_requests.csv"], rows["alerts.csv"]
	if sr.Previous != 10 || sr.Percent == nil || *sr.Percent != float64(sr.Rows-10)*10 {
		t.Errorf("service requests: %d rows, %d before, %v%%", sr.Rows, sr.Previous, sr.Percent)
	}
	if al.Previous != 0 || al.Percent != nil {
		t.Errorf("alerts from none: %+v", al)
	}
	// a report of an older carport still reads, and run.json round-trips
	b, err := rep.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(b)
	if err != nil || back.Change == nil || back.WithheldViews != 3 || back.HistoryMonths[0] != "2026-08" {
		t.Fatalf("decoding run.json: %v %+v", err, back)
	}
	if old, err := Decode([]byte(`{"generator_version":"0.1.0","parties":["A"],"quality":[]}`)); err != nil || old.Parties[0] != "A" {
		t.Fatalf("an older run.json: %v", err)
	}
}
