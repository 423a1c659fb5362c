package history

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func ptr(n int64) *int64 { return &n }

// sample is an entry with every kind of figure group.
func sample(period string) *Entry {
	return &Entry{Format: Format, Version: FormatVersion, Period: period, Generator: "0.1.0", MinPeers: 5,
		Parties: []Party{
			{ID: "DNO10", Roles: []Role{{Role: "ED", Reports: []Report{
				{ID: "alerts-all", Version: "1.1.0", Delivery: &Delivery{
					You:   Deliveries{Alerts: 40, Delivered: 39, MeanDeliveryMS: ptr(900), MedianDeliveryMS: ptr(700)},
					Peers: 1}},
			}}}},
			{ID: "NORE", Roles: []Role{
				{Role: "IS", Reports: []Report{
					{ID: "inventory", Version: "1.1.0", Estate: &Estate{NeedingAction: 3, Segments: []Segment{
						{DeviceType: "ESME", SMETSVersion: "SMETS2", Devices: 120, IndustryDevices: ptr(900), Peers: 5},
						{DeviceType: "GSME", SMETSVersion: "SMETS1", Devices: 7, Peers: 2},
					}}},
					{ID: "srvs-all", Version: "1.0.0",
						Requests: &Requests{You: Outcomes{Requests: 100, Successes: 97}, Industry: &Outcomes{Requests: 900, Successes: 850}, Peers: 5, Rank: 2, Ranked: 6},
						Times: &Times{You: Durations{Requests: 95, BestMS: ptr(10), WorstMS: ptr(9000), MeanMS: ptr(1200), MedianMS: ptr(800), P95MS: ptr(4000)},
							Industry: &Durations{Requests: 850, BestMS: ptr(5), WorstMS: ptr(12000), MeanMS: ptr(1100), MedianMS: ptr(750), P95MS: ptr(3900)}, Peers: 5}},
				}},
				{Role: "ES", Reports: []Report{
					{ID: "srvs-all", Version: "1.0.0", Requests: &Requests{You: Outcomes{Requests: 3, Successes: 3}, Peers: 0},
						Times: &Times{You: Durations{Requests: 0}, Peers: 0}},
				}},
			}},
		}}
}

func TestRoundTrip(t *testing.T) {
	e := sample("2026-10")
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	got.index, e.index = nil, nil
	if !reflect.DeepEqual(got, e) {
		t.Fatalf("round trip changed the entry:\n%s", b)
	}
	again, _ := got.Marshal()
	if !bytes.Equal(again, b) {
		t.Fatal("equal entries marshal to different bytes")
	}
	if r := got.Report("NORE", "IS", "srvs-all"); r == nil || r.Requests.Rank != 2 {
		t.Fatalf("Report(NORE, IS, srvs-all) = %+v", r)
	}
	if got.Report("NORE", "GS", "srvs-all") != nil || got.Report("SUPX", "IS", "srvs-all") != nil {
		t.Fatal("Report found figures that the entry does not hold")
	}
	// withheld figures are absent, not zero
	if s := string(b); !strings.Contains(s, `"peers": 2`) || strings.Count(s, `"industry_devices"`) != 1 {
		t.Fatalf("a withheld industry figure was written:\n%s", s)
	}
}

func TestDecodeRefuses(t *testing.T) {
	good, err := sample("2026-10").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"unknown member", `"period": "2026-10",`, `"period": "2026-10", "device_id": "00-1B",`, `line 4: json: unknown field "device_id"`},
		{"newer version", `"format_version": 1`, `"format_version": 2`, "format_version 2 is newer than this carport's (1)"},
		{"other format", `"format": "carport-history"`, `"format": "other"`, `format is "other"`},
		{"bad period", `"period": "2026-10"`, `"period": "2026-13"`, `period "2026-13" is not YYYY-MM`},
		{"hostile party id", `"party": "NORE"`, `"party": "../x"`, `party id "../x" is not a party id`},
		{"industry kept without peers", `"peers": 1`, `"peers": 1, "industry": {"alerts": 900, "delivered": 800}`, "industry kept with 1 peers"},
		{"successes beyond requests", `"successes": 97`, `"successes": 101`, "successes exceed requests"},
		{"broken JSON", `"parties": [`, `"parties": [,`, "line 7: invalid character"},
		{"two values", "\n}\n", "\n}\n{}\n", "data after the entry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(string(good), tc.old, tc.new, 1)
			if bad == string(good) {
				t.Fatalf("the test's %q is not in the entry", tc.old)
			}
			_, err := Decode([]byte(bad))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Decode = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestBefore(t *testing.T) {
	got, err := Before("2027-02", 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2026-11", "2026-12", "2027-01"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Before(2027-02, 3) = %v, want %v", got, want)
	}
	got, _ = Before("2026-10", Months-1)
	if len(got) != 12 || got[0] != "2025-10" || got[11] != "2026-09" {
		t.Fatalf("the window before 2026-10 is %v", got)
	}
	if _, err := Before("2026-1", 1); err == nil {
		t.Fatal("Before accepted a malformed period")
	}
}

// TestWriteReplacesOnePeriod: writing a period's entry replaces that file
// and touches no other; a missing month is a gap (nil) in the window.
func TestWriteReplacesOnePeriod(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, p := range []string{"2026-07", "2026-08", "2026-10"} {
		if err := d.Write(sample(p)); err != nil {
			t.Fatal(err)
		}
	}
	before := map[string][]byte{}
	for _, p := range []string{"2026-07", "2026-10"} {
		before[p], _ = os.ReadFile(d.File(p))
	}
	st, _ := os.Stat(d.File("2026-07"))

	e := sample("2026-08")
	e.Parties[1].Roles[0].Reports[1].Requests.You.Successes = 90
	if err := d.Write(e); err != nil {
		t.Fatal(err)
	}
	got, err := d.Read("2026-08")
	if err != nil || got.Report("NORE", "IS", "srvs-all").Requests.You.Successes != 90 {
		t.Fatalf("the rewritten entry reads back as %+v, %v", got, err)
	}
	for p, b := range before {
		now, _ := os.ReadFile(d.File(p))
		if !bytes.Equal(now, b) {
			t.Errorf("writing 2026-08 changed %s", p)
		}
	}
	if st2, _ := os.Stat(d.File("2026-07")); !os.SameFile(st, st2) {
		t.Error("writing 2026-08 replaced the file of 2026-07")
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, x := range ents {
		names = append(names, x.Name())
	}
	if want := []string{".lock", "2026-07.json.gz", "2026-08.json.gz", "2026-10.json.gz"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("the folder holds %v, want %v (no temporary file left)", names, want)
	}
	if fi, _ := os.Stat(d.File("2026-08")); fi.Mode().Perm() != 0o600 {
		t.Errorf("an entry has mode %v, want 0600 (DCC-only)", fi.Mode().Perm())
	}

	w, err := d.Window("2026-11")
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 12 {
		t.Fatalf("the window holds %d months", len(w))
	}
	var present []string
	for _, e := range w {
		if e != nil {
			present = append(present, e.Period)
		}
	}
	if want := []string{"2026-07", "2026-08", "2026-10"}; !reflect.DeepEqual(present, want) || w[10] != nil || w[11].Period != "2026-10" {
		t.Fatalf("the window before 2026-11 has %v (2026-09 must be a gap)", present)
	}
	ps, _ := d.Periods()
	if !reflect.DeepEqual(ps, []string{"2026-07", "2026-08", "2026-10"}) {
		t.Fatalf("Periods = %v", ps)
	}
}

func TestReadRefusesAnotherPeriodsEntry(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Write(sample("2026-09")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(d.File("2026-09"), d.File("2026-10")); err != nil {
		t.Fatal(err)
	}
	_, err = d.Window("2026-11")
	if err == nil || !strings.Contains(err.Error(), "2026-10.json.gz: holds period 2026-09, not 2026-10") {
		t.Fatalf("Window = %v", err)
	}
	// a file that is not gzip is refused, naming it
	if err := os.WriteFile(d.File("2026-10"), []byte("{\"format\": \"carport-history\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Read("2026-10"); err == nil || !strings.Contains(err.Error(), "2026-10.json.gz: gzip: invalid header") {
		t.Fatalf("Read of a plain file = %v", err)
	}
}

func TestOpenIsExclusive(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "h")
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("the history folder has mode %v, want 0700", fi.Mode().Perm())
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "in use by another build") {
		t.Fatalf("a second Open = %v", err)
	}
	d.Close()
	d2, err := Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	d2.Close()
}

func TestPutAndKeep(t *testing.T) {
	e := sample("2026-10")
	e.Put(Party{ID: "BRIU"})
	e.Put(Party{ID: "NORE"}) // replaces
	if e.Parties[0].ID != "BRIU" || len(e.Parties) != 3 || len(e.Party("NORE").Roles) != 0 {
		t.Fatalf("Put: %+v", e.Parties)
	}
	e.Keep(func(id string) bool { return id != "DNO10" })
	if e.Party("DNO10") != nil || len(e.Parties) != 2 {
		t.Fatalf("Keep: %+v", e.Parties)
	}
	if err := e.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestDefault(t *testing.T) {
	for in, want := range map[string]string{"demo/out": "demo/out.history", "demo/out/": "demo/out.history", "/srv/root": "/srv/root.history", "/": "/carport.history"} {
		if got := Default(in); got != want {
			t.Errorf("Default(%q) = %q, want %q", in, got, want)
		}
	}
}
