package cli

// One party's step of a build is worker.Build: render its site into the
// private stage, audit it for leaks and seal it, in a worker process
// (internal/worker). What this process does for a party is its job: the
// site input computed from the engine's results, the manifest's reports,
// the device ids of alerts sent to it; and afterwards the record of its
// bundle in the period (sealParties).

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/publish"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/site/siteinput"
	"github.com/dcc/carport/internal/worker"
)

// partyShared is what every party's job reads; nothing in it changes
// while the jobs are computed.
type partyShared struct {
	engine     *bench.Engine
	suite      *reportdef.Suite
	period     contract.Period
	keys       string      // the folder of recipients files
	signingKey string      // the DCC's public key, shown on every site's Help page
	facts      *partyFacts // what the history and the run report keep of each party
}

// partyJob is one party's work for a worker: everything the worker needs
// to render, audit and seal it, computed here from the engine's results.
func partyJob(sh partyShared, p *extract.Party, version *publish.Version) (worker.Job, error) {
	out, err := version.BundlePath(p.ID)
	if err != nil {
		return worker.Job{}, err
	}
	rep, err := sh.engine.Party(p.ID)
	if err != nil {
		return worker.Job{}, fmt.Errorf("party %s: %w", p.ID, err)
	}
	sh.facts.note(rep)
	t := worker.Task{Party: p.ID, Input: siteinput.For(sh.engine, sh.suite, rep, sh.period, Version, sh.signingKey),
		AlertDevices: rep.AlertDevices, Recipients: filepath.Join(sh.keys, p.ID+".txt"),
		Manifest: bundle.Manifest{Period: sh.period.String(), Party: p.ID, GeneratorVersion: Version}}
	for _, rr := range rep.Roles {
		for _, r := range rr.Reports {
			t.Manifest.Reports = append(t.Manifest.Reports, bundle.ReportRef{Role: string(rr.Role), ID: r.Instance.ID, Version: r.Instance.Def.Version.String()})
		}
	}
	return worker.Job{Task: t, Out: out}, nil
}

// jobProducers is how many goroutines compute the parties' jobs. One keeps
// ahead of the workers: a party's job costs about a fifth of rendering,
// auditing and sealing it (medium month: 15.8 s of views for 150 parties
// against some 75 s on the workers), and each further producer only held
// more parties' inputs in memory (the build's own peak 875 → 727 MiB with
// one producer instead of one per worker, at the same total time).
const jobProducers = 1

// partyJobs computes the parties' jobs on n goroutines while the workers
// build the ones before. The channel is unbuffered, so
// at most n computed inputs wait in memory; it closes after the last job
// or at the first error, which err then reports (the context's error when
// the run stopped first).
func partyJobs(ctx context.Context, sh partyShared, parties []*extract.Party, version *publish.Version, n int) (jobs <-chan worker.Job, err func() error) {
	ch := make(chan worker.Job)
	var (
		next  atomic.Int64
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(parties) || ctx.Err() != nil {
					return
				}
				job, err := partyJob(sh, parties[i], version)
				if err == nil {
					select {
					case ch <- job:
						continue
					case <-ctx.Done():
						err = ctx.Err()
					}
				}
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				next.Store(int64(len(parties))) // the others stop too
				return
			}
		}()
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	return ch, func() error {
		mu.Lock()
		defer mu.Unlock()
		return first
	}
}

// partyTimes are the costs of parties' steps, added up.
type partyTimes struct{ render, audit, seal time.Duration }

func (t *partyTimes) add(u partyTimes) {
	t.render, t.audit, t.seal = t.render+u.render, t.audit+u.audit, t.seal+u.seal
}
