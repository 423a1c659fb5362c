package reportdef

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// wantProblems loads files over the shipped suite and compares the
// problems, one a line.
func wantProblems(t *testing.T, files map[string]string, want ...string) {
	t.Helper()
	_, err := loadWith(t, files)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want Problems", err)
	}
	got := filepath.ToSlash(ps.Error())
	if got != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// withInsights is goodDef with a headline, insights, a main view and an
// empty sentence, every one valid.
func withInsights(t *testing.T) string {
	t.Helper()
	s := edit(t, "dataset = \"service_requests\"\n", "dataset = \"service_requests\"\nmain_view = \"failures\"\n")
	// the league chart marks the recipient's row (bottom_quartile reads
	// it); the blank line before the next view makes room for that line
	s = strings.Replace(s, "series = [\"success_rate\"]\n\n", `highlight = "party"
series = ["success_rate"]
sample = "requests"
[[views.headline]]
label = "Requests"
column = "requests"
from = "sum"
[[views.insight]]
rule = "bottom_quartile"
column = "success_rate"
`, 1)
	return strings.Replace(s, "only = [\"8.2\"]\n", "only = [\"8.2\"]\nempty = \"No failed requests.\"\n", 1)
}

func TestHeadlinesAndInsightsLoad(t *testing.T) {
	s, err := loadWith(t, map[string]string{"demo.toml": withInsights(t)})
	if err != nil {
		t.Fatal(err)
	}
	d := s.Defs[0]
	if d.MainView != "failures" || d.Views[1].Empty != "No failed requests." || d.Views[0].Chart.Sample != "requests" {
		t.Errorf("main view %q, empty %q, sample %q", d.MainView, d.Views[1].Empty, d.Views[0].Chart.Sample)
	}
	if h := d.Views[0].Headlines; len(h) != 1 || h[0] != (Headline{Label: "Requests", Column: "requests", From: "sum"}) {
		t.Errorf("headlines = %+v", h)
	}
	if in := d.Views[0].Insights; len(in) != 1 || in[0].Rule != "bottom_quartile" || in[0].Column != "success_rate" {
		t.Errorf("insights = %+v", in)
	}
	// the nested [[views.headline]] and [[views.insight]] have lines of their own
	for key, want := range map[string]int{"views.0.headline.0": 30, "views.0.headline.0.from": 33, "views.0.insight.0.column": 36, "views.1.empty": 43} {
		if got := d.Line(key); got != want {
			t.Errorf("Line(%q) = %d, want %d", key, got, want)
		}
	}
}

func TestHeadlineAndInsightProblems(t *testing.T) {
	base := withInsights(t)
	tests := []struct {
		name, old, new string
		want           []string
	}{
		{"main view that is not a view", `main_view = "failures"`, `main_view = "nope"`,
			[]string{`reportdefs/demo.toml:10: key "main_view": main_view "nope" is not a view of this report`}},
		{"headline source", `from = "sum"`, `from = "average"`,
			[]string{`reportdefs/demo.toml:33: key "views.headline.from": unknown headline source "average" (want one of scope, sum, distinct)`}},
		{"headline without a label", `label = "Requests"`, `label = " "`,
			[]string{`reportdefs/demo.toml:31: key "views.headline.label": label is required`}},
		{"unknown rule", `rule = "bottom_quartile"`, `rule = "worst"`,
			[]string{`reportdefs/demo.toml:35: key "views.insight.rule": unknown insight rule "worst" (want one of behind_industry, bottom_quartile, segment_failures)`}},
		{"rule on the wrong kind of view", `rule = "bottom_quartile"`, `rule = "behind_industry"`,
			[]string{
				`reportdefs/demo.toml:34: key "views.insight.count": insight rule behind_industry needs count`,
				`reportdefs/demo.toml:35: key "views.insight.rule": insight rule behind_industry reads views of kind summary or rtt, not "league"`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(base, tt.old) {
				t.Fatalf("no %q", tt.old)
			}
			wantProblems(t, map[string]string{"demo.toml": strings.Replace(base, tt.old, tt.new, 1)}, tt.want...)
		})
	}
	// a mis-typed key inside the second insight of a view is found at its line
	two := strings.Replace(base, "rule = \"bottom_quartile\"\ncolumn = \"success_rate\"\n",
		"rule = \"bottom_quartile\"\ncolumn = \"success_rate\"\n[[views.insight]]\nrule = \"bottom_quartile\"\ncolum = \"x\"\n", 1)
	wantProblems(t, map[string]string{"demo.toml": two},
		`reportdefs/demo.toml:37: key "views.insight.column": insight rule bottom_quartile needs column`,
		`reportdefs/demo.toml:39: key "views.insight.colum": unknown key "colum"`)
	// segment_failures searches dimensions of the dataset (the svp view
	// groups by them and by the outcome, which the rule reads)
	seg := strings.Replace(strings.Replace(strings.Replace(base, "kind = \"failures\"", "kind = \"svp\"", 1),
		`dimensions = ["response_code", "region"]`, `dimensions = ["outcome", "device_model"]`, 1), "empty = \"No failed requests.\"\n",
		"empty = \"No failed requests.\"\n[[views.insight]]\nrule = \"segment_failures\"\ncount = \"requests\"\nby = [\"device_model\", \"postcode\"]\n", 1)
	wantProblems(t, map[string]string{"demo.toml": seg},
		`reportdefs/demo.toml:44: key "views.insight.failed": insight rule segment_failures needs failed`,
		`reportdefs/demo.toml:47: key "views.insight.by": dimension "postcode" is not in dataset service_requests`)
}

func TestColumnsCodesAndInsightPolicy(t *testing.T) {
	s, err := loadWith(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]Column{}
	for _, c := range s.Catalogue.Columns {
		cols[c.Name] = c
	}
	if c := cols["success_rate"]; c.Label != "Success rate" || c.Format != "percent" || c.Better != "higher" {
		t.Errorf("success_rate column = %+v", c)
	}
	if c := cols["mean_rtt_ms"]; c.Label != "Mean RTT (ms)" || c.Format != "ms" || c.Better != "lower" {
		t.Errorf("mean_rtt_ms column = %+v", c)
	}
	if len(s.Catalogue.ResponseCodes) == 0 || len(s.Catalogue.ReasonCodes) == 0 {
		t.Errorf("codes: %d response, %d reason", len(s.Catalogue.ResponseCodes), len(s.Catalogue.ReasonCodes))
	}
	if p := s.Policy.Insights; p == nil || p.SmallSampleEvents < 1 || p.BottomQuartile != 0.25 {
		t.Errorf("insight policy = %+v", p)
	}

	wantProblems(t, map[string]string{"catalogue/columns.toml": "schema_version = 1\n[[column]]\nname = \"a\"\nlabel = \"A\"\nformat = \"percentage\"\nbetter = \"up\"\n[[column]]\nname = \"a\"\nlabel = \"A\"\nformat = \"text\"\n"},
		`reportdefs/catalogue/columns.toml:5: key "column.format": unknown column format "percentage" (want one of text, percent, count, ms, number, rank, date, datetime)`,
		`reportdefs/catalogue/columns.toml:6: key "column.better": better is "up", want higher, lower or no key at all`,
		`reportdefs/catalogue/columns.toml:8: key "column.name": missing or duplicate column name "a"`)
	wantProblems(t, map[string]string{"catalogue/codes.toml": "schema_version = 1\n[[reason_code]]\ncode = \"x\"\n"},
		`reportdefs/catalogue/codes.toml:2: key "reason_code.meaning": meaning is required`)
	pol := strings.Replace(mustRead(t, "policy.toml"), "bottom_quartile = 0.25", "bottom_quartile = 25", 1)
	line := strings.Count(pol[:strings.Index(pol, "bottom_quartile = 25")], "\n") + 1
	wantProblems(t, map[string]string{"policy.toml": pol},
		fmt.Sprintf(`reportdefs/policy.toml:%d: key "insights.bottom_quartile": bottom_quartile must be a fraction in (0, 1), e.g. 0.25`, line))

	// the site words are optional: a suite without them loads, without labels
	fsys := shipped(t)
	delete(fsys, "catalogue/columns.toml")
	delete(fsys, "catalogue/codes.toml")
	pol = mustRead(t, "policy.toml")
	fsys["policy.toml"] = &fstest.MapFile{Data: []byte(pol[:strings.Index(pol, "\n[insights]")] + "\n")}
	s, err = LoadFS(fsys, "reportdefs")
	if err != nil {
		t.Fatal(err)
	}
	if s.Catalogue.Columns != nil || s.Policy.Insights != nil {
		t.Errorf("without the optional files: columns %v, insights %v", s.Catalogue.Columns, s.Policy.Insights)
	}
}

func TestLoadDocuments(t *testing.T) {
	toml := `schema_version = 1
[[document]]
file = "guide.pdf"
title = "Guide"
description = "How to read the reports."
roles = ["IS", "ED"]

[[document]]
file = "codes.csv"
title = "Alert codes"
roles = ["ED"]
`
	fsys := fstest.MapFS{
		"documents.toml": {Data: []byte(toml)},
		"guide.pdf":      {Data: []byte("%PDF-1.4\n")},
		"codes.csv":      {Data: []byte("code,name\n")},
	}
	docs, err := LoadDocuments(fsys, "content/documents")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].Title != "Alert codes" || docs[1].File != "guide.pdf" || docs[1].Size != 9 ||
		len(docs[1].Roles) != 2 || docs[1].Roles[1] != "ED" {
		t.Errorf("documents = %+v", docs)
	}
	if docs, err := LoadDocuments(fstest.MapFS{}, "content/documents"); err != nil || docs != nil {
		t.Errorf("empty folder: %v, %v", docs, err)
	}

	bad := fstest.MapFS{
		"documents.toml": {Data: []byte(strings.NewReplacer(`file = "codes.csv"`, `file = "../codes.csv"`, `roles = ["IS", "ED"]`, `roles = ["IS", "XX"]`).Replace(toml) +
			"\n[[document]]\nfile = \"fake.pdf\"\ntitle = \"Fake\"\nroles = [\"IS\"]\n")},
		"guide.pdf":  {Data: []byte("%PDF-1.4\n")},
		"codes.csv":  {Data: []byte("code,name\n")},
		"fake.pdf":   {Data: []byte("hello")},
		"stray.docx": {Data: []byte("x")},
	}
	_, err = LoadDocuments(bad, "content/documents")
	want := []string{
		`content/documents/codes.csv: not listed in documents.toml: only described documents reach a site`,
		`content/documents/documents.toml:6: key "document.roles": unknown user role "XX" (want one of IS, ES, GS, ED, GT, RSA, OU)`,
		`content/documents/documents.toml:9: key "document.file": file "../codes.csv" must be a plain file name ending in .pdf or .csv (letters, digits, . _ -)`,
		`content/documents/documents.toml:14: key "document.file": file "fake.pdf" does not start like a PDF (%PDF-)`,
		`content/documents/stray.docx: not listed in documents.toml: only described documents reach a site`,
	}
	if err == nil || filepath.ToSlash(err.Error()) != strings.Join(want, "\n") {
		t.Errorf("problems:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}
