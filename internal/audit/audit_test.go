package audit

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/extract"
)

// month is the hand-built month of the CLI tests: SUPA's estate is devices
// 01 (with DNOA) and 02 (shared with SUPB); SUPC owns device 03 (MPRN
// 987654, postcode ZZ9 9ZZ); DNOA owns device 01.
var month = filepath.Join("..", "..", "cmd", "carport", "testdata", "month")

func index(t testing.TB, public ...[]byte) *Index {
	t.Helper()
	parties, _, err := extract.ReadParties(month)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(Options{Extracts: month, Parties: parties, StageDir: t.TempDir(), Workers: 2, Public: public})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func site(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if strings.HasSuffix(name, ".gz") {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write([]byte(body))
			zw.Close()
			body = b.String()
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const estateHeader = "device_id,sms_id,device_type,device_manufacturer,device_model,firmware_version,smets_version,csp_id,region,import_supplier_id,export_supplier_id,gas_supplier_id,dno_id,mpxn,postcode,last_read_at,last_alert_at,last_alert_code,commissioned_status,outage_alert_count,prepayment,cpl_expiry_date,cert_expiry_date,cos_start_date,cos_end_date,cpl_expires_within_30_days,cert_expires_within_90_days\n"

// cleanSUPA is an honest site of SUPA: its own name and id, its devices,
// the other owners of its own devices in the estate file, numbers that
// look like MPxNs but are decimals or colours.
func cleanSUPA() map[string]string {
	return map[string]string{
		"index.html":                       `<h1>Alpha Energy (SUPA)</h1><p>Customer Analytics Reporting SUPA 2026-10</p><a href="mailto:x?subject=Alpha%20Energy%20SUPA">Write</a>`,
		"data/IS/srv-4.1.1/league.csv":     "rank,party,success_rate,requests\n1,,0.987654,\n2,Alpha Energy,0.500000,4\n",
		"data/IS/srv-4.1.1/league.js":      `carport.view("x", {"color":["#987654"],"data":[{"value":0.987654}]})`,
		"data/IS/inventory/exceptions.csv": "device_id,device_type,device_model,firmware_version,mpxn,postcode,reason\n00-00-00-00-00-00-00-01,ESME,M1,F1,1234567890123,AB1 2CD,cpl-expiry\n",
		"data/IS/inventory/devices.csv.gz": estateHeader + "00-00-00-00-00-00-00-01,SMS1,ESME,MakerA,M1,F1,SMETS2,CSP-N,North,SUPA,,,DNOA,1234567890123,AB1 2CD,,,,Commissioned,0,false,2026-11-15,,,,true,false\n00-00-00-00-00-00-00-02,SMS1,CHF,HubCo,H1,F9,SMETS2,CSP-N,North,SUPA,,SUPB,,,AB1 2CD,,,,Commissioned,0,false,,2027-01-20,,,false,true\n",
		"IS/inventory.html":                `<td>00-00-00-00-00-00-00-01</td><td>AB1 2CD</td><td>1234567890123</td>`,
		"assets/site.js":                   "function sortTable(){ return 'ok' }",
		"data/IS/srvs-all/trend.csv":       "month,requests,successes,success_rate,industry_success_rate,rank,ranked\n2026-09,,,,,,\n2026-10,4,2,0.500000,0.900000,2,6\n",
		// figures equal to SUPC's MPRN 987654: a count, a round trip time
		// in a page script, a URL-encoded space before digits (%20987654)
		"data/IS/srv-4.1.1/daily.csv": "date,requests\n2026-10-01,987654\n",
		"data/IS/srv-4.1.1/page.js":   `carport.table("t", {}, "scope,requests,mean_ms\nyou,12,987654\n")`,
		"IS/srv-4.1.1.html":           `<a href="mailto:x?subject=Alpha%20987654">Write</a>`,
	}
}

func TestCleanSiteAuditsClean(t *testing.T) {
	ix := index(t)
	files := cleanSUPA()
	st, err := ix.Check("SUPA", site(t, files), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != len(files) || st.Estate != 2 || st.Bytes == 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestPlantedLeaksAreFound plants one leak at a time in SUPA's clean site
// and checks the audit names the file, line and kind, and never prints the
// leaked value whole.
//
// It runs on the index as built and as a worker process Opens it.
func TestPlantedLeaksAreFound(t *testing.T) {
	built := index(t)
	t.Run("built", func(t *testing.T) { plantLeaks(t, built) })
	mpxn, pcs := slices.Clone(built.mpxn), slices.Clone(built.pcs)
	if err := built.Save(); err != nil {
		t.Fatal(err)
	}
	defer built.Close()
	opened, err := Open(built.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer opened.Close()
	if !slices.Equal(opened.mpxn, mpxn) || !slices.Equal(opened.pcs, pcs) || len(mpxn) == 0 || len(pcs) == 0 {
		t.Fatalf("opened sets %v %v, built %v %v", opened.mpxn, opened.pcs, mpxn, pcs)
	}
	t.Run("saved", func(t *testing.T) { plantLeaks(t, built) })
	t.Run("opened", func(t *testing.T) { plantLeaks(t, opened) })
}

func plantLeaks(t *testing.T, ix *Index) {
	for _, tc := range []struct {
		name, file, body string
		kind             Kind
		line             int
		secret           string
	}{
		{"another party's MPRN in the exception list", "data/IS/inventory/exceptions.csv", "device_id,device_type,device_model,firmware_version,mpxn,postcode,reason\n00-00-00-00-00-00-00-01,ESME,M1,F1,987654,AB1 2CD,cpl-expiry\n", MPxN, 2, "987654"},
		{"another party's MPRN in the estate file", "data/IS/inventory/devices.csv.gz", estateHeader + "00-00-00-00-00-00-00-01,SMS1,ESME,MakerA,M1,F1,SMETS2,CSP-N,North,SUPA,,,DNOA,987654,AB1 2CD,,,,Commissioned,0,false,2026-11-15,,,,true,false\n", MPxN, 2, "987654"},
		{"another party's name", "about.html", "<p>unlike Bravo Power, you</p>", PartyName, 1, "Bravo Power"},
		{"another party's name, HTML-escaped", "about.html", "<p>Delta &#34;Home&#34; Energy</p>", PartyName, 1, "Delta &#34;Home&#34; Energy"},
		{"another party's name, JSON-escaped", "data/x.js", `{"name":"Delta \"Home\" Energy"}`, PartyName, 1, `Delta \"Home\" Energy`},
		{"another party's name in a URL", "index2.html", `<a href="mailto:x?subject=Charlie%20Gas">`, PartyName, 1, "Charlie%20Gas"},
		{"another party's id", "data/IS/srv-4.1.1/league.csv", "rank,party\n1,SUPC\n", PartyID, 2, "SUPC"},
		{"another party's id in a path", "data/SUPB/x.csv", "a\n", PartyID, 0, "SUPB"}, // found on data/SUPB first
		{"a counterparty id outside its column", "data/IS/inventory/models.csv", "device_type,device_model\nESME,DNOA\n", PartyID, 2, "DNOA"},
		{"another party's device", "data/IS/inventory/exceptions.csv", "device_id\n00-00-00-00-00-00-00-03\n", DeviceID, 2, "00-00-00-00-00-00-00-03"},
		{"an unknown device id", "IS/x.html", "<td>00-1b-c5-0c-00-00-12-34</td>", DeviceID, 1, "00-1b-c5-0c-00-00-12-34"},
		{"another party's postcode", "IS/x.html", "<td>ZZ9 9ZZ</td>", Postcode, 1, "ZZ9 9ZZ"},
		{"a foreign row in the estate file", "data/IS/inventory/devices.csv.gz", estateHeader + "00-00-00-00-00-00-00-03,SMS2,GSME,MakerG,G1,F2,SMETS2,CSP-S,South,,,SUPA,,987654,ZZ9 9ZZ,,,,Commissioned,1,true,,,,,false,false\n", DeviceID, 2, "00-00-00-00-00-00-00-03"},
		{"a peer's column in a trend", "data/IS/srvs-all/trend.csv", "month,requests,success_rate,peer_success_rate\n2026-10,4,0.5,0.75\n", TrendShape, 1, "month,requests,success_rate,peer_success_rate"},
		{"a trend row that is not a month", "data/IS/alerts-all/trend.csv", "month,alerts,delivered,delivery_rate,industry_delivery_rate,median_delivery_ms,industry_median_delivery_ms\n2026-10,5,5,1.000000,,,\npeer 1,9,9,1.000000,,,\n", TrendShape, 3, "peer 1"},
		{"another party's id in the estate file outside the owner columns", "data/IS/inventory/devices.csv.gz", estateHeader + "00-00-00-00-00-00-00-01,SMS1,ESME,MakerA,SUPE,F1,SMETS2,CSP-N,North,SUPA,,,DNOA,1234567890123,AB1 2CD,,,,Commissioned,0,false,,,,,false,false\n", PartyID, 2, "SUPE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := cleanSUPA()
			files[tc.file] = tc.body
			_, err := ix.Check("SUPA", site(t, files), nil)
			var le *LeakError
			if !errors.As(err, &le) {
				t.Fatalf("no leak found: %v", err)
			}
			f := le.Findings[0]
			wantFile := tc.file
			if tc.line == 0 {
				wantFile = "data/SU…"
			}
			if f.File != wantFile || f.Kind != tc.kind || f.Line != tc.line {
				t.Errorf("finding %+v, want %s:%d %s", f, tc.file, tc.line, tc.kind)
			}
			msg := err.Error()
			// the party is the caller's to name (the build says "party SUPA: …")
			if le.Party != "SUPA" || !strings.HasPrefix(msg, "leak audit failed") || !strings.Contains(msg, wantFile) || !strings.Contains(msg, string(tc.kind)) {
				t.Errorf("message %q", msg)
			}
			if strings.Contains(msg, tc.secret) {
				t.Errorf("message prints the leaked value %q whole: %q", tc.secret, msg)
			}
		})
	}
}

// TestCounterpartiesWhereTheContractAllows: the distributor's by-supplier
// view names the energy suppliers of its N16s, in the CSV and in that
// view's chart and page; the same id anywhere else is a leak.
func TestCounterpartiesWhereTheContractAllows(t *testing.T) {
	ix := index(t)
	files := map[string]string{
		"index.html":                           "<h1>Golf Networks</h1>",
		"data/ED/n16-n42/by-supplier.csv":      "energy_supplier_id,n16,met,failed,pending\nSUPA,1,0,1,0\n",
		"data/ED/n16-n42/page.js":              `carport.view("c", {"xAxis":{"data":["SUPA"]}})`,
		"ED/n16-n42.html":                      "<td>SUPA</td>",
		"data/ED/outage-unmatched/devices.csv": "rule,device_id,alert_id,generated_at\nAD1 without 8F35,00-00-00-00-00-00-00-01,A1,2026-10-10T10:00:00Z\n",
	}
	if _, err := ix.Check("DNOA", site(t, files), nil); err != nil {
		t.Fatalf("honest ED site: %v", err)
	}
	// an id not in by-supplier.csv, in its chart: a leak
	files["data/ED/n16-n42/page.js"] = `carport.view("c", {"xAxis":{"data":["SUPA","SUPB"]}})`
	_, err := ix.Check("DNOA", site(t, files), nil)
	if !IsLeak(err) || !strings.Contains(err.Error(), "data/ED/n16-n42/page.js:1: another party's id") {
		t.Errorf("SUPB in the chart: %v", err)
	}
	// an allowed id on another page: a leak
	files["data/ED/n16-n42/page.js"] = `carport.view("c", {"xAxis":{"data":["SUPA"]}})`
	files["ED/alerts-all.html"] = "<p>SUPA</p>"
	_, err = ix.Check("DNOA", site(t, files), nil)
	if !IsLeak(err) || !strings.Contains(err.Error(), "ED/alerts-all.html:1: another party's id") {
		t.Errorf("SUPA on another page: %v", err)
	}
	// a device of an alert sent to the party, not in its estate, is allowed
	// when the engine says the alert was the party's
	delete(files, "ED/alerts-all.html")
	files["data/ED/outage-unmatched/devices.csv"] = "rule,device_id\nAD1 without 8F35,00-00-00-00-00-00-00-09\n"
	if _, err := ix.Check("DNOA", site(t, files), []string{"00-00-00-00-00-00-00-09"}); err != nil {
		t.Errorf("alert device: %v", err)
	}
	if _, err := ix.Check("DNOA", site(t, files), nil); !IsLeak(err) {
		t.Errorf("device of nobody's alert: %v", err)
	}
}

func TestPublicFilesAreNotScanned(t *testing.T) {
	ix := index(t, []byte("var SUPB=1;")) // a public library that happens to hold an id
	files := cleanSUPA()
	delete(files, "data/IS/srv-4.1.1/daily.csv")
	files["assets/echarts.min.js"] = "var SUPB=1;"
	st, err := ix.Check("SUPA", site(t, files), nil)
	if err != nil || st.Skipped != 1 {
		t.Errorf("public file: %v, %+v", err, st)
	}
	files["assets/echarts.min.js"] = "var SUPB=2;" // changed: scanned
	if _, err := ix.Check("SUPA", site(t, files), nil); !IsLeak(err) {
		t.Errorf("changed library: %v", err)
	}
}

func TestOwnNameContainingAnotherIsNotALeak(t *testing.T) {
	ni := newNameIndex([]*extract.Party{{ID: "A", Name: "Alpha"}, {ID: "B", Name: "Alpha Energy"}})
	text := []byte("welcome Alpha Energy")
	if !ni.ownCovers(1, text, 8, 5) {
		t.Error("Alpha inside the recipient's Alpha Energy counted as a leak")
	}
	if ni.ownCovers(1, []byte("Alpha and Alpha Energy"), 0, 5) {
		t.Error("a lone Alpha was covered")
	}
}

func TestKeys(t *testing.T) {
	if _, ok := deviceKey([]byte("00-1B-C5-0C-00-00-12-34")); !ok {
		t.Error("device id")
	}
	a, _ := deviceKey([]byte("00-1b-c5-0c-00-00-12-34"))
	b, _ := deviceKey([]byte("00-1B-C5-0C-00-00-12-34"))
	if a != b {
		t.Error("device ids differ by case")
	}
	x, _ := mpxnKey([]byte("0123456"))
	y, _ := mpxnKey([]byte("123456"))
	if x == y {
		t.Error("leading zeros lost")
	}
	p, _ := postcodeKey([]byte("SW1A 1AA"))
	q, _ := postcodeKey([]byte("sw1a1aa"))
	if p != q {
		t.Error("postcode spacing or case")
	}
	for s, want := range map[string]bool{"SW1A": true, "AB1": true, "N1": true, "ABC1": false, "1AB": false, "AB12": true, "A": false} {
		if outward([]byte(s)) != want {
			t.Errorf("outward(%q) != %v", s, want)
		}
	}
}

// TestSumsAreTheFilesBytes: Check reports the size and sha256 of every
// file as it is on disk (a gzip file compressed, a skipped public file
// too), for sealing to check against.
func TestSumsAreTheFilesBytes(t *testing.T) {
	ix := index(t, []byte("var lib=1;"))
	files := cleanSUPA()
	delete(files, "data/IS/srv-4.1.1/daily.csv")
	files["assets/echarts.min.js"] = "var lib=1;"
	dir := site(t, files)
	st, err := ix.Check("SUPA", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Sums) != len(files) || st.Skipped != 1 {
		t.Fatalf("%d sums, %d skipped, for %d files", len(st.Sums), st.Skipped, len(files))
	}
	for _, s := range st.Sums {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(s.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); s.Size != int64(len(b)) || s.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: audit read %d bytes, sha256 %s; the file has %d, %x", s.Path, s.Size, s.SHA256, len(b), sum)
		}
		if !bytes.Equal(s.Data, b) {
			t.Errorf("%s: kept %d bytes, want the file's %d", s.Path, len(s.Data), len(b))
		}
	}
	// a file too large to keep is streamed: summed, not kept
	big := bytes.Repeat([]byte("2026-10-01,1234,0.5\n"), keepFile/20+1)
	os.WriteFile(filepath.Join(dir, "data", "IS", "big.csv"), big, 0o644)
	st, err = ix.Check("SUPA", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(big)
	for _, s := range st.Sums {
		if s.Path == "data/IS/big.csv" && (s.Data != nil || s.Size != int64(len(big)) || s.SHA256 != hex.EncodeToString(sum[:])) {
			t.Errorf("big file: %d bytes kept, size %d, sha256 %s", len(s.Data), s.Size, s.SHA256)
		}
	}
}

// TestOpenRefusesWhatSaveDidNotWrite: a truncated or foreign sets file is
// an error, not an empty index.
func TestOpenRefusesWhatSaveDidNotWrite(t *testing.T) {
	ix := index(t)
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	sets := filepath.Join(ix.Dir(), setsName)
	b, _ := os.ReadFile(sets)
	for _, tc := range []struct{ name, body, want string }{
		{"truncated", string(b[:len(b)-8]), "leak audit: opening the index: sets.bin: "},
		{"foreign", "NOTMINE!" + string(b[8:]), "leak audit: opening the index: sets.bin: not a saved index"},
		{"ragged", string(b[:len(b)-3]), "leak audit: opening the index: map " + sets + ": invalid argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.WriteFile(sets, []byte(tc.body), 0o600)
			ox, err := Open(ix.Dir())
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v, want %s…", err, tc.want)
			}
			if ox != nil {
				t.Errorf("an index came back")
			}
		})
	}
}

// TestAnotherPartysMPANInText: a 13-digit MPAN stands out from any figure,
// so it is looked for in every file, a template's text included: SUPA and
// DNOA's meter 1234567890123 in SUPC's site is a leak.
func TestAnotherPartysMPANInText(t *testing.T) {
	ix := index(t)
	_, err := ix.Check("SUPC", site(t, map[string]string{"index.html": "<h1>Charlie</h1>\n<p>meter 1234567890123</p>"}), nil)
	var le *LeakError
	if !errors.As(err, &le) {
		t.Fatalf("no leak found: %v", err)
	}
	if f := le.Findings[0]; f.File != "index.html" || f.Line != 2 || f.Kind != MPxN {
		t.Errorf("finding %+v, want index.html:2 %s", f, MPxN)
	}
	if strings.Contains(err.Error(), "1234567890123") {
		t.Errorf("message prints the MPAN whole: %v", err)
	}
}
