package cli

// The run report of a build, written into the period's version: run.json
// and run.html, which switch with the period. Last month's run report,
// when OUT holds it, gives the change since then (parties added or gone,
// rows ±%).

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dcc/carport/internal/history"
	"github.com/dcc/carport/internal/publish"
	"github.com/dcc/carport/internal/runreport"
)

// writeRunReport completes r with last month's run report from out and
// writes both forms of the report into version; ech is the ECharts script
// the page inlines.
func writeRunReport(version *publish.Version, out string, ech []byte, r runreport.Run) error {
	prev, err := history.Before(r.Period, 1)
	if err != nil {
		return err
	}
	r.PreviousPeriod = prev[0]
	path := filepath.Join(out, prev[0]+"."+publish.RunReportName)
	switch b, err := os.ReadFile(path); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("reading last month's run report: %w", err)
	default:
		// an unreadable old report costs the comparison, not the run
		if r.Previous, err = runreport.Decode(b); err != nil {
			r.Previous = nil
		}
	}
	rep := runreport.New(r)
	js, err := rep.JSON()
	if err != nil {
		return err
	}
	page, err := rep.HTML(ech)
	if err != nil {
		return err
	}
	if err := version.WriteFile(publish.RunReportName, js); err != nil {
		return err
	}
	return version.WriteFile(publish.RunReportHTMLName, page)
}
