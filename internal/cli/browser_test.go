package cli

// A reader's afternoon with two real bundles of the small synthetic month
// (a supplier holding three roles and a distributor), opened from disk in
// headless Chromium: the home page says where they stand and what to look
// at first, search finds reports, daily charts zoom on a time axis, tables
// show percentages while the CSVs hold fractions, a filtered download is
// exactly the rows that match, every control is reachable by keyboard with
// a visible focus ring, no page weighs over 1 MB, and nothing is fetched
// from outside the site. Screenshots go to the test's artifact folder
// (go test -artifacts -outputdir DIR keeps them).

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/chromium"
)

// maxPage is the heaviest an HTML page may be.
const maxPage = 1_000_000

type smallMonth struct {
	root, extracts, out string
	supplier, dno       string // party ids: most roles, and a distributor
	err                 error
	stderr              string
}

var (
	smallOnce sync.Once
	small     smallMonth
)

// buildSmall synthesises the small month (make demo's) and builds two
// parties' bundles.
func buildSmall(t *testing.T) smallMonth {
	t.Helper()
	smallOnce.Do(func() {
		dir, err := os.MkdirTemp("", "carport-small-")
		if err != nil {
			small.err = err
			return
		}
		small.root = dir
		small.extracts, small.out = filepath.Join(dir, "extracts"), filepath.Join(dir, "out")
		var stderr strings.Builder
		if code := Run([]string{"synth", "--out", small.extracts, "--period", "2026-10", "--scale", "small", "--seed", "1"}, nil, io.Discard, &stderr); code != 0 {
			small.err, small.stderr = fmt.Errorf("synth exited %d", code), stderr.String()
			return
		}
		roles := map[string]int{}
		firstED := ""
		f, err := os.Open(filepath.Join(small.extracts, "parties.csv"))
		if err != nil {
			small.err = err
			return
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			small.err = err
			return
		}
		for _, r := range recs[1:] {
			roles[r[0]]++
			if r[2] == "ED" && firstED == "" {
				firstED = r[0]
			}
			if roles[r[0]] > roles[small.supplier] {
				small.supplier = r[0]
			}
		}
		small.dno = firstED
		code := Run([]string{"build", "--extracts", small.extracts, "--period", "2026-10", "--keys", filepath.Join(small.extracts, "keys"),
			"--signing-key", filepath.Join(small.extracts, "identities", "dcc-signing.key"), "--out", small.out, "--reportdefs", repoPath("reportdefs"), "--templates", repoPath("templates"),
			"--content", repoPath("content"),
			"--party", small.supplier, "--party", small.dno}, nil, io.Discard, &stderr)
		small.stderr = stderr.String()
		if code != 0 {
			small.err = fmt.Errorf("build exited %d", code)
		}
	})
	if small.err != nil {
		t.Fatalf("%v\n%s", small.err, small.stderr)
	}
	return small
}

// openBundle decrypts a party's bundle into a fresh folder.
func openBundle(t *testing.T, m smallMonth, party string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), party)
	pub, err := bundle.ReadPublicKey(filepath.Join(m.extracts, "keys", "dcc-signing.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Open(bundle.OpenOptions{PublicKey: pub, Bundle: filepath.Join(m.out, "2026-10", party+".zip.age"),
		Identity: filepath.Join(m.extracts, "identities", party+".key"), To: to}); err != nil {
		t.Fatalf("opening %s: %v", party, err)
	}
	return to
}

// reader is a headless Chromium session whose page notes every console
// error, exception and request.
type reader struct {
	*chromium.Page
	t         *testing.T
	ctx       context.Context
	downloads string
}

func newReader(t *testing.T) *reader {
	t.Helper()
	p := chromium.Open(t, 4*time.Minute, chromedp.Flag("hide-scrollbars", true))
	return &reader{Page: p, t: t, ctx: p.Ctx, downloads: p.Downloads}
}

func (r *reader) open(root, rel string) {
	r.t.Helper()
	u := "file://" + filepath.ToSlash(filepath.Join(root, rel))
	if err := chromedp.Do(r.ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(u)); err != nil {
		r.t.Fatalf("opening %s: %v", rel, err)
	}
	r.wait(`document.readyState === "complete" && document.documentElement.classList.contains("js")`)
}

func (r *reader) wait(expr string) {
	r.t.Helper()
	for i := 0; i < 200; i++ {
		if ok, err := chromedp.Run(r.ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatalf("timed out waiting for %s", expr)
}

func (r *reader) eval(expr string, v any) {
	r.t.Helper()
	raw, err := chromedp.Run(r.ctx, chromedp.Evaluate[json.RawMessage](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		r.t.Fatalf("evaluating %s: %v", expr, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		r.t.Fatalf("decoding %s: %v", raw, err)
	}
}

func (r *reader) typeInto(sel, text string) {
	r.t.Helper()
	var cleared bool
	r.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = ""; e.dispatchEvent(new Event("input")); return true; })()`, sel), &cleared)
	if err := chromedp.Do(r.ctx, chromedp.SendKeys(chromedp.CSS(sel), text)); err != nil {
		r.t.Fatalf("typing into %s: %v", sel, err)
	}
}

// screenshot saves the whole page as name.png in the test's artifact folder.
func (r *reader) screenshot(name string) {
	r.t.Helper()
	png, err := chromedp.Run(r.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		r.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(r.t.ArtifactDir(), name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.t.Logf("screenshot: %s", p)
}

// finish fails on every console error and every request outside the sites.
func (r *reader) finish(roots ...string) {
	r.t.Helper()
	r.Check(r.t, 20, roots, "mailto:")
}

func TestSmallBundleInBrowser(t *testing.T) {
	m := buildSmall(t)
	sup := openBundle(t, m, m.supplier)
	dno := openBundle(t, m, m.dno)
	checkPageWeights(t, sup, dno)
	r := newReader(t)

	// Home: headline figures per role, and call-outs that link to a view.
	r.open(sup, "index.html")
	var home struct {
		Headlines []string `json:"headlines"`
		Marks     []string `json:"marks"`
		Insights  []string `json:"insights"`
		Roles     int      `json:"roles"`
	}
	r.eval(`({headlines: Array.from(document.querySelectorAll(".headline")).map(h => h.textContent.replace(/\s+/g, " ").trim()),
		marks: Array.from(document.querySelectorAll(".headline")).map(h => h.className),
		insights: Array.from(document.querySelectorAll(".insight a")).map(a => a.getAttribute("href")),
		roles: document.querySelectorAll("section.standing").length})`, &home)
	if home.Roles < 2 || len(home.Headlines) < 3*home.Roles {
		t.Errorf("home: %d roles with %d headline figures: %q", home.Roles, len(home.Headlines), home.Headlines)
	}
	for _, want := range []string{"Success rate, all service requests", "Median round trip time", "Alert delivery rate", "Devices in your estate", "Devices needing action"} {
		if !anyContains(home.Headlines, want) {
			t.Errorf("home has no headline %q: %q", want, home.Headlines)
		}
	}
	if !anyContains(home.Marks, "mark-better") && !anyContains(home.Marks, "mark-worse") {
		t.Errorf("no headline is marked better or worse: %q", home.Marks)
	}
	if len(home.Insights) == 0 {
		t.Fatalf("home shows no insight")
	}
	r.screenshot("home")
	// follow the first call-out: it lands on a view of a report
	if err := chromedp.Do(r.ctx, chromedp.Click(chromedp.CSS(".insight a"))); err != nil {
		t.Fatal(err)
	}
	r.wait(`document.readyState === "complete" && location.hash.startsWith("#view-") && !!document.getElementById(location.hash.slice(1))`)
	var landed string
	r.eval(`location.pathname.split("/").slice(-2).join("/") + location.hash`, &landed)
	if !strings.HasSuffix(strings.SplitN(home.Insights[0], "#", 2)[0], strings.SplitN(landed, "#", 2)[0]) {
		t.Errorf("first insight links to %s, landed on %s", home.Insights[0], landed)
	}

	// Search: by SRV name, and "firmware" finds the inventory.
	r.open(sup, "index.html")
	finder := func(term string) []string {
		r.typeInto("#report-filter", term)
		var shown []string
		r.eval(`Array.from(document.querySelectorAll("li[data-search]")).filter(li => !li.hidden).map(li => li.querySelector("a").getAttribute("href"))`, &shown)
		return shown
	}
	if got := finder("read instantaneous import registers"); !anyContains(got, "srv-4.1.1.html") {
		t.Errorf("searching an SRV name shows %q, want srv-4.1.1", got)
	}
	if got := finder("firmware"); !anyContains(got, "inventory.html") {
		t.Errorf("searching \"firmware\" shows %q, want the inventory", got)
	}

	// An SRV report: changelog, daily chart on a time axis with zoom,
	// percentages in the table, fractions in the CSV.
	r.open(sup, "IS/srv-4.1.1.html")
	var changes []string
	r.eval(`Array.from(document.querySelectorAll("#changelog li")).map(li => li.textContent)`, &changes)
	if len(changes) < 3 || !strings.Contains(changes[0], "Version 1.2.0") || !strings.Contains(changes[1], "Version 1.1.0") {
		t.Errorf("changelog shows %q, want versions 1.2.0, 1.1.0 and 1.0.0, newest first", changes)
	}
	var daily struct {
		Axis  string `json:"axis"`
		Zooms int    `json:"zooms"`
		Areas int    `json:"areas"`
		Max   any    `json:"max"`
	}
	r.eval(`(() => { const c = echarts.getInstanceByDom(document.querySelector("#view-daily .chart")); const o = c.getOption();
		return {axis: o.xAxis[0].type, zooms: o.dataZoom.length, areas: ((o.series[0].markArea || {}).data || []).length, max: o.yAxis[0].max}; })()`, &daily)
	if daily.Axis != "time" || daily.Zooms < 1 || daily.Max != float64(1) {
		t.Errorf("daily chart: %+v, want a time axis, a zoom and rates capped at 100%%", daily)
	}
	// zoom to a week with the date fields
	var zoom []float64
	r.eval(`(() => { const f = document.querySelector("#view-daily .zoom input[type=date]");
		f.value = f.min.slice(0, 8) + "08"; f.dispatchEvent(new Event("change"));
		const dz = echarts.getInstanceByDom(document.querySelector("#view-daily .chart")).getOption().dataZoom[0];
		return [dz.start, dz.end]; })()`, &zoom)
	if len(zoom) != 2 || zoom[0] <= 0 {
		t.Errorf("zooming from the 8th leaves the window at %v", zoom)
	}
	// the RTT chart spans best to worst on a log axis; the league's own bar says "you"
	var axes struct {
		RTT string `json:"rtt"`
		You string `json:"you"`
	}
	r.eval(`(() => { const o = echarts.getInstanceByDom(document.querySelector("#view-rtt .chart")).getOption();
		const l = echarts.getInstanceByDom(document.querySelector("#view-league .chart")).getOption();
		const own = l.series[0].data.find(d => d && d.label);
		return {rtt: o.yAxis[0].type, you: own ? own.label.formatter : ""}; })()`, &axes)
	if axes.RTT != "log" || axes.You != "you" {
		t.Errorf("rtt axis %q (want log), league own bar label %q (want you)", axes.RTT, axes.You)
	}
	checkPercentTable(t, r, sup, "IS/srv-4.1.1", "summary", "success_rate")
	// at 1280 px nothing is clipped: no table scrolls sideways, nor the page
	var clipped []string
	r.eval(`Array.from(document.querySelectorAll(".table-wrap")).filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.getAttribute("aria-label"))
		.concat(document.documentElement.scrollWidth > document.documentElement.clientWidth ? ["the page"] : [])`, &clipped)
	if len(clipped) > 0 {
		t.Errorf("scrolls sideways at 1280 px: %q", clipped)
	}
	r.screenshot("srv-report")
	// printed: no controls, the tables and charts stay
	if _, err := chromedp.Call(r.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	var printed struct {
		Hidden []string `json:"hidden"`
		Shown  []string `json:"shown"`
	}
	r.eval(`(() => { const d = sel => Array.from(document.querySelectorAll(sel)).every(e => getComputedStyle(e).display === "none");
		const h = [".site-head nav", ".table-tools", ".legend", ".zoom", ".feedback", ".pager", ".feedback-view", "button"].filter(d);
		const s = ["table.data", ".chart"].filter(x => !d(x));
		return {hidden: h, shown: s}; })()`, &printed)
	if len(printed.Hidden) != 8 || len(printed.Shown) != 2 {
		t.Errorf("print stylesheet hides %q and shows %q", printed.Hidden, printed.Shown)
	}
	if _, err := chromedp.Call(r.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
		t.Fatal(err)
	}

	// Filtered download: the rows that match, every page, in file order.
	checkFilteredDownload(t, r, sup, "IS/srv-4.1.1", "svp")

	// An alert report and the inventory.
	r.open(sup, "IS/alerts-all.html")
	r.screenshot("alert-report")
	r.open(sup, "IS/inventory.html")
	var inv struct {
		Charts  int    `json:"charts"`
		Size    string `json:"size"`
		Expires string `json:"expires"`
		Note    string `json:"note"`
	}
	r.eval(`({charts: document.querySelectorAll(".chart canvas").length,
		size: (document.querySelector("#view-devices .download a") || {}).textContent || "",
		expires: Array.from(document.querySelectorAll("#t-exceptions th")).map(th => th.textContent).join("|"),
		note: (document.querySelector("#view-exceptions .note") || {}).textContent || ""})`, &inv)
	if inv.Charts < 2 || !strings.Contains(inv.Size, "kB") || !strings.Contains(inv.Expires, "Expires on") || !strings.Contains(inv.Note, "within 30 days") {
		t.Errorf("inventory: %+v", inv)
	}
	r.screenshot("inventory")

	// Keyboard: every control of a report page and the home page is
	// reached by Tab and shows a focus ring.
	checkKeyboard(t, r, sup, "IS/srv-4.1.1.html")
	checkKeyboard(t, r, sup, "index.html")

	// The distributor: documents of its role, a long table paged.
	r.open(dno, "documents.html")
	var docs []string
	r.eval(`Array.from(document.querySelectorAll("ul.documents a")).map(a => a.getAttribute("href"))`, &docs)
	if len(docs) != 1 || !strings.HasSuffix(docs[0], "documents/distribution-alert-codes.csv") {
		t.Errorf("distributor's documents: %q", docs)
	}
	r.open(dno, "ED/outage-unmatched.html")
	var paged struct {
		Rows  int    `json:"rows"`
		Where string `json:"where"`
	}
	r.eval(`({rows: document.querySelectorAll("#t-devices tbody tr").length, where: (document.querySelector(".pager .where") || {}).textContent || ""})`, &paged)
	if paged.Rows != 50 || !strings.HasPrefix(paged.Where, "Rows 1–50 of ") {
		t.Errorf("outage devices table: %d rows shown, pager %q; want the first page of 50", paged.Rows, paged.Where)
	}
	for _, p := range []string{"incidents.html", "methodology.html", "glossary.html", "about.html", "privacy.html", "help.html"} {
		r.open(dno, p)
	}
	r.finish(sup, dno)
}

func anyContains(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// checkPageWeights fails on any HTML page over maxPage bytes and logs the
// heaviest.
func checkPageWeights(t *testing.T, roots ...string) {
	t.Helper()
	var max int64
	var heaviest string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if fi.Size() > maxPage {
				t.Errorf("%s weighs %d bytes, over %d", p, fi.Size(), maxPage)
			}
			if fi.Size() > max {
				max, heaviest = fi.Size(), p
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("heaviest page: %s, %d bytes", heaviest, max)
}

func readCSVFile(t *testing.T, p string) [][]string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return recs
}

// checkPercentTable compares a rate column shown in a table with its CSV:
// the page says 97.3% where the file says 0.972673.
func checkPercentTable(t *testing.T, r *reader, root, dir, view, col string) {
	t.Helper()
	recs := readCSVFile(t, filepath.Join(root, "data", filepath.FromSlash(dir), view+".csv"))
	c := -1
	for i, h := range recs[0] {
		if h == col {
			c = i
		}
	}
	if c < 0 {
		t.Fatalf("%s/%s.csv has no %s", dir, view, col)
	}
	var cells []string
	var label string
	r.eval(fmt.Sprintf(`Array.from(document.querySelectorAll("#t-%s tbody tr")).map(tr => tr.cells[%d].textContent)`, view, c), &cells)
	r.eval(fmt.Sprintf(`document.querySelectorAll("#t-%s th")[%d].textContent`, view, c), &label)
	if label != "Success rate" {
		t.Errorf("%s column %s is labelled %q, want Success rate", view, col, label)
	}
	if len(cells) != len(recs)-1 {
		t.Fatalf("%s table shows %d rows, CSV has %d", view, len(cells), len(recs)-1)
	}
	for i, rec := range recs[1:] {
		if rec[c] == "" {
			continue
		}
		v, err := strconv.ParseFloat(rec[c], 64)
		if err != nil || v < 0 || v > 1 || len(rec[c]) < 6 {
			t.Errorf("CSV %s = %q, want a fraction with full precision", col, rec[c])
		}
		want := strconv.FormatFloat(math.Round(v*1000)/10, 'f', 1, 64) + "%"
		if cells[i] != want {
			t.Errorf("%s row %d shows %q for %s, want %q", view, i+1, cells[i], rec[c], want)
		}
	}
}

// checkFilteredDownload filters a long table and compares the downloaded
// rows with the CSV rows holding the term, and the rows shown with them.
func checkFilteredDownload(t *testing.T, r *reader, root, dir, view string) {
	t.Helper()
	recs := readCSVFile(t, filepath.Join(root, "data", filepath.FromSlash(dir), view+".csv"))
	if len(recs) < 60 {
		t.Fatalf("%s/%s.csv has %d rows: too few to page", dir, view, len(recs)-1)
	}
	// a term that picks some rows but not all: the region of the last row
	var term string
	for i, h := range recs[0] {
		if h == "region" {
			term = recs[len(recs)-1][i]
		}
	}
	var want [][]string
	for _, rec := range recs[1:] {
		if strings.Contains(strings.ToLower(strings.Join(rec, "\x01")), strings.ToLower(term)) {
			want = append(want, rec)
		}
	}
	r.typeInto(fmt.Sprintf(`input[data-table="t-%s"]`, view), term)
	var count string
	r.eval(fmt.Sprintf(`document.getElementById("n-%s").textContent`, view), &count)
	if !strings.HasPrefix(count, strconv.Itoa(len(want))+" of ") && !strings.HasPrefix(count, fmt.Sprintf("%s of ", thousandsOf(len(want)))) {
		t.Errorf("filter %q: count says %q, want %d matching rows", term, count, len(want))
	}
	var blob string
	r.eval(fmt.Sprintf(`new Promise(resolve => {
		const orig = URL.createObjectURL;
		URL.createObjectURL = function (b) { URL.createObjectURL = orig; b.text().then(resolve); return orig.call(URL, b); };
		document.querySelector('button.dl[data-table="t-%s"]').click();
	})`, view), &blob)
	got, err := csv.NewReader(strings.NewReader(blob)).ReadAll()
	if err != nil {
		t.Fatalf("downloaded CSV: %v", err)
	}
	if strings.Join(got[0], ",") != strings.Join(recs[0], ",") {
		t.Errorf("downloaded header %q, want the CSV's machine names %q", got[0], recs[0])
	}
	if len(got)-1 != len(want) {
		t.Fatalf("downloaded %d rows, %d match %q", len(got)-1, len(want), term)
	}
	for i := range want {
		if strings.Join(got[i+1], ",") != strings.Join(want[i], ",") {
			t.Errorf("downloaded row %d = %q, want %q", i+1, got[i+1], want[i])
		}
	}
	// the file Chromium saved is the same text
	p := filepath.Join(r.downloads, view+"-filtered.csv")
	for i := 0; i < 100; i++ {
		if b, err := os.ReadFile(p); err == nil && len(b) > 0 {
			if string(b) != blob {
				t.Errorf("saved %s differs from the blob", filepath.Base(p))
			}
			break
		}
		if i == 99 {
			t.Errorf("download %s never appeared", p)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// the rows on screen are the first of those rows, formatted
	var shown [][]string
	r.eval(fmt.Sprintf(`carport.tables["t-%s"].visible()`, view), &shown)
	if len(shown) == 0 || len(shown) > 50 {
		t.Fatalf("%d rows on screen", len(shown))
	}
	var formatted [][]string
	raw, _ := json.Marshal(want[:len(shown)])
	r.eval(fmt.Sprintf(`(() => { const t = carport.tables["t-%s"]; return %s.map(r => r.map((c, j) => c === "" && t.cols[j].numeric ? "–" : carport.formatCell(c, t.cols[j].format))); })()`, view, raw), &formatted)
	for i := range shown {
		if strings.Join(shown[i], "|") != strings.Join(formatted[i], "|") {
			t.Errorf("row %d on screen %q, want %q", i+1, shown[i], formatted[i])
		}
	}
}

func thousandsOf(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// checkKeyboard tabs through a page: every visible control is reached,
// and each shows a focus ring (an outline at least 2px wide).
func checkKeyboard(t *testing.T, r *reader, root, page string) {
	t.Helper()
	r.open(root, page)
	const controls = `Array.from(document.querySelectorAll('a[href], button, input, select, summary, [tabindex="0"]'))
		.filter(e => !e.disabled && e.offsetParent !== null && getComputedStyle(e).visibility !== "hidden" &&
			!(e.closest("details:not([open])") && e.tagName !== "SUMMARY"))`
	var want int
	r.eval(controls+`.length`, &want)
	if _, err := chromedp.Run(r.ctx, chromedp.Evaluate[json.RawMessage](`document.activeElement.blur(); window.__seen = new Map(); window.__ring = [];
		document.addEventListener("focusin", e => { const el = e.target; if (window.__seen.has(el)) return;
			const s = getComputedStyle(el);
			window.__seen.set(el, true);
			if (s.outlineStyle === "none" || parseFloat(s.outlineWidth) < 2) window.__ring.push(el.outerHTML.slice(0, 120) + " outline " + s.outlineStyle + " " + s.outlineWidth);
		}); true`)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3*want+40; i++ {
		if err := chromedp.Do(r.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
	}
	var missed, noRing []string
	r.eval(controls+`.filter(e => !window.__seen.has(e)).map(e => e.outerHTML.slice(0, 120))`, &missed)
	r.eval(`window.__ring`, &noRing)
	if len(missed) > 0 {
		t.Errorf("%s: %d of %d controls not reached by Tab, e.g. %q", page, len(missed), want, missed[0])
	}
	for _, n := range noRing {
		t.Errorf("%s: focused without a visible ring: %s", page, n)
	}
	t.Logf("%s: %d controls reached by keyboard", page, want-len(missed))
}
