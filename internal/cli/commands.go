package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dcc/carport"

	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/contract"
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
	if _, err := contract.ParsePeriod(*period); err != nil {
		return usagef("give the period as YYYY-MM, e.g. --period 2026-10", "synth: %v", err)
	}
	sc, err := synth.ParseScale(*scale)
	if err != nil {
		return usagef("the scales are tiny, small, medium and large", "synth: %v", err)
	}
	sum, err := synth.Generate(synth.Options{OutDir: *out, Period: *period, Scale: sc, Seed: *seed, Gzip: *gz, Progress: e.progress})
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	var rows int64
	for _, n := range sum.Rows {
		rows += n
	}
	e.say("synth: %d parties, %d rows, %.1f MB in %.2fs (%.0f rows/s)",
		sum.Parties, rows, float64(sum.Bytes)/1e6, sum.Elapsed.Seconds(), float64(rows)/sum.Elapsed.Seconds())
	return nil
}

// open verifies and extracts a bundle. Its flags may come before or after
// the bundle.
func (e *env) open(args []string) error {
	const synopsis = "BUNDLE -i IDENTITY [--to DIR] [--pub FILE]"
	fs := e.flags("open", synopsis)
	id := fs.String("i", "", "age identity file (the party's secret key)")
	to := fs.String("to", "", "folder to extract into (default: a new folder <party>-<period> in the current folder)")
	pub := fs.String("pub", "", "the DCC public signing key (default: the key built into carport, keys/dcc-signing.pub)")
	sig := fs.String("sig", "", "the bundle's signature (default: BUNDLE.minisig)")
	maxSize := fs.Int64("max-size", bundle.DefaultLimits.MaxBytes, "refuse bundles whose files add up to more bytes")
	maxFiles := fs.Int("max-files", bundle.DefaultLimits.MaxFiles, "refuse bundles with more files")
	maxRatio := fs.Float64("max-ratio", bundle.DefaultLimits.MaxRatio, "refuse entries (over 1 MiB) that expand more than this many times")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	hint := "usage: carport open " + synopsis
	switch {
	case len(pos) == 0:
		return usagef(hint, "open: no bundle given")
	case len(pos) > 1:
		return usagef(hint, "open: one bundle at a time (got %q and %q)", pos[0], pos[1])
	}
	bundlePath := pos[0]
	if err := required(fs, "i"); err != nil {
		return err
	}
	for _, p := range []string{bundlePath, *id} {
		if _, err := os.Stat(p); err != nil {
			return usagef(hint, "open: %v", err)
		}
	}
	key, err := openKey(*pub)
	if err != nil {
		return err
	}
	// plaintext never goes next to published bundles, where the file host
	// might serve it
	parent := "."
	if *to != "" {
		parent = filepath.Dir(*to)
	}
	if inside(parent, filepath.Dir(bundlePath)) {
		return usagef("give --to a folder outside the bundle's folder, e.g. --to ~/reports/2026-10",
			"open: would extract into %s, the bundle's own folder", filepath.Dir(bundlePath))
	}
	ctx, sigName, stop := onInterrupt(nil)
	defer stop()
	o, err := bundle.Open(bundle.OpenOptions{Bundle: bundlePath, Signature: *sig, PublicKey: key, Identity: *id, To: *to, Parent: parent,
		Limits: bundle.Limits{MaxBytes: *maxSize, MaxFiles: *maxFiles, MaxRatio: *maxRatio}, Context: ctx})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("open: interrupted by %s: nothing was extracted", sigName())
		}
		return err
	}
	m := o.Manifest
	e.say("opened %s: signed by the DCC (key %s), party %s, period %s, %d reports, %d files verified",
		bundlePath, key.ID(), m.Party, m.Period, len(m.Reports), len(m.Files))
	fmt.Fprintln(e.stdout, filepath.Join(o.Dir, "index.html"))
	return nil
}

// openKey reads the public key given, or the one built into carport.
func openKey(path string) (*bundle.PublicKey, error) {
	if path != "" {
		k, err := bundle.ReadPublicKey(path)
		if err != nil {
			return nil, &badInput{err, ""}
		}
		return k, nil
	}
	k, err := bundle.ParsePublicKey(carport.SigningKey)
	if err != nil {
		return nil, fmt.Errorf("the DCC key built into carport: %w", err)
	}
	return k, nil
}

// inside reports whether dir is base or a folder under it, comparing the
// real paths of their nearest existing ancestors.
func inside(dir, base string) bool {
	real := func(p string) string {
		p = mustAbs(p)
		var rest []string
		for {
			if r, err := filepath.EvalSymlinks(p); err == nil {
				return filepath.Join(append([]string{r}, rest...)...)
			}
			parent := filepath.Dir(p)
			if parent == p {
				return p
			}
			rest = append([]string{filepath.Base(p)}, rest...)
			p = parent
		}
	}
	d, b := real(dir), real(base)
	rel, err := filepath.Rel(b, d)
	return err == nil && (rel == "." || !strings.HasPrefix(rel, ".."))
}

// parseInterleaved parses flags that may come before, between or after
// positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("run 'carport "+fs.Name()+" -h' for its flags", "%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
