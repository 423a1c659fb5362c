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

// srvSummary builds a service request view's summary.csv, the monthly
// figures against industry that alerts' summary.csv gives for deliveries:
// scope,requests,successes,success_rate,mean_rtt_ms,median_rtt_ms — rows
// you and industry. requests counts every request; the times cover those
// with a round trip time and are empty when none had one. The industry row
// obeys the minimum-peers rule like every other industry figure.
func (b *builder) srvSummary(ev *events, role roleID, in codeSet, me extract.Sym) table {
	you, ind, peers := b.scopes(ev, role, in, me, false)
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
