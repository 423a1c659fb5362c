package bench

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/reportdef"
)

// A hand-built month (2026-10, the 25-hour clock-change month) whose
// expected figures are worked out by hand in the comments of each test.

var srCols = []string{"request_id", "party_id", "user_role", "srv", "command_variant", "submitted_at", "rtt_ms", "outcome",
	"response_code", "region", "smets_version", "device_type", "device_manufacturer", "device_model", "device_firmware",
	"chf_manufacturer", "chf_model", "chf_variant", "chf_firmware"}

var alertCols = []string{"alert_id", "party_id", "user_role", "alert_code", "alert_source", "device_id", "energy_supplier_id",
	"generated_at", "delivered_at", "outcome", "reason_code", "region", "smets_version", "device_type", "device_manufacturer",
	"device_model", "device_firmware", "chf_manufacturer", "chf_model", "chf_variant", "chf_firmware"}

type fixture struct {
	t                                     *testing.T
	parties, srs, alerts, devices, incids []string
	n                                     int
}

func newFixture(t *testing.T) *fixture {
	return &fixture{t: t}
}

func (f *fixture) party(id, name string, roles ...string) {
	for _, r := range roles {
		f.parties = append(f.parties, id+","+name+","+r+",")
	}
}

// sr adds a service request: rtt "" is null.
func (f *fixture) sr(party, role, srv, at, rtt, outcome, code string) {
	f.n++
	f.srs = append(f.srs, strings.Join([]string{"R" + itoa(int64(f.n)), party, role, srv, "", at, rtt, outcome, code,
		"North", "SMETS2", "ESME", "MakerA", "ModelA", "1.0", "HubCo", "Hub1", "dual-band", "9.1"}, ","))
}

func (f *fixture) alert(party, role, code, device, supplier, at string) {
	f.n++
	src := "device"
	if code[0] == 'A' || code[0] == 'N' {
		src = "dcc"
	}
	f.alerts = append(f.alerts, strings.Join([]string{"A" + itoa(int64(f.n)), party, role, code, src, device, supplier, at, at,
		"delivered", "", "North", "SMETS2", "ESME", "MakerA", "ModelA", "1.0", "HubCo", "Hub1", "dual-band", "9.1"}, ","))
}

// alertAt adds an alert with its own delivery: delivered "" is a failed
// delivery with reason.
func (f *fixture) alertAt(party, role, code, device, at, delivered, reason string) {
	f.n++
	src, outcome := "device", "delivered"
	if code[0] == 'A' || code[0] == 'N' {
		src = "dcc"
	}
	if delivered == "" {
		outcome = "failed"
	}
	f.alerts = append(f.alerts, strings.Join([]string{"A" + itoa(int64(f.n)), party, role, code, src, device, "", at, delivered,
		outcome, reason, "North", "SMETS2", "ESME", "MakerA", "ModelA", "1.0", "HubCo", "Hub1", "dual-band", "9.1"}, ","))
}

func (f *fixture) device(id, typ, model, fw, imp, gas, dno, cpl, cert string) {
	row := map[string]string{"device_id": id, "sms_id": "S" + id[len(id)-2:], "device_type": typ, "device_manufacturer": "MakerA",
		"device_model": model, "firmware_version": fw, "smets_version": "SMETS2", "csp_id": "CSP-N", "region": "North",
		"import_supplier_id": imp, "gas_supplier_id": gas, "dno_id": dno, "mpxn": "1234567890123", "postcode": "AB1 2CD",
		"commissioned_status": "Commissioned", "outage_alert_count": "0", "prepayment": "false",
		"cpl_expiry_date": cpl, "cert_expiry_date": cert}
	cells := make([]string, len(contract.DevicesFile.Columns))
	for i, c := range contract.DevicesFile.Header() {
		cells[i] = row[c]
	}
	f.devices = append(f.devices, strings.Join(cells, ","))
}

func (f *fixture) write() string {
	dir := f.t.TempDir()
	files := map[string][]string{
		"parties.csv":          append([]string{"party_id,party_name,user_role,contact_email"}, f.parties...),
		"service_requests.csv": append([]string{strings.Join(srCols, ",")}, f.srs...),
		"alerts.csv":           append([]string{strings.Join(alertCols, ",")}, f.alerts...),
		"devices.csv":          append([]string{strings.Join(contract.DevicesFile.Header(), ",")}, f.devices...),
		"incidents.csv":        append([]string{"incident_id,category,start_at,end_at,regions,title"}, f.incids...),
	}
	for name, lines := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			f.t.Fatal(err)
		}
	}
	return dir
}

func (f *fixture) run() *Engine {
	suite, err := reportdef.Load("../../reportdefs")
	if err != nil {
		f.t.Fatal(err)
	}
	period, _ := contract.ParsePeriod("2026-10")
	e, err := Run(Config{Suite: suite, Extracts: f.write(), Period: period, StageDir: f.t.TempDir(), Workers: 2})
	if err != nil {
		f.t.Fatalf("Run: %v", err)
	}
	return e
}

// month builds the shared scenario.
func month(t *testing.T) *fixture {
	f := newFixture(t)
	f.party("SUPA", "Alpha Energy", "IS", "GS")
	for _, p := range []string{"SUPB", "SUPC", "SUPD", "SUPE"} {
		f.party(p, "Supplier "+p[3:], "IS", "GS")
	}
	f.party("SUPF", "Foxtrot Power", "IS") // IS: 6 parties (5 peers); GS: 5 parties (4 peers)
	f.party("DNOA", "Delta Networks", "ED")

	// SUPA in IS, 4.1.1:
	f.sr("SUPA", "IS", "4.1.1", "2026-09-30T22:30:00Z", "50", "success", "I0")  // 23:30 BST 30 Sep: outside
	f.sr("SUPA", "IS", "4.1.1", "2026-09-30T23:30:00Z", "100", "success", "I0") // 00:30 BST 1 Oct: inside
	f.sr("SUPA", "IS", "4.1.1", "2026-10-01T10:00:00Z", "100", "success", "I0")
	f.sr("SUPA", "IS", "4.1.1", "2026-10-01T11:00:00+01:00", "200", "failure", "E21")
	f.sr("SUPA", "IS", "4.1.1", "2026-10-24T23:30:00Z", "300", "success", "I0") // 00:30 BST 25 Oct
	f.sr("SUPA", "IS", "4.1.1", "2026-10-25T23:30:00Z", "", "failure", "E20")   // 23:30 GMT 25 Oct
	// peers, all on 1 October, rtt 1000: rates 1.0, 0.5, 0.25, 1.0, 0.0
	peer := func(p string, ok, fail int) {
		for i := 0; i < ok; i++ {
			f.sr(p, "IS", "4.1.1", "2026-10-01T12:00:00Z", "1000", "success", "I0")
		}
		for i := 0; i < fail; i++ {
			f.sr(p, "IS", "4.1.1", "2026-10-01T12:00:00Z", "1000", "failure", "E21")
		}
	}
	peer("SUPB", 2, 0)
	peer("SUPC", 1, 1)
	peer("SUPD", 1, 3)
	peer("SUPE", 1, 0)
	peer("SUPF", 0, 1)
	// GS: SUPA and four peers, one request each
	for _, p := range []string{"SUPA", "SUPB", "SUPC", "SUPD", "SUPE"} {
		f.sr(p, "GS", "4.1.1", "2026-10-02T12:00:00Z", "500", "success", "I0")
	}
	f.incids = append(f.incids, "INC0001,1,2026-10-25T10:00:00Z,2026-10-25T12:00:00Z,North,Hub outage")

	// DNOA alerts
	f.alert("DNOA", "ED", "AD1", "D1", "SUPA", "2026-10-10T10:00:00Z")
	f.alert("DNOA", "ED", "8F35", "D1", "SUPA", "2026-10-11T11:00:00Z") // 25 h later: no match either way
	f.alert("DNOA", "ED", "8F36", "D2", "SUPA", "2026-10-12T10:00:00Z") // no AD1 at all
	f.alert("DNOA", "ED", "AD1", "D3", "SUPA", "2026-10-31T23:30:00Z")  // last half hour of the period
	f.alert("DNOA", "ED", "AD1", "D4", "SUPA", "2026-10-05T10:00:00Z")
	f.alert("DNOA", "ED", "8F35", "D4", "SUPA", "2026-10-05T12:00:00Z")
	f.alert("DNOA", "ED", "8F36", "D4", "SUPA", "2026-10-06T10:00:00Z") // exactly 24 h: matched
	f.alert("DNOA", "ED", "N16", "D5", "SUPA", "2026-10-02T10:00:00Z")
	f.alert("DNOA", "ED", "N42", "D5", "SUPA", "2026-10-05T10:00:00Z") // met
	f.alert("DNOA", "ED", "N16", "D6", "SUPA", "2026-10-03T10:00:00Z")
	f.alert("DNOA", "ED", "N42", "D6", "SUPA", "2026-10-11T10:00:00Z")  // 8 days: failed
	f.alert("DNOA", "ED", "N16", "D7", "SUPB", "2026-10-20T10:00:00Z")  // none: failed
	f.alert("DNOA", "ED", "N16", "D8", "SUPB", "2026-10-30T10:00:00Z")  // none, window past cover: pending
	f.alert("DNOA", "ED", "8F0C", "D9", "SUPA", "2026-11-03T00:00:00Z") // after the period: sets the cover end

	// supplier alerts, 8F0C on 3 October: SUPA 100 ms, 300 ms and one failed;
	// five peers 1000 ms each
	f.alertAt("SUPA", "IS", "8F0C", "D1", "2026-10-03T10:00:00Z", "2026-10-03T10:00:00.100Z", "")
	f.alertAt("SUPA", "IS", "8F0C", "D1", "2026-10-03T11:00:00Z", "2026-10-03T11:00:00.300Z", "")
	f.alertAt("SUPA", "IS", "8F0C", "D1", "2026-10-03T12:00:00Z", "", "R1")
	for _, p := range []string{"SUPB", "SUPC", "SUPD", "SUPE", "SUPF"} {
		f.alertAt(p, "IS", "8F0C", "D1", "2026-10-03T10:00:00+01:00", "2026-10-03T10:00:01+01:00", "")
	}
	// two N13 for the distributor, by device model
	f.alertAt("DNOA", "ED", "N13", "D1", "2026-10-04T10:00:00Z", "2026-10-04T10:00:00Z", "")
	f.alertAt("DNOA", "ED", "N13", "D2", "2026-10-05T10:00:00Z", "2026-10-05T10:00:00Z", "")

	// devices: DEV2 is a hub shared by SUPA (import) and SUPB (gas)
	f.device("00-00-00-00-00-00-00-01", "ESME", "M1", "F1", "SUPA", "", "DNOA", "2026-11-15", "")
	f.device("00-00-00-00-00-00-00-02", "CHF", "H1", "F9", "SUPA", "SUPB", "", "", "2027-01-20")
	f.device("00-00-00-00-00-00-00-03", "GSME", "G1", "F2", "", "SUPA", "", "", "2027-03-01")
	// five import peers hold model M1: three on F1, two on F2
	for i, x := range [][2]string{{"SUPB", "F1"}, {"SUPC", "F2"}, {"SUPD", "F1"}, {"SUPE", "F2"}, {"SUPF", "F1"}} {
		f.device("00-00-00-00-00-00-01-0"+itoa(int64(i)), "ESME", "M1", x[1], x[0], "", "", "", "")
	}
	return f
}

func findReport(t *testing.T, pr *PartyReport, role contract.Role, id string) ReportOut {
	t.Helper()
	for _, rr := range pr.Roles {
		if rr.Role != role {
			continue
		}
		for _, r := range rr.Reports {
			if r.Instance.ID == id {
				return r
			}
		}
	}
	t.Fatalf("%s has no report %s in role %s", pr.Party.ID, id, role)
	return ReportOut{}
}

func findView(t *testing.T, r ReportOut, id string) ViewOut {
	t.Helper()
	for _, v := range r.Views {
		if v.View.ID == id {
			return v
		}
	}
	t.Fatalf("report %s has no view %s", r.Instance.ID, id)
	return ViewOut{}
}

func csvText(v ViewOut) string {
	lines := []string{strings.Join(v.Header, ",")}
	for _, r := range v.Rows {
		lines = append(lines, strings.Join(r, ","))
	}
	return strings.Join(lines, "\n")
}

func wantCSV(t *testing.T, name string, v ViewOut, want string) {
	t.Helper()
	if got := csvText(v); got != strings.TrimSpace(want) {
		t.Errorf("%s:\n got:\n%s\nwant:\n%s", name, got, strings.TrimSpace(want))
	}
}

func TestServiceRequestViews(t *testing.T) {
	e := month(t).run()
	pr, err := e.Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	r := findReport(t, pr, contract.IS, "srv-4.1.1")
	// SUPA: 5 in the period, 3 ok = 0.6; ties at 1.0 share rank 1, then 3
	wantCSV(t, "league", findView(t, r, "league"), `
rank,party,success_rate,requests
1,,1.000000,
1,,1.000000,
3,Alpha Energy,0.600000,5
4,,0.500000,
5,,0.250000,
6,,0.000000,`)
	// you: rtts 100,100,200,300 (one null): mean 175, median rank 2 = 100, p95 rank 4 = 300
	// industry adds ten 1000s: n 14, mean 10700/14 = 764, median rank 7 = 1000
	wantCSV(t, "rtt", findView(t, r, "rtt"), `
scope,requests,best_ms,worst_ms,mean_ms,median_ms,p95_ms
you,4,100,300,175,100,300
industry,14,100,1000,764,1000,1000`)
	// 1 Oct: 3 requests (one at 00:30 BST), 2 ok; industry 13 requests, 7 ok, mean 10400/13 = 800.
	// 25 Oct (25 hours): both requests, industry withheld (no peer that day), incident INC0001.
	daily := findView(t, r, "daily")
	wantCSV(t, "daily", daily, `
date,requests,successes,success_rate,mean_rtt_ms,industry_success_rate,industry_mean_rtt_ms,incidents
2026-10-01,3,2,0.666667,133,0.538462,800,
2026-10-25,2,1,0.500000,300,,,INC0001`)
	if !strings.Contains(daily.Withheld, "1 day") {
		t.Errorf("daily withheld note = %q, want it to name 1 day", daily.Withheld)
	}
	if !slices.Equal(daily.MarkDays, []string{"2026-10-25"}) {
		t.Errorf("incident days = %v", daily.MarkDays)
	}
	// industry over the month: 15 requests, 8 ok; 10700 ms over 14 timed
	wantCSV(t, "breakdown", findView(t, r, "breakdown"), `
dimension,value,requests,successes,success_rate,mean_rtt_ms,industry_success_rate,industry_mean_rtt_ms
device_type,ESME,5,3,0.600000,175,0.533333,764
region,North,5,3,0.600000,175,0.533333,764
smets_version,SMETS2,5,3,0.600000,175,0.533333,764`)
	wantCSV(t, "failures", findView(t, r, "failures"), `
response_code,region,smets_version,device_type,device_manufacturer,device_model,device_firmware,chf_manufacturer,chf_model,chf_variant,chf_firmware,failures
E20,North,SMETS2,ESME,MakerA,ModelA,1.0,HubCo,Hub1,dual-band,9.1,1
E21,North,SMETS2,ESME,MakerA,ModelA,1.0,HubCo,Hub1,dual-band,9.1,1`)
	wantCSV(t, "svp", findView(t, r, "svp"), `
outcome,response_code,chf_manufacturer,chf_model,chf_variant,chf_firmware,device_type,device_manufacturer,device_model,device_firmware,region,requests,mean_rtt_ms,median_rtt_ms
success,I0,HubCo,Hub1,dual-band,9.1,ESME,MakerA,ModelA,1.0,North,3,167,100
failure,E20,HubCo,Hub1,dual-band,9.1,ESME,MakerA,ModelA,1.0,North,1,,
failure,E21,HubCo,Hub1,dual-band,9.1,ESME,MakerA,ModelA,1.0,North,1,200,200`)

	if q := e.Quality[2]; q.OutsidePeriod != 1 || q.Bad != 0 {
		t.Errorf("service requests: %d outside the period, %d bad; want 1 and 0", q.OutsidePeriod, q.Bad)
	}
}

func TestMinimumPeers(t *testing.T) {
	e := month(t).run()
	pr, err := e.Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	// GS has SUPA and 4 peers: k-1, so every peer-derived figure is withheld
	r := findReport(t, pr, contract.GS, "srv-4.1.1")
	league := findView(t, r, "league")
	wantCSV(t, "GS league", league, `
rank,party,success_rate,requests
,Alpha Energy,1.000000,1`)
	if !strings.Contains(league.Withheld, "only 4 other parties") {
		t.Errorf("withheld message = %q", league.Withheld)
	}
	wantCSV(t, "GS rtt", findView(t, r, "rtt"), `
scope,requests,best_ms,worst_ms,mean_ms,median_ms,p95_ms
you,1,500,500,500,500,500
industry,,,,,,`)
	bd := findView(t, r, "breakdown")
	wantCSV(t, "GS breakdown", bd, `
dimension,value,requests,successes,success_rate,mean_rtt_ms,industry_success_rate,industry_mean_rtt_ms
device_type,ESME,1,1,1.000000,500,,
region,North,1,1,1.000000,500,,
smets_version,SMETS2,1,1,1.000000,500,,`)
	if !strings.Contains(bd.Withheld, "withheld for ESME, North, SMETS2") {
		t.Errorf("breakdown withheld = %q", bd.Withheld)
	}
	// IS has exactly k = 5 peers: published (see TestServiceRequestViews)
	is := findReport(t, pr, contract.IS, "srv-4.1.1")
	if w := findView(t, is, "league").Withheld; w != "" {
		t.Errorf("IS league withheld with 5 peers: %q", w)
	}
}

func TestDistributionViews(t *testing.T) {
	e := month(t).run()
	pr, err := e.Party("DNOA")
	if err != nil {
		t.Fatal(err)
	}
	wantCSV(t, "by-supplier", findView(t, findReport(t, pr, contract.ED, "n16-n42"), "by-supplier"), `
energy_supplier_id,n16,met,failed,pending
SUPA,2,1,1,0
SUPB,2,0,1,1`)
	out := findReport(t, pr, contract.ED, "outage-unmatched")
	wantCSV(t, "unmatched summary", findView(t, out, "summary"), `
rule,count
AD1 without 8F35,2
AD1 without 8F36,2
8F35 without AD1,1
8F36 without AD1,1`)
	wantCSV(t, "unmatched devices", findView(t, out, "devices"), `
rule,device_id,alert_id,generated_at
AD1 without 8F35,D1,A`+itoa(int64(findN(t, e, "D1", "AD1")))+`,2026-10-10T10:00:00.000Z
AD1 without 8F35,D3,A`+itoa(int64(findN(t, e, "D3", "AD1")))+`,2026-10-31T23:30:00.000Z
AD1 without 8F36,D1,A`+itoa(int64(findN(t, e, "D1", "AD1")))+`,2026-10-10T10:00:00.000Z
AD1 without 8F36,D3,A`+itoa(int64(findN(t, e, "D3", "AD1")))+`,2026-10-31T23:30:00.000Z
8F35 without AD1,D1,A`+itoa(int64(findN(t, e, "D1", "8F35")))+`,2026-10-11T11:00:00.000Z
8F36 without AD1,D2,A`+itoa(int64(findN(t, e, "D2", "8F36")))+`,2026-10-12T10:00:00.000Z`)
}

// findN returns the fixture's running number of the alert on device with code.
func findN(t *testing.T, e *Engine, device, code string) int {
	for _, p := range e.Parties.InRole(contract.ED) {
		devs, err := e.ed.store.party(e.sym.Intern([]byte(p.ID)))
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range devs[device] {
			if ev.code == code {
				n := 0
				for _, c := range ev.alertID[1:] {
					n = n*10 + int(c-'0')
				}
				return n
			}
		}
	}
	t.Fatalf("no %s alert on %s", code, device)
	return 0
}

func TestInventoryViews(t *testing.T) {
	e := month(t).run()
	a, err := e.Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	inv := findReport(t, a, contract.IS, "inventory")
	wantCSV(t, "SUPA IS models", findView(t, inv, "models"), `
device_type,device_model,firmware_version,devices
CHF,H1,F9,1
ESME,M1,F1,1`)
	// CPL of DEV1 expires 15 Nov, within 30 days of 31 Oct; DEV2's certificate
	// expires 20 Jan 2027, within 90 days; DEV3's (1 Mar 2027, GS) is not.
	wantCSV(t, "SUPA IS exceptions", findView(t, inv, "exceptions"), `
device_id,device_type,device_model,firmware_version,mpxn,postcode,reason
00-00-00-00-00-00-00-01,ESME,M1,F1,1234567890123,AB1 2CD,cpl-expiry
00-00-00-00-00-00-00-02,CHF,H1,F9,1234567890123,AB1 2CD,cert-expiry`)
	gs := findReport(t, a, contract.GS, "inventory")
	wantCSV(t, "SUPA GS models", findView(t, gs, "models"), `
device_type,device_model,firmware_version,devices
GSME,G1,F2,1`)

	// the shared hub is in SUPB's gas estate too, and each estate file
	// names only its own party
	b, err := e.Party("SUPB")
	if err != nil {
		t.Fatal(err)
	}
	wantCSV(t, "SUPB GS models", findView(t, findReport(t, b, contract.GS, "inventory"), "models"), `
device_type,device_model,firmware_version,devices
CHF,H1,F9,1`)
	est := findView(t, inv, "devices")
	if !strings.HasSuffix(est.File, "devices.csv.gz") {
		t.Fatalf("estate file = %q", est.File)
	}
	text := gunzip(t, est.File)
	if !strings.Contains(text, "SUPA") || strings.Contains(text, "Alpha Energy") {
		t.Errorf("SUPA's estate file should keep its own id and no name:\n%s", text)
	}
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAlertViews(t *testing.T) {
	e := month(t).run()
	a, err := e.Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	// SUPA: 3 alerts, 2 delivered (100, 300 ms); industry adds five at 1000 ms:
	// 8 alerts, 7 delivered, mean 5400/7 = 771, median rank 4 of 7 = 1000
	for _, id := range []string{"alert-8F0C", "alerts-all"} {
		r := findReport(t, a, contract.IS, id)
		wantCSV(t, id+" daily", findView(t, r, "daily"), `
date,alerts,delivered,delivery_rate,mean_delivery_ms,industry_delivery_rate,industry_mean_delivery_ms,incidents
2026-10-03,3,2,0.666667,200,0.875000,771,`)
		wantCSV(t, id+" summary", findView(t, r, "summary"), `
scope,alerts,delivered,delivery_rate,mean_delivery_ms,median_delivery_ms
you,3,2,0.666667,200,100
industry,8,7,0.875000,771,1000`)
		wantCSV(t, id+" svp", findView(t, r, "svp"), `
outcome,reason_code,chf_manufacturer,chf_model,chf_variant,chf_firmware,device_type,device_manufacturer,device_model,device_firmware,region,alerts,mean_delivery_ms
delivered,,HubCo,Hub1,dual-band,9.1,ESME,MakerA,ModelA,1.0,North,2,200
failed,R1,HubCo,Hub1,dual-band,9.1,ESME,MakerA,ModelA,1.0,North,1,`)
	}
	// a supplier gets no by-device view; the distributor gets it for N13 only
	for _, v := range findReport(t, a, contract.IS, "alert-8F0C").Views {
		if v.View.ID == "by-device" {
			t.Errorf("an import supplier got a by-device view")
		}
	}
	d, err := e.Party("DNOA")
	if err != nil {
		t.Fatal(err)
	}
	wantCSV(t, "N13 by-device", findView(t, findReport(t, d, contract.ED, "alert-N13"), "by-device"), `
device_manufacturer,device_model,device_firmware,alerts
MakerA,ModelA,1.0,2`)
	// the distributor is alone in its role: industry withheld
	if w := findView(t, findReport(t, d, contract.ED, "alert-N13"), "summary").Withheld; !strings.Contains(w, "only 0 other parties") {
		t.Errorf("ED summary withheld = %q", w)
	}
}

func TestFirmwareShare(t *testing.T) {
	e := month(t).run()
	a, err := e.Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	// M1: SUPA F1 and five peers (F1, F2, F1, F2, F1): industry F1 4/6, F2 2/6;
	// peers labelled by their own shares, not by who they are. H1: no peer
	// holds it in IS, so only "you".
	v := findView(t, findReport(t, a, contract.IS, "inventory"), "firmware-share")
	wantCSV(t, "firmware-share", v, `
device_model,series,firmware_version,share
H1,you,F9,1.000000
M1,you,F1,1.000000
M1,industry,F1,0.666667
M1,industry,F2,0.333333
M1,peer 1,F1,1.000000
M1,peer 2,F1,1.000000
M1,peer 3,F1,1.000000
M1,peer 4,F2,1.000000
M1,peer 5,F2,1.000000`)
	if !strings.Contains(v.Withheld, "withheld for H1:") {
		t.Errorf("withheld = %q, want it to name H1", v.Withheld)
	}
}

// TestPartiesComputedConcurrently: a build computes several parties'
// reports at once (one per render worker); each comes out as it does alone.
//
// The concurrent rounds run on an engine of their own, so that the first
// computes the month aggregates every party shares (months.go) at once.
func TestPartiesComputedConcurrently(t *testing.T) {
	e := month(t).run()
	cold := month(t).run()
	text := func(pr *PartyReport) string {
		var b strings.Builder
		for _, rr := range pr.Roles {
			for _, r := range rr.Reports {
				for _, v := range r.Views {
					b.WriteString(string(rr.Role) + "/" + r.Instance.ID + "/" + v.View.ID + "\n" + csvText(v) + v.Withheld + "\n")
				}
			}
		}
		return b.String()
	}
	ids := []string{}
	for _, p := range e.Parties.All() {
		ids = append(ids, p.ID)
	}
	want := map[string]string{}
	for _, id := range ids {
		pr, err := e.Party(id)
		if err != nil {
			t.Fatal(err)
		}
		want[id] = text(pr)
	}
	got := make([]string, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for round := 0; round < 3; round++ {
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pr, err := cold.Party(id)
				if err != nil {
					errs[i] = err
					return
				}
				got[i] = text(pr)
			}()
		}
		wg.Wait()
		for i, id := range ids {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if got[i] != want[id] {
				t.Errorf("round %d: %s computed alongside others differs:\n%s\nalone:\n%s", round, id, got[i], want[id])
			}
		}
	}
}

// TestPeersWithoutDurationsStillCount: a peer whose requests of an SRV all
// lack a round trip time still contributed to the month's industry figures
// (outputs.md counts the peers that had events, as its alerts' daily view
// says), so with k peers the industry RTT row is published, over the
// round trip times there are; with k−1 it is withheld.
func TestPeersWithoutDurationsStillCount(t *testing.T) {
	for _, tc := range []struct {
		peers int
		want  string
	}{
		{5, `
scope,requests,best_ms,worst_ms,mean_ms,median_ms,p95_ms
you,1,100,100,100,100,100
industry,5,100,500,300,300,500`},
		{4, `
scope,requests,best_ms,worst_ms,mean_ms,median_ms,p95_ms
you,1,100,100,100,100,100
industry,,,,,,`},
	} {
		f := newFixture(t)
		f.party("SUPA", "Alpha Energy", "IS")
		f.sr("SUPA", "IS", "4.1.1", "2026-10-02T10:00:00Z", "100", "success", "I0")
		for i := 1; i <= tc.peers; i++ {
			id := "PEER" + itoa(int64(i))
			f.party(id, "Peer "+itoa(int64(i)), "IS")
			rtt := itoa(int64(100 * (i + 1)))
			if i == tc.peers {
				rtt = "" // this peer's only request has no round trip time
			}
			f.sr(id, "IS", "4.1.1", "2026-10-02T11:00:00Z", rtt, "success", "I0")
		}
		pr, err := f.run().Party("SUPA")
		if err != nil {
			t.Fatal(err)
		}
		wantCSV(t, "rtt", findView(t, findReport(t, pr, contract.IS, "srv-4.1.1"), "rtt"), tc.want)
	}
}
