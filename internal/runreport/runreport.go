// Package runreport is the DCC-only report of a build: data quality per
// extract, the codes the catalogue lacks, stage timings, and per party its
// bundle and the leak audit's cost. It names every party, so it never goes
// in a bundle; a build publishes it inside the period (publish.RunReportName,
// run.json), where it switches with the period.
package runreport

import (
	"encoding/json"
	"time"

	"github.com/dcc/carport/internal/audit"
	"github.com/dcc/carport/internal/bench"
)

// Bundle is one party's bundle sealed in the run.
type Bundle struct {
	Party     string
	ZipSHA256 string
	Audit     audit.Stats
}

// Run is what a build knows at its end.
type Run struct {
	Generator string        // carport's version
	Engine    *bench.Engine // quality, gaps and stages of the month's read
	Bundles   []Bundle      // sealed in this run, by party id
	Kept      []string      // parties whose published bundles a --party build kept
	Index     time.Duration // building the leak audit's index
	IndexSize int64         // its bytes on disk
	Workers   int           // worker processes that built the parties
	Parties   time.Duration // building every party on the workers, wall time
	Total     time.Duration
}

// Report is the run report as published (run.json).
type Report struct {
	Generator    string    `json:"generator_version"`
	Parties      []string  `json:"parties"`
	Kept         []string  `json:"kept_parties,omitempty"`
	Quality      []Quality `json:"quality"`
	Uncatalogued []Gap     `json:"uncatalogued"`
	Stages       []Stage   `json:"stages"`
	Bundles      []Audit   `json:"bundles"`
	IndexSec     float64   `json:"audit_index_seconds"`
	IndexBytes   int64     `json:"audit_index_bytes"`
	Workers      int       `json:"workers"`
	PartiesSec   float64   `json:"parties_seconds"`
	Seconds      float64   `json:"total_seconds"`
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
	ZipSHA256    string  `json:"zip_sha256"`
	AuditFiles   int     `json:"audit_files"`
	AuditBytes   int64   `json:"audit_bytes"`
	AuditEstate  int     `json:"audit_estate_devices"`
	AuditSeconds float64 `json:"audit_seconds"`
}

// New makes the report of run r.
func New(r Run) *Report {
	rep := &Report{Generator: r.Generator, Kept: r.Kept, IndexSec: r.Index.Seconds(), IndexBytes: r.IndexSize,
		Workers: r.Workers, PartiesSec: r.Parties.Seconds(), Seconds: r.Total.Seconds(), Uncatalogued: []Gap{}}
	for _, g := range r.Engine.Gaps {
		rep.Uncatalogued = append(rep.Uncatalogued, Gap{string(g.Dataset), g.Code, g.Rows})
	}
	for _, q := range r.Engine.Quality {
		rep.Quality = append(rep.Quality, Quality{q.File, q.Bytes, q.Rows, q.Bad, q.OutsidePeriod, q.ByReason, q.Examples})
	}
	for _, b := range r.Bundles {
		rep.Parties = append(rep.Parties, b.Party)
		rep.Bundles = append(rep.Bundles, Audit{b.Party, b.ZipSHA256, b.Audit.Files, b.Audit.Bytes, b.Audit.Estate, b.Audit.Elapsed.Seconds()})
	}
	for _, s := range r.Engine.Stages {
		rep.Stages = append(rep.Stages, Stage{s.Name, s.Rows, s.Elapsed.Seconds()})
	}
	return rep
}

// JSON is the report as run.json holds it: indented, with a final newline.
func (r *Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
