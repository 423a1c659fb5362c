package cli

// build is the monthly run: read the extracts once, compute every party's
// views, render each party's site in a private staging folder, audit it for
// leaks, seal it to the party's age recipients and sign it, and publish the
// period in one switch (internal/publish) only when every party succeeded.
//
// Plaintext lives only in two private (0700) stage folders, each locked by
// this process for its life (internal/stage): carport-stage-* (the
// engine's estate and spill files, the audit's keys and index; in the temp
// folder) and carport-sites-* (rendered sites; in /dev/shm when the
// machine has it). --stage puts both in one place. The worker processes
// that render, audit and seal the parties (internal/worker) write only
// into carport-sites-* and share the folders' locks. The folders are
// removed at the end, wiped (once the workers are killed) as soon as an
// interrupt arrives, and found by the next run (or `carport clean`) when
// a crash left them.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"time"

	"github.com/dcc/carport/internal/audit"
	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/history"
	"github.com/dcc/carport/internal/publish"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/runreport"
	"github.com/dcc/carport/internal/stage"
	"github.com/dcc/carport/internal/worker"
)

type buildFlags struct {
	extracts, period, keys, out         string
	reportdefs, templates, content, ech string
	parties                             multi
	stage                               string
	signingKey                          string
	history                             string
	drafts, allowEmpty                  bool
	// workers render, audit and seal parties (processes); scanWorkers
	// read the extracts (goroutines)
	workers, scanWorkers int
	// reseal: rebuild the parties from the retained extracts and publish
	// them only if their content is unchanged
	reseal bool
}

func (e *env) build(args []string) error {
	var f buildFlags
	fs := e.flags("build", "--extracts DIR --period YYYY-MM --keys DIR --out DIR [--party ID ...] [--signing-key FILE] [--workers N] [--history DIR]")
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

// reseal re-issues published bundles to the parties' current recipients:
// it rebuilds them from the retained extracts and publishes them only when
// their content (manifest.json, which lists every file's sha256) is the
// one published, so a key change never changes what a party reads.
func (e *env) reseal(args []string) error {
	var f buildFlags
	f.reseal = true
	fs := e.flags("reseal", "--period YYYY-MM --party ID ... --extracts DIR --keys DIR --out DIR [--signing-key FILE]")
	f.register(fs)
	fs.Var(&f.parties, "party", "the parties to re-issue (repeatable or comma-separated; required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "extracts", "period", "out", "party"); err != nil {
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
	fs.StringVar(&f.reportdefs, "reportdefs", "", "folder of report definitions (default: ./reportdefs, else the ones built into carport)")
	fs.StringVar(&f.templates, "templates", "", "folder of site templates (default: ./templates, else the ones built into carport)")
	fs.StringVar(&f.content, "content", "", "folder of authored site pages (default: ./content, else the ones built into carport)")
	fs.StringVar(&f.ech, "echarts", "", "echarts.min.js to ship in the sites (default: the pinned copy built into carport)")
	fs.BoolVar(&f.drafts, "include-drafts", false, "include draft reports (previews only)")
	fs.BoolVar(&f.allowEmpty, "allow-empty", false, "build even when no service request or no alert falls in the period")
	fs.IntVar(&f.workers, "workers", 0, "worker processes rendering, auditing and sealing parties' sites, one party each at a time (default: one per core)")
	fs.IntVar(&f.scanWorkers, "scan-workers", 0, "goroutines reading the extracts (default: one per core)")
	fs.StringVar(&f.history, "history", "", "the history folder: each period's compact figures, for 13-month trends (default: OUT.history, beside OUT)")
	fs.StringVar(&f.stage, "stage", "", "where plaintext (engine files and rendered sites) is staged (default: the temp folder for engine files, /dev/shm for sites when the machine has it)")
}

func (f *buildFlags) command() string {
	if f.reseal {
		return "reseal"
	}
	return "build"
}

// buildInputs are what a build reads before it touches anything: checked
// flags, definitions, site sources and the signing key.
type buildInputs struct {
	period  contract.Period
	suite   *reportdef.Suite
	sources siteSources
	signer  *bundle.Signer
}

// inputs checks the flags and reads what a build needs besides the month;
// it writes nothing.
func (f *buildFlags) inputs() (in buildInputs, err error) {
	cmd := f.command()
	if in.period, err = contract.ParsePeriod(f.period); err != nil {
		return in, usagef("give the period as YYYY-MM, e.g. --period 2026-10", "%s: %v", cmd, err)
	}
	if in.suite, _, err = loadSuite(cmd, f.reportdefs); err != nil {
		return in, err
	}
	if in.sources, err = openSiteSources(cmd, f.templates, f.content, f.ech); err != nil {
		return in, err
	}
	// party ids become file names: they are checked before any file is
	// touched (the engine reads parties.csv again, in a blink)
	if _, _, err := extract.ReadParties(f.extracts); err != nil {
		return in, err
	}
	in.signer, err = loadSigner(f.keys, f.signingKey)
	return in, err
}

// runBuild runs a build (or a reseal): inputs, then the month read once,
// then every party sealed into a new version of the period, then the
// switch.
func (e *env) runBuild(f buildFlags) error {
	start := time.Now()
	cmd := f.command()
	if os.Getenv(worker.EnvParent) != "" {
		// a test binary that does not hand WorkerCommand to Run would
		// otherwise start its tests again, and their builds, and so on
		return fmt.Errorf("%s: this process is a build's worker: it cannot run a build", cmd)
	}
	in, err := f.inputs()
	if err != nil {
		return err
	}

	// One build per OUT: a second one fails here, before any work.
	out, err := publish.Lock(f.out)
	if err != nil {
		return err
	}
	defer out.Unlock()
	hist, err := openHistory(f, in.period)
	if err != nil {
		return err
	}
	defer hist.close()

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
	cur, err := out.Current(in.period.String())
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	periodDir := filepath.Join(f.out, in.period.String())
	if (len(f.parties) > 0 || f.reseal) && cur.Dir != "" && cur.Manifest == nil {
		return &badInput{fmt.Errorf("%s: %s was published by an older carport and has no manifest.json", cmd, periodDir),
			"run a full build of the period first (without --party)"}
	}
	if f.reseal && cur.Manifest == nil {
		return &badInput{fmt.Errorf("reseal: %s is not published: nothing to reseal", periodDir), "reseal re-issues a published bundle; use build for a new period"}
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

	eng, err := bench.Run(bench.Config{Suite: in.suite, Select: reportdef.Select{Drafts: f.drafts},
		Extracts: f.extracts, Period: in.period, StageDir: filepath.Join(engStage.Path, "engine"), Workers: f.scanWorkers, Progress: e.progress,
		History: hist.window})
	if err != nil {
		return interrupted(ctx, sig, err)
	}
	if err := e.checkNotEmpty(eng, in.period, f.allowEmpty); err != nil {
		return err
	}
	parties, err := selectParties(eng.Parties, f.parties)
	if err != nil {
		return err
	}
	if f.reseal {
		for _, p := range parties {
			if cur.Entry(p.ID) == nil {
				return &badInput{fmt.Errorf("reseal: party %s has no bundle in %s", p.ID, periodDir), "reseal re-issues a published bundle; use build --party for a new party"}
			}
		}
	}
	// every key is read, once, before anything is rendered, so a missing
	// key costs seconds, not a whole run
	keys, err := readRecipients(f.keys, parties)
	if err != nil {
		return err
	}
	// the audit skips the public script every site carries (read here
	// once, and once per party by its render)
	ech, err := fs.ReadFile(in.sources.echarts, in.sources.echartsFile)
	if err != nil {
		return fmt.Errorf("%s: reading %s: %w", cmd, in.sources.echartsFile, err)
	}
	t0 := time.Now()
	ix, err := audit.Build(audit.Options{Extracts: f.extracts, Parties: eng.Parties, StageDir: engStage.Path, Workers: f.scanWorkers, Public: [][]byte{ech},
		MaxBadFraction: in.suite.Policy.MaxBadFraction})
	if err == nil {
		defer ix.Close()
		err = ix.Save() // for the workers
	}
	if err != nil {
		return interrupted(ctx, sig, err)
	}
	indexTime := time.Since(t0)

	version, err := out.NewVersion(in.period.String())
	if err != nil {
		return err
	}
	defer version.Discard() // nothing once switched

	// Every party is rendered, audited and sealed by a pool of worker
	// processes (internal/worker) while this process computes the next
	// parties' jobs; it receives each bundle's ciphertext, signs it and
	// records it in the version.
	workers := f.workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = max(1, min(workers, len(parties)))
	cfg, err := f.workerConfig(in, sites.Path, ix.Dir())
	if err != nil {
		return err
	}
	pool, err := worker.Start(worker.Options{Workers: workers, Command: workerCommand, Version: Version, Signer: in.signer, Config: cfg,
		Keep: []*os.File{engStage.LockFile(), sites.LockFile()}})
	if err != nil {
		return interrupted(ctx, sig, err)
	}
	stages.addKill(pool.Kill)
	defer pool.Kill() // nothing once closed
	// an interrupt while they started
	if ctx.Err() != nil {
		pool.Kill()
		return interrupted(ctx, sig, nil)
	}
	// the scan's memory is garbage now: give it back before the workers
	// need theirs
	debug.FreeOSMemory()
	worker.LimitBuildMemory()
	sh := partyShared{engine: eng, suite: in.suite, period: in.period, keys: f.keys, signingKey: in.signer.Public().String(), facts: newPartyFacts()}
	sealed, err := e.sealParties(ctx, pool, sh, parties, keys, version, cur, f.reseal, workers)
	if err == nil {
		err = pool.Close()
	}
	if err != nil {
		return interrupted(ctx, sig, err)
	}
	kept, err := e.keepOthers(version, cur, eng.Parties, parties, f.parties, in.period)
	if err != nil {
		return err
	}
	if err := writeRunReport(version, f.out, ech, runreport.Run{Generator: Version, Period: in.period.String(), Engine: eng,
		Bundles: sealed.bundles, Kept: kept, Index: indexTime, IndexSize: ix.Bytes(), Render: sealed.times.render,
		Audit: sealed.times.audit, Seal: sealed.times.seal, History: hist.months(), Workers: workers, Parties: sealed.wall,
		Total: time.Since(start)}); err != nil {
		return err
	}
	removed, err = version.Switch(Version, in.signer.Public().ID(), func() error {
		if ctx.Err() != nil {
			return interrupted(ctx, sig, nil)
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.removedNote(removed, "replaced")
	if !f.reseal {
		if err := hist.record(in.period, in.suite.Policy.MinPeers, sealed.figures, len(f.parties) > 0, eng.Parties); err != nil {
			return fmt.Errorf("%s: %s is published, but its history entry was not written: %w", cmd, periodDir, err)
		}
	}
	e.summary(eng, len(parties), sealed.times, indexTime, sealed.bytes, sealed.wall, workers, time.Since(start))
	fmt.Fprintln(e.stdout, periodDir)
	return nil
}

// sealedParties is what sealParties made.
type sealedParties struct {
	bundles []runreport.Bundle // by party id, whatever order they finished in
	figures []history.Party    // the parties' figures for the history
	times   partyTimes         // summed over the parties
	bytes   int64              // of the rendered sites
	wall    time.Duration      // of all the parties, on the workers
}

// sealParties has the pool render, audit and seal every party into
// version, and records each bundle there as it arrives, with its progress
// line. A reseal refuses a party whose content would change.
func (e *env) sealParties(ctx context.Context, pool *worker.Pool, sh partyShared, parties []*extract.Party, keys map[string]*bundle.Recipients,
	version *publish.Version, cur *publish.Published, reseal bool, workers int) (sealedParties, error) {
	var out sealedParties
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// progress lines come in the parties' order, whatever order the
	// workers finish them in: a line waits for the parties before it
	at := map[string]int{}
	for i, p := range parties {
		at[p.ID] = i
	}
	lines := make([]string, len(parties))
	printed := 0
	jobs, jobErr := partyJobs(ctx, sh, parties, version, jobProducers)
	err := pool.Run(ctx, jobs, func(d worker.Done) error {
		s := d.Sealed
		if was := cur.Entry(d.Party); reseal && was.ManifestSHA256 != s.ManifestSHA256 {
			return fmt.Errorf("reseal: party %s: the content would change (manifest.json sha256 %.12s…, published %.12s…): the extracts, report definitions, templates or carport version differ from the published build; nothing was published",
				d.Party, s.ManifestSHA256, was.ManifestSHA256)
		}
		if got, want := s.Recipients, keys[d.Party].Len(); got != want {
			return fmt.Errorf("party %s: sealed to %d recipients, keys/%s.txt has %d", d.Party, got, d.Party, want)
		}
		if err := version.Add(publish.Entry{Party: d.Party, Size: d.Size, SHA256: d.SHA256, ZipSize: s.ZipSize,
			ZipSHA256: s.ZipSHA256, ManifestSHA256: s.ManifestSHA256, Recipients: s.Recipients}); err != nil {
			return err
		}
		out.times.add(partyTimes{d.Render, d.Check, d.Seal})
		out.bytes += d.Site.Bytes
		figs, held := sh.facts.of(d.Party)
		out.bundles = append(out.bundles, runreport.Bundle{Party: d.Party, ZipSHA256: s.ZipSHA256, Size: d.Size, ZipSize: s.ZipSize,
			Audit: d.Audit, Withheld: held})
		out.figures = append(out.figures, figs)
		i := at[d.Party]
		lines[i] = fmt.Sprintf("[%d/%d] %-8s %3d reports, %4d pages, %6.1f MB, render %.2fs, audit %.2fs, seal %.2fs",
			i+1, len(parties), d.Party, len(s.Manifest.Reports), d.Site.Pages, float64(d.Site.Bytes)/1e6,
			d.Render.Seconds(), d.Check.Seconds(), d.Seal.Seconds())
		for printed < len(lines) && lines[printed] != "" {
			e.say("%s", lines[printed])
			printed++
		}
		return nil
	})
	cancel()
	if jerr := jobErr(); jerr != nil && !errors.Is(jerr, context.Canceled) {
		err = jerr // why the jobs stopped, not the stop itself
	}
	if err != nil {
		return out, err
	}
	out.wall = time.Since(start)
	sort.Slice(out.bundles, func(i, j int) bool { return out.bundles[i].Party < out.bundles[j].Party })
	return out, nil
}

// readRecipients reads every party's recipients file, keys/<party>.txt.
func readRecipients(dir string, parties []*extract.Party) (map[string]*bundle.Recipients, error) {
	out := map[string]*bundle.Recipients{}
	for _, p := range parties {
		if err := contract.CheckPartyID(p.ID); err != nil {
			return nil, &badInput{fmt.Errorf("parties.csv: %w", err), "party ids name files: fix parties.csv"}
		}
		r, err := bundle.ReadRecipients(filepath.Join(dir, p.ID+".txt"))
		if err != nil {
			return nil, &badInput{fmt.Errorf("party %s: %w", p.ID, err), "every party needs keys/<party>.txt with its public age recipients; nothing was published"}
		}
		out[p.ID] = r
	}
	return out, nil
}

// keepOthers carries into version the published bundles of the parties
// a --party build did not rebuild, when they are still in parties.csv,
// and returns them.
func (e *env) keepOthers(version *publish.Version, cur *publish.Published, all *extract.Parties, built []*extract.Party, only []string, period contract.Period) ([]string, error) {
	if len(only) == 0 || cur.Manifest == nil {
		return nil, nil
	}
	rebuilt := map[string]bool{}
	for _, p := range built {
		rebuilt[p.ID] = true
	}
	var kept []string
	for _, b := range cur.Manifest.Bundles {
		if rebuilt[b.Party] || all.Get(b.Party) == nil {
			continue
		}
		if err := version.Carry(cur, b.Party); err != nil {
			return nil, err
		}
		kept = append(kept, b.Party)
	}
	for _, p := range all.All() {
		if !rebuilt[p.ID] && cur.Entry(p.ID) == nil {
			e.say("note: %s has no bundle in %s: build it with --party %s", p.ID, period, p.ID)
		}
	}
	return kept, nil
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
