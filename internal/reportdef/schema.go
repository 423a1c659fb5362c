// Package reportdef decodes, validates and compiles the report definitions
// in reportdefs/: versioned TOML files that say what each report computes
// and shows, the catalogues they refer to (SRVs, alert codes, device types)
// and the disclosure policy.
//
// Decoding is strict: an unknown or mis-cased key, a bad enum, a bad
// semantic version, a dangling reference or a duplicate instance id is an
// error naming file, line and key, and every problem is reported at once.
// Later stages accept only the compiled types (Suite, Definition, Instance),
// never raw TOML.
package reportdef

// The definition schema beyond the contract's words: the datasets, view
// kinds, dimensions and headers a definition refers to are
// internal/contract's; this file lists the rest of what a definition may
// say (matrices, chart kinds, statuses, column formats, headline sources
// and call-out rules).

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dcc/carport/internal/contract"
)

// MatrixOver lists what a matrix may expand over, and the dataset it suits.
var MatrixOver = map[string]contract.Dataset{
	"srv":   contract.ServiceRequests,
	"alert": contract.Alerts,
}

// ChartKind is how a view is drawn.
type ChartKind string

// The chart kinds.
const (
	Bar   ChartKind = "bar"
	Line  ChartKind = "line"
	Table ChartKind = "table" // the table alone
)

// ChartKinds are the ways a view may be drawn.
var ChartKinds = []ChartKind{Bar, Line, Table}

// ParseChartKind returns the chart kind named s.
func ParseChartKind(s string) (ChartKind, error) {
	if !slices.Contains(ChartKinds, ChartKind(s)) {
		return "", fmt.Errorf("unknown chart kind %q (want one of bar, line, table)", s)
	}
	return ChartKind(s), nil
}

// UnmarshalText accepts only a chart kind of ChartKinds.
func (k *ChartKind) UnmarshalText(b []byte) error {
	x, err := ParseChartKind(string(b))
	if err != nil {
		return err
	}
	*k = x
	return nil
}

// Statuses of a definition: only published ones reach a party's site.
var Statuses = []string{"draft", "published", "archived"}

// ColumnFormats say how the site shows a column's cells (the CSV keeps
// them exactly as the contract writes them): text as it is, percent a
// fraction as a percentage to one decimal, count and ms whole numbers
// with thousands separators, number a decimal, rank a league position,
// date a calendar day, datetime an instant shown in UK time.
var ColumnFormats = []string{"text", "percent", "count", "ms", "number", "rank", "date", "datetime"}

// Betters say which way a column is better: a higher success rate, a
// lower round trip time. Empty means neither (a count, a label).
var Betters = []string{"higher", "lower"}

// HeadlineFroms say how a headline figure is read from a view's rows:
// scope takes the column from the rows "you" and "industry" of a scope
// column, sum adds the column over every row, distinct counts the
// distinct values of the column.
var HeadlineFroms = []string{"scope", "sum", "distinct"}

// InsightRules lists the home page's call-out rules and the view kinds
// each reads. Thresholds are the policy's [insights] table.
//
//   - bottom_quartile: the recipient's league rank is in the bottom
//     quarter (policy bottom_quartile) of the parties ranked.
//   - behind_industry: the recipient's figure in column trails industry's
//     by at least behind_industry_points (percent columns) or is at least
//     behind_industry_ratio times industry's (times).
//   - segment_failures: one value of a dimension (a model, a model's
//     firmware, a region) fails at least segment_failure_ratio times as
//     often as the recipient's average in the view.
var InsightRules = map[string][]contract.ViewKind{
	"bottom_quartile":  {contract.League},
	"behind_industry":  {contract.Summary, contract.RTT},
	"segment_failures": {contract.SVP},
}

// kindList joins view kinds for messages.
func kindList(ks []contract.ViewKind, sep string) string {
	ss := make([]string, len(ks))
	for i, k := range ks {
		ss[i] = string(k)
	}
	return strings.Join(ss, sep)
}
