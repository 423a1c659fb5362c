package bench

// The compact monthly figures of a report instance that the history keeps
// (internal/history, docs/history.md) and that trend views draw: the
// month's league position, round trip times, delivery and estate by type
// and SMETS version. They are computed from the same aggregates as the
// month's own views, so a trend's last point is the month's figure.
//
// Disclosure: an industry figure or league position is set only when at
// least k role peers contributed to it, and the number of peers is kept
// beside it, so that a later build can apply a stricter rule.

import (
	"math"
	"sort"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/history"
	"github.com/dcc/carport/internal/reportdef"
)

// figures computes the recipient's figures of the instance being built;
// nil for an instance with no monthly figures (the distributors'
// follow-up and unmatched-alert reports).
func (b *builder) figures(in *reportdef.Instance, role contract.Role, ev *events, codes codeSet, me extract.Sym) *history.Report {
	rid := roleIndex(role)
	r := &history.Report{ID: in.ID, Version: in.Def.Version.String()}
	switch in.Def.Dataset {
	case contract.ServiceRequests:
		r.Requests = b.requestFigures(ev, rid, codes, me)
		you, ind, peers := b.scopes(ev, rid, codes, me)
		r.Times = &history.Times{You: durations(you), Peers: peers}
		if Disclosed(peers, b.k) {
			d := durations(ind)
			r.Times.Industry = &d
		}
	case contract.Alerts:
		if edSpecial(in) {
			return nil
		}
		you, ind, peers := b.scopes(ev, rid, codes, me)
		r.Delivery = &history.Delivery{You: deliveries(you), Peers: peers}
		if Disclosed(peers, b.k) {
			d := deliveries(ind)
			r.Delivery.Industry = &d
		}
	case contract.Devices:
		r.Estate = b.estateFigures(rid, me)
	}
	return r
}

// requestFigures is the month's requests against industry and the
// recipient's league position, as league.csv ranks it.
func (b *builder) requestFigures(ev *events, role roleID, codes codeSet, me extract.Sym) *history.Requests {
	months := b.partyMonths(ev, role, codes)
	q := &history.Requests{}
	var ind history.Outcomes
	var rates []float64
	mine := -1.0
	for p, m := range months {
		ind.Requests += m.n
		ind.Successes += m.ok
		if m.n == 0 {
			continue
		}
		rates = append(rates, Rate(m.ok, m.n))
		if p == me {
			q.You = history.Outcomes{Requests: m.n, Successes: m.ok}
			mine = Rate(m.ok, m.n)
		} else {
			q.Peers++
		}
	}
	if !Disclosed(q.Peers, b.k) {
		return q
	}
	q.Industry = &ind
	if mine >= 0 {
		sort.Sort(sort.Reverse(sort.Float64Slice(rates)))
		ranks := CompetitionRanks(rates)
		// the first of equal rates holds the shared rank
		q.Rank, q.Ranked = ranks[sort.Search(len(rates), func(i int) bool { return rates[i] <= mine })], len(rates)
	}
	return q
}

func durations(m *monthAgg) history.Durations {
	d := history.Durations{Requests: m.durN}
	if m.durN == 0 {
		return d
	}
	best, worst := m.durMin, m.durMax
	mean := int64(math.Round(float64(m.durSum) / float64(m.durN)))
	med, p95 := m.sk.Quantile(0.5), m.sk.Quantile(0.95)
	d.BestMS, d.WorstMS, d.MeanMS, d.MedianMS, d.P95MS = &best, &worst, &mean, &med, &p95
	return d
}

func deliveries(m *monthAgg) history.Deliveries {
	d := history.Deliveries{Alerts: m.n, Delivered: m.ok}
	if m.durN > 0 {
		mean := int64(math.Round(float64(m.durSum) / float64(m.durN)))
		med := m.sk.Quantile(0.5)
		d.MeanDeliveryMS, d.MedianDeliveryMS = &mean, &med
	}
	return d
}

// estateFigures is the recipient's estate in role by device type and SMETS
// version, each segment with every estate's devices of it when at least k
// peers hold such devices, and the devices on its exception list.
func (b *builder) estateFigures(role roleID, me extract.Sym) *history.Estate {
	type seg struct {
		typ   extract.Sym
		smets string
	}
	type tally struct {
		you, all int64
		peers    int
	}
	segs := map[seg]*tally{}
	inv := b.e.inv
	for k, n := range inv.segs {
		if k.role == role && k.party == me {
			segs[seg{k.deviceType, k.smets}] = &tally{you: n}
		}
	}
	for k, n := range inv.segs {
		t := segs[seg{k.deviceType, k.smets}]
		if k.role != role || t == nil || n == 0 {
			continue
		}
		t.all += n
		if k.party != me {
			t.peers++
		}
	}
	est := &history.Estate{Segments: []history.Segment{}}
	if o := inv.outs[gkey{role: role, party: me}]; o != nil {
		est.NeedingAction = o.xdevs
	}
	for s, t := range segs {
		g := history.Segment{DeviceType: b.sym.Name(s.typ), SMETSVersion: s.smets, Devices: t.you, Peers: t.peers}
		if Disclosed(t.peers, b.k) {
			all := t.all
			g.IndustryDevices = &all
		}
		est.Segments = append(est.Segments, g)
	}
	sort.Slice(est.Segments, func(i, j int) bool {
		a, c := est.Segments[i], est.Segments[j]
		if a.DeviceType != c.DeviceType {
			return a.DeviceType < c.DeviceType
		}
		return a.SMETSVersion < c.SMETSVersion
	})
	return est
}

// History is the party's figures for the period's history entry: every
// report of every role it holds that has monthly figures, in the order
// the format wants (reports by id).
func (r *PartyReport) History() history.Party {
	p := history.Party{ID: r.Party.ID, Roles: []history.Role{}}
	for _, rr := range r.Roles {
		hr := history.Role{Role: string(rr.Role), Reports: []history.Report{}}
		for _, rep := range rr.Reports {
			if rep.Figures != nil {
				hr.Reports = append(hr.Reports, *rep.Figures)
			}
		}
		sort.Slice(hr.Reports, func(i, j int) bool { return hr.Reports[i].ID < hr.Reports[j].ID })
		p.Roles = append(p.Roles, hr)
	}
	return p
}
