package bench

// The parties' month aggregates of one instance's codes in one role: a
// league, a summary and an rtt view each need them, and merging every
// party's sketches was the dearest step of a party's views, done again for
// every party although the result is the same for all.

import (
	"encoding/binary"
	"slices"
	"sync"

	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/reportdef"
)

// industryKey names the parties' month aggregates of one instance in one
// role over one set of codes: the same for every party whose codes are
// those (like for like: a recipient's industry pools the codes it had), so
// computed once per build.
type industryKey struct {
	ev    *events
	role  roleID
	inst  *reportdef.Instance
	codes string // the codes of the set, sorted, as bytes
}

// industry is every party's month aggregate of an instance and role, their
// sum and how many parties had events: computed by the first party's
// builder that needs them, then only read (by builders running at once).
type industry struct {
	once   sync.Once
	months map[extract.Sym]*monthAgg
	all    *monthAgg // every party's, pooled
	active int       // parties with events

	// the same by period day, for daily views: computed on first use
	dayOnce   sync.Once
	days      []dayAgg // every party's, pooled
	dayActive []int    // parties with events that day
}

// byDay returns the industry's daily aggregates and how many parties had
// events each day (x.days, x.dayActive), computing them on first use.
func (x *industry) byDay(ev *events, role roleID, in codeSet, days int) ([]dayAgg, []int) {
	x.dayOnce.Do(func() {
		x.days, x.dayActive = make([]dayAgg, days), make([]int, days)
		seen := map[extract.Sym][]bool{} // party → days it had events
		ev.each(role, in, func(code, party extract.Sym, _ *monthAgg) {
			on := seen[party]
			for d, v := range ev.days[gkey{role, party, code}] {
				if v.n == 0 || d >= days {
					continue
				}
				x.days[d].merge(&v)
				if on == nil {
					on = make([]bool, days)
					seen[party] = on
				}
				if !on[d] {
					on[d] = true
					x.dayActive[d]++
				}
			}
		})
	})
	return x.days, x.dayActive
}

// partyMonths is ev.partyMonths(role, in) for the instance being built:
// merged once per instance and role for the whole build (the engine keeps
// them), not once per party. Callers only read the aggregates.
func (b *builder) partyMonths(ev *events, role roleID, in codeSet) map[extract.Sym]*monthAgg {
	return b.industry(ev, role, in).months
}

// industry returns the instance's month aggregates in role (b.cur; without
// an instance being built they are computed afresh, not kept).
func (b *builder) industry(ev *events, role roleID, in codeSet) *industry {
	if b.cur == nil {
		x := &industry{}
		x.compute(ev, role, in)
		return x
	}
	v, _ := b.e.industries.LoadOrStore(industryKey{ev, role, b.cur, ev.codesKey(role, in)}, &industry{})
	x := v.(*industry)
	x.once.Do(func() { x.compute(ev, role, in) })
	return x
}

func (x *industry) compute(ev *events, role roleID, in codeSet) {
	x.months = ev.partyMonths(role, in)
	x.all = &monthAgg{}
	for _, m := range x.months {
		x.all.merge(m)
		if m.n > 0 {
			x.active++
		}
	}
}

// codesKey names the codes of set in role: their symbols, sorted, as bytes.
func (e *events) codesKey(role roleID, in codeSet) string {
	var codes []extract.Sym
	for code := range e.byRole[role] {
		if in(code) {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	b := make([]byte, 0, 4*len(codes))
	for _, c := range codes {
		b = binary.LittleEndian.AppendUint32(b, uint32(c))
	}
	return string(b)
}
