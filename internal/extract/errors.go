package extract

import (
	"fmt"
	"strings"

	"github.com/dcc/carport/internal/contract"
)

// DataError is a fatal problem with an extract: a missing or doubled file,
// a missing column, a broken header, or any bad row of parties.csv. The CLI
// maps it to exit code 2.
type DataError struct {
	File   string // path of the extract
	Line   int64  // 1-based line, 0 when the problem is the whole file
	Column string // column name, empty when the problem is not one column
	Msg    string // what is wrong, lowercase, no final period
	Hint   string // how to fix it, empty when there is no obvious fix
}

// Error returns `FILE:LINE: column "COL": MSG`, leaving out the line when
// it is 0 and the column part when there is no column.
func (e *DataError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q: ", e.Column)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// TooManyBadRowsError says that the bad rows of one file exceed the
// configured fraction of its rows. The CLI maps it to exit code 2.
type TooManyBadRowsError struct {
	Report    FileReport
	Threshold float64 // the MaxBadFraction applied, e.g. 0.001
}

// Error returns the count, the share and the threshold, then the examples,
// one per line, indented by two spaces.
func (e *TooManyBadRowsError) Error() string {
	r := e.Report
	var b strings.Builder
	share := 0.0
	if r.Rows > 0 {
		share = float64(r.Bad) / float64(r.Rows)
	}
	fmt.Fprintf(&b, "%s: %d of %d rows are bad (%.2f%%, threshold %.2f%%)",
		r.File, r.Bad, r.Rows, share*100, e.Threshold*100)
	for _, x := range r.Examples {
		b.WriteString("\n  ")
		b.WriteString(x)
	}
	return b.String()
}

// badRow is why one row was rejected. It is made only for bad rows, which
// are rare, so building its text may allocate.
type badRow struct {
	col   string // column name, empty for whole-row problems
	class string // short stable key for FileReport.ByReason
	msg   string // detail, without the column prefix
}

// text is the reason as shown in examples: `column "COL": MSG`.
func (b *badRow) text() string {
	if b.col == "" {
		return b.msg
	}
	return fmt.Sprintf("column %q: %s", b.col, b.msg)
}

// clip shortens a field for a message so one odd row cannot flood a report.
func clip(v []byte) string {
	const max = 40
	if len(v) > max {
		return string(v[:max]) + "..."
	}
	return string(v)
}

func errNull(col string) *badRow {
	return &badRow{col, "null in " + col, "empty value (not nullable)"}
}

func errTimestamp(col string, v []byte) *badRow {
	return &badRow{col, "bad timestamp in " + col, fmt.Sprintf("bad timestamp %q", clip(v))}
}

func errInteger(col string, v []byte) *badRow {
	return &badRow{col, "bad integer in " + col, fmt.Sprintf("bad integer %q", clip(v))}
}

func errBool(col string, v []byte) *badRow {
	return &badRow{col, "bad bool in " + col, fmt.Sprintf("bad bool %q (want true or false)", clip(v))}
}

func errDate(col string, v []byte) *badRow {
	return &badRow{col, "bad date in " + col, fmt.Sprintf("bad date %q (want YYYY-MM-DD)", clip(v))}
}

func errNegative(col string, n int64) *badRow {
	return &badRow{col, "negative " + col, fmt.Sprintf("negative value %d", n)}
}

func errRange(col string, n int64, lo, hi int) *badRow {
	return &badRow{col, "out of range in " + col, fmt.Sprintf("value %d out of range %d-%d", n, lo, hi)}
}

func errFieldCount(got, want int) *badRow {
	return &badRow{"", "wrong field count", fmt.Sprintf("wrong number of fields (got %d, want %d)", got, want)}
}

func errQuoting(msg string) *badRow {
	return &badRow{"", "bad quoting", msg}
}

func errUnknownParty(col string, id []byte, r contract.Role) *badRow {
	return &badRow{col, "unknown party", fmt.Sprintf("unknown party %q with role %s", clip(id), r)}
}

func errUTF8(col string, v []byte) *badRow {
	return &badRow{col, "invalid UTF-8 in " + col, fmt.Sprintf("invalid UTF-8 %q", clip(v))}
}
