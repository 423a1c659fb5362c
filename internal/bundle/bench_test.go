package bundle

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchSite writes about 20 MB of CSV-like site files (compressible like
// the real data) and returns the folder and the total size.
func benchSite(b *testing.B) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	var total int64
	for i := range 80 {
		var sb strings.Builder
		sb.WriteString("date,requests,successes,success_rate,mean_rtt_ms\n")
		for sb.Len() < 256<<10 {
			req := 1000 + rng.IntN(90000)
			ok := req - rng.IntN(req/50+1)
			fmt.Fprintf(&sb, "2026-10-%02d,%d,%d,%.4f,%d\n", 1+rng.IntN(31), req, ok, float64(ok)/float64(req), 200+rng.IntN(5000))
		}
		p := filepath.Join(dir, "data", "IS", fmt.Sprintf("srv-%d", i), "daily.csv")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(sb.Len())
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir, total + int64(len("<!doctype html>\n"))
}

// BenchmarkSeal measures a whole Seal: scan and hash, zip, age, fsync and
// rename. Compare with BenchmarkZipOnly for the cost of age and the file.
func BenchmarkSeal(b *testing.B) {
	site, total := benchSite(b)
	dir := b.TempDir()
	recipients, _ := keyFiles(b, dir)
	out := filepath.Join(dir, "OUT", "2026-10", "ACME.zip.age")
	b.SetBytes(total)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Seal(SealOptions{SiteDir: site, Recipients: recipientsOf(b, recipients), OutPath: out, Manifest: testManifest(), Signer: testKey}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkZipOnly is the reference for BenchmarkSeal: the same scan, hash
// and zip, written to io.Discard with no encryption.
func BenchmarkZipOnly(b *testing.B) {
	site, total := benchSite(b)
	b.SetBytes(total)
	b.ResetTimer()
	for b.Loop() {
		files, err := scanSite(site)
		if err != nil {
			b.Fatal(err)
		}
		m, err := testManifest().normalise()
		if err != nil {
			b.Fatal(err)
		}
		m.Files = files
		mj, err := m.encode()
		if err != nil {
			b.Fatal(err)
		}
		modified, _ := periodStart(m.Period)
		if err := writeZip(context.Background(), io.Discard, site, modified, mj, nil, files, nil); err != nil {
			b.Fatal(err)
		}
	}
}
