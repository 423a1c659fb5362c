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
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dcc/carport/internal/audit"
	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/publish"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/site"
	"github.com/dcc/carport/internal/stage"
	"github.com/dcc/carport/internal/worker"
)

type buildFlags struct {
	extracts, period, keys, out         string
	reportdefs, templates, content, ech string
	parties                             multi
	stage                               string
	signingKey                          string
	drafts, allowEmpty                  bool
	// workers render, audit and seal parties (processes); scanWorkers
	// read the extracts (goroutines)
	workers, scanWorkers int
	// reseal: rebuild the parties from the retained extracts and publish
	// them only if their content is unchanged
	reseal bool
}

// stagePrefixes are the stage folders of carport runs, swept when stale.
var stagePrefixes = []string{"carport-stage-", "carport-sites-", "carport-plan-"}

func (e *env) build(args []string) error {
	var f buildFlags
	fs := e.flags("build", "--extracts DIR --period YYYY-MM --keys DIR --out DIR [--party ID ...] [--signing-key FILE] [--workers N]")
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
	fs.IntVar(&f.workers, "workers", 0, "worker processes rendering, auditing and sealing parties' sites, one party each at a time (default: one per core)")
	fs.IntVar(&f.scanWorkers, "scan-workers", 0, "goroutines reading the extracts (default: one per core)")
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
	if os.Getenv(worker.EnvParent) != "" {
		// a test binary that does not hand WorkerCommand to Run would
		// otherwise start its tests again, and their builds, and so on
		return fmt.Errorf("%s: this process is a build's worker: it cannot run a build", f.command())
	}
	period, err := extract.ParsePeriod(f.period)
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
		Extracts: f.extracts, Period: period, StageDir: filepath.Join(engStage.Path, "engine"), Workers: f.scanWorkers, Progress: e.stderr})
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
		if err := publish.CheckParty(p.ID); err != nil {
			return &badInput{fmt.Errorf("parties.csv: %w", err), "party ids name files: fix parties.csv"}
		}
		if _, err := bundle.ReadRecipients(filepath.Join(f.keys, p.ID+".txt")); err != nil {
			return &badInput{fmt.Errorf("party %s: %w", p.ID, err), "every party needs keys/<party>.txt with its public age recipients; nothing was published"}
		}
	}
	t0 := time.Now()
	ix, err := audit.Build(audit.Options{Extracts: f.extracts, Parties: eng.Parties, StageDir: engStage.Path, Workers: f.scanWorkers, Public: []string{f.ech},
		MaxBadFraction: suite.Policy.MaxBadFraction})
	if err == nil {
		defer ix.Close()
		err = ix.Save() // for the workers
	}
	if err != nil {
		return interrupted(ctx, sig, err)
	}
	indexTime := time.Since(t0)

	version, err := out.NewVersion(period.String())
	if err != nil {
		return err
	}
	defer version.Discard() // nothing once switched

	// Every party is rendered, audited and sealed by a pool of worker
	// processes (see internal/worker) while this process computes the
	// next parties' site inputs; it receives each bundle's ciphertext,
	// signs it and adds it to the version.
	workers := f.workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = max(1, min(workers, len(parties)))
	pool, err := worker.Start(worker.Options{Workers: workers, Command: workerCommand, Version: Version, Signer: signer,
		Config: worker.Config{Templates: f.templates, Content: f.content, EChartsJS: f.ech, FeedbackEmail: suite.Policy.FeedbackEmail,
			SitesDir: sites.Path, AuditDir: ix.Dir()},
		Keep: []*os.File{engStage.LockFile(), sites.LockFile()}})
	if err != nil {
		return interrupted(ctx, sig, err)
	}
	stages.addKill(pool.Kill)
	defer pool.Kill() // nothing once closed
	// the engine's memory of the scan is garbage now: give it back
	// before the workers need theirs
	debug.FreeOSMemory()

	t1 := time.Now()
	var renderTime, auditTime, sealTime time.Duration
	var totalBytes int64
	var done []built
	jobs, jobErr := e.partyJobs(ctx, f, eng, suite, period, parties, version, signer.Public().String(), workers)
	err = pool.Run(ctx, jobs, func(d worker.Done) error {
		b := built{party: d.Party, audit: d.Audit, sealed: bundle.Sealed{Manifest: d.Sealed.Manifest, ManifestSHA256: d.Sealed.ManifestSHA256,
			ZipSize: d.Sealed.ZipSize, ZipSHA256: d.Sealed.ZipSHA256, Size: d.Size, SHA256: d.SHA256, Recipients: d.Sealed.Recipients}}
		if f.reseal {
			if was := cur.Entry(b.party); was.ManifestSHA256 != b.sealed.ManifestSHA256 {
				return fmt.Errorf("reseal: party %s: the content would change (manifest.json sha256 %.12s…, published %.12s…): the extracts, report definitions, templates or carport version differ from the published build; nothing was published",
					b.party, b.sealed.ManifestSHA256, was.ManifestSHA256)
			}
		}
		if err := version.Add(publish.Entry{Party: b.party, Size: b.sealed.Size, SHA256: b.sealed.SHA256, ZipSize: b.sealed.ZipSize,
			ZipSHA256: b.sealed.ZipSHA256, ManifestSHA256: b.sealed.ManifestSHA256, Recipients: b.sealed.Recipients}); err != nil {
			return err
		}
		renderTime, auditTime, sealTime = renderTime+d.Render, auditTime+d.Check, sealTime+d.Seal
		totalBytes += d.Site.Bytes
		done = append(done, b)
		fmt.Fprintf(e.stderr, "carport: [%d/%d] %-8s %3d reports, %4d pages, %6.1f MB, render %.2fs, audit %.2fs, seal %.2fs\n",
			len(done), len(parties), b.party, len(b.sealed.Manifest.Reports), d.Site.Pages, float64(d.Site.Bytes)/1e6, d.Render.Seconds(), d.Check.Seconds(), d.Seal.Seconds())
		return nil
	})
	if jerr := jobErr(); jerr != nil && (err == nil || !errors.Is(jerr, context.Canceled)) {
		err = jerr // the reason the jobs stopped, not the stop itself
	}
	if err != nil {
		return interrupted(ctx, sig, err)
	}
	if err := pool.Close(); err != nil {
		return err
	}
	partiesTime := time.Since(t1)
	// the summary and the run report list parties in one order, whatever
	// order the workers finished them in
	sort.Slice(done, func(i, j int) bool { return done[i].party < done[j].party })
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
	report, err := runReport(eng, done, kept, indexTime, ix, workers, partiesTime, time.Since(start))
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
	e.summary(eng, parties, renderTime, auditTime, indexTime, sealTime, totalBytes, partiesTime, workers, time.Since(start), filepath.Join(f.out, period.String()))
	return nil
}

func (f *buildFlags) command() string {
	if f.reseal {
		return "reseal"
	}
	return "build"
}

// partyJobs computes each party's job (its site input from the engine,
// its manifest, the device ids of alerts sent to it) on as many
// goroutines as there are workers, while the workers build the ones
// before. The channel closes after the last job or at the first error,
// which err reports (nil when all were sent; the context's error when the
// run stopped first).
func (e *env) partyJobs(ctx context.Context, f buildFlags, eng *bench.Engine, suite *reportdef.Suite, period extract.Period,
	parties []*extract.Party, version *publish.Version, signingPub string, n int) (jobs <-chan worker.Job, err func() error) {
	// unbuffered: at most n inputs wait, computed, beside the n the workers build
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
				job, err := partyJob(f, eng, suite, period, parties[i], version, signingPub)
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

// partyJob is one party's work for a worker: everything the worker needs
// to render, audit and seal it, computed here from the engine's results.
func partyJob(f buildFlags, eng *bench.Engine, suite *reportdef.Suite, period extract.Period, p *extract.Party, version *publish.Version, signingPub string) (worker.Job, error) {
	out, err := version.BundlePath(p.ID)
	if err != nil {
		return worker.Job{}, err
	}
	rep, err := eng.Party(p.ID)
	if err != nil {
		return worker.Job{}, fmt.Errorf("party %s: %w", p.ID, err)
	}
	alertDevices, err := eng.AlertDevices(p.ID)
	if err != nil {
		return worker.Job{}, fmt.Errorf("party %s: %w", p.ID, err)
	}
	t := worker.Task{Party: p.ID, Input: siteInput(eng, suite, rep, period), AlertDevices: alertDevices,
		Recipients: filepath.Join(f.keys, p.ID+".txt"),
		Manifest:   bundle.Manifest{Period: period.String(), Party: p.ID, GeneratorVersion: Version}}
	t.Input.SigningKey = signingPub
	for _, rr := range rep.Roles {
		for _, r := range rr.Reports {
			t.Manifest.Reports = append(t.Manifest.Reports, bundle.ReportRef{Role: string(rr.Role), ID: r.Instance.ID, Version: r.Instance.Def.Version.String()})
		}
	}
	return worker.Job{Task: t, Out: out}, nil
}

// WorkerCommand is the hidden command that runs carport as a build's
// worker process (see internal/worker). A test binary that runs builds
// must hand it to Run: its workers are the test binary started again.
const WorkerCommand = "__worker"

// workerCommand is a new worker process: this very binary (under the name
// it was started by, which test harnesses dispatch on) in worker mode.
func workerCommand() *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe, WorkerCommand)
	cmd.Args[0] = os.Args[0]
	return cmd
}

// worker is the hidden command: a build's worker process.
func (e *env) worker(args []string) error {
	if len(args) > 0 {
		return usagef("carport build starts its workers itself", "%s takes no arguments", WorkerCommand)
	}
	out, err := worker.Enter()
	if err != nil {
		return usagef("carport build starts its workers itself", "%s: %v", WorkerCommand, err)
	}
	if err := worker.Serve(context.Background(), os.Stdin, out, Version); err != nil {
		return fmt.Errorf("worker process: %w", err)
	}
	return nil
}

// plaintext is the run's stage folders, wiped from the signal handler
// once the processes writing into them (the workers) are killed.
type plaintext struct {
	mu    sync.Mutex
	dirs  []*stage.Dir
	kills []func()
}

func (p *plaintext) add(ds ...*stage.Dir) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dirs = append(p.dirs, ds...)
}

// addKill adds a function that stops writers into the stages and returns
// once they are gone.
func (p *plaintext) addKill(kill func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kills = append(p.kills, kill)
}

func (p *plaintext) wipe() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, kill := range p.kills {
		kill()
	}
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
func checkNotEmpty(eng *bench.Engine, period extract.Period, allowEmpty bool, stderr io.Writer) error {
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
	if g.Dataset == reportdef.Alerts {
		return "Alert"
	}
	return "SRV"
}

func (e *env) summary(eng *bench.Engine, parties []*extract.Party, render, auditT, index, seal time.Duration, bytes int64,
	partiesTime time.Duration, workers int, total time.Duration, dir string) {
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
	// render, audit and seal are the parties' times added up; the
	// parties line is the wall time of all three on the workers
	fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs  (%.1f MB of sites)\n", "render sites", render.Seconds(), float64(bytes)/1e6)
	fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs  (index %.2fs)\n", "leak audit", (auditT + index).Seconds(), index.Seconds())
	fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs\n", "seal and sign", seal.Seconds())
	fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs  (%d workers, %.2f parties/s)\n", "parties", partiesTime.Seconds(), workers,
		float64(len(parties))/partiesTime.Seconds())
	fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs\n", "total", total.Seconds())
	fmt.Fprintf(e.stdout, "%s\n", dir)
}

// runReport is the DCC-only run report: data quality per extract, stage
// timings, and per party its bundle and the leak audit's cost. It names
// every party, so it never goes in a bundle; it is published inside the
// period (run.json) and so switches with it.
func runReport(eng *bench.Engine, done []built, kept []string, index time.Duration, ix *audit.Index, workers int, parties, total time.Duration) ([]byte, error) {
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
		Workers      int       `json:"workers"`
		PartiesSec   float64   `json:"parties_seconds"` // render, audit and seal of every party, wall time
		Seconds      float64   `json:"total_seconds"`
	}{Generator: Version, Kept: kept, IndexSec: index.Seconds(), IndexBytes: ix.Bytes(), Workers: workers, PartiesSec: parties.Seconds(),
		Seconds: total.Seconds(), Uncatalogued: []gap{}}
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
func siteInput(eng *bench.Engine, suite *reportdef.Suite, rep *bench.PartyReport, period extract.Period) site.Input {
	in := site.Input{Period: period.String(), PartyID: rep.Party.ID, PartyName: rep.Party.Name,
		ContactEmail: rep.Party.Email, GeneratorVersion: Version, MinPeers: suite.Policy.MinPeers}
	incs, dates := eng.Incidents()
	for i, x := range incs {
		si := site.Incident{ID: x.ID, Category: x.Category, Title: x.Title, Dates: dates[i], Regions: "all",
			Start: time.UnixMilli(x.StartMS).In(extract.London).Format(time.RFC3339)}
		if x.EndMS >= 0 {
			si.End = time.UnixMilli(x.EndMS).In(extract.London).Format(time.RFC3339)
		}
		if len(x.Regions) > 0 {
			si.Regions = strings.Join(x.Regions, ";")
		}
		in.Incidents = append(in.Incidents, si)
	}
	siteWords(&in, suite, period)
	for _, rr := range rep.Roles {
		ri := site.RoleInput{Role: string(rr.Role), RoleName: extract.RoleNames[rr.Role]}
		for _, r := range siteOrder(rr.Reports) {
			ri.Reports = append(ri.Reports, siteReport(r, in.Thresholds, suite.Catalogue))
		}
		in.Roles = append(in.Roles, ri)
	}
	in.Glossary = glossary(suite, rep)
	return in
}
