package site

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// chartOption builds a view's charts and decodes the first one's options
// and meta from its script.
func chartOption(t *testing.T, in *Input, v View) (map[string]any, chartMeta) {
	t.Helper()
	env, err := newChartEnv(in)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := buildCharts(env, "c0", v)
	if err != nil {
		t.Fatal(err)
	}
	js := string(cs[0].js)
	js = strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(js, `carport.view("c0-0", `)), ");")
	dec := json.NewDecoder(strings.NewReader("[" + js + "]"))
	var parts []json.RawMessage
	if err := dec.Decode(&parts); err != nil || len(parts) != 2 {
		t.Fatalf("script %s: %v", cs[0].js, err)
	}
	var opt map[string]any
	var meta chartMeta
	if err := json.Unmarshal(parts[0], &opt); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(parts[1], &meta); err != nil {
		t.Fatal(err)
	}
	return opt, meta
}

// item is a series' data item as an object: a bare value v is {"value": v}.
func item(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	return map[string]any{"value": v}
}

func first(v any) map[string]any {
	if l, ok := v.([]any); ok {
		return l[0].(map[string]any)
	}
	return v.(map[string]any)
}

func TestDailyChartTimeAxisGapsAndBands(t *testing.T) {
	in := &Input{Period: "2026-10", Columns: testColumns, Insights: testPolicy, Incidents: []Incident{
		{ID: "INC-1", Start: "2026-10-07T08:00:00+01:00", End: "2026-10-07T14:30:00+01:00", Dates: []string{"2026-10-07"}},
		// overlaps INC-1: one band naming both
		{ID: "INC-2", Start: "2026-10-07T12:00:00+01:00", End: "2026-10-08T02:00:00+01:00", Dates: []string{"2026-10-07", "2026-10-08"}},
		// the clocks went back on the 25th: still UK wall time
		{ID: "INC-3", Start: "2026-10-26T09:00:00Z", End: "", Dates: []string{"2026-10-26", "2026-10-27"}},
		// not on a marked day of this view
		{ID: "INC-9", Start: "2026-10-02T09:00:00+01:00", End: "2026-10-02T10:00:00+01:00", Dates: []string{"2026-10-02"}},
	}}
	v := View{ID: "daily", Header: []string{"date", "requests", "success_rate", "industry_success_rate"},
		Rows: [][]string{{"2026-10-01", "10", "0.9", "0.95"}, {"2026-10-03", "500", "0.92", "0.95"}, {"2026-10-07", "400", "0.8", "0.9"}},
		Chart: Chart{Kind: "line", X: "date", Series: []string{"success_rate", "industry_success_rate"}, Percent: true, Sample: "requests",
			MarkDays: []string{"2026-10-07", "2026-10-08", "2026-10-26"}}}
	opt, meta := chartOption(t, in, v)
	if x := first(opt["xAxis"]); x["type"] != "time" {
		t.Errorf("x axis %v, want time", x["type"])
	}
	if y := first(opt["yAxis"]); y["max"] != 1.0 {
		t.Errorf("rate axis max %v, want 1 (100%%)", y["max"])
	}
	if dz, _ := opt["dataZoom"].([]any); len(dz) != 2 {
		t.Errorf("dataZoom %v, want inside and slider", opt["dataZoom"])
	}
	s0 := first(opt["series"])
	data := s0["data"].([]any)
	if len(data) != 31 {
		t.Fatalf("%d points, want one per day of October", len(data))
	}
	// the 2nd had no requests: a gap, not a zero; the 1st is a small sample
	if v := item(data[1])["value"].([]any); v[0] != "2026-10-02" || v[1] != "-" {
		t.Errorf("2 October = %v, want a gap", v)
	}
	if d := item(data[0]); d["symbol"] != "emptyTriangle" {
		t.Errorf("1 October (10 requests) is not marked small: %v", d)
	}
	if d, ok := data[2].([]any); !ok || len(d) != 2 || d[0] != "2026-10-03" || d[1] != 0.92 {
		t.Errorf("3 October (500 requests) = %v, want the bare point [2026-10-03 0.92]: not marked", data[2])
	}
	if meta.Small["2026-10-01"] != 10 || len(meta.Small) != 1 || meta.Sample != "requests" || !meta.Time {
		t.Errorf("meta = %+v", meta)
	}
	ma := s0["markArea"].(map[string]any)["data"].([]any)
	var bands []string
	for _, b := range ma {
		pair := b.([]any)
		a, z := pair[0].(map[string]any), pair[1].(map[string]any)
		bands = append(bands, a["name"].(string)+" "+a["xAxis"].(string)+" → "+z["xAxis"].(string)+" "+a["label"].(map[string]any)["position"].(string))
	}
	want := []string{
		"INC-1, INC-2 2026-10-07 08:00:00 → 2026-10-08 02:00:00 insideTop",
		"INC-3 2026-10-26 09:00:00 → 2026-11-01 00:00:00 insideBottom",
	}
	if strings.Join(bands, "\n") != strings.Join(want, "\n") {
		t.Errorf("bands:\n%s\nwant:\n%s", strings.Join(bands, "\n"), strings.Join(want, "\n"))
	}
}

func TestDurationsOnALogAxis(t *testing.T) {
	in := &Input{Period: "2026-10", Columns: testColumns}
	v := View{ID: "rtt", Header: []string{"scope", "best_ms", "worst_ms"}, Rows: [][]string{{"you", "117", "90063"}, {"industry", "0", "120000"}},
		Chart: Chart{Kind: "bar", X: "scope", Series: []string{"best_ms", "worst_ms"}}}
	opt, meta := chartOption(t, in, v)
	if y := first(opt["yAxis"]); y["type"] != "log" || !meta.Log {
		t.Errorf("117 ms and 90,063 ms on a %v axis", y["type"])
	}
	// 0 ms has no place on a log axis: left out, the table keeps it
	if d := item(first(opt["series"])["data"].([]any)[1]); d["value"] != "-" {
		t.Errorf("0 ms on the log axis: %v", d)
	}
	v.Rows = [][]string{{"you", "900", "4000"}, {"industry", "1000", "5000"}}
	opt, _ = chartOption(t, in, v)
	if y := first(opt["yAxis"]); y["type"] == "log" {
		t.Errorf("900 to 5,000 ms on a log axis")
	}
}

func TestCountsAndLeague(t *testing.T) {
	in := &Input{Period: "2026-10", Columns: testColumns}
	v := View{ID: "league", Header: []string{"rank", "party", "success_rate"}, Rows: [][]string{{"1", "", "0.99"}, {"2", "Me", "0.98"}},
		Chart: Chart{Kind: "bar", X: "rank", Series: []string{"success_rate"}, Highlight: "party", Percent: true}}
	opt, _ := chartOption(t, in, v)
	d := first(opt["series"])["data"].([]any)
	if l := d[1].(map[string]any)["label"].(map[string]any); l["formatter"] != "you" || l["show"] != true {
		t.Errorf("own bar label %v", l)
	}
	if d[0] != 0.99 {
		t.Errorf("a peer's bar is %v, want the bare value 0.99 (no label, no style)", d[0])
	}
	c := View{ID: "by", Header: []string{"device_model", "alerts"}, Rows: [][]string{{"M1", "3"}, {"M2", "1"}},
		Chart: Chart{Kind: "bar", X: "device_model", Series: []string{"alerts"}}}
	opt, _ = chartOption(t, in, c)
	if y := first(opt["yAxis"]); y["minInterval"] != 1.0 {
		t.Errorf("count axis minInterval %v, want 1 (whole numbers)", y["minInterval"])
	}
}

func TestStackedFirmwareByRankAndFold(t *testing.T) {
	in := &Input{Period: "2026-10", Columns: map[string]Column{"firmware_version": {Label: "Firmware", Format: "text"}, "devices": {Label: "Devices", Format: "count"}}}
	// two models, each with its own firmware: stacked by rank in the model
	v := View{ID: "models", Header: []string{"device_model", "firmware_version", "devices"},
		Rows:  [][]string{{"A", "1.9.2", "5"}, {"A", "1.10.0", "7"}, {"B", "04.10", "2"}, {"B", "04.12", "3"}, {"B", "03.9", "1"}},
		Chart: Chart{Kind: "bar", X: "device_model", Series: []string{"devices"}, SeriesFrom: "firmware_version", Stack: true}}
	opt, _ := chartOption(t, in, v)
	var names []string
	for _, s := range opt["series"].([]any) {
		names = append(names, s.(map[string]any)["name"].(string))
	}
	if strings.Join(names, "|") != "Highest firmware|2nd highest firmware|3rd highest firmware" {
		t.Errorf("series %q", names)
	}
	top := opt["series"].([]any)[0].(map[string]any)["data"].([]any)
	if a, b := top[0].(map[string]any), top[1].(map[string]any); a["name"] != "1.10.0" || a["value"] != 7.0 || b["name"] != "04.12" || b["value"] != 3.0 {
		t.Errorf("highest firmware per model: %v, %v", a, b)
	}
	// ten firmware shared by every category: the largest seven keep
	// their colour, the rest add up to Other
	var rows [][]string
	for _, x := range []string{"you", "industry"} {
		for f := 1; f <= 10; f++ {
			rows = append(rows, []string{x, "f" + strconv.Itoa(f), strconv.FormatFloat(float64(f)/55, 'f', 6, 64)})
		}
	}
	share := View{ID: "share", Header: []string{"series", "firmware_version", "share"}, Rows: rows,
		Chart: Chart{Kind: "bar", X: "series", Series: []string{"share"}, SeriesFrom: "firmware_version", Stack: true, Percent: true}}
	opt, _ = chartOption(t, in, share)
	ss := opt["series"].([]any)
	last := ss[len(ss)-1].(map[string]any)
	colours := opt["color"].([]any)
	if len(ss) != 8 || last["name"] != "Other (3 more)" || colours[7] != colourOther {
		t.Fatalf("%d series, last %v, colours %v", len(ss), last["name"], colours)
	}
	seen := map[any]bool{}
	for _, c := range colours {
		if seen[c] {
			t.Errorf("colour %v repeats in one chart", c)
		}
		seen[c] = true
	}
	// f1..f3 folded: (1+2+3)/55 of each bar
	if v := item(last["data"].([]any)[0])["value"].(float64); math.Abs(v-6.0/55) > 1e-5 {
		t.Errorf("Other = %v, want %v", v, 6.0/55)
	}
}

func TestVersionLess(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"1.9.2", "1.10.0", true}, {"1.10.0", "1.9.2", false}, {"04.10", "04.12", true}, {"3.1.0", "3.1", false},
		{"3.1", "3.1.0", true}, {"S1-7.4", "S1-7.10", true}, {"a", "b", true}, {"2.0", "2.0", false},
	} {
		if got := versionLess(tt.a, tt.b); got != tt.want {
			t.Errorf("versionLess(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

// TestContrast pins the WCAG 2.1 AA contrast of the site's colours: text
// 4.5:1 against its background, chart colours, focus rings and control
// borders 3:1 against what they sit on.
func TestContrast(t *testing.T) {
	css, err := os.ReadFile(filepath.Join(repoDir(t), "templates", "static", "assets", "site.css"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"white": "#ffffff"}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-f]{6});`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	text := [][2]string{
		{"ink", "bg"}, {"ink", "panel"}, {"muted", "bg"}, {"muted", "panel"}, {"link", "bg"}, {"link", "panel"},
		{"warn-ink", "warn-bg"}, {"better", "bg"}, {"worse", "bg"}, {"worse", "worse-bg"}, {"white", "brand"},
		{"brand", "bg"}, {"ink", "accent-bg"}, {"muted", "worse-bg"}, {"link", "worse-bg"},
	}
	for _, p := range text {
		a, b := vars[p[0]], vars[p[1]]
		if a == "" || b == "" {
			t.Fatalf("site.css lacks --%s or --%s", p[0], p[1])
		}
		if r := contrast(a, b); r < 4.5 {
			t.Errorf("text --%s on --%s: %.2f:1, want 4.5:1", p[0], p[1], r)
		}
	}
	for _, p := range [][2]string{{"focus", "bg"}, {"focus", "panel"}, {"focus-dark", "brand"}, {"warn-line", "warn-bg"}, {"accent", "accent-bg"}} {
		if r := contrast(vars[p[0]], vars[p[1]]); r < 3 {
			t.Errorf("--%s on --%s: %.2f:1, want 3:1", p[0], p[1], r)
		}
	}
	for _, c := range append(append([]string{}, palette...), colourAccent, colourOther, colourMark) {
		if r := contrast(c, "#ffffff"); r < 3 {
			t.Errorf("chart colour %s on white: %.2f:1, want 3:1", c, r)
		}
	}
	seen := map[string]bool{colourAccent: true, colourOther: true}
	for _, c := range palette {
		if seen[c] {
			t.Errorf("palette colour %s repeats or is the accent or Other", c)
		}
		seen[c] = true
	}
}

// contrast is the WCAG 2.1 contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	lum := func(hex string) float64 {
		var rgb [3]float64
		for i := range rgb {
			v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
			c := float64(v) / 255
			if c <= 0.03928 {
				rgb[i] = c / 12.92
			} else {
				rgb[i] = math.Pow((c+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}
