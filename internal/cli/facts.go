package cli

// What a build keeps of each party's report beside its bundle: the
// month's compact figures for the history and the views whose figures
// the minimum-peers rule withheld, for the run report. They come from the
// engine's report of the party, computed in this process when its job is
// made (partyJob, on several goroutines), and are read once every party
// is sealed.

import (
	"sync"

	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/history"
	"github.com/dcc/carport/internal/runreport"
)

// partyFacts holds each party's figures and withheld views.
type partyFacts struct {
	mu       sync.Mutex
	figures  map[string]history.Party
	withheld map[string][]runreport.View
}

func newPartyFacts() *partyFacts {
	return &partyFacts{figures: map[string]history.Party{}, withheld: map[string][]runreport.View{}}
}

// note keeps what the history and the run report need of rep.
func (f *partyFacts) note(rep *bench.PartyReport) {
	figs, held := rep.History(), withheldViews(rep)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.figures[rep.Party.ID], f.withheld[rep.Party.ID] = figs, held
}

// of returns what was noted of party.
func (f *partyFacts) of(party string) (history.Party, []runreport.View) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.figures[party], f.withheld[party]
}

// withheldViews lists the views of rep whose peer or industry figures the
// minimum-peers rule withheld.
func withheldViews(rep *bench.PartyReport) []runreport.View {
	var out []runreport.View
	for _, rr := range rep.Roles {
		for _, r := range rr.Reports {
			for _, v := range r.Views {
				if v.Withheld != "" {
					out = append(out, runreport.View{Role: string(rr.Role), Definition: r.Instance.Def.ID, Report: r.Instance.ID, View: v.View.ID})
				}
			}
		}
	}
	return out
}
