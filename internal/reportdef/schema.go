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

// The schema: what datasets exist, which dimensions each offers, and which
// view kinds each supports. The engine implements every kind listed here
// (a test in the engine checks that), so a definition can only ask for
// what can be computed.

// Dataset names an extract a report reads.
type Dataset string

// The datasets.
const (
	ServiceRequests Dataset = "service_requests"
	Alerts          Dataset = "alerts"
	Devices         Dataset = "devices"
)

// signifiers are the dimensions shared by service requests and alerts.
var signifiers = []string{
	"region", "smets_version", "device_type", "device_manufacturer", "device_model",
	"device_firmware", "chf_manufacturer", "chf_model", "chf_variant", "chf_firmware",
}

// Dimensions lists the breakdown dimensions of each dataset.
var Dimensions = map[Dataset][]string{
	ServiceRequests: append([]string{"outcome", "response_code"}, signifiers...),
	Alerts:          append([]string{"outcome", "reason_code"}, signifiers...),
	Devices: {"device_type", "device_manufacturer", "device_model", "firmware_version",
		"smets_version", "csp_id", "region", "commissioned_status", "prepayment"},
}

// Kinds lists the view kinds each dataset supports.
var Kinds = map[Dataset][]string{
	ServiceRequests: {"league", "rtt", "daily", "breakdown", "failures", "svp", "summary"},
	Alerts:          {"daily", "summary", "breakdown", "svp", "by_device", "followup", "unmatched_summary", "unmatched_devices"},
	Devices:         {"models", "firmware_share", "estate", "exceptions"},
}

// BreakdownDims are the dimensions a breakdown view may use: the seed's
// "meter type, Region and SMETS1/SMETS2".
var BreakdownDims = []string{"device_type", "region", "smets_version"}

// MatrixOver lists what a matrix may expand over, and the dataset it suits.
var MatrixOver = map[string]Dataset{
	"srv":   ServiceRequests,
	"alert": Alerts,
}

// ChartKinds are the ways a view may be drawn.
var ChartKinds = []string{"bar", "line", "table"}

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
var InsightRules = map[string][]string{
	"bottom_quartile":  {"league"},
	"behind_industry":  {"summary", "rtt"},
	"segment_failures": {"svp"},
}
