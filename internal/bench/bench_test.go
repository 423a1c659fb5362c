package bench

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/synth"
)

var benchMonth struct {
	once sync.Once
	dir  string
	err  error
}

// benchDir generates one month per test binary in the system temp folder.
func benchDir(b *testing.B) string {
	benchMonth.once.Do(func() {
		benchMonth.dir, benchMonth.err = os.MkdirTemp("", "bench-month")
		if benchMonth.err != nil {
			return
		}
		sc := synth.Scale{Name: "bench", Parties: 40, Devices: 20_000, ServiceRequests: 400_000, Alerts: 400_000}
		_, benchMonth.err = synth.Generate(synth.Options{OutDir: benchMonth.dir, Period: "2026-10", Scale: sc, Seed: 1})
	})
	if benchMonth.err != nil {
		b.Fatal(benchMonth.err)
	}
	return benchMonth.dir
}

// csvRead is the reference: encoding/csv reading every field of file.
func csvRead(b *testing.B, path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	var rows, chars int64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		rows++
		for _, x := range rec {
			chars += int64(len(x))
		}
	}
	if chars == 0 {
		b.Fatal("read nothing")
	}
	return rows - 1
}

// BenchmarkEventAggregation runs the engine (scan, every per-row
// aggregate, merge) over the service requests and alerts of a synthetic
// month, and in the same iteration reads both files with encoding/csv.
// It reports rows/s for both and their ratio; the devices stage is not
// counted.
func BenchmarkEventAggregation(b *testing.B) {
	dir := benchDir(b)
	suite, err := reportdef.Load("../../reportdefs")
	if err != nil {
		b.Fatal(err)
	}
	period, _ := contract.ParsePeriod("2026-10")
	var engRows, refRows int64
	var engTime, refTime time.Duration
	b.ResetTimer()
	for range b.N {
		stage := b.TempDir()
		e, err := Run(Config{Suite: suite, Extracts: dir, Period: period, StageDir: stage})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range e.Stages {
			if s.Name == "service requests" || s.Name == "alerts" {
				engRows += s.Rows
				engTime += s.Elapsed
			}
		}
		t0 := time.Now()
		for _, f := range []string{"service_requests.csv", "alerts.csv"} {
			refRows += csvRead(b, filepath.Join(dir, f))
		}
		refTime += time.Since(t0)
	}
	if engRows != refRows {
		b.Fatalf("engine read %d rows, encoding/csv %d", engRows, refRows)
	}
	eng, ref := float64(engRows)/engTime.Seconds(), float64(refRows)/refTime.Seconds()
	b.ReportMetric(eng, "rows/s")
	b.ReportMetric(ref, "csv-rows/s")
	b.ReportMetric(eng/ref, "x-csv")
}

// TestMain removes the benchmark's month.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchMonth.dir != "" {
		os.RemoveAll(benchMonth.dir)
	}
	os.Exit(code)
}

// BenchmarkPartyViews builds every party's report (the views, the estate
// files, the exception lists) from one engine run over the benchmark's
// month: the work the build's parent does per party while the workers
// render. CARPORT_BENCH_MONTH names another month's extracts (e.g. the
// medium one of make bench).
func BenchmarkPartyViews(b *testing.B) {
	dir := os.Getenv("CARPORT_BENCH_MONTH")
	if dir == "" {
		dir = benchDir(b)
	}
	suite, err := reportdef.Load("../../reportdefs")
	if err != nil {
		b.Fatal(err)
	}
	period, _ := contract.ParsePeriod("2026-10")
	e, err := Run(Config{Suite: suite, Extracts: dir, Period: period, StageDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	parties := e.Parties.All()
	b.ResetTimer()
	reports := 0
	for range b.N {
		for _, p := range parties {
			rep, err := e.Party(p.ID)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range rep.Roles {
				reports += len(r.Reports)
			}
		}
	}
	if reports == 0 {
		b.Fatal("no reports built")
	}
	b.ReportMetric(float64(len(parties)*b.N)/b.Elapsed().Seconds(), "parties/s")
}
