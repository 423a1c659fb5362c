package cli

// End to end on a synthetic month: synth → build → every bundle opened and
// searched for anything it must not hold. Slow-ish (a real Hugo build per
// party), so the month is built once for all the tests of this file.

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/contract"
)

// TestMain removes the synthetic month the tests of this file share. The
// test binary is also the builds' worker processes (WorkerCommand).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == WorkerCommand {
		os.Exit(Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	code := m.Run()
	if demo.root != "" {
		os.RemoveAll(demo.root)
	}
	if small.root != "" {
		os.RemoveAll(small.root)
	}
	os.Exit(code)
}

type demoMonth struct {
	root          string
	extracts, out string
	// tmp and sites are the build's own temp and plaintext staging roots,
	// so a test can see what it left behind without seeing other builds
	tmp, sites string
	err        error
	stderr     string
}

var (
	demoOnce sync.Once
	demo     demoMonth
)

func repoPath(parts ...string) string {
	return filepath.Join(append([]string{"..", ".."}, parts...)...)
}

// buildDemo synthesises a tiny month and builds every party's bundle.
func buildDemo(t *testing.T) demoMonth {
	t.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "carport-e2e-")
		if err != nil {
			demo.err = err
			return
		}
		demo.root = dir
		demo.extracts, demo.out = filepath.Join(dir, "extracts"), filepath.Join(dir, "out")
		demo.tmp, demo.sites = filepath.Join(dir, "tmp"), filepath.Join(dir, "sites")
		for _, d := range []string{demo.tmp, demo.sites} {
			if demo.err = os.Mkdir(d, 0o700); demo.err != nil {
				return
			}
		}
		// os.MkdirTemp("") reads TMPDIR; no test of this package runs in parallel
		oldTmp, hadTmp := os.LookupEnv("TMPDIR")
		os.Setenv("TMPDIR", demo.tmp)
		defer func() {
			if hadTmp {
				os.Setenv("TMPDIR", oldTmp)
			} else {
				os.Unsetenv("TMPDIR")
			}
		}()
		var stderr bytes.Buffer
		if code := Run([]string{"synth", "--out", demo.extracts, "--period", "2026-10", "--scale", "tiny", "--seed", "3"}, nil, io.Discard, &stderr); code != 0 {
			demo.err, demo.stderr = errf("synth exited %d", code), stderr.String()
			return
		}
		code := Run([]string{"build", "--stage", demo.sites, "--extracts", demo.extracts, "--period", "2026-10", "--keys", filepath.Join(demo.extracts, "keys"),
			"--signing-key", filepath.Join(demo.extracts, "identities", "dcc-signing.key"),
			"--out", demo.out, "--reportdefs", repoPath("reportdefs"), "--templates", repoPath("templates"),
			"--content", repoPath("content")},
			nil, io.Discard, &stderr)
		demo.stderr = stderr.String()
		if code != 0 {
			demo.err = errf("build exited %d", code)
		}
	})
	if demo.err != nil {
		t.Fatalf("%v\n%s", demo.err, demo.stderr)
	}
	return demo
}

func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// openAll decrypts a party's bundle with its demo identity and returns every
// file's text (gzip files decompressed).
func openAll(t *testing.T, d demoMonth, party string) map[string]string {
	t.Helper()
	to := filepath.Join(t.TempDir(), party)
	pub, err := bundle.ReadPublicKey(filepath.Join(d.extracts, "keys", "dcc-signing.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Open(bundle.OpenOptions{PublicKey: pub, Bundle: filepath.Join(d.out, "2026-10", party+".zip.age"),
		Identity: filepath.Join(d.extracts, "identities", party+".key"), To: to}); err != nil {
		t.Fatalf("opening %s: %v", party, err)
	}
	files := map[string]string{}
	err = filepath.WalkDir(to, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return err
			}
			if b, err = io.ReadAll(zr); err != nil {
				return err
			}
		}
		rel, _ := filepath.Rel(to, path)
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// TestBundlesNameNoOtherParty opens every party's bundle and checks
// contract v1.1's rule on other parties: another party's id appears only as
// the counterparty of the recipient's own devices (the ownership columns
// of its devices.csv.gz, holding exactly what devices.csv says for that
// device) and of its own N16 alerts (energy_supplier_id of the
// distributor's n16-n42/by-supplier.csv, and the page and chart that show
// that file); another party's name never appears; and no device id, MPxN
// or postcode appears that is neither in the party's estate nor in an
// alert sent to it.
func TestBundlesNameNoOtherParty(t *testing.T) {
	d := buildDemo(t)
	parties := readCSV(t, filepath.Join(d.extracts, "parties.csv"))
	names := map[string]string{}
	for _, p := range parties {
		names[p["party_id"]] = p["party_name"]
	}
	if len(names) < 6 {
		t.Fatalf("only %d parties in the tiny month", len(names))
	}
	devices := readCSV(t, filepath.Join(d.extracts, "devices.csv"))
	byDevice := map[string]map[string]string{}
	for _, dv := range devices {
		byDevice[dv["device_id"]] = dv
	}
	alerts := readCSV(t, filepath.Join(d.extracts, "alerts.csv"))
	ownerCols := []string{"import_supplier_id", "export_supplier_id", "gas_supplier_id", "dno_id"}
	counterparties := 0

	for id := range names {
		t.Run(id, func(t *testing.T) {
			files := openAll(t, d, id)
			allowed := map[string]bool{}
			for _, dv := range devices {
				for _, c := range ownerCols {
					if dv[c] == id {
						allowed[dv["device_id"]], allowed[dv["mpxn"]], allowed[dv["postcode"]] = true, true, true
					}
				}
			}
			n16Suppliers := map[string]bool{}
			for _, a := range alerts {
				if a["party_id"] == id {
					allowed[a["device_id"]] = true
					if a["user_role"] == "ED" && a["alert_code"] == "N16" {
						n16Suppliers[a["energy_supplier_id"]] = true
					}
				}
			}
			// names are few: plain substring search; ids, device ids, MPxNs
			// and postcodes are many: pull every candidate token out of a
			// file and look it up
			var names2 []string
			forbidden := map[string]bool{}
			for other, name := range names {
				if other != id {
					forbidden[other] = true
					names2 = append(names2, name)
				}
			}
			for _, dv := range devices {
				for _, c := range []string{"device_id", "mpxn", "postcode"} {
					if v := dv[c]; v != "" && !allowed[v] {
						forbidden[v] = true
					}
				}
			}
			checked := 0
			for path, text := range files {
				if strings.HasSuffix(path, "echarts.min.js") {
					continue // the vendored library, byte-identical to the npm package
				}
				checked++
				for _, name := range names2 {
					if strings.Contains(text, name) || strings.Contains(text, html.EscapeString(name)) {
						t.Errorf("%s's bundle file %s names another party: %q", id, path, name)
					}
				}
				n16Page := strings.HasPrefix(path, "data/ED/n16-n42/") || path == "ED/n16-n42.html"
				if strings.HasSuffix(path, "/inventory/devices.csv.gz") {
					text = blankOwners(t, id, path, text, byDevice, ownerCols, &counterparties)
				}
				for _, re := range tokenREs {
					for _, tok := range re.FindAllString(text, -1) {
						if forbidden[tok] && !(n16Page && n16Suppliers[tok]) {
							t.Errorf("%s's bundle file %s holds %q, which belongs to another party", id, path, tok)
						}
						if n16Page && n16Suppliers[tok] && tok != id {
							counterparties++
						}
					}
				}
			}
			if checked < 5 {
				t.Fatalf("only %d files checked", checked)
			}
		})
	}
	// not vacuous: the tiny month has shared devices and N16s to suppliers
	if counterparties == 0 {
		t.Error("no bundle named a counterparty: the month does not exercise the rule")
	}
}

// blankOwners checks that every ownership cell of an estate file holds
// what devices.csv says for that device, and returns the file's text with
// those cells blanked (they are the one place of the file where another
// party's id may appear).
func blankOwners(t *testing.T, party, path, text string, byDevice map[string]map[string]string, ownerCols []string, others *int) string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("%s's %s: %v", party, path, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var b strings.Builder
	for _, r := range recs[1:] {
		dv := byDevice[r[col["device_id"]]]
		if dv == nil {
			t.Errorf("%s's %s holds unknown device %q", party, path, r[col["device_id"]])
			continue
		}
		mine := false
		for _, c := range ownerCols {
			v := r[col[c]]
			if v != dv[c] {
				t.Errorf("%s's %s: device %s: %s = %q, devices.csv says %q", party, path, r[0], c, v, dv[c])
			}
			if v == party {
				mine = true
			} else if v != "" {
				*others++
			}
			r[col[c]] = ""
		}
		if !mine {
			t.Errorf("%s's %s holds device %s, which is not in its estate", party, path, r[0])
		}
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.String()
}

// tokenREs find every token that could be a party id, device id, MPxN or
// postcode.
var tokenREs = []*regexp.Regexp{
	regexp.MustCompile(`[A-Za-z0-9]+`),
	regexp.MustCompile(`[0-9A-F]{2}(?:-[0-9A-F]{2}){7}`),
	regexp.MustCompile(`[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}`),
}

// TestBuiltBundleHoldsTheContractFiles decrypts a bundle of a real build
// with the age library (the upstream age CLI opens sealed bundles in
// internal/bundle's interop test, through go tool age) and checks the
// zip's contract files.
func TestBuiltBundleHoldsTheContractFiles(t *testing.T) {
	d := buildDemo(t)
	tmp := t.TempDir()
	var party string
	for _, p := range readCSV(t, filepath.Join(d.extracts, "parties.csv")) {
		if p["user_role"] == string(contract.IS) {
			party = p["party_id"]
			break
		}
	}
	key, err := os.Open(filepath.Join(d.extracts, "identities", party+".key"))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(key)
	key.Close()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := os.Open(filepath.Join(d.out, "2026-10", party+".zip.age"))
	if err != nil {
		t.Fatal(err)
	}
	defer sealed.Close()
	plain, err := age.Decrypt(sealed, ids...)
	if err != nil {
		t.Fatalf("decrypting %s's bundle: %v", party, err)
	}
	zipPath := filepath.Join(tmp, party+".zip")
	zf, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(zf, plain); err != nil {
		t.Fatal(err)
	}
	if err := zf.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	have := map[string]bool{}
	for _, f := range zr.File {
		have[f.Name] = true
	}
	for _, want := range []string{"index.html", "manifest.json"} {
		if !have[want] {
			t.Errorf("zip lacks %s", want)
		}
	}
	srvs := 0
	for name := range have {
		if m := regexp.MustCompile(`^data/IS/srv-[0-9.]+/league\.csv$`).FindString(name); m != "" {
			srvs++
			dir := strings.TrimSuffix(name, "league.csv")
			for _, v := range []string{"rtt.csv", "daily.csv"} {
				if !have[dir+v] {
					t.Errorf("zip has %s but not %s", name, dir+v)
				}
			}
		}
	}
	if srvs == 0 {
		t.Errorf("zip of %s holds no data/IS/srv-*/league.csv", party)
	}
}

// TestBuildPublishesOnlySealedFiles checks that the output folder holds
// bundles and the run report (run.json, run.html), that no plaintext
// staging is left behind, and that the history is beside OUT, not in it.
func TestBuildPublishesOnlySealedFiles(t *testing.T) {
	d := buildDemo(t)
	err := filepath.WalkDir(d.out, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		base := filepath.Base(path)
		if base == "2026-10" && e.Type()&os.ModeSymlink != 0 {
			return nil // the period's link to its version
		}
		if !strings.HasSuffix(base, ".zip.age") && !strings.HasSuffix(base, ".zip.age.minisig") && base != "manifest.json" && base != "run.json" &&
			base != "run.html" && base != "2026-10.run.json" && base != "2026-10.run.html" && base != ".lock" {
			t.Errorf("unexpected file published: %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(d.out+".history", "2026-10.json.gz")); err != nil {
		t.Errorf("no history entry beside OUT: %v", err)
	}
	for _, root := range []string{d.tmp, d.sites} {
		left, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range left {
			t.Errorf("staging folder left behind: %s", filepath.Join(root, l.Name()))
		}
	}
}
