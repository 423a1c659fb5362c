// Package audit is the leak audit: before a party's site is sealed, every
// file of it (inside devices.csv.gz too, and every file's path) is scanned
// for what must never reach that party:
//
//   - another party's name (in the encodings a site uses: plain, HTML, JSON,
//     CSV, URL);
//   - another party's id, except where contract v1.1 allows it as a
//     counterparty: the ownership columns (import_supplier_id,
//     export_supplier_id, gas_supplier_id, dno_id) of the recipient's own
//     devices in data/<role>/inventory/devices.csv.gz, and energy_supplier_id
//     in the distributor's data/ED/n16-n42/by-supplier.csv (and, for the ids
//     that file holds, that view's own chart data and page);
//   - a device id that is neither in the recipient's estate nor in an alert
//     sent to it; an MPxN or a postcode of a device outside its estate.
//
// The audit is a second line of defence, independent of the engine: it
// reads devices.csv itself and works out each party's estate from the
// ownership columns (and the roles of parties.csv). The only thing it takes
// from the engine is the device ids of alerts sent to the party.
//
// Cost (see Index): one pass over devices.csv per run; in memory, a sorted
// uint64 per distinct MPxN and postcode of the month (8 bytes each); on the
// private stage, 25 bytes per (device, owner) pair; per party, its own
// estate's keys (24 bytes a device) while it is checked, and one read of
// every file of its site.
package audit

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is a kind of leak.
type Kind string

// The kinds of leak.
const (
	PartyName Kind = "another party's name"
	PartyID   Kind = "another party's id"
	DeviceID  Kind = "a device id outside the party's estate and alerts"
	MPxN      Kind = "an MPxN outside the party's estate"
	Postcode  Kind = "a postcode outside the party's estate"
	// TrendShape is a trend file (13 months from the history) whose
	// columns are not the contract's: a trend may hold only the
	// recipient's own figures and industry's, in the columns
	// contract.Views names, one row per month.
	TrendShape Kind = "a trend file with columns or rows other than the party's own and industry's by month"
)

// Finding is one leak found in a file.
type Finding struct {
	File string // slash path inside the site
	Line int    // 1-based, 0 for the file's path itself
	Kind Kind
	// Masked shows the first characters and the length of what leaked:
	// enough to find it, never the whole value.
	Masked string
}

func (f Finding) String() string {
	where := f.File
	if f.Line > 0 {
		where = fmt.Sprintf("%s:%d", f.File, f.Line)
	} else {
		where += " (its path)"
	}
	return fmt.Sprintf("%s: %s (%s)", where, f.Kind, f.Masked)
}

// LeakError is a failed audit.
type LeakError struct {
	Party    string
	Findings []Finding
	// More counts findings not listed (the list is capped).
	More int
}

func (e *LeakError) Error() string {
	var b strings.Builder
	// the party is named by whoever reports the error, once
	b.WriteString("leak audit failed: the bundle would hold what another party owns; nothing was published")
	for _, f := range e.Findings {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  and %d more", e.More)
	}
	return b.String()
}

// IsLeak reports whether err is a failed audit.
func IsLeak(err error) bool {
	var le *LeakError
	return errors.As(err, &le)
}

// short is the first two characters of v and an ellipsis.
func short(v []byte) string {
	r := []rune(string(v))
	if len(r) <= 2 {
		return "…"
	}
	return string(r[:2]) + "…"
}

// mask shows the first two characters of v and its length.
func mask(v []byte) string {
	s := string(v)
	r := []rune(s)
	if len(r) <= 2 {
		return fmt.Sprintf("%d characters", len(r))
	}
	return fmt.Sprintf("%q… %d characters", string(r[:2]), len(r))
}
