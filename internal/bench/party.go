package bench

import (
	"fmt"
	"slices"

	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/history"
	"github.com/dcc/carport/internal/reportdef"
)

// PartyReport is everything one party receives.
type PartyReport struct {
	Party *extract.Party
	Roles []RoleReport
}

// RoleReport is the reports of one role the party holds.
type RoleReport struct {
	Role    extract.Role
	Reports []ReportOut
}

// ReportOut is one report instance with its computed views.
type ReportOut struct {
	Instance reportdef.Instance
	Views    []ViewOut
	// Figures are the month's compact figures the history keeps (and
	// trends draw); nil for a report without monthly figures.
	Figures *history.Report
}

// ViewOut is one computed view: a CSV's header and rows, or a file already
// written to the stage folder for device-level data.
type ViewOut struct {
	View     reportdef.View
	Header   []string
	Rows     [][]string
	File     string // device-level file in the stage folder, when set
	Withheld string // why peer or industry figures are empty
	MarkDays []string
	// Extra holds columns a site shows beside the CSV's, one cell per row,
	// that the contract's file does not carry (an exception's expiry date).
	Extra []ExtraColumn
}

// ExtraColumn is one column shown beside a view's CSV columns.
type ExtraColumn struct {
	Name  string
	Cells []string
}

// builder computes one party's views.
type builder struct {
	e         *Engine
	period    extract.Period
	sym       *extract.Symbols
	k         int
	partyName string
	// Read back from the spill once per builder, for its one party.
	ed   map[string][]edEvent
	dims map[*events]map[gkey][]dimEntry
	err  error // the first failure to read the spill
	// cur is the instance being built; months its parties' month
	// aggregates, merged once for its league, summary and rtt views.
	cur    *reportdef.Instance
	months monthsMemo
	scoped scopesMemo
}

// incidentsOn returns the ";"-joined ids of incidents overlapping day d.
func (b *builder) incidentsOn(d int) string { return b.e.incDays[d] }

// Party builds the report of party id, for every role it holds.
func (e *Engine) Party(id string) (*PartyReport, error) {
	p := e.Parties.Get(id)
	if p == nil {
		return nil, fmt.Errorf("party %q is not in parties.csv", id)
	}
	b := &builder{e: e, period: e.cfg.Period, sym: e.sym, k: e.cfg.Suite.Policy.MinPeers, partyName: p.Name}
	me := e.sym.Intern([]byte(p.ID))
	out := &PartyReport{Party: p}
	for _, role := range p.Roles {
		rr := RoleReport{Role: role}
		for i := range e.instances {
			in := &e.instances[i]
			if !in.HasRole(role) {
				continue
			}
			rep, ok, err := b.instance(in, role, me)
			if err != nil {
				return nil, err
			}
			if ok {
				rr.Reports = append(rr.Reports, rep)
			}
		}
		out.Roles = append(out.Roles, rr)
	}
	return out, nil
}

// instance computes one report instance for role; ok is false when the
// party has no data for it (an SRV it never sent, an alert it never got).
func (b *builder) instance(in *reportdef.Instance, role extract.Role, me extract.Sym) (ReportOut, bool, error) {
	rid := roleIndex(role)
	rep := ReportOut{Instance: *in}
	b.cur = in
	var ev *events
	var in1 codeSet
	switch in.Def.Dataset {
	case reportdef.ServiceRequests, reportdef.Alerts:
		ev = b.e.sr
		if in.Def.Dataset == reportdef.Alerts {
			ev = b.e.al
		}
		in1 = b.codes(ev, in, role)
		if !ev.has(rid, in1, me) && !edSpecial(in) {
			return rep, false, nil
		}
		// like for like (outputs.md): every view pools, for industry and
		// peers alike, only the codes the recipient had in the role
		in1 = ev.received(rid, in1, me)
	}
	rep.Figures = b.figures(in, role, ev, in1, me)
	for _, v := range in.ViewsFor(role) {
		var t table
		var file string
		var err error
		switch in.Def.Dataset {
		case reportdef.ServiceRequests:
			switch v.Kind {
			case "league":
				t = b.league(ev, rid, in1, me)
			case "rtt":
				t = b.rtt(ev, rid, in1, me)
			case "daily":
				t = b.daily(ev, rid, in1, me, false)
			case "failures":
				t = b.failures(ev, v, rid, in1, me)
			case "svp":
				t = b.svp(ev, v, "service_requests", rid, in1, me)
			case "breakdown":
				t = b.breakdown(ev, v, rid, in1, me, false)
			case "summary":
				t = b.srvSummary(ev, rid, in1, me)
			default:
				return rep, false, fmt.Errorf("%s: view %q: kind %q is not implemented for service requests", in.Def.File, v.ID, v.Kind)
			}
		case reportdef.Alerts:
			switch v.Kind {
			case "daily":
				t = b.daily(ev, rid, in1, me, true)
			case "summary":
				t = b.summary(ev, rid, in1, me)
			case "svp":
				t = b.svp(ev, v, "alerts", rid, in1, me)
			case "breakdown":
				t = b.breakdown(ev, v, rid, in1, me, true)
			case "by_device":
				t = b.byDevice(ev, rid, in1, me)
			case "followup":
				t = b.followup(v, me)
			case "unmatched_summary":
				t = b.unmatchedSummary(v, me)
			case "unmatched_devices":
				t = b.unmatchedDevices(v, me)
			default:
				return rep, false, fmt.Errorf("%s: view %q: kind %q is not implemented for alerts", in.Def.File, v.ID, v.Kind)
			}
		case reportdef.Devices:
			t, file, err = b.inventoryView(v, role, me)
			if err != nil {
				return rep, false, err
			}
		}
		if b.err != nil {
			return rep, false, fmt.Errorf("%s: view %q: %w", in.Def.File, v.ID, b.err)
		}
		rep.Views = append(rep.Views, ViewOut{View: v, Header: t.header, Rows: t.rows, File: file, Withheld: t.withheld, MarkDays: t.markDays, Extra: t.extra})
	}
	return rep, true, nil
}

// codes returns the code set of an instance in role: its matrix key, or
// for a definition without a matrix every code of ev the role reports on:
// every SRV; for alerts, the catalogue's codes of the role, and codes the
// catalogue lacks when the role is one that receives them.
func (b *builder) codes(ev *events, in *reportdef.Instance, role extract.Role) codeSet {
	if in.Key != "" {
		sym, ok := b.sym.Lookup(in.Key)
		if !ok {
			return func(extract.Sym) bool { return false }
		}
		return func(s extract.Sym) bool { return s == sym }
	}
	cat := b.e.cfg.Suite.Catalogue
	allowed := map[extract.Sym]bool{}
	for code := range ev.byRole[roleIndex(role)] {
		if in.Def.Dataset != reportdef.Alerts {
			allowed[code] = true
			continue
		}
		if a := cat.Alert(b.sym.Name(code)); a != nil {
			allowed[code] = slices.Contains(a.Roles, role)
		} else {
			allowed[code] = slices.Contains(reportdef.UncataloguedAlertRoles, role)
		}
	}
	return func(s extract.Sym) bool { return allowed[s] }
}

// edSpecial reports whether the instance is a distribution view that is
// produced even without traffic (an empty follow-up table is news too).
func edSpecial(in *reportdef.Instance) bool {
	for _, v := range in.Def.Views {
		switch v.Kind {
		case "followup", "unmatched_summary", "unmatched_devices":
			return true
		}
	}
	return false
}
