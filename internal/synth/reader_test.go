package synth

import (
	"testing"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
)

// TestExtractReadersAcceptOutput reads a generated period with the
// generator's real consumer, the extract package: clean output has no bad
// rows, and Options.BadRows gives exactly that many.
func TestExtractReadersAcceptOutput(t *testing.T) {
	s := tinyScale(t)
	clean := generated(t, "2026-10", s, 1)
	dirty := t.TempDir()
	if _, err := Generate(Options{OutDir: dirty, Period: "2026-10", Scale: s, Seed: 1, BadRows: 4, Gzip: true}); err != nil {
		t.Fatal(err)
	}
	per, _ := contract.ParsePeriod("2026-10")
	for _, tt := range []struct {
		dir    string
		srvBad int64
	}{{clean, 0}, {dirty, 4}} {
		ps, rep, err := extract.ReadParties(tt.dir)
		if err != nil || rep.Bad != 0 {
			t.Fatalf("parties: %v %+v", err, rep)
		}
		o := extract.Options{Period: per, Parties: ps, Symbols: extract.NewSymbols(), Workers: 1}
		rep, err = extract.ScanServiceRequests(tt.dir, o, func(int) func(*extract.ServiceRequest) { return func(*extract.ServiceRequest) {} })
		if err != nil || rep.Bad != tt.srvBad || rep.Rows != int64(s.ServiceRequests) || rep.OutsidePeriod != 0 {
			t.Errorf("service requests in %s: %v %+v", tt.dir, err, rep)
		}
		var inPeriod int64
		rep, err = extract.ScanAlerts(tt.dir, o, func(int) func(*extract.Alert) {
			return func(a *extract.Alert) {
				if a.InPeriod {
					inPeriod++
				}
			}
		})
		if err != nil || rep.Bad != 0 || inPeriod == 0 || inPeriod == rep.Rows {
			t.Errorf("alerts: %v %+v, %d in the period", err, rep, inPeriod)
		}
		rep, err = extract.ScanDevices(tt.dir, o, func(int) func(*extract.Device) { return func(*extract.Device) {} })
		if err != nil || rep.Bad != 0 || rep.Rows != int64(s.Devices) {
			t.Errorf("devices: %v %+v", err, rep)
		}
		incs, rep, err := extract.ReadIncidents(tt.dir, o)
		if err != nil || rep.Bad != 0 || len(incs) < 2 {
			t.Errorf("incidents: %v %+v %v", err, rep, incs)
		}
	}
}
