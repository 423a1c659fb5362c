// Package runreport is the DCC-only report of a build: data quality per
// extract, the codes the catalogue lacks, stage timings, per party its
// bundle's size and the leak audit's cost, the figures withheld under the
// minimum-peers rule, and the change against last month's run. It names
// every party, so it never goes in a bundle; a build publishes it inside
// the period, as run.json and as a page with charts (run.html), where it
// switches with the period.
package runreport

import (
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dcc/carport/internal/audit"
	"github.com/dcc/carport/internal/bench"
)

// Bundle is one party's bundle sealed in the run.
type Bundle struct {
	Party     string
	ZipSHA256 string
	Size      int64 // the sealed file's bytes
	ZipSize   int64 // the zip's inside it
	Audit     audit.Stats
	// Withheld are the party's views whose peer or industry figures the
	// minimum-peers rule withheld (or some of them).
	Withheld []View
}

// View names one view of one report instance in a role.
type View struct {
	Role       string `json:"role"`
	Definition string `json:"definition"` // e.g. "srv"
	Report     string `json:"report"`     // instance id, e.g. "srv-4.1.1"
	View       string `json:"view"`
}

// Run is what a build knows at its end.
type Run struct {
	Generator string        // carport's version
	Period    string        // YYYY-MM
	Engine    *bench.Engine // quality, gaps and stages of the month's read
	Bundles   []Bundle      // sealed in this run, by party id
	Kept      []string      // parties whose published bundles a --party build kept
	Index     time.Duration // building the leak audit's index
	IndexSize int64         // its bytes on disk
	// Render, Audit and Seal are the parties' steps, summed.
	Render, Audit, Seal time.Duration
	// History lists the months before the period that the history held
	// (the trends' points besides this month).
	History []string
	// Previous is last month's run report (OUT/<previous>.run.json), nil
	// when there is none; PreviousPeriod names that month.
	Previous       *Report
	PreviousPeriod string
	Workers        int           // worker processes that built the parties
	Parties        time.Duration // building every party on the workers, wall time
	Total          time.Duration
}

// Report is the run report as published (run.json).
type Report struct {
	Generator    string    `json:"generator_version"`
	Period       string    `json:"period,omitempty"`
	Parties      []string  `json:"parties"`
	Kept         []string  `json:"kept_parties,omitempty"`
	Quality      []Quality `json:"quality"`
	Uncatalogued []Gap     `json:"uncatalogued"`
	Stages       []Stage   `json:"stages"`
	Bundles      []Audit   `json:"bundles"`
	// Withheld lists each view withheld for at least one party, with the
	// parties; WithheldViews counts (party, view) pairs.
	Withheld      []Withheld `json:"withheld"`
	WithheldViews int        `json:"withheld_views"`
	// HistoryMonths are the months before the period the trends drew on.
	HistoryMonths []string `json:"history_months"`
	// Change is the change against last month's run, when its report is
	// in OUT.
	Change     *Change `json:"change_since_previous,omitempty"`
	IndexSec   float64 `json:"audit_index_seconds"`
	IndexBytes int64   `json:"audit_index_bytes"`
	Workers    int     `json:"workers"`
	PartiesSec float64 `json:"parties_seconds"`
	Seconds    float64 `json:"total_seconds"`
}

// Withheld is one view withheld for some parties.
type Withheld struct {
	View
	Parties []string `json:"parties"`
}

// Change is a run against the previous month's.
type Change struct {
	Period string      `json:"period"`
	Added  []string    `json:"parties_added"`
	Gone   []string    `json:"parties_gone"`
	Rows   []RowChange `json:"rows"`
}

// RowChange is one extract's rows against the previous month's.
type RowChange struct {
	File     string `json:"file"`
	Rows     int64  `json:"rows"`
	Previous int64  `json:"previous_rows"`
	// Percent is the change in percent; nil when last month had no rows.
	Percent *float64 `json:"change_percent"`
}

// Quality is what reading one extract found.
type Quality struct {
	File          string           `json:"file"`
	Bytes         int64            `json:"bytes"`
	Rows          int64            `json:"rows"`
	Bad           int64            `json:"bad"`
	OutsidePeriod int64            `json:"outside_period"`
	ByReason      map[string]int64 `json:"bad_by_reason"`
	Examples      []string         `json:"examples"`
}

// Gap is a code the extracts carry and the catalogue lacks.
type Gap struct {
	Dataset string `json:"dataset"`
	Code    string `json:"code"`
	Rows    int64  `json:"rows_in_period"`
}

// Stage is one stage of the engine.
type Stage struct {
	Name    string  `json:"name"`
	Rows    int64   `json:"rows"`
	Seconds float64 `json:"seconds"`
}

// Audit is one party's bundle and its leak audit.
type Audit struct {
	Party        string  `json:"party"`
	Bytes        int64   `json:"bytes"`
	ZipBytes     int64   `json:"zip_bytes"`
	ZipSHA256    string  `json:"zip_sha256"`
	AuditFiles   int     `json:"audit_files"`
	AuditBytes   int64   `json:"audit_bytes"`
	AuditEstate  int     `json:"audit_estate_devices"`
	AuditSeconds float64 `json:"audit_seconds"`
}

// New makes the report of run r.
func New(r Run) *Report {
	rep := &Report{Generator: r.Generator, Period: r.Period, Kept: r.Kept, IndexSec: r.Index.Seconds(), IndexBytes: r.IndexSize,
		Workers: r.Workers, PartiesSec: r.Parties.Seconds(), Seconds: r.Total.Seconds(), Uncatalogued: []Gap{}, Withheld: []Withheld{},
		HistoryMonths: append([]string{}, r.History...)}
	for _, g := range r.Engine.Gaps {
		rep.Uncatalogued = append(rep.Uncatalogued, Gap{string(g.Dataset), g.Code, g.Rows})
	}
	for _, q := range r.Engine.Quality {
		rep.Quality = append(rep.Quality, Quality{q.File, q.Bytes, q.Rows, q.Bad, q.OutsidePeriod, q.ByReason, q.Examples})
	}
	withheld := map[View][]string{}
	for _, b := range r.Bundles {
		rep.Parties = append(rep.Parties, b.Party)
		rep.Bundles = append(rep.Bundles, Audit{b.Party, b.Size, b.ZipSize, b.ZipSHA256, b.Audit.Files, b.Audit.Bytes, b.Audit.Estate, b.Audit.Elapsed.Seconds()})
		for _, v := range b.Withheld {
			withheld[v] = append(withheld[v], b.Party)
			rep.WithheldViews++
		}
	}
	for v, ps := range withheld {
		rep.Withheld = append(rep.Withheld, Withheld{View: v, Parties: ps})
	}
	sort.Slice(rep.Withheld, func(i, j int) bool {
		a, b := rep.Withheld[i].View, rep.Withheld[j].View
		if a.Role != b.Role {
			return a.Role < b.Role
		}
		if a.Report != b.Report {
			return a.Report < b.Report
		}
		return a.View < b.View
	})
	for _, s := range r.Engine.Stages {
		rep.Stages = append(rep.Stages, Stage{s.Name, s.Rows, s.Elapsed.Seconds()})
	}
	for _, s := range []struct {
		name string
		d    time.Duration
	}{{"render sites", r.Render}, {"leak audit", r.Audit + r.Index}, {"seal and sign", r.Seal}} {
		rep.Stages = append(rep.Stages, Stage{Name: s.name, Seconds: s.d.Seconds()})
	}
	if r.Previous != nil {
		rep.Change = compare(rep, r.Previous, r.PreviousPeriod)
	}
	return rep
}

// compare is this run's change against prev: parties added and gone (a
// --party build's kept parties count as there), and rows per extract.
func compare(cur, prev *Report, period string) *Change {
	c := &Change{Period: period, Added: []string{}, Gone: []string{}, Rows: []RowChange{}}
	had, has := map[string]bool{}, map[string]bool{}
	for _, p := range append(slices.Clone(prev.Parties), prev.Kept...) {
		had[p] = true
	}
	for _, p := range append(slices.Clone(cur.Parties), cur.Kept...) {
		has[p] = true
	}
	for p := range has {
		if !had[p] {
			c.Added = append(c.Added, p)
		}
	}
	for p := range had {
		if !has[p] {
			c.Gone = append(c.Gone, p)
		}
	}
	slices.Sort(c.Added)
	slices.Sort(c.Gone)
	before := map[string]int64{}
	for _, q := range prev.Quality {
		before[strings.TrimSuffix(q.File, ".gz")] = q.Rows
	}
	for _, q := range cur.Quality {
		rc := RowChange{File: q.File, Rows: q.Rows, Previous: before[strings.TrimSuffix(q.File, ".gz")]}
		if rc.Previous > 0 {
			pct := math.Round(float64(q.Rows-rc.Previous)/float64(rc.Previous)*1000) / 10
			rc.Percent = &pct
		}
		c.Rows = append(c.Rows, rc)
	}
	return c
}

// Decode reads a run report (run.json) of this or an older carport.
func Decode(b []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// JSON is the report as run.json holds it: indented, with a final newline.
func (r *Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
