package runreport

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	carport "github.com/dcc/carport"

	"github.com/dcc/carport/internal/chromium"
)

// sampleReport is a run report with every part filled: a bad row whose
// example carries markup, an uncatalogued code, withheld views, a kept
// party and the change since last month.
func sampleReport() *Report {
	pct := 4.2
	return &Report{Generator: "9.9.9", Period: "2026-10", Parties: []string{"SUPA", "DNOA"}, Kept: []string{"SUPB"},
		Quality: []Quality{
			{File: "service_requests.csv", Bytes: 2_000_000, Rows: 10_000, Bad: 2, ByReason: map[string]int64{"bad outcome": 2},
				Examples: []string{`service_requests.csv:7: outcome "<script>alert(1)</script>" is not success or failure`}},
			{File: "alerts.csv", Bytes: 3_000_000, Rows: 12_000, OutsidePeriod: 900},
		},
		Uncatalogued: []Gap{{Dataset: "alerts", Code: "N99", Rows: 12}},
		Stages:       []Stage{{Name: "service requests", Rows: 10_000, Seconds: 0.2}, {Name: "render sites", Seconds: 3.5}},
		Bundles: []Audit{{Party: "SUPA", Bytes: 2_500_000, ZipBytes: 2_400_000, ZipSHA256: strings.Repeat("a", 64), AuditFiles: 900},
			{Party: "DNOA", Bytes: 900_000, ZipBytes: 880_000, ZipSHA256: strings.Repeat("b", 64), AuditFiles: 300}},
		Withheld: []Withheld{{View: View{Role: "ED", Definition: "srv", Report: "srv-4.1.1", View: "league"}, Parties: []string{"DNOA"}},
			{View: View{Role: "ED", Definition: "srv", Report: "srv-4.6.1", View: "league"}, Parties: []string{"DNOA"}},
			{View: View{Role: "IS", Definition: "alerts-all", Report: "alerts-all", View: "trend"}, Parties: []string{"SUPA"}}},
		WithheldViews: 3, HistoryMonths: []string{"2026-08", "2026-09"},
		Change: &Change{Period: "2026-09", Added: []string{"DNOA"}, Gone: []string{"OLDP"},
			Rows: []RowChange{{File: "service_requests.csv", Rows: 10_000, Previous: 9_597, Percent: &pct}, {File: "alerts.csv", Rows: 12_000}}},
		Seconds: 12.5}
}

func echartsJS(t *testing.T) []byte {
	t.Helper()
	fsys, name, err := carport.ECharts("")
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPageShowsEveryPartEscaped(t *testing.T) {
	page, err := sampleReport().HTML([]byte("/* echarts */"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{
		"Run report: 2026-10", "DCC only",
		`<span class="n" id="n-parties">2</span>`, "1 kept from the published period",
		"3.4 MB", // bundles, 2.5 + 0.9 MB
		"22,000", // rows read
		"N99", "Trends drew on 2026-08, 2026-09.",
		"Parties added: <span class=\"mono\">DNOA</span>", "OLDP", "&#43;4.2%", ">new<", // html/template writes + as &#43;
		`<td class="mono">srv</td><td class="num">2</td><td class="num">2</td><td class="mono">DNOA</td>`,
		"render sites", "3.50 s",
		`default-src 'none'`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(s, "<script>alert(1)") || !strings.Contains(s, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("a bad row's example reached the page unescaped")
	}
	if _, err := sampleReport().HTML([]byte("x</script><script>y")); err == nil {
		t.Error("a script holding </script was inlined")
	}
}

// The run report opens from disk in headless Chromium with every chart
// drawn, no console error and no request leaving the file.
func TestPageOpensFromDisk(t *testing.T) {
	dir := t.TempDir()
	page, err := sampleReport().HTML(echartsJS(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "2026-10.run.html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("run.html: %d bytes", len(page))
	p := chromium.Open(t, 2*time.Minute)
	if err := chromedp.Do(p.Ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate("file://"+filepath.ToSlash(path))); err != nil {
		t.Fatal(err)
	}
	var charts map[string]int
	deadline := time.Now().Add(20 * time.Second)
	for {
		raw, err := chromedp.Run(p.Ctx, chromedp.Evaluate[json.RawMessage](`(() => {
			const out = {};
			document.querySelectorAll(".chart").forEach(el => {
				const c = window.echarts && echarts.getInstanceByDom(el);
				out[el.id] = c ? c.getOption().series.reduce((n, s) => n + s.data.length, 0) : -1;
			});
			return out; })()`))
		if err == nil && json.Unmarshal(raw, &charts) == nil && len(charts) == 4 && charts["chart-stages"] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("charts not drawn: %v (%v)", charts, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// bundles: 2 parties; stages: 2; rows: 2 files × this and last month; withheld: 2 roles
	want := map[string]int{"chart-bundles": 2, "chart-stages": 2, "chart-rows": 4, "chart-withheld": 2}
	for id, n := range want {
		if charts[id] != n {
			t.Errorf("%s draws %d points, want %d", id, charts[id], n)
		}
	}
	png, err := chromedp.Run(p.Ctx, chromedp.FullScreenshot(90))
	if err == nil {
		shot := filepath.Join(t.ArtifactDir(), "run-report.png")
		if os.WriteFile(shot, png, 0o644) == nil {
			t.Logf("screenshot: %s", shot)
		}
	}
	p.Check(t, 1, []string{dir})
}
