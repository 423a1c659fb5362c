package synth

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/dcc/carport/internal/atomicfile"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/contract"
)

// The five extracts of the contract, and their headers (internal/contract
// holds the one list; its own test pins it against the contract's text).
var (
	extractFiles    []string
	contractHeaders = map[string]string{}
)

func init() {
	for _, f := range contract.Files {
		extractFiles = append(extractFiles, f.Name)
		contractHeaders[f.Name] = strings.Join(f.Header(), ",")
	}
}

// statusNames, the generator's statuses in order of their shares, are
// the contract's.
func TestStatusNamesAreTheContracts(t *testing.T) {
	got := slices.Sorted(slices.Values(statusNames))
	want := slices.Sorted(slices.Values(contract.CommissionedStatuses))
	if !slices.Equal(got, want) {
		t.Errorf("statuses %v, want the contract's %v", got, want)
	}
}

// A generated folder is shared by the tests that only read it.
var (
	genMu    sync.Mutex
	genCache = map[string]string{}
	genRoot  string
)

func TestMain(m *testing.M) {
	var err error
	genRoot, err = os.MkdirTemp("", "synth-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(genRoot)
	os.Exit(code)
}

func tinyScale(t testing.TB) Scale {
	t.Helper()
	s, err := ParseScale("tiny")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// generated returns the folder of a generation with these options, made
// once per test binary.
func generated(t testing.TB, period string, s Scale, seed uint64) string {
	t.Helper()
	genMu.Lock()
	defer genMu.Unlock()
	key := fmt.Sprintf("%s-%s-%d-%d-%d-%d-%d", period, s.Name, s.Parties, s.Devices, s.ServiceRequests, s.Alerts, seed)
	if dir, ok := genCache[key]; ok {
		return dir
	}
	dir := filepath.Join(genRoot, key)
	if _, err := Generate(Options{OutDir: dir, Period: period, Scale: s, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	genCache[key] = dir
	return dir
}

// readCSV parses a generated file with encoding/csv and returns the header
// and the records as maps by column.
func readCSV(t testing.TB, path string) ([]string, []map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	cr := csv.NewReader(r)
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	head := recs[0]
	rows := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(head))
		for i, c := range head {
			m[c] = rec[i]
		}
		rows = append(rows, m)
	}
	return head, rows
}

func TestParseScale(t *testing.T) {
	tests := []struct {
		name    string
		parties int
		sr      int
		err     string
	}{
		{"tiny", 12, 5_000, ""},
		{"small", 40, 500_000, ""},
		{"medium", 150, 10_000_000, ""},
		{"large", 300, 50_000_000, ""},
		{"huge", 0, 0, `unknown scale "huge" (want tiny, small, medium or large)`},
		{"", 0, 0, `unknown scale "" (want tiny, small, medium or large)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseScale(tt.name)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Parties != tt.parties || s.ServiceRequests != tt.sr || s.Name != tt.name {
				t.Fatalf("got %+v", s)
			}
		})
	}
	m, _ := ParseScale("medium")
	l, _ := ParseScale("large")
	if l.ServiceRequests+l.Alerts < 100_000_000 || l.Parties < m.Parties || l.Devices < m.Devices {
		t.Fatalf("large %+v: want at least 100 million events and medium's %+v parties and devices", l, m)
	}
}

func TestGenerateErrors(t *testing.T) {
	tiny := tinyScale(t)
	few := tiny
	few.Parties = 5
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"bad period", Options{OutDir: t.TempDir(), Period: "2026-13", Scale: tiny}, `period "2026-13" is not YYYY-MM`},
		{"too few parties", Options{OutDir: t.TempDir(), Period: "2026-10", Scale: few}, `scale "tiny": parties 5: need at least 12`},
		{"too many bad rows", Options{OutDir: t.TempDir(), Period: "2026-10", Scale: tiny, BadRows: 5001}, "bad rows 5001: want 0 to 5000 (the service requests of the scale)"},
		{"no folder", Options{Period: "2026-10", Scale: tiny}, "no output folder given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.o)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	tiny := tinyScale(t)
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := Generate(Options{OutDir: dir, Period: "2026-10", Scale: tiny, Seed: 42}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Generate(Options{OutDir: c, Period: "2026-10", Scale: tiny, Seed: 43}); err != nil {
		t.Fatal(err)
	}
	for _, name := range extractFiles {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	for _, name := range []string{"devices.csv", "service_requests.csv", "alerts.csv"} {
		x, _ := os.ReadFile(filepath.Join(a, name))
		z, _ := os.ReadFile(filepath.Join(c, name))
		if bytes.Equal(x, z) {
			t.Errorf("%s is the same for seeds 42 and 43", name)
		}
	}
}

func TestHeadersMatchContract(t *testing.T) {
	dir := generated(t, "2026-10", tinyScale(t), 1)
	for _, name := range extractFiles {
		head, _ := readCSV(t, filepath.Join(dir, name))
		if got := strings.Join(head, ","); got != contractHeaders[name] {
			t.Errorf("%s header\n got %s\nwant %s", name, got, contractHeaders[name])
		}
	}
}

// TestTinySummary checks what Generate reports of the tiny scale. (How
// fast it writes is BenchmarkGenerateSmallSR's to measure: a clock in a unit
// test fails on a busy machine and proves nothing on a quiet one.)
func TestTinySummary(t *testing.T) {
	tiny := tinyScale(t)
	dir := t.TempDir()
	sum, err := Generate(Options{OutDir: dir, Period: "2026-10", Scale: tiny, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows["devices.csv"] != int64(tiny.Devices) || sum.Rows["service_requests.csv"] != int64(tiny.ServiceRequests) {
		t.Fatalf("rows %v, want %d devices and %d service requests", sum.Rows, tiny.Devices, tiny.ServiceRequests)
	}
	if sum.Parties != tiny.Parties || sum.Bytes <= 0 || sum.Elapsed <= 0 {
		t.Fatalf("summary %+v", sum)
	}
	var total int64
	for _, name := range extractFiles {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		total += st.Size()
	}
	if total != sum.Bytes {
		t.Fatalf("Summary.Bytes %d, files hold %d", sum.Bytes, total)
	}
	var left []string
	for _, d := range []string{dir, filepath.Join(dir, "keys"), filepath.Join(dir, "identities")} {
		es, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if atomicfile.IsTemp(e.Name()) {
				left = append(left, filepath.Join(d, e.Name()))
			}
		}
	}
	if len(left) > 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

// partyRoles reads parties.csv as id -> set of roles.
func partyRoles(t testing.TB, dir string) (map[string]map[string]bool, []map[string]string) {
	_, rows := readCSV(t, filepath.Join(dir, "parties.csv"))
	out := map[string]map[string]bool{}
	for _, r := range rows {
		if out[r["party_id"]] == nil {
			out[r["party_id"]] = map[string]bool{}
		}
		if out[r["party_id"]][r["user_role"]] {
			t.Errorf("party %s role %s twice", r["party_id"], r["user_role"])
		}
		out[r["party_id"]][r["user_role"]] = true
	}
	return out, rows
}

var (
	euiRE      = regexp.MustCompile(`^[0-9A-F]{2}(-[0-9A-F]{2}){7}$`)
	mpanRE     = regexp.MustCompile(`^[0-9]{13}$`)
	mprnRE     = regexp.MustCompile(`^[0-9]{6,10}$`)
	postcodeRE = regexp.MustCompile(`^[A-Z]{1,2}[0-9]{1,2} [0-9][A-Z]{2}$`)
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

func validMPAN(s string) bool {
	if !mpanRE.MatchString(s) {
		return false
	}
	w := []int{3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43}
	sum := 0
	for i := 0; i < 12; i++ {
		sum += int(s[i]-'0') * w[i]
	}
	return int(s[12]-'0') == sum%11%10
}

func TestDevices(t *testing.T) {
	dir := generated(t, "2026-10", tinyScale(t), 1)
	parties, _ := partyRoles(t, dir)
	_, devs := readCSV(t, filepath.Join(dir, "devices.csv"))
	seen := map[string]bool{}
	types := map[string]int{}
	var smets1, meters, prepay, soonCPL, soonCert, cos int
	last := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	owner := func(d map[string]string, col, role string) {
		if id := d[col]; id != "" && !parties[id][role] {
			t.Errorf("device %s: %s %s is not a party with role %s", d["device_id"], col, id, role)
		}
	}
	for _, d := range devs {
		id := d["device_id"]
		if !euiRE.MatchString(id) {
			t.Errorf("device id %q is not EUI-64", id)
		}
		if seen[id] {
			t.Errorf("device id %s twice", id)
		}
		seen[id] = true
		types[d["device_type"]]++
		owner(d, "import_supplier_id", "IS")
		owner(d, "export_supplier_id", "ES")
		owner(d, "gas_supplier_id", "GS")
		owner(d, "dno_id", "ED")
		switch d["device_type"] {
		case "ESME":
			meters++
			if d["import_supplier_id"] == "" || !validMPAN(d["mpxn"]) {
				t.Errorf("ESME %s: supplier %q mpxn %q", id, d["import_supplier_id"], d["mpxn"])
			}
		case "GSME":
			meters++
			if d["gas_supplier_id"] == "" || !mprnRE.MatchString(d["mpxn"]) {
				t.Errorf("GSME %s: supplier %q mpxn %q", id, d["gas_supplier_id"], d["mpxn"])
			}
		}
		if d["smets_version"] == "SMETS1" {
			smets1++
		}
		if d["prepayment"] == "true" && (d["device_type"] == "ESME" || d["device_type"] == "GSME") {
			prepay++
		}
		if pc := d["postcode"]; pc != "" && !postcodeRE.MatchString(pc) {
			t.Errorf("postcode %q", pc)
		}
		for _, col := range []string{"cpl_expiry_date", "cert_expiry_date", "cos_start_date", "cos_end_date"} {
			if v := d[col]; v != "" && !dateRE.MatchString(v) {
				t.Errorf("%s %q", col, v)
			}
		}
		if v := d["cpl_expiry_date"]; v != "" {
			if x, _ := time.Parse(time.DateOnly, v); x.Sub(last) <= 30*24*time.Hour {
				soonCPL++
			}
		}
		if v := d["cert_expiry_date"]; v != "" {
			if x, _ := time.Parse(time.DateOnly, v); x.Sub(last) <= 90*24*time.Hour {
				soonCert++
			}
		}
		if d["cos_start_date"] != "" {
			cos++
		}
		if n, err := strconv.Atoi(d["outage_alert_count"]); err != nil || n < 0 {
			t.Errorf("outage_alert_count %q", d["outage_alert_count"])
		}
	}
	for _, typ := range []string{"ESME", "GSME", "CHF", "GPF", "IHD", "PPMID", "HCALCS"} {
		if types[typ] == 0 {
			t.Errorf("no %s devices in %v", typ, types)
		}
	}
	share := float64(smets1) / float64(len(devs))
	if share < 0.18 || share > 0.32 {
		t.Errorf("SMETS1 share %.3f, want about 0.25", share)
	}
	if p := float64(prepay) / float64(meters); p < 0.09 || p > 0.21 {
		t.Errorf("prepayment share of meters %.3f, want about 0.15", p)
	}
	if soonCPL == 0 || soonCert == 0 || cos == 0 {
		t.Errorf("cpl expiring soon %d, cert expiring soon %d, change of supplier %d: want some of each", soonCPL, soonCert, cos)
	}
}

// checkTS parses an RFC 3339 timestamp and records its style.
func checkTS(t testing.TB, what, s string, styles map[string]int) time.Time {
	t.Helper()
	x, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%s %q: %v", what, s, err)
	}
	switch {
	case strings.HasSuffix(s, "Z"):
		styles["Z"]++
	case strings.HasSuffix(s, "+01:00"):
		styles["+01:00"]++
	case strings.HasSuffix(s, "+00:00"):
		styles["+00:00"]++
	}
	// A local offset must be London's offset at that instant.
	if !strings.HasSuffix(s, "Z") {
		_, want := x.In(contract.London).Zone()
		if _, off := x.Zone(); off != want {
			t.Errorf("%s %q: offset %d, London has %d", what, s, off, want)
		}
	}
	return x
}

func TestServiceRequests(t *testing.T) {
	dir := generated(t, "2026-10", tinyScale(t), 1)
	per, _ := contract.ParsePeriod("2026-10")
	parties, _ := partyRoles(t, dir)
	_, rows := readCSV(t, filepath.Join(dir, "service_requests.csv"))
	eligible := map[string]map[string]bool{}
	for _, d := range srvCatalogue {
		eligible[d.srv] = map[string]bool{}
		for r, code := range roleCodes {
			if d.roles&(1<<r) != 0 {
				eligible[d.srv][code] = true
			}
		}
	}
	styles := map[string]int{}
	ids := map[string]bool{}
	var reads, nullRTT, fails int
	codes := map[string]int{}
	for _, r := range rows {
		if ids[r["request_id"]] {
			t.Errorf("request id %s twice", r["request_id"])
		}
		ids[r["request_id"]] = true
		if !parties[r["party_id"]][r["user_role"]] {
			t.Errorf("request %s: party %s has no role %s in parties.csv", r["request_id"], r["party_id"], r["user_role"])
		}
		if !eligible[r["srv"]][r["user_role"]] {
			t.Errorf("request %s: %s may not send %s", r["request_id"], r["user_role"], r["srv"])
		}
		at := checkTS(t, "submitted_at", r["submitted_at"], styles)
		if per.DayOf(at.UnixMilli()) < 0 {
			t.Errorf("request %s submitted outside the period: %s", r["request_id"], r["submitted_at"])
		}
		if v := r["command_variant"]; v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 8 {
				t.Errorf("command_variant %q", v)
			}
		}
		if v := r["rtt_ms"]; v == "" {
			nullRTT++
		} else if n, err := strconv.Atoi(v); err != nil || n < 0 {
			t.Errorf("rtt_ms %q", v)
		}
		switch r["outcome"] {
		case "success":
			if r["response_code"] != "I0" || r["rtt_ms"] == "" {
				t.Errorf("success with code %q rtt %q", r["response_code"], r["rtt_ms"])
			}
		case "failure":
			fails++
			codes[r["response_code"]]++
			if !strings.HasPrefix(r["response_code"], "E") {
				t.Errorf("failure with code %q", r["response_code"])
			}
		default:
			t.Errorf("outcome %q", r["outcome"])
		}
		switch r["srv"] {
		case "4.1.1", "4.6.1", "4.8.1", "4.17":
			reads++
		}
		if !slices.Contains([]string{"North", "Central", "South"}, r["region"]) ||
			!slices.Contains([]string{"SMETS1", "SMETS2"}, r["smets_version"]) ||
			!slices.Contains(typeNames[:], r["device_type"]) {
			t.Errorf("enum out of range in %v", r)
		}
		if r["device_type"] == "CHF" && (r["device_model"] != r["chf_model"] || r["device_firmware"] != r["chf_firmware"]) {
			t.Errorf("request to a hub names another hub: %v", r)
		}
		if v := r["chf_variant"]; v != "single-band" && v != "dual-band" {
			t.Errorf("chf_variant %q", v)
		}
		if r["user_role"] == "GS" && r["device_type"] == "ESME" {
			t.Errorf("gas supplier request to an ESME: %v", r)
		}
	}
	if share := float64(reads) / float64(len(rows)); share < 0.55 || share > 0.65 {
		t.Errorf("reads are %.3f of requests, want about 0.60", share)
	}
	if styles["Z"] == 0 || styles["+01:00"] == 0 || styles["+00:00"] == 0 {
		t.Errorf("timestamp styles %v: want Z, +01:00 and +00:00", styles)
	}
	if nullRTT == 0 || fails == 0 || len(codes) < 5 {
		t.Errorf("null rtt %d, failures %d by code %v: want a mix", nullRTT, fails, codes)
	}
}

// TestRequestsFollowTheLondonDay checks that the day the clocks go back (25
// October 2026, 25 hours) carries more requests than an average day and the
// day they go forward (29 March 2026, 23 hours) fewer.
func TestRequestsFollowTheLondonDay(t *testing.T) {
	tests := []struct {
		period string
		day    int // 1-based
		more   bool
	}{
		{"2026-10", 25, true},
		{"2026-03", 29, false},
	}
	for _, tt := range tests {
		t.Run(tt.period, func(t *testing.T) {
			dir := generated(t, tt.period, tinyScale(t), 1)
			per, _ := contract.ParsePeriod(tt.period)
			_, rows := readCSV(t, filepath.Join(dir, "service_requests.csv"))
			perDay := make([]int, per.Days())
			for _, r := range rows {
				at, _ := time.Parse(time.RFC3339Nano, r["submitted_at"])
				perDay[per.DayOf(at.UnixMilli())]++
			}
			others := 0
			for i, n := range perDay {
				if i != tt.day-1 {
					others += n
				}
			}
			mean := float64(others) / float64(per.Days()-1)
			ratio := float64(perDay[tt.day-1]) / mean
			if tt.more && ratio < 1.03 || !tt.more && ratio > 0.97 {
				t.Fatalf("day %d has %d requests, %.3f of the mean of other days (%v)", tt.day, perDay[tt.day-1], ratio, perDay)
			}
		})
	}
}

func TestSRVTableMatchesCatalogue(t *testing.T) {
	var cat struct {
		SRV []struct {
			ID    string   `toml:"id"`
			Roles []string `toml:"roles"`
		} `toml:"srv"`
	}
	if _, err := toml.DecodeFile("../../reportdefs/catalogue/srvs.toml", &cat); err != nil {
		t.Fatal(err)
	}
	if len(cat.SRV) != len(srvCatalogue) {
		t.Fatalf("catalogue has %d SRVs, the table %d", len(cat.SRV), len(srvCatalogue))
	}
	for i, s := range cat.SRV {
		d := srvCatalogue[i]
		var roles []string
		for r, code := range roleCodes {
			if d.roles&(1<<r) != 0 {
				roles = append(roles, code)
			}
		}
		want := slices.Clone(s.Roles)
		slices.Sort(want)
		slices.Sort(roles)
		if d.srv != s.ID || !slices.Equal(roles, want) {
			t.Errorf("table has %s %v, catalogue %s %v", d.srv, roles, s.ID, want)
		}
	}
}

func TestAlerts(t *testing.T) {
	s := tinyScale(t)
	// Enough devices that follow-up rules rarely match another episode's alert.
	s.Name, s.Devices, s.Alerts = "tiny-alerts", 50_000, 40_000
	dir := generated(t, "2026-10", s, 3)
	per, _ := contract.ParsePeriod("2026-10")
	endMS := per.End().AddDate(0, 0, 7).UnixMilli()
	parties, _ := partyRoles(t, dir)
	_, devs := readCSV(t, filepath.Join(dir, "devices.csv"))
	devType := map[string]string{}
	for _, d := range devs {
		devType[d["device_id"]] = d["device_type"]
	}
	var codes struct {
		Alert []struct {
			Code string `toml:"code"`
		} `toml:"alert"`
	}
	if _, err := toml.DecodeFile("../../reportdefs/catalogue/alerts.toml", &codes); err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, a := range codes.Alert {
		known[a.Code] = true
	}
	_, rows := readCSV(t, filepath.Join(dir, "alerts.csv"))
	styles := map[string]int{}
	ids := map[string]bool{}
	var inPeriod, failed, after int
	type ev struct {
		ms int64
		id string
	}
	ed := map[string]map[string][]ev{} // code -> party|device -> events
	for _, r := range rows {
		if ids[r["alert_id"]] {
			t.Errorf("alert id %s twice", r["alert_id"])
		}
		ids[r["alert_id"]] = true
		if !parties[r["party_id"]][r["user_role"]] {
			t.Errorf("alert %s: party %s has no role %s", r["alert_id"], r["party_id"], r["user_role"])
		}
		if !slices.Contains([]string{"IS", "GS", "ES", "ED"}, r["user_role"]) {
			t.Errorf("alert to role %s", r["user_role"])
		}
		if !known[r["alert_code"]] {
			t.Errorf("alert code %s not in the catalogue", r["alert_code"])
		}
		dcc := strings.HasPrefix(r["alert_code"], "N") || r["alert_code"] == "AD1"
		if src := r["alert_source"]; dcc && src != "dcc" || !dcc && src != "device" {
			t.Errorf("alert %s source %s", r["alert_code"], src)
		}
		if typ, ok := devType[r["device_id"]]; !ok || typ != r["device_type"] {
			t.Errorf("alert %s: device %s (%s) is not a %s of devices.csv", r["alert_id"], r["device_id"], typ, r["device_type"])
		}
		if es := r["energy_supplier_id"]; !parties[es]["IS"] && !parties[es]["GS"] && !parties[es]["ES"] {
			t.Errorf("alert %s: energy supplier %q", r["alert_id"], es)
		}
		gen := checkTS(t, "generated_at", r["generated_at"], styles)
		ms := gen.UnixMilli()
		if ms < per.StartMS() || ms >= endMS {
			t.Errorf("alert %s generated at %s, outside the extract window", r["alert_id"], r["generated_at"])
		}
		if per.DayOf(ms) >= 0 {
			inPeriod++
		} else {
			after++
		}
		switch r["outcome"] {
		case "delivered":
			del := checkTS(t, "delivered_at", r["delivered_at"], styles)
			if del.Before(gen) || r["reason_code"] != "" {
				t.Errorf("alert %s delivered %s before generated %s or with reason %q", r["alert_id"], r["delivered_at"], r["generated_at"], r["reason_code"])
			}
		case "failed":
			failed++
			if r["delivered_at"] != "" || r["reason_code"] == "" {
				t.Errorf("failed alert %s: delivered_at %q reason %q", r["alert_id"], r["delivered_at"], r["reason_code"])
			}
		default:
			t.Errorf("outcome %q", r["outcome"])
		}
		if r["user_role"] == "ED" {
			c := r["alert_code"]
			if ed[c] == nil {
				ed[c] = map[string][]ev{}
			}
			k := r["party_id"] + "|" + r["device_id"]
			ed[c][k] = append(ed[c][k], ev{ms, r["alert_id"]})
		}
	}
	if r := float64(inPeriod) / float64(s.Alerts); r < 0.9 || r > 1.1 {
		t.Errorf("%d alerts in the period, want about %d", inPeriod, s.Alerts)
	}
	if after == 0 || failed == 0 {
		t.Errorf("alerts after the period %d, failed %d: want some of each", after, failed)
	}
	// Follow-up sequences for distributors.
	const day = int64(24 * time.Hour / time.Millisecond)
	within := func(code, key string, from, to int64) bool {
		for _, e := range ed[code][key] {
			if e.ms > from && e.ms <= to {
				return true
			}
		}
		return false
	}
	var ad1, met, late int
	for key, evs := range ed["AD1"] {
		for _, e := range evs {
			if per.DayOf(e.ms) < 0 || e.ms+day > endMS-day {
				continue
			}
			ad1++
			switch {
			case within("8F35", key, e.ms, e.ms+day):
				met++
			case within("8F35", key, e.ms+day, e.ms+2*day):
				late++
			}
		}
	}
	if ad1 < 200 {
		t.Fatalf("only %d AD1 alerts to distributors", ad1)
	}
	if m := float64(met) / float64(ad1); m < 0.65 || m > 0.90 || late == 0 || met+late == ad1 {
		t.Errorf("AD1: %d, restored within 24 h %d, late %d: want most within, some late, some never", ad1, met, late)
	}
	restoredAlone := 0
	for key, evs := range ed["8F35"] {
		for _, e := range evs {
			found := false
			for _, a := range ed["AD1"][key] {
				if a.ms < e.ms && a.ms >= e.ms-day {
					found = true
				}
			}
			if !found {
				restoredAlone++
			}
		}
	}
	var n16, n42met, n16late int
	for key, evs := range ed["N16"] {
		for _, e := range evs {
			if per.DayOf(e.ms) < 0 {
				continue
			}
			n16++
			if e.ms >= per.EndMS()-7*day {
				n16late++
			}
			if within("N42", key, e.ms, e.ms+7*day) {
				n42met++
			}
		}
	}
	if restoredAlone == 0 || n16 < 100 || n16late == 0 {
		t.Errorf("restorations without AD1 %d, N16 %d (%d in the last 7 days): want some", restoredAlone, n16, n16late)
	}
	if m := float64(n42met) / float64(n16); m < 0.6 || m > 0.9 {
		t.Errorf("N16 followed by N42 within 7 days: %.2f, want most but not all", m)
	}
}

func TestIncidents(t *testing.T) {
	s := tinyScale(t)
	s.Name, s.ServiceRequests = "tiny-requests", 100_000
	dir := generated(t, "2026-10", s, 5)
	per, _ := contract.ParsePeriod("2026-10")
	_, incs := readCSV(t, filepath.Join(dir, "incidents.csv"))
	if len(incs) < 2 || len(incs) > 3 {
		t.Fatalf("%d incidents, want 2 or 3", len(incs))
	}
	type window struct {
		from, to int64
		regions  string
	}
	var ws []window
	var all, single bool
	for _, in := range incs {
		if in["category"] != "1" && in["category"] != "2" || !strings.HasPrefix(in["incident_id"], "INC") {
			t.Errorf("incident %v", in)
		}
		st, _ := time.Parse(time.RFC3339, in["start_at"])
		end := per.EndMS()
		if in["end_at"] != "" {
			e, _ := time.Parse(time.RFC3339, in["end_at"])
			end = e.UnixMilli()
		}
		all = all || in["regions"] == "all"
		single = single || slices.Contains([]string{"North", "Central", "South"}, in["regions"])
		ws = append(ws, window{st.UnixMilli(), end, in["regions"]})
	}
	if !all || !single {
		t.Errorf("incidents %v: want one for all regions and one for a single region", incs)
	}
	_, rows := readCSV(t, filepath.Join(dir, "service_requests.csv"))
	var in, inFail, out, outFail int
	var inRTT, outRTT []float64
	for _, r := range rows {
		at, _ := time.Parse(time.RFC3339Nano, r["submitted_at"])
		ms := at.UnixMilli()
		hit := false
		for _, w := range ws {
			if ms >= w.from && ms < w.to && (w.regions == "all" || strings.Contains(w.regions, r["region"])) {
				hit = true
			}
		}
		rtt, err := strconv.ParseFloat(r["rtt_ms"], 64)
		ok := r["outcome"] == "success"
		if hit {
			in++
			if !ok {
				inFail++
			} else if err == nil {
				inRTT = append(inRTT, rtt)
			}
		} else {
			out++
			if !ok {
				outFail++
			} else if err == nil {
				outRTT = append(outRTT, rtt)
			}
		}
	}
	fin, fout := float64(inFail)/float64(in), float64(outFail)/float64(out)
	if in < 100 || fin < 2*fout {
		t.Errorf("failure rate %.3f during incidents (%d requests) vs %.3f outside: want clearly higher", fin, in, fout)
	}
	slices.Sort(inRTT)
	slices.Sort(outRTT)
	if mi, mo := inRTT[len(inRTT)/2], outRTT[len(outRTT)/2]; mi < 1.5*mo {
		t.Errorf("median rtt %.0f ms during incidents vs %.0f outside: want longer", mi, mo)
	}
}

// TestRequestsDifferByPartyAndFirmware checks that league tables are not
// flat: parties' success rates differ and some firmware fails clearly more
// than the other firmware of its model.
func TestRequestsDifferByPartyAndFirmware(t *testing.T) {
	s := tinyScale(t)
	s.Name, s.ServiceRequests = "tiny-requests", 100_000
	dir := generated(t, "2026-10", s, 5)
	_, rows := readCSV(t, filepath.Join(dir, "service_requests.csv"))
	type tally struct{ n, fail int }
	byParty := map[string]*tally{}
	byFW := map[[2]string]*tally{}
	for _, r := range rows {
		for _, k := range []struct {
			m   map[string]*tally
			key string
		}{{byParty, r["party_id"] + "/" + r["user_role"]}} {
			if k.m[k.key] == nil {
				k.m[k.key] = &tally{}
			}
		}
		fk := [2]string{r["device_model"], r["device_firmware"]}
		if byFW[fk] == nil {
			byFW[fk] = &tally{}
		}
		bp, bf := byParty[r["party_id"]+"/"+r["user_role"]], byFW[fk]
		bp.n++
		bf.n++
		if r["outcome"] == "failure" {
			bp.fail++
			bf.fail++
		}
	}
	lo, hi := 1.0, 0.0
	for k, v := range byParty {
		if v.n < 2000 || !strings.HasSuffix(k, "/IS") {
			continue
		}
		rate := 1 - float64(v.fail)/float64(v.n)
		lo, hi = math.Min(lo, rate), math.Max(hi, rate)
	}
	if hi-lo < 0.02 {
		t.Errorf("IS success rates between %.3f and %.3f: want parties to differ", lo, hi)
	}
	worse := 0
	for k, v := range byFW {
		if v.n < 500 {
			continue
		}
		var sib tally
		for k2, v2 := range byFW {
			if k2[0] == k[0] && k2[1] != k[1] {
				sib.n += v2.n
				sib.fail += v2.fail
			}
		}
		if sib.n >= 500 && float64(v.fail)/float64(v.n) > 2*float64(sib.fail)/float64(sib.n) {
			worse++
		}
	}
	if worse == 0 {
		t.Error("no firmware fails more than twice as often as the rest of its model")
	}
}

func TestPartiesAtEveryScale(t *testing.T) {
	idRE := regexp.MustCompile(`^[A-Z0-9]{4,6}$`)
	for _, name := range []string{"tiny", "small", "medium"} {
		t.Run(name, func(t *testing.T) {
			s, _ := ParseScale(name)
			ps, err := makeParties(s.Parties, 9)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps.list) != s.Parties {
				t.Fatalf("%d parties, want %d", len(ps.list), s.Parties)
			}
			counts := map[string]int{}
			emails := 0
			for i, p := range ps.list {
				if !idRE.MatchString(p.id) {
					t.Errorf("party id %q", p.id)
				}
				if p.email != "" {
					emails++
				}
				for r, code := range roleCodes {
					if p.roles&(1<<r) != 0 {
						counts[code]++
					}
				}
				for j, q := range ps.list {
					if i != j && (strings.Contains(q.id, p.id) || strings.Contains(q.name, p.id) || strings.Contains(q.email, p.id)) {
						t.Errorf("id %s is inside party %s (%q, %q)", p.id, q.id, q.name, q.email)
					}
				}
				for _, v := range vocabulary() {
					if strings.Contains(v, p.id) {
						t.Errorf("id %s is inside generated text %q", p.id, v)
					}
				}
			}
			if emails < len(ps.list)*2/3 {
				t.Errorf("only %d of %d parties have a contact email", emails, len(ps.list))
			}
			for _, code := range roleCodes {
				if counts[code] == 0 {
					t.Errorf("no party holds %s: %v", code, counts)
				}
			}
			if counts["IS"] < 6 || counts["GS"] < 6 {
				t.Errorf("role counts %v: want at least 6 IS and 6 GS so peers reach k=5", counts)
			}
			if name == "tiny" {
				small := false
				for _, n := range counts {
					small = small || n < 6
				}
				if !small {
					t.Errorf("role counts %v: want some role with fewer than 6 parties", counts)
				}
			}
			if name == "medium" && (counts["ED"] != 17 || counts["GT"] != 4) {
				t.Errorf("role counts %v: want 14 DNOs + 3 independents and 4 gas transporters", counts)
			}
		})
	}
}

func TestBadRows(t *testing.T) {
	dir := t.TempDir()
	s := tinyScale(t)
	if _, err := Generate(Options{OutDir: dir, Period: "2026-10", Scale: s, Seed: 1, BadRows: 12}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "service_requests.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	col := func(name string) int { return slices.Index(head, name) }
	bad := 0
	for _, rec := range recs[1:] {
		if len(rec) != len(head) {
			bad++
			continue
		}
		_, terr := time.Parse(time.RFC3339Nano, rec[col("submitted_at")])
		rtt := rec[col("rtt_ms")]
		n, rerr := strconv.Atoi(rtt)
		switch {
		case terr != nil,
			rec[col("outcome")] != "success" && rec[col("outcome")] != "failure",
			rtt != "" && (rerr != nil || n < 0),
			!slices.Contains([]string{"North", "Central", "South"}, rec[col("region")]):
			bad++
		}
	}
	if bad != 12 || len(recs)-1 != s.ServiceRequests {
		t.Fatalf("%d bad rows of %d, want 12 of %d", bad, len(recs)-1, s.ServiceRequests)
	}
}

func TestGzipAndKeys(t *testing.T) {
	dir := t.TempDir()
	s := tinyScale(t)
	var progress bytes.Buffer
	// A stale plain file must give way to the gzipped one.
	if err := os.WriteFile(filepath.Join(dir, "alerts.csv"), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := Generate(Options{OutDir: dir, Period: "2026-10", Scale: s, Seed: 1, Gzip: true, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	plain := generated(t, "2026-10", s, 1)
	for _, name := range extractFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s exists next to %s.gz", name, name)
		}
		zf, err := os.Open(filepath.Join(dir, name+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(zf)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		zf.Close()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(filepath.Join(plain, name))
		if !bytes.Equal(got, want) {
			t.Errorf("%s.gz does not hold the plain file's bytes", name)
		}
		if !strings.Contains(progress.String(), "wrote "+name+".gz: "+strconv.FormatInt(sum.Rows[name], 10)+" rows") {
			t.Errorf("progress lacks %s:\n%s", name, progress.String())
		}
	}
	if !strings.Contains(progress.String(), "rows/s") {
		t.Errorf("progress has no rate:\n%s", progress.String())
	}

	_, prow := readCSV(t, filepath.Join(dir, "parties.csv.gz"))
	ids := map[string]bool{}
	for _, p := range prow {
		ids[p["party_id"]] = true
	}
	for id := range ids {
		pub, err := os.ReadFile(filepath.Join(dir, "keys", id+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(pub)), "\n")
		if len(lines) != 2 || lines[0] != "# demo recipient for "+id || !strings.HasPrefix(lines[1], "age1") {
			t.Errorf("keys/%s.txt:\n%s", id, pub)
		}
		secPath := filepath.Join(dir, "identities", id+".key")
		st, err := os.Stat(secPath)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", secPath, st.Mode().Perm())
		}
		sec, _ := os.ReadFile(secPath)
		if !strings.HasPrefix(string(sec), "# ") || !strings.Contains(string(sec), "\nAGE-SECRET-KEY-1") ||
			!strings.Contains(string(sec), lines[1]) {
			t.Errorf("%s does not hold a commented identity for %s", secPath, lines[1])
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "keys"))
	if len(entries) != len(ids)+1 {
		t.Errorf("%d key files for %d parties and the DCC signing key", len(entries), len(ids))
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, "keys", e.Name()))
		if bytes.Contains(b, []byte("AGE-SECRET-KEY")) || bytes.Contains(b, []byte("secret key")) {
			t.Errorf("keys/%s holds a secret", e.Name())
		}
	}
	// the demo signing pair: public in keys/, secret in identities/
	pub, err := bundle.ReadPublicKey(filepath.Join(dir, "keys", "dcc-signing.pub"))
	if err != nil {
		t.Fatal(err)
	}
	secPath := filepath.Join(dir, "identities", "dcc-signing.key")
	if st, err := os.Stat(secPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v", secPath, err)
	}
	sec, _ := os.ReadFile(secPath)
	if _, err := bundle.ParseSigner(sec, pub); err != nil {
		t.Errorf("demo signing pair: %v", err)
	}
}

func TestTimestampFormat(t *testing.T) {
	per, _ := contract.ParsePeriod("2026-10")
	z := newLondonZone(per.StartMS(), per.EndMS()+8*86_400_000)
	layouts := map[int]string{
		tsZMillis:     "2006-01-02T15:04:05.000Z07:00",
		tsZSeconds:    "2006-01-02T15:04:05Z07:00",
		tsLocalMillis: "2006-01-02T15:04:05.000-07:00",
		tsLocalSecs:   "2006-01-02T15:04:05-07:00",
	}
	// Instants around the clock change on 25 October 2026 (01:00 UTC) and
	// the ends of the period.
	change := time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC).UnixMilli()
	for _, ms := range []int64{per.StartMS(), per.StartMS() + 1, change - 1, change, change + 1, change - 3_600_000 + 250, per.EndMS() - 1, per.EndMS() + 7*86_400_000 - 1} {
		for style, layout := range layouts {
			tm := time.UnixMilli(ms).UTC()
			if style >= tsLocalMillis {
				tm = tm.In(contract.London)
			}
			want := tm.Format(layout)
			if style >= tsLocalMillis && strings.HasSuffix(want, "Z") {
				want = strings.TrimSuffix(want, "Z") + "+00:00"
			}
			if got := string(z.appendTS(nil, ms, style)); got != want {
				t.Errorf("appendTS(%d, %d) = %s, want %s", ms, style, got, want)
			}
		}
	}
	for _, d := range []string{"1970-01-01", "2000-02-29", "2026-10-31", "2028-12-31", "1969-12-31"} {
		tm, _ := time.Parse(time.DateOnly, d)
		if got := string(appendDate(nil, int64(math.Floor(float64(tm.Unix())/86400)))); got != d {
			t.Errorf("appendDate = %s, want %s", got, d)
		}
	}
}

// BenchmarkGenerateSmallSR measures service request generation alone and
// reports rows per second.
func BenchmarkGenerateSmallSR(b *testing.B) {
	s := Scale{Name: "bench", Parties: 40, Devices: 50_000, ServiceRequests: 200_000}
	dir := b.TempDir()
	for b.Loop() {
		sum, err := Generate(Options{OutDir: dir, Period: "2026-10", Scale: s, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sum.Rows["service_requests.csv"])/sum.Elapsed.Seconds(), "rows/s")
	}
}
