package publish

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeSeal writes a bundle and signature for party into v, as Seal would.
func fakeSeal(t *testing.T, v *Version, party, body string) {
	t.Helper()
	p, err := v.BundlePath(party)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p+".minisig", []byte("sig of "+body), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, n, err := hashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Add(Entry{Party: party, Size: n, SHA256: sum, Recipients: 1}); err != nil {
		t.Fatal(err)
	}
}

func publishAll(t *testing.T, o *Out, period string, bundles map[string]string) []string {
	t.Helper()
	v, err := o.NewVersion(period)
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range bundles {
		fakeSeal(t, v, p, b)
	}
	if err := v.WriteFile(RunReportName, []byte(`{"run":"`+period+`"}`)); err != nil {
		t.Fatal(err)
	}
	if err := v.WriteFile(RunReportHTMLName, []byte(`<p>`+v.name)); err != nil {
		t.Fatal(err)
	}
	removed, err := v.Switch("test", "KEY", func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return removed
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, e := range ents {
		ns = append(ns, e.Name())
	}
	return ns
}

func TestSwitchPublishesWholePeriods(t *testing.T) {
	out := t.TempDir()
	o, err := Lock(out)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Unlock()
	publishAll(t, o, "2026-10", map[string]string{"SUPA": "a1", "SUPB": "b1", "GONE": "g1"})
	period := filepath.Join(out, "2026-10")
	if got, want := names(t, period), []string{"GONE.zip.age", "GONE.zip.age.minisig", "SUPA.zip.age", "SUPA.zip.age.minisig", "SUPB.zip.age", "SUPB.zip.age.minisig", "manifest.json", "run.html", "run.json"}; !slices.Equal(got, want) {
		t.Errorf("period holds %q, want %q", got, want)
	}
	if got := read(t, filepath.Join(out, "2026-10.run.json")); got != `{"run":"2026-10"}` {
		t.Errorf("run report %q", got)
	}
	first, _ := os.Readlink(period)
	// the page switches with the period: it is the version's own
	if got := read(t, filepath.Join(out, "2026-10.run.html")); got != "<p>"+filepath.Base(first) {
		t.Errorf("run report page %q, want the one of %s", got, first)
	}
	if l, _ := os.Readlink(filepath.Join(out, "2026-10.run.html")); l != "2026-10/run.html" {
		t.Errorf("OUT/2026-10.run.html links to %q, not through the period's link", l)
	}

	// GONE left parties.csv: the next version does not have it
	removed := publishAll(t, o, "2026-10", map[string]string{"SUPA": "a2", "SUPB": "b2"})
	second, _ := os.Readlink(period)
	if got := read(t, filepath.Join(out, "2026-10.run.html")); got != "<p>"+filepath.Base(second) {
		t.Errorf("after a rebuild the run report page is %q, want the one of %s", got, second)
	}
	if got := read(t, filepath.Join(period, "SUPA.zip.age")); got != "a2" {
		t.Errorf("SUPA = %q", got)
	}
	if _, err := os.Stat(filepath.Join(period, "GONE.zip.age")); !os.IsNotExist(err) {
		t.Errorf("GONE.zip.age survived a rebuild without GONE: %v", err)
	}
	if want := filepath.Join(out, first); !slices.Equal(removed, []string{want}) {
		t.Errorf("removed %q, want the first version %q", removed, want)
	}
	if got := names(t, filepath.Join(out, PeriodsDir)); len(got) != 1 {
		t.Errorf("versions left: %q", got)
	}
	cur, err := o.Current("2026-10")
	if err != nil {
		t.Fatal(err)
	}
	if cur.Manifest == nil || len(cur.Manifest.Bundles) != 2 || cur.Entry("SUPB").SHA256 == "" {
		t.Errorf("manifest %+v", cur.Manifest)
	}
}

func TestGuardCancelsTheSwitch(t *testing.T) {
	out := t.TempDir()
	o, _ := Lock(out)
	defer o.Unlock()
	publishAll(t, o, "2026-10", map[string]string{"SUPA": "a1"})
	before := read(t, filepath.Join(out, "2026-10", "SUPA.zip.age"))
	v, _ := o.NewVersion("2026-10")
	fakeSeal(t, v, "SUPA", "a2")
	stop := errors.New("interrupted")
	if _, err := v.Switch("test", "KEY", func() error { return stop }); err != stop {
		t.Fatalf("Switch: %v", err)
	}
	v.Discard()
	if got := read(t, filepath.Join(out, "2026-10", "SUPA.zip.age")); got != before {
		t.Errorf("SUPA = %q after a cancelled switch", got)
	}
	if got := names(t, filepath.Join(out, PeriodsDir)); len(got) != 1 {
		t.Errorf("versions left: %q", got)
	}
	for _, n := range names(t, out) {
		if strings.Contains(n, linkPrefix) {
			t.Errorf("temporary link left: %s", n)
		}
	}
}

func TestCarryKeepsOtherPartiesBundles(t *testing.T) {
	out := t.TempDir()
	o, _ := Lock(out)
	defer o.Unlock()
	publishAll(t, o, "2026-10", map[string]string{"SUPA": "a1", "SUPB": "b1"})
	cur, _ := o.Current("2026-10")
	v, _ := o.NewVersion("2026-10")
	fakeSeal(t, v, "SUPA", "a2")
	if err := v.Carry(cur, "SUPB"); err != nil {
		t.Fatal(err)
	}
	if err := v.Carry(cur, "NOPE"); err == nil {
		t.Error("carried a party that was never published")
	}
	if _, err := v.Switch("test", "KEY", func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(out, "2026-10")
	if read(t, filepath.Join(p, "SUPA.zip.age")) != "a2" || read(t, filepath.Join(p, "SUPB.zip.age")) != "b1" || read(t, filepath.Join(p, "SUPB.zip.age.minisig")) != "sig of b1" {
		t.Error("wrong bundles after a --party switch")
	}
	cur, _ = o.Current("2026-10")
	if e := cur.Entry("SUPB"); e == nil || !e.Carried {
		t.Errorf("SUPB entry %+v", e)
	}

	// a carried bundle changed by hand is refused
	os.Remove(filepath.Join(p, "SUPB.zip.age"))
	os.WriteFile(filepath.Join(p, "SUPB.zip.age"), []byte("bX"), 0o644)
	v, _ = o.NewVersion("2026-10")
	defer v.Discard()
	if err := v.Carry(cur, "SUPB"); err == nil || !strings.Contains(err.Error(), "differs from the published manifest.json") {
		t.Errorf("Carry of a changed bundle: %v", err)
	}
}

func TestCurrentRefusesWhatNoBuildWrote(t *testing.T) {
	out := t.TempDir()
	legacy := filepath.Join(out, "2026-10")
	os.MkdirAll(filepath.Join(legacy, "SUPC.zip.age"), 0o755)
	os.WriteFile(filepath.Join(legacy, "SUPC.zip.age", "x"), nil, 0o644)
	os.WriteFile(filepath.Join(legacy, "SUPA.zip.age"), []byte("old"), 0o644)
	o, _ := Lock(out)
	defer o.Unlock()
	_, err := o.Current("2026-10")
	if want := filepath.Join(legacy, "SUPC.zip.age") + ": a folder where a bundle belongs: no build made it; move it away"; err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	os.RemoveAll(filepath.Join(legacy, "SUPC.zip.age"))
	os.WriteFile(filepath.Join(legacy, "notes.txt"), nil, 0o644)
	if _, err := o.Current("2026-10"); err == nil || !strings.Contains(err.Error(), "notes.txt: unexpected in a published period") {
		t.Errorf("stray file: %v", err)
	}
}

// TestLegacyFolderIsExchanged: a period folder of an older carport is
// replaced by the first symlink in one step, .incoming leftovers included.
func TestLegacyFolderIsExchanged(t *testing.T) {
	out := t.TempDir()
	legacy := filepath.Join(out, "2026-10")
	os.MkdirAll(filepath.Join(legacy, ".incoming-123"), 0o755)
	os.WriteFile(filepath.Join(legacy, "SUPA.zip.age"), []byte("old"), 0o644)
	os.WriteFile(filepath.Join(out, "2026-10.run.json"), []byte("old report"), 0o644)
	o, _ := Lock(out)
	defer o.Unlock()
	publishAll(t, o, "2026-10", map[string]string{"SUPA": "new"})
	if info, err := os.Lstat(legacy); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("2026-10 is not a symlink now: %v", err)
	}
	if got := read(t, filepath.Join(legacy, "SUPA.zip.age")); got != "new" {
		t.Errorf("SUPA = %q", got)
	}
	if got := read(t, filepath.Join(out, "2026-10.run.json")); got != `{"run":"2026-10"}` {
		t.Errorf("run report %q", got)
	}
	for _, n := range names(t, out) {
		if n != "2026-10" && n != "2026-10.run.json" && n != "2026-10.run.html" && n != PeriodsDir && n != LockName {
			t.Errorf("left in OUT: %s", n)
		}
	}
}

func TestLockIsExclusive(t *testing.T) {
	out := t.TempDir()
	o, err := Lock(out)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(out)
	var be *BusyError
	if !errors.As(err, &be) || !strings.HasPrefix(be.Owner, "pid ") {
		t.Fatalf("second Lock: %v", err)
	}
	if want := out + ": another carport run (" + be.Owner + ") is publishing into this folder: one build at a time"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	o.Unlock()
	o2, err := Lock(out)
	if err != nil {
		t.Fatal(err)
	}
	o2.Unlock()
}

func TestSweepRemovesWhatKilledBuildsLeft(t *testing.T) {
	out := t.TempDir()
	o, _ := Lock(out)
	defer o.Unlock()
	publishAll(t, o, "2026-10", map[string]string{"SUPA": "a"})
	// a killed build: a version never switched to, a temporary link, a
	// temporary file inside the published period
	dead, _ := o.NewVersion("2026-10")
	fakeSeal(t, dead, "SUPA", "half")
	os.Symlink(PeriodsDir+"/x", filepath.Join(out, ".2026-10"+linkPrefix+"x"))
	os.WriteFile(filepath.Join(out, "2026-10", ".SUPA.zip.age.tmp-1"), nil, 0o644)
	removed, err := o.Sweep()
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 3 {
		t.Errorf("removed %q, want 3 paths", removed)
	}
	if got := read(t, filepath.Join(out, "2026-10", "SUPA.zip.age")); got != "a" {
		t.Errorf("published bundle changed: %q", got)
	}
	if _, err := os.Stat(dead.Dir); !os.IsNotExist(err) {
		t.Errorf("dead version survived")
	}
}
