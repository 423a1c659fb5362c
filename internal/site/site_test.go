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
)

// repoDir is the repository root (templates/, content/, node_modules/).
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
		Incidents: []Incident{{
			ID: "INC-0042", Category: 2, Start: "2026-10-07T08:00:00+01:00", End: "2026-10-07T14:30:00+01:00",
			Regions: "North;South", Title: "Delayed responses in the North region", Dates: []string{"2026-10-07"},
		}},
		Roles: []RoleInput{
			{Role: "IS", RoleName: "Import Supplier", Reports: []Report{
				{
					ID: "srv-4.1.1", DefID: "srv", Version: "1.2.0", Title: "SRV 4.1.1 Read instantaneous import registers",
					Category: "Service requests", Description: "How your **SRV 4.1.1** requests fared.",
					Help: "Each bar is one party; *yours* is highlighted.",
					Views: []View{
						{ID: "league", Title: "Monthly success league", Header: []string{"rank", "party", "success_rate", "requests"},
							Rows:  [][]string{{"1", "", "0.9990", ""}, {"2", "", "0.9950", ""}, {"2", "", "0.9950", ""}, {"4", "Acme Energy, \"Retail\" Ltd", "0.9912", "48211"}, {"5", "", "0.9800", ""}, {"6", "", "0.9700", ""}},
							Chart: Chart{Kind: "bar", X: "rank", Series: []string{"success_rate"}, Highlight: "party", Percent: true},
							Note:  "Ties share a rank."},
						{ID: "daily", Title: "Daily success against industry", Header: []string{"date", "requests", "successes", "success_rate", "mean_rtt_ms", "industry_success_rate", "industry_mean_rtt_ms", "incidents"},
							Rows:  daily,
							Chart: Chart{Kind: "line", X: "date", Series: []string{"success_rate", "industry_success_rate"}, Percent: true, MarkDays: []string{"2026-10-07"}}},
						{ID: "rtt", Title: "Round trip time", Header: []string{"scope", "requests", "best_ms", "worst_ms", "mean_ms", "median_ms", "p95_ms"},
							Rows:  [][]string{{"you", "48211", "812", "61234", "4230", "3900", "9120"}, {"industry", "1204332", "640", "90001", "4410", "4010", "9800"}},
							Chart: Chart{Kind: "bar", X: "scope", Series: []string{"mean_ms", "median_ms", "p95_ms"}}},
					},
				},
				{
					ID: "inventory", DefID: "inventory", Version: "1.0.0", Title: "Estate inventory", Category: "Estate",
					Description: "Your estate by model and firmware.",
					Views: []View{
						{ID: "firmware-share", Title: "Firmware share", Header: []string{"device_model", "series", "firmware_version", "share"},
							Rows:     [][]string{{"M1", "you", "1.0", "0.6"}, {"M1", "you", "2.0", "0.4"}, {"M2", "you", "3.1", "1.0000"}},
							Chart:    Chart{Kind: "bar", X: "firmware_version", Series: []string{"share"}, SeriesFrom: "series", GroupBy: "device_model", Percent: true},
							Withheld: "Fewer than 5 other parties hold these models, so industry and peer shares are withheld."},
						{ID: "devices", Title: "All devices", File: gz, Note: "Every device of your estate."},
						{ID: "exceptions", Title: "Devices needing action", Header: []string{"device_id", "reason", "note"},
							Rows:  [][]string{{"00-11", "cpl-expiry", " leading space"}, {"00-12", "cert-expiry", "a,b"}, {"00-13", "cert-expiry", "say \"hi\"\nnext"}},
							Chart: Chart{Kind: "table"}},
					},
				},
			}},
			{Role: "GS", RoleName: "Gas Supplier", Reports: []Report{
				{ID: "alert-AD1", DefID: "alert", Version: "0.9.1", Title: "Alert AD1", Category: "Alerts", Description: "AD1 alerts.",
					Views: []View{{ID: "summary", Title: "Summary", Header: []string{"scope", "alerts", "delivered", "delivery_rate"},
						Rows:  [][]string{{"you", "10", "9", "0.9000"}, {"industry", "", "", ""}},
						Chart: Chart{Kind: "bar", X: "scope", Series: []string{"delivery_rate"}, Percent: true}, Withheld: "Industry figures withheld: fewer than 5 peers."}}},
			}},
		},
	}
}

func two(d int) string { return fmt.Sprintf("%02d", d) }

func itoa(i int) string { return strconv.Itoa(i) }

func rate(a, b int) string { return strconv.FormatFloat(float64(a)/float64(b), 'f', 4, 64) }

// renderTest renders in into a fresh folder and returns the site root.
func renderTest(t *testing.T, in Input) (string, Stats) {
	t.Helper()
	root := repoDir(t)
	tmp := t.TempDir()
	work := filepath.Join(tmp, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "site")
	st, err := Render(in, Options{
		TemplatesDir:  filepath.Join(root, "templates"),
		ContentDir:    filepath.Join(root, "content"),
		EChartsJS:     filepath.Join(root, "node_modules", "echarts", "dist", "echarts.min.js"),
		WorkDir:       work,
		OutDir:        out,
		FeedbackEmail: "car-help@dcc.example",
	})
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
		if err := copyTree(out, keep); err != nil {
			t.Fatal(err)
		}
	}

	for _, f := range []string{"index.html", "incidents.html", "about.html", "privacy.html", "help.html",
		"IS/srv-4.1.1.html", "IS/inventory.html", "GS/alert-AD1.html", "assets/echarts.min.js", "assets/site.js", "assets/site.css",
		"data/IS/srv-4.1.1/league.js", "data/IS/inventory/devices.csv.gz"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	ec, err := os.ReadFile(filepath.Join(repoDir(t), "node_modules", "echarts", "dist", "echarts.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(out, "assets", "echarts.min.js"))
	if err != nil || !bytes.Equal(got, ec) {
		t.Errorf("assets/echarts.min.js is not a copy of the npm file (err %v)", err)
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
		"Service requests", "Estate", `href="./IS/srv-4.1.1.html"`, "v1.2.0", "figures withheld", `id="report-filter"`, "Some figures were withheld"} {
		if !strings.Contains(idx, w) {
			t.Errorf("index.html lacks %q", w)
		}
	}
	rep := read(t, filepath.Join(out, "IS", "srv-4.1.1.html"))
	for _, w := range []string{"<strong>SRV 4.1.1</strong>", "<em>yours</em>", `class="own"`, `href="../data/IS/srv-4.1.1/league.csv"`,
		`src="../data/IS/srv-4.1.1/daily.js"`, `role="img"`, "Your success_rate: 99.12%", "Incident days marked: 2026-10-07", "Ties share a rank."} {
		if !strings.Contains(rep, w) {
			t.Errorf("srv-4.1.1.html lacks %q", w)
		}
	}
	inv := read(t, filepath.Join(out, "IS", "inventory.html"))
	for _, w := range []string{"Figures withheld.", "Fewer than 5 other parties hold these models", `href="../data/IS/inventory/devices.csv.gz"`, "device_model M1", "device_model M2"} {
		if !strings.Contains(inv, w) {
			t.Errorf("inventory.html lacks %q", w)
		}
	}
	js := read(t, filepath.Join(out, "data", "IS", "srv-4.1.1", "daily.js"))
	for _, w := range []string{`carport.view("c1-daily-0"`, `"markLine"`, `"xAxis":"2026-10-07"`, `"percent":true`} {
		if !strings.Contains(js, w) {
			t.Errorf("daily.js lacks %q", w)
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
	if !strings.Contains(incs, "Delayed responses in the North region") {
		t.Errorf("incidents.html lacks the incident")
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
	for _, f := range []string{"index.html", "IS/srv-4.1.1.html", "data/IS/srv-4.1.1/league.js"} {
		if read(t, filepath.Join(a, f)) != read(t, filepath.Join(b, f)) {
			t.Errorf("%s differs between renders", f)
		}
	}
}

func TestRenderRejects(t *testing.T) {
	root := repoDir(t)
	base := func(t *testing.T) Options {
		tmp := t.TempDir()
		return Options{
			TemplatesDir: filepath.Join(root, "templates"),
			ContentDir:   filepath.Join(root, "content"),
			EChartsJS:    filepath.Join(root, "node_modules", "echarts", "dist", "echarts.min.js"),
			WorkDir:      tmp,
			OutDir:       filepath.Join(tmp, "out"),
		}
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
