package cli

// What a build says of the month it read: a period with no events is
// refused, and the summary lists bad rows, codes the catalogue lacks and
// what every stage cost.

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/contract"
)

// checkNotEmpty refuses a period in which no service request or no alert
// falls (a wrong --period, the extract of another month, header-only
// files): it is not a month, unless allowEmpty says it is.
func (e *env) checkNotEmpty(eng *bench.Engine, period contract.Period, allowEmpty bool) error {
	for _, q := range eng.Quality {
		var what string
		switch strings.TrimSuffix(q.File, ".gz") {
		case contract.ServiceRequestsFile.Name:
			what = "service request"
		case contract.AlertsFile.Name:
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
			e.say("note: no %s falls in the period %s (%s); building anyway (--allow-empty)", what, period, why)
			continue
		}
		return &badInput{fmt.Errorf("build: no %s falls in the period %s (%s)", what, period, why),
			"check --period and that the extracts are those of that month; --allow-empty builds an empty month anyway"}
	}
	return nil
}

// gapKind is "SRV" or "Alert", as gap reports are titled.
func gapKind(g bench.Gap) string {
	if g.Dataset == contract.Alerts {
		return "Alert"
	}
	return "SRV"
}

// summary prints what the run read and what each stage cost.
func (e *env) summary(eng *bench.Engine, parties int, t partyTimes, index time.Duration, bytes int64, wall time.Duration, workers int, total time.Duration) {
	var rows, bad, outside int64
	for _, q := range eng.Quality {
		rows += q.Rows
		bad += q.Bad
		outside += q.OutsidePeriod
	}
	e.say("summary: %d parties, %d rows read, %d bad, %d outside the period", parties, rows, bad, outside)
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
			e.say("  %s: %d bad rows: %s", q.File, q.ByReason[r], r)
		}
		for _, x := range q.Examples {
			e.say("    e.g. %s", x)
		}
	}
	// codes the catalogue lacks are reported all the same: say which, so
	// that the catalogue can be completed
	for _, g := range eng.Gaps {
		e.say("  not in the catalogue: %s %s (%d rows in the period): reported as %q",
			gapKind(g), g.Code, g.Rows, gapKind(g)+" "+g.Code+" (not in the catalogue)")
	}
	for _, s := range eng.Stages {
		e.say("  %-22s %7.2fs  %10.0f rows/s", s.Name, s.Elapsed.Seconds(), float64(s.Rows)/s.Elapsed.Seconds())
	}
	// render, audit and seal are the parties' times added up; the
	// parties line is the wall time of all three on the workers
	e.say("  %-22s %7.2fs  (%.1f MB of sites)", "render sites", t.render.Seconds(), float64(bytes)/1e6)
	e.say("  %-22s %7.2fs  (index %.2fs)", "leak audit", (t.audit + index).Seconds(), index.Seconds())
	e.say("  %-22s %7.2fs", "seal and sign", t.seal.Seconds())
	e.say("  %-22s %7.2fs  (%d workers, %.2f parties/s)", "parties", wall.Seconds(), workers, float64(parties)/wall.Seconds())
	e.say("  %-22s %7.2fs", "total", total.Seconds())
}
