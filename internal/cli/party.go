package cli

// One party's step of a build: render its site into the private stage,
// audit it for leaks and seal it. buildParty reads only its arguments and
// writes only the party's stage folders and its bundle's temporary file:
// the caller records the result in the period (publish.Version) and
// prints the progress line, so parties can later be built side by side.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dcc/carport/internal/audit"
	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/history"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/runreport"
	"github.com/dcc/carport/internal/site"
	"github.com/dcc/carport/internal/site/siteinput"
)

// partyShared is what every party's step reads; nothing in it changes
// during the steps.
type partyShared struct {
	engine   *bench.Engine
	suite    *reportdef.Suite
	index    *audit.Index
	period   contract.Period
	sources  siteSources
	sitesDir string // the run's private stage for rendered sites
	signer   *bundle.Signer
}

// partyJob is one party's own inputs.
type partyJob struct {
	party      *extract.Party
	recipients *bundle.Recipients
	outPath    string // OUT/.periods/<version>/<party>.zip.age
}

// partyTimes are the costs of a party's step.
type partyTimes struct{ render, audit, seal time.Duration }

func (t *partyTimes) add(u partyTimes) {
	t.render, t.audit, t.seal = t.render+u.render, t.audit+u.audit, t.seal+u.seal
}

// partyResult is what a party's step made.
type partyResult struct {
	sealed   bundle.Sealed
	site     site.Stats
	audit    audit.Stats
	times    partyTimes
	figures  history.Party    // the month's figures, for the history
	withheld []runreport.View // views with figures withheld, for the run report
}

// buildParty renders, audits and seals one party. Its plaintext is gone
// when it returns. Errors name the step, not the party (the caller does).
func buildParty(ctx context.Context, sh partyShared, job partyJob) (partyResult, error) {
	var res partyResult
	p := job.party
	t0 := time.Now()
	siteDir := filepath.Join(sh.sitesDir, "sites", p.ID)
	work := filepath.Join(sh.sitesDir, "work", p.ID)
	defer os.RemoveAll(siteDir)
	defer os.RemoveAll(work)
	rep, err := sh.engine.Party(p.ID)
	if err != nil {
		return res, err
	}
	res.figures, res.withheld = rep.History(), withheldViews(rep)
	in := siteinput.For(sh.engine, sh.suite, rep, sh.period, Version, sh.signer.Public().String())
	if err := os.MkdirAll(work, 0o700); err != nil {
		return res, err
	}
	o := sh.sources.options()
	o.WorkDir, o.OutDir, o.FeedbackEmail = work, siteDir, sh.suite.Policy.FeedbackEmail
	if res.site, err = site.Render(in, o); err != nil {
		return res, fmt.Errorf("rendering: %w", err)
	}
	t1 := time.Now()
	res.times.render = t1.Sub(t0)
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	alertDevices, err := sh.engine.AlertDevices(p.ID)
	if err != nil {
		return res, err
	}
	if res.audit, err = sh.index.Check(p.ID, siteDir, alertDevices); err != nil {
		if audit.IsLeak(err) {
			return res, err
		}
		return res, fmt.Errorf("leak audit: %w", err)
	}
	t2 := time.Now()
	res.times.audit = t2.Sub(t1)
	man := bundle.Manifest{Period: sh.period.String(), Party: p.ID, GeneratorVersion: Version}
	for _, rr := range rep.Roles {
		for _, r := range rr.Reports {
			man.Reports = append(man.Reports, bundle.ReportRef{Role: string(rr.Role), ID: r.Instance.ID, Version: r.Instance.Def.Version.String()})
		}
	}
	res.sealed, err = bundle.Seal(bundle.SealOptions{SiteDir: siteDir, Recipients: job.recipients, OutPath: job.outPath,
		Manifest: man, Signer: sh.signer, Context: ctx})
	if err != nil {
		return res, fmt.Errorf("sealing: %w", err)
	}
	res.times.seal = time.Since(t2)
	return res, nil
}

// withheldViews lists the views of rep whose peer or industry figures the
// minimum-peers rule withheld.
func withheldViews(rep *bench.PartyReport) []runreport.View {
	var out []runreport.View
	for _, rr := range rep.Roles {
		for _, r := range rr.Reports {
			for _, v := range r.Views {
				if v.Withheld != "" {
					out = append(out, runreport.View{Role: string(rr.Role), Definition: r.Instance.Def.ID, Report: r.Instance.ID, View: v.View.ID})
				}
			}
		}
	}
	return out
}
