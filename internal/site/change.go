package site

// Month on month: each home page headline says how its figure moved since
// last month, read from the report's own trend view (trend, rtt_trend):
// the rows of this month and of the month before hold the same column.
// So the change is the party's own figure against its own, as its trend
// chart shows it, and a month the history lacks is said to be missing,
// never taken for a zero. A headline whose report has no trend of its
// column (devices needing action) shows no change.

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// trendKinds are the view kinds whose rows are months.
var trendKinds = map[string]bool{"trend": true, "rtt_trend": true}

// monthChange sets f's change since last month, when the report has a
// trend of the headline's column that reaches back to last month.
func monthChange(in *Input, rep *reportPlan, h Headline, f *headlineFig) {
	if h.From != "scope" && h.From != "sum" {
		return
	}
	t, err := time.Parse("2006-01", in.Period)
	if err != nil {
		return
	}
	prev := t.AddDate(0, -1, 0)
	for i := range rep.views {
		v := &rep.views[i]
		if !trendKinds[v.in.Kind] || v.in.File != "" {
			continue
		}
		mc, err1 := v.col("month")
		vc, err2 := v.col(h.Column)
		if err1 != nil || err2 != nil {
			continue
		}
		now, okNow, _ := monthValue(v.in.Rows, mc, vc, in.Period)
		before, okBefore, seen := monthValue(v.in.Rows, mc, vc, prev.Format("2006-01"))
		when := prev.Format("January 2006")
		switch {
		case !seen:
			return // the trend starts this month: nothing to compare with
		case !okBefore:
			f.Change, f.ChangeMark = "No figure of yours for "+when, "none"
			return
		case !okNow:
			return
		}
		f.Change, f.ChangeMark = describeChange(now, before, in.column(h.Column), when)
		return
	}
}

// monthValue is the sum of column vc over the rows of month m (one row,
// or one per estate segment); ok is false when no such row has a figure,
// seen when m has rows at all.
func monthValue(rows [][]string, mc, vc int, m string) (v float64, ok, seen bool) {
	for _, r := range rows {
		if r[mc] != m {
			continue
		}
		seen = true
		if x, good := parseNum(r[vc]); good {
			v += x
			ok = true
		}
	}
	return v, ok, seen
}

// describeChange words the move from before to now: points for a rate,
// the difference and its share for a time or a count; the mark says
// whether it is better, worse, unchanged (level) or neither (none).
func describeChange(now, before float64, col Column, when string) (text, mark string) {
	diff := now - before
	var amount string
	switch col.Format {
	case fmtPercent:
		pts := diff * 100
		if math.Abs(pts) < 0.05 {
			return "Unchanged since " + when, "level"
		}
		amount = signed(pts, 1) + " points"
	default:
		if diff == 0 {
			return "Unchanged since " + when, "level"
		}
		amount = signedInt(diff)
		if col.Format == fmtMS {
			amount += " ms"
		}
		if before != 0 {
			amount += " (" + signed(diff/before*100, 1) + "%)"
		}
	}
	mark = "none"
	switch {
	case col.Better == "higher" && diff > 0, col.Better == "lower" && diff < 0:
		mark = "better"
	case col.Better != "":
		mark = "worse"
	}
	text = fmt.Sprintf("%s since %s", amount, when)
	if mark != "none" {
		text += " (" + mark + ")"
	}
	return text, mark
}

// signed writes x with its sign (a minus sign, not a hyphen) and dec
// decimals.
func signed(x float64, dec int) string {
	s := strconv.FormatFloat(math.Abs(x), 'f', dec, 64)
	if x < 0 {
		return "−" + s
	}
	return "+" + s
}

func signedInt(x float64) string {
	n := int64(math.Round(x))
	if n < 0 {
		return "−" + thousands(-n)
	}
	return "+" + thousands(n)
}
