// Package siteinput turns a party's computed reports (internal/bench) and
// the report definitions (internal/reportdef) into the input of its site
// (site.Input): the figures, the words a site uses (column labels and
// formats, code meanings), the policy's thresholds it quotes, and each
// definition's headline and insight rules, as plain values, so that the
// site package works on its own input types alone.
package siteinput

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/site"
)

// siteWords sets the column catalogue, the insight policy and the
// thresholds pages quote.
func siteWords(in *site.Input, suite *reportdef.Suite, period contract.Period) {
	in.Columns = map[string]site.Column{}
	for _, c := range suite.Catalogue.Columns {
		in.Columns[c.Name] = site.Column{Label: c.Label, Format: c.Format, Better: c.Better}
	}
	if p := suite.Policy.Insights; p != nil {
		sp := site.InsightPolicy(*p)
		in.Insights = &sp
	}
	last := period.LastDay()
	pol := suite.Policy
	in.Thresholds = map[string]string{
		"cpl_expiry_days":  strconv.Itoa(pol.CPLExpiryDays),
		"cert_expiry_days": strconv.Itoa(pol.CertExpiryDays),
		"cpl_expiry_by":    last.AddDate(0, 0, pol.CPLExpiryDays).Format("2 January 2006"),
		"cert_expiry_by":   last.AddDate(0, 0, pol.CertExpiryDays).Format("2 January 2006"),
		"min_peers":        strconv.Itoa(pol.MinPeers),
	}
}

// withThresholds fills {name} placeholders of a definition's note with
// the policy's figures ("within {cpl_expiry_days} days").
func withThresholds(s string, th map[string]string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var pairs []string
	for k, v := range th {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// siteOrder orders a role's reports for its site: service requests, then
// alerts, then the estate; within each, the totals (definitions without a
// matrix) before the reports per SRV or code. The home page's headline
// figures and the catalogue's themes follow this order.
func siteOrder(reps []bench.ReportOut) []bench.ReportOut {
	rank := map[contract.Dataset]int{contract.ServiceRequests: 0, contract.Alerts: 1, contract.Devices: 2}
	out := slices.Clone(reps)
	sort.SliceStable(out, func(a, b int) bool {
		da, db := out[a].Instance.Def, out[b].Instance.Def
		if rank[da.Dataset] != rank[db.Dataset] {
			return rank[da.Dataset] < rank[db.Dataset]
		}
		return da.MatrixOver == "" && db.MatrixOver != ""
	})
	return out
}

func siteReport(r bench.ReportOut, th map[string]string, cat *reportdef.Catalogue) site.Report {
	d := r.Instance.Def
	sr := site.Report{ID: r.Instance.ID, DefID: d.ID, Version: d.Version.String(), Title: r.Instance.Title,
		Category: d.Category, Description: d.Description, Help: d.Help, MainView: d.MainView, Summary: tileLine(r.Instance, cat)}
	for _, c := range d.Changelog {
		sr.Changelog = append(sr.Changelog, site.Change{Version: c.Version.String(), Date: c.Date, Note: c.Note})
	}
	for _, v := range r.Views {
		c := v.View.Chart
		sv := site.View{ID: v.View.ID, Kind: string(v.View.Kind), Title: v.View.Title, Header: v.Header, Rows: v.Rows,
			File: v.File, Withheld: v.Withheld, Note: withThresholds(v.View.Note, th), Empty: v.View.Empty,
			Chart: site.Chart{Kind: string(c.Kind), X: c.X, Series: c.Series, Highlight: c.Highlight, Percent: c.Percent,
				Stack: c.Stack, GroupBy: c.GroupBy, SeriesFrom: c.SeriesFrom, MarkDays: v.MarkDays, Sample: c.Sample}}
		for _, x := range v.Extra {
			sv.Extra = append(sv.Extra, site.ExtraColumn{Name: x.Name, Cells: x.Cells})
		}
		for _, h := range v.View.Headlines {
			sv.Headlines = append(sv.Headlines, site.Headline{Label: h.Label, Column: h.Column, From: h.From})
		}
		for _, x := range v.View.Insights {
			sv.Insights = append(sv.Insights, site.InsightRule{Rule: x.Rule, Column: x.Column, Count: x.Count, Failed: x.Failed, By: x.By})
		}
		sr.Views = append(sr.Views, sv)
	}
	return sr
}

// tileLine is the catalogue tile's line of a report per SRV or alert code:
// what sets it apart from its neighbours (their descriptions are the
// same), its business process or the alert's source. Other reports show
// their description's first sentence.
func tileLine(in reportdef.Instance, cat *reportdef.Catalogue) string {
	switch in.Def.MatrixOver {
	case "srv":
		if s := cat.SRV(in.Key); s != nil && s.BusinessProcess != "" {
			return "Business process: " + s.BusinessProcess + "."
		}
	case "alert":
		if a := cat.Alert(in.Key); a != nil {
			if a.Source == "dcc" {
				return "An alert the DCC raises; how it reached you."
			}
			return "An alert the device raises; how it reached you."
		}
	}
	return ""
}

// glossary lists the codes met in the party's reports: the alert codes of
// its alert reports, and the response and delivery-failure reason codes
// of its views' rows, each with its catalogue meaning.
func glossary(suite *reportdef.Suite, rep *bench.PartyReport) []site.Term {
	alerts := map[string]bool{}
	codes := map[string]map[string]bool{"response_code": {}, "reason_code": {}}
	for _, rr := range rep.Roles {
		for _, r := range rr.Reports {
			if r.Instance.Def.MatrixOver == "alert" && r.Instance.Key != "" {
				alerts[r.Instance.Key] = true
			}
			for _, v := range r.Views {
				for col, seen := range codes {
					i := slices.Index(v.Header, col)
					if i < 0 {
						continue
					}
					for _, row := range v.Rows {
						if c := strings.TrimSpace(row[i]); c != "" {
							seen[c] = true
						}
					}
				}
			}
		}
	}
	var out []site.Term
	add := func(group string, seen map[string]bool, meaning func(string) string) {
		keys := make([]string, 0, len(seen))
		for k := range seen {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, site.Term{Group: group, Code: k, Meaning: meaning(k)})
		}
	}
	lookup := func(list []reportdef.Code) func(string) string {
		return func(k string) string {
			for _, c := range list {
				if c.Code == k {
					return c.Meaning
				}
			}
			return "Not yet in the DCC's list of codes."
		}
	}
	add("Alert codes", alerts, func(k string) string {
		if a := suite.Catalogue.Alert(k); a != nil {
			src := "device alert"
			if a.Source == "dcc" {
				src = "DCC alert"
			}
			return a.Name + " (" + src + ")."
		}
		return "Not yet in the DCC's list of alert codes."
	})
	add("Service request response codes", codes["response_code"], lookup(suite.Catalogue.ResponseCodes))
	add("Alert delivery failure reasons", codes["reason_code"], lookup(suite.Catalogue.ReasonCodes))
	return out
}

// For is the site input of the party whose report rep is, built by
// carport version generator and signed with the DCC key signingKey
// (minisign's public key text).
func For(eng *bench.Engine, suite *reportdef.Suite, rep *bench.PartyReport, period contract.Period, generator, signingKey string) site.Input {
	in := site.Input{Period: period.String(), PartyID: rep.Party.ID, PartyName: rep.Party.Name,
		ContactEmail: rep.Party.Email, GeneratorVersion: generator, MinPeers: suite.Policy.MinPeers, SigningKey: signingKey}
	incs, dates := eng.Incidents()
	for i, x := range incs {
		si := site.Incident{ID: x.ID, Category: x.Category, Title: x.Title, Dates: dates[i], Regions: "all",
			Start: time.UnixMilli(x.StartMS).In(contract.London).Format(time.RFC3339)}
		if x.EndMS >= 0 {
			si.End = time.UnixMilli(x.EndMS).In(contract.London).Format(time.RFC3339)
		}
		if len(x.Regions) > 0 {
			si.Regions = strings.Join(x.Regions, ";")
		}
		in.Incidents = append(in.Incidents, si)
	}
	siteWords(&in, suite, period)
	for _, rr := range rep.Roles {
		ri := site.RoleInput{Role: string(rr.Role), RoleName: rr.Role.Name()}
		for _, r := range siteOrder(rr.Reports) {
			ri.Reports = append(ri.Reports, siteReport(r, in.Thresholds, suite.Catalogue))
		}
		in.Roles = append(in.Roles, ri)
	}
	in.Glossary = glossary(suite, rep)
	return in
}
