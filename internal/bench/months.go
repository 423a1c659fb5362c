package bench

import (
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/reportdef"
)

// monthsMemo holds the parties' month aggregates of one instance's codes
// in one role: a league, a summary and an rtt view each need them, and
// merging every party's sketches is the dearest step of a party's build.
type monthsMemo struct {
	ev   *events
	role roleID
	inst *reportdef.Instance
	m    map[extract.Sym]*monthAgg
}

// partyMonths is ev.partyMonths(role, in) for the instance being built,
// merged once per instance and role. Callers only read the aggregates.
func (b *builder) partyMonths(ev *events, role roleID, in codeSet) map[extract.Sym]*monthAgg {
	mm := &b.months
	if mm.m != nil && mm.ev == ev && mm.role == role && mm.inst == b.cur && b.cur != nil {
		return mm.m
	}
	*mm = monthsMemo{ev: ev, role: role, inst: b.cur, m: ev.partyMonths(role, in)}
	return mm.m
}
