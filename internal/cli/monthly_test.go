package cli

// The monthly cycle end to end: synthetic months built one after the
// other into one OUT and one history, as the monthly job does.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/chromium"
	"github.com/dcc/carport/internal/history"
	"github.com/dcc/carport/internal/runreport"
)

// cycle is a folder of months built into one OUT and one history.
type cycle struct {
	t                   *testing.T
	root, out, hist     string
	extracts            map[string]string // period → its extracts
	supplier, dno, role string
}

func newCycle(t *testing.T) *cycle {
	root := t.TempDir()
	return &cycle{t: t, root: root, out: filepath.Join(root, "out"), hist: filepath.Join(root, "history"),
		extracts: map[string]string{}, supplier: "BRIU", dno: "DNO10", role: "IS"}
}

// month synthesises period (tiny, seed) and builds it.
func (c *cycle) month(period string, seed int) {
	c.t.Helper()
	dir := filepath.Join(c.root, "extracts", period+"-"+strconv.Itoa(seed))
	c.extracts[period] = dir
	var stderr bytes.Buffer
	if code := Run([]string{"synth", "--out", dir, "--period", period, "--scale", "tiny", "--seed", strconv.Itoa(seed)}, nil, io.Discard, &stderr); code != 0 {
		c.t.Fatalf("synth %s: exit %d\n%s", period, code, stderr.String())
	}
	stderr.Reset()
	if code := Run([]string{"build", "--extracts", dir, "--period", period, "--keys", filepath.Join(dir, "keys"),
		"--signing-key", filepath.Join(dir, "identities", "dcc-signing.key"), "--out", c.out, "--history", c.hist,
		"--stage", c.t.TempDir(), "--reportdefs", repoPath("reportdefs"), "--templates", repoPath("templates"), "--content", repoPath("content")},
		nil, io.Discard, &stderr); code != 0 {
		c.t.Fatalf("build %s: exit %d\n%s", period, code, stderr.String())
	}
}

// open decrypts party's bundle of period and returns the folder.
func (c *cycle) open(period, party string) string {
	c.t.Helper()
	dir := c.extracts[period]
	to := filepath.Join(c.t.TempDir(), party)
	pub, err := bundle.ReadPublicKey(filepath.Join(dir, "keys", "dcc-signing.pub"))
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := bundle.Open(bundle.OpenOptions{PublicKey: pub, Bundle: filepath.Join(c.out, period, party+".zip.age"),
		Identity: filepath.Join(dir, "identities", party+".key"), To: to}); err != nil {
		c.t.Fatalf("opening %s of %s: %v", party, period, err)
	}
	return to
}

// entry reads period's history entry.
func (c *cycle) entry(period string) *history.Entry {
	c.t.Helper()
	e, err := history.ReadFile(filepath.Join(c.hist, period+history.Ext), period)
	if err != nil || e == nil {
		c.t.Fatalf("history of %s: %v (nil: %v)", period, err, e == nil)
	}
	return e
}

// files maps every file of the history folder to its bytes.
func (c *cycle) files() map[string][]byte {
	c.t.Helper()
	ents, err := os.ReadDir(c.hist)
	if err != nil {
		c.t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(c.hist, e.Name()))
		if err != nil {
			c.t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// chartOf returns the ECharts options of view's first chart in a
// report's page.js.
func chartOf(t *testing.T, pageJS, view string) (months []string, series map[string][]*float64) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^carport\.view\("c\d+-` + regexp.QuoteMeta(view) + `-0", (.*), (\{[^{}]*\})\);$`)
	m := re.FindStringSubmatch(pageJS)
	if m == nil {
		t.Fatalf("page.js has no chart of view %s", view)
	}
	var opt struct {
		Series []struct {
			Name string            `json:"name"`
			Data []json.RawMessage `json:"data"` // 0.93, {"value": 0.93}, or "-": ECharts' gap
		} `json:"series"`
		XAxis []struct {
			Data []string `json:"data"`
		} `json:"xAxis"`
	}
	if err := json.Unmarshal([]byte(m[1]), &opt); err != nil {
		t.Fatalf("view %s's chart options: %v", view, err)
	}
	series = map[string][]*float64{}
	for _, s := range opt.Series {
		for _, d := range s.Data {
			var wrapped struct {
				Value json.RawMessage `json:"value"`
			}
			if json.Unmarshal(d, &wrapped) == nil && wrapped.Value != nil {
				d = wrapped.Value
			}
			var v *float64
			if string(d) != `"-"` && string(d) != "null" {
				var f float64
				if err := json.Unmarshal(d, &f); err != nil {
					t.Fatalf("view %s: point %s", view, d)
				}
				v = &f
			}
			series[s.Name] = append(series[s.Name], v)
		}
	}
	return opt.XAxis[0].Data, series
}

// openRunReport opens OUT/<period>.run.html in headless Chromium: every
// chart drawn, no console error, no request leaving the file.
func openRunReport(t *testing.T, out, period string) {
	path, err := filepath.EvalSymlinks(filepath.Join(out, period+".run.html"))
	if err != nil {
		t.Fatalf("no run.html: %v", err)
	}
	p := chromium.Open(t, 2*time.Minute)
	if err := chromedp.Do(p.Ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate("file://"+filepath.ToSlash(path))); err != nil {
		t.Fatal(err)
	}
	var drawn []int
	for deadline := time.Now().Add(20 * time.Second); ; {
		raw, err := chromedp.Run(p.Ctx, chromedp.Evaluate[json.RawMessage](`Array.from(document.querySelectorAll(".chart")).map(el =>
			window.echarts && echarts.getInstanceByDom(el) ? echarts.getInstanceByDom(el).getOption().series.length : -1)`))
		if err == nil && json.Unmarshal(raw, &drawn) == nil && len(drawn) >= 3 && !slices.Contains(drawn, -1) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run report's charts are not drawn: %v (%v)", drawn, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	text, err := chromedp.Run(p.Ctx, chromedp.Evaluate[string](`document.querySelector("#summary").innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "parties built") || !strings.Contains(text, "2 of 12") {
		t.Errorf("the run report's summary: %q", text)
	}
	p.Check(t, 1, []string{filepath.Dir(path)})
}

func rateOf(ok, n int64) string { return bench.FormatRate(bench.Rate(ok, n)) }

// TestThreeMonthsOfTrends builds 2026-08, 2026-09 and 2026-10: the third
// month's site has 3-point trends (CSV and chart) whose every figure is
// the party's own or industry's, as the history holds them, and the home
// page the change since September; a month skipped (2026-11) is a gap in
// 2026-12's; rebuilding 2026-09 from other extracts changes its history
// entry and no other file of the history or of OUT.
func TestThreeMonthsOfTrends(t *testing.T) {
	if testing.Short() {
		t.Skip("builds five synthetic months: not in -short")
	}
	c := newCycle(t)
	for _, m := range []string{"2026-08", "2026-09", "2026-10"} {
		c.month(m, 1)
	}
	site := c.open("2026-10", c.supplier)

	// trend.csv: three months, every figure the history's own or industry
	rows := readCSVFile(t, filepath.Join(site, "data", c.role, "srvs-all", "trend.csv"))
	if strings.Join(rows[0], ",") != "month,requests,successes,success_rate,industry_success_rate,rank,ranked" || len(rows) != 4 {
		t.Fatalf("srvs-all trend.csv:\n%v", rows)
	}
	for i, m := range []string{"2026-08", "2026-09", "2026-10"} {
		r := rows[i+1]
		q := c.entry(m).Report(c.supplier, c.role, "srvs-all").Requests
		want := []string{m, strconv.FormatInt(q.You.Requests, 10), strconv.FormatInt(q.You.Successes, 10), rateOf(q.You.Successes, q.You.Requests), "", "", ""}
		if q.Industry != nil {
			want[4] = rateOf(q.Industry.Successes, q.Industry.Requests)
			want[5], want[6] = strconv.Itoa(q.Rank), strconv.Itoa(q.Ranked)
		}
		if strings.Join(r, ",") != strings.Join(want, ",") {
			t.Errorf("trend row %s: %v, the history says %v", m, r, want)
		}
		if r[1] == "" || r[4] == "" {
			t.Errorf("trend row %s has no figure of the party's or no industry figure: %v", m, r)
		}
	}
	// the chart draws the same three points, party and industry
	pageJS, err := os.ReadFile(filepath.Join(site, "data", c.role, "srvs-all", "page.js"))
	if err != nil {
		t.Fatal(err)
	}
	months, series := chartOf(t, string(pageJS), "trend")
	if strings.Join(months, ",") != "2026-08,2026-09,2026-10" {
		t.Errorf("the trend chart's months: %v", months)
	}
	for name, col := range map[string]int{"Success rate": 3, "Industry success rate": 4} {
		if len(series[name]) != 3 {
			t.Fatalf("the trend chart's %q has %d points, want 3 (series: %v)", name, len(series[name]), series)
		}
		for i, v := range series[name] {
			want, _ := strconv.ParseFloat(rows[i+1][col], 64)
			if v == nil || *v != want {
				t.Errorf("%q point %d: %v, want %v", name, i, v, want)
			}
		}
	}
	// the other trends: delivery, round trip time and the estate
	for _, f := range []struct{ report, file string }{{"srvs-all", "rtt-trend.csv"}, {"alerts-all", "trend.csv"}, {"inventory", "trend.csv"}} {
		got := map[string]bool{}
		for _, r := range readCSVFile(t, filepath.Join(site, "data", c.role, f.report, f.file))[1:] {
			got[r[0]] = true
		}
		if len(got) != 3 {
			t.Errorf("%s/%s covers months %v, want three", f.report, f.file, got)
		}
	}
	dnoSite := c.open("2026-10", c.dno)
	if rows := readCSVFile(t, filepath.Join(dnoSite, "data", "ED", "alerts-all", "trend.csv")); len(rows) != 4 {
		t.Errorf("the distributor's delivery trend has %d rows, want 3 months", len(rows)-1)
	}
	// the home page: the change since September, from the trend
	home, err := os.ReadFile(filepath.Join(site, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(home), "since September 2026"); n < 4 {
		t.Errorf("the home page shows the change since September %d times, want one per headline with a trend (4 or more)", n)
	}
	// the run report: the trends' months, the change since September's run
	b, err := os.ReadFile(filepath.Join(c.out, "2026-10.run.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := runreport.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.HistoryMonths, ",") != "2026-08,2026-09" || rep.Change == nil || rep.Change.Period != "2026-09" || len(rep.Bundles) == 0 || rep.Bundles[0].Bytes == 0 {
		t.Errorf("run.json: history %v, change %+v", rep.HistoryMonths, rep.Change)
	}
	t.Run("run.html opens from disk", func(t *testing.T) { openRunReport(t, c.out, "2026-10") })

	// 2026-11 is never built: in 2026-12 it is a gap, not a zero
	c.month("2026-12", 1)
	site = c.open("2026-12", c.supplier)
	rows = readCSVFile(t, filepath.Join(site, "data", c.role, "srvs-all", "trend.csv"))
	var gap []string
	for _, r := range rows[1:] {
		if r[0] == "2026-11" {
			gap = r
		}
	}
	if len(rows) != 6 || gap == nil || strings.Join(gap[1:], "") != "" {
		t.Fatalf("2026-12's trend: %v, want 2026-08 to 2026-12 with 2026-11 empty", rows)
	}
	pageJS, _ = os.ReadFile(filepath.Join(site, "data", c.role, "srvs-all", "page.js"))
	months, series = chartOf(t, string(pageJS), "trend")
	if i := slices.Index(months, "2026-11"); i != 3 || series["Success rate"][i] != nil || series["Industry success rate"][i] != nil ||
		series["Success rate"][2] == nil || series["Success rate"][4] == nil {
		t.Errorf("the chart's gap: months %v, points %v", months, series["Success rate"])
	}
	home, _ = os.ReadFile(filepath.Join(site, "index.html"))
	if !strings.Contains(string(home), "No figure of yours for November 2026") {
		t.Error("the home page does not say November is missing")
	}

	// rebuilding 2026-09 from other extracts changes its entry, and
	// nothing else: no other history file, no other period of OUT
	before := c.files()
	links := map[string]string{}
	for _, m := range []string{"2026-08", "2026-10", "2026-12"} {
		links[m], _ = os.Readlink(filepath.Join(c.out, m))
	}
	old := c.entry("2026-09")
	c.month("2026-09", 2)
	after := c.files()
	if len(after) != len(before) {
		t.Errorf("the history held %d files, now %d", len(before), len(after))
	}
	for name, b := range before {
		changed := !bytes.Equal(after[name], b)
		switch {
		case name == "2026-09"+history.Ext && !changed:
			t.Error("rebuilding 2026-09 from other extracts left its history entry as it was")
		case name != "2026-09"+history.Ext && name != history.LockName && changed:
			t.Errorf("rebuilding 2026-09 changed %s", name)
		}
	}
	now := c.entry("2026-09")
	if fmt.Sprint(now.Report(c.supplier, c.role, "srvs-all").Requests.You) == fmt.Sprint(old.Report(c.supplier, c.role, "srvs-all").Requests.You) {
		t.Error("the rebuilt 2026-09 entry holds the old figures")
	}
	for m, l := range links {
		if now, _ := os.Readlink(filepath.Join(c.out, m)); now != l {
			t.Errorf("rebuilding 2026-09 switched %s (%s → %s)", m, l, now)
		}
	}
}
