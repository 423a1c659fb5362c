package audit

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchSite writes about 8 MB of site-like files for SUPA: CSVs of dates,
// counts, rates and device rows, and HTML tables of the same.
func benchSite(b *testing.B) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	var total int64
	for i := range 40 {
		var sb strings.Builder
		sb.WriteString("date,requests,successes,success_rate,mean_rtt_ms,device_id,mpxn,postcode\n")
		for sb.Len() < 100<<10 {
			fmt.Fprintf(&sb, "2026-10-%02d,%d,%d,%.6f,%d,00-00-00-00-00-00-00-01,1234567890123,AB1 2CD\n",
				1+rng.IntN(31), rng.IntN(900000), rng.IntN(900000), rng.Float64(), rng.IntN(90000))
		}
		for _, name := range []string{fmt.Sprintf("data/IS/srv-%d/daily.csv", i), fmt.Sprintf("IS/srv-%d.html", i)} {
			p := filepath.Join(dir, filepath.FromSlash(name))
			os.MkdirAll(filepath.Dir(p), 0o755)
			body := sb.String()
			if strings.HasSuffix(name, ".html") {
				body = "<table><tr><td>" + strings.ReplaceAll(strings.ReplaceAll(body, ",", "</td><td>"), "\n", "</td></tr>\n<tr><td>") + "</table>"
			}
			os.WriteFile(p, []byte(body), 0o644)
			total += int64(len(body))
		}
	}
	return dir, total
}

// BenchmarkCheck is the audit of one site; compare with
// BenchmarkReadAndHash, reading and hashing the same files (what sealing
// does to them anyway), measured in the same run.
func BenchmarkCheck(b *testing.B) {
	site, total := benchSite(b)
	ix := index(b)
	b.SetBytes(total)
	b.ResetTimer()
	for b.Loop() {
		if _, err := ix.Check("SUPA", site, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadAndHash is BenchmarkCheck's reference.
func BenchmarkReadAndHash(b *testing.B) {
	site, total := benchSite(b)
	b.SetBytes(total)
	b.ResetTimer()
	for b.Loop() {
		filepath.WalkDir(site, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			sha256.Sum256(data)
			return err
		})
	}
}
