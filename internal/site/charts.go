package site

// Charts are built with go-echarts as option objects only; go-echarts' own
// HTML rendering (which points at a CDN) is never used. Each chart becomes a
// classic script statement carport.view(id, options, meta) that the site JS
// hands to echarts.init: classic scripts load on file://, fetch would not.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Colours of the site palette; the recipient's own bar is the accent.
const (
	colourAccent = "#c2410c"
	colourMark   = "#b91c1c"
)

var palette = []string{"#1d4ed8", "#0f766e", "#a16207", "#7c3aed", "#be185d", "#475569", "#15803d", "#b45309"}

// chartMeta is what the site JS needs beyond the ECharts options: axis
// formatting it must supply as functions.
type chartMeta struct {
	Percent bool `json:"percent,omitempty"`
}

// buildCharts turns a view into one chart, or one per GroupBy value.
func buildCharts(prefix string, v View) ([]chartPlan, error) {
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
	hi, gi, fi := -1, -1, -1
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
		cp := chartPlan{div: fmt.Sprintf("%s-%d", prefix, g), title: names[g]}
		var cats []string
		var series []seriesData
		if fi >= 0 {
			cats, series = pivot(rows, xi, si[0], fi)
		} else {
			cats, series = columns(rows, v.Header, xi, si, hi)
		}
		opt, err := chartOptions(c, cats, series)
		if err != nil {
			return nil, err
		}
		meta, err := json.Marshal(chartMeta{Percent: c.Percent})
		if err != nil {
			return nil, err
		}
		id, _ := json.Marshal(cp.div)
		var b bytes.Buffer
		fmt.Fprintf(&b, "carport.view(%s, %s, %s);\n", id, bytes.TrimSpace(opt), meta)
		cp.js = b.Bytes()
		cp.label = summary(v, c, cp.title, cats, series)
		out = append(out, cp)
	}
	return out, nil
}

// seriesData is one plotted series: values per category (nil = gap) and
// the category indexes to emphasise.
type seriesData struct {
	name   string
	values []*float64
	own    map[int]bool
}

func parseCell(s string) *float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil
	}
	return &f
}

// columns reads one series per named column, in row order.
func columns(rows [][]string, header []string, xi int, si []int, hi int) ([]string, []seriesData) {
	cats := make([]string, len(rows))
	series := make([]seriesData, len(si))
	for k, c := range si {
		series[k] = seriesData{name: header[c], values: make([]*float64, len(rows)), own: map[int]bool{}}
	}
	for r, row := range rows {
		cats[r] = row[xi]
		for k, c := range si {
			series[k].values[r] = parseCell(row[c])
			if hi >= 0 && strings.TrimSpace(row[hi]) != "" {
				series[k].own[r] = true
			}
		}
	}
	return cats, series
}

// pivot makes one series per distinct value of column fi, categories being
// the distinct values of column xi, both in order of first appearance.
func pivot(rows [][]string, xi, vi, fi int) ([]string, []seriesData) {
	catAt := map[string]int{}
	var cats []string
	serAt := map[string]int{}
	var series []seriesData
	for _, row := range rows {
		if _, ok := catAt[row[xi]]; !ok {
			catAt[row[xi]] = len(cats)
			cats = append(cats, row[xi])
		}
		if _, ok := serAt[row[fi]]; !ok {
			serAt[row[fi]] = len(series)
			series = append(series, seriesData{name: row[fi], own: map[int]bool{}})
		}
	}
	for i := range series {
		series[i].values = make([]*float64, len(cats))
	}
	for _, row := range rows {
		series[serAt[row[fi]]].values[catAt[row[xi]]] = parseCell(row[vi])
	}
	return cats, series
}

// chartOptions builds the ECharts option object with go-echarts.
func chartOptions(c Chart, cats []string, series []seriesData) ([]byte, error) {
	global := []charts.GlobalOpts{
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(series) > 1), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "36", Bottom: "30", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Name: c.X, NameLocation: "middle", NameGap: 28}),
		charts.WithColorsOpts(opts.Colors(palette)),
	}
	marks := markDays(c.MarkDays, cats)
	stack := ""
	if c.Stack {
		stack = "total"
	}
	switch c.Kind {
	case "bar":
		ch := charts.NewBar()
		ch.SetGlobalOptions(global...)
		ch.SetXAxis(cats)
		for k, s := range series {
			data := make([]opts.BarData, len(s.values))
			for i, v := range s.values {
				data[i] = opts.BarData{Value: value(v)}
				if s.own[i] {
					data[i].ItemStyle = &opts.ItemStyle{Color: colourAccent, BorderColor: "#7c2d12", BorderWidth: 1}
					data[i].Name = "you"
				}
			}
			so := []charts.SeriesOpts{charts.WithBarChartOpts(opts.BarChart{Stack: stack})}
			if k == 0 && len(marks) > 0 {
				so = append(so, marks...)
			}
			ch.AddSeries(s.name, data, so...)
		}
		ch.Validate()
		return json.Marshal(ch.JSON())
	case "line":
		ch := charts.NewLine()
		// Lines show change over time: the y axis fits the data rather
		// than starting at zero (bars always start at zero).
		ch.SetGlobalOptions(append(global, charts.WithYAxisOpts(opts.YAxis{Scale: opts.Bool(!c.Stack)}))...)
		ch.SetXAxis(cats)
		for k, s := range series {
			data := make([]opts.LineData, len(s.values))
			for i, v := range s.values {
				data[i] = opts.LineData{Value: value(v)}
			}
			so := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{Stack: stack, ConnectNulls: opts.Bool(false)})}
			if c.Stack {
				so = append(so, charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.6)}))
			}
			if k == 0 && len(marks) > 0 {
				so = append(so, marks...)
			}
			ch.AddSeries(s.name, data, so...)
		}
		ch.Validate()
		return json.Marshal(ch.JSON())
	}
	return nil, fmt.Errorf("chart kind %q, want bar or line", c.Kind)
}

// value is a data value: the number, or ECharts' "-" for a gap.
func value(v *float64) any {
	if v == nil {
		return "-"
	}
	return *v
}

// markDays draws a labelled vertical line on every listed day that is a
// category of the chart (incident days on daily views).
func markDays(days, cats []string) []charts.SeriesOpts {
	have := map[string]bool{}
	for _, c := range cats {
		have[c] = true
	}
	var items []opts.MarkLineNameXAxisItem
	for _, d := range days {
		if have[d] {
			items = append(items, opts.MarkLineNameXAxisItem{Name: "incident", XAxis: d})
		}
	}
	if len(items) == 0 {
		return nil
	}
	return []charts.SeriesOpts{
		charts.WithMarkLineNameXAxisItemOpts(items...),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{
			Symbol:    []string{"none", "none"},
			Label:     &opts.Label{Show: opts.Bool(true), Formatter: "incident", Color: colourMark},
			LineStyle: &opts.LineStyle{Color: colourMark, Type: "dashed", Width: 2},
		}),
	}
}

// summary is the text alternative of a chart, read by screen readers.
func summary(v View, c Chart, group string, cats []string, series []seriesData) string {
	var b strings.Builder
	kind := "Bar chart"
	if c.Kind == "line" {
		kind = "Line chart"
	}
	title := v.Title
	if title == "" {
		title = v.ID
	}
	fmt.Fprintf(&b, "%s: %s", kind, title)
	if group != "" {
		fmt.Fprintf(&b, " (%s %s)", c.GroupBy, group)
	}
	names := make([]string, len(series))
	for i, s := range series {
		names[i] = s.name
	}
	fmt.Fprintf(&b, ", %s by %s, %d points.", strings.Join(names, ", "), c.X, len(cats))
	for _, s := range series {
		for i := range s.values {
			if s.own[i] && s.values[i] != nil {
				fmt.Fprintf(&b, " Your %s: %s.", s.name, format(*s.values[i], c.Percent))
			}
		}
	}
	for _, s := range series {
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
			fmt.Fprintf(&b, " %s ranges from %s to %s.", s.name, format(lo, c.Percent), format(hi, c.Percent))
		}
	}
	if len(c.MarkDays) > 0 {
		fmt.Fprintf(&b, " Incident days marked: %s.", strings.Join(c.MarkDays, ", "))
	}
	b.WriteString(" The table below holds every value.")
	return b.String()
}

func format(f float64, percent bool) string {
	if percent {
		return strconv.FormatFloat(f*100, 'f', 2, 64) + "%"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
