package extract

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dcc/carport/internal/contract"
)

const testParties = "party_id,party_name,user_role,contact_email\n" +
	"BGAS,British Gas,IS,ops@bgas.example\n" +
	"BGAS,British Gas,GS,ops@bgas.example\n" +
	"EDF,EDF Energy,IS,\n" +
	"OCTO,\"Octopus, Energy\",ES,\n" +
	"UKPN,UK Power Networks,ED,\n" +
	"ACME,Acme Analytics,OU,\n"

// writeFile writes name in dir, gzip-compressed when name ends in .gz.
func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	data := []byte(content)
	if strings.HasSuffix(name, ".gz") {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		data = b.Bytes()
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// testOptions reads testParties from a temporary folder.
func testOptions(t testing.TB) Options {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "parties.csv", testParties)
	p, _, err := ReadParties(dir)
	if err != nil {
		t.Fatal(err)
	}
	period, err := contract.ParsePeriod("2026-10")
	if err != nil {
		t.Fatal(err)
	}
	return Options{Period: period, Parties: p, Symbols: NewSymbols()}
}

// srHeader has the contract's columns in another order plus an unknown one.
var srHeader = []string{
	"submitted_at", "request_id", "party_id", "user_role", "srv", "command_variant", "rtt_ms",
	"outcome", "response_code", "warehouse_batch", "region", "smets_version", "device_type",
	"device_manufacturer", "device_model", "device_firmware", "chf_manufacturer", "chf_model",
	"chf_variant", "chf_firmware",
}

// srLine builds one row of srHeader from defaults overridden by kv.
func srLine(kv map[string]string) string {
	row := map[string]string{
		"submitted_at": "2026-10-04T13:02:11Z", "request_id": "R1", "party_id": "BGAS",
		"user_role": "IS", "srv": "4.1.1", "command_variant": "1", "rtt_ms": "1500",
		"outcome": "success", "response_code": "I0", "warehouse_batch": "b7", "region": "North",
		"smets_version": "SMETS2", "device_type": "ESME", "device_manufacturer": "Landis",
		"device_model": "E470", "device_firmware": "1.2", "chf_manufacturer": "Toshiba",
		"chf_model": "CH1", "chf_variant": "single-band", "chf_firmware": "9.0",
	}
	for k, v := range kv {
		row[k] = v
	}
	cells := make([]string, len(srHeader))
	for i, h := range srHeader {
		cells[i] = row[h]
	}
	return strings.Join(cells, ",") + "\n"
}

// genServiceRequests writes n random rows (with some quoted fields, CRLF
// lines, embedded newlines and rows just outside the period).
// One row in quoteEvery has a quoted model (half of them multi-line).
func genServiceRequests(n int, seed int64, quoteEvery int) string {
	rng := rand.New(rand.NewSource(seed))
	parties := [][2]string{{"BGAS", "IS"}, {"BGAS", "GS"}, {"EDF", "IS"}, {"OCTO", "ES"}, {"UKPN", "ED"}}
	srvs := []string{"4.1.1", "4.6.1", "4.8.1", "4.17", "6.15.1", "11.1"}
	models := []string{"E470", "AclaraSGM", "SKU-2", "EM425"}
	quoted := []string{`"Model, ""X"""`, "\"Two\nLines\""}
	regions := []string{"North", "Central", "South"}
	makers := []string{"Landis+Gyr", "Aclara", "Secure Meters", "EDMI", "Honeywell"}
	var b strings.Builder
	b.WriteString(strings.Join(srHeader, ",") + "\n")
	period, _ := contract.ParsePeriod("2026-10")
	start, span := period.StartMS(), period.EndMS()-period.StartMS()
	for i := range n {
		p := parties[rng.Intn(len(parties))]
		at := start - 3600*1000 + rng.Int63n(span+2*3600*1000)
		rtt := fmt.Sprint(rng.Intn(60000))
		if rng.Intn(20) == 0 {
			rtt = ""
		}
		outcome := "success"
		if rng.Intn(10) == 0 {
			outcome = "failure"
		}
		variant := fmt.Sprint(1 + rng.Intn(8))
		if rng.Intn(3) == 0 {
			variant = ""
		}
		ts := fmtMS(at, rng.Intn(2) == 0)
		model := models[rng.Intn(len(models))]
		if quoteEvery > 0 && rng.Intn(quoteEvery) == 0 {
			model = quoted[rng.Intn(len(quoted))]
		}
		line := srLine(map[string]string{
			"submitted_at": ts, "request_id": fmt.Sprintf("R%07d", i), "party_id": p[0], "user_role": p[1],
			"srv": srvs[rng.Intn(len(srvs))], "command_variant": variant, "rtt_ms": rtt, "outcome": outcome,
			"region": regions[rng.Intn(3)], "device_model": model,
			"device_manufacturer": makers[rng.Intn(len(makers))], "device_firmware": fmt.Sprintf("%d.%d", rng.Intn(5), rng.Intn(20)),
		})
		if rng.Intn(7) == 0 {
			line = strings.TrimSuffix(line, "\n") + "\r\n"
		}
		b.WriteString(line)
	}
	return b.String()
}

// fmtMS formats Unix ms as RFC 3339 in UTC ("Z") or London time.
func fmtMS(ms int64, london bool) string {
	t := timeMS(ms)
	if london {
		t = t.In(contract.London)
	}
	return t.Format("2006-01-02T15:04:05.000Z07:00")
}

func timeMS(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
