package cli

// build is the monthly run: read the extracts once, compute every party's
// views, render each party's site in a private staging folder, seal it to
// the party's age recipients, and publish the sealed bundles together only
// when every party succeeded. Plaintext never leaves the staging folder,
// which is 0700 and removed at the end whatever happens.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/site"
)

type buildFlags struct {
	extracts, period, keys, out         string
	reportdefs, templates, content, ech string
	parties                             multi
	stage                               string
	drafts, allowEmpty                  bool
	workers                             int
}

func (e *env) build(args []string) error {
	var f buildFlags
	fs := e.flags("build", "--extracts DIR --period YYYY-MM --keys DIR --out DIR [--party ID ...]")
	fs.StringVar(&f.extracts, "extracts", "", "folder of the period's warehouse extracts")
	fs.StringVar(&f.period, "period", "", "reporting period, YYYY-MM (Europe/London calendar month)")
	fs.StringVar(&f.keys, "keys", "keys", "folder of <party>.txt files of public age recipients")
	fs.StringVar(&f.out, "out", "", "where sealed bundles go: OUT/PERIOD/<party>.zip.age")
	fs.Var(&f.parties, "party", "build only these parties (repeatable or comma-separated)")
	fs.StringVar(&f.reportdefs, "reportdefs", "reportdefs", "folder of report definitions")
	fs.StringVar(&f.templates, "templates", "templates", "folder of site templates")
	fs.StringVar(&f.content, "content", "content", "folder of authored site pages")
	fs.StringVar(&f.ech, "echarts", filepath.Join("node_modules", "echarts", "dist", "echarts.min.js"), "echarts.min.js from the pinned npm package")
	fs.BoolVar(&f.drafts, "include-drafts", false, "include draft reports (previews only)")
	fs.BoolVar(&f.allowEmpty, "allow-empty", false, "build even when no service request or no alert falls in the period")
	fs.IntVar(&f.workers, "workers", 0, "scan workers (default: one per core)")
	fs.StringVar(&f.stage, "stage", "", "where plaintext sites are staged (default: /dev/shm when the machine has it, else the temp folder)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "extracts", "period", "out"); err != nil {
		return err
	}
	start := time.Now()
	period, err := extract.ParsePeriod(f.period)
	if err != nil {
		return usagef("give the period as YYYY-MM, e.g. --period 2026-10", "build: %v", err)
	}
	suite, err := reportdef.Load(f.reportdefs)
	if err != nil {
		return err
	}
	if _, err := os.Stat(f.ech); err != nil {
		return &badInput{fmt.Errorf("build: %s: ECharts not found", f.ech), "run 'npm ci' (or 'make deps') to install the pinned echarts package"}
	}
	// party ids become file names: they are checked before any file is
	// touched (the engine reads parties.csv again, in a blink)
	if _, _, err := extract.ReadParties(f.extracts); err != nil {
		return err
	}
	// engine files (estate CSVs, spilled detail) can be large: temp folder
	stage, err := os.MkdirTemp("", "carport-stage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	// rendered sites are small and many files: a memory-backed folder
	sites, err := os.MkdirTemp(plaintextRoot(f.stage), "carport-sites-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(sites)
	// an interrupt stops the run at the next party and still removes the
	// plaintext staging folder
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	eng, err := bench.Run(bench.Config{Suite: suite, Select: reportdef.Select{Drafts: f.drafts},
		Extracts: f.extracts, Period: period, StageDir: filepath.Join(stage, "engine"), Workers: f.workers, Progress: e.stderr})
	if err != nil {
		return err
	}
	if err := checkNotEmpty(eng, period, f.allowEmpty, e.stderr); err != nil {
		return err
	}
	parties, err := selectParties(eng.Parties, f.parties)
	if err != nil {
		return err
	}
	// every key is checked before anything is rendered, so a missing key
	// costs seconds, not a whole run
	for _, p := range parties {
		if _, err := bundle.ReadRecipients(filepath.Join(f.keys, p.ID+".txt")); err != nil {
			return &badInput{fmt.Errorf("party %s: %w", p.ID, err), "every party needs keys/<party>.txt with its public age recipients; nothing was published"}
		}
	}

	// sealed bundles collect in an incoming folder beside their final place
	// and move in only when every party is done
	finalDir := filepath.Join(f.out, period.String())
	if err := os.MkdirAll(finalDir, 0o755); err != nil {
		return err
	}
	incoming, err := os.MkdirTemp(finalDir, ".incoming-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(incoming)

	var renderTime, sealTime time.Duration
	var totalBytes int64
	for i, p := range parties {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted before party %s: nothing was published", p.ID)
		}
		t0 := time.Now()
		rep, err := eng.Party(p.ID)
		if err != nil {
			return err
		}
		in := siteInput(eng, suite, rep, period)
		siteDir := filepath.Join(sites, "sites", p.ID)
		work := filepath.Join(sites, "work", p.ID)
		if err := os.MkdirAll(work, 0o700); err != nil {
			return err
		}
		st, err := site.Render(in, site.Options{TemplatesDir: f.templates, ContentDir: f.content, EChartsJS: f.ech,
			WorkDir: work, OutDir: siteDir, FeedbackEmail: suite.Policy.FeedbackEmail})
		if err != nil {
			return fmt.Errorf("party %s: rendering site: %w", p.ID, err)
		}
		t1 := time.Now()
		renderTime += t1.Sub(t0)
		man := bundle.Manifest{Period: period.String(), Party: p.ID, GeneratorVersion: Version}
		for _, rr := range rep.Roles {
			for _, r := range rr.Reports {
				man.Reports = append(man.Reports, bundle.ReportRef{Role: string(rr.Role), ID: r.Instance.ID, Version: r.Instance.Def.Version.String()})
			}
		}
		if _, err := bundle.Seal(bundle.SealOptions{SiteDir: siteDir, Recipients: filepath.Join(f.keys, p.ID+".txt"),
			OutPath: filepath.Join(incoming, p.ID+".zip.age"), Manifest: man}); err != nil {
			return fmt.Errorf("party %s: sealing: %w", p.ID, err)
		}
		sealTime += time.Since(t1)
		totalBytes += st.Bytes
		// the plaintext of this party is gone before the next one starts
		if err := os.RemoveAll(siteDir); err != nil {
			return err
		}
		os.RemoveAll(work)
		fmt.Fprintf(e.stderr, "carport: [%d/%d] %-8s %3d reports, %4d pages, %6.1f MB, render %.2fs, seal %.2fs\n",
			i+1, len(parties), p.ID, len(man.Reports), st.Pages, float64(st.Bytes)/1e6, t1.Sub(t0).Seconds(), time.Since(t1).Seconds())
	}
	for _, p := range parties {
		name := p.ID + ".zip.age"
		if err := os.Rename(filepath.Join(incoming, name), filepath.Join(finalDir, name)); err != nil {
			return err
		}
	}
	if err := writeRunReport(filepath.Join(f.out, period.String()+".run.json"), eng, parties, time.Since(start)); err != nil {
		return err
	}
	e.summary(eng, parties, renderTime, sealTime, totalBytes, time.Since(start), finalDir)
	return nil
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

func (e *env) summary(eng *bench.Engine, parties []*extract.Party, render, seal time.Duration, bytes int64, total time.Duration, dir string) {
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
	fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs\n", "seal bundles", seal.Seconds())
	fmt.Fprintf(e.stderr, "carport:   %-22s %7.2fs\n", "total", total.Seconds())
	fmt.Fprintf(e.stdout, "%s\n", dir)
}

// writeRunReport writes the DCC-only run report: data quality per extract
// and stage timings. It names every party, so it never goes in a bundle.
func writeRunReport(path string, eng *bench.Engine, parties []*extract.Party, total time.Duration) error {
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
	rep := struct {
		Generator    string    `json:"generator_version"`
		Parties      []string  `json:"parties"`
		Quality      []quality `json:"quality"`
		Uncatalogued []gap     `json:"uncatalogued"`
		Stages       []stage   `json:"stages"`
		Seconds      float64   `json:"total_seconds"`
	}{Generator: Version, Seconds: total.Seconds(), Uncatalogued: []gap{}}
	for _, g := range eng.Gaps {
		rep.Uncatalogued = append(rep.Uncatalogued, gap{string(g.Dataset), g.Code, g.Rows})
	}
	for _, q := range eng.Quality {
		rep.Quality = append(rep.Quality, quality{q.File, q.Bytes, q.Rows, q.Bad, q.OutsidePeriod, q.ByReason, q.Examples})
	}
	for _, p := range parties {
		rep.Parties = append(rep.Parties, p.ID)
	}
	for _, s := range eng.Stages {
		rep.Stages = append(rep.Stages, stage{s.Name, s.Rows, s.Elapsed.Seconds()})
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(path, append(b, '\n'), 0o640)
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), mode)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
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
	for _, rr := range rep.Roles {
		ri := site.RoleInput{Role: string(rr.Role), RoleName: extract.RoleNames[rr.Role]}
		for _, r := range rr.Reports {
			d := r.Instance.Def
			sr := site.Report{ID: r.Instance.ID, DefID: d.ID, Version: d.Version.String(), Title: r.Instance.Title,
				Category: d.Category, Description: d.Description, Help: d.Help}
			for _, v := range r.Views {
				c := v.View.Chart
				sr.Views = append(sr.Views, site.View{ID: v.View.ID, Title: v.View.Title, Header: v.Header, Rows: v.Rows,
					File: v.File, Withheld: v.Withheld, Note: v.View.Note,
					Chart: site.Chart{Kind: c.Kind, X: c.X, Series: c.Series, Highlight: c.Highlight, Percent: c.Percent,
						Stack: c.Stack, GroupBy: c.GroupBy, SeriesFrom: c.SeriesFrom, MarkDays: v.MarkDays}})
			}
			ri.Reports = append(ri.Reports, sr)
		}
		in.Roles = append(in.Roles, ri)
	}
	return in
}
