package site

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dcc/carport/internal/chromium"
	"github.com/dcc/carport/internal/csvcell"
)

// session is headless Chromium reading one rendered site from disk; its
// page notes every console error, exception and request.
type session struct {
	*chromium.Page
	t    *testing.T
	ctx  context.Context
	root string
	// downloads is where the tab saves downloads
	downloads string
}

func newSession(t *testing.T, root string) *session {
	t.Helper()
	p := chromium.Open(t, 60*time.Second)
	return &session{Page: p, t: t, ctx: p.Ctx, root: root, downloads: p.Downloads}
}

func (s *session) open(rel string) {
	s.t.Helper()
	u := "file://" + filepath.ToSlash(filepath.Join(s.root, rel))
	if err := chromedp.Do(s.ctx, chromedp.EmulateViewport(1200, 900), chromedp.Navigate(u)); err != nil {
		s.t.Fatalf("opening %s: %v", rel, err)
	}
	waitJS(s.t, s.ctx, `document.readyState === "complete" && document.documentElement.classList.contains("js")`)
}

func (s *session) eval(expr string, v any) {
	s.t.Helper()
	raw, err := chromedp.Run(s.ctx, chromedp.Evaluate[json.RawMessage](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("evaluating %s: %v", expr, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		s.t.Fatalf("decoding %s: %v", raw, err)
	}
}

func (s *session) click(sel string) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		s.t.Fatalf("clicking %s: %v", sel, err)
	}
}

// blob clicks the download button of table and returns the text of the
// Blob it makes.
func (s *session) blob(table string) string {
	s.t.Helper()
	var text string
	s.eval(fmt.Sprintf(`new Promise(resolve => {
		const orig = URL.createObjectURL;
		URL.createObjectURL = function (b) { URL.createObjectURL = orig; b.text().then(resolve); return orig.call(URL, b); };
		document.querySelector('button.dl[data-table="%s"]').click();
	})`, table), &text)
	return text
}

// col returns the text of column c of the rows table shows.
func (s *session) col(table string, c int) []string {
	s.t.Helper()
	var v []string
	s.eval(fmt.Sprintf(`Array.from(document.querySelectorAll("#%s tbody tr")).map(r => r.cells[%d].textContent)`, table, c), &v)
	return v
}

// finish fails on every console error and every request outside the site.
// finish fails on every console error and every request outside the site.
func (s *session) finish(minFiles int) {
	s.t.Helper()
	s.Check(s.t, minFiles, []string{s.root})
}

// TestBrowser opens the rendered site from disk in headless Chromium and
// uses it as a reader would: charts drawn, tables sorted, filtered and
// formatted, filtered rows downloaded, legends toggled, feedback links
// written per view, and nothing fetched from the network.
func TestBrowser(t *testing.T) {
	in := testInput(t)
	out, _ := renderTest(t, in)
	s := newSession(t, out)
	const chartState = `Array.from(document.querySelectorAll("div.chart")).map(el => {
		const c = echarts.getInstanceByDom(el);
		const cv = el.querySelector("canvas");
		return {id: el.id, inst: !!c, canvas: !!cv && cv.width > 0, series: c ? c.getOption().series.length : 0};
	})`
	type chartInfo struct {
		ID     string `json:"id"`
		Inst   bool   `json:"inst"`
		Canvas bool   `json:"canvas"`
		Series int    `json:"series"`
	}
	checkCharts := func(page string, want int) {
		t.Helper()
		var cs []chartInfo
		s.eval(chartState, &cs)
		if len(cs) != want {
			t.Errorf("%s: %d chart divs, want %d", page, len(cs), want)
		}
		for _, c := range cs {
			if !c.Inst || !c.Canvas || c.Series == 0 {
				t.Errorf("%s: chart %s not drawn: %+v", page, c.ID, c)
			}
		}
	}

	// Home page: the report finder; the withheld badge explains itself on focus.
	s.open("index.html")
	if err := chromedp.Do(s.ctx, chromedp.SendKeys(chromedp.CSS("#report-filter"), "alert")); err != nil {
		t.Fatal(err)
	}
	var visible []string
	s.eval(`Array.from(document.querySelectorAll("li[data-search]")).filter(li => !li.hidden).map(li => li.querySelector("a").textContent)`, &visible)
	if len(visible) != 1 || visible[0] != "Alert AD1" {
		t.Errorf("finder with \"alert\" shows %q, want [Alert AD1]", visible)
	}
	var tip string
	s.eval(`(() => { const b = document.querySelector("li[data-search]:not([hidden]) .badge"); b.focus(); return getComputedStyle(b.querySelector(".tip")).display; })()`, &tip)
	if tip != "block" {
		t.Errorf("focused withheld badge shows its reason with display %q, want block", tip)
	}

	// Report page: charts, labels and formats, sort, filter, download.
	s.open("IS/srv-4.1.1.html")
	checkCharts("srv-4.1.1", 3)
	var heads []string
	s.eval(`Array.from(document.querySelectorAll("#t-league th")).map(th => th.textContent)`, &heads)
	if strings.Join(heads, "|") != "Rank|Party|Success rate|Requests" {
		t.Errorf("league headings %q", heads)
	}
	s.click("#t-league th:nth-child(3) button")
	asc := s.col("t-league", 2)
	if !sort.SliceIsSorted(asc, func(i, j int) bool { return pct(t, asc[i]) < pct(t, asc[j]) }) || asc[0] != "97.0%" {
		t.Errorf("league sorted ascending by success rate: %q", asc)
	}
	if own := s.col("t-league", 3); !slicesContain(own, "48,211") {
		t.Errorf("own row's requests not shown with a thousands separator: %q", own)
	}
	s.click("#t-league th:nth-child(1) button")
	s.click("#t-league th:nth-child(1) button")
	if got := strings.Join(s.col("t-league", 0), ","); got != "7,6,5,4,2,2,1" {
		t.Errorf("league sorted descending by rank: %s", got)
	}
	// Text sort on dates, descending.
	s.click("#t-daily th:nth-child(1) button")
	s.click("#t-daily th:nth-child(1) button")
	if got := s.col("t-daily", 0); len(got) != 10 || got[0] != "2026-10-10" || got[9] != "2026-10-01" {
		t.Errorf("daily sorted descending by date: %q", got)
	}
	// the first three days rest on fewer than 1050 requests: small samples
	var small []string
	s.eval(`Array.from(document.querySelectorAll("#t-daily tr.small")).filter(tr => tr.querySelector(".small-tag")).map(tr => tr.cells[0].textContent)`, &small)
	if strings.Join(small, ",") != "2026-10-03,2026-10-02,2026-10-01" {
		t.Errorf("daily rows marked as small samples: %q, want the first three days", small)
	}

	// Filter, then download what matches: the Blob's text, and the file
	// Chromium saved from the blob: link.
	if err := chromedp.Do(s.ctx, chromedp.SendKeys(chromedp.CSS(`input[data-table="t-daily"]`), "inc-0042")); err != nil {
		t.Fatal(err)
	}
	if got := s.col("t-daily", 0); len(got) != 1 || got[0] != "2026-10-07" {
		t.Errorf("filter inc-0042 shows %q, want [2026-10-07]", got)
	}
	daily := in.Roles[0].Reports[0].Views[1]
	want, err := encodeCSV(daily.Header, [][]string{daily.Rows[6]})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.blob("t-daily"); got != string(want) {
		t.Errorf("filtered CSV blob:\ngot  %q\nwant %q", got, want)
	}
	saved := waitFile(t, filepath.Join(s.downloads, "daily-filtered.csv"))
	if saved != string(want) {
		t.Errorf("downloaded daily-filtered.csv:\ngot  %q\nwant %q", saved, want)
	}

	// Legend buttons hide and show a series, from the keyboard too.
	var hidden bool
	s.eval(`(() => { const b = document.querySelectorAll("#view-daily .legend-item")[1]; b.focus(); b.click();
		const o = echarts.getInstanceByDom(document.querySelector("#view-daily .chart")).getOption();
		return b.getAttribute("aria-pressed") === "false" && o.legend[0].selected[b.textContent] === false; })()`, &hidden)
	if !hidden {
		t.Errorf("the industry legend button did not hide its series")
	}
	// Feedback links under each view name that view.
	var links []string
	s.eval(`Array.from(document.querySelectorAll("#view-league .feedback-view a")).map(a => decodeURIComponent(a.getAttribute("href")))`, &links)
	if len(links) != 3 || !strings.Contains(links[1], "Report a problem: srv-4.1.1 v1.2.0, ACME 2026-10, view league (Monthly success league)") ||
		!strings.Contains(links[1], "View: view league (Monthly success league)") || !strings.HasPrefix(links[0], "mailto:car-help@dcc.example?") {
		t.Errorf("league feedback links: %q", links)
	}
	// Tooltips use inline styles: hover a bar and make sure the CSP lets
	// it show (a blocked style would also be a console problem, checked by
	// finish). The tooltip is the chart's element beside its canvas layer.
	var tooltip string
	s.eval(`new Promise(r => { const el = document.getElementById("c0-league-0"); const c = echarts.getInstanceByDom(el);
		c.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 3});
		let n = 0;
		const poll = () => {
			const t = Array.from(el.children).slice(1).find(d => { const cs = getComputedStyle(d); return cs.display !== "none" && cs.visibility !== "hidden" && cs.opacity !== "0" && d.textContent.trim() !== ""; });
			if (t) r(t.textContent.replace(/\s+/g, " ").trim()); else if (++n > 250) r(""); else setTimeout(poll, 20);
		};
		poll(); })`, &tooltip)
	if tooltip == "" || !strings.Contains(tooltip, "%") {
		t.Errorf("hovering a league bar showed no tooltip with its rate (tooltip text %q)", tooltip)
	}

	// Inventory: grouped charts; the table with awkward cells and an
	// expiry column beside the CSV's downloads exactly as shown.
	s.open("IS/inventory.html")
	checkCharts("inventory", 2)
	ex := in.Roles[0].Reports[1].Views[2]
	rows := make([][]string, len(ex.Rows))
	for i, r := range ex.Rows {
		rows[i] = append(append([]string{}, r...), ex.Extra[0].Cells[i])
	}
	want, err = encodeCSV(append(append([]string{}, ex.Header...), "expires_on"), rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.blob("t-exceptions"); got != string(want) {
		t.Errorf("exceptions table as CSV:\ngot  %q\nwant %q", got, want)
	}

	s.open("GS/alert-AD1.html")
	checkCharts("alert-AD1", 1)
	for _, p := range []string{"incidents.html", "about.html", "privacy.html", "help.html", "methodology.html", "glossary.html", "documents.html"} {
		s.open(p)
	}

	// Screenshot of a report page, for a human to look at.
	s.open("IS/srv-4.1.1.html")
	png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "report.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	s.finish(10)
}

// TestDownloadNeutralisesFormulas downloads a table whose text cells a
// spreadsheet would run as formulas: each gets a leading ', while the
// numbers of a numeric column, negative ones included, stay numbers.
func TestDownloadNeutralisesFormulas(t *testing.T) {
	in := testInput(t)
	header := []string{"note", "delta"}
	cells := [][]string{
		{`=HYPERLINK("http://x")`, "-3.5"},
		{"+SUM(A1:A2)", "2"},
		{"@cmd", "-0.25"},
		{"-2+3", "10"},
		{"\tTAB", "0"},
		{"\rCR", "1e3"},
		{"plain, text", "7"},
	}
	in.Roles[0].Reports[0].Views = append(in.Roles[0].Reports[0].Views, View{ID: "notes", Kind: "svp", Title: "Notes",
		Header: header, Rows: cells, Chart: Chart{Kind: "table"}})
	out, _ := renderTest(t, in)
	s := newSession(t, out)
	s.open("IS/srv-4.1.1.html")
	got := s.blob("t-notes")
	want := "note,delta\n" +
		`"'=HYPERLINK(""http://x"")",-3.5` + "\n" +
		"'+SUM(A1:A2),2\n" +
		"'@cmd,-0.25\n" +
		"'-2+3,10\n" +
		"'\tTAB,0\n" +
		"\"'\rCR\",1e3\n" +
		"\"plain, text\",7\n"
	if got != want {
		t.Errorf("download:\ngot  %q\nwant %q", got, want)
	}
	// the table shows the view's CSV cells, neutralised once at the
	// source: the download does not neutralise them a second time
	if c := s.col("t-notes", 0); len(c) != 7 || c[0] != `'=HYPERLINK("http://x")` {
		t.Errorf("table shows %q", c)
	}
	// the browser's rule itself, on raw cells: csvcell's rule
	var raw []string
	s.eval(`[`+"`=HYPERLINK(\"http://x\")`"+`, "+1", "-3.5", "-2+3", "@x", "\tT", "\rC", "1e3", "-1e3", "'=x", "plain"].map(carport.safeCell)`, &raw)
	wantRaw := []string{`'=HYPERLINK("http://x")`, "'+1", "-3.5", "'-2+3", "'@x", "'\tT", "'\rC", "1e3", "'-1e3", "'=x", "plain"}
	if !slices.Equal(raw, wantRaw) {
		t.Errorf("carport.safeCell:\ngot  %q\nwant %q", raw, wantRaw)
	}
	for i, c := range []string{`=HYPERLINK("http://x")`, "+1", "-3.5", "-2+3", "@x", "\tT", "\rC", "1e3", "-1e3", "'=x", "plain"} {
		if g := csvcell.Neutralise(c); g != wantRaw[i] {
			t.Errorf("csvcell.Neutralise(%q) = %q, the browser gives %q", c, g, wantRaw[i])
		}
	}
	s.finish(4)
}

func slicesContain(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pct reads "97.0%".
func pct(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		t.Fatalf("not a percentage: %q", s)
	}
	return f
}

// waitJS polls a boolean expression until it is true (at most 10 s).
func waitJS(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", expr)
}

// waitFile waits for a completed download and returns its text.
func waitFile(t *testing.T, p string) string {
	t.Helper()
	for i := 0; i < 200; i++ {
		if b, err := os.ReadFile(p); err == nil && len(b) > 0 {
			return string(b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	t.Fatalf("download %s never appeared; folder has %q", filepath.Base(p), names)
	return ""
}
