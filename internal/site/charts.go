package site

// Charts are built with go-echarts as option objects only; go-echarts' own
// HTML rendering (which points at a CDN) is never used. Each chart becomes a
// classic script statement carport.view(id, options, meta) that the site JS
// hands to echarts.init: classic scripts load on file://, fetch would not.
//
// What a reader must be able to trust in every chart: rate axes stop at
// 100%, counts are whole numbers, durations spanning orders of magnitude
// sit on a log axis (best and worst both visible), days are on a time
// axis so a day without traffic is a gap, incidents are shaded bands that
// never overlap, the recipient's bar says "you", no colour repeats inside
// a chart (a long tail folds into "Other"), and points resting on few
// events are marked as small samples.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Colours of the site palette. Every colour has at least 3:1 contrast
// against the white chart background (WCAG 2.1 non-text contrast; pinned
// by a test) and the eight are told apart by hue and lightness. The
// recipient's own bar takes the accent, never used for a series.
const (
	colourAccent = "#c2410c"
	colourOther  = "#6b7280"
	colourBand   = "rgba(185, 28, 28, 0.10)"
	colourMark   = "#b91c1c"
)

var palette = []string{"#1d4ed8", "#0f766e", "#9333ea", "#a16207", "#be185d", "#15803d", "#0e7490", "#7c2d12"}

// logSpan is the ratio of the largest to the smallest duration above
// which a duration axis becomes logarithmic.
const logSpan = 20

// chartMeta is what the site JS needs beyond the ECharts options: how to
// format values (as functions it supplies), and which points are small
// samples.
type chartMeta struct {
	Format string `json:"format,omitempty"` // column format of the series
	Time   bool   `json:"time,omitempty"`   // time axis with a zoom
	Log    bool   `json:"log,omitempty"`    // logarithmic value axis
	// Small maps an x value (category or day) to the events behind it,
	// for the points under the small-sample threshold.
	Small  map[string]int64 `json:"small,omitempty"`
	Sample string           `json:"sample,omitempty"` // what the events are ("requests")
}

// chartEnv is what every chart of a site shares.
type chartEnv struct {
	in        *Input
	days      []string // every day of the period, "2026-10-01"
	incidents []Incident
	minEvents int // small-sample threshold; 0: none marked
}

func newChartEnv(in *Input) (*chartEnv, error) {
	env := &chartEnv{in: in, incidents: in.Incidents}
	if in.Insights != nil {
		env.minEvents = in.Insights.SmallSampleEvents
	}
	start, err := time.Parse("2006-01", in.Period)
	if err != nil {
		return nil, fmt.Errorf("input: period %q is not YYYY-MM", in.Period)
	}
	for d := start; d.Month() == start.Month(); d = d.AddDate(0, 0, 1) {
		env.days = append(env.days, d.Format("2006-01-02"))
	}
	return env, nil
}

// series is one plotted series: values per category (nil = gap) and the
// category indexes to emphasise.
type series struct {
	name   string // label shown
	values []*float64
	own    map[int]bool
	total  float64
	// items names each value (a model's firmware) when the series is a
	// rank rather than one value of the pivot column (see byRank)
	items []string
}

// buildCharts turns a view into one chart, or one per GroupBy value.
func buildCharts(env *chartEnv, prefix string, v View) ([]chartPlan, error) {
	c := v.Chart
	col := func(name, what string) (int, error) {
		for i, h := range v.Header {
			if h == name {
				return i, nil
			}
		}
		return -1, fmt.Errorf("chart %s column %q is not in the header", what, name)
	}
	xi, err := col(c.X, "x")
	if err != nil {
		return nil, err
	}
	if len(c.Series) == 0 {
		return nil, fmt.Errorf("chart has no series")
	}
	var si []int
	for _, s := range c.Series {
		i, err := col(s, "series")
		if err != nil {
			return nil, err
		}
		si = append(si, i)
	}
	hi, gi, fi, ni := -1, -1, -1, -1
	if c.Highlight != "" {
		if hi, err = col(c.Highlight, "highlight"); err != nil {
			return nil, err
		}
	}
	if c.GroupBy != "" {
		if gi, err = col(c.GroupBy, "group-by"); err != nil {
			return nil, err
		}
	}
	if c.SeriesFrom != "" {
		if len(si) != 1 {
			return nil, fmt.Errorf("chart pivots series from %q but names %d series, want 1", c.SeriesFrom, len(si))
		}
		if fi, err = col(c.SeriesFrom, "series-from"); err != nil {
			return nil, err
		}
	}
	if c.Sample != "" {
		if ni, err = col(c.Sample, "sample"); err != nil {
			return nil, err
		}
	}
	format := env.in.column(c.Series[0]).Format
	if c.Percent {
		format = fmtPercent
	}
	timeAxis := c.Kind == "line" && env.in.column(c.X).Format == fmtDate && gi < 0 && fi < 0

	groups, names := [][][]string{v.Rows}, []string{""}
	if gi >= 0 {
		groups, names = nil, nil
		at := map[string]int{}
		for _, r := range v.Rows {
			k := r[gi]
			i, ok := at[k]
			if !ok {
				i = len(groups)
				at[k] = i
				groups = append(groups, nil)
				names = append(names, k)
			}
			groups[i] = append(groups[i], r)
		}
	}

	var out []chartPlan
	for g, rows := range groups {
		title := names[g]
		if _, ok := env.in.Columns[title]; ok {
			title = env.in.column(title).Label // a dimension's machine name
		}
		cp := chartPlan{div: fmt.Sprintf("%s-%d", prefix, g), title: title}
		var cats []string
		var ss []series
		folded := 0
		if fi >= 0 {
			cats, ss = pivot(rows, xi, si[0], fi)
			if c.Stack && len(ss) > maxPerCategory(rows, xi) {
				// the categories do not share their values (every model
				// has its own firmware): stack each one's values by rank,
				// so colours mean the same in every bar and never run out
				cats, ss = byRank(rows, xi, si[0], fi, env.in.column(c.SeriesFrom).Label)
			}
			ss, folded = fold(ss, c.Stack)
		} else {
			cats, ss = columns(env.in, rows, v.Header, xi, si, hi)
		}
		meta := chartMeta{Format: format, Time: timeAxis}
		if ni >= 0 && env.minEvents > 0 {
			meta.Sample = strings.ToLower(env.in.column(c.Sample).Label)
			for r, row := range rows {
				n, err := strconv.ParseInt(strings.TrimSpace(row[ni]), 10, 64)
				if err == nil && n < int64(env.minEvents) {
					if meta.Small == nil {
						meta.Small = map[string]int64{}
					}
					meta.Small[row[xi]] = n
					_ = r
				}
			}
		}
		if format == fmtMS && !c.Stack {
			meta.Log = spansOrders(ss)
		}
		opt, err := env.options(c, format, cats, ss, meta, timeAxis)
		if err != nil {
			return nil, err
		}
		metaJS, err := json.Marshal(meta)
		if err != nil {
			return nil, err
		}
		id, _ := json.Marshal(cp.div)
		var b bytes.Buffer
		fmt.Fprintf(&b, "carport.view(%s, %s, %s);\n", id, bytes.TrimSpace(opt), metaJS)
		cp.js = b.Bytes()
		cp.label = summary(env.in, v, format, cp.title, cats, ss, folded, meta)
		out = append(out, cp)
	}
	return out, nil
}

func parseCell(s string) *float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// columns reads one series per named column, in row order.
func columns(in *Input, rows [][]string, header []string, xi int, si []int, hi int) ([]string, []series) {
	cats := make([]string, len(rows))
	ss := make([]series, len(si))
	for k, c := range si {
		ss[k] = series{name: in.column(header[c]).Label, values: make([]*float64, len(rows)), own: map[int]bool{}}
	}
	for r, row := range rows {
		cats[r] = row[xi]
		for k, c := range si {
			ss[k].values[r] = parseCell(row[c])
			if p := ss[k].values[r]; p != nil {
				ss[k].total += *p
			}
			if hi >= 0 && strings.TrimSpace(row[hi]) != "" {
				ss[k].own[r] = true
			}
		}
	}
	return cats, ss
}

// pivot makes one series per distinct value of column fi, categories being
// the distinct values of column xi, both in order of first appearance.
func pivot(rows [][]string, xi, vi, fi int) ([]string, []series) {
	catAt := map[string]int{}
	var cats []string
	serAt := map[string]int{}
	var ss []series
	for _, row := range rows {
		if _, ok := catAt[row[xi]]; !ok {
			catAt[row[xi]] = len(cats)
			cats = append(cats, row[xi])
		}
		if _, ok := serAt[row[fi]]; !ok {
			serAt[row[fi]] = len(ss)
			ss = append(ss, series{name: row[fi], own: map[int]bool{}})
		}
	}
	for i := range ss {
		ss[i].values = make([]*float64, len(cats))
	}
	for _, row := range rows {
		s := &ss[serAt[row[fi]]]
		p := parseCell(row[vi])
		s.values[catAt[row[xi]]] = p
		if p != nil {
			s.total += *p
		}
	}
	return cats, ss
}

// byRank stacks, for each category (a model), its values of column fi (its
// firmware versions) from the highest version down: series k is every
// category's k-th highest, and each bar segment is named by its value
// for the tooltip. The colours then mean the same thing in every bar and
// no category disappears into "Other".
func byRank(rows [][]string, xi, vi, fi int, what string) ([]string, []series) {
	catAt := map[string]int{}
	var cats []string
	per := map[int][][2]string{} // category → (value of fi, number)
	for _, row := range rows {
		c, ok := catAt[row[xi]]
		if !ok {
			c = len(cats)
			catAt[row[xi]] = c
			cats = append(cats, row[xi])
		}
		per[c] = append(per[c], [2]string{row[fi], row[vi]})
	}
	var ss []series
	for c := range cats {
		vs := per[c]
		sort.SliceStable(vs, func(a, b int) bool { return versionLess(vs[b][0], vs[a][0]) })
		for k, v := range vs {
			for len(ss) <= k {
				name := ordinal(len(ss)+1) + " highest " + strings.ToLower(what)
				if len(ss) == 0 {
					name = "Highest " + strings.ToLower(what)
				}
				ss = append(ss, series{name: name, values: make([]*float64, len(cats)), items: make([]string, len(cats)), own: map[int]bool{}})
			}
			p := parseCell(v[1])
			ss[k].values[c], ss[k].items[c] = p, v[0]
			if p != nil {
				ss[k].total += *p
			}
		}
	}
	return cats, ss
}

// maxPerCategory is the most rows any one value of column xi has.
func maxPerCategory(rows [][]string, xi int) int {
	n := map[string]int{}
	most := 0
	for _, r := range rows {
		n[r[xi]]++
		most = max(most, n[r[xi]])
	}
	return most
}

func ordinal(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return strconv.Itoa(n) + "th"
	case n%10 == 1:
		return strconv.Itoa(n) + "st"
	case n%10 == 2:
		return strconv.Itoa(n) + "nd"
	case n%10 == 3:
		return strconv.Itoa(n) + "rd"
	}
	return strconv.Itoa(n) + "th"
}

// versionLess orders version strings by their numbers: 1.9.2 < 1.10.0,
// 04.10 < 04.12; text between numbers is compared as text.
func versionLess(a, b string) bool {
	split := func(s string) []string {
		var out []string
		cur, digit := "", false
		for _, r := range s {
			d := r >= '0' && r <= '9'
			if cur != "" && d != digit {
				out = append(out, cur)
				cur = ""
			}
			cur += string(r)
			digit = d
		}
		if cur != "" {
			out = append(out, cur)
		}
		return out
	}
	pa, pb := split(a), split(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, ex := strconv.Atoi(pa[i])
		y, ey := strconv.Atoi(pb[i])
		if ex == nil && ey == nil {
			if x != y {
				return x < y
			}
			continue
		}
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return len(pa) < len(pb)
}

// fold keeps a chart within the palette: beyond len(palette) series, the
// largest len(palette)-1 stay and the rest are added up into "Other" when
// stacked (their sum means something there), or left to the table when
// not. It returns the series and how many were folded away.
func fold(ss []series, stack bool) ([]series, int) {
	if len(ss) <= len(palette) {
		return ss, 0
	}
	keep := len(palette) - 1
	order := make([]int, len(ss))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ss[order[a]].total > ss[order[b]].total })
	kept := map[int]bool{}
	for _, i := range order[:keep] {
		kept[i] = true
	}
	var out []series
	other := series{name: fmt.Sprintf("Other (%d more)", len(ss)-keep), values: make([]*float64, len(ss[0].values)), own: map[int]bool{}}
	if ss[0].items != nil {
		other.name = "Other (lower versions)"
	}
	for i, s := range ss {
		if kept[i] {
			out = append(out, s)
			continue
		}
		for c, p := range s.values {
			if p == nil {
				continue
			}
			if other.values[c] == nil {
				other.values[c] = new(float64)
			}
			*other.values[c] += *p
		}
		other.total += s.total
	}
	if stack {
		out = append(out, other)
	}
	return out, len(ss) - keep
}

// spansOrders reports whether the positive values of ss span more than
// logSpan: the smallest would be a sliver on a linear axis.
func spansOrders(ss []series) bool {
	lo, hi := math.Inf(1), 0.0
	for _, s := range ss {
		for _, p := range s.values {
			if p != nil && *p > 0 {
				lo = math.Min(lo, *p)
				hi = math.Max(hi, *p)
			}
		}
	}
	return hi > 0 && hi/lo >= logSpan
}

// colours gives each series its own palette colour; the folded "Other"
// is grey.
func colours(ss []series) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		if i < len(palette) {
			out[i] = palette[i]
		}
		if strings.HasPrefix(s.name, "Other (") {
			out[i] = colourOther
		}
	}
	return out
}

// options builds the ECharts option object with go-echarts.
func (env *chartEnv) options(c Chart, format string, cats []string, ss []series, meta chartMeta, timeAxis bool) ([]byte, error) {
	xName := env.in.column(c.X).Label
	bottom := "30"
	if timeAxis {
		bottom = "56"
	}
	x := opts.XAxis{Name: xName, NameLocation: "middle", NameGap: 28}
	if timeAxis {
		x.Type = "time"
	}
	y := opts.YAxis{}
	switch {
	case format == fmtPercent:
		// a rate is never above 100%; lines fit the data below it
		y.Max = 1
		if c.Kind == "line" && !c.Stack {
			y.Scale = opts.Bool(true)
		} else {
			y.Min = 0
		}
	case meta.Log:
		y.Type = "log"
		y.Name = "ms, log scale"
	case format == fmtCount || format == fmtRank:
		y.MinInterval = 1
	}
	if c.Kind == "line" && format != fmtPercent && !meta.Log {
		y.Scale = opts.Bool(!c.Stack)
	}
	global := []charts.GlobalOpts{
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		// the legend is drawn in HTML by the site JS, as buttons a keyboard reaches
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "28", Bottom: bottom, ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(x),
		charts.WithYAxisOpts(y),
		charts.WithColorsOpts(opts.Colors(colours(ss))),
	}
	if timeAxis {
		global = append(global, charts.WithDataZoomOpts(
			opts.DataZoom{Type: "inside", XAxisIndex: 0},
			opts.DataZoom{Type: "slider", XAxisIndex: 0},
		))
	}
	stack := ""
	if c.Stack {
		stack = "total"
	}
	val := func(p *float64) any {
		if p == nil || (meta.Log && *p <= 0) {
			return "-"
		}
		return *p
	}
	switch c.Kind {
	case "bar":
		ch := charts.NewBar()
		ch.SetGlobalOptions(global...)
		ch.SetXAxis(cats)
		for k, s := range ss {
			data := make([]opts.BarData, len(s.values))
			for i, p := range s.values {
				data[i] = opts.BarData{Value: val(p)}
				if s.items != nil {
					data[i].Name = s.items[i]
				}
				switch {
				case s.own[i]:
					data[i].ItemStyle = &opts.ItemStyle{Color: colourAccent, BorderColor: "#7c2d12", BorderWidth: 1}
					data[i].Label = &opts.Label{Show: opts.Bool(true), Position: "top", Formatter: "you", Color: "#7c2d12", FontWeight: "bold"}
				case k == 0 && meta.Small[cats[i]] > 0:
					// a small sample: pale, outlined
					data[i].ItemStyle = &opts.ItemStyle{Opacity: opts.Float(0.45), BorderColor: "#374151", BorderWidth: 1}
				}
			}
			ch.AddSeries(s.name, data, charts.WithBarChartOpts(opts.BarChart{Stack: stack}))
		}
		ch.Validate()
		ch.Accept(compactData{})
		return json.Marshal(ch.JSON())
	case "line":
		ch := charts.NewLine()
		ch.SetGlobalOptions(global...)
		if !timeAxis {
			ch.SetXAxis(cats)
		}
		for k, s := range ss {
			var data []opts.LineData
			if timeAxis {
				data = env.daySeries(cats, s, k == 0, meta)
			} else {
				data = make([]opts.LineData, len(s.values))
				for i, p := range s.values {
					data[i] = opts.LineData{Value: val(p)}
				}
			}
			so := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{Stack: stack, ConnectNulls: opts.Bool(false), ShowSymbol: opts.Bool(true)})}
			if c.Stack {
				so = append(so, charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.6)}))
			}
			if k == 0 && timeAxis {
				so = append(so, env.bands(c.MarkDays, cats)...)
			}
			ch.AddSeries(s.name, data, so...)
		}
		ch.Validate()
		ch.Accept(compactData{})
		return json.Marshal(ch.JSON())
	}
	return nil, fmt.Errorf("chart kind %q, want bar or line", c.Kind)
}

// compactData writes a data item that carries nothing but its value as
// the bare value (0.93, or ["2026-10-01", 0.93] on a time axis), which
// ECharts reads exactly as {"value": …}: the wrapper was a third of a
// chart's bytes. Items with a name, a style, a label or a symbol keep
// their object.
type compactData struct {
	charts.BaseConfigurationVisitor
}

// VisitSeriesOpt returns a copy of the series with compacted data.
func (compactData) VisitSeriesOpt(ms charts.MultiSeries) any {
	out := make([]charts.SingleSeries, len(ms))
	for i, s := range ms {
		switch d := s.Data.(type) {
		case []opts.BarData:
			items := make([]any, len(d))
			for k, x := range d {
				items[k] = x
				if x.Name == "" && x.Label == nil && x.ItemStyle == nil && x.Tooltip == nil && x.Value != nil {
					items[k] = x.Value
				}
			}
			s.Data = items
		case []opts.LineData:
			items := make([]any, len(d))
			for k, x := range d {
				items[k] = x
				if x.Name == "" && x.Symbol == "" && x.SymbolSize == 0 && x.XAxisIndex == 0 && x.YAxisIndex == 0 && x.Value != nil {
					items[k] = x.Value
				}
			}
			s.Data = items
		}
		out[i] = s
	}
	return out
}

// daySeries lays a daily series on the period's days: a day without a row
// is a gap, so the line breaks there. Small samples of the party's own
// series are hollow triangles.
func (env *chartEnv) daySeries(cats []string, s series, mine bool, meta chartMeta) []opts.LineData {
	at := make(map[string]*float64, len(cats))
	for i, d := range cats {
		at[d] = s.values[i]
	}
	first, last := 0, len(env.days)-1
	out := make([]opts.LineData, 0, len(env.days))
	for _, d := range env.days[first : last+1] {
		p, ok := at[d]
		var v any = "-"
		if ok && p != nil {
			v = *p
		}
		ld := opts.LineData{Value: []any{d, v}}
		if mine && meta.Small[d] > 0 {
			ld.Symbol, ld.SymbolSize = "emptyTriangle", 11
		}
		out = append(out, ld)
	}
	return out
}

// bands shades the incidents overlapping the marked days, on a time axis.
// Overlapping incidents (and ones closer than a few hours, whose labels
// would collide) merge into one band naming them all; labels alternate
// between the top and the bottom of the plot.
func (env *chartEnv) bands(markDays, cats []string) []charts.SeriesOpts {
	if len(markDays) == 0 {
		return nil
	}
	marked := map[string]bool{}
	for _, d := range markDays {
		marked[d] = true
	}
	const wall = "2006-01-02 15:04:05"
	lo, hi := env.days[0]+" 00:00:00", ""
	if end, err := time.Parse("2006-01-02", env.days[len(env.days)-1]); err == nil {
		hi = end.AddDate(0, 0, 1).Format("2006-01-02") + " 00:00:00"
	}
	type span struct {
		from, to string
		ids      []string
	}
	var spans []span
	for _, inc := range env.incidents {
		hit := false
		for _, d := range inc.Dates {
			hit = hit || marked[d]
		}
		if !hit {
			continue
		}
		// incident times carry the London offset: their wall clock is the
		// axis's, whatever the reader's time zone
		s := span{from: lo, to: hi, ids: []string{inc.ID}}
		if t, err := time.Parse(time.RFC3339, inc.Start); err == nil && t.Format(wall) > lo {
			s.from = t.Format(wall)
		}
		if t, err := time.Parse(time.RFC3339, inc.End); err == nil && t.Format(wall) < hi {
			s.to = t.Format(wall)
		}
		if s.from < s.to {
			spans = append(spans, s)
		}
	}
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].from < spans[b].from })
	merged := []span{spans[0]}
	for _, s := range spans[1:] {
		m := &merged[len(merged)-1]
		if s.from <= addHours(m.to, 6) {
			if s.to > m.to {
				m.to = s.to
			}
			m.ids = append(m.ids, s.ids...)
			continue
		}
		merged = append(merged, s)
	}
	var data [][]opts.MarkAreaData
	for i, m := range merged {
		name := strings.Join(m.ids, ", ")
		if len(m.ids) > 2 {
			name = fmt.Sprintf("%s +%d", m.ids[0], len(m.ids)-1)
		}
		pos := "insideTop"
		if i%2 == 1 {
			pos = "insideBottom"
		}
		data = append(data, []opts.MarkAreaData{
			{Name: name, XAxis: m.from, MarkAreaStyle: opts.MarkAreaStyle{Label: &opts.Label{Show: opts.Bool(true), Position: pos, Color: colourMark, FontSize: 11}}},
			{XAxis: m.to},
		})
	}
	return []charts.SeriesOpts{
		charts.WithMarkAreaData(data...),
		charts.WithMarkAreaStyleOpts(opts.MarkAreaStyle{ItemStyle: &opts.ItemStyle{Color: colourBand, BorderColor: colourMark, BorderWidth: 0.5}}),
	}
}

func addHours(wall string, h int) string {
	t, err := time.Parse("2006-01-02 15:04:05", wall)
	if err != nil {
		return wall
	}
	return t.Add(time.Duration(h) * time.Hour).Format("2006-01-02 15:04:05")
}

// summary is the text alternative of a chart, read by screen readers.
func summary(in *Input, v View, format, group string, cats []string, ss []series, folded int, meta chartMeta) string {
	var b strings.Builder
	kind := "Bar chart"
	if v.Chart.Kind == "line" {
		kind = "Line chart"
	}
	title := v.Title
	if title == "" {
		title = v.ID
	}
	fmt.Fprintf(&b, "%s: %s", kind, title)
	if group != "" {
		fmt.Fprintf(&b, " (%s %s)", in.column(v.Chart.GroupBy).Label, group)
	}
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.name
	}
	fmt.Fprintf(&b, ", %s by %s, %d points.", strings.Join(names, ", "), strings.ToLower(in.column(v.Chart.X).Label), len(cats))
	if folded > 0 {
		fmt.Fprintf(&b, " %d smaller series are folded into Other; the table lists them.", folded)
	}
	for _, s := range ss {
		for i := range s.values {
			if s.own[i] && s.values[i] != nil {
				fmt.Fprintf(&b, " Your %s: %s.", strings.ToLower(s.name), formatValue(*s.values[i], format))
			}
		}
	}
	for _, s := range ss {
		lo, hi, n := 0.0, 0.0, 0
		for _, p := range s.values {
			if p == nil {
				continue
			}
			if n == 0 || *p < lo {
				lo = *p
			}
			if n == 0 || *p > hi {
				hi = *p
			}
			n++
		}
		if n > 0 {
			fmt.Fprintf(&b, " %s ranges from %s to %s.", s.name, formatValue(lo, format), formatValue(hi, format))
		}
	}
	if meta.Log {
		b.WriteString(" The value axis is logarithmic.")
	}
	if len(meta.Small) > 0 {
		fmt.Fprintf(&b, " %d %s rest on fewer than %d %s (small samples).", len(meta.Small), plural(len(meta.Small), "point", "points"), smallOf(in), meta.Sample)
	}
	if len(v.Chart.MarkDays) > 0 {
		fmt.Fprintf(&b, " Incident days shaded: %s.", strings.Join(v.Chart.MarkDays, ", "))
	}
	b.WriteString(" The table below holds every value.")
	return b.String()
}

func smallOf(in *Input) int {
	if in.Insights == nil {
		return 0
	}
	return in.Insights.SmallSampleEvents
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
