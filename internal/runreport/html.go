package runreport

// run.html is run.json for people: one self-contained page, opened from
// disk (file://) or downloaded from the file host's admin pages. ECharts is
// inlined (the copy built into carport), the figures are one JSON value
// the page's script reads, and the page's CSP allows nothing from
// anywhere: no request leaves the file. Every text comes through
// html/template, so a party id or a bad row's example cannot become markup.

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strings"
)

//go:embed page.html
var pageHTML string

var page = template.Must(template.New("run").Funcs(template.FuncMap{
	"bytes":   humanBytes,
	"seconds": func(s float64) string { return fmt.Sprintf("%.2f s", s) },
	"count":   count,
	"percent": func(p *float64) string {
		if p == nil {
			return "new"
		}
		return fmt.Sprintf("%+.1f%%", *p)
	},
	"join": strings.Join,
}).Parse(pageHTML))

// pageData is what the template reads.
type pageData struct {
	R          *Report
	Rows       int64
	Bad        int64
	Outside    int64
	TotalBytes int64
	Kept       int
	Groups     []withheldGroup
	Charts     chartData
	ECharts    template.JS
}

// withheldGroup is the withheld views of one role and definition.
type withheldGroup struct {
	Role, Definition string
	Views            int // (party, view) pairs
	Instances        int // report instances with a view withheld
	Parties          []string
}

// chartData feeds the page's charts (ECharts options are built in the
// page's script from it).
type chartData struct {
	Parties      []string  `json:"parties"`
	BundleMB     []float64 `json:"bundle_mb"`
	Stages       []string  `json:"stages"`
	StageSeconds []float64 `json:"stage_seconds"`
	Files        []string  `json:"files"`
	Rows         []int64   `json:"rows"`
	PrevRows     []int64   `json:"previous_rows,omitempty"`
	PrevPeriod   string    `json:"previous_period,omitempty"`
	Roles        []string  `json:"roles"`
	RoleWithheld []int     `json:"role_withheld"`
}

// HTML renders the report as one page with charts; echarts is the
// ECharts script (echarts.min.js) to inline.
func (r *Report) HTML(echarts []byte) ([]byte, error) {
	if bytes.Contains(echarts, []byte("</script")) {
		return nil, fmt.Errorf("the ECharts script holds </script: it cannot be inlined")
	}
	d := pageData{R: r, Kept: len(r.Kept), ECharts: template.JS(echarts),
		Charts: chartData{Parties: []string{}, BundleMB: []float64{}, Stages: []string{}, StageSeconds: []float64{},
			Files: []string{}, Rows: []int64{}, Roles: []string{}, RoleWithheld: []int{}}}
	for _, q := range r.Quality {
		d.Rows += q.Rows
		d.Bad += q.Bad
		d.Outside += q.OutsidePeriod
		d.Charts.Files = append(d.Charts.Files, q.File)
		d.Charts.Rows = append(d.Charts.Rows, q.Rows)
	}
	if r.Change != nil {
		d.Charts.PrevPeriod = r.Change.Period
		prev := map[string]int64{}
		for _, c := range r.Change.Rows {
			prev[c.File] = c.Previous
		}
		for _, f := range d.Charts.Files {
			d.Charts.PrevRows = append(d.Charts.PrevRows, prev[f])
		}
	}
	for _, b := range r.Bundles {
		d.TotalBytes += b.Bytes
		d.Charts.Parties = append(d.Charts.Parties, b.Party)
		d.Charts.BundleMB = append(d.Charts.BundleMB, float64(b.Bytes)/1e6)
	}
	for _, s := range r.Stages {
		d.Charts.Stages = append(d.Charts.Stages, s.Name)
		d.Charts.StageSeconds = append(d.Charts.StageSeconds, s.Seconds)
	}
	groups := map[[2]string]*withheldGroup{}
	byRole := map[string]int{}
	for _, w := range r.Withheld {
		def := w.Definition
		g := groups[[2]string{w.Role, def}]
		if g == nil {
			g = &withheldGroup{Role: w.Role, Definition: def}
			groups[[2]string{w.Role, def}] = g
		}
		g.Views += len(w.Parties)
		g.Instances++
		for _, p := range w.Parties {
			if !slices.Contains(g.Parties, p) {
				g.Parties = append(g.Parties, p)
			}
		}
		byRole[w.Role] += len(w.Parties)
	}
	for _, g := range groups {
		sort.Strings(g.Parties)
		d.Groups = append(d.Groups, *g)
	}
	sort.Slice(d.Groups, func(i, j int) bool {
		if d.Groups[i].Role != d.Groups[j].Role {
			return d.Groups[i].Role < d.Groups[j].Role
		}
		return d.Groups[i].Definition < d.Groups[j].Definition
	})
	for role := range byRole {
		d.Charts.Roles = append(d.Charts.Roles, role)
	}
	sort.Strings(d.Charts.Roles)
	for _, role := range d.Charts.Roles {
		d.Charts.RoleWithheld = append(d.Charts.RoleWithheld, byRole[role])
	}
	var b bytes.Buffer
	if err := page.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// count writes a whole number with thousands separators: 1,234,567.
func count(n any) string {
	var v int64
	switch x := n.(type) {
	case int:
		v = int64(x)
	case int64:
		v = x
	}
	s := fmt.Sprint(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
