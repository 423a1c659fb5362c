package bench

import (
	"fmt"
	"iter"
	"sort"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/reportdef"
)

// table is the rows of one view's CSV, in the order of the contract's
// header (contract.View.Header), and what the site shows beside them.
type table struct {
	rows     [][]string
	withheld string
	markDays []string
	extra    []ExtraColumn
}

// codeSet is the codes a view covers: one code, or every reportable code
// of the role (alerts-all).
type codeSet func(extract.Sym) bool

// partyCodes returns the month aggregates of every party in role for the
// codes in set, merged per party.
//
// A party with one code in the set gets that code's aggregate itself, not
// a copy (most instances are one SRV or one alert code, and a copy of every
// party's sketch per instance was a fifth of the build's live heap); the
// aggregates are only read.
func (e *events) partyMonths(role roleID, in codeSet) map[extract.Sym]*monthAgg {
	out := map[extract.Sym]*monthAgg{}
	own := map[extract.Sym]bool{} // out's aggregates made here, not shared
	e.each(role, in, func(_, party extract.Sym, v *monthAgg) {
		m := out[party]
		switch {
		case m == nil:
			out[party] = v
		case !own[party]:
			c := &monthAgg{}
			c.merge(m)
			c.merge(v)
			out[party], own[party] = c, true
		default:
			m.merge(v)
		}
	})
	return out
}

func withheldMsg(what string, peers, k int) string {
	return fmt.Sprintf("%s withheld: only %d other %s contributed, and at least %d are needed to protect their anonymity.",
		what, peers, plural(peers, "party", "parties"), k)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// league builds league.csv: rank,party,success_rate,requests.
func (b *builder) league(ev *events, role roleID, in codeSet, me extract.Sym) table {
	months := b.partyMonths(ev, role, in)
	type row struct {
		party extract.Sym
		rate  float64
		ok, n int64
	}
	var rows []row
	for p, m := range months {
		if m.n > 0 {
			rows = append(rows, row{p, Rate(m.ok, m.n), m.ok, m.n})
		}
	}
	// descending exact rate; among ties the recipient first, and peers
	// tied at one rate show identical rows, so their order says nothing
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].rate != rows[j].rate {
			return rows[i].rate > rows[j].rate
		}
		return rows[i].party == me && rows[j].party != me
	})
	var t table
	peers := len(rows) - 1
	if !Disclosed(peers, b.k) {
		for _, r := range rows {
			if r.party == me {
				t.rows = append(t.rows, []string{"", b.partyName, FormatRate(r.rate), itoa(r.n)})
			}
		}
		t.withheld = withheldMsg("The league table", peers, b.k)
		return t
	}
	rates := make([]float64, len(rows))
	for i, r := range rows {
		rates[i] = r.rate
	}
	ranks := CompetitionRanks(rates)
	for i, r := range rows {
		if r.party == me {
			t.rows = append(t.rows, []string{itoa(int64(ranks[i])), b.partyName, FormatRate(r.rate), itoa(r.n)})
		} else {
			t.rows = append(t.rows, []string{itoa(int64(ranks[i])), "", FormatRate(PeerRate(r.ok, r.n)), ""})
		}
	}
	return t
}

// scopes returns the recipient's aggregate, the industry aggregate and the
// number of peers that contributed to the industry figures: peers with at
// least one event in the group. One rule for every industry cell, rates and
// durations alike, as outputs.md spells it for the alerts' daily view (the
// industry cells of a day "are published when at least k role peers
// received those codes that day"), so a peer whose requests all lack a
// round trip time still counts, as it does in daily.csv.
func (b *builder) scopes(ev *events, role roleID, in codeSet, me extract.Sym) (you, ind *monthAgg, peers int) {
	x := b.industry(ev, role, in)
	you, peers = &monthAgg{}, x.active
	if m := x.months[me]; m != nil {
		you.merge(m)
		if m.n > 0 {
			peers--
		}
	}
	return you, x.all, peers
}

func durCells(m *monthAgg) []string {
	if m.durN == 0 {
		return []string{"0", "", "", "", "", ""}
	}
	return []string{itoa(m.durN), itoa(m.durMin), itoa(m.durMax), MeanMS(m.durSum, m.durN),
		itoa(m.sk.Quantile(0.5)), itoa(m.sk.Quantile(0.95))}
}

// rtt builds rtt.csv: scope,requests,best_ms,worst_ms,mean_ms,median_ms,p95_ms.
func (b *builder) rtt(ev *events, role roleID, in codeSet, me extract.Sym) table {
	you, ind, peers := b.scopes(ev, role, in, me)
	var t table
	t.rows = append(t.rows, append([]string{"you"}, durCells(you)...))
	if Disclosed(peers, b.k) {
		t.rows = append(t.rows, append([]string{"industry"}, durCells(ind)...))
	} else {
		t.rows = append(t.rows, []string{"industry", "", "", "", "", "", ""})
		t.withheld = withheldMsg("Industry round trip times", peers, b.k)
	}
	return t
}

// summary builds summary.csv, the month's figures against industry, rows
// you and industry: for alerts
// scope,alerts,delivered,delivery_rate,mean_delivery_ms,median_delivery_ms;
// for service requests (a view this repository adds to the contract's)
// scope,requests,successes,success_rate,mean_rtt_ms,median_rtt_ms, where
// requests counts every request and the times cover those with a round
// trip time, empty when none had one. The industry row obeys the
// minimum-peers rule like every other industry figure.
func (b *builder) summary(ev *events, role roleID, in codeSet, me extract.Sym) table {
	you, ind, peers := b.scopes(ev, role, in, me)
	cells := func(m *monthAgg) []string {
		med := ""
		if m.durN > 0 {
			med = itoa(m.sk.Quantile(0.5))
		}
		return []string{itoa(m.n), itoa(m.ok), FormatRate(Rate(m.ok, m.n)), MeanMS(m.durSum, m.durN), med}
	}
	var t table
	t.rows = append(t.rows, append([]string{"you"}, cells(you)...))
	if Disclosed(peers, b.k) {
		t.rows = append(t.rows, append([]string{"industry"}, cells(ind)...))
	} else {
		t.rows = append(t.rows, []string{"industry", "", "", "", "", ""})
		t.withheld = withheldMsg("Industry figures", peers, b.k)
	}
	return t
}

// daily builds daily.csv for service requests or alerts: one row per day
// the recipient had traffic, with industry figures where at least k peers
// had traffic that day, and the incidents overlapping the day.
func (b *builder) daily(ev *events, role roleID, in codeSet, me extract.Sym) table {
	days := b.period.Days()
	// the industry's days are the same for every recipient with these
	// codes: pooled once per build (industry.byDay); the recipient's are
	// its own, and its peers that day are the active parties but itself
	ind, active := b.industry(ev, role, in).byDay(ev, role, in, days)
	you := make([]dayAgg, days)
	for code := range ev.byRole[role] {
		if !in(code) {
			continue
		}
		for d, v := range ev.days[gkey{role, me, code}] {
			if d < days {
				you[d].merge(&v)
			}
		}
	}
	peersOn := func(d int) int {
		if you[d].n > 0 {
			return active[d] - 1
		}
		return active[d]
	}
	var t table
	withheldDays := 0
	for d := 0; d < days; d++ {
		y := you[d]
		if y.n == 0 {
			continue
		}
		indRate, indMean := "", ""
		if Disclosed(peersOn(d), b.k) {
			indRate, indMean = FormatRate(Rate(ind[d].ok, ind[d].n)), MeanMS(ind[d].durSum, ind[d].durN)
		} else {
			withheldDays++
		}
		inc := b.incidentsOn(d)
		if inc != "" {
			t.markDays = append(t.markDays, b.period.Date(d))
		}
		t.rows = append(t.rows, []string{b.period.Date(d), itoa(y.n), itoa(y.ok), FormatRate(Rate(y.ok, y.n)),
			MeanMS(y.durSum, y.durN), indRate, indMean, inc})
	}
	if withheldDays > 0 {
		t.withheld = fmt.Sprintf("Industry figures withheld on %d %s: fewer than %d other parties had traffic those days, and at least %d are needed to protect their anonymity.",
			withheldDays, plural(withheldDays, "day", "days"), b.k, b.k)
	}
	return t
}

// partyDims returns (once per builder and dataset) the recipient's
// signifier groups, read back from the spill.
func (b *builder) partyDims(ev *events, me extract.Sym) map[gkey][]dimEntry {
	if m, ok := b.dims[ev]; ok {
		return m
	}
	m, err := ev.dims.party(me)
	if err != nil && b.err == nil {
		b.err = err
	}
	if b.dims == nil {
		b.dims = map[*events]map[gkey][]dimEntry{}
	}
	b.dims[ev] = m
	return m
}

// groupDims groups the recipient's signifier groups by the named columns
// (plus the outcome when withOutcome), keeping only failures when
// failuresOnly.
// groupFigures is the most figures a view appends to a group's cells
// (svp: count, mean, median).
const groupFigures = 3

type dimGroup struct {
	cells []string
	key   string // the cells joined by NUL: the group's identity and tie-break
	// agg is the group's aggregate: its one entry's (the party's cached
	// groups, only read) until a second entry merges into a copy
	agg    *dimAgg
	shared bool
}

func (b *builder) groupDims(ev *events, dataset contract.Dataset, role roleID, in codeSet, me extract.Sym, cols []string, failuresOnly bool) []*dimGroup {
	names := dimNames[dataset]
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = -1
		for j, n := range names {
			if n == c {
				idx[i] = j
			}
		}
	}
	okWord, failWord := contract.RequestOutcomes[0], contract.RequestOutcomes[1]
	if dataset == contract.Alerts {
		okWord, failWord = contract.AlertOutcomes[0], contract.AlertOutcomes[1]
	}
	// the party's groups of the codes in set, counted first so that the
	// map is made once at its size
	groups0 := b.partyDims(ev, me)
	var lists [][]dimEntry
	n := 0
	for code := range ev.byRole[role] {
		if in(code) {
			l := groups0[gkey{role, me, code}]
			lists = append(lists, l)
			for _, k := range l {
				if !failuresOnly || !k.ok {
					n++
				}
			}
		}
	}
	groups := make(map[string]*dimGroup, n)
	cells := make([]string, len(cols))
	var key []byte
	for k := range seqOf(lists) {
		if failuresOnly && k.ok {
			continue
		}
		v := k.agg
		key = key[:0]
		for i, j := range idx {
			cells[i] = ""
			switch {
			case j >= 0:
				cells[i] = b.sym.Name(k.dims[j])
			case cols[i] == "outcome" && k.ok:
				cells[i] = okWord
			case cols[i] == "outcome":
				cells[i] = failWord
			}
			if i > 0 {
				key = append(key, 0)
			}
			key = append(key, cells[i]...)
		}
		g := groups[string(key)] // no allocation for the lookup
		switch {
		case g == nil:
			// room for the figures the views append to a group's cells
			g = &dimGroup{cells: append(make([]string, 0, len(cells)+groupFigures), cells...), key: string(key), agg: v, shared: true}
			groups[g.key] = g
			continue
		case g.shared:
			own := &dimAgg{}
			own.merge(g.agg)
			g.agg, g.shared = own, false
		}
		g.agg.merge(v)
	}
	out := make([]*dimGroup, 0, len(groups))
	for _, g := range groups {
		out = append(out, g)
	}
	// most events first; ties in column order, so output is deterministic
	sort.Slice(out, func(i, j int) bool {
		if out[i].agg.n != out[j].agg.n {
			return out[i].agg.n > out[j].agg.n
		}
		return out[i].key < out[j].key
	})
	return out
}

// seqOf yields the entries of lists in turn.
func seqOf(lists [][]dimEntry) iter.Seq[dimEntry] {
	return func(yield func(dimEntry) bool) {
		for _, l := range lists {
			for _, k := range l {
				if !yield(k) {
					return
				}
			}
		}
	}
}

// pick is the view's own dimensions, or the contract's default ones.
func pick(v reportdef.View, def []string) []string {
	if len(v.Dimensions) > 0 {
		return v.Dimensions
	}
	return def
}

// failures builds failures.csv: the recipient's failed requests grouped by
// cols (every signifier, by default), most failures first.
func (b *builder) failures(ev *events, cols []string, role roleID, in codeSet, me extract.Sym) table {
	var t table
	for _, g := range b.groupDims(ev, contract.ServiceRequests, role, in, me, cols, true) {
		t.rows = append(t.rows, append(g.cells, itoa(g.agg.n)))
	}
	return t
}

// svp builds the monthly aggregated data file of a code, grouped by cols.
func (b *builder) svp(ev *events, cols []string, role roleID, in codeSet, me extract.Sym, alerts bool) table {
	var t table
	if alerts {
		for _, g := range b.groupDims(ev, contract.Alerts, role, in, me, cols, false) {
			t.rows = append(t.rows, append(g.cells, itoa(g.agg.n), MeanMS(g.agg.durSum, g.agg.durN)))
		}
		return t
	}
	for _, g := range b.groupDims(ev, contract.ServiceRequests, role, in, me, cols, false) {
		med := ""
		if g.agg.durN > 0 {
			med = itoa(g.agg.sk.Quantile(0.5))
		}
		t.rows = append(t.rows, append(g.cells, itoa(g.agg.n), MeanMS(g.agg.durSum, g.agg.durN), med))
	}
	return t
}

// byDevCols are the by-device view's grouping columns, its header but the
// count.
var byDevCols = func() []string {
	h := contractView(contract.Alerts, contract.ByDevice).Header(nil)
	return h[:len(h)-1]
}()

// contractView is the contract's view of kind k of dataset d.
func contractView(d contract.Dataset, k contract.ViewKind) contract.View {
	v, ok := contract.LookupView(d, k)
	if !ok {
		panic("bench: the contract has no " + string(k) + " view of " + string(d))
	}
	return v
}

// byDevice builds by-device.csv: alerts by device maker, model, firmware.
func (b *builder) byDevice(ev *events, role roleID, in codeSet, me extract.Sym) table {
	var t table
	for _, g := range b.groupDims(ev, contract.Alerts, role, in, me, byDevCols, false) {
		t.rows = append(t.rows, append(g.cells, itoa(g.agg.n)))
	}
	return t
}
