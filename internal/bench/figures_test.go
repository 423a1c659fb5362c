package bench

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/dcc/carport/internal/history"
)

// cell returns row's cell of column col of v ("" when v lacks it).
func cell(v ViewOut, row []string, col string) string {
	for i, h := range v.Header {
		if h == col {
			return row[i]
		}
	}
	return ""
}

// scopeRow returns the row of v whose scope is s.
func scopeRow(t *testing.T, v ViewOut, s string) []string {
	t.Helper()
	for _, r := range v.Rows {
		if r[0] == s {
			return r
		}
	}
	t.Fatalf("view %s has no %s row", v.View.ID, s)
	return nil
}

func num(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// TestFiguresMatchTheMonthsViews: the figures a history keeps are the
// month's own published figures: the summary's you and industry rows, the
// recipient's league rank, rtt.csv's times, the alerts' delivery, and
// peer-derived figures only where the views publish them.
func TestFiguresMatchTheMonthsViews(t *testing.T) {
	e, dir := synthMonth(t)
	checked := map[string]int{}
	for _, p := range e.Parties.All() {
		rep, err := e.Party(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		hp := rep.History()
		if hp.ID != p.ID || len(hp.Roles) != len(rep.Roles) {
			t.Fatalf("%s: History() = %s with %d roles", p.ID, hp.ID, len(hp.Roles))
		}
		for _, rr := range rep.Roles {
			for _, r := range rr.Reports {
				f := r.Figures
				where := p.ID + " " + string(rr.Role) + " " + r.Instance.ID
				if f == nil {
					continue
				}
				if f.ID != r.Instance.ID || f.Version != r.Instance.Def.Version.String() {
					t.Fatalf("%s: figures are of %s %s", where, f.ID, f.Version)
				}
				for _, v := range r.Views {
					switch {
					case v.View.Kind == "summary" && f.Requests != nil:
						you, ind := scopeRow(t, v, "you"), scopeRow(t, v, "industry")
						q := f.Requests
						if cell(v, you, "requests") != itoa(q.You.Requests) || cell(v, you, "successes") != itoa(q.You.Successes) {
							t.Errorf("%s: figures %+v, summary's you row %v", where, q.You, you)
						}
						if (q.Industry == nil) != (cell(v, ind, "requests") == "") {
							t.Errorf("%s: industry figures %v, summary's industry row %v", where, q.Industry, ind)
						} else if q.Industry != nil && cell(v, ind, "successes") != itoa(q.Industry.Successes) {
							t.Errorf("%s: industry successes %d, summary says %v", where, q.Industry.Successes, ind)
						}
						checked["summary"]++
					case v.View.Kind == "league":
						var own []string
						for _, row := range v.Rows {
							if row[1] != "" {
								own = row
							}
						}
						rank := ""
						if f.Requests.Rank > 0 {
							rank = strconv.Itoa(f.Requests.Rank)
							if f.Requests.Ranked != len(v.Rows) {
								t.Errorf("%s: %d ranked, the league has %d rows", where, f.Requests.Ranked, len(v.Rows))
							}
						}
						if own == nil || own[0] != rank {
							t.Errorf("%s: rank %q, league's own row %v", where, rank, own)
						}
						checked["league"]++
					case v.View.Kind == "rtt":
						you, ind := scopeRow(t, v, "you"), scopeRow(t, v, "industry")
						d := f.Times.You
						if got := []string{itoa(d.Requests), num(d.BestMS), num(d.WorstMS), num(d.MeanMS), num(d.MedianMS), num(d.P95MS)}; d.Requests > 0 && strconv.Quote(joinCells(got)) != strconv.Quote(joinCells(you[1:])) {
							t.Errorf("%s: times %v, rtt.csv %v", where, got, you)
						}
						if (f.Times.Industry == nil) != (ind[1] == "") {
							t.Errorf("%s: industry times %v, rtt.csv %v", where, f.Times.Industry, ind)
						} else if f.Times.Industry != nil && num(f.Times.Industry.MedianMS) != ind[5] {
							t.Errorf("%s: industry median %s, rtt.csv %v", where, num(f.Times.Industry.MedianMS), ind)
						}
						checked["rtt"]++
					case v.View.Kind == "summary" && f.Delivery != nil:
						you, ind := scopeRow(t, v, "you"), scopeRow(t, v, "industry")
						d := f.Delivery
						if cell(v, you, "alerts") != itoa(d.You.Alerts) || cell(v, you, "delivered") != itoa(d.You.Delivered) ||
							cell(v, you, "mean_delivery_ms") != num(d.You.MeanDeliveryMS) || cell(v, you, "median_delivery_ms") != num(d.You.MedianDeliveryMS) {
							t.Errorf("%s: delivery %+v, summary's you row %v", where, d.You, you)
						}
						if (d.Industry == nil) != (cell(v, ind, "alerts") == "") {
							t.Errorf("%s: industry delivery %v, summary's industry row %v", where, d.Industry, ind)
						}
						checked["delivery"]++
					case v.View.Kind == "exceptions":
						ids := map[string]bool{}
						for _, row := range v.Rows {
							ids[row[0]] = true
						}
						if f.Estate.NeedingAction != int64(len(ids)) {
							t.Errorf("%s: %d devices needing action, the exception list has %d", where, f.Estate.NeedingAction, len(ids))
						}
						checked["exceptions"]++
					}
				}
			}
		}
	}
	for _, k := range []string{"summary", "league", "rtt", "delivery", "exceptions"} {
		if checked[k] == 0 {
			t.Errorf("no %s view was checked against its figures", k)
		}
	}

	// the estate by type and SMETS version, recounted from devices.csv
	col, rows := readCSV(t, filepath.Join(dir, "devices.csv"))
	type seg struct{ party, role, typ, smets string }
	want := map[seg]int64{}
	for _, r := range rows {
		for c, role := range map[string]string{"import_supplier_id": "IS", "export_supplier_id": "ES", "gas_supplier_id": "GS", "dno_id": "ED"} {
			if p := r[col[c]]; p != "" {
				want[seg{p, role, r[col["device_type"]], r[col["smets_version"]]}]++
			}
		}
	}
	industry := map[seg]int64{}
	holders := map[seg]int{}
	for s, n := range want {
		k := seg{"", s.role, s.typ, s.smets}
		industry[k] += n
		holders[k]++
	}
	k := e.cfg.Suite.Policy.MinPeers
	got := map[seg]int64{}
	var disclosed, withheld int
	for _, p := range e.Parties.All() {
		rep, _ := e.Party(p.ID)
		for _, rr := range rep.History().Roles {
			for _, r := range rr.Reports {
				if r.Estate == nil {
					continue
				}
				for _, g := range r.Estate.Segments {
					s := seg{p.ID, rr.Role, g.DeviceType, g.SMETSVersion}
					got[s] = g.Devices
					all := seg{"", rr.Role, g.DeviceType, g.SMETSVersion}
					if g.Peers != holders[all]-1 {
						t.Errorf("%v: %d peers, devices.csv has %d other holders", s, g.Peers, holders[all]-1)
					}
					switch {
					case holders[all]-1 >= k && (g.IndustryDevices == nil || *g.IndustryDevices != industry[all]):
						t.Errorf("%v: industry %s, devices.csv says %d", s, num(g.IndustryDevices), industry[all])
					case holders[all]-1 < k && g.IndustryDevices != nil:
						t.Errorf("%v: industry figure kept with %d peers", s, holders[all]-1)
					case g.IndustryDevices != nil:
						disclosed++
					default:
						withheld++
					}
				}
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("figures hold %d estate segments, devices.csv %d", len(got), len(want))
	}
	for s, n := range want {
		if got[s] != n {
			t.Errorf("%v: %d devices in the figures, %d in devices.csv", s, got[s], n)
		}
	}
	if disclosed == 0 || withheld == 0 {
		t.Errorf("the month exercises one side of the rule only: %d segments disclosed, %d withheld", disclosed, withheld)
	}

	// and an entry of them all is a valid history entry
	entry := &history.Entry{Format: history.Format, Version: history.FormatVersion, Period: "2026-10", Generator: "test", MinPeers: k}
	for _, p := range e.Parties.All() {
		rep, _ := e.Party(p.ID)
		entry.Put(rep.History())
	}
	if _, err := entry.Marshal(); err != nil {
		t.Fatal(err)
	}
}

func joinCells(c []string) string {
	s := ""
	for i, x := range c {
		if i > 0 {
			s += ","
		}
		s += x
	}
	return s
}
