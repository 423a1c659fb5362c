package extract

// Hostile and broken input (issue 7): party ids that are not names, text
// that is not UTF-8, device ids that repeat, files with classic Mac line
// ends, and a parties.csv without parties.

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/contract"
)

func TestReadPartiesRefusesHostileIDs(t *testing.T) {
	const head = "party_id,party_name,user_role,contact_email\nGOOD,Good Energy,IS,\n"
	const want = `column "party_id": bad party id %s (want letters, digits, '_' or '-', at most 32, not starting with '.' or '-')`
	tests := []struct {
		name, cell, quoted string
	}{
		{"parent path", "../x", `"../x"`},
		{"slash", "a/b", `"a/b"`},
		{"dot dot", "..", `".."`},
		{"hidden", ".hidden", `".hidden"`},
		{"leading dash", "-rf", `"-rf"`},
		{"newline", "\"a\nb\"", `"a\nb"`},
		{"control", "a\x01b", `"a\x01b"`},
		{"bidi override", "ab\u202ecd", `"ab\u202ecd"`},
		{"space", "a b", `"a b"`},
		{"too long", strings.Repeat("A", 33), `"` + strings.Repeat("A", 33) + `"`},
		{"backslash", `a\b`, `"a\\b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "parties.csv", head+tt.cell+",Hostile,IS,\n")
			_, _, err := ReadParties(dir)
			var de *DataError
			if !errors.As(err, &de) {
				t.Fatalf("error %v (%T) is not a *DataError", err, err)
			}
			wantErr := filepath.Join(dir, "parties.csv") + ":3: " + fmt.Sprintf(want, tt.quoted)
			if err.Error() != wantErr {
				t.Errorf("error\n got %s\nwant %s", err, wantErr)
			}
		})
	}
	// the longest id, and the characters allowed
	dir := t.TempDir()
	long := strings.Repeat("A", 32)
	writeFile(t, dir, "parties.csv", head+long+",Long,IS,\n_a-9,Under,GS,\n")
	p, _, err := ReadParties(dir)
	if err != nil || p.Get(long) == nil || p.Get("_a-9") == nil {
		t.Errorf("valid ids refused: %v", err)
	}
	// ids of the DCC's own files in keys/ are reserved
	writeFile(t, dir, "parties.csv", head+"DCC-signing,Mimic,IS,\n")
	_, _, err = ReadParties(dir)
	if err == nil || !strings.Contains(err.Error(), `parties.csv:3: column "party_id": party id "DCC-signing" is reserved`) {
		t.Errorf("reserved id: got %v", err)
	}
}

func TestReadPartiesNoParties(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "parties.csv", "party_id,party_name,user_role,contact_email\n")
	_, _, err := ReadParties(dir)
	want := filepath.Join(dir, "parties.csv") + ": no parties: the file has a header and no data rows"
	var de *DataError
	if !errors.As(err, &de) || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestInvalidUTF8(t *testing.T) {
	// parties.csv: fatal, naming the line and the column
	dir := t.TempDir()
	writeFile(t, dir, "parties.csv", "party_id,party_name,user_role,contact_email\nA,Alpha,IS,\nB,Caf\xe9 Energie,IS,\n")
	_, _, err := ReadParties(dir)
	want := filepath.Join(dir, "parties.csv") + `:3: column "party_name": invalid UTF-8 "Caf\xe9 Energie"`
	if err == nil || err.Error() != want {
		t.Errorf("parties: got %v, want %s", err, want)
	}
	// an event file: a bad row naming file, line and column, in a quoted
	// field and in a plain one; valid multi-byte text passes
	rows := srLine(map[string]string{"device_model": "Mod\xff\xfe"}) +
		srLine(map[string]string{"device_model": `"Mod, ` + "\xff" + `"`}) +
		srLine(map[string]string{"device_model": "Zähler – ✓"}) +
		srLine(map[string]string{"chf_variant": "dual-band\xc3"})
	writeFile(t, dir, "service_requests.csv", strings.Join(srHeader, ",")+"\n"+rows)
	o := testOptions(t)
	o.MaxBadFraction, o.Workers = 1, 1
	var models []string
	rep, err := ScanServiceRequests(dir, o, func(int) func(*ServiceRequest) {
		return func(r *ServiceRequest) { models = append(models, o.Symbols.Name(r.DeviceModel)) }
	})
	if err != nil {
		t.Fatal(err)
	}
	wantEx := []string{
		`service_requests.csv:2: column "device_model": invalid UTF-8 "Mod\xff\xfe"`,
		`service_requests.csv:3: column "device_model": invalid UTF-8 "Mod, \xff"`,
		`service_requests.csv:5: column "chf_variant": invalid UTF-8 "dual-band\xc3"`,
	}
	if rep.Bad != 3 || strings.Join(rep.Examples, "\n") != strings.Join(wantEx, "\n") || rep.ByReason["invalid UTF-8 in device_model"] != 2 {
		t.Errorf("report %+v\nwant examples %q", rep, wantEx)
	}
	if len(models) != 1 || models[0] != "Zähler – ✓" {
		t.Errorf("passed models %q", models)
	}
}

func TestDuplicateDeviceID(t *testing.T) {
	row := func(id, model string) string {
		return id + ",S1,ESME,Landis," + model + ",1.0,SMETS2,CSP-N,North,BGAS,,,UKPN,1234567890123,SW1A 1AA,,,,Commissioned,0,false,,,,\n"
	}
	content := strings.Join(contract.DevicesFile.Header(), ",") + "\n" +
		row("00-1B-C5-0C-00-00-12-34", "E470") +
		row("00-1B-C5-0C-00-00-12-35", "E470") +
		row("00-1b-c5-0c-00-00-12-34", "E470") + // the same id in lower case
		row("00-1B-C5-0C-00-00-12-36", "") + // bad: its id stays free
		row("00-1B-C5-0C-00-00-12-36", "E471") +
		row("00-1B-C5-0C-00-00-12-34", "E472")
	dir := t.TempDir()
	writeFile(t, dir, "devices.csv", content)
	o := testOptions(t)
	o.MaxBadFraction, o.Workers = 1, 1
	var passed []string
	rep, err := ScanDevices(dir, o, func(int) func(*Device) {
		return func(d *Device) { passed = append(passed, string(d.ID)+" "+o.Symbols.Name(d.Model)) }
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"00-1B-C5-0C-00-00-12-34 E470", "00-1B-C5-0C-00-00-12-35 E470", "00-1B-C5-0C-00-00-12-36 E471"}
	if strings.Join(passed, "|") != strings.Join(want, "|") {
		t.Errorf("passed %q, want %q", passed, want)
	}
	wantEx := []string{
		`devices.csv:4: column "device_id": duplicate device id "00-1b-c5-0c-00-00-12-34" (an earlier valid row has it)`,
		`devices.csv:5: column "device_model": empty value (not nullable)`,
		`devices.csv:7: column "device_id": duplicate device id "00-1B-C5-0C-00-00-12-34" (an earlier valid row has it)`,
	}
	if rep.Bad != 3 || strings.Join(rep.Examples, "\n") != strings.Join(wantEx, "\n") {
		t.Errorf("examples\n%s\nwant\n%s", strings.Join(rep.Examples, "\n"), strings.Join(wantEx, "\n"))
	}
}

func TestIDSet(t *testing.T) {
	s := newIDSet(false)
	const n = 100_000
	for i := range uint64(n) {
		if !s.add(i * 0x9e3779b97f4a7c15) {
			t.Fatalf("id %d reported seen on first add", i)
		}
	}
	for i := range uint64(n) {
		if s.add(i * 0x9e3779b97f4a7c15) {
			t.Fatalf("id %d reported new on second add", i)
		}
	}
	if s.n != n-1 || !s.hasZero || len(s.slots) > 1<<18 {
		t.Errorf("n %d, zero %v, %d slots", s.n, s.hasZero, len(s.slots))
	}
	// reserved for n ids, the table never grows while they are added
	r := newIDSet(false)
	r.reserve(n)
	size := len(r.slots)
	for i := range uint64(n) {
		r.add(i + 1)
	}
	if size != len(r.slots) || size != 1<<17 {
		t.Errorf("reserved %d slots, %d after adding %d ids, want 1<<17 both", size, len(r.slots), n)
	}
	r.reserve(1 << 40) // an absurd estimate is capped (and a used set is left alone)
	if len(r.slots) != size {
		t.Errorf("reserve on a used set changed it")
	}
	if got := slotsFor(1<<40, 1<<12); got != maxReserve {
		t.Errorf("an absurd estimate gets %d slots, want %d", got, maxReserve)
	}
}

func TestBareCRLineEnds(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "service_requests.csv", strings.ReplaceAll(strings.Join(srHeader, ",")+"\n"+srLine(nil)+srLine(nil), "\n", "\r"))
	_, err := ScanServiceRequests(dir, testOptions(t), func(int) func(*ServiceRequest) { return func(*ServiceRequest) {} })
	want := filepath.Join(dir, "service_requests.csv") + ":1: line ends are bare carriage returns (CR), not LF or CRLF"
	var de *DataError
	if !errors.As(err, &de) || err.Error() != want || de.Hint == "" {
		t.Errorf("got %v, want %s", err, want)
	}
}

// BenchmarkIDSet is the uniqueness check of device ids alone, on random
// ids, growing from empty as in a scan; ns/id at a size beyond the caches
// is what the check costs per device at GB scale (see idset.go).
func BenchmarkIDSet(b *testing.B) {
	for _, n := range []int{1 << 20, 1 << 24} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ids := make([]uint64, n)
			x := uint64(88172645463325252)
			for i := range ids {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				ids[i] = x
			}
			b.ResetTimer()
			for range b.N {
				s := newIDSet(false)
				for _, id := range ids {
					s.add(id)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/id")
		})
	}
}

func TestCodesNameNoPath(t *testing.T) {
	rows := srLine(map[string]string{"srv": "../x"}) + srLine(map[string]string{"srv": ".."}) +
		srLine(map[string]string{"srv": "9.9.9"}) + srLine(map[string]string{"srv": "a/b"})
	dir := t.TempDir()
	writeFile(t, dir, "service_requests.csv", strings.Join(srHeader, ",")+"\n"+rows)
	o := testOptions(t)
	o.MaxBadFraction, o.Workers = 1, 1
	var srvs []string
	rep, err := ScanServiceRequests(dir, o, func(int) func(*ServiceRequest) {
		return func(r *ServiceRequest) { srvs = append(srvs, o.Symbols.Name(r.SRV)) }
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(srvs) != 1 || srvs[0] != "9.9.9" || rep.Bad != 3 ||
		rep.Examples[0] != `service_requests.csv:2: column "srv": bad code "../x" (want letters, digits, '.', '_' or '-', at most 32, starting with a letter or digit)` {
		t.Errorf("passed %q, report %+v", srvs, rep)
	}
}
