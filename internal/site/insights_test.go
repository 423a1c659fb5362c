package site

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/reportdef"
)

// TestInsightRulesComplete: every rule the definitions may name has an
// implementation here, and nothing else does.
func TestInsightRulesComplete(t *testing.T) {
	want := slices.Sorted(maps.Keys(reportdef.InsightRules))
	got := slices.Sorted(maps.Keys(insightRules))
	if !slices.Equal(got, want) {
		t.Errorf("site implements insight rules %v, the definitions allow %v", got, want)
	}
}

var testPolicy = &InsightPolicy{MaxShown: 10, SmallSampleEvents: 30, BottomQuartile: 0.25, BehindIndustryPoints: 2,
	BehindIndustryRatio: 1.5, SegmentFailureRatio: 2, LevelPoints: 0.2, LevelRatio: 0.05}

// runRule compiles one view into a one-report input and runs its rules.
func runRule(t *testing.T, v View) []insight {
	t.Helper()
	in := Input{Period: "2026-10", PartyID: "P", MinPeers: 5, Columns: testColumns, Insights: testPolicy,
		Roles: []RoleInput{{Role: "IS", RoleName: "Import Supplier", Reports: []Report{{ID: "srv-1.1", Title: "SRV 1.1", Views: []View{v}}}}}}
	p, err := compile(in)
	if err != nil {
		t.Fatal(err)
	}
	return p.home.insights
}

func TestBottomQuartile(t *testing.T) {
	league := func(ownRank string) View {
		rows := [][]string{{"1", "", "0.990", ""}, {"2", "", "0.980", ""}, {"3", "", "0.970", ""}, {"4", "", "0.960", ""},
			{"5", "", "0.950", ""}, {"6", "", "0.940", ""}, {"7", "", "0.930", ""}, {"8", "", "0.920", ""}}
		for i, r := range rows {
			if r[0] == ownRank {
				rows[i] = []string{r[0], "Me", r[2], "1000"}
			}
		}
		return View{ID: "league", Kind: "league", Header: []string{"rank", "party", "success_rate", "requests"}, Rows: rows,
			Chart:    Chart{Kind: "bar", X: "rank", Series: []string{"success_rate"}, Highlight: "party", Percent: true},
			Insights: []InsightRule{{Rule: "bottom_quartile", Column: "success_rate"}}}
	}
	// 8 parties: ranks above 6 (8 × 0.75) are the bottom quarter
	if got := runRule(t, league("6")); len(got) != 0 {
		t.Errorf("rank 6 of 8 called out: %+v", got)
	}
	got := runRule(t, league("7"))
	if len(got) != 1 {
		t.Fatalf("rank 7 of 8: %d call-outs", len(got))
	}
	// median of 8 sorted rates is the 4th lowest, 0.95: 1000 × (0.95 − 0.93) = 20
	x := got[0]
	if x.Figure != "Rank 7 of 8" || math.Abs(x.Impact-20) > 1e-9 || x.Href != "/IS/srv-1.1.html#view-league" ||
		!strings.Contains(x.Text, "You rank 7 of 8 on success rate (93.0%; the middle party has 95.0%): in the worst 25% of Import Supplier parties.") {
		t.Errorf("call-out = %+v", x)
	}
}

func TestBehindIndustry(t *testing.T) {
	summary := func(you, ind, n string) View {
		return View{ID: "summary", Kind: "summary", Header: []string{"scope", "requests", "success_rate"},
			Rows:     [][]string{{"you", n, you}, {"industry", "9000", ind}},
			Chart:    Chart{Kind: "table"},
			Insights: []InsightRule{{Rule: "behind_industry", Column: "success_rate", Count: "requests"}}}
	}
	for _, tt := range []struct {
		name, you, ind, n string
		want              string
		impact            float64
	}{
		{"2.5 points behind", "0.950", "0.975", "400", "−2.5 points", 10},
		{"1.9 points behind: not enough", "0.956", "0.975", "400", "", 0},
		{"ahead", "0.990", "0.975", "400", "", 0},
		{"a small sample is never called out", "0.5", "0.975", "29", "", 0},
		{"industry withheld", "0.5", "", "400", "", 0},
	} {
		got := runRule(t, summary(tt.you, tt.ind, tt.n))
		switch {
		case tt.want == "" && len(got) != 0:
			t.Errorf("%s: called out %+v", tt.name, got)
		case tt.want != "" && (len(got) != 1 || got[0].Figure != tt.want || math.Abs(got[0].Impact-tt.impact) > 1e-9):
			t.Errorf("%s: %+v, want figure %q impact %v", tt.name, got, tt.want, tt.impact)
		}
	}
	// a time: 3 s against 1.5 s is twice industry's; half the time is the excess
	rtt := View{ID: "rtt", Kind: "rtt", Header: []string{"scope", "requests", "median_ms"},
		Rows: [][]string{{"you", "100", "3000"}, {"industry", "5000", "1500"}}, Chart: Chart{Kind: "table"},
		Insights: []InsightRule{{Rule: "behind_industry", Column: "median_ms", Count: "requests"}}}
	got := runRule(t, rtt)
	if len(got) != 1 || got[0].Figure != "2.0× industry" || got[0].Impact != 50 ||
		!strings.Contains(got[0].Text, "Median (ms) 3,000 ms against 1,500 ms for industry") {
		t.Errorf("rtt call-out: %+v", got)
	}
	rtt.Rows[0][2] = "2200" // 1.47×: under the ratio
	if got := runRule(t, rtt); len(got) != 0 {
		t.Errorf("1.47× industry called out: %+v", got)
	}
}

func TestSegmentFailures(t *testing.T) {
	row := func(outcome, model, fw, region, n string) []string { return []string{outcome, model, fw, region, n} }
	svp := View{ID: "svp", Kind: "svp", Header: []string{"outcome", "device_model", "device_firmware", "region", "requests"},
		Chart: Chart{Kind: "table"},
		Insights: []InsightRule{{Rule: "segment_failures", Count: "requests", Failed: "failure",
			By: []string{"device_model", "device_firmware", "region"}}},
		// 1000 requests, 40 failed: 4% on average. Model B fails 30 of 200
		// (15%), all on firmware 2.0 (30 of 100, 30%); region South 27 of
		// 207 (13.0%); model C fails 2 of 10: 20% but a small sample.
		Rows: [][]string{
			row("success", "A", "1.0", "North", "680"), row("failure", "A", "1.0", "North", "8"),
			row("success", "B", "1.0", "North", "100"),
			row("success", "B", "2.0", "South", "70"), row("failure", "B", "2.0", "South", "25"), row("failure", "B", "2.0", "North", "5"),
			row("success", "C", "1.0", "South", "8"), row("failure", "C", "1.0", "South", "2"),
			row("success", "A", "1.0", "South", "102"),
		}}
	got := runRule(t, svp)
	var figures []string
	for _, x := range got {
		figures = append(figures, x.Figure+": "+x.Text)
	}
	// model B's call-out gives way to its one failing firmware
	want := []string{
		"30.0% failed: Device model B, firmware 2.0 failed 30.0% of 100 requests, against your average of 4.0% (30 failed).",
		"13.0% failed: Region South failed 13.0% of 207 requests, against your average of 4.0% (27 failed).",
	}
	if !slices.Equal(figures, want) {
		t.Errorf("call-outs:\n%s\nwant:\n%s", strings.Join(figures, "\n"), strings.Join(want, "\n"))
	}
	// ranked by failures beyond the average: 30 − 100 × 0.04 = 26 first,
	// then 27 − 207 × 0.04 = 18.72
	if len(got) == 2 && (math.Abs(got[0].Impact-26) > 1e-9 || math.Abs(got[1].Impact-18.72) > 1e-9) {
		t.Errorf("impacts %v, %v; want 26 and 18.72", got[0].Impact, got[1].Impact)
	}
}

func TestHeadlineMarks(t *testing.T) {
	in := &Input{MinPeers: 5, Columns: testColumns, Insights: testPolicy}
	rep := &reportPlan{url: "/IS/srvs-all.html"}
	view := func(col string, you, ind string) *viewPlan {
		return &viewPlan{in: View{ID: "summary", Header: []string{"scope", col}, Rows: [][]string{{"you", you}, {"industry", ind}}}}
	}
	for _, tt := range []struct {
		col, you, ind, mark, text string
	}{
		{"success_rate", "0.968", "0.929", "better", "Better: 3.9 points above industry’s 92.9%"},
		{"success_rate", "0.900", "0.929", "worse", "Worse: 2.9 points below industry’s 92.9%"},
		{"success_rate", "0.930", "0.929", "level", "Level with industry (92.9%)"},
		{"median_ms", "3000", "2000", "worse", "Worse: 50% higher than industry’s 2,000 ms"},
		{"median_ms", "1500", "2000", "better", "Better: 25% lower than industry’s 2,000 ms"},
		{"median_ms", "2040", "2000", "level", "Level with industry (2,000 ms)"},
		{"median_ms", "2040", "", "withheld", "Industry figure withheld: fewer than 5 other parties contributed."},
	} {
		f, err := headlineOf(in, rep, view(tt.col, tt.you, tt.ind), Headline{Label: "x", Column: tt.col, From: "scope"})
		if err != nil {
			t.Fatal(err)
		}
		if f.Mark != tt.mark || f.MarkText != tt.text || f.Href != "/IS/srvs-all.html#view-summary" {
			t.Errorf("%s you %s industry %s: %q %q, want %q %q", tt.col, tt.you, tt.ind, f.Mark, f.MarkText, tt.mark, tt.text)
		}
	}
	// sums and distinct counts have nothing to compare with
	ex := &viewPlan{in: View{ID: "exceptions", Header: []string{"device_id", "reason"},
		Rows: [][]string{{"d1", "cpl-expiry"}, {"d1", "cert-expiry"}, {"d2", "cpl-expiry"}}}}
	f, err := headlineOf(in, rep, ex, Headline{Column: "device_id", From: "distinct"})
	if err != nil || f.You != "2" || f.Mark != "none" {
		t.Errorf("distinct devices: %+v, %v", f, err)
	}
	if _, err := headlineOf(in, rep, ex, Headline{Column: "nope", From: "sum"}); err == nil || !strings.Contains(err.Error(), `no column "nope"`) {
		t.Errorf("a missing column: %v", err)
	}
}
