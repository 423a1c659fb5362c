package extract

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dcc/carport/internal/contract"
)

func TestSymCacheGrows(t *testing.T) {
	s := NewSymbols()
	c := newSymCache(s)
	for round := range 2 {
		for i := range 5000 {
			v := []byte(fmt.Sprintf("value-%d", i))
			x := c.intern(v)
			if s.Name(x) != string(v) {
				t.Fatalf("round %d: intern(%s) = %d named %q", round, v, x, s.Name(x))
			}
		}
	}
	if s.Len() != 5001 {
		t.Errorf("Len = %d, want 5001", s.Len())
	}
}

const alertHead = "alert_id,party_id,user_role,alert_code,alert_source,device_id,energy_supplier_id," +
	"generated_at,delivered_at,outcome,reason_code,region,smets_version,device_type," +
	"device_manufacturer,device_model,device_firmware,chf_manufacturer,chf_model,chf_variant,chf_firmware\n"

func TestScanAlerts(t *testing.T) {
	rows := []string{
		"A1,BGAS,GS,8F35,device,00-1B-C5-0C-00-00-12-34,BGAS,2026-10-04T13:02:11Z,2026-10-04T13:02:12.500Z,delivered,,North,SMETS2,GSME,Landis,G470,1.0,Toshiba,CH1,dual-band,9",
		"A2,UKPN,ED,AD1,dcc,,,2026-11-03T10:00:00Z,,failed,E1,South,SMETS1,ESME,,,,,,,",                             // after the period: passed, counted
		"A3,BGAS,IS,8F36,device,,EDF,2026-10-04T13:02:11Z,2026-10-04T13:02:10Z,delivered,,North,SMETS2,ESME,,,,,,,", // negative delivery
		"A4,BGAS,IS,8F36,radio,,,2026-10-04T13:02:11Z,,failed,,North,SMETS2,ESME,,,,,,,",
		"A5,BGAS,IS,8F36,device,,UKPN,2026-10-04T13:02:11Z,,failed,,North,SMETS2,ESME,,,,,,,", // UKPN is no supplier
		"A6,BGAS,IS,8F36,device,,,2026-10-04T13:02:11Z,,lost,,North,SMETS2,ESME,,,,,,,",
	}
	dir := t.TempDir()
	writeFile(t, dir, "alerts.csv.gz", alertHead+strings.Join(rows, "\n")+"\n")
	o := testOptions(t)
	o.MaxBadFraction, o.Workers = 1, 1 // one sink: rows in file order
	var got []string
	rep, err := ScanAlerts(dir, o, func(int) func(*Alert) {
		return func(a *Alert) {
			got = append(got, fmt.Sprintf("%d %s %s/%s %s dcc=%v dev=%s sup=%s in=%v day=%d delivered=%v ms=%d reason=%s %s",
				a.Line, a.AlertID, o.Symbols.Name(a.Party), a.Role, o.Symbols.Name(a.Code), a.DCC, a.DeviceID,
				o.Symbols.Name(a.EnergySupplier), a.InPeriod, a.Day, a.Delivered, a.DeliveryMS,
				o.Symbols.Name(a.ReasonCode), o.Symbols.Name(a.CHFVariant)))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2 A1 BGAS/GS 8F35 dcc=false dev=00-1B-C5-0C-00-00-12-34 sup=BGAS in=true day=3 delivered=true ms=1500 reason= dual-band",
		"3 A2 UKPN/ED AD1 dcc=true dev= sup= in=false day=-1 delivered=false ms=-1 reason=E1 ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n got %q\nwant %q", got, want)
	}
	wantEx := []string{
		`alerts.csv.gz:4: column "delivered_at": before generated_at (delivery time -1000 ms)`,
		`alerts.csv.gz:5: column "alert_source": value "radio" not one of device, dcc`,
		`alerts.csv.gz:6: column "energy_supplier_id": unknown party "UKPN" with a supplier role`,
		`alerts.csv.gz:7: column "outcome": value "lost" not one of delivered, failed`,
	}
	if rep.Rows != 6 || rep.Bad != 4 || rep.OutsidePeriod != 1 || !reflect.DeepEqual(rep.Examples, wantEx) ||
		rep.ByReason["negative delivery time"] != 1 || rep.File != "alerts.csv.gz" {
		t.Errorf("report %+v", rep)
	}
}

func TestScanDevices(t *testing.T) {
	good := map[string]string{
		"device_id": "00-1B-C5-0C-00-00-12-34", "sms_id": "S1", "device_type": "ESME", "device_manufacturer": "Landis",
		"device_model": "E470", "firmware_version": "1.0", "smets_version": "SMETS2", "csp_id": "CSP-N",
		"region": "North", "import_supplier_id": "BGAS", "export_supplier_id": "", "gas_supplier_id": "",
		"dno_id": "UKPN", "mpxn": "1234567890123", "postcode": "SW1A 1AA", "last_read_at": "2026-10-31T23:00:00Z",
		"last_alert_at": "", "last_alert_code": "", "commissioned_status": "Commissioned", "outage_alert_count": "2",
		"prepayment": "false", "cpl_expiry_date": "2027-03-31", "cert_expiry_date": "", "cos_start_date": "",
		"cos_end_date": "",
	}
	line := func(kv map[string]string) string {
		cells := make([]string, len(contract.DevicesFile.Columns))
		for i, c := range contract.DevicesFile.Header() {
			cells[i] = good[c]
			if v, ok := kv[c]; ok {
				cells[i] = v
			}
		}
		return strings.Join(cells, ",") + "\n"
	}
	bad := []struct {
		kv     map[string]string
		reason string
	}{
		{map[string]string{"device_id": "001BC50C00001234"}, `column "device_id": bad device id "001BC50C00001234" (want 16 hex digits with dashes)`},
		{map[string]string{"import_supplier_id": "UKPN"}, `column "import_supplier_id": unknown party "UKPN" with role IS`},
		{map[string]string{"gas_supplier_id": "EDF"}, `column "gas_supplier_id": unknown party "EDF" with role GS`},
		{map[string]string{"mpxn": "12345"}, `column "mpxn": bad MPxN "12345" (want 13 digits for an MPAN or 6 to 10 for an MPRN)`},
		{map[string]string{"commissioned_status": "commissioned"}, `column "commissioned_status": value "commissioned" not one of Pending, Whitelisted, InstalledNotCommissioned, Commissioned, Decommissioned, Withdrawn, Suspended, Recovery, Recovered`},
		{map[string]string{"csp_id": "CSP-X"}, `column "csp_id": value "CSP-X" not one of CSP-N, CSP-C, CSP-S`},
		{map[string]string{"outage_alert_count": "-1"}, `column "outage_alert_count": negative value -1`},
		{map[string]string{"prepayment": "yes"}, `column "prepayment": bad bool "yes" (want true or false)`},
		{map[string]string{"cert_expiry_date": "2027-02-30"}, `column "cert_expiry_date": bad date "2027-02-30" (want YYYY-MM-DD)`},
		{map[string]string{"last_alert_at": "yesterday"}, `column "last_alert_at": bad timestamp "yesterday"`},
		{map[string]string{"sms_id": ""}, `column "sms_id": empty value (not nullable)`},
	}
	// Columns in reverse order: matching is by name.
	rev := make([]string, len(contract.DevicesFile.Columns))
	for i, c := range contract.DevicesFile.Header() {
		rev[len(rev)-1-i] = c
	}
	reverse := func(l string) string {
		f := strings.Split(strings.TrimSuffix(l, "\n"), ",")
		for i, j := 0, len(f)-1; i < j; i, j = i+1, j-1 {
			f[i], f[j] = f[j], f[i]
		}
		return strings.Join(f, ",") + "\n"
	}
	content := strings.Join(rev, ",") + "\n" + reverse(line(nil))
	var wantEx []string
	for i, b := range bad {
		content += reverse(line(b.kv))
		wantEx = append(wantEx, fmt.Sprintf("devices.csv:%d: %s", i+3, b.reason))
	}
	dir := t.TempDir()
	writeFile(t, dir, "devices.csv", content)
	o := testOptions(t)
	o.MaxBadFraction, o.Examples, o.Workers = 1, len(bad), 1
	var got []*Device
	rep, err := ScanDevices(dir, o, func(int) func(*Device) {
		return func(d *Device) {
			c := *d
			c.Fields = nil
			for _, f := range d.Fields {
				c.Fields = append(c.Fields, append([]byte(nil), f...))
			}
			c.ID = append([]byte(nil), d.ID...)
			got = append(got, &c)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep.Examples, wantEx) || rep.Rows != int64(len(bad)+1) {
		t.Errorf("examples\n%s\nwant\n%s", strings.Join(rep.Examples, "\n"), strings.Join(wantEx, "\n"))
	}
	if len(got) != 1 {
		t.Fatalf("%d devices passed", len(got))
	}
	d, s := got[0], o.Symbols
	if string(d.ID) != good["device_id"] || s.Name(d.ImportSupplier) != "BGAS" || d.GasSupplier != Null ||
		s.Name(d.DNO) != "UKPN" || d.CertExpiry != NoDate || d.CPLExpiry != int32(daysFromCivil(2027, 3, 31)) ||
		s.Name(d.Model) != "E470" || string(d.Fields[19]) != "2" || len(d.Fields) != len(contract.DevicesFile.Columns) {
		t.Errorf("device %+v", d)
	}
}

func TestReadIncidents(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "incidents.csv", "incident_id,category,start_at,end_at,regions,title\n"+
		"INC1,1,2026-10-03T10:00:00Z,2026-10-03T12:00:00Z,North;South,\"Outage, north and south\"\n"+
		"INC2,2,2026-10-20T10:00:00+01:00,,all,Slow responses\n")
	o := testOptions(t)
	got, rep, err := ReadIncidents(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	want := []Incident{
		{ID: "INC1", Category: 1, StartMS: time.Date(2026, 10, 3, 10, 0, 0, 0, time.UTC).UnixMilli(), EndMS: time.Date(2026, 10, 3, 12, 0, 0, 0, time.UTC).UnixMilli(), Regions: []string{"North", "South"}, Title: "Outage, north and south"},
		{ID: "INC2", Category: 2, StartMS: time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC).UnixMilli(), EndMS: -1, Title: "Slow responses"},
	}
	if !reflect.DeepEqual(got, want) || rep.Rows != 2 {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	writeFile(t, dir, "incidents.csv", "incident_id,category,start_at,end_at,regions,title\n"+
		"INC3,3,2026-10-03T10:00:00Z,,all,x\n")
	_, _, err = ReadIncidents(dir, o)
	if want := "incidents.csv: 1 of 1 rows are bad (100.00%, threshold 0.10%)\n  incidents.csv:2: column \"category\": value 3 out of range 1-2"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	empty := t.TempDir()
	writeFile(t, empty, "incidents.csv", "incident_id,category,start_at,end_at,regions,title\n")
	if got, rep, err := ReadIncidents(empty, o); err != nil || len(got) != 0 || rep.Rows != 0 {
		t.Errorf("no rows: %v %v %v", got, rep, err)
	}
}
