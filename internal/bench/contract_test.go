package bench

// Contract v1.1 (outputs.md) on hand-built months with the odd cases a
// synthetic month never has: codes the catalogue lacks, codes received by
// only some parties, counterparties, exact fractions that would reveal a
// peer's volume, null device ids, formula cells.

import (
	"slices"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/contract"
)

// reportIDs lists the report instance ids a party gets in role.
func reportIDs(pr *PartyReport, role contract.Role) []string {
	var ids []string
	for _, rr := range pr.Roles {
		if rr.Role == role {
			for _, r := range rr.Reports {
				ids = append(ids, r.Instance.ID)
			}
		}
	}
	return ids
}

// six suppliers in IS, so that SUPA has k = 5 peers
func sixSuppliers(f *fixture) {
	f.party("SUPA", "Alpha Energy", "IS", "ES")
	for _, p := range []string{"SUPB", "SUPC", "SUPD", "SUPE", "SUPF"} {
		f.party(p, "Supplier "+p[3:], "IS")
	}
	f.party("DNOA", "Delta Networks", "ED")
}

func TestUncataloguedCodesAreReported(t *testing.T) {
	f := newFixture(t)
	sixSuppliers(f)
	// N24 and SRV 9.9.9 are not in the catalogue; 8F0C is
	for _, p := range []string{"SUPA", "SUPB", "SUPC", "SUPD", "SUPE", "SUPF"} {
		f.alertAt(p, "IS", "8F0C", "D1", "2026-10-03T10:00:00Z", "2026-10-03T10:00:01Z", "")
		f.alertAt(p, "IS", "N24", "D1", "2026-10-03T11:00:00Z", "2026-10-03T11:00:02Z", "")
		f.sr(p, "IS", "9.9.9", "2026-10-02T12:00:00Z", "400", "success", "I0")
	}
	f.alertAt("SUPA", "IS", "N24", "D1", "2026-10-03T12:00:00Z", "", "R1")
	f.sr("SUPA", "IS", "9.9.9", "2026-10-02T13:00:00Z", "", "failure", "E5")
	f.alertAt("DNOA", "ED", "N24", "D1", "2026-10-03T11:00:00Z", "2026-10-03T11:00:02Z", "") // not in the ED subset
	e := f.run()

	wantGaps := []Gap{{contract.ServiceRequests, "9.9.9", 7}, {contract.Alerts, "N24", 8}}
	if !slices.Equal(e.Gaps, wantGaps) {
		t.Errorf("gaps = %+v, want %+v", e.Gaps, wantGaps)
	}
	a, err := e.Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	ids := reportIDs(a, contract.IS)
	for _, want := range []string{"srv-9.9.9", "alert-N24", "alert-8F0C", "alerts-all"} {
		if !slices.Contains(ids, want) {
			t.Errorf("SUPA's IS reports %v lack %s", ids, want)
		}
	}
	srv := findReport(t, a, contract.IS, "srv-9.9.9")
	al := findReport(t, a, contract.IS, "alert-N24")
	if srv.Instance.Title != "SRV 9.9.9 (not in the catalogue)" || al.Instance.Title != "Alert N24 (not in the catalogue)" {
		t.Errorf("titles %q, %q", srv.Instance.Title, al.Instance.Title)
	}
	wantCSV(t, "srv-9.9.9 rtt", findView(t, srv, "rtt"), `
scope,requests,best_ms,worst_ms,mean_ms,median_ms,p95_ms
you,1,400,400,400,400,400
industry,6,400,400,400,400,400`)
	wantCSV(t, "alert-N24 summary", findView(t, al, "summary"), `
scope,alerts,delivered,delivery_rate,mean_delivery_ms,median_delivery_ms
you,2,1,0.500000,2000,2000
industry,7,6,0.857143,2000,2000`)
	// alerts-all counts N24 too: SUPA 3 alerts (one 8F0C, two N24)
	wantCSV(t, "alerts-all summary", findView(t, findReport(t, a, contract.IS, "alerts-all"), "summary"), `
scope,alerts,delivered,delivery_rate,mean_delivery_ms,median_delivery_ms
you,3,2,0.666667,1500,1000
industry,13,12,0.923077,1500,1000`)
	// a distributor gets only the seed's subset: no N24 report, no total
	d, err := e.Party("DNOA")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range reportIDs(d, contract.ED) {
		if id == "alert-N24" || id == "alerts-all" {
			t.Errorf("the distributor got %s", id)
		}
	}
}

func TestSRVOfAnIneligibleRoleIsReported(t *testing.T) {
	// the catalogue lists 4.1.1 for IS, GS, ED and GT; an export supplier
	// that sends it (and is refused) still gets its report
	f := newFixture(t)
	sixSuppliers(f)
	f.sr("SUPA", "ES", "4.1.1", "2026-10-02T12:00:00Z", "100", "failure", "E5")
	a, err := f.run().Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	wantCSV(t, "ES league", findView(t, findReport(t, a, contract.ES, "srv-4.1.1"), "league"), `
rank,party,success_rate,requests
,Alpha Energy,0.000000,1`)
}

func TestAlertIndustryIsLikeForLike(t *testing.T) {
	f := newFixture(t)
	f.party("SUPA", "Alpha Energy", "IS")
	for _, p := range []string{"SUPB", "SUPC", "SUPD", "SUPE", "SUPF"} {
		f.party(p, "Supplier "+p[3:], "IS")
	}
	for i, p := range []string{"DNOA", "DNOB", "DNOC", "DNOD", "DNOE", "DNOF"} {
		f.party(p, "Networks "+p[3:], "ED")
		// every distributor gets one delivered AD1; DNOA alone also gets
		// N13s, all failed
		f.alertAt(p, "ED", "AD1", "D"+itoa(int64(i)), "2026-10-04T10:00:00Z", "2026-10-04T10:00:01Z", "")
	}
	f.alertAt("DNOA", "ED", "N13", "D9", "2026-10-04T11:00:00Z", "", "R1")
	f.alertAt("DNOA", "ED", "N13", "D9", "2026-10-04T12:00:00Z", "", "R1")
	// suppliers: all get 8F0C; SUPB alone gets 8F35, failed
	for _, p := range []string{"SUPA", "SUPB", "SUPC", "SUPD", "SUPE", "SUPF"} {
		f.alertAt(p, "IS", "8F0C", "D1", "2026-10-05T10:00:00Z", "2026-10-05T10:00:00.500Z", "")
	}
	f.alertAt("SUPB", "IS", "8F35", "D1", "2026-10-05T11:00:00Z", "", "R1")
	e := f.run()

	// DNOB received AD1 only: its industry pools the six AD1s, not DNOA's N13s
	b, err := e.Party("DNOB")
	if err != nil {
		t.Fatal(err)
	}
	all := findReport(t, b, contract.ED, "alerts-all")
	wantCSV(t, "DNOB alerts-all summary", findView(t, all, "summary"), `
scope,alerts,delivered,delivery_rate,mean_delivery_ms,median_delivery_ms
you,1,1,1.000000,1000,1000
industry,6,6,1.000000,1000,1000`)
	wantCSV(t, "DNOB alerts-all daily", findView(t, all, "daily"), `
date,alerts,delivered,delivery_rate,mean_delivery_ms,industry_delivery_rate,industry_mean_delivery_ms,incidents
2026-10-04,1,1,1.000000,1000,1.000000,1000,`)
	// DNOA received AD1 and N13: its industry pools both over everyone
	a, err := e.Party("DNOA")
	if err != nil {
		t.Fatal(err)
	}
	wantCSV(t, "DNOA alerts-all summary", findView(t, findReport(t, a, contract.ED, "alerts-all"), "summary"), `
scope,alerts,delivered,delivery_rate,mean_delivery_ms,median_delivery_ms
you,3,1,0.333333,1000,1000
industry,8,6,0.750000,1000,1000`)
	// the same for suppliers: SUPA's industry leaves out SUPB's 8F35
	s, err := e.Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	wantCSV(t, "SUPA alerts-all summary", findView(t, findReport(t, s, contract.IS, "alerts-all"), "summary"), `
scope,alerts,delivered,delivery_rate,mean_delivery_ms,median_delivery_ms
you,1,1,1.000000,500,500
industry,6,6,1.000000,500,500`)
}

func TestCounterpartiesAreNamedByID(t *testing.T) {
	e := month(t).run()
	d, err := e.Party("DNOA")
	if err != nil {
		t.Fatal(err)
	}
	// month's N16s: D5 (SUPA) met, D6 (SUPA) failed, D7 (SUPB) failed, D8 (SUPB) pending
	wantCSV(t, "by-supplier", findView(t, findReport(t, d, contract.ED, "n16-n42"), "by-supplier"), `
energy_supplier_id,n16,met,failed,pending
SUPA,2,1,1,0
SUPB,2,0,1,1`)
	a, err := e.Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	text := gunzip(t, findView(t, findReport(t, a, contract.IS, "inventory"), "devices").File)
	// SUPA's meter DEV1 names its distributor DNOA; the shared hub DEV2
	// names SUPB, its gas supplier; names never appear
	for _, want := range []string{
		"00-00-00-00-00-00-00-01,S01,ESME,MakerA,M1,F1,SMETS2,CSP-N,North,SUPA,,,DNOA,",
		"00-00-00-00-00-00-00-02,S02,CHF,MakerA,H1,F9,SMETS2,CSP-N,North,SUPA,,SUPB,,",
	} {
		if !strings.Contains(text, "\n"+want) {
			t.Errorf("SUPA's estate lacks a row starting %q:\n%s", want, text)
		}
	}
	for _, name := range []string{"Alpha Energy", "Supplier B", "Delta Networks"} {
		if strings.Contains(text, name) {
			t.Errorf("SUPA's estate names %q", name)
		}
	}
}

func TestNullDeviceFollowUps(t *testing.T) {
	f := newFixture(t)
	sixSuppliers(f)
	// an N16 and an AD1 without a device: counted, never matched
	f.alert("DNOA", "ED", "N16", "", "SUPB", "2026-10-02T10:00:00Z")
	f.alert("DNOA", "ED", "N42", "", "SUPB", "2026-10-03T10:00:00Z")
	f.alert("DNOA", "ED", "AD1", "", "SUPB", "2026-10-04T10:00:00Z")
	f.alert("DNOA", "ED", "8F35", "", "SUPB", "2026-10-04T11:00:00Z")
	f.alert("DNOA", "ED", "8F0C", "D9", "", "2026-11-03T00:00:00Z") // sets the cover end
	d, err := f.run().Party("DNOA")
	if err != nil {
		t.Fatal(err)
	}
	wantCSV(t, "by-supplier", findView(t, findReport(t, d, contract.ED, "n16-n42"), "by-supplier"), `
energy_supplier_id,n16,met,failed,pending
SUPB,1,0,1,0`)
	wantCSV(t, "unmatched summary", findView(t, findReport(t, d, contract.ED, "outage-unmatched"), "summary"), `
rule,count
AD1 without 8F35,1
AD1 without 8F36,1
8F35 without AD1,1
8F36 without AD1,0`)
}

func TestPeerFiguresAreRounded(t *testing.T) {
	f := newFixture(t)
	sixSuppliers(f)
	// SUPA 2 of 3 (0.666667, its own row keeps full precision); SUPB 3 of 7
	// (0.428571 would reveal 7 requests); others 1 of 1, 1 of 2, 1 of 3, 0 of 1
	add := func(p string, ok, fail int) {
		for range ok {
			f.sr(p, "IS", "4.1.1", "2026-10-01T12:00:00Z", "100", "success", "I0")
		}
		for range fail {
			f.sr(p, "IS", "4.1.1", "2026-10-01T12:00:00Z", "100", "failure", "E21")
		}
	}
	add("SUPA", 2, 1)
	add("SUPB", 3, 4)
	add("SUPC", 1, 0)
	add("SUPD", 1, 1)
	add("SUPE", 1, 2)
	add("SUPF", 0, 1)
	// firmware: SUPA's M1 2 of 3 on F1; five peers with one to three M1s
	dev := 0
	device := func(p, fw string) {
		dev++
		f.device("00-00-00-00-00-00-0"+string(rune('A'+dev/16))+"-"+string("0123456789ABCDEF"[dev%16])+"0", "ESME", "M1", fw, p, "", "", "", "")
	}
	for _, x := range []struct{ p, fws string }{
		{"SUPA", "F1 F1 F2"}, {"SUPB", "F1 F2 F2"}, {"SUPC", "F1"}, {"SUPD", "F2"}, {"SUPE", "F1 F2"}, {"SUPF", "F1 F1 F1"},
	} {
		for _, fw := range strings.Fields(x.fws) {
			device(x.p, fw)
		}
	}
	a, err := f.run().Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	wantCSV(t, "league", findView(t, findReport(t, a, contract.IS, "srv-4.1.1"), "league"), `
rank,party,success_rate,requests
1,,1.000000,
2,Alpha Energy,0.666667,3
3,,0.500000,
4,,0.429000,
5,,0.333000,
6,,0.000000,`)
	// industry M1: 13 devices, F1 8/13 = 0.615385, F2 5/13 = 0.384615
	wantCSV(t, "firmware-share", findView(t, findReport(t, a, contract.IS, "inventory"), "firmware-share"), `
device_model,series,firmware_version,share
M1,you,F1,0.666667
M1,you,F2,0.333333
M1,industry,F1,0.615385
M1,industry,F2,0.384615
M1,peer 1,F1,0.333000
M1,peer 1,F2,0.667000
M1,peer 2,F1,0.500000
M1,peer 2,F2,0.500000
M1,peer 3,F1,1.000000
M1,peer 4,F1,1.000000
M1,peer 5,F2,1.000000`)
}

func TestPeerRate(t *testing.T) {
	for _, tt := range []struct {
		ok, n int64
		want  float64
	}{{3, 7, 0.429}, {1, 3, 0.333}, {2, 3, 0.667}, {1, 2000, 0.001}, {1, 2001, 0}, {5, 8, 0.625}, {1, 16, 0.063},
		{0, 5, 0}, {5, 5, 1}, {0, 0, 0}, {999999, 1000000, 1}} {
		if got := PeerRate(tt.ok, tt.n); got != tt.want {
			t.Errorf("PeerRate(%d, %d) = %v, want %v", tt.ok, tt.n, got, tt.want)
		}
	}
}

func TestDeliveryTimeFromTimestamps(t *testing.T) {
	// delivery time is delivered_at - generated_at, over alerts that have a
	// delivered_at (as rtt_ms over requests that have one), whatever the
	// outcome says
	f := newFixture(t)
	sixSuppliers(f)
	f.alertAt("SUPA", "IS", "8F0C", "D1", "2026-10-03T10:00:00Z", "2026-10-03T10:00:01Z", "")
	f.alerts = append(f.alerts, "AX,SUPA,IS,8F0C,device,D1,,2026-10-03T11:00:00Z,2026-10-03T11:00:03Z,failed,R9,North,SMETS2,ESME,MakerA,ModelA,1.0,HubCo,Hub1,dual-band,9.1")
	a, err := f.run().Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	wantCSV(t, "summary", findView(t, findReport(t, a, contract.IS, "alert-8F0C"), "summary"), `
scope,alerts,delivered,delivery_rate,mean_delivery_ms,median_delivery_ms
you,2,1,0.500000,2000,1000
industry,,,,,`)
}
