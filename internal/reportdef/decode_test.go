package reportdef

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// shipped returns the shipped catalogue and policy as a file system to
// which a test adds its own definitions.
func shipped(t testing.TB) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, f := range []string{"policy.toml", "catalogue/srvs.toml", "catalogue/alerts.toml", "catalogue/device_types.toml", "catalogue/columns.toml", "catalogue/codes.toml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "reportdefs", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		fsys[f] = &fstest.MapFile{Data: b}
	}
	return fsys
}

// goodDef is a valid definition; tests break one line of it at a time.
// Line numbers matter: the tests pin them.
const goodDef = `schema_version = 1
id = "demo"
version = "1.2.0"
title = "{name} (SRV {key})"
category = "Service requests"
status = "published"
audience = ["IS", "GS"]
owner = "DCC Customer Analytics"
dataset = "service_requests"
description = """
A demonstration.
[not a table]
"""

[matrix]
over = "srv"
values = ["4.1.1", "8.2"]

[[views]]
id = "league"
kind = "league"
title = "League"
[views.chart]
kind = "bar"
x = "rank"
series = ["success_rate"]

[[views]]
id = "failures"
kind = "failures"
title = "Failures"
dimensions = ["response_code", "region"]
only = ["8.2"]
[views.chart]
kind = "table"

[[changelog]]
version = "1.0.0"
date = 2026-10-01
note = "First version."

[[changelog]]
version = "1.2.0"
date = 2026-11-01
note = "Failures view."
`

// edit returns goodDef with old replaced by new, failing if old is absent.
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(goodDef, old) {
		t.Fatalf("goodDef has no %q", old)
	}
	return strings.Replace(goodDef, old, new, 1)
}

func loadWith(t testing.TB, files map[string]string) (*Suite, error) {
	t.Helper()
	fsys := shipped(t)
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return LoadFS(fsys, "reportdefs")
}

func TestGoodDefinitionLoads(t *testing.T) {
	s, err := loadWith(t, map[string]string{"demo.toml": goodDef})
	if err != nil {
		t.Fatalf("goodDef: %v", err)
	}
	var ids []string
	for _, in := range s.Instances(Select{}) {
		ids = append(ids, in.ID+":"+in.Title)
	}
	if got, want := strings.Join(ids, ","), "demo-4.1.1:Read Instantaneous Import Registers (SRV 4.1.1),demo-8.2:Read Inventory (SRV 8.2)"; got != want {
		t.Errorf("instances = %s, want %s", got, want)
	}
}

// TestProblemMessages pins the exact text of every class of definition
// error: users and scripts read these.
func TestProblemMessages(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string // built with edit; "demo.toml" when one file
		want  []string
	}{
		{"unknown key with line",
			map[string]string{"demo.toml": edit(t, "owner = ", "colour = \"red\"\nowner = ")},
			[]string{`reportdefs/demo.toml:8: key "colour": unknown key "colour"`}},
		{"mis-cased key",
			map[string]string{"demo.toml": edit(t, "title = \"{name}", "Title = \"{name}")},
			[]string{`reportdefs/demo.toml:4: key "Title": unknown key "Title"`, `hint: keys are lowercase: did you mean "title"?`}},
		{"unknown key in the second view",
			map[string]string{"demo.toml": edit(t, "title = \"Failures\"", "titel = \"Failures\"")},
			[]string{
				`reportdefs/demo.toml:28: key "views.title": title is required`,
				`reportdefs/demo.toml:31: key "views.titel": unknown key "titel"`,
			}},
		{"breakdown by a dimension it cannot break down by",
			map[string]string{"demo.toml": edit(t, "kind = \"failures\"", "kind = \"breakdown\"")},
			[]string{`reportdefs/demo.toml:32: key "views.dimensions": a breakdown view breaks down by device_type, region, smets_version, not "response_code"`}},
		{"mis-cased key in a chart table",
			map[string]string{"demo.toml": edit(t, "x = \"rank\"", "X = \"rank\"")},
			[]string{`reportdefs/demo.toml:25: key "views.chart.X": unknown key "X"`, `hint: keys are lowercase: did you mean "x"?`}},
		{"bad status",
			map[string]string{"demo.toml": edit(t, `status = "published"`, `status = "live"`)},
			[]string{`reportdefs/demo.toml:6: key "status": unknown status "live" (want one of draft, published, archived)`}},
		{"bad view kind",
			map[string]string{"demo.toml": edit(t, `kind = "failures"`, `kind = "failure"`)},
			[]string{`reportdefs/demo.toml:30: key "views.kind": unknown view kind "failure" for dataset service_requests (want one of league, rtt, daily, breakdown, failures, svp, summary, trend, rtt_trend)`}},
		{"bad chart kind in the second view",
			map[string]string{"demo.toml": edit(t, `kind = "table"`, `kind = "pie"`)},
			[]string{`reportdefs/demo.toml:35: key "views.chart.kind": unknown chart kind "pie" (want one of bar, line, table)`}},
		{"bad role",
			map[string]string{"demo.toml": edit(t, `audience = ["IS", "GS"]`, `audience = ["IS", "SUP"]`)},
			[]string{`reportdefs/demo.toml:7: key "audience": unknown user role "SUP" (want one of IS, ES, GS, ED, GT, RSA, OU)`}},
		{"view role outside the audience",
			map[string]string{"demo.toml": edit(t, `only = ["8.2"]`, `only = ["8.2"]`+"\nroles = [\"ED\"]")},
			[]string{`reportdefs/demo.toml:34: key "views.roles": role ED is not in the report's audience`}},
		{"bad semver",
			map[string]string{"demo.toml": edit(t, `version = "1.2.0"`, `version = "1.2"`)},
			[]string{`reportdefs/demo.toml:3: key "version": "1.2" is not a semantic version MAJOR.MINOR.PATCH`}},
		{"version without a changelog entry",
			map[string]string{"demo.toml": edit(t, `version = "1.2.0"`, `version = "1.3.0"`)},
			[]string{`reportdefs/demo.toml:3: key "version": version 1.3.0 has no changelog entry (newest entry is 1.2.0)`}},
		{"wrong value type",
			map[string]string{"demo.toml": edit(t, `version = "1.2.0"`, `version = 1.2`)},
			[]string{`reportdefs/demo.toml:3: key "version": invalid value: incompatible types: TOML value has type float64; destination has type string`}},
		{"dangling SRV in matrix.values",
			map[string]string{"demo.toml": edit(t, `values = ["4.1.1", "8.2"]`, `values = ["4.1.1", "8.2", "99.1"]`)},
			[]string{`reportdefs/demo.toml:17: key "matrix.values": srv "99.1" is not in the srv catalogue`}},
		{"dangling SRV in only",
			map[string]string{"demo.toml": edit(t, `only = ["8.2"]`, `only = ["8.2", "9.9.9"]`)},
			[]string{`reportdefs/demo.toml:33: key "views.only": srv "9.9.9" is not in the srv catalogue`}},
		{"only outside matrix.values",
			map[string]string{"demo.toml": edit(t, `only = ["8.2"]`, `only = ["4.4.2"]`)},
			[]string{`reportdefs/demo.toml:33: key "views.only": srv "4.4.2" is not among matrix.values`}},
		{"dangling alert code",
			map[string]string{"demo.toml": strings.NewReplacer(`dataset = "service_requests"`, `dataset = "alerts"`,
				`over = "srv"`, `over = "alert"`, `values = ["4.1.1", "8.2"]`, `values = ["AD1", "ZZZZ"]`,
				`kind = "league"`, `kind = "daily"`, `kind = "failures"`, `kind = "summary"`,
				`x = "rank"`, `x = "date"`, `series = ["success_rate"]`, `series = ["delivery_rate"]`,
				`dimensions = ["response_code", "region"]`, `dimensions = ["reason_code"]`, `only = ["8.2"]`, `only = ["AD1"]`).Replace(goodDef)},
			[]string{`reportdefs/demo.toml:17: key "matrix.values": alert "ZZZZ" is not in the alert catalogue`}},
		{"dimension not in the dataset",
			map[string]string{"demo.toml": edit(t, `dimensions = ["response_code", "region"]`, `dimensions = ["reason_code"]`)},
			[]string{`reportdefs/demo.toml:32: key "views.dimensions": dimension "reason_code" is not in dataset service_requests (want one of outcome, response_code, region, smets_version, device_type, device_manufacturer, device_model, device_firmware, chf_manufacturer, chf_model, chf_variant, chf_firmware)`}},
		{"duplicate report id",
			map[string]string{"a.toml": goodDef, "b.toml": goodDef},
			[]string{`reportdefs/b.toml:2: key "id": duplicate report id "demo" (also in reportdefs/a.toml)`}},
		{"duplicate instance id after matrix expansion",
			// "demo" over SRV 8.2 gives demo-8.2; a report with id
			// "demo-8" over SRV ".2" cannot exist, but one without a
			// matrix whose id differs only in case from an alert
			// instance can: alert-N12 and alert-n12 are one folder on
			// Windows and macOS.
			map[string]string{
				"alert.toml": mustRead(t, "alert.toml"),
				"zz.toml": strings.NewReplacer(`id = "demo"`, `id = "alert-n12"`, "[matrix]\nover = \"srv\"\nvalues = [\"4.1.1\", \"8.2\"]\n", "",
					"only = [\"8.2\"]\n", "").Replace(goodDef),
			},
			[]string{`reportdefs/zz.toml:2: key "id": report instance "alert-n12" is also produced by reportdefs/alert.toml (instance ids must differ, ignoring case)`}},
		{"three problems at once, by line",
			map[string]string{"demo.toml": strings.Replace(strings.Replace(edit(t, `status = "published"`, `status = "Published"`),
				`version = "1.2.0"`, `version = "one"`, 1), `kind = "table"`, `kind = "donut"`, 1)},
			[]string{
				`reportdefs/demo.toml:3: key "version": "one" is not a semantic version MAJOR.MINOR.PATCH`,
				`reportdefs/demo.toml:6: key "status": unknown status "Published" (want one of draft, published, archived)`,
				`reportdefs/demo.toml:35: key "views.chart.kind": unknown chart kind "donut" (want one of bar, line, table)`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadWith(t, tt.files)
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want Problems", err)
			}
			// each problem, then its hint when it has one
			var got []string
			for _, p := range ps {
				got = append(got, filepath.ToSlash(p.Error()))
				if p.Hint != "" {
					got = append(got, "hint: "+p.Hint)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "reportdefs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLine checks the locator gives the line of keys at the top, inside
// every [[views]] element and inside [views.chart] tables, past
// multi-line strings that look like tables.
func TestLine(t *testing.T) {
	s, err := loadWith(t, map[string]string{"demo.toml": goodDef})
	if err != nil {
		t.Fatal(err)
	}
	def := s.Defs[0]
	tests := []struct {
		key  string
		want int
	}{
		{"id", 2},
		{"version", 3},
		{"dataset", 9},
		{"matrix", 15},
		{"matrix.values", 17},
		{"views", 19},
		{"views.0.kind", 21},
		{"views.0.chart", 23},
		{"views.0.chart.kind", 24},
		{"views.0.chart.series", 26},
		{"views.1", 28},
		{"views.1.kind", 30},
		{"views.1.only", 33},
		{"views.1.chart.kind", 35},
		{"views.1.chart.x", 34}, // not written: the chart table's line
		{"changelog.1.note", 45},
		{"views.kind", 21}, // without indexes: the first occurrence
		{"nosuch", 0},
	}
	for _, tt := range tests {
		if got := def.Line(tt.key); got != tt.want {
			t.Errorf("Line(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
}

func TestParseSemver(t *testing.T) {
	tests := []struct {
		in   string
		want Semver
		ok   bool
	}{
		{"1.2.3", Semver{1, 2, 3}, true},
		{"0.0.0", Semver{}, true},
		{"10.20.30", Semver{10, 20, 30}, true},
		{"1.2", Semver{}, false},
		{"v1.2.3", Semver{}, false},
		{"01.2.3", Semver{}, false},
		{"1.2.3-rc1", Semver{}, false},
		{"", Semver{}, false},
	}
	for _, tt := range tests {
		got, err := ParseSemver(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSemver(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if !(Semver{1, 9, 9}).Less(Semver{2, 0, 0}) || !(Semver{1, 2, 3}).Less(Semver{1, 10, 0}) || (Semver{1, 2, 3}).Less(Semver{1, 2, 3}) {
		t.Error("Less orders versions wrongly")
	}
}
