package bench

// Invariants on a whole synthetic month, checked against the extracts read
// independently with encoding/csv: the aggregator loses and invents no
// event, and every device lands in exactly the estates its ownership
// columns name.

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/synth"
)

// synthMonth generates a small month (a custom scale between tiny and
// small, so the test stays quick) and runs the engine over it.
func synthMonth(t *testing.T) (*Engine, string) {
	t.Helper()
	dir := t.TempDir()
	sc := synth.Scale{Name: "invariants", Parties: 24, Devices: 6_000, ServiceRequests: 40_000, Alerts: 40_000}
	if _, err := synth.Generate(synth.Options{OutDir: dir, Period: "2026-10", Scale: sc, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	suite, err := reportdef.Load("../../reportdefs")
	if err != nil {
		t.Fatal(err)
	}
	period, _ := contract.ParsePeriod("2026-10")
	e, err := Run(Config{Suite: suite, Extracts: dir, Period: period, StageDir: t.TempDir(), Workers: 3})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return e, dir
}

// readCSV reads a whole extract with encoding/csv, header first.
func readCSV(t *testing.T, path string) (map[string]int, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		f, err = os.Open(path + ".gz")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	if strings.HasSuffix(f.Name(), ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	return col, rows[1:]
}

// inPeriod says, with the time package, whether an RFC 3339 instant is in
// October 2026, Europe/London.
func inPeriod(t *testing.T, ts string) bool {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, contract.London)
	return !at.Before(start) && at.Before(start.AddDate(0, 1, 0))
}

type roleCode struct{ role, code string }

// TestEventsAddUp: for every role and code, the parties' month counts sum
// to the period's rows counted from the CSV, and each party's days sum to
// its month.
func TestEventsAddUp(t *testing.T) {
	e, dir := synthMonth(t)
	for _, ds := range []struct {
		file, code, at string
		ev             *events
	}{
		{"service_requests.csv", "srv", "submitted_at", e.sr},
		{"alerts.csv", "alert_code", "generated_at", e.al},
	} {
		col, rows := readCSV(t, filepath.Join(dir, ds.file))
		want := map[roleCode]int64{}
		for _, r := range rows {
			if inPeriod(t, r[col[ds.at]]) {
				want[roleCode{r[col["user_role"]], r[col[ds.code]]}]++
			}
		}
		if len(want) < 10 {
			t.Fatalf("%s: only %d role/code pairs in the period: the month is too thin to test", ds.file, len(want))
		}
		got := map[roleCode]int64{}
		for rid, codes := range ds.ev.byRole {
			for code, parties := range codes {
				k := roleCode{string(contract.Roles[rid]), e.sym.Name(code)}
				for party, m := range parties {
					got[k] += m.n
					var days int64
					for _, d := range ds.ev.days[gkey{rid, party, code}] {
						days += d.n
					}
					if days != m.n {
						t.Errorf("%s %v party %s: days sum to %d, month is %d", ds.file, k, e.sym.Name(party), days, m.n)
					}
				}
			}
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s %v: parties sum to %d, the CSV has %d in the period", ds.file, k, got[k], n)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("%s %v: aggregated but not in the CSV", ds.file, k)
			}
		}
	}
}

// TestSignifierGroupsAddUp: each party's signifier groups, read back from
// the spill, hold exactly its month's events per role and code.
func TestSignifierGroupsAddUp(t *testing.T) {
	e, _ := synthMonth(t)
	for _, ev := range []*events{e.sr, e.al} {
		for _, p := range e.Parties.All() {
			me := e.sym.Intern([]byte(p.ID))
			groups, err := ev.dims.party(me)
			if err != nil {
				t.Fatal(err)
			}
			for rid, codes := range ev.byRole {
				for code, parties := range codes {
					var n, ok int64
					for _, g := range groups[gkey{rid, me, code}] {
						n += g.agg.n
						if g.ok {
							ok += g.agg.n
						}
					}
					var m monthAgg
					if x := parties[me]; x != nil {
						m = *x
					}
					if n != m.n || ok != m.ok {
						t.Errorf("%s %s %s: groups hold %d events (%d ok), month %d (%d ok)",
							p.ID, contract.Roles[rid], e.sym.Name(code), n, ok, m.n, m.ok)
					}
				}
			}
		}
	}
}

// TestEstatesFollowOwnership: every device is in the estate of each party
// its ownership columns name, in that role, and in no other; the models
// view counts the same devices.
func TestEstatesFollowOwnership(t *testing.T) {
	e, dir := synthMonth(t)
	col, rows := readCSV(t, filepath.Join(dir, "devices.csv"))
	type estate struct{ party, role string }
	want := map[estate][]string{}
	owners := []struct{ col, role string }{
		{"import_supplier_id", "IS"}, {"export_supplier_id", "ES"}, {"gas_supplier_id", "GS"}, {"dno_id", "ED"}}
	for _, r := range rows {
		for _, o := range owners {
			if p := r[col[o.col]]; p != "" {
				want[estate{p, o.role}] = append(want[estate{p, o.role}], r[col["device_id"]])
			}
		}
	}
	shared := 0
	for _, r := range rows {
		if r[col["import_supplier_id"]] != "" && r[col["gas_supplier_id"]] != "" {
			shared++
		}
	}
	if shared == 0 || len(want) < 5 {
		t.Fatalf("month too thin: %d estates, %d devices with two suppliers", len(want), shared)
	}
	seen := map[estate]bool{}
	for _, p := range e.Parties.All() {
		rep, err := e.Party(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, rr := range rep.Roles {
			k := estate{p.ID, string(rr.Role)}
			for _, r := range rr.Reports {
				for _, v := range r.Views {
					switch v.View.Kind {
					case "estate":
						seen[k] = true
						ecol, erows := readCSV(t, v.File)
						got := make([]string, len(erows))
						for i, er := range erows {
							got[i] = er[ecol["device_id"]]
						}
						sort.Strings(got)
						exp := append([]string(nil), want[k]...)
						sort.Strings(exp)
						if strings.Join(got, " ") != strings.Join(exp, " ") {
							t.Errorf("%v: estate has %d devices, ownership names %d", k, len(got), len(exp))
						}
					case "models":
						var n int64
						for _, row := range v.Rows {
							var x int64
							for _, c := range row[len(row)-1] {
								x = x*10 + int64(c-'0')
							}
							n += x
						}
						if n != int64(len(want[k])) {
							t.Errorf("%v: models count %d devices, ownership names %d", k, n, len(want[k]))
						}
					}
				}
			}
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("%v: owns devices but got no estate view", k)
		}
	}
}

// TestPartyAlertDevices checks that the alert devices a party's report
// carries are those of its follow-up alerts in the spill, read on their
// own (whether or not the party's views read them), and that some
// distributor has any (so the check is not of empty lists only).
func TestPartyAlertDevices(t *testing.T) {
	e, _ := synthMonth(t)
	some := 0
	for _, p := range e.Parties.All() {
		rep, err := e.Party(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		if me, ok := e.sym.Lookup(p.ID); ok {
			byDev, err := e.ed.store.party(me)
			if err != nil {
				t.Fatal(err)
			}
			want = deviceIDs(byDev)
		}
		if !slices.Equal(rep.AlertDevices, want) {
			t.Errorf("party %s: report has %d alert devices, the spill %d", p.ID, len(rep.AlertDevices), len(want))
		}
		some += len(want)
	}
	if some == 0 {
		t.Fatal("no party has alert devices: the month has no distributor follow-up alerts")
	}
}
