package site

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// TestBrowser opens the rendered site from disk in headless Chromium and
// uses it as a reader would: charts drawn, tables sorted and filtered,
// filtered rows downloaded, and nothing fetched from the network.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("headless Chromium is needed at %s (Debian package chromium): %v", chromiumPath, err)
	}
	in := testInput(t)
	out, _ := renderTest(t, in)
	downloads := t.TempDir()

	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The whole browser session, start included, gets 60 s.
	deadline := time.AfterFunc(60*time.Second, cancel)
	defer deadline.Stop()

	var mu sync.Mutex
	var problems []string
	var requests []string
	note := func(s string) { mu.Lock(); problems = append(problems, s); mu.Unlock() }
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				note("console error: " + strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			note("exception: " + msg)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				note("log error: " + ev.Entry.Text + " " + ev.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			mu.Lock()
			requests = append(requests, ev.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("network.enable: %v", err)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
	}); err != nil {
		t.Fatalf("setting download folder: %v", err)
	}

	open := func(rel string) {
		t.Helper()
		u := "file://" + filepath.ToSlash(filepath.Join(out, rel))
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900), chromedp.Navigate(u)); err != nil {
			t.Fatalf("opening %s: %v", rel, err)
		}
		waitJS(t, ctx, `document.readyState === "complete" && document.documentElement.classList.contains("js")`)
	}
	eval := func(expr string, v any) {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("evaluating %s: %v", expr, err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("decoding %s: %v", raw, err)
		}
	}
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
		eval(chartState, &cs)
		if len(cs) != want {
			t.Errorf("%s: %d chart divs, want %d", page, len(cs), want)
		}
		for _, c := range cs {
			if !c.Inst || !c.Canvas || c.Series == 0 {
				t.Errorf("%s: chart %s not drawn: %+v", page, c.ID, c)
			}
		}
	}

	// Home page: the report finder.
	open("index.html")
	var visible []string
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#report-filter"), "alert")); err != nil {
		t.Fatal(err)
	}
	eval(`Array.from(document.querySelectorAll("li[data-search]")).filter(li => !li.hidden).map(li => li.querySelector("a").textContent)`, &visible)
	if len(visible) != 1 || visible[0] != "Alert AD1" {
		t.Errorf("finder with \"alert\" shows %q, want [Alert AD1]", visible)
	}

	// Report page: charts, sort, filter, download.
	open("IS/srv-4.1.1.html")
	checkCharts("srv-4.1.1", 3)
	col := func(table string, c int) []string {
		var v []string
		eval(fmt.Sprintf(`Array.from(document.querySelectorAll("#%s tbody tr")).filter(r => !r.hidden).map(r => r.cells[%d].textContent)`, table, c), &v)
		return v
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#t-league th:nth-child(3) button"))); err != nil {
		t.Fatal(err)
	}
	asc := col("t-league", 2)
	if !sort.SliceIsSorted(asc, func(i, j int) bool { return num(t, asc[i]) < num(t, asc[j]) }) || asc[0] != "0.9700" {
		t.Errorf("league sorted ascending by success_rate: %q", asc)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#t-league th:nth-child(1) button")), chromedp.Click(chromedp.CSS("#t-league th:nth-child(1) button"))); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(col("t-league", 0), ","); got != "6,5,4,2,2,1" {
		t.Errorf("league sorted descending by rank: %s", got)
	}
	// Text sort on dates, descending.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#t-daily th:nth-child(1) button")), chromedp.Click(chromedp.CSS("#t-daily th:nth-child(1) button"))); err != nil {
		t.Fatal(err)
	}
	if got := col("t-daily", 0); len(got) != 10 || got[0] != "2026-10-10" || got[9] != "2026-10-01" {
		t.Errorf("daily sorted descending by date: %q", got)
	}

	// Filter, then download what is shown: capture the Blob's text and
	// check the file Chromium saved from the blob: link.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`input[data-table="t-daily"]`), "inc-0042")); err != nil {
		t.Fatal(err)
	}
	if got := col("t-daily", 0); len(got) != 1 || got[0] != "2026-10-07" {
		t.Errorf("filter inc-0042 shows %q, want [2026-10-07]", got)
	}
	daily := in.Roles[0].Reports[0].Views[1]
	want, err := encodeCSV(daily.Header, [][]string{daily.Rows[6]})
	if err != nil {
		t.Fatal(err)
	}
	capture := `new Promise(resolve => {
		const orig = URL.createObjectURL;
		URL.createObjectURL = function (b) { URL.createObjectURL = orig; b.text().then(resolve); return orig.call(URL, b); };
		document.querySelector('button.dl[data-table="%s"]').click();
	})`
	var blobText string
	eval(fmt.Sprintf(capture, "t-daily"), &blobText)
	if blobText != string(want) {
		t.Errorf("filtered CSV blob:\ngot  %q\nwant %q", blobText, want)
	}
	saved := waitFile(t, filepath.Join(downloads, "daily-filtered.csv"))
	if saved != string(want) {
		t.Errorf("downloaded daily-filtered.csv:\ngot  %q\nwant %q", saved, want)
	}

	// Tooltips use inline styles: hover a bar and make sure the CSP lets it.
	var shown bool
	eval(`new Promise(r => { const c = echarts.getInstanceByDom(document.getElementById("c0-league-0")); c.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 3}); setTimeout(() => r(true), 300); })`, &shown)

	// Inventory: grouped charts, the table with awkward cells downloads
	// exactly as the CSV file.
	open("IS/inventory.html")
	checkCharts("inventory", 2)
	var exText string
	eval(fmt.Sprintf(capture, "t-exceptions"), &exText)
	exFile, err := os.ReadFile(filepath.Join(out, "data", "IS", "inventory", "exceptions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if exText != string(exFile) {
		t.Errorf("exceptions table as CSV:\ngot  %q\nwant %q", exText, exFile)
	}

	open("GS/alert-AD1.html")
	checkCharts("alert-AD1", 1)
	for _, p := range []string{"incidents.html", "about.html", "privacy.html", "help.html"} {
		open(p)
	}

	// Screenshot of a report page, for a human to look at.
	open("IS/srv-4.1.1.html")
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(os.TempDir(), "carport-report.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser: %s", p)
	}
	files := 0
	for _, u := range requests {
		if strings.HasPrefix(u, "file://") {
			files++
			continue
		}
		// The download button navigates to the blob it made: in-memory, local.
		if strings.HasPrefix(u, "blob:file://") || strings.HasPrefix(u, "blob:null/") {
			continue
		}
		t.Errorf("request to a non-file URL: %s", u)
	}
	if files < 10 {
		t.Errorf("saw only %d file: requests; is the network listener working?", files)
	}
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
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
