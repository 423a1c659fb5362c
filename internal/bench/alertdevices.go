package bench

import "sort"

// AlertDevices returns the ids of the devices that alerts sent to party
// concern and that a view may publish: the distributor follow-up alerts
// kept for the outage and N16/N42 rules (see distribution.go). No other
// view publishes an alert's device id. The leak audit allows these ids in
// the party's bundle beside its own estate. Engine.Party returns them too
// (PartyReport.AlertDevices), from the same read of the spill.
func (e *Engine) AlertDevices(party string) ([]string, error) {
	me, ok := e.sym.Lookup(party)
	if !ok || e.ed == nil || e.ed.store == nil {
		return nil, nil
	}
	byDev, err := e.ed.store.party(me)
	if err != nil {
		return nil, err
	}
	return deviceIDs(byDev), nil
}

// deviceIDs returns the devices of byDev, sorted.
func deviceIDs(byDev map[string][]edEvent) []string {
	ids := make([]string, 0, len(byDev))
	for d := range byDev {
		ids = append(ids, d)
	}
	sort.Strings(ids)
	return ids
}
