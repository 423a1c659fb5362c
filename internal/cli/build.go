package cli

// build is the monthly run: read the extracts once, compute every party's
// views, render each party's site in a private staging folder, audit it for
// leaks, seal it to the party's age recipients and sign it, and publish the
// period in one switch (internal/publish) only when every party succeeded.
//
// Plaintext lives only in two private (0700) stage folders, each locked by
// this process for its life (internal/stage): carport-stage-* (the
// engine's estate and spill files, the audit's keys; in the temp folder)
// and carport-sites-* (rendered sites; in /dev/shm when the machine has
// it). --stage puts both in one place. They are removed at the end, wiped
// as soon as an interrupt arrives, and found by the next run (or `carport
// clean`) when a crash left them.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dcc/carport/internal/audit"
	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/publish"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/site"
	"github.com/dcc/carport/internal/stage"
)

type buildFlags struct {
	extracts, period, keys, out         string
	reportdefs, templates, content, ech string
	parties                             multi
	stage                               string
	signingKey                          string
	drafts, allowEmpty                  bool
	workers                             int
	// reseal: rebuild the parties from the retained extracts and publish
	// them only if their content is unchanged
	reseal bool
}

// stagePrefixes are the stage folders of carport runs, swept when stale.
var stagePrefixes = []string{"carport-stage-", "carport-sites-", "carport-plan-"}

func (e *env) build(args []string) error {
	var f buildFlags
	fs := e.flags("build", "--extracts DIR --period YYYY-MM --keys DIR --out DIR [--party ID ...] [--signing-key FILE]")
	f.register(fs)
	fs.Var(&f.parties, "party", "build only these parties (repeatable or comma-separated); the others keep their bundles")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "extracts", "period", "out"); err != nil {
		return err
	}
	return e.runBuild(f)
}

func (f *buildFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.extracts, "extracts", "", "folder of the period's warehouse extracts")
	fs.StringVar(&f.period, "period", "", "reporting period, YYYY-MM (Europe/London calendar month)")
	fs.StringVar(&f.keys, "keys", "keys", "folder of <party>.txt files of public age recipients, and dcc-signing.pub")
	fs.StringVar(&f.out, "out", "", "where sealed bundles go: OUT/PERIOD/<party>.zip.age")
	fs.StringVar(&f.signingKey, "signing-key", "", "the DCC's minisign secret key file (default: the key in $CARPORT_SIGNING_KEY)")
	fs.StringVar(&f.reportdefs, "reportdefs", "reportdefs", "folder of report definitions")
	fs.StringVar(&f.templates, "templates", "templates", "folder of site templates")
	fs.StringVar(&f.content, "content", "content", "folder of authored site pages")
	fs.StringVar(&f.ech, "echarts", filepath.Join("node_modules", "echarts", "dist", "echarts.min.js"), "echarts.min.js from the pinned npm package")
	fs.BoolVar(&f.drafts, "include-drafts", false, "include draft reports (previews only)")
	fs.BoolVar(&f.allowEmpty, "allow-empty", false, "build even when no service request or no alert falls in the period")
	fs.IntVar(&f.workers, "workers", 0, "scan workers (default: one per core)")
	fs.StringVar(&f.stage, "stage", "", "where plaintext (engine files and rendered sites) is staged (default: the temp folder for engine files, /dev/shm for sites when the machine has it)")
}

// built is one party's bundle as sealed in this run.
type built struct {
	party  string
	sealed bundle.Sealed
	audit  audit.Stats
}

func (e *env) runBuild(f buildFlags) (err error) {
	start := time.Now()
	period, err := contract.ParsePeriod(f.period)
	if err != nil {
		return usagef("give the period as YYYY-MM, e.g. --period 2026-10", "%s: %v", f.command(), err)
	}
	suite, err := reportdef.Load(f.reportdefs)
	if err != nil {
		return err
	}
	if _, err := os.Stat(f.ech); err != nil {
		return &badInput{fmt.Errorf("%s: %s: ECharts not found", f.command(), f.ech), "run 'npm ci' (or 'make deps') to install the pinned echarts package"}
	}
	// party ids become file names: they are checked before any file is
	// touched (the engine reads parties.csv again, in a blink)
	if _, _, err := extract.ReadParties(f.extracts); err != nil {
		return err
	}
	signer, err := loadSigner(f.keys, f.signingKey)
	if err != nil {
		return err
	}

	// One build per OUT: a second one fails here, before any work.
	out, err := publish.Lock(f.out)
	if err != nil {
		return err
	}
	defer out.Unlock()

	// Interrupts (SIGINT, SIGTERM, SIGHUP) cancel ctx and wipe the
	// plaintext at once; the run then unwinds and publishes nothing.
	var stages plaintext
	ctx, sig, stop := onInterrupt(stages.wipe)
	defer stop()

	engineRoot, sitesRoot := f.stage, f.stage
	if engineRoot == "" {
		engineRoot, sitesRoot = os.TempDir(), plaintextRoot("")
	}
	e.sweepStages(engineRoot, sitesRoot)
	removed, err := out.Sweep()
	e.removedNote(removed, "left in "+f.out+" by a build that did not finish")
	if err != nil {
		return err
	}
	cur, err := out.Current(period.String())
	if err != nil {
		return fmt.Errorf("%s: %w", f.command(), err)
	}
	if (len(f.parties) > 0 || f.reseal) && cur.Dir != "" && cur.Manifest == nil {
		return &badInput{fmt.Errorf("%s: %s was published by an older carport and has no manifest.json", f.command(), filepath.Join(f.out, period.String())),
			"run a full build of the period first (without --party)"}
	}
	if f.reseal && cur.Manifest == nil {
		return &badInput{fmt.Errorf("reseal: %s is not published: nothing to reseal", filepath.Join(f.out, period.String())), "reseal re-issues a published bundle; use build for a new period"}
	}

	engStage, err := stage.New(engineRoot, "carport-stage-")
	if err != nil {
		return err
	}
	defer engStage.Remove()
	sites, err := stage.New(sitesRoot, "carport-sites-")
	if err != nil {
		return err
	}
	defer sites.Remove()
	stages.add(engStage, sites)

	eng, err := bench.Run(bench.Config{Suite: suite, Select: reportdef.Select{Drafts: f.drafts},
		Extracts: f.extracts, Period: period, StageDir: filepath.Join(engStage.Path, "engine"), Workers: f.workers, Progress: e.stderr})
	if err != nil {
		return interrupted(ctx, sig, err)
	}
	if err := checkNotEmpty(eng, period, f.allowEmpty, e.stderr); err != nil {
		return err
	}
	parties, err := selectParties(eng.Parties, f.parties)
	if err != nil {
		return err
	}
	if f.reseal {
		for _, p := range parties {
			if cur.Entry(p.ID) == nil {
				return &badInput{fmt.Errorf("reseal: party %s has no bundle in %s", p.ID, filepath.Join(f.out, period.String())), "reseal re-issues a published bundle; use build --party for a new party"}
			}
		}
	}
	// every key is checked before anything is rendered, so a missing key
	// costs seconds, not a whole run
	for _, p := range parties {
		if err := contract.CheckPartyID(p.ID); err != nil {
			return &badInput{fmt.Errorf("parties.csv: %w", err), "party ids name files: fix parties.csv"}
		}
		if _, err := bundle.ReadRecipients(filepath.Join(f.keys, p.ID+".txt")); err != nil {
			return &badInput{fmt.Errorf("party %s: %w", p.ID, err), "every party needs keys/<party>.txt with its public age recipients; nothing was published"}
		}
	}
	t0 := time.Now()
	ix, err := audit.Build(audit.Options{Extracts: f.extracts, Parties: eng.Parties, StageDir: engStage.Path, Workers: f.workers, Public: []string{f.ech},
		MaxBadFraction: suite.Policy.MaxBadFraction})
	if err != nil {
		return interrupted(ctx, sig, err)
	}
	indexTime := time.Since(t0)

	version, err := out.NewVersion(period.String())
	if err != nil {
		return err
	}
	defer version.Discard() // nothing once switched

	var renderTime, auditTime, sealTime time.Duration
	var totalBytes int64
	var done []built
	for i, p := range parties {
		if ctx.Err() != nil {
			return interrupted(ctx, sig, nil)
		}
		b, st, times, err := e.buildParty(ctx, f, eng, suite, ix, period, p, sites.Path, version, signer)
		if err != nil {
			return interrupted(ctx, sig, err)
		}
		if f.reseal {
			if was := cur.Entry(p.ID); was.ManifestSHA256 != b.sealed.ManifestSHA256 {
				return fmt.Errorf("reseal: party %s: the content would change (manifest.json sha256 %.12s…, published %.12s…): the extracts, report definitions, templates or carport version differ from the published build; nothing was published",
					p.ID, b.sealed.ManifestSHA256, was.ManifestSHA256)
			}
		}
		renderTime, auditTime, sealTime = renderTime+times[0], auditTime+times[1], sealTime+times[2]
		totalBytes += st.Bytes
		done = append(done, b)
		fmt.Fprintf(e.stderr, "carport: [%d/%d] %-8s %3d reports, %4d pages, %6.1f MB, render %.2fs, audit %.2fs, seal %.2fs\n",
			i+1, len(parties), p.ID, len(b.sealed.Manifest.Reports), st.Pages, float64(st.Bytes)/1e6, times[0].Seconds(), times[1].Seconds(), times[2].Seconds())
	}
	// A --party build keeps the other parties' bundles, but only those of
	// parties still in parties.csv.
	var kept []string
	if len(f.parties) > 0 && cur.Manifest != nil {
		rebuilt := map[string]bool{}
		for _, p := range parties {
			rebuilt[p.ID] = true
		}
		for _, b := range cur.Manifest.Bundles {
			if rebuilt[b.Party] || eng.Parties.Get(b.Party) == nil {
				continue
			}
			if err := version.Carry(cur, b.Party); err != nil {
				return err
			}
			kept = append(kept, b.Party)
		}
		for _, p := range eng.Parties.All() {
			if !rebuilt[p.ID] && cur.Entry(p.ID) == nil {
				fmt.Fprintf(e.stderr, "carport: note: %s has no bundle in %s: build it with --party %s\n", p.ID, period, p.ID)
			}
		}
	}
	report, err := runReport(eng, done, kept, indexTime, ix, time.Since(start))
	if err != nil {
		return err
	}
	if err := version.WriteFile(publish.RunReportName, report); err != nil {
		return err
	}
	removed, err = version.Switch(Version, signer.Public().ID(), func() error {
		if ctx.Err() != nil {
			return interrupted(ctx, sig, nil)
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.removedNote(removed, "replaced")
	e.summary(eng, parties, renderTime, auditTime, indexTime, sealTime, totalBytes, time.Since(start), filepath.Join(f.out, period.String()))
	return nil
}

func (f *buildFlags) command() string {
	if f.reseal {
		return "reseal"
	}
	return "build"
}

// buildParty renders, audits and seals one party into the version. The
// party's plaintext is gone when it returns.
func (e *env) buildParty(ctx context.Context, f buildFlags, eng *bench.Engine, suite *reportdef.Suite, ix *audit.Index, period contract.Period,
	p *extract.Party, sitesRoot string, version *publish.Version, signer *bundle.Signer) (built, site.Stats, [3]time.Duration, error) {
	var times [3]time.Duration
	t0 := time.Now()
	siteDir := filepath.Join(sitesRoot, "sites", p.ID)
	work := filepath.Join(sitesRoot, "work", p.ID)
	defer os.RemoveAll(siteDir)
	defer os.RemoveAll(work)
	rep, err := eng.Party(p.ID)
	if err != nil {
		return built{}, site.Stats{}, times, err
	}
	in := siteInput(eng, suite, rep, period)
	in.SigningKey = signer.Public().String()
	if err := os.MkdirAll(work, 0o700); err != nil {
		return built{}, site.Stats{}, times, err
	}
	st, err := site.Render(in, site.Options{TemplatesDir: f.templates, ContentDir: f.content, EChartsJS: f.ech,
		WorkDir: work, OutDir: siteDir, FeedbackEmail: suite.Policy.FeedbackEmail})
	if err != nil {
		return built{}, st, times, fmt.Errorf("party %s: rendering site: %w", p.ID, err)
	}
	t1 := time.Now()
	times[0] = t1.Sub(t0)
	if ctx.Err() != nil {
		return built{}, st, times, ctx.Err()
	}
	alertDevices, err := eng.AlertDevices(p.ID)
	if err != nil {
		return built{}, st, times, err
	}
	ast, err := ix.Check(p.ID, siteDir, alertDevices)
	if err != nil {
		return built{}, st, times, err
	}
	t2 := time.Now()
	times[1] = t2.Sub(t1)
	man := bundle.Manifest{Period: period.String(), Party: p.ID, GeneratorVersion: Version}
	for _, rr := range rep.Roles {
		for _, r := range rr.Reports {
			man.Reports = append(man.Reports, bundle.ReportRef{Role: string(rr.Role), ID: r.Instance.ID, Version: r.Instance.Def.Version.String()})
		}
	}
	outPath, err := version.BundlePath(p.ID)
	if err != nil {
		return built{}, st, times, err
	}
	sealed, err := bundle.Seal(bundle.SealOptions{SiteDir: siteDir, Recipients: filepath.Join(f.keys, p.ID+".txt"),
		OutPath: outPath, Manifest: man, Signer: signer, Context: ctx})
	if err != nil {
		return built{}, st, times, fmt.Errorf("party %s: %w", p.ID, err)
	}
	times[2] = time.Since(t2)
	if err := version.Add(publish.Entry{Party: p.ID, Size: sealed.Size, SHA256: sealed.SHA256, ZipSize: sealed.ZipSize,
		ZipSHA256: sealed.ZipSHA256, ManifestSHA256: sealed.ManifestSHA256, Recipients: sealed.Recipients}); err != nil {
		return built{}, st, times, err
	}
	return built{party: p.ID, sealed: sealed, audit: ast}, st, times, nil
}

// plaintext is the run's stage folders, wiped from the signal handler.
type plaintext struct {
	mu   sync.Mutex
	dirs []*stage.Dir
}

func (p *plaintext) add(ds ...*stage.Dir) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dirs = append(p.dirs, ds...)
}

func (p *plaintext) wipe() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range p.dirs {
		d.Wipe()
	}
}

// interrupted turns the error of a step that an interrupt cut short into
// the interrupt's own message; other errors pass unchanged.
func interrupted(ctx context.Context, sig func() string, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return &interruptError{sig()}
}

type interruptError struct{ signal string }

func (e *interruptError) Error() string {
	return "interrupted by " + e.signal + ": nothing was published and the plaintext staging was removed"
}

func (e *env) sweepStages(roots ...string) {
	seen := map[string]bool{}
	for _, r := range roots {
		if seen[r] {
			continue
		}
		seen[r] = true
		removed, err := stage.Sweep(r, stagePrefixes...)
		e.removedNote(removed, "plaintext staging of a run that is no longer alive")
		if err != nil {
			fmt.Fprintf(e.stderr, "carport: warning: %v\n", err)
		}
	}
}

func (e *env) removedNote(paths []string, why string) {
	e.removed += len(paths)
	for _, p := range paths {
		fmt.Fprintf(e.stderr, "carport: removed %s (%s)\n", p, why)
	}
}

// plaintextRoot is where rendered sites are staged: the folder given, or
// a memory-backed folder when the machine has one (/dev/shm on Linux), so
// plaintext never reaches a disk and a site's thousands of small files
// cost no disk I/O (4x faster rendering on the demo month), or else the
// system temp folder.
func plaintextRoot(given string) string {
	if given != "" {
		return given
	}
	if dir, err := os.MkdirTemp("/dev/shm", "carport-probe-"); err == nil {
		os.Remove(dir)
		return "/dev/shm"
	}
	return os.TempDir()
}

// checkNotEmpty refuses a period in which no service request or no alert
// falls (a wrong --period, the extract of another month, header-only
// files): it is not a month, unless allowEmpty says it is.
func checkNotEmpty(eng *bench.Engine, period contract.Period, allowEmpty bool, stderr io.Writer) error {
	for _, q := range eng.Quality {
		var what string
		switch strings.TrimSuffix(q.File, ".gz") {
		case "service_requests.csv":
			what = "service request"
		case "alerts.csv":
			what = "alert"
		default:
			continue
		}
		if q.Rows-q.Bad-q.OutsidePeriod > 0 {
			continue
		}
		why := fmt.Sprintf("%s has no data rows", q.File)
		if q.Rows > 0 {
			why = fmt.Sprintf("%s has %d rows, %d outside the period and %d bad", q.File, q.Rows, q.OutsidePeriod, q.Bad)
		}
		if allowEmpty {
			fmt.Fprintf(stderr, "carport: build: note: no %s falls in the period %s (%s); building anyway (--allow-empty)\n", what, period, why)
			continue
		}
		return &badInput{fmt.Errorf("build: no %s falls in the period %s (%s)", what, period, why),
			"check --period and that the extracts are those of that month; --allow-empty builds an empty month anyway"}
	}
	return nil
}

func selectParties(all *extract.Parties, ids []string) ([]*extract.Party, error) {
	if len(ids) == 0 {
		return all.All(), nil
	}
	var out []*extract.Party
	for _, id := range ids {
		p := all.Get(id)
		if p == nil {
			return nil, usagef("the party ids are those of parties.csv", "build: --party %s: no such party in parties.csv", id)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// gapKind is "SRV" or "Alert", as gap reports are titled.
func gapKind(g bench.Gap) string {
	if g.Dataset == contract.Alerts {
		return "Alert"
	}
	return "SRV"
}

func (e *env) summary(eng *bench.Engine, parties []*extract.Party, render, auditT, index, seal time.Duration, bytes int64, total time.Duration, dir string) {
	var rows, bad, outside int64
	for _, q := range eng.Quality {
		rows += q.Rows
		bad += q.Bad
		outside += q.OutsidePeriod
	}
	fmt.Fprintf(e.stderr, "carport: summary: %d parties, %d rows read, %d bad, %d outside the period\n", len(parties), rows, bad, outside)
	// bad rows under the threshold do not stop a run, but are never silent
	for _, q := range eng.Quality {
		if q.Bad == 0 {
			continue
		}
		reasons := make([]string, 0, len(q.ByReason))
		for r := range q.ByReason {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			fmt.Fprintf(e.stderr, "carport:   %s: %d bad rows: %s\n", q.File, q.ByReason[r], r)
		}
		for _, x := range q.Examples {
			fmt.Fprintf(e.stderr, "carport:     e.g. %s\n", x)
		}
	}
	// codes the catalogue lacks are reported all the same: say which, so
	// that the catalogue can be completed
	for _, g := range eng.Gaps {
		fmt.Fprintf(e.stderr, "carport:   not in the catalogue: %s %s (%d rows in the period): reported as %q\n",
			gapKind(g), g.Code, g.Rows, gapKind(g)+" "+g.Code+" (not in the catalogue)")
	}
	for _, s := range eng.Stages {
		fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs  %10.0f rows/s\n", s.Name, s.Elapsed.Seconds(), float64(s.Rows)/s.Elapsed.Seconds())
	}
	fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs  (%.1f MB of sites)\n", "render sites", render.Seconds(), float64(bytes)/1e6)
	fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs  (index %.2fs)\n", "leak audit", (auditT + index).Seconds(), index.Seconds())
	fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs\n", "seal and sign", seal.Seconds())
	fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs\n", "total", total.Seconds())
	fmt.Fprintf(e.stdout, "%s\n", dir)
}

// runReport is the DCC-only run report: data quality per extract, stage
// timings, and per party its bundle and the leak audit's cost. It names
// every party, so it never goes in a bundle; it is published inside the
// period (run.json) and so switches with it.
func runReport(eng *bench.Engine, done []built, kept []string, index time.Duration, ix *audit.Index, total time.Duration) ([]byte, error) {
	type stage struct {
		Name    string  `json:"name"`
		Rows    int64   `json:"rows"`
		Seconds float64 `json:"seconds"`
	}
	type quality struct {
		File          string           `json:"file"`
		Bytes         int64            `json:"bytes"`
		Rows          int64            `json:"rows"`
		Bad           int64            `json:"bad"`
		OutsidePeriod int64            `json:"outside_period"`
		ByReason      map[string]int64 `json:"bad_by_reason"`
		Examples      []string         `json:"examples"`
	}
	type gap struct {
		Dataset string `json:"dataset"`
		Code    string `json:"code"`
		Rows    int64  `json:"rows_in_period"`
	}
	type party struct {
		Party        string  `json:"party"`
		ZipSHA256    string  `json:"zip_sha256"`
		AuditFiles   int     `json:"audit_files"`
		AuditBytes   int64   `json:"audit_bytes"`
		AuditEstate  int     `json:"audit_estate_devices"`
		AuditSeconds float64 `json:"audit_seconds"`
	}
	rep := struct {
		Generator    string    `json:"generator_version"`
		Parties      []string  `json:"parties"`
		Kept         []string  `json:"kept_parties,omitempty"`
		Quality      []quality `json:"quality"`
		Uncatalogued []gap     `json:"uncatalogued"`
		Stages       []stage   `json:"stages"`
		Audit        []party   `json:"bundles"`
		IndexSec     float64   `json:"audit_index_seconds"`
		IndexBytes   int64     `json:"audit_index_bytes"`
		Seconds      float64   `json:"total_seconds"`
	}{Generator: Version, Kept: kept, IndexSec: index.Seconds(), IndexBytes: ix.Bytes(), Seconds: total.Seconds(), Uncatalogued: []gap{}}
	for _, g := range eng.Gaps {
		rep.Uncatalogued = append(rep.Uncatalogued, gap{string(g.Dataset), g.Code, g.Rows})
	}
	for _, q := range eng.Quality {
		rep.Quality = append(rep.Quality, quality{q.File, q.Bytes, q.Rows, q.Bad, q.OutsidePeriod, q.ByReason, q.Examples})
	}
	for _, b := range done {
		rep.Parties = append(rep.Parties, b.party)
		rep.Audit = append(rep.Audit, party{b.party, b.sealed.ZipSHA256, b.audit.Files, b.audit.Bytes, b.audit.Estate, b.audit.Elapsed.Seconds()})
	}
	for _, s := range eng.Stages {
		rep.Stages = append(rep.Stages, stage{s.Name, s.Rows, s.Elapsed.Seconds()})
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// siteInput turns a party's computed reports into what the site shows.
func siteInput(eng *bench.Engine, suite *reportdef.Suite, rep *bench.PartyReport, period contract.Period) site.Input {
	in := site.Input{Period: period.String(), PartyID: rep.Party.ID, PartyName: rep.Party.Name,
		ContactEmail: rep.Party.Email, GeneratorVersion: Version, MinPeers: suite.Policy.MinPeers}
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
