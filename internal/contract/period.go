package contract

// The reporting calendar is Europe/London (extracts.md): a period is a
// calendar month there and a "day" is a London calendar day, so the day the
// clocks go back has 25 hours and the day they go forward has 23. Every
// boundary is computed in that zone and kept as a UTC instant in Unix
// milliseconds, so classifying an event is a binary search, not a time zone
// conversion per row.

import (
	"fmt"
	"time"
	_ "time/tzdata" // the calendar must not depend on the machine's zoneinfo
)

// London is the reporting calendar's time zone.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // embedded by time/tzdata: cannot happen
	}
	return loc
}

// Period is one reporting month in the Europe/London calendar.
type Period struct {
	Year  int
	Month time.Month
	// bounds[i] is the start of day i in Unix ms; bounds[len-1] is the end
	// of the period (exclusive).
	bounds []int64
}

// ParsePeriod parses "YYYY-MM".
func ParsePeriod(s string) (Period, error) {
	t, err := time.ParseInLocation("2006-01", s, London)
	if err != nil || len(s) != 7 {
		return Period{}, fmt.Errorf("period %q is not YYYY-MM", s)
	}
	p := Period{Year: t.Year(), Month: t.Month()}
	for d := t; d.Month() == t.Month(); d = d.AddDate(0, 0, 1) {
		p.bounds = append(p.bounds, d.UnixMilli())
	}
	p.bounds = append(p.bounds, t.AddDate(0, 1, 0).UnixMilli())
	return p, nil
}

// String returns "YYYY-MM".
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// Days is the number of calendar days in the period.
func (p Period) Days() int { return len(p.bounds) - 1 }

// StartMS is the first instant of the period in Unix ms.
func (p Period) StartMS() int64 { return p.bounds[0] }

// EndMS is the first instant after the period in Unix ms.
func (p Period) EndMS() int64 { return p.bounds[len(p.bounds)-1] }

// Start is the first instant of the period.
func (p Period) Start() time.Time { return time.UnixMilli(p.StartMS()).In(London) }

// End is the first instant after the period.
func (p Period) End() time.Time { return time.UnixMilli(p.EndMS()).In(London) }

// DayOf returns the index of the London day holding instant ms (Unix ms),
// or -1 when the instant is outside the period.
func (p Period) DayOf(ms int64) int {
	if ms < p.bounds[0] || ms >= p.bounds[len(p.bounds)-1] {
		return -1
	}
	// Days are 23 to 25 hours long, so the 24-hour guess is at most one
	// day off; step to the right day from there.
	d := min(int((ms-p.bounds[0])/86_400_000), len(p.bounds)-2)
	for d > 0 && ms < p.bounds[d] {
		d--
	}
	for ms >= p.bounds[d+1] {
		d++
	}
	return d
}

// DayStartMS is the first instant of day i in Unix ms.
func (p Period) DayStartMS(i int) int64 { return p.bounds[i] }

// DayEndMS is the first instant after day i in Unix ms.
func (p Period) DayEndMS(i int) int64 { return p.bounds[i+1] }

// DayHours is the length of day i in hours (23, 24 or 25).
func (p Period) DayHours(i int) int { return int((p.bounds[i+1] - p.bounds[i]) / 3_600_000) }

// Date returns day i as "YYYY-MM-DD".
func (p Period) Date(i int) string {
	return fmt.Sprintf("%04d-%02d-%02d", p.Year, int(p.Month), i+1)
}

// LastDay is the last calendar day of the period, midnight London time.
func (p Period) LastDay() time.Time {
	return time.UnixMilli(p.bounds[len(p.bounds)-2]).In(London)
}
