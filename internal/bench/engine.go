// Package bench computes every view of the output contract
// (docs/outputs.md) for every party and role: it streams each
// extract once into per-role aggregates, then builds each party's league
// tables, benchmarks and exception lists under disclosure control.
//
// Peers are never named and never given volumes; a peer-derived figure is
// published only when at least Policy.MinPeers role peers contributed to
// it, and the view then says why it is empty.
package bench

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/history"
	"github.com/dcc/carport/internal/reportdef"
)

// FollowUpDays is how long past the period the alert extract runs.
const FollowUpDays = 7

// Config is what a run needs.
type Config struct {
	Suite    *reportdef.Suite
	Select   reportdef.Select // which statuses reach sites (drafts for previews)
	Extracts string           // folder of the period's extracts
	Period   contract.Period
	// StageDir is a private (0700) folder for device-level files streamed
	// per party and for the scan's spill of row-level detail (signifier
	// tuples, distributors' follow-up alerts: see spill.go), which holds
	// about 20 bytes per event row; the caller removes it.
	StageDir string
	Workers  int       // scan workers; 0 means GOMAXPROCS
	Progress io.Writer // optional progress lines
	// History is the history's entries of the months before Period
	// (history.Dir.Window: oldest first, nil for a month without one),
	// which trend views draw on; nil draws this month only.
	History []*history.Entry
}

// Stage is the time and volume of one pipeline stage.
type Stage struct {
	Name    string
	Rows    int64
	Bytes   int64
	Elapsed time.Duration
}

// Engine holds the aggregates of one run, ready to build party reports.
type Engine struct {
	cfg       Config
	Parties   *extract.Parties
	sym       *extract.Symbols
	incidents []extract.Incident
	incDays   []string // per period day: ";"-joined incident ids
	sr, al    *events
	ed        *edIndex
	inv       *inventory
	instances []reportdef.Instance
	months    []string // the periods of cfg.History
	// Quality is what reading each extract found (DCC-only run report).
	Quality []extract.FileReport
	Stages  []Stage
	// Gaps are the SRVs and alert codes the extracts carry and the
	// catalogue lacks; each has its own report instances all the same.
	Gaps []Gap
	// industries keeps every party's month aggregates per instance and
	// role, computed once for all parties (industryKey → *industry).
	industries sync.Map
}

// Gap is an SRV or alert code that the extracts carry and the catalogue
// lacks, with the rows of the period that carry it.
type Gap struct {
	Dataset contract.Dataset // service requests or alerts
	Code    string
	Rows    int64
}

// Run reads every extract once and aggregates it.
func Run(cfg Config) (*Engine, error) {
	e := &Engine{cfg: cfg, sym: extract.NewSymbols()}
	var err error
	if e.months, err = history.Before(cfg.Period.String(), history.Months-1); err != nil {
		return nil, err
	}
	if cfg.History != nil && len(cfg.History) != len(e.months) {
		return nil, fmt.Errorf("history: %d months given, want the %d before %s", len(cfg.History), len(e.months), cfg.Period)
	}
	for i, h := range cfg.History {
		if h != nil && h.Period != e.months[i] {
			return nil, fmt.Errorf("history: month %d of the window is %s, want %s", i+1, h.Period, e.months[i])
		}
	}
	t0 := time.Now()
	parties, rep, err := extract.ReadParties(cfg.Extracts)
	e.Quality = append(e.Quality, rep)
	if err != nil {
		return nil, err
	}
	e.Parties = parties
	o := extract.Options{Period: cfg.Period, Parties: parties, Symbols: e.sym,
		MaxBadFraction: cfg.Suite.Policy.MaxBadFraction, Workers: cfg.Workers}
	e.incidents, rep, err = extract.ReadIncidents(cfg.Extracts, o)
	e.Quality = append(e.Quality, rep)
	if err != nil {
		return nil, err
	}
	e.indexIncidents()
	e.stage("parties and incidents", rep, t0)

	days := cfg.Period.Days()
	spill := filepath.Join(cfg.StageDir, "spill")
	t0 = time.Now()
	var srWorkers []*eventWorker
	var spillErr error
	newSpill := func(kind string, w int) *spillWriter {
		sp, err := newSpillWriter(filepath.Join(spill, kind), w)
		if err != nil && spillErr == nil {
			spillErr = err
		}
		if sp == nil {
			sp = &spillWriter{err: err}
		}
		return sp
	}
	srSketches := newSharedSketches()
	rep, err = extract.ScanServiceRequests(cfg.Extracts, o, func(w int) func(*extract.ServiceRequest) {
		ev := newEventWorker(days, newSpill("service_requests", w), srSketches, e.sym)
		srWorkers = append(srWorkers, ev)
		return srSink(ev)
	})
	e.Quality = append(e.Quality, rep)
	if err == nil {
		err = spillErr
	}
	if err != nil {
		return nil, err
	}
	if e.sr, err = mergeWorkers(srWorkers, true, days); err != nil {
		return nil, err
	}
	e.stage("service requests", rep, t0)

	t0 = time.Now()
	var alWorkers []*alertWorker
	alSketches := newSharedSketches()
	rep, err = extract.ScanAlerts(cfg.Extracts, o, func(w int) func(*extract.Alert) {
		aw := newAlertWorker(e, newEventWorker(days, newSpill("alerts", w), alSketches, e.sym), newSpill("ed", w))
		alWorkers = append(alWorkers, aw)
		return aw.add
	})
	e.Quality = append(e.Quality, rep)
	if err == nil {
		err = spillErr
	}
	if err != nil {
		return nil, err
	}
	evs := make([]*eventWorker, len(alWorkers))
	for i, w := range alWorkers {
		evs[i] = w.ev
	}
	if e.al, err = mergeWorkers(evs, false, days); err != nil {
		return nil, err
	}
	if e.ed, err = newEDIndex(alWorkers, cfg.Period); err != nil {
		return nil, err
	}
	e.stage("alerts", rep, t0)
	e.findGaps()

	t0 = time.Now()
	e.inv, err = newInventory(e)
	if err != nil {
		return nil, err
	}
	do := o
	do.Workers = 1 // estate files are written in file order, so bundles are reproducible
	rep, err = extract.ScanDevices(cfg.Extracts, do, func(int) func(*extract.Device) { return e.inv.add })
	e.Quality = append(e.Quality, rep)
	if cerr := e.inv.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	e.stage("devices", rep, t0)
	return e, nil
}

// findGaps lists the codes of the period that the catalogue lacks and
// expands the report instances with them.
func (e *Engine) findGaps() {
	cat := e.cfg.Suite.Catalogue
	var gaps reportdef.Gaps
	for _, d := range []struct {
		ds   contract.Dataset
		ev   *events
		over string
		keys *[]string
	}{{contract.ServiceRequests, e.sr, "srv", &gaps.SRVs}, {contract.Alerts, e.al, "alert", &gaps.Alerts}} {
		rows := map[string]int64{}
		for _, codes := range d.ev.byRole {
			for code, parties := range codes {
				name := e.sym.Name(code)
				if cat.Has(d.over, name) {
					continue
				}
				for _, m := range parties {
					rows[name] += m.n
				}
			}
		}
		for name, n := range rows {
			*d.keys = append(*d.keys, name)
			e.Gaps = append(e.Gaps, Gap{Dataset: d.ds, Code: name, Rows: n})
		}
		sort.Strings(*d.keys)
	}
	sort.Slice(e.Gaps, func(i, j int) bool {
		if e.Gaps[i].Dataset != e.Gaps[j].Dataset {
			return e.Gaps[i].Dataset > e.Gaps[j].Dataset // service requests first
		}
		return e.Gaps[i].Code < e.Gaps[j].Code
	})
	e.instances = e.cfg.Suite.InstancesWith(e.cfg.Select, gaps)
}

func (e *Engine) stage(name string, rep extract.FileReport, t0 time.Time) {
	s := Stage{Name: name, Rows: rep.Rows, Bytes: rep.Bytes, Elapsed: time.Since(t0)}
	e.Stages = append(e.Stages, s)
	if e.cfg.Progress != nil {
		rate := float64(s.Rows) / s.Elapsed.Seconds()
		fmt.Fprintf(e.cfg.Progress, "read %-22s %10d rows in %6.2fs (%.0f rows/s, %d bad, %d outside the period)\n",
			rep.File, rep.Rows, s.Elapsed.Seconds(), rate, rep.Bad, rep.OutsidePeriod)
	}
}

func (e *Engine) indexIncidents() {
	p := e.cfg.Period
	e.incDays = make([]string, p.Days())
	for d := range e.incDays {
		var ids []string
		for _, in := range e.incidents {
			if in.StartMS < p.DayEndMS(d) && (in.EndMS < 0 || in.EndMS > p.DayStartMS(d)) {
				ids = append(ids, in.ID)
			}
		}
		e.incDays[d] = strings.Join(ids, ";")
	}
}

// Incidents returns the period's incidents with the days each overlaps.
func (e *Engine) Incidents() ([]extract.Incident, [][]string) {
	dates := make([][]string, len(e.incidents))
	for i, in := range e.incidents {
		for d, ids := range e.incDays {
			for _, id := range strings.Split(ids, ";") {
				if id == in.ID {
					dates[i] = append(dates[i], e.cfg.Period.Date(d))
				}
			}
		}
	}
	return e.incidents, dates
}

// Symbols resolves the interned strings of this run.
func (e *Engine) Symbols() *extract.Symbols { return e.sym }
