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
	if len(got["stages"].([]any)) != len(eng.Stages) || len(eng.Stages) == 0 {
		t.Errorf("stages %v, the engine's %d", got["stages"], len(eng.Stages))
	}
}
