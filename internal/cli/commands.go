package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/synth"
)

func (e *env) synth(args []string) error {
	fs := e.flags("synth", "--out DIR --period YYYY-MM [--scale tiny|small|medium|large] [--seed N]")
	out := fs.String("out", "", "folder to write the extracts into (with keys/ and identities/)")
	period := fs.String("period", "", "reporting period, YYYY-MM")
	scale := fs.String("scale", "small", "tiny (tests), small (demo), medium (benchmarks) or large (2x medium)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same extracts")
	gz := fs.Bool("gzip", false, "write .csv.gz files")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "out", "period"); err != nil {
		return err
	}
	if _, err := extract.ParsePeriod(*period); err != nil {
		return usagef("give the period as YYYY-MM, e.g. --period 2026-10", "synth: %v", err)
	}
	sc, err := synth.ParseScale(*scale)
	if err != nil {
		return usagef("the scales are tiny, small, medium and large", "synth: %v", err)
	}
	sum, err := synth.Generate(synth.Options{OutDir: *out, Period: *period, Scale: sc, Seed: *seed, Gzip: *gz, Progress: e.stderr})
	if err != nil {
		return err
	}
	var rows int64
	for _, n := range sum.Rows {
		rows += n
	}
	fmt.Fprintf(e.stderr, "carport: synth: %d parties, %d rows, %.1f MB in %.2fs (%.0f rows/s)\n",
		sum.Parties, rows, float64(sum.Bytes)/1e6, sum.Elapsed.Seconds(), float64(rows)/sum.Elapsed.Seconds())
	return nil
}

func (e *env) open(args []string) error {
	fs := e.flags("open", "BUNDLE -i IDENTITY [--to DIR]")
	// the bundle comes first; flags follow it
	var bundlePath string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		bundlePath, args = args[0], args[1:]
	}
	id := fs.String("i", "", "age identity file (the party's secret key)")
	to := fs.String("to", "", "folder to extract into (default: the bundle's name without .zip.age)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if bundlePath == "" {
		return usagef("usage: carport open BUNDLE -i IDENTITY [--to DIR]", "open: no bundle given")
	}
	if err := required(fs, "i"); err != nil {
		return err
	}
	if *to == "" {
		*to = strings.TrimSuffix(strings.TrimSuffix(bundlePath, ".age"), ".zip")
	}
	m, err := bundle.Open(bundle.OpenOptions{Bundle: bundlePath, Identity: *id, To: *to})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "carport: opened %s: party %s, period %s, %d reports, %d files verified\n",
		bundlePath, m.Party, m.Period, len(m.Reports), len(m.Files))
	fmt.Fprintln(e.stdout, filepath.Join(*to, "index.html"))
	return nil
}
