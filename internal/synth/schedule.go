package synth

// Events are laid out over the real instants of the period: hour by hour in
// UTC, each hour weighted by its London wall-clock hour. The day the clocks
// go back therefore has 25 weighted hours and carries about 25/24 of a
// normal day's traffic; the day they go forward has 23. Counts per hour are
// the expected values rounded cumulatively, so a file has exactly the
// requested number of events and the daily shape is not at the mercy of
// sampling noise.

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/dcc/carport/internal/contract"
)

const hourMS = 3_600_000

// bucket is one real hour and the number of events drawn in it.
type bucket struct {
	startMS int64
	n       int
}

// hourBuckets spreads n events over the hours in [fromMS, toMS) with
// weights by London wall-clock hour.
func (g *gen) hourBuckets(fromMS, toMS int64, n float64, weight *[24]float64) []bucket {
	var bs []bucket
	var ws []float64
	total := 0.0
	for t := fromMS; t < toMS; t += hourMS {
		local := t + g.zone.offset(t)*1000
		w := weight[floorDiv(local, hourMS)%24]
		bs = append(bs, bucket{startMS: t})
		ws = append(ws, w)
		total += w
	}
	cum, done := 0.0, 0
	for i := range bs {
		cum += n * ws[i] / total
		k := int(math.Round(cum)) - done
		bs[i].n = k
		done += k
	}
	return bs
}

// Daily shapes by London hour: suppliers schedule bulk reads overnight;
// alerts follow household activity.
var (
	requestHours = [24]float64{1.1, 1.6, 1.8, 1.8, 1.5, 1.0, 0.8, 0.9, 1.0, 1.1, 1.1, 1.0,
		1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 0.8, 0.7, 0.6, 0.6, 0.6, 0.8}
	alertHours = [24]float64{0.6, 0.5, 0.5, 0.5, 0.5, 0.6, 0.8, 1.0, 1.1, 1.1, 1.1, 1.1,
		1.1, 1.1, 1.1, 1.1, 1.2, 1.3, 1.3, 1.2, 1.1, 1.0, 0.9, 0.7}
)

// incident is a Category 1 or 2 incident and its effect on traffic.
type incident struct {
	id       string
	category int
	startMS  int64
	endMS    int64 // -1 while open
	regions  uint8 // bit per region
	title    string
	severity float64 // extra failure probability while active
}

// incidentTitles are the titles incidents are given.
var incidentTitles = []string{
	"Degraded service in the CSP region network",
	"Data service provider message processing outage",
	"Intermittent communications hub connectivity",
	"Delayed alert delivery to DCC Users",
}

// makeIncidents draws two or three incidents: one Category 2 in a single
// region, one Category 1 across all regions and, for some seeds, one still
// open at the end of the period in two regions.
func (g *gen) makeIncidents() {
	rng := rand.New(rand.NewPCG(g.seed, 0x1c1d))
	days := g.per.Days()
	at := func(day, hour int) int64 {
		return g.per.DayStartMS(day) + int64(hour)*hourMS + int64(rng.IntN(60))*60_000
	}
	num := 12_000 + rng.IntN(80_000)
	next := func() string {
		num += 1 + rng.IntN(900)
		return "INC" + string(appendPadded(nil, uint64(num), 7))
	}
	region := rng.IntN(3)
	d1 := 2 + rng.IntN(days/3)
	s1 := at(d1, 6+rng.IntN(12))
	g.inc = append(g.inc, incident{id: next(), category: 2, startMS: s1,
		endMS: s1 + int64(3+rng.IntN(6))*hourMS, regions: 1 << region,
		title: incidentTitles[0], severity: 0.25})
	d2 := days/3 + 2 + rng.IntN(days/3)
	s2 := at(d2, 8+rng.IntN(10))
	g.inc = append(g.inc, incident{id: next(), category: 1, startMS: s2,
		endMS: s2 + int64(1+rng.IntN(3))*hourMS, regions: 7,
		title: incidentTitles[1], severity: 0.45})
	if rng.IntN(2) == 0 {
		s3 := at(days-1-rng.IntN(2), rng.IntN(20))
		g.inc = append(g.inc, incident{id: next(), category: 2, startMS: s3, endMS: -1,
			regions: 1<<((region+1)%3) | 1<<((region+2)%3), title: incidentTitles[2], severity: 0.12})
	}
}

// incidentAt returns the extra failure probability at ms in region, 0
// when no incident is active there.
func (g *gen) incidentAt(ms int64, region uint8) float64 {
	sev := 0.0
	for i := range g.inc {
		in := &g.inc[i]
		end := in.endMS
		if end < 0 {
			end = g.alertEndMS
		}
		if ms >= in.startMS && ms < end && in.regions&(1<<region) != 0 {
			sev = max(sev, in.severity)
		}
	}
	return sev
}

// writeIncidents writes incidents.csv.
func (g *gen) writeIncidents(o *fileOut) {
	o.header(contract.IncidentsFile.Header())
	for _, in := range g.inc {
		b := o.bw.AvailableBuffer()
		b = append(b, in.id...)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(in.category), 10)
		b = append(b, ',')
		b = g.zone.appendTS(b, in.startMS, tsZSeconds)
		b = append(b, ',')
		if in.endMS >= 0 {
			b = g.zone.appendTS(b, in.endMS, tsLocalSecs)
		}
		b = append(b, ',')
		if in.regions == 7 {
			b = append(b, "all"...)
		} else {
			sep := false
			for r := range regionNames {
				if in.regions&(1<<r) != 0 {
					if sep {
						b = append(b, ';')
					}
					b = append(b, regionNames[r]...)
					sep = true
				}
			}
		}
		b = append(b, ',')
		b = appendField(b, in.title)
		b = append(b, '\n')
		o.bw.Write(b)
		o.rows++
	}
}
