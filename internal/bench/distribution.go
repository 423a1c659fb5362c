package bench

// Follow-up rules for distributors (outputs.md, "Distribution-only views").
// They need the order of alerts on one device, so the alerts they read
// (N16, N42, AD1, 8F35, 8F36 sent to an ED) are kept as small events; the
// rest of the alert stream is only counted. Memory grows with those alerts,
// a small share of the whole.

import (
	"sort"
	"time"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/reportdef"
)

type edEvent struct {
	party    extract.Sym
	device   string
	code     string
	atMS     int64
	alertID  string
	supplier extract.Sym
	inPeriod bool
}

type alertWorker struct {
	e     *Engine
	ev    *eventWorker
	ed    *spillWriter
	maxMS int64   // latest generated_at seen
	codes []uint8 // follow-up code index by symbol, filled lazily
	known []bool  // whether codes[sym] is filled
	dims  [nDims]extract.Sym
}

func newAlertWorker(e *Engine, ev *eventWorker, ed *spillWriter) *alertWorker {
	return &alertWorker{e: e, ev: ev, ed: ed}
}

func (w *alertWorker) add(a *extract.Alert) {
	if a.GeneratedMS > w.maxMS {
		w.maxMS = a.GeneratedMS
	}
	role := roleIndex(a.Role)
	if a.InPeriod {
		w.dims = [nDims]extract.Sym{a.ReasonCode, a.Region, a.SMETS, a.DeviceType, a.DeviceManufacturer,
			a.DeviceModel, a.DeviceFirmware, a.CHFManufacturer, a.CHFModel, a.CHFVariant, a.CHFFirmware}
		// delivery time is delivered_at - generated_at (extracts.md),
		// over the alerts that have a delivered_at, as rtt.csv is over
		// the requests that have an rtt_ms
		w.ev.add(gkey{role, a.Party, a.Code}, a.Day, a.Delivered, a.DeliveryMS, &w.dims)
	}
	if a.Role != contract.ED {
		return
	}
	if int(a.Code) >= len(w.known) {
		n := int(a.Code) + 64
		w.known = append(w.known, make([]bool, n-len(w.known))...)
		w.codes = append(w.codes, make([]uint8, n-len(w.codes))...)
	}
	if !w.known[a.Code] {
		w.codes[a.Code] = edCodeIndex(w.e.sym.Name(a.Code))
		w.known[a.Code] = true
	}
	if c := w.codes[a.Code]; c != 0 {
		w.ed.ed(a.Party, a.EnergySupplier, a.GeneratedMS, c, a.InPeriod, a.DeviceID, a.AlertID)
	}
}

// edIndex is where each ED's follow-up alerts are, and how far the alert
// extract runs.
type edIndex struct {
	store *edStore
	// coverMS is the last instant the alert extract covers: its latest
	// generated_at, at most FollowUpDays after the period.
	coverMS int64
}

func newEDIndex(ws []*alertWorker, p contract.Period) (*edIndex, error) {
	x := &edIndex{store: &edStore{}}
	limit := p.EndMS() + FollowUpDays*24*time.Hour.Milliseconds()
	var err error
	for _, w := range ws {
		x.coverMS = max(x.coverMS, min(w.maxMS, limit))
		x.store.dir = w.ed.dir
		x.store.workers = append(x.store.workers, w.ed.w)
		if cerr := w.ed.close(); err == nil {
			err = cerr
		}
	}
	return x, err
}

// edEvents returns (once per builder) the follow-up alerts of ED party me
// by device, in time order.
func (b *builder) edEvents(me extract.Sym) map[string][]edEvent {
	if b.ed == nil {
		m, err := b.e.ed.store.party(me)
		if err != nil && b.err == nil {
			b.err = err
		}
		b.ed = m
	}
	return b.ed
}

// extractEndMS is the last instant the alert extract covers: a window
// that ends after it cannot be settled yet.
func (b *builder) extractEndMS() int64 { return b.e.ed.coverMS }

func windowOr(v reportdef.View, policy time.Duration) int64 {
	if v.Window > 0 {
		return v.Window.Milliseconds()
	}
	return policy.Milliseconds()
}

// followup builds n16-n42/by-supplier.csv: energy_supplier_id,n16,met,failed,pending.
// The energy supplier of each N16 is the counterparty of the recipient's
// own alert, named by its party id as contract v1.1 says (the seed asks
// for the report "sorted by Energy Supplier"); an N16 without one counts
// under an empty id. An N16 without a device_id is counted and can never
// be met: a null device is the same device as no other.
func (b *builder) followup(v reportdef.View, me extract.Sym) table {
	win := windowOr(v, b.e.cfg.Suite.Policy.N16N42Window)
	end := b.extractEndMS()
	type counts struct{ n16, met, failed, pending int64 }
	by := map[string]*counts{}
	for _, evs := range b.edEvents(me) {
		for i, ev := range evs {
			if ev.code != "N16" || !ev.inPeriod {
				continue
			}
			sup := b.sym.Name(ev.supplier)
			c := by[sup]
			if c == nil {
				c = &counts{}
				by[sup] = c
			}
			c.n16++
			met := false
			for _, nx := range evs[i+1:] {
				if ev.device == "" || nx.atMS > ev.atMS+win {
					break
				}
				if nx.code == "N42" && nx.atMS > ev.atMS {
					met = true
					break
				}
			}
			switch {
			case met:
				c.met++
			case ev.atMS+win > end:
				c.pending++
			default:
				c.failed++
			}
		}
	}
	ids := make([]string, 0, len(by))
	for id := range by {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var t table
	for _, id := range ids {
		c := by[id]
		t.rows = append(t.rows, []string{id, itoa(c.n16), itoa(c.met), itoa(c.failed), itoa(c.pending)})
	}
	return t
}

type unmatched struct {
	rule string
	ev   edEvent
}

var unmatchedRules = []string{"AD1 without 8F35", "AD1 without 8F36", "8F35 without AD1", "8F36 without AD1"}

// unmatchedAlerts applies the outage rules to one ED's alerts. An alert
// without a device_id matches nothing (a null device is the same device as
// no other), so it is counted by the rule it falls under.
func (b *builder) unmatchedAlerts(v reportdef.View, me extract.Sym) []unmatched {
	win := windowOr(v, b.e.cfg.Suite.Policy.OutageRestoreWindow)
	if out, ok := b.unmatched[win]; ok {
		return out
	}
	end := b.extractEndMS()
	var out []unmatched
	for _, evs := range b.edEvents(me) {
		for i, ev := range evs {
			if !ev.inPeriod {
				continue
			}
			switch ev.code {
			case "AD1":
				for _, restore := range []string{"8F35", "8F36"} {
					found := false
					for _, nx := range evs[i+1:] {
						if ev.device == "" || nx.atMS > ev.atMS+win {
							break
						}
						if nx.code == restore && nx.atMS > ev.atMS {
							found = true
							break
						}
					}
					if !found && ev.atMS+win <= end {
						out = append(out, unmatched{"AD1 without " + restore, ev})
					}
				}
			case "8F35", "8F36":
				found := false
				for j := i - 1; j >= 0; j-- {
					pv := evs[j]
					if ev.device == "" || pv.atMS < ev.atMS-win {
						break
					}
					if pv.code == "AD1" && pv.atMS < ev.atMS {
						found = true
						break
					}
				}
				if !found {
					out = append(out, unmatched{ev.code + " without AD1", ev})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, c := out[i], out[j]
		if a.rule != c.rule {
			return ruleOrder(a.rule) < ruleOrder(c.rule)
		}
		if a.ev.device != c.ev.device {
			return a.ev.device < c.ev.device
		}
		if a.ev.atMS != c.ev.atMS {
			return a.ev.atMS < c.ev.atMS
		}
		return a.ev.alertID < c.ev.alertID
	})
	if b.unmatched == nil {
		b.unmatched = map[int64][]unmatched{}
	}
	b.unmatched[win] = out
	return out
}

func ruleOrder(r string) int {
	for i, x := range unmatchedRules {
		if x == r {
			return i
		}
	}
	return len(unmatchedRules)
}

// unmatchedSummary builds outage-unmatched/summary.csv: rule,count.
func (b *builder) unmatchedSummary(v reportdef.View, me extract.Sym) table {
	counts := map[string]int64{}
	for _, u := range b.unmatchedAlerts(v, me) {
		counts[u.rule]++
	}
	var t table
	for _, r := range unmatchedRules {
		t.rows = append(t.rows, []string{r, itoa(counts[r])})
	}
	return t
}

// unmatchedDevices builds outage-unmatched/devices.csv: rule,device_id,alert_id,generated_at.
func (b *builder) unmatchedDevices(v reportdef.View, me extract.Sym) table {
	var t table
	for _, u := range b.unmatchedAlerts(v, me) {
		at := time.UnixMilli(u.ev.atMS).UTC().Format("2006-01-02T15:04:05.000Z")
		t.rows = append(t.rows, []string{u.rule, u.ev.device, u.ev.alertID, at})
	}
	return t
}
