package extract

import (
	"testing"
)

// The date cache must give what the uncached parser gives, row after row,
// whatever came before: a repeated date, a new date, a bad date after a
// good one with the same day, a bad time on a cached date.
func TestTimestampDateCache(t *testing.T) {
	seq := []string{
		"2026-10-04T13:02:11Z",
		"2026-10-04T14:02:11.250+01:00",
		"2026-10-04T24:00:00Z", // bad hour on the cached date
		"2026-10-04T13:02:11",  // no offset on the cached date
		"2026-10-05T00:00:00Z",
		"2026-02-29T00:00:00Z", // bad date: not cached
		"2026-02-29T00:00:01Z",
		"2026-10-05T23:59:59.999-05:00",
		"2026-10-04T13:02:11Z",
		"2026-10-0",
	}
	var c dayCache
	for _, s := range seq {
		got, gotOK := parseTimestampWith([]byte(s), &c)
		want, wantOK := parseTimestamp([]byte(s))
		if got != want || gotOK != wantOK {
			t.Errorf("%q: cached %d, %v; uncached %d, %v", s, got, gotOK, want, wantOK)
		}
	}
}

// signifiers must intern each of the seven fields as intern does, and
// fields that only differ in where one ends and the next begins must not
// share an entry.
func TestSignifiersMatchIntern(t *testing.T) {
	o := testOptions(t)
	tools := newRowTools(o)
	rows := [][]string{
		{"Maker", "M1", "1.0", "Hub", "H1", "dual-band", "9"},
		{"Maker", "M1", "1.0", "Hub", "H1", "dual-band", "9"},
		{"Make", "rM1", "1.0", "Hub", "H1", "dual-band", "9"},
		{"Maker", "M1", "", "", "", "", ""},
		{"", "", "", "", "", "", ""},
		{"Maker", "M11", ".0", "Hub", "H1", "dual-band", "9"},
	}
	cols := []int{2, 3, 4, 5, 6, 7, 8}
	for _, r := range rows {
		f := make([][]byte, 9)
		for i, v := range r {
			f[cols[i]] = []byte(v)
		}
		got := tools.signifiers(f, cols)
		for i, v := range r {
			if want := o.Symbols.Intern([]byte(v)); got[i] != want {
				t.Errorf("%q field %d: symbol %d (%q), want %d", r, i, got[i], o.Symbols.Name(got[i]), want)
			}
		}
	}
}
