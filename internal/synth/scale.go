package synth

import "fmt"

// Scale says how much data to generate.
type Scale struct {
	Name            string // "tiny", "small", "medium", "large" or a caller's label
	Parties         int    // parties in parties.csv (at least 12)
	Devices         int    // rows of devices.csv
	ServiceRequests int    // rows of service_requests.csv
	Alerts          int    // approximate alert rows generated in the period; alerts.csv also carries the 7 days after it
}

// scales are the named scales, smallest first.
var scales = []Scale{
	{Name: "tiny", Parties: 12, Devices: 2_000, ServiceRequests: 5_000, Alerts: 5_000},
	{Name: "small", Parties: 40, Devices: 50_000, ServiceRequests: 500_000, Alerts: 500_000},
	{Name: "medium", Parties: 150, Devices: 1_000_000, ServiceRequests: 10_000_000, Alerts: 10_000_000},
	// large is the measured month behind the README's extrapolation to the
	// whole GB estate: over 100 million event rows, twice medium's parties
	{Name: "large", Parties: 300, Devices: 5_000_000, ServiceRequests: 50_000_000, Alerts: 50_000_000},
}

// ParseScale returns the named scale: "tiny", "small", "medium" or "large"
// (300 parties, 5 million devices, 100 million events in the period: the
// measured month the README extrapolates to the GB estate from).
func ParseScale(name string) (Scale, error) {
	for _, s := range scales {
		if s.Name == name {
			return s, nil
		}
	}
	return Scale{}, fmt.Errorf("unknown scale %q (want tiny, small, medium or large)", name)
}

// validate checks a scale before generation.
func (s Scale) validate() error {
	switch {
	case s.Parties < 12:
		return fmt.Errorf("scale %q: parties %d: need at least 12", s.Name, s.Parties)
	case s.Parties > 1000:
		return fmt.Errorf("scale %q: parties %d: at most 1000", s.Name, s.Parties)
	case s.Devices < 100:
		return fmt.Errorf("scale %q: devices %d: need at least 100", s.Name, s.Devices)
	case s.Devices > 100_000_000:
		return fmt.Errorf("scale %q: devices %d: at most 100000000", s.Name, s.Devices)
	case s.ServiceRequests < 0 || s.Alerts < 0:
		return fmt.Errorf("scale %q: negative row count", s.Name)
	}
	return nil
}
