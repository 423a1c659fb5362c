package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/plan"
)

// plan writes the pull-request view of a change to the report definitions
// (internal/plan) on stdout.
func (e *env) plan(args []string) error {
	fs := e.flags("plan", "--base REF [--reportdefs DIR] [--extracts DIR [--period YYYY-MM --party ID]]")
	dir := fs.String("reportdefs", "", "folder of report definitions in a git checkout (default: ./reportdefs)")
	base := fs.String("base", "", "git revision to compare with, e.g. main or HEAD~1")
	extracts := fs.String("extracts", "", "folder of a month's extracts: count affected parties from its parties.csv")
	period := fs.String("period", "", "with --party: the extracts' period, YYYY-MM")
	party := fs.String("party", "", "with --period: a sample party whose output files are compared")
	workers := fs.Int("scan-workers", 0, "goroutines reading the extracts (default: one per core)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "base"); err != nil {
		return err
	}
	hint := "run 'carport plan -h' for its flags"
	if (*period == "") != (*party == "") {
		return usagef(hint, "plan: --period and --party go together")
	}
	if *period != "" && *extracts == "" {
		return usagef(hint, "plan: --period and --party need --extracts")
	}
	o := plan.Options{Base: *base, Workers: *workers, StageDir: os.TempDir()}
	if *period != "" {
		var err error
		if o.Period, err = contract.ParsePeriod(*period); err != nil {
			return usagef("give the period as YYYY-MM, e.g. --period 2026-10", "plan: %v", err)
		}
	}
	head, src, err := loadSuite("plan", *dir)
	if err != nil {
		return err
	}
	old, err := suiteAt("plan", src, *base)
	if err != nil {
		return err
	}
	if *extracts != "" {
		if o.Parties, _, err = extract.ReadParties(*extracts); err != nil {
			return err
		}
		o.File = filepath.Join(*extracts, contract.PartiesFile.Name)
		if *party != "" {
			if o.Parties.Get(*party) == nil {
				return &badInput{fmt.Errorf("plan: --party %q is not in %s", *party, o.File), "pick a sample party from parties.csv"}
			}
			o.Sample, o.Extracts = *party, *extracts
		}
	}
	p, err := plan.Make(old, head, o)
	if err != nil {
		return err
	}
	return p.WriteMarkdown(e.stdout)
}
