package extract

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/dcc/carport/internal/contract"
)

func TestReadParties(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "parties.csv", "\xef\xbb\xbf"+strings.ReplaceAll(testParties, "\n", "\r\n"))
	p, rep, err := ReadParties(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 6 || rep.Bad != 0 || rep.File != "parties.csv" || rep.Bytes == 0 {
		t.Errorf("report = %+v", rep)
	}
	var ids []string
	for _, x := range p.All() {
		ids = append(ids, x.ID)
	}
	if want := []string{"ACME", "BGAS", "EDF", "OCTO", "UKPN"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("All = %v, want %v", ids, want)
	}
	bg := p.Get("BGAS")
	if bg == nil || !reflect.DeepEqual(bg.Roles, []contract.Role{contract.IS, contract.GS}) || bg.Name != "British Gas" || bg.Email != "ops@bgas.example" {
		t.Errorf("BGAS = %+v", bg)
	}
	if o := p.Get("OCTO"); o == nil || o.Name != "Octopus, Energy" {
		t.Errorf("OCTO = %+v", o)
	}
	if p.Get("NOPE") != nil {
		t.Error("Get of an unknown party is not nil")
	}
	var is []string
	for _, x := range p.InRole(contract.IS) {
		is = append(is, x.ID)
	}
	if !reflect.DeepEqual(is, []string{"BGAS", "EDF"}) {
		t.Errorf("InRole(contract.IS) = %v", is)
	}
	id := []byte("BGAS")
	if !p.Has(id, contract.GS) || p.Has(id, contract.ED) || p.Has([]byte("EDF"), contract.GS) {
		t.Error("Has is wrong")
	}
	if n := testing.AllocsPerRun(100, func() { p.Has(id, contract.GS) }); n != 0 {
		t.Errorf("Has allocates %.0f times", n)
	}
}

func TestReadPartiesErrors(t *testing.T) {
	const head = "party_id,party_name,user_role,contact_email\n"
	tests := []struct {
		name, content, want string
	}{
		{"bad role", head + "A,Alpha,IS,\nB,Beta,XX,\n",
			`parties.csv:3: column "user_role": value "XX" not one of IS, ES, GS, ED, GT, RSA, OU`},
		{"lowercase role", head + "A,Alpha,is,\n",
			`parties.csv:2: column "user_role": value "is" not one of IS, ES, GS, ED, GT, RSA, OU`},
		{"null id", head + ",Alpha,IS,\n", `parties.csv:2: column "party_id": empty value (not nullable)`},
		{"null name", head + "A,,IS,\n", `parties.csv:2: column "party_name": empty value (not nullable)`},
		{"duplicate role", head + "A,Alpha,IS,\nA,Alpha,IS,\n", `parties.csv:3: column "user_role": party "A" already has role IS`},
		{"two names", head + "A,Alpha,IS,\nA,Alfa,GS,\n", `parties.csv:3: column "party_name": party "A" is already named "Alpha"`},
		{"field count", head + "A,Alpha,IS\n", `parties.csv:2: wrong number of fields (got 3, want 4)`},
		{"quoting", head + "\"A\"x,Alpha,IS,\n", `parties.csv:2: unexpected character after closing quote`},
		{"line after quoted newline", head + "A,\"Al\npha\",IS,\nB,Beta,ZZ,\n",
			`parties.csv:4: column "user_role": value "ZZ" not one of IS, ES, GS, ED, GT, RSA, OU`},
		{"missing column", "party_id,party_name,contact_email\n", `parties.csv:1: column "user_role": missing required column`},
		{"case-sensitive header", "party_id,Party_Name,user_role\n", `parties.csv:1: column "party_name": missing required column`},
		{"empty file", "", `parties.csv:1: empty file: no header row`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "parties.csv", tt.content)
			_, _, err := ReadParties(dir)
			var de *DataError
			if !errors.As(err, &de) {
				t.Fatalf("error %v (%T) is not a *DataError", err, err)
			}
			if got, want := err.Error(), filepath.Join(dir, tt.want); got != want {
				t.Errorf("error\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestMissingAndDoubledFiles(t *testing.T) {
	dir := t.TempDir()
	o := testOptions(t)
	_, err := ScanAlerts(dir, o, func(int) func(*Alert) { return func(*Alert) {} })
	want := filepath.Join(dir, "alerts.csv") + ": no such extract (want alerts.csv or alerts.csv.gz)"
	var de *DataError
	if !errors.As(err, &de) || err.Error() != want {
		t.Errorf("missing file: got %v, want %s", err, want)
	}
	writeFile(t, dir, "alerts.csv", "x\n")
	writeFile(t, dir, "alerts.csv.gz", "x\n")
	_, err = ScanAlerts(dir, o, func(int) func(*Alert) { return func(*Alert) {} })
	want = filepath.Join(dir, "alerts.csv") + ": both alerts.csv and alerts.csv.gz exist (want one)"
	if !errors.As(err, &de) || err.Error() != want || de.Hint != "remove one of them" {
		t.Errorf("both files: got %v, want %s", err, want)
	}
}

func TestMissingColumn(t *testing.T) {
	dir := t.TempDir()
	header := strings.Replace(strings.Join(srHeader, ","), "rtt_ms", "RTT_ms", 1)
	writeFile(t, dir, "service_requests.csv", header+"\n")
	_, err := ScanServiceRequests(dir, testOptions(t), func(int) func(*ServiceRequest) { return func(*ServiceRequest) {} })
	want := filepath.Join(dir, "service_requests.csv") + `:1: column "rtt_ms": missing required column`
	var de *DataError
	if !errors.As(err, &de) || err.Error() != want || de.Line != 1 || de.Column != "rtt_ms" {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestServiceRequestBadRows pins the reason text and class of each rule.
func TestServiceRequestBadRows(t *testing.T) {
	tests := []struct {
		kv          map[string]string
		reason, key string
	}{
		{map[string]string{"submitted_at": "2026-10-0"}, `column "submitted_at": bad timestamp "2026-10-0"`, "bad timestamp in submitted_at"},
		{map[string]string{"submitted_at": ""}, `column "submitted_at": empty value (not nullable)`, "null in submitted_at"},
		{map[string]string{"rtt_ms": "-5"}, `column "rtt_ms": negative value -5`, "negative rtt_ms"},
		{map[string]string{"rtt_ms": "1.5"}, `column "rtt_ms": bad integer "1.5"`, "bad integer in rtt_ms"},
		{map[string]string{"command_variant": "9"}, `column "command_variant": value 9 out of range 1-8`, "out of range in command_variant"},
		{map[string]string{"region": "north"}, `column "region": value "north" not one of North, Central, South`, "bad value in region"},
		{map[string]string{"smets_version": "SMETS3"}, `column "smets_version": value "SMETS3" not one of SMETS1, SMETS2`, "bad value in smets_version"},
		{map[string]string{"device_type": "ESMEX"}, `column "device_type": value "ESMEX" not one of ESME, GSME, CHF, GPF, IHD, PPMID, HCALCS, OTHER`, "bad value in device_type"},
		{map[string]string{"outcome": "ok"}, `column "outcome": value "ok" not one of success, failure`, "bad value in outcome"},
		{map[string]string{"user_role": "XX"}, `column "user_role": value "XX" not one of IS, ES, GS, ED, GT, RSA, OU`, "bad value in user_role"},
		{map[string]string{"party_id": "NOPE"}, `column "party_id": unknown party "NOPE" with role IS`, "unknown party"},
		{map[string]string{"user_role": "ED"}, `column "party_id": unknown party "BGAS" with role ED`, "unknown party"},
		{map[string]string{"srv": ""}, `column "srv": empty value (not nullable)`, "null in srv"},
		{map[string]string{"response_code": ""}, `column "response_code": empty value (not nullable)`, "null in response_code"},
		{map[string]string{"request_id": ""}, `column "request_id": empty value (not nullable)`, "null in request_id"},
		{map[string]string{"chf_model": "a,b"}, `wrong number of fields (got 21, want 20)`, "wrong field count"},
		{map[string]string{"chf_model": `a"b`}, `quote in unquoted field`, "bad quoting"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		content := strings.Join(srHeader, ",") + "\n" + srLine(nil) + srLine(tt.kv) + srLine(nil)
		writeFile(t, dir, "service_requests.csv", content)
		o := testOptions(t)
		o.MaxBadFraction = 1
		var n int
		rep, err := ScanServiceRequests(dir, o, func(int) func(*ServiceRequest) {
			return func(*ServiceRequest) { n++ }
		})
		if err != nil {
			t.Fatalf("%v: %v", tt.kv, err)
		}
		want := FileReport{File: "service_requests.csv", Bytes: int64(len(content)), Rows: 3, Bad: 1,
			ByReason: map[string]int64{tt.key: 1}, Examples: []string{"service_requests.csv:3: " + tt.reason}}
		if !reflect.DeepEqual(rep, want) || n != 2 {
			t.Errorf("%v:\n got %+v (%d passed)\nwant %+v", tt.kv, rep, n, want)
		}
	}
}

func TestThreshold(t *testing.T) {
	build := func(bad int) string {
		var b strings.Builder
		b.WriteString(strings.Join(srHeader, ",") + "\n")
		for i := range 2000 {
			kv := map[string]string{}
			if i < bad {
				kv["rtt_ms"] = "-1"
			}
			b.WriteString(srLine(kv))
		}
		return b.String()
	}
	sink := func(int) func(*ServiceRequest) { return func(*ServiceRequest) {} }
	dir := t.TempDir()
	writeFile(t, dir, "service_requests.csv", build(2)) // 2 of 2000 = 0.1%: allowed
	rep, err := ScanServiceRequests(dir, testOptions(t), sink)
	if err != nil || rep.Bad != 2 {
		t.Fatalf("at the threshold: bad %d, err %v", rep.Bad, err)
	}
	writeFile(t, dir, "service_requests.csv", build(7))
	rep, err = ScanServiceRequests(dir, testOptions(t), sink)
	var tm *TooManyBadRowsError
	if !errors.As(err, &tm) {
		t.Fatalf("over the threshold: err %v (%T)", err, err)
	}
	if rep.Bad != 7 || rep.Rows != 2000 || !reflect.DeepEqual(tm.Report, rep) {
		t.Errorf("report %+v", rep)
	}
	want := "service_requests.csv: 7 of 2000 rows are bad (0.35%, threshold 0.10%)"
	for i := range 5 {
		want += fmt.Sprintf("\n  service_requests.csv:%d: column \"rtt_ms\": negative value -1", i+2)
	}
	if err.Error() != want {
		t.Errorf("message\n got %s\nwant %s", err, want)
	}
	o := testOptions(t)
	o.MaxBadFraction = 0.005
	if _, err := ScanServiceRequests(dir, o, sink); err != nil {
		t.Errorf("with MaxBadFraction 0.5%%: %v", err)
	}
}

// srAgg is what a test sink collects: counts and sums by party, role,
// SRV and day, plus the sum of line numbers as a check on them.
type srAgg struct {
	count   map[string]int
	rtt     map[string]int64
	lineSum int64
}

func newSRAgg() *srAgg { return &srAgg{count: map[string]int{}, rtt: map[string]int64{}} }

func (a *srAgg) add(s *Symbols, r *ServiceRequest) {
	k := fmt.Sprintf("%s/%s/%s/%d/%s/%v/%d", s.Name(r.Party), r.Role, s.Name(r.SRV), r.Day, s.Name(r.DeviceModel), r.Success, r.Variant)
	a.count[k]++
	a.rtt[k] += r.RTT
	a.lineSum += r.Line
}

func (a *srAgg) merge(b *srAgg) {
	for k, v := range b.count {
		a.count[k] += v
	}
	for k, v := range b.rtt {
		a.rtt[k] += v
	}
	a.lineSum += b.lineSum
}

// scanSR scans dir with the given workers and block size and merges the
// per-worker aggregates.
func scanSR(t *testing.T, dir string, o Options, workers, block int) (*srAgg, FileReport) {
	t.Helper()
	o.Workers, o.BlockSize = workers, block
	var mu sync.Mutex
	var parts []*srAgg
	rep, err := ScanServiceRequests(dir, o, func(int) func(*ServiceRequest) {
		a := newSRAgg()
		mu.Lock()
		parts = append(parts, a)
		mu.Unlock()
		return func(r *ServiceRequest) { a.add(o.Symbols, r) }
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != workers {
		t.Fatalf("newSink called %d times for %d workers", len(parts), workers)
	}
	total := newSRAgg()
	for _, p := range parts {
		total.merge(p)
	}
	return total, rep
}

func TestParallelAndGzipMatchSerial(t *testing.T) {
	content := genServiceRequests(20000, 1, 2)
	plain, gz := t.TempDir(), t.TempDir()
	writeFile(t, plain, "service_requests.csv", content)
	writeFile(t, gz, "service_requests.csv.gz", content)
	o := testOptions(t)
	ref, refRep := scanSR(t, plain, o, 1, 0)
	if refRep.Rows != 20000 || refRep.Bad != 0 || refRep.OutsidePeriod == 0 {
		t.Fatalf("reference report %+v", refRep)
	}
	n := 0
	for _, c := range ref.count {
		n += c
	}
	if int64(n) != refRep.Rows-refRep.OutsidePeriod {
		t.Fatalf("sinks saw %d rows, report says %d in period", n, refRep.Rows-refRep.OutsidePeriod)
	}
	for _, c := range []struct {
		dir            string
		workers, block int
	}{{plain, 4, 4096}, {plain, 2, 1000}, {plain, 3, 1}, {gz, 1, 0}, {gz, 4, 8192}} {
		got, rep := scanSR(t, c.dir, o, c.workers, c.block)
		if !reflect.DeepEqual(got, ref) {
			t.Errorf("%+v: aggregates differ from the serial scan", c)
		}
		rep.File, rep.Bytes = refRep.File, refRep.Bytes
		if !reflect.DeepEqual(rep, refRep) {
			t.Errorf("%+v: report %+v, want %+v", c, rep, refRep)
		}
	}
}

// TestLineNumbersAcrossBlocks puts bad rows after quoted newlines and
// checks their line numbers whatever the block size.
func TestLineNumbersAcrossBlocks(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Join(srHeader, ",") + "\n")
	line := 2
	var want []string
	for i := range 300 {
		switch i % 3 {
		case 0:
			b.WriteString(srLine(map[string]string{"device_model": "\"multi\r\nline\nmodel\""}))
			line += 3
		case 1:
			b.WriteString(srLine(map[string]string{"region": "Mars"}))
			if len(want) < 5 {
				want = append(want, fmt.Sprintf(`service_requests.csv:%d: column "region": value "Mars" not one of North, Central, South`, line))
			}
			line++
		case 2:
			b.WriteString("\r\n")
			line++
		}
	}
	dir := t.TempDir()
	writeFile(t, dir, "service_requests.csv", b.String())
	for _, c := range [][2]int{{1, 0}, {2, 1}, {3, 50}, {2, 333}} {
		o := testOptions(t)
		o.MaxBadFraction, o.Workers, o.BlockSize = 1, c[0], c[1]
		rep, err := ScanServiceRequests(dir, o, func(int) func(*ServiceRequest) { return func(*ServiceRequest) {} })
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 200 || rep.Bad != 100 || !reflect.DeepEqual(rep.Examples, want) {
			t.Errorf("workers %d block %d: rows %d bad %d examples\n%s\nwant\n%s", c[0], c[1], rep.Rows, rep.Bad,
				strings.Join(rep.Examples, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestLondonDays checks day assignment around the 25-hour day (clocks go
// back at 02:00 BST on Sunday 25 October 2026) with +01:00 and Z stamps.
func TestLondonDays(t *testing.T) {
	tests := []struct {
		at  string
		day int // 0-based; -1 outside the period
	}{
		{"2026-09-30T22:59:59.999Z", -1},
		{"2026-09-30T23:00:00Z", 0}, // 00:00 BST on 1 October
		{"2026-10-01T00:00:00+01:00", 0},
		{"2026-10-24T23:59:59+01:00", 23},
		{"2026-10-25T00:00:00+01:00", 24},
		{"2026-10-24T23:00:00Z", 24},
		{"2026-10-25T01:59:59+01:00", 24}, // first 01:xx
		{"2026-10-25T01:30:00Z", 24},      // second 01:xx (GMT)
		{"2026-10-25T23:59:59.999Z", 24},  // 25 hours after the day began
		{"2026-10-26T00:00:00Z", 25},
		{"2026-10-26T00:30:00+01:00", 24}, // = 2026-10-25T23:30Z
		{"2026-10-31T23:59:59.999Z", 30},
		{"2026-11-01T00:00:00Z", -1},
		{"2026-11-01T00:00:00+01:00", 30}, // = 2026-10-31T23:00Z
	}
	var b strings.Builder
	b.WriteString(strings.Join(srHeader, ",") + "\n")
	for i, tt := range tests {
		b.WriteString(srLine(map[string]string{"submitted_at": tt.at, "command_variant": fmt.Sprint(i%8 + 1), "request_id": tt.at}))
	}
	dir := t.TempDir()
	writeFile(t, dir, "service_requests.csv", b.String())
	o := testOptions(t)
	got := map[int64]int{}
	var mu sync.Mutex // shared: the workers' sinks run concurrently
	rep, err := ScanServiceRequests(dir, o, func(int) func(*ServiceRequest) {
		return func(r *ServiceRequest) { mu.Lock(); got[r.Line] = r.Day; mu.Unlock() }
	})
	if err != nil {
		t.Fatal(err)
	}
	outside := 0
	for i, tt := range tests {
		day, ok := got[int64(i+2)]
		if tt.day < 0 {
			outside++
			if ok {
				t.Errorf("%s: passed with day %d, want outside the period", tt.at, day)
			}
			continue
		}
		if !ok || day != tt.day {
			t.Errorf("%s: day %d (passed %v), want %d", tt.at, day, ok, tt.day)
		}
	}
	if rep.OutsidePeriod != int64(outside) {
		t.Errorf("OutsidePeriod = %d, want %d", rep.OutsidePeriod, outside)
	}
	if h := o.Period.DayHours(24); h != 25 {
		t.Errorf("25 October has %d hours", h)
	}
}

func TestReadErrorsAreDataErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "incidents.csv.gz"), []byte("not gzip at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadIncidents(dir, testOptions(t))
	var de *DataError
	if !errors.As(err, &de) || de.File != filepath.Join(dir, "incidents.csv.gz") || !strings.Contains(de.Msg, "corrupt gzip stream") {
		t.Errorf("got %v", err)
	}
	// A line that never ends makes one huge record (an unbalanced quote
	// no longer can: see TestStrayQuoteLosesNoRow).
	big := "incident_id,category,start_at,end_at,regions,title\n" + strings.Repeat("x", maxRecordBytes+10)
	writeFile(t, t.TempDir(), "x", "")
	dir2 := t.TempDir()
	writeFile(t, dir2, "incidents.csv", big)
	_, _, err = ReadIncidents(dir2, testOptions(t))
	want := filepath.Join(dir2, "incidents.csv") + ":2: record longer than 16 MiB"
	if !errors.As(err, &de) || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
