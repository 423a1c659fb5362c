package cli

// The build's use of the history (internal/history, docs/history.md):
// the folder beside OUT unless --history names another, locked for the
// run; the 12 months before the period read before the engine runs (the
// trends' points); the period's entry written only once the period is
// published, so a failed build leaves the history as it was. A reseal
// reads it (its sites must come out the same) and writes nothing.

import (
	"fmt"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/history"
)

// runHistory is a build's history folder and the window it read.
type runHistory struct {
	dir    *history.Dir
	window []*history.Entry // the 12 months before the period, nil for gaps
}

// openHistory locks the history folder of f and reads the window before
// period. The folder may not be inside OUT: OUT is copied to the file
// host, and the history names every party.
func openHistory(f buildFlags, period contract.Period) (*runHistory, error) {
	cmd := f.command()
	path := f.history
	if path == "" {
		path = history.Default(f.out)
	}
	if inside(path, f.out) {
		return nil, usagef("give --history a folder outside OUT, or leave it out (default: "+history.Default(f.out)+")",
			"%s: --history %s is inside OUT (%s), which is copied to the file host: the history is DCC-only", cmd, path, f.out)
	}
	d, err := history.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	w, err := d.Window(period.String())
	if err != nil {
		d.Close()
		return nil, &badInput{fmt.Errorf("%s: %w", cmd, err),
			"a history file is damaged or foreign: restore it, or move it out of the folder (its month then shows as a gap)"}
	}
	return &runHistory{dir: d, window: w}, nil
}

func (h *runHistory) close() { h.dir.Close() }

// months lists the months of the window the history holds.
func (h *runHistory) months() []string {
	var out []string
	for _, e := range h.window {
		if e != nil {
			out = append(out, e.Period)
		}
	}
	return out
}

// record writes the period's entry: the figures of every party built and,
// for a --party build (partial), the other parties' figures as the
// period's entry had them, for those still in parties.csv.
func (h *runHistory) record(period contract.Period, minPeers int, built []history.Party, partial bool, all *extract.Parties) error {
	e := &history.Entry{Format: history.Format, Version: history.FormatVersion, Period: period.String(), Generator: Version, MinPeers: minPeers}
	if partial {
		old, err := h.dir.Read(period.String())
		if err != nil {
			return err
		}
		if old != nil {
			e.Parties = old.Parties
			e.Keep(func(id string) bool { return all.Get(id) != nil })
		}
	}
	for _, p := range built {
		e.Put(p)
	}
	return h.dir.Write(e)
}
