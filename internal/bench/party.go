package bench

import (
	"fmt"
	"slices"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/history"
	"github.com/dcc/carport/internal/reportdef"
)

// PartyReport is everything one party receives.
type PartyReport struct {
	Party *extract.Party
	Roles []RoleReport
	// AlertDevices are the ids of the devices that alerts sent to the
	// party concern and that a view may publish, sorted (deviceIDs).
	AlertDevices []string
}

// RoleReport is the reports of one role the party holds.
type RoleReport struct {
	Role    contract.Role
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
	period    contract.Period
	sym       *extract.Symbols
	k         int
	partyID   string
	partyName string
	// Read back from the spill once per builder, for its one party.
	ed   map[string][]edEvent
	dims map[*events]map[gkey][]dimEntry
	// the outage rules' unmatched alerts by window (ms): the summary and
	// the device list read the same
	unmatched map[int64][]unmatched
	err       error // the first failure to read the spill
	// cur is the instance being built (the key of its parties' month
	// aggregates, kept by the engine: see months.go).
	cur *reportdef.Instance
}

// incidentsOn returns the ";"-joined ids of incidents overlapping day d.
func (b *builder) incidentsOn(d int) string { return b.e.incDays[d] }

// Party builds the report of party id, for every role it holds.
func (e *Engine) Party(id string) (*PartyReport, error) {
	p := e.Parties.Get(id)
	if p == nil {
		return nil, fmt.Errorf("party %q is not in parties.csv", id)
	}
	b := &builder{e: e, period: e.cfg.Period, sym: e.sym, k: e.cfg.Suite.Policy.MinPeers, partyID: p.ID, partyName: p.Name}
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
	if e.ed != nil && e.ed.store != nil {
		// the follow-up alerts the views read, or read now: one pass
		// over the spill serves both
		out.AlertDevices = deviceIDs(b.edEvents(me))
		if b.err != nil {
			return nil, b.err
		}
	}
	return out, nil
}

// instance computes one report instance for role; ok is false when the
// party has no data for it (an SRV it never sent, an alert it never got).
func (b *builder) instance(in *reportdef.Instance, role contract.Role, me extract.Sym) (ReportOut, bool, error) {
	rid := roleIndex(role)
	rep := ReportOut{Instance: *in}
	b.cur = in
	var ev *events
	var in1 codeSet
	switch in.Def.Dataset {
	case contract.ServiceRequests, contract.Alerts:
		ev = b.e.sr
		if in.Def.Dataset == contract.Alerts {
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
		spec, ok := contract.LookupView(in.Def.Dataset, v.Kind)
		f := viewFuncs[viewKey{in.Def.Dataset, v.Kind}]
		if !ok || f == nil { // compiling the definition refused it; a test proves the table complete
			return rep, false, fmt.Errorf("%s: view %q: %s is not a view kind of dataset %s", in.Def.Pos(v.Key("kind")), v.ID, v.Kind, in.Def.Dataset)
		}
		t, file, err := f(b, &viewArgs{ev: ev, v: v, role: role, rid: rid, in: in1, me: me, dims: pick(v, spec.DefaultDims), fig: rep.Figures})
		if err == nil {
			err = b.err
		}
		if err != nil {
			return rep, false, fmt.Errorf("%s: view %q: %w", in.Def.Pos(v.Key("id")), v.ID, err)
		}
		out := ViewOut{View: v, File: file, Withheld: t.withheld, MarkDays: t.markDays, Extra: t.extra}
		if file == "" {
			out.Header, out.Rows = spec.Header(v.Dimensions), t.rows
		}
		rep.Views = append(rep.Views, out)
	}
	return rep, true, nil
}

// viewArgs are what a view's computation reads: the events of the
// instance's dataset, the view, the recipient me in role, and the codes
// the view pools.
type viewArgs struct {
	ev   *events // nil for devices
	v    reportdef.View
	role contract.Role
	rid  roleID
	in   codeSet
	me   extract.Sym
	dims []string        // the grouping columns of failures and svp views
	fig  *history.Report // the instance's figures this month (trends)
}

// viewFunc computes one view's rows (in the order of the contract's
// header), or a file for a view delivered as one.
type viewFunc func(b *builder, x *viewArgs) (t table, file string, err error)

type viewKey struct {
	dataset contract.Dataset
	kind    contract.ViewKind
}

// rows adapts a computation that only makes rows.
func rows(f func(b *builder, x *viewArgs) table) viewFunc {
	return func(b *builder, x *viewArgs) (table, string, error) { return f(b, x), "", nil }
}

// viewFuncs computes every view kind of the output contract
// (contract.Views); TestViewFuncsCoverTheContract proves it complete.
var viewFuncs = map[viewKey]viewFunc{
	{contract.ServiceRequests, contract.League}:    rows(func(b *builder, x *viewArgs) table { return b.league(x.ev, x.rid, x.in, x.me) }),
	{contract.ServiceRequests, contract.RTT}:       rows(func(b *builder, x *viewArgs) table { return b.rtt(x.ev, x.rid, x.in, x.me) }),
	{contract.ServiceRequests, contract.Daily}:     rows(func(b *builder, x *viewArgs) table { return b.daily(x.ev, x.rid, x.in, x.me) }),
	{contract.ServiceRequests, contract.Failures}:  rows(func(b *builder, x *viewArgs) table { return b.failures(x.ev, x.dims, x.rid, x.in, x.me) }),
	{contract.ServiceRequests, contract.SVP}:       rows(func(b *builder, x *viewArgs) table { return b.svp(x.ev, x.dims, x.rid, x.in, x.me, false) }),
	{contract.ServiceRequests, contract.Breakdown}: rows(func(b *builder, x *viewArgs) table { return b.breakdown(x.ev, x.v, x.rid, x.in, x.me) }),
	{contract.ServiceRequests, contract.Summary}:   rows(func(b *builder, x *viewArgs) table { return b.summary(x.ev, x.rid, x.in, x.me) }),
	{contract.ServiceRequests, contract.Trend}:     rows(func(b *builder, x *viewArgs) table { return requestsTrend(b.trendPoints(x), b.k) }),
	{contract.ServiceRequests, contract.RTTTrend}:  rows(func(b *builder, x *viewArgs) table { return rttTrend(b.trendPoints(x), b.k) }),

	{contract.Alerts, contract.Daily}:            rows(func(b *builder, x *viewArgs) table { return b.daily(x.ev, x.rid, x.in, x.me) }),
	{contract.Alerts, contract.Summary}:          rows(func(b *builder, x *viewArgs) table { return b.summary(x.ev, x.rid, x.in, x.me) }),
	{contract.Alerts, contract.SVP}:              rows(func(b *builder, x *viewArgs) table { return b.svp(x.ev, x.dims, x.rid, x.in, x.me, true) }),
	{contract.Alerts, contract.Breakdown}:        rows(func(b *builder, x *viewArgs) table { return b.breakdown(x.ev, x.v, x.rid, x.in, x.me) }),
	{contract.Alerts, contract.ByDevice}:         rows(func(b *builder, x *viewArgs) table { return b.byDevice(x.ev, x.rid, x.in, x.me) }),
	{contract.Alerts, contract.Followup}:         rows(func(b *builder, x *viewArgs) table { return b.followup(x.v, x.me) }),
	{contract.Alerts, contract.UnmatchedSummary}: rows(func(b *builder, x *viewArgs) table { return b.unmatchedSummary(x.v, x.me) }),
	{contract.Alerts, contract.UnmatchedDevices}: rows(func(b *builder, x *viewArgs) table { return b.unmatchedDevices(x.v, x.me) }),
	{contract.Alerts, contract.Trend}:            rows(func(b *builder, x *viewArgs) table { return alertsTrend(b.trendPoints(x), b.k) }),

	{contract.Devices, contract.Models}:        rows(func(b *builder, x *viewArgs) table { return b.models(x.rid, x.me) }),
	{contract.Devices, contract.FirmwareShare}: rows(func(b *builder, x *viewArgs) table { return b.firmwareShare(x.rid, x.me) }),
	{contract.Devices, contract.Estate}: func(b *builder, x *viewArgs) (table, string, error) {
		f, err := b.estateFile(x.role, x.me)
		return table{}, f, err
	},
	{contract.Devices, contract.Exceptions}: func(b *builder, x *viewArgs) (table, string, error) {
		t, err := b.exceptions(x.role, x.me)
		return t, "", err
	},
	{contract.Devices, contract.Trend}: rows(func(b *builder, x *viewArgs) table { return estateTrend(b.trendPoints(x), b.k) }),
}

// codes returns the code set of an instance in role: its matrix key, or
// for a definition without a matrix every code of ev the role reports on:
// every SRV; for alerts, the catalogue's codes of the role, and codes the
// catalogue lacks when the role is one that receives them.
func (b *builder) codes(ev *events, in *reportdef.Instance, role contract.Role) codeSet {
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
		if in.Def.Dataset != contract.Alerts {
			allowed[code] = true
			continue
		}
		if a := cat.Alert(b.sym.Name(code)); a != nil {
			allowed[code] = slices.Contains(a.Roles, role)
		} else {
			allowed[code] = slices.Contains(contract.UncataloguedAlertRoles, role)
		}
	}
	return func(s extract.Sym) bool { return allowed[s] }
}

// edSpecial reports whether the instance is a distribution view that is
// produced even without traffic (an empty follow-up table is news too).
func edSpecial(in *reportdef.Instance) bool {
	for _, v := range in.Def.Views {
		switch v.Kind {
		case contract.Followup, contract.UnmatchedSummary, contract.UnmatchedDevices:
			return true
		}
	}
	return false
}
