package bench

import "sort"

// deviceIDs returns the devices of byDev, sorted: for PartyReport, the
// ids of the devices that alerts sent to the party concern and that a view
// may publish (the distributor follow-up alerts kept for the outage and
// N16/N42 rules, see distribution.go). No other view publishes an alert's
// device id; the leak audit allows these beside the party's own estate.
func deviceIDs(byDev map[string][]edEvent) []string {
	ids := make([]string, 0, len(byDev))
	for d := range byDev {
		ids = append(ids, d)
	}
	sort.Strings(ids)
	return ids
}
