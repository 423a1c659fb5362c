package site

// The home page answers "where do I stand, and what should I look at
// first?" from the views' own rows, under rules the definitions name
// ([[views.headline]], [[views.insight]]) and thresholds the policy holds
// ([insights]): nothing here is decided by a template.
//
// Headlines read one figure per view (the rows "you" and "industry", a
// sum, or a count of distinct values) and mark it better, worse or level
// against industry. Call-outs are ranked by impact, the number of events
// (requests, alerts) affected:
//
//   - bottom_quartile: your requests × (median party rate − yours);
//   - behind_industry: for a rate, your events × (industry rate − yours);
//     for a time, your events × (1 − industry's / yours), the share of
//     your time above industry's;
//   - segment_failures: the segment's failures beyond your average rate,
//     failures − events × average.
//
// A figure resting on fewer events than small_sample_events is never
// called out: the difference could be chance.

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// homePlan is what the home page shows above the catalogue.
type homePlan struct {
	roles    []homeRolePlan
	insights []insight
	// rulesOn is false when the policy has no [insights] table.
	rulesOn bool
}

type homeRolePlan struct {
	role, name string
	headlines  []headlineFig
}

// headlineFig is one headline figure with its mark.
type headlineFig struct {
	Label    string `json:"label"`
	You      string `json:"you"`
	Industry string `json:"industry"`
	// Mark is better, worse, level, withheld (no industry figure) or
	// none (nothing to compare with).
	Mark     string `json:"mark"`
	MarkText string `json:"mark_text"`
	Href     string `json:"href"`
	// Change is the move since last month ("+0.4 points since September
	// 2026 (better)"); ChangeMark is better, worse, level or none. Empty
	// when the report has no trend of the figure (see change.go).
	Change     string `json:"change,omitempty"`
	ChangeMark string `json:"change_mark,omitempty"`
}

// insight is one call-out.
type insight struct {
	Rule     string  `json:"rule"`
	Role     string  `json:"role"`
	Report   string  `json:"report"` // report title
	Figure   string  `json:"figure"` // the figure in short: "rank 9 of 11"
	Text     string  `json:"text"`
	Href     string  `json:"href"` // the view that shows it
	Impact   float64 `json:"-"`
	ImpactOf string  `json:"impact"` // "about 120 requests affected"
}

// insightCtx is one view an insight rule runs on.
type insightCtx struct {
	in   *Input
	pol  *InsightPolicy
	role RoleInput
	rep  *reportPlan
	v    *viewPlan
}

// insightRules implements reportdef.InsightRules (a test proves the two
// lists match).
var insightRules = map[string]func(c *insightCtx, r InsightRule) ([]insight, error){
	"bottom_quartile":  bottomQuartile,
	"behind_industry":  behindIndustry,
	"segment_failures": segmentFailures,
}

func homeOf(in *Input, p *plan) (homePlan, error) {
	h := homePlan{rulesOn: in.Insights != nil}
	for ri := range p.roles {
		r := &p.roles[ri]
		hr := homeRolePlan{role: r.in.Role, name: r.in.RoleName}
		for pi := range r.reports {
			rep := &r.reports[pi]
			for vi := range rep.views {
				v := &rep.views[vi]
				for _, hl := range v.in.Headlines {
					f, err := headlineOf(in, rep, v, hl)
					if err != nil {
						return h, fmt.Errorf("input: role %s report %s view %s: headline %q: %w", r.in.Role, rep.in.ID, v.in.ID, hl.Label, err)
					}
					monthChange(in, rep, hl, &f)
					hr.headlines = append(hr.headlines, f)
				}
				if in.Insights == nil {
					continue
				}
				for _, rule := range v.in.Insights {
					fn, ok := insightRules[rule.Rule]
					if !ok {
						return h, fmt.Errorf("input: role %s report %s view %s: unknown insight rule %q", r.in.Role, rep.in.ID, v.in.ID, rule.Rule)
					}
					got, err := fn(&insightCtx{in: in, pol: in.Insights, role: r.in, rep: rep, v: v}, rule)
					if err != nil {
						return h, fmt.Errorf("input: role %s report %s view %s: insight %s: %w", r.in.Role, rep.in.ID, v.in.ID, rule.Rule, err)
					}
					h.insights = append(h.insights, got...)
				}
			}
		}
		h.roles = append(h.roles, hr)
	}
	sort.SliceStable(h.insights, func(a, b int) bool {
		if h.insights[a].Impact != h.insights[b].Impact {
			return h.insights[a].Impact > h.insights[b].Impact
		}
		return h.insights[a].Text < h.insights[b].Text
	})
	if in.Insights != nil && len(h.insights) > in.Insights.MaxShown {
		h.insights = h.insights[:in.Insights.MaxShown]
	}
	return h, nil
}

// col returns the index of the column named name.
func (v *viewPlan) col(name string) (int, error) {
	for i, h := range v.in.Header {
		if h == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("view %s has no column %q", v.in.ID, name)
}

// scopeRows returns the cells of column c in the rows "you" and "industry"
// of the view's scope column.
func (v *viewPlan) scopeRows(c int) (you, ind string, err error) {
	sc, err := v.col("scope")
	if err != nil {
		return "", "", err
	}
	for _, r := range v.in.Rows {
		switch r[sc] {
		case "you":
			you = r[c]
		case "industry":
			ind = r[c]
		}
	}
	return you, ind, nil
}

func parseNum(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func (rep *reportPlan) href(view string) string { return rep.url + "#view-" + view }

func headlineOf(in *Input, rep *reportPlan, v *viewPlan, h Headline) (headlineFig, error) {
	f := headlineFig{Label: h.Label, Href: rep.href(v.in.ID), Mark: "none"}
	if v.in.File != "" {
		return f, fmt.Errorf("view %s is a file, not rows", v.in.ID)
	}
	c, err := v.col(h.Column)
	if err != nil {
		return f, err
	}
	col := in.column(h.Column)
	switch h.From {
	case "sum":
		total := 0.0
		for _, r := range v.in.Rows {
			if x, ok := parseNum(r[c]); ok {
				total += x
			}
		}
		f.You, f.MarkText = formatValue(total, fmtCount), "Your own figure: there is no industry one to compare with."
		return f, nil
	case "distinct":
		seen := map[string]bool{}
		for _, r := range v.in.Rows {
			if s := strings.TrimSpace(r[c]); s != "" {
				seen[s] = true
			}
		}
		f.You, f.MarkText = formatValue(float64(len(seen)), fmtCount), "Your own figure: there is no industry one to compare with."
		return f, nil
	case "scope":
	default:
		return f, fmt.Errorf("unknown source %q (want scope, sum or distinct)", h.From)
	}
	ys, is, err := v.scopeRows(c)
	if err != nil {
		return f, err
	}
	you, okY := parseNum(ys)
	ind, okI := parseNum(is)
	if !okY {
		f.You, f.MarkText = "–", "No figure of yours this month."
		return f, nil
	}
	f.You = figure(you, col.Format)
	if !okI {
		f.Mark, f.MarkText = "withheld", fmt.Sprintf("Industry figure withheld: fewer than %d other parties contributed.", in.MinPeers)
		return f, nil
	}
	f.Industry = figure(ind, col.Format)
	if col.Better == "" {
		f.MarkText = "Industry: " + f.Industry
		return f, nil
	}
	var levelPoints, levelRatio float64
	if in.Insights != nil {
		levelPoints, levelRatio = in.Insights.LevelPoints, in.Insights.LevelRatio
	}
	higherIsBetter := col.Better == "higher"
	if col.Format == fmtPercent {
		pts := (you - ind) * 100
		switch {
		case math.Abs(pts) <= levelPoints:
			f.Mark, f.MarkText = "level", fmt.Sprintf("Level with industry (%s)", f.Industry)
		case (pts > 0) == higherIsBetter:
			f.Mark, f.MarkText = "better", fmt.Sprintf("Better: %s points %s industry’s %s", oneDecimal(math.Abs(pts)), aboveBelow(pts), f.Industry)
		default:
			f.Mark, f.MarkText = "worse", fmt.Sprintf("Worse: %s points %s industry’s %s", oneDecimal(math.Abs(pts)), aboveBelow(pts), f.Industry)
		}
		return f, nil
	}
	if ind == 0 {
		f.MarkText = "Industry: " + f.Industry
		return f, nil
	}
	ratio := you / ind
	pct := strconv.Itoa(int(math.Round(math.Abs(ratio-1)*100))) + "%"
	word := "higher"
	if ratio < 1 {
		word = "lower"
	}
	switch {
	case math.Abs(ratio-1) <= levelRatio:
		f.Mark, f.MarkText = "level", fmt.Sprintf("Level with industry (%s)", f.Industry)
	case (ratio > 1) == higherIsBetter:
		f.Mark, f.MarkText = "better", fmt.Sprintf("Better: %s %s than industry’s %s", pct, word, f.Industry)
	default:
		f.Mark, f.MarkText = "worse", fmt.Sprintf("Worse: %s %s than industry’s %s", pct, word, f.Industry)
	}
	return f, nil
}

func aboveBelow(pts float64) string {
	if pts > 0 {
		return "above"
	}
	return "below"
}

func oneDecimal(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func (c *insightCtx) base(rule, figure, text string, impact float64, events string) insight {
	title := c.rep.in.Title
	if title == "" {
		title = c.rep.in.ID
	}
	return insight{Rule: rule, Role: c.role.Role, Report: title, Figure: figure, Text: text, Href: c.rep.href(c.v.in.ID),
		Impact: impact, ImpactOf: fmt.Sprintf("about %s %s affected", thousands(int64(math.Round(impact))), events)}
}

// bottomQuartile calls out a league rank in the worst fraction of the
// parties ranked. It needs the recipient's row (the chart's highlight
// column), a rank column and at least four parties ranked.
func bottomQuartile(c *insightCtx, r InsightRule) ([]insight, error) {
	v := c.v
	if v.own < 0 {
		return nil, fmt.Errorf("view %s does not mark the recipient's row (chart highlight)", v.in.ID)
	}
	vc, err := v.col(r.Column)
	if err != nil {
		return nil, err
	}
	rankCol, countCol := -1, -1
	for i, cp := range v.cols {
		if cp.Extra {
			continue
		}
		switch cp.Format {
		case fmtRank:
			rankCol = i
		case fmtCount:
			countCol = i
		}
	}
	if rankCol < 0 {
		return nil, fmt.Errorf("view %s has no column of format rank", v.in.ID)
	}
	var own []string
	var rates []float64
	for _, row := range v.in.Rows {
		if x, ok := parseNum(row[vc]); ok && strings.TrimSpace(row[rankCol]) != "" {
			rates = append(rates, x)
		}
		if strings.TrimSpace(row[v.own]) != "" {
			own = row
		}
	}
	n := len(rates)
	if own == nil || n < 4 {
		return nil, nil
	}
	rank, ok1 := parseNum(own[rankCol])
	mine, ok2 := parseNum(own[vc])
	if !ok1 || !ok2 || rank <= float64(n)*(1-c.pol.BottomQuartile) {
		return nil, nil
	}
	events := 0.0
	if countCol >= 0 {
		events, _ = parseNum(own[countCol])
	}
	if events < float64(c.pol.SmallSampleEvents) {
		return nil, nil
	}
	sort.Float64s(rates)
	median := rates[(n-1)/2]
	impact := math.Max(0, events*(median-mine))
	col := c.in.column(r.Column)
	countLabel := "events"
	if countCol >= 0 {
		countLabel = strings.ToLower(c.in.column(v.in.Header[countCol]).Label)
	}
	text := fmt.Sprintf("You rank %d of %d on %s (%s; the middle party has %s): in the worst %s of %s parties.",
		int(rank), n, strings.ToLower(col.Label), figure(mine, col.Format), figure(median, col.Format),
		strconv.Itoa(int(math.Round(c.pol.BottomQuartile*100)))+"%", nameOr(c.role))
	return []insight{c.base("bottom_quartile", fmt.Sprintf("Rank %d of %d", int(rank), n), text, impact, countLabel)}, nil
}

func nameOr(r RoleInput) string {
	if r.RoleName != "" {
		return r.RoleName
	}
	return r.Role
}

// behindIndustry calls out a figure trailing industry's by the policy's
// points (rates) or ratio (times).
func behindIndustry(c *insightCtx, r InsightRule) ([]insight, error) {
	v := c.v
	vc, err := v.col(r.Column)
	if err != nil {
		return nil, err
	}
	cc, err := v.col(r.Count)
	if err != nil {
		return nil, err
	}
	ys, is, err := v.scopeRows(vc)
	if err != nil {
		return nil, err
	}
	yc, _, _ := v.scopeRows(cc)
	you, ok1 := parseNum(ys)
	ind, ok2 := parseNum(is)
	events, ok3 := parseNum(yc)
	if !ok1 || !ok2 || !ok3 || events < float64(c.pol.SmallSampleEvents) {
		return nil, nil
	}
	col := c.in.column(r.Column)
	events0 := strings.ToLower(c.in.column(r.Count).Label)
	higher := col.Better != "lower"
	if col.Format == fmtPercent {
		gap := (ind - you) * 100
		if !higher {
			gap = -gap
		}
		if gap < c.pol.BehindIndustryPoints {
			return nil, nil
		}
		text := fmt.Sprintf("%s %s against %s for industry: %s points behind, over %s %s.", col.Label, figure(you, col.Format),
			figure(ind, col.Format), oneDecimal(gap), thousands(int64(events)), events0)
		return []insight{c.base("behind_industry", "−"+oneDecimal(gap)+" points", text, events*gap/100, events0)}, nil
	}
	if you <= 0 || ind <= 0 {
		return nil, nil
	}
	ratio := you / ind
	if !higher && ratio < c.pol.BehindIndustryRatio || higher && 1/ratio < c.pol.BehindIndustryRatio {
		return nil, nil
	}
	if higher {
		ratio = 1 / ratio
	}
	text := fmt.Sprintf("%s %s against %s for industry: %s× industry’s, over %s %s.", col.Label, figure(you, col.Format),
		figure(ind, col.Format), oneDecimal(ratio), thousands(int64(events)), events0)
	return []insight{c.base("behind_industry", oneDecimal(ratio)+"× industry", text, events*(1-1/ratio), events0)}, nil
}

// segmentFailures calls out a value of a dimension (a model, a model's
// firmware, a region) whose failure rate is the policy's ratio or more
// times the recipient's average over the view. The view needs an outcome
// column; device_firmware is searched together with device_model, whose
// firmware it is.
func segmentFailures(c *insightCtx, r InsightRule) ([]insight, error) {
	v := c.v
	oc, err := v.col("outcome")
	if err != nil {
		return nil, err
	}
	cc, err := v.col(r.Count)
	if err != nil {
		return nil, err
	}
	type agg struct{ n, f float64 }
	var total agg
	for _, row := range v.in.Rows {
		n, _ := parseNum(row[cc])
		total.n += n
		if row[oc] == r.Failed {
			total.f += n
		}
	}
	if total.n == 0 || total.f == 0 {
		return nil, nil
	}
	avg := total.f / total.n
	events := strings.ToLower(c.in.column(r.Count).Label)
	var out []insight
	// a model's call-out and its firmware's say one thing twice: keep the
	// firmware when it is the model's only one called out, the model when
	// several of its firmware are
	models := map[string]int{}     // model → index in out
	firmware := map[string][]int{} // model → indexes in out
	for _, dim := range r.By {
		dc, err := v.col(dim)
		if err != nil {
			return nil, err
		}
		mc := -1
		if dim == "device_firmware" {
			if mc, err = v.col("device_model"); err != nil {
				return nil, err
			}
		}
		groups := map[string]*agg{}
		var order []string
		for _, row := range v.in.Rows {
			key := row[dc]
			if strings.TrimSpace(key) == "" {
				continue
			}
			if mc >= 0 {
				key = row[mc] + "\x00" + key
			}
			g := groups[key]
			if g == nil {
				g = &agg{}
				groups[key] = g
				order = append(order, key)
			}
			n, _ := parseNum(row[cc])
			g.n += n
			if row[oc] == r.Failed {
				g.f += n
			}
		}
		for _, key := range order {
			g := groups[key]
			if g.n < float64(c.pol.SmallSampleEvents) || g.n == total.n || g.f == 0 {
				continue
			}
			rate := g.f / g.n
			if rate < c.pol.SegmentFailureRatio*avg {
				continue
			}
			what := c.in.column(dim).Label + " " + key
			if mc >= 0 {
				model, fw, _ := strings.Cut(key, "\x00")
				what = c.in.column("device_model").Label + " " + model + ", firmware " + fw
			}
			text := fmt.Sprintf("%s failed %s of %s %s, against your average of %s (%s failed).", what,
				formatValue(rate, fmtPercent), thousands(int64(g.n)), events, formatValue(avg, fmtPercent), thousands(int64(g.f)))
			switch {
			case mc >= 0:
				model, _, _ := strings.Cut(key, "\x00")
				firmware[model] = append(firmware[model], len(out))
			case dim == "device_model":
				models[key] = len(out)
			}
			out = append(out, c.base("segment_failures", formatValue(rate, fmtPercent)+" failed", text, g.f-g.n*avg, events))
		}
	}
	drop := map[int]bool{}
	for model, at := range models {
		switch fw := firmware[model]; {
		case len(fw) == 1:
			drop[at] = true
		case len(fw) > 1:
			for _, i := range fw {
				drop[i] = true
			}
		}
	}
	kept := out[:0]
	for i, x := range out {
		if !drop[i] {
			kept = append(kept, x)
		}
	}
	return kept, nil
}
