package site

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/dcc/carport"
)

// shipped is Options with the templates, content and ECharts script built
// into carport, writing under tmp.
func shipped(t *testing.T, tmp string) Options {
	t.Helper()
	tpl, err := carport.BuiltIn(carport.Templates)
	if err != nil {
		t.Fatal(err)
	}
	content, err := carport.BuiltIn(carport.Content)
	if err != nil {
		t.Fatal(err)
	}
	ech, name, err := carport.ECharts("")
	if err != nil {
		t.Fatal(err)
	}
	return Options{Templates: tpl.FS, Content: content.FS, ContentName: content.Name, ECharts: ech, EChartsFile: name,
		WorkDir: tmp, OutDir: filepath.Join(tmp, "out")}
}

// repoDir is the repository root (templates/, content/, third_party/).
func repoDir(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot find test file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// testInput is a realistic two-role party: a league view with the
// recipient highlighted, a daily view with an incident day, an rtt view, a
// withheld view and a large-file view.
func testInput(t *testing.T) Input {
	t.Helper()
	gz := filepath.Join(t.TempDir(), "devices.csv.gz")
	if err := os.WriteFile(gz, []byte("not really gzip, copied as-is\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	daily := [][]string{}
	for d := 1; d <= 10; d++ {
		day := "2026-10-" + two(d)
		inc := ""
		if d == 7 {
			inc = "INC-0042"
		}
		daily = append(daily, []string{day, itoa(1000 + d*13), itoa(990 + d*11), rate(990+d*11, 1000+d*13), itoa(4200 + d*7), "0.9871", "4410", inc})
	}
	return Input{
		Period:           "2026-10",
		PartyID:          "ACME",
		PartyName:        "Acme Energy, \"Retail\" Ltd",
		GeneratorVersion: "v0.3.0-test",
		MinPeers:         5,
		Columns:          testColumns,
		Insights: &InsightPolicy{MaxShown: 5, SmallSampleEvents: 1050, BottomQuartile: 0.25, BehindIndustryPoints: 2,
			BehindIndustryRatio: 1.5, SegmentFailureRatio: 2, LevelPoints: 0.2, LevelRatio: 0.05},
		Glossary:   []Term{{Group: "Response codes", Code: "E21", Meaning: "No response from the device."}},
		Thresholds: map[string]string{"cpl_expiry_days": "30"},
		Incidents: []Incident{{
			ID: "INC-0042", Category: 2, Start: "2026-10-07T08:00:00+01:00", End: "2026-10-07T14:30:00+01:00",
			Regions: "North;South", Title: "Delayed responses in the North region", Dates: []string{"2026-10-07"},
		}},
		Roles: []RoleInput{
			{Role: "IS", RoleName: "Import Supplier", Reports: []Report{
				{
					ID: "srv-4.1.1", DefID: "srv", Version: "1.2.0", Title: "SRV 4.1.1 Read instantaneous import registers",
					Category: "Service requests", Description: "How your **SRV 4.1.1** requests fared. More words.",
					Help:      "Each bar is one party; *yours* is highlighted. See [the methodology](/methodology.html#benchmarks).",
					MainView:  "league",
					Changelog: []Change{{Version: "1.0.0", Date: "2026-10-01", Note: "First version."}, {Version: "1.2.0", Date: "2026-11-01", Note: "Daily view."}},
					Views: []View{
						{ID: "league", Kind: "league", Title: "Monthly success league", Header: []string{"rank", "party", "success_rate", "requests"},
							Rows:     [][]string{{"1", "", "0.9990", ""}, {"2", "", "0.9950", ""}, {"2", "", "0.9950", ""}, {"4", "", "0.9930", ""}, {"5", "", "0.9920", ""}, {"6", "Acme Energy, \"Retail\" Ltd", "0.9712", "48211"}, {"7", "", "0.9700", ""}},
							Chart:    Chart{Kind: "bar", X: "rank", Series: []string{"success_rate"}, Highlight: "party", Percent: true},
							Note:     "Ties share a rank.",
							Insights: []InsightRule{{Rule: "bottom_quartile", Column: "success_rate"}}},
						{ID: "daily", Kind: "daily", Title: "Daily success against industry", Header: []string{"date", "requests", "successes", "success_rate", "mean_rtt_ms", "industry_success_rate", "industry_mean_rtt_ms", "incidents"},
							Rows:  daily,
							Chart: Chart{Kind: "line", X: "date", Series: []string{"success_rate", "industry_success_rate"}, Percent: true, MarkDays: []string{"2026-10-07"}, Sample: "requests"}},
						{ID: "rtt", Kind: "rtt", Title: "Round trip time", Header: []string{"scope", "requests", "best_ms", "worst_ms", "mean_ms", "median_ms", "p95_ms"},
							Rows:      [][]string{{"you", "48211", "812", "61234", "4230", "3900", "9120"}, {"industry", "1204332", "640", "90001", "4410", "4010", "9800"}},
							Chart:     Chart{Kind: "bar", X: "scope", Series: []string{"best_ms", "mean_ms", "median_ms", "p95_ms", "worst_ms"}},
							Headlines: []Headline{{Label: "Median round trip time", Column: "median_ms", From: "scope"}}},
						{ID: "failures", Kind: "failures", Title: "Failures", Header: []string{"response_code", "failures"}, Empty: "No failed requests this month.",
							Chart: Chart{Kind: "table"}},
					},
				},
				{
					ID: "inventory", DefID: "inventory", Version: "1.0.0", Title: "Estate inventory", Category: "Estate",
					Description: "Your estate by model and firmware.",
					Views: []View{
						{ID: "firmware-share", Kind: "firmware_share", Title: "Firmware share", Header: []string{"device_model", "series", "firmware_version", "share"},
							Rows:     [][]string{{"M1", "you", "1.0", "0.6"}, {"M1", "you", "2.0", "0.4"}, {"M2", "you", "3.1", "1.0000"}},
							Chart:    Chart{Kind: "bar", X: "firmware_version", Series: []string{"share"}, SeriesFrom: "series", GroupBy: "device_model", Percent: true},
							Withheld: "Fewer than 5 other parties hold these models, so industry and peer shares are withheld."},
						{ID: "devices", Kind: "estate", Title: "All devices", File: gz, Note: "Every device of your estate."},
						{ID: "exceptions", Kind: "exceptions", Title: "Devices needing action", Header: []string{"device_id", "reason", "note"},
							Rows:      [][]string{{"00-11", "cpl-expiry", " leading space"}, {"00-12", "cert-expiry", "a,b"}, {"00-13", "cert-expiry", "say \"hi\"\nnext"}},
							Extra:     []ExtraColumn{{Name: "expires_on", Cells: []string{"2026-11-05", "2027-01-02", "2026-10-30"}}},
							Chart:     Chart{Kind: "table"},
							Headlines: []Headline{{Label: "Devices needing action", Column: "device_id", From: "distinct"}}},
					},
				},
			}},
			{Role: "GS", RoleName: "Gas Supplier", Reports: []Report{
				{ID: "alert-AD1", DefID: "alert", Version: "0.9.1", Title: "Alert AD1", Category: "Alerts", Description: "AD1 alerts.",
					Views: []View{{ID: "summary", Kind: "summary", Title: "Summary", Header: []string{"scope", "alerts", "delivered", "delivery_rate"},
						Rows:  [][]string{{"you", "10", "9", "0.9000"}, {"industry", "", "", ""}},
						Chart: Chart{Kind: "bar", X: "scope", Series: []string{"delivery_rate"}, Percent: true}, Withheld: "Industry figures withheld: fewer than 5 peers.",
						Headlines: []Headline{{Label: "Alert delivery rate", Column: "delivery_rate", From: "scope"}}}}},
			}},
		},
	}
}

// testColumns labels the test views' columns as the shipped catalogue does.
var testColumns = map[string]Column{
	"rank": {Label: "Rank", Format: "rank"}, "party": {Label: "Party", Format: "text"},
	"success_rate": {Label: "Success rate", Format: "percent", Better: "higher"}, "requests": {Label: "Requests", Format: "count"},
	"date": {Label: "Date", Format: "date"}, "successes": {Label: "Successful requests", Format: "count"},
	"mean_rtt_ms":           {Label: "Mean RTT (ms)", Format: "ms", Better: "lower"},
	"industry_success_rate": {Label: "Industry success rate", Format: "percent", Better: "higher"},
	"industry_mean_rtt_ms":  {Label: "Industry mean RTT (ms)", Format: "ms", Better: "lower"},
	"scope":                 {Label: "Scope", Format: "text"}, "best_ms": {Label: "Best (ms)", Format: "ms", Better: "lower"},
	"worst_ms": {Label: "Worst (ms)", Format: "ms", Better: "lower"}, "mean_ms": {Label: "Mean (ms)", Format: "ms", Better: "lower"},
	"median_ms": {Label: "Median (ms)", Format: "ms", Better: "lower"}, "p95_ms": {Label: "95th percentile (ms)", Format: "ms", Better: "lower"},
	"alerts": {Label: "Alerts", Format: "count"}, "delivered": {Label: "Delivered", Format: "count"},
	"delivery_rate": {Label: "Delivery rate", Format: "percent", Better: "higher"}, "share": {Label: "Share", Format: "percent"},
	"expires_on": {Label: "Expires on", Format: "date"}, "device_id": {Label: "Device", Format: "text"},
	"device_model": {Label: "Device model", Format: "text"}, "region": {Label: "Region", Format: "text"},
}

func two(d int) string { return fmt.Sprintf("%02d", d) }

func itoa(i int) string { return strconv.Itoa(i) }

func rate(a, b int) string { return strconv.FormatFloat(float64(a)/float64(b), 'f', 4, 64) }

// renderTest renders in into a fresh folder and returns the site root.
func renderTest(t *testing.T, in Input) (string, Stats) {
	t.Helper()
	tmp := t.TempDir()
	work := filepath.Join(tmp, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "site")
	o := shipped(t, work)
	o.OutDir, o.FeedbackEmail = out, "car-help@dcc.example"
	st, err := Render(in, o)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return out, st
}

var attrRe = regexp.MustCompile(`(?i)\s(?:href|src)\s*=\s*"([^"]*)"`)

func TestRenderSite(t *testing.T) {
	in := testInput(t)
	out, st := renderTest(t, in)
	t.Logf("render: %d pages, %d files, %d bytes in %v", st.Pages, st.Files, st.Bytes, st.Elapsed)
	if keep := os.Getenv("CARPORT_SITE_KEEP"); keep != "" {
		// For looking at the site by hand: CARPORT_SITE_KEEP=/tmp/x go test -run TestRenderSite
		if err := copyTree(os.DirFS(out), ".", keep, nil); err != nil {
			t.Fatal(err)
		}
	}

	for _, f := range []string{"index.html", "incidents.html", "about.html", "privacy.html", "help.html", "methodology.html",
		"glossary.html", "documents.html", "IS/srv-4.1.1.html", "IS/inventory.html", "GS/alert-AD1.html", "assets/echarts.min.js",
		"assets/site.js", "assets/site.css", "data/IS/srv-4.1.1/page.js", "data/IS/inventory/devices.csv.gz"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	ec, err := os.ReadFile(filepath.Join(repoDir(t), "third_party", "echarts", "echarts.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(out, "assets", "echarts.min.js"))
	if err != nil || !bytes.Equal(got, ec) {
		t.Errorf("assets/echarts.min.js is not a copy of the pinned file (err %v)", err)
	}
	if _, err := os.Stat(filepath.Join(out, ".hugo_build.lock")); err == nil {
		t.Error(".hugo_build.lock leaked into the site")
	}

	// Every CSV byte-exact.
	for _, r := range in.Roles {
		for _, rep := range r.Reports {
			for _, v := range rep.Views {
				if v.File != "" {
					continue
				}
				want, err := encodeCSV(v.Header, v.Rows)
				if err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(out, "data", r.Role, rep.ID, v.ID+".csv")
				got, err := os.ReadFile(p)
				if err != nil {
					t.Errorf("view CSV: %v", err)
					continue
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s:\ngot  %q\nwant %q", p, got, want)
				}
			}
		}
	}
	want, _ := os.ReadFile(in.Roles[0].Reports[1].Views[1].File)
	got, _ = os.ReadFile(filepath.Join(out, "data", "IS", "inventory", "devices.csv.gz"))
	if !bytes.Equal(got, want) {
		t.Errorf("devices.csv.gz not copied exactly")
	}

	// Links, hosts and machine paths in every page and script we wrote.
	abs := []string{repoDir(t), os.TempDir(), "/root", "/home/", "/work/"}
	pages := 0
	err = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, "echarts.min.js") || strings.HasSuffix(p, ".gz") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(b)
		rel, _ := filepath.Rel(out, p)
		for _, a := range abs {
			if strings.Contains(s, a) {
				t.Errorf("%s contains machine path %q", rel, a)
			}
		}
		if !strings.HasSuffix(p, ".html") {
			if strings.Contains(s, "http://") || strings.Contains(s, "https://") {
				t.Errorf("%s contains a web address", rel)
			}
			return nil
		}
		pages++
		if !strings.Contains(s, `http-equiv="Content-Security-Policy"`) {
			t.Errorf("%s has no CSP", rel)
		}
		for _, m := range attrRe.FindAllStringSubmatch(s, -1) {
			u := m[1]
			switch {
			case strings.HasPrefix(u, "mailto:"):
				continue
			case strings.HasPrefix(u, "#"):
				continue
			case strings.Contains(u, "://") || strings.HasPrefix(u, "//") || strings.HasPrefix(u, "/"):
				t.Errorf("%s: link %q is not relative", rel, u)
				continue
			}
			u = strings.SplitN(u, "#", 2)[0]
			target := filepath.Join(filepath.Dir(p), filepath.FromSlash(u))
			if !strings.HasPrefix(target, out+string(filepath.Separator)) {
				t.Errorf("%s: link %q leaves the site", rel, m[1])
				continue
			}
			if fi, err := os.Stat(target); err != nil || fi.IsDir() {
				t.Errorf("%s: link %q does not resolve to a file", rel, m[1])
			}
			if strings.HasSuffix(u, "/") {
				t.Errorf("%s: link %q does not name a file", rel, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != st.Pages || pages < 8 {
		t.Errorf("checked %d pages, stats say %d", pages, st.Pages)
	}

	idx := read(t, filepath.Join(out, "index.html"))
	for _, w := range []string{"Acme Energy, &#34;Retail&#34; Ltd", "ACME", "2026-10", "v0.3.0-test", "Import Supplier", "Gas Supplier",
		"Service requests", "Estate", `href="./IS/srv-4.1.1.html"`, "v1.2.0", `id="report-filter"`,
		// headlines: a time against industry, a count of the estate, a withheld industry figure
		"Median round trip time", "3,900 ms", "Level with industry (4,010 ms)", "mark-level",
		"Devices needing action", ">3<", "Alert delivery rate", "90.0%", "Industry figure withheld",
		// the call-out: rank 6 of 7 is in the bottom quarter
		`class="insight rule-bottom_quartile"`, `href="./IS/srv-4.1.1.html#view-league"`, "Rank 6 of 7",
		// the catalogue: one line of description, the main figure's badge with its reason
		"How your SRV 4.1.1 requests fared.", "main figure withheld", "Industry figures withheld: fewer than 5 peers.",
		// the finder searches view titles
		`data-search="alert ad1 alert-ad1 alerts gs gas supplier ad1 alerts. summary"`} {
		if !strings.Contains(idx, w) {
			t.Errorf("index.html lacks %q", w)
		}
	}
	// the league's own figure is published, so its report has no badge
	if strings.Count(idx, `class="badge" tabindex="0"`) != 2 {
		t.Errorf("index.html has %d withheld badges, want 2 (inventory and alert-AD1)", strings.Count(idx, `class="badge" tabindex="0"`))
	}
	rep := read(t, filepath.Join(out, "IS", "srv-4.1.1.html"))
	for _, w := range []string{"<strong>SRV 4.1.1</strong>", "<em>yours</em>", `href="../data/IS/srv-4.1.1/league.csv"`,
		`src="../data/IS/srv-4.1.1/page.js"`, `role="img"`, "Your success rate: 97.1%", "Incident days shaded: 2026-10-07", "Ties share a rank.",
		`href="../methodology.html#benchmarks"`, `<div class="table-slot" data-table="t-league">`,
		"No failed requests this month.", `id="changelog"`, "<strong>Version 1.2.0</strong>", "Request a change", "Report a problem", "Ask for help",
		`href="mailto:car-help@dcc.example?subject=Report%20a%20problem%3A%20srv-4.1.1%20v1.2.0%2C%20ACME%202026-10%2C%20whole%20report&amp;body=Party%3A%20Acme%20Energy%2C%20%22Retail%22%20Ltd%20%28ACME%29%0APeriod%3A%202026-10%0AReport%3A%20srv-4.1.1`} {
		if !strings.Contains(rep, w) {
			t.Errorf("srv-4.1.1.html lacks %q", w)
		}
	}
	// newest change first
	if strings.Index(rep, "Version 1.2.0") > strings.Index(rep, "Version 1.0.0") {
		t.Errorf("changelog is not newest first")
	}
	// no table body in the page: rows travel in the page's script
	if strings.Contains(rep, "<td>0.9990") || strings.Contains(rep, "48211") {
		t.Errorf("srv-4.1.1.html carries table rows")
	}
	inv := read(t, filepath.Join(out, "IS", "inventory.html"))
	for _, w := range []string{"Figures withheld.", "Fewer than 5 other parties hold these models", `href="../data/IS/inventory/devices.csv.gz"`,
		"Download devices.csv.gz (30 bytes)", "Device model M1", "Device model M2", `<div class="table-slot" data-table="t-exceptions">`} {
		if !strings.Contains(inv, w) {
			t.Errorf("inventory.html lacks %q", w)
		}
	}
	js := read(t, filepath.Join(out, "data", "IS", "srv-4.1.1", "page.js"))
	for _, w := range []string{`carport.view("c1-daily-0"`, `"markArea"`, `"xAxis":"2026-10-07 08:00:00"`, `"xAxis":"2026-10-07 14:30:00"`,
		`"format":"percent"`, `"type":"time"`, `"dataZoom"`, `["2026-10-11","-"]`, `"type":"log"`, `"formatter":"you"`,
		// the table's columns (labels and formats from the catalogue) and rows
		`carport.table("t-league", {"cols":[["rank","Rank","rank",1],["party","Party","text",0],["success_rate","Success rate","percent",1],`,
		`"own":"party"}, "rank,party,success_rate,requests\n1,,0.9990,\n`} {
		if !strings.Contains(js, w) {
			t.Errorf("page.js lacks %q", w)
		}
	}
	ex := read(t, filepath.Join(out, "data", "IS", "inventory", "page.js"))
	if !strings.Contains(ex, `["expires_on","Expires on","date",0]]}, "device_id,reason,note,expires_on\n00-11,cpl-expiry,\" leading space\",2026-11-05\n`) {
		t.Errorf("inventory page.js: the exception rows lack their expiry date:\n%s", ex)
	}
	gl := read(t, filepath.Join(out, "glossary.html"))
	for _, w := range []string{"<code>E21</code>", "No response from the device.", "Response codes", "Pre-Payment Meter Interface Device"} {
		if !strings.Contains(gl, w) {
			t.Errorf("glossary.html lacks %q", w)
		}
	}
	meth := read(t, filepath.Join(out, "methodology.html"))
	for _, w := range []string{`id="benchmarks"`, `id="insights"`, "worst\n25%", "at least\n2 percentage points", "fewer than 1050"} {
		if !strings.Contains(meth, w) {
			t.Errorf("methodology.html lacks %q", w)
		}
	}
	about := read(t, filepath.Join(out, "about.html"))
	for _, w := range []string{"at least\n<strong>5</strong>", "nearest-rank", "including you"} {
		if !strings.Contains(about, w) {
			t.Errorf("about.html lacks %q", w)
		}
	}
	help := read(t, filepath.Join(out, "help.html"))
	if !strings.Contains(help, `href="mailto:car-help@dcc.example?subject=`) {
		t.Errorf("help.html has no feedback mailto link")
	}
	incs := read(t, filepath.Join(out, "incidents.html"))
	for _, w := range []string{"Delayed responses in the North region", "2026-10-07 08:00 BST", "2026-10-07 14:30 BST", "UK time (Europe/London)"} {
		if !strings.Contains(incs, w) {
			t.Errorf("incidents.html lacks %q", w)
		}
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRenderTwice renders two sites in one process: each call must build
// with a fresh HugoSites and give the same pages.
func TestRenderTwice(t *testing.T) {
	in := testInput(t)
	a, st1 := renderTest(t, in)
	b, st2 := renderTest(t, in)
	t.Logf("first render %v, second %v (%d pages, %d files, %d bytes)", st1.Elapsed, st2.Elapsed, st2.Pages, st2.Files, st2.Bytes)
	if st1.Files != st2.Files || st1.Bytes != st2.Bytes || st1.Pages != st2.Pages {
		t.Errorf("renders differ: %+v vs %+v", st1, st2)
	}
	for _, f := range []string{"index.html", "IS/srv-4.1.1.html", "data/IS/srv-4.1.1/page.js"} {
		if read(t, filepath.Join(a, f)) != read(t, filepath.Join(b, f)) {
			t.Errorf("%s differs between renders", f)
		}
	}
}

func TestRenderRejects(t *testing.T) {
	base := func(t *testing.T) Options {
		return shipped(t, t.TempDir())
	}
	tests := []struct {
		name string
		edit func(in *Input, o *Options)
		want string
	}{
		{"unsafe report id", func(in *Input, o *Options) { in.Roles[0].Reports[0].ID = "../x" }, `report id "../x" is not a safe id`},
		{"unsafe view id", func(in *Input, o *Options) { in.Roles[0].Reports[0].Views[0].ID = "a/b" }, `view id "a/b" is not a safe id`},
		{"duplicate role", func(in *Input, o *Options) { in.Roles[1].Role = "IS" }, "role IS listed twice"},
		{"short row", func(in *Input, o *Options) {
			v := &in.Roles[0].Reports[0].Views[2]
			v.Rows = append(v.Rows, []string{"x"})
		}, "view rtt: row 3 has 1 cells, header has 7"},
		{"unknown chart column", func(in *Input, o *Options) { in.Roles[0].Reports[0].Views[0].Chart.X = "nope" }, `chart x column "nope" is not in the header`},
		{"chart kind", func(in *Input, o *Options) { in.Roles[0].Reports[0].Views[0].Chart.Kind = "pie" }, `chart kind "pie", want bar, line or table`},
		{"bad email", func(in *Input, o *Options) { o.FeedbackEmail = "a@b?subject=x" }, "is not a plain address"},
		{"out dir not empty", func(in *Input, o *Options) {
			_ = os.MkdirAll(o.OutDir, 0o700)
			_ = os.WriteFile(filepath.Join(o.OutDir, "x"), nil, 0o600)
		}, "is not empty"},
		{"no k", func(in *Input, o *Options) { in.MinPeers = 0 }, "minimum peers k = 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := testInput(t)
			o := base(t)
			tc.edit(&in, &o)
			_, err := Render(in, o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Render error = %v, want it to contain %q", err, tc.want)
			}
			if tc.name != "out dir not empty" {
				if _, err := os.Stat(o.OutDir); err == nil {
					t.Errorf("failed render left %s behind", o.OutDir)
				}
			}
		})
	}
}

// TestDocumentsByRole renders the same party with documents for its
// import role and for distributors only: the distributors' file neither
// reaches the site nor is listed; adding the role brings both.
func TestDocumentsByRole(t *testing.T) {
	content := filepath.Join(t.TempDir(), "content")
	if err := copyTree(os.DirFS(filepath.Join(repoDir(t), "content")), ".", content, map[string]bool{documentsDir: true}); err != nil {
		t.Fatal(err)
	}
	docs := filepath.Join(content, documentsDir)
	files := map[string]string{
		"documents.toml": `schema_version = 1
[[document]]
file = "guide.pdf"
title = "Reading your reports"
description = "A *short* guide."
roles = ["IS", "GS"]

[[document]]
file = "outages.csv"
title = "Outage codes"
roles = ["ED"]
`,
		"guide.pdf":   "%PDF-1.4\n% a tiny test file\n",
		"outages.csv": "code,name\nAD1,Power Outage Alert\n",
	}
	if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(docs, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	render := func(in Input) string {
		t.Helper()
		tmp := t.TempDir()
		out := filepath.Join(tmp, "site")
		o := shipped(t, tmp)
		o.Content, o.ContentName, o.OutDir = os.DirFS(content), content, out
		if _, err := Render(in, o); err != nil {
			t.Fatalf("Render: %v", err)
		}
		return out
	}
	in := testInput(t) // IS and GS
	out := render(in)
	page := read(t, filepath.Join(out, "documents.html"))
	for _, w := range []string{"Reading your reports", "<em>short</em>", `href="./documents/guide.pdf"`, "PDF, 28 bytes", "for IS, GS"} {
		if !strings.Contains(page, w) {
			t.Errorf("documents.html lacks %q", w)
		}
	}
	if strings.Contains(page, "Outage codes") {
		t.Errorf("an IS and GS party's documents page lists the distributors' file")
	}
	if b, err := os.ReadFile(filepath.Join(out, "documents", "guide.pdf")); err != nil || string(b) != files["guide.pdf"] {
		t.Errorf("guide.pdf not copied exactly: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "documents", "outages.csv")); err == nil {
		t.Errorf("the distributors' file reached an IS and GS party's site")
	}
	if _, err := os.Stat(filepath.Join(out, "documents.toml")); err == nil {
		t.Errorf("documents.toml reached the site")
	}

	in.Roles = append(in.Roles, RoleInput{Role: "ED", RoleName: "Electricity Distributor"})
	out = render(in)
	page = read(t, filepath.Join(out, "documents.html"))
	if !strings.Contains(page, "Outage codes") || !strings.Contains(page, `href="./documents/outages.csv"`) {
		t.Errorf("a distributor's documents page lacks its file")
	}
	if _, err := os.Stat(filepath.Join(out, "documents", "outages.csv")); err != nil {
		t.Errorf("the distributors' file is missing: %v", err)
	}

	// an undescribed file stops the render, naming it
	if err := os.WriteFile(filepath.Join(docs, "stray.csv"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	o := shipped(t, tmp)
	o.Content, o.ContentName, o.OutDir = os.DirFS(content), content, filepath.Join(tmp, "site")
	_, err := Render(testInput(t), o)
	if err == nil || !strings.Contains(err.Error(), "stray.csv: not listed in documents.toml") {
		t.Errorf("render with an undescribed document: %v", err)
	}
}
