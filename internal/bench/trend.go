package bench

// Trends: the month and the twelve before it, the recipient against
// industry, from the history (internal/history) and this month's own
// figures. The rules:
//
//   - rows run from the first month of the window that holds the report's
//     figures for the recipient to this month, one row per month (per
//     estate segment for the estate), oldest first;
//   - a month without figures (not built, or the report absent that
//     month) is a row with its month and empty cells: a gap, never a zero;
//   - an industry cell or a league position is filled only when that
//     month's figure was disclosed when it was built AND its peers meet
//     this build's k, so raising k hides old points too;
//   - the recipient's own cells are its own figures; no peer appears.

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/dcc/carport/internal/history"
)

// trendPoint is one month of a trend: its period and the recipient's
// figures of the report that month (nil: a gap).
type trendPoint struct {
	month string
	fig   *history.Report
}

// trendPoints are the points of the instance being built for the
// recipient in x's role: the engine's history window and this month.
func (b *builder) trendPoints(x *viewArgs) []trendPoint {
	return trendPoints(b.e.cfg.History, b.e.months, b.partyID, string(x.role), b.cur.ID, b.period.String(), x.fig)
}

// trendPoints lines up the report's figures over the window (the months
// before this one, oldest first, nil entries for months without a
// history entry) and this month's, dropping the months before the first
// that holds the report.
func trendPoints(window []*history.Entry, months []string, party, role, report, period string, cur *history.Report) []trendPoint {
	pts := make([]trendPoint, 0, len(months)+1)
	for i, m := range months {
		var f *history.Report
		if i < len(window) {
			f = window[i].Report(party, role, report)
		}
		pts = append(pts, trendPoint{month: m, fig: f})
	}
	pts = append(pts, trendPoint{month: period, fig: cur})
	for len(pts) > 1 && pts[0].fig == nil {
		pts = pts[1:]
	}
	return pts
}

func i64(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// requestsTrend is trend.csv of a service-request report:
// month,requests,successes,success_rate,industry_success_rate,rank,ranked.
func requestsTrend(pts []trendPoint, k int) table {
	var t table
	for _, p := range pts {
		row := []string{p.month, "", "", "", "", "", ""}
		if p.fig != nil && p.fig.Requests != nil {
			q := p.fig.Requests
			row[1], row[2] = itoa(q.You.Requests), itoa(q.You.Successes)
			if q.You.Requests > 0 {
				row[3] = FormatRate(Rate(q.You.Successes, q.You.Requests))
			}
			if q.Industry != nil && Disclosed(q.Peers, k) && q.Industry.Requests > 0 {
				row[4] = FormatRate(Rate(q.Industry.Successes, q.Industry.Requests))
			}
			if q.Rank > 0 && Disclosed(q.Peers, k) {
				row[5], row[6] = strconv.Itoa(q.Rank), strconv.Itoa(q.Ranked)
			}
		}
		t.rows = append(t.rows, row)
	}
	t.withheld = trendWithheld(t.rows, 1, 4, k)
	return t
}

// trendWithheld says on how many months the industry cells (column ind)
// are empty while the recipient's own (column own) are not.
func trendWithheld(rows [][]string, own, ind, k int) string {
	n := countWithheld(rows, own, ind)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("Industry figures withheld for %d %s: fewer than %d other parties contributed those months, and at least %d are needed to protect their anonymity.",
		n, plural(n, "month", "months"), k, k)
}

// rttTrend is rtt-trend.csv: month,requests,median_ms,industry_median_ms,
// p95_ms,industry_p95_ms (requests: those with a round trip time).
func rttTrend(pts []trendPoint, k int) table {
	var t table
	for _, p := range pts {
		row := []string{p.month, "", "", "", "", ""}
		if p.fig != nil && p.fig.Times != nil {
			d := p.fig.Times
			row[1], row[2], row[4] = itoa(d.You.Requests), i64(d.You.MedianMS), i64(d.You.P95MS)
			if d.Industry != nil && Disclosed(d.Peers, k) {
				row[3], row[5] = i64(d.Industry.MedianMS), i64(d.Industry.P95MS)
			}
		}
		t.rows = append(t.rows, row)
	}
	t.withheld = trendWithheld(t.rows, 2, 3, k)
	return t
}

// alertsTrend is trend.csv of an alert report: month,alerts,delivered,
// delivery_rate,industry_delivery_rate,median_delivery_ms,
// industry_median_delivery_ms.
func alertsTrend(pts []trendPoint, k int) table {
	var t table
	for _, p := range pts {
		row := []string{p.month, "", "", "", "", "", ""}
		if p.fig != nil && p.fig.Delivery != nil {
			d := p.fig.Delivery
			row[1], row[2], row[5] = itoa(d.You.Alerts), itoa(d.You.Delivered), i64(d.You.MedianDeliveryMS)
			if d.You.Alerts > 0 {
				row[3] = FormatRate(Rate(d.You.Delivered, d.You.Alerts))
			}
			if d.Industry != nil && Disclosed(d.Peers, k) {
				if d.Industry.Alerts > 0 {
					row[4] = FormatRate(Rate(d.Industry.Delivered, d.Industry.Alerts))
				}
				row[6] = i64(d.Industry.MedianDeliveryMS)
			}
		}
		t.rows = append(t.rows, row)
	}
	t.withheld = trendWithheld(t.rows, 1, 4, k)
	return t
}

// estateTrend is the inventory's trend.csv: month,device_type,
// smets_version,devices,industry_devices, one row per month and segment
// the window knows (a segment the recipient did not hold in a month it
// was built has 0 devices; a month not built has empty cells).
func estateTrend(pts []trendPoint, k int) table {
	var t table
	type seg struct{ typ, smets string }
	var segs []seg
	known := map[seg]bool{}
	for _, p := range pts {
		if p.fig == nil || p.fig.Estate == nil {
			continue
		}
		for _, g := range p.fig.Estate.Segments {
			s := seg{g.DeviceType, g.SMETSVersion}
			if !known[s] {
				known[s] = true
				segs = append(segs, s)
			}
		}
	}
	sort.Slice(segs, func(i, j int) bool {
		if segs[i].typ != segs[j].typ {
			return segs[i].typ < segs[j].typ
		}
		return segs[i].smets < segs[j].smets
	})
	for _, p := range pts {
		have := map[seg]history.Segment{}
		built := p.fig != nil && p.fig.Estate != nil
		if built {
			for _, g := range p.fig.Estate.Segments {
				have[seg{g.DeviceType, g.SMETSVersion}] = g
			}
		}
		for _, s := range segs {
			row := []string{p.month, s.typ, s.smets, "", ""}
			if built {
				g, ok := have[s]
				row[3] = itoa(g.Devices) // 0 when not held that month
				if ok && g.IndustryDevices != nil && Disclosed(g.Peers, k) {
					row[4] = itoa(*g.IndustryDevices)
				}
			}
			t.rows = append(t.rows, row)
		}
	}
	if n := countWithheld(t.rows, 3, 4); n > 0 {
		t.withheld = fmt.Sprintf("Industry estate sizes withheld on %d %s: fewer than %d other parties held devices of that type and SMETS version that month, and at least %d are needed to protect their anonymity.",
			n, plural(n, "row", "rows"), k, k)
	}
	return t
}

// countWithheld counts the rows whose column own is filled and ind empty.
func countWithheld(rows [][]string, own, ind int) int {
	n := 0
	for _, r := range rows {
		if r[own] != "" && r[ind] == "" {
			n++
		}
	}
	return n
}
