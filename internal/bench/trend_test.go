package bench

import (
	"strings"
	"testing"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/history"
)

// hdr is the contract's header of a trend kind.
func hdr(d contract.Dataset, k contract.ViewKind) []string {
	v, _ := contract.LookupView(d, k)
	return v.Header(nil)
}

func p64(n int64) *int64 { return &n }

// srMonth is a month's srvs-all figures for SUPA in IS.
func srMonth(period string, req, ok, indReq, indOK int64, peers, rank int, median int64) *history.Entry {
	r := history.Report{ID: "srvs-all", Version: "1.0.0",
		Requests: &history.Requests{You: history.Outcomes{Requests: req, Successes: ok}, Peers: peers},
		Times:    &history.Times{You: history.Durations{Requests: req, MedianMS: p64(median), P95MS: p64(median * 4)}, Peers: peers}}
	if peers >= 5 {
		r.Requests.Industry = &history.Outcomes{Requests: indReq, Successes: indOK}
		r.Requests.Rank, r.Requests.Ranked = rank, peers+1
		r.Times.Industry = &history.Durations{Requests: indReq, MedianMS: p64(median + 100), P95MS: p64(median * 5)}
	}
	return &history.Entry{Format: history.Format, Version: history.FormatVersion, Period: period, MinPeers: 5,
		Parties: []history.Party{{ID: "SUPA", Roles: []history.Role{{Role: "IS", Reports: []history.Report{r}}}}}}
}

// TestTrendRowsGapsAndDisclosure: rows start at the first month with
// figures; a month without figures is a row of empty cells; industry
// cells only where the month had enough peers for this build's k.
func TestTrendRowsGapsAndDisclosure(t *testing.T) {
	months, _ := history.Before("2026-10", 12)
	window := make([]*history.Entry, 12)
	window[8] = srMonth("2026-06", 100, 90, 1000, 950, 6, 3, 700) // 6 peers
	// 2026-07: not built (a gap)
	window[10] = srMonth("2026-08", 200, 150, 2000, 1900, 4, 0, 900) // 4 peers: withheld then
	window[11] = srMonth("2026-09", 80, 80, 900, 890, 5, 1, 650)     // 5 peers
	cur := srMonth("2026-10", 50, 49, 1000, 990, 7, 2, 600).Parties[0].Roles[0].Reports[0]

	pts := trendPoints(window, months, "SUPA", "IS", "srvs-all", "2026-10", &cur)
	wantCSV(t, "trend.csv", ViewOut{Header: hdr(contract.ServiceRequests, contract.Trend), Rows: requestsTrend(pts, 5).rows}, `
month,requests,successes,success_rate,industry_success_rate,rank,ranked
2026-06,100,90,0.900000,0.950000,3,7
2026-07,,,,,,
2026-08,200,150,0.750000,,,
2026-09,80,80,1.000000,0.988889,1,6
2026-10,50,49,0.980000,0.990000,2,8`)

	if tt := requestsTrend(pts, 5); !strings.HasPrefix(tt.withheld, "Industry figures withheld for 1 month: fewer than 5") {
		t.Errorf("the withheld note says %q", tt.withheld)
	}
	// a stricter k hides the months that had fewer peers
	strict := requestsTrend(pts, 6)
	wantCSV(t, "trend.csv with k = 6", ViewOut{Header: hdr(contract.ServiceRequests, contract.Trend), Rows: strict.rows}, `
month,requests,successes,success_rate,industry_success_rate,rank,ranked
2026-06,100,90,0.900000,0.950000,3,7
2026-07,,,,,,
2026-08,200,150,0.750000,,,
2026-09,80,80,1.000000,,,
2026-10,50,49,0.980000,0.990000,2,8`)

	rt := rttTrend(pts, 5)
	wantCSV(t, "rtt-trend.csv", ViewOut{Header: hdr(contract.ServiceRequests, contract.RTTTrend), Rows: rt.rows}, `
month,requests,median_ms,industry_median_ms,p95_ms,industry_p95_ms
2026-06,100,700,800,2800,3500
2026-07,,,,,
2026-08,200,900,,3600,
2026-09,80,650,750,2600,3250
2026-10,50,600,700,2400,3000`)

	// another party's figures are never the recipient's: SUPB has none
	other := trendPoints(window, months, "SUPB", "IS", "srvs-all", "2026-10", nil)
	if len(other) != 1 || other[0].fig != nil || other[0].month != "2026-10" {
		t.Fatalf("SUPB's points: %+v", other)
	}
	// the first month of the party's report: one point
	first := trendPoints(make([]*history.Entry, 12), months, "SUPA", "IS", "srvs-all", "2026-10", &cur)
	if tt := requestsTrend(first, 5); len(tt.rows) != 1 || tt.rows[0][0] != "2026-10" {
		t.Fatalf("a first month's trend: %v", tt.rows)
	}
}

func TestAlertAndEstateTrends(t *testing.T) {
	entry := func(period string, segs []history.Segment, alerts, delivered int64, peers int) *history.Entry {
		d := &history.Delivery{You: history.Deliveries{Alerts: alerts, Delivered: delivered, MedianDeliveryMS: p64(4000)}, Peers: peers}
		if peers >= 5 {
			d.Industry = &history.Deliveries{Alerts: alerts * 10, Delivered: delivered*10 - 5, MedianDeliveryMS: p64(3900)}
		}
		return &history.Entry{Format: history.Format, Version: history.FormatVersion, Period: period, MinPeers: 5,
			Parties: []history.Party{{ID: "SUPA", Roles: []history.Role{{Role: "GS", Reports: []history.Report{
				{ID: "alerts-all", Delivery: d},
				{ID: "inventory", Estate: &history.Estate{Segments: segs}},
			}}}}}}
	}
	months, _ := history.Before("2026-10", 12)
	window := make([]*history.Entry, 12)
	window[10] = entry("2026-08", []history.Segment{
		{DeviceType: "GSME", SMETSVersion: "SMETS1", Devices: 10, Peers: 2},
		{DeviceType: "GSME", SMETSVersion: "SMETS2", Devices: 90, IndustryDevices: p64(900), Peers: 6},
	}, 100, 98, 6)
	cur := entry("2026-10", []history.Segment{
		{DeviceType: "GSME", SMETSVersion: "SMETS2", Devices: 99, IndustryDevices: p64(1000), Peers: 6},
		{DeviceType: "GPF", SMETSVersion: "SMETS2", Devices: 5, Peers: 1},
	}, 50, 50, 3).Parties[0].Roles[0]

	al := alertsTrend(trendPoints(window, months, "SUPA", "GS", "alerts-all", "2026-10", &cur.Reports[0]), 5)
	wantCSV(t, "alerts trend.csv", ViewOut{Header: hdr(contract.Alerts, contract.Trend), Rows: al.rows}, `
month,alerts,delivered,delivery_rate,industry_delivery_rate,median_delivery_ms,industry_median_delivery_ms
2026-08,100,98,0.980000,0.975000,4000,3900
2026-09,,,,,,
2026-10,50,50,1.000000,,4000,`)

	es := estateTrend(trendPoints(window, months, "SUPA", "GS", "inventory", "2026-10", &cur.Reports[1]), 5)
	wantCSV(t, "inventory trend.csv", ViewOut{Header: hdr(contract.Devices, contract.Trend), Rows: es.rows}, `
month,device_type,smets_version,devices,industry_devices
2026-08,GPF,SMETS2,0,
2026-08,GSME,SMETS1,10,
2026-08,GSME,SMETS2,90,900
2026-09,GPF,SMETS2,,
2026-09,GSME,SMETS1,,
2026-09,GSME,SMETS2,,
2026-10,GPF,SMETS2,5,
2026-10,GSME,SMETS1,0,
2026-10,GSME,SMETS2,99,1000`)
}
