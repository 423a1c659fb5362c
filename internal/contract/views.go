package contract

// The output contract's views: which kinds each dataset offers and the
// exact header of each kind's CSV. The engine computes every kind listed
// here (a test of the engine proves its dispatch table covers them), and
// compiling a definition checks every column it names against the header
// of its view's kind, so a definition that compiles asks only for what
// can be computed and shown.

import (
	"fmt"
	"slices"
	"strings"
)

// Dataset names the extract a report reads.
type Dataset string

// The datasets.
const (
	ServiceRequests Dataset = "service_requests"
	Alerts          Dataset = "alerts"
	Devices         Dataset = "devices"
)

// Datasets lists every dataset.
var Datasets = []Dataset{ServiceRequests, Alerts, Devices}

// ParseDataset returns the dataset named s.
func ParseDataset(s string) (Dataset, error) {
	if !slices.Contains(Datasets, Dataset(s)) {
		return "", fmt.Errorf("unknown dataset %q (want one of alerts, devices, service_requests)", s)
	}
	return Dataset(s), nil
}

// UnmarshalText accepts only a dataset of the contract.
func (d *Dataset) UnmarshalText(b []byte) error {
	x, err := ParseDataset(string(b))
	if err != nil {
		return err
	}
	*d = x
	return nil
}

// Dimensions lists the columns a dataset's events can be grouped by (the
// dimensions of failures, svp and breakdown views, and of insight rules).
func (d Dataset) Dimensions() []string {
	switch d {
	case ServiceRequests:
		return append([]string{"outcome", "response_code"}, Signifiers...)
	case Alerts:
		return append([]string{"outcome", "reason_code"}, Signifiers...)
	case Devices:
		return []string{"device_type", "device_manufacturer", "device_model", "firmware_version",
			"smets_version", "csp_id", "region", "commissioned_status", "prepayment"}
	}
	return nil
}

// ViewKind names what a view computes ("league", "daily", …). A kind is
// defined per dataset: "daily" of alerts is not "daily" of service
// requests (see Views).
type ViewKind string

// The view kinds.
const (
	League           ViewKind = "league"
	RTT              ViewKind = "rtt"
	Daily            ViewKind = "daily"
	Breakdown        ViewKind = "breakdown"
	Failures         ViewKind = "failures"
	SVP              ViewKind = "svp"
	Summary          ViewKind = "summary"
	ByDevice         ViewKind = "by_device"
	Followup         ViewKind = "followup"
	UnmatchedSummary ViewKind = "unmatched_summary"
	UnmatchedDevices ViewKind = "unmatched_devices"
	Models           ViewKind = "models"
	FirmwareShare    ViewKind = "firmware_share"
	Estate           ViewKind = "estate"
	Exceptions       ViewKind = "exceptions"
	// Trend and RTTTrend draw the month and the 12 before it from the
	// history (docs/history.md): views carport adds to the contract's.
	Trend    ViewKind = "trend"
	RTTTrend ViewKind = "rtt_trend"
)

// ParseViewKind returns the kind named s, a kind of any dataset.
func ParseViewKind(s string) (ViewKind, error) {
	for _, v := range Views {
		if string(v.Kind) == s {
			return v.Kind, nil
		}
	}
	return "", fmt.Errorf("unknown view kind %q", s)
}

// UnmarshalText accepts only a kind some dataset offers.
func (k *ViewKind) UnmarshalText(b []byte) error {
	x, err := ParseViewKind(string(b))
	if err != nil {
		return err
	}
	*k = x
	return nil
}

// View is one kind of view of one dataset.
type View struct {
	Dataset Dataset
	Kind    ViewKind
	// DefaultDims are the grouping columns of a kind whose definition may
	// choose them (failures, svp); nil for the others.
	DefaultDims []string
	// head is the header before or without the grouping columns, tail
	// the columns after them.
	head, tail []string
	// File is the name of a view delivered as a file rather than rows
	// (the estate's devices.csv.gz); "" for a view's own <id>.csv.
	File string
}

// Header is the view's CSV header for the grouping dimensions dims (nil:
// DefaultDims; ignored by kinds whose columns are fixed).
func (v View) Header(dims []string) []string {
	if v.DefaultDims == nil {
		return slices.Clone(v.head)
	}
	if len(dims) == 0 {
		dims = v.DefaultDims
	}
	return slices.Concat(v.head, dims, v.tail)
}

func (v View) String() string { return string(v.Kind) + " views of " + string(v.Dataset) }

var (
	// the service requests' and alerts' per-event figures, after the
	// scope, date or dimension columns
	srFigures = []string{"requests", "successes", "success_rate", "mean_rtt_ms"}
	alFigures = []string{"alerts", "delivered", "delivery_rate", "mean_delivery_ms"}
)

// EstateFlags are the columns the estate file adds to those of
// devices.csv: whether a device's CPL entry or certificates expire on or
// before the period's last day plus 30 (resp. 90) days.
var EstateFlags = []string{"cpl_expires_within_30_days", "cert_expires_within_90_days"}

// Views lists every view kind of every dataset, in the order the README
// documents them.
var Views = []View{
	{Dataset: ServiceRequests, Kind: League, head: []string{"rank", "party", "success_rate", "requests"}},
	{Dataset: ServiceRequests, Kind: RTT, head: []string{"scope", "requests", "best_ms", "worst_ms", "mean_ms", "median_ms", "p95_ms"}},
	{Dataset: ServiceRequests, Kind: Daily, head: slices.Concat([]string{"date"}, srFigures, []string{"industry_success_rate", "industry_mean_rtt_ms", "incidents"})},
	{Dataset: ServiceRequests, Kind: Breakdown, head: slices.Concat([]string{"dimension", "value"}, srFigures, []string{"industry_success_rate", "industry_mean_rtt_ms"})},
	{Dataset: ServiceRequests, Kind: Failures, DefaultDims: slices.Concat([]string{"response_code"}, Signifiers),
		tail: []string{"failures"}},
	{Dataset: ServiceRequests, Kind: SVP, DefaultDims: []string{"outcome", "response_code", "chf_manufacturer", "chf_model", "chf_variant", "chf_firmware",
		"device_type", "device_manufacturer", "device_model", "device_firmware", "region"},
		tail: []string{"requests", "mean_rtt_ms", "median_rtt_ms"}},
	{Dataset: ServiceRequests, Kind: Summary, head: slices.Concat([]string{"scope"}, srFigures, []string{"median_rtt_ms"})},
	{Dataset: ServiceRequests, Kind: Trend, head: []string{"month", "requests", "successes", "success_rate", "industry_success_rate", "rank", "ranked"}},
	{Dataset: ServiceRequests, Kind: RTTTrend, head: []string{"month", "requests", "median_ms", "industry_median_ms", "p95_ms", "industry_p95_ms"}},

	{Dataset: Alerts, Kind: Daily, head: slices.Concat([]string{"date"}, alFigures, []string{"industry_delivery_rate", "industry_mean_delivery_ms", "incidents"})},
	{Dataset: Alerts, Kind: Summary, head: slices.Concat([]string{"scope"}, alFigures, []string{"median_delivery_ms"})},
	{Dataset: Alerts, Kind: Breakdown, head: slices.Concat([]string{"dimension", "value"}, alFigures, []string{"industry_delivery_rate", "industry_mean_delivery_ms"})},
	{Dataset: Alerts, Kind: SVP, DefaultDims: []string{"outcome", "reason_code", "chf_manufacturer", "chf_model", "chf_variant", "chf_firmware",
		"device_type", "device_manufacturer", "device_model", "device_firmware", "region"},
		tail: []string{"alerts", "mean_delivery_ms"}},
	{Dataset: Alerts, Kind: ByDevice, head: []string{"device_manufacturer", "device_model", "device_firmware", "alerts"}},
	{Dataset: Alerts, Kind: Followup, head: []string{"energy_supplier_id", "n16", "met", "failed", "pending"}},
	{Dataset: Alerts, Kind: UnmatchedSummary, head: []string{"rule", "count"}},
	{Dataset: Alerts, Kind: UnmatchedDevices, head: []string{"rule", "device_id", "alert_id", "generated_at"}},
	{Dataset: Alerts, Kind: Trend, head: []string{"month", "alerts", "delivered", "delivery_rate", "industry_delivery_rate", "median_delivery_ms", "industry_median_delivery_ms"}},

	{Dataset: Devices, Kind: Models, head: []string{"device_type", "device_model", "firmware_version", "devices"}},
	{Dataset: Devices, Kind: FirmwareShare, head: []string{"device_model", "series", "firmware_version", "share"}},
	{Dataset: Devices, Kind: Estate, head: slices.Concat(DevicesFile.Header(), EstateFlags), File: "devices.csv.gz"},
	{Dataset: Devices, Kind: Exceptions, head: []string{"device_id", "device_type", "device_model", "firmware_version", "mpxn", "postcode", "reason"}},
	{Dataset: Devices, Kind: Trend, head: []string{"month", "device_type", "smets_version", "devices", "industry_devices"}},
}

// LookupView returns the view kind of dataset d, and false when d offers
// no such kind.
func LookupView(d Dataset, k ViewKind) (View, bool) {
	for _, v := range Views {
		if v.Dataset == d && v.Kind == k {
			return v, true
		}
	}
	return View{}, false
}

// Kinds lists the kinds dataset d offers, in the order of Views.
func Kinds(d Dataset) []ViewKind {
	var out []ViewKind
	for _, v := range Views {
		if v.Dataset == d {
			out = append(out, v.Kind)
		}
	}
	return out
}

// KindNames is Kinds as comma-separated text, for messages.
func KindNames(d Dataset) string {
	var b strings.Builder
	for i, k := range Kinds(d) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(k))
	}
	return b.String()
}

// BreakdownDims are the dimensions a breakdown view breaks down by, with
// their values in the contract's order: the seed's "meter type, Region
// and SMETS1/SMETS2".
var BreakdownDims = []struct {
	Name   string
	Values []string
}{{"device_type", DeviceTypes}, {"region", Regions}, {"smets_version", SMETSVersions}}

// UncataloguedAlertRoles are the roles that receive a report on an alert
// code the catalogue lacks (extracts.md: suppliers get every code they
// received; distributors only the seed's list).
var UncataloguedAlertRoles = []Role{IS, ES, GS}
