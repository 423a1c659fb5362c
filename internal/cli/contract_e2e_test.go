package cli

// The whole build on the hand-built month of cmd/carport/testdata/month,
// with rows added for one case each.

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/bundle"
)

// handMonth copies the hand-built month into a temporary folder, appends
// extra lines to its files, writes keys and identities for every party,
// and builds it (only parties, when given); it returns the month as
// openAll wants it and the build's exit code and stderr.
func handMonth(t *testing.T, extra map[string]string, args ...string) (demoMonth, int, string) {
	t.Helper()
	root := t.TempDir()
	d := demoMonth{root: root, extracts: filepath.Join(root, "ext"), out: filepath.Join(root, "out")}
	src := repoPath("cmd", "carport", "testdata", "month")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{d.extracts, filepath.Join(d.extracts, "keys"), filepath.Join(d.extracts, "identities")} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, extra[e.Name()]...)
		if err := os.WriteFile(filepath.Join(d.extracts, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"SUPA", "SUPB", "SUPC", "SUPD", "SUPE", "SUPF", "DNOA"} {
		rcpt, secret, err := bundle.NewIdentity()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d.extracts, "keys", p+".txt"), []byte(rcpt+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d.extracts, "identities", p+".key"), []byte(secret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pub, sec, err := bundle.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	signing := filepath.Join(d.extracts, "identities", "dcc-signing.key")
	if err := os.WriteFile(filepath.Join(d.extracts, "keys", "dcc-signing.pub"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(signing, sec, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := Run(append([]string{"build", "--extracts", d.extracts, "--period", "2026-10", "--keys", filepath.Join(d.extracts, "keys"),
		"--signing-key", signing, "--out", d.out, "--stage", t.TempDir(), "--reportdefs", repoPath("reportdefs"), "--templates", repoPath("templates"),
		"--content", repoPath("content")}, args...),
		nil, io.Discard, &stderr)
	return d, code, stderr.String()
}

// TestFormulasNeutralised: a device model and firmware that a spreadsheet
// would run reach models.csv, exceptions.csv and devices.csv.gz as text.
func TestFormulasNeutralised(t *testing.T) {
	dev := "00-00-00-00-00-00-00-09,SMS9,ESME,MakerA,\"=HYPERLINK(\"\"http://x\"\")\",@SUM(1),SMETS2,CSP-N,North,SUPA,,,DNOA,1234567890124,AB1 2CD,,,,Commissioned,0,false,2026-11-20,,,\n"
	d, code, stderr := handMonth(t, map[string]string{"devices.csv": dev}, "--party", "SUPA")
	if code != 0 {
		t.Fatalf("build exited %d:\n%s", code, stderr)
	}
	files := openAll(t, d, "SUPA")
	for path, want := range map[string][]string{
		"data/IS/inventory/models.csv":     {`ESME,"'=HYPERLINK(""http://x"")",'@SUM(1),1`},
		"data/IS/inventory/exceptions.csv": {`00-00-00-00-00-00-00-09,ESME,"'=HYPERLINK(""http://x"")",'@SUM(1),1234567890124,AB1 2CD,cpl-expiry`},
		"data/IS/inventory/devices.csv.gz": {`00-00-00-00-00-00-00-09,SMS9,ESME,MakerA,"'=HYPERLINK(""http://x"")",'@SUM(1),SMETS2,CSP-N,North,SUPA,,,DNOA,`},
	} {
		text, ok := files[path]
		if !ok {
			t.Errorf("SUPA's bundle has no %s", path)
			continue
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %s:\n%s", path, w, text)
			}
		}
		for _, live := range []string{"\n=", ",=", `,"=`, "\n@", ",@", `,"@`} {
			if strings.Contains(text, live) {
				t.Errorf("%s holds a cell starting %q:\n%s", path, live[len(live)-1:], text)
			}
		}
	}
}
