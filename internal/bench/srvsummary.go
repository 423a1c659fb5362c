package bench

import "github.com/dcc/carport/internal/extract"

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
	t := table{header: []string{"scope", "requests", "successes", "success_rate", "mean_rtt_ms", "median_rtt_ms"}}
	t.rows = append(t.rows, append([]string{"you"}, cells(you)...))
	if Disclosed(peers, b.k) {
		t.rows = append(t.rows, append([]string{"industry"}, cells(ind)...))
	} else {
		t.rows = append(t.rows, []string{"industry", "", "", "", "", ""})
		t.withheld = withheldMsg("Industry figures", peers, b.k)
	}
	return t
}
