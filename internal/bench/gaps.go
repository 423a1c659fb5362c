package bench

import (
	"sort"
	"sync"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/reportdef"
)

// ScanGaps reads the service requests and alerts in dir only for their
// codes and returns those the catalogue of suite lacks, with their rows:
// the rows of the period when period is given, else every valid row. It
// is what a build reports as gaps, without the rest of a build (lint).
func ScanGaps(suite *reportdef.Suite, dir string, period *contract.Period) ([]Gap, []extract.FileReport, error) {
	var reps []extract.FileReport
	parties, rep, err := extract.ReadParties(dir)
	reps = append(reps, rep)
	if err != nil {
		return nil, reps, err
	}
	o := extract.Options{Parties: parties, Symbols: extract.NewSymbols(), MaxBadFraction: suite.Policy.MaxBadFraction, AnyTime: period == nil}
	if period != nil {
		o.Period = *period
	}
	type counter struct {
		mu sync.Mutex
		n  map[extract.Sym]int64
	}
	sr, al := &counter{n: map[extract.Sym]int64{}}, &counter{n: map[extract.Sym]int64{}}
	// each worker counts into its own map and adds it to the total at the end
	collect := func(c *counter, local map[extract.Sym]int64) {
		c.mu.Lock()
		defer c.mu.Unlock()
		for k, v := range local {
			c.n[k] += v
		}
	}
	var done []func()
	rep, err = extract.ScanServiceRequests(dir, o, func(int) func(*extract.ServiceRequest) {
		local := map[extract.Sym]int64{}
		done = append(done, func() { collect(sr, local) })
		return func(r *extract.ServiceRequest) { local[r.SRV]++ }
	})
	reps = append(reps, rep)
	if err != nil {
		return nil, reps, err
	}
	rep, err = extract.ScanAlerts(dir, o, func(int) func(*extract.Alert) {
		local := map[extract.Sym]int64{}
		done = append(done, func() { collect(al, local) })
		return func(a *extract.Alert) {
			if a.InPeriod || period == nil {
				local[a.Code]++
			}
		}
	})
	reps = append(reps, rep)
	if err != nil {
		return nil, reps, err
	}
	for _, f := range done {
		f()
	}
	var gaps []Gap
	for _, d := range []struct {
		ds   contract.Dataset
		over string
		c    *counter
	}{{contract.ServiceRequests, "srv", sr}, {contract.Alerts, "alert", al}} {
		var part []Gap
		for code, n := range d.c.n {
			if name := o.Symbols.Name(code); !suite.Catalogue.Has(d.over, name) {
				part = append(part, Gap{Dataset: d.ds, Code: name, Rows: n})
			}
		}
		sort.Slice(part, func(i, j int) bool { return part[i].Code < part[j].Code })
		gaps = append(gaps, part...)
	}
	return gaps, reps, nil
}
