package extract

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var benchFile struct {
	once sync.Once
	dir  string
	size int64
	rows int64
}

// benchDir writes a 300 000-row service request extract once per run.
func benchDir(b *testing.B) (string, int64, int64) {
	benchFile.once.Do(func() {
		dir, err := os.MkdirTemp("", "extract-bench")
		if err != nil {
			b.Fatal(err)
		}
		const n = 300_000
		writeFile(b, dir, "service_requests.csv", genServiceRequests(n, 7, 50))
		fi, err := os.Stat(filepath.Join(dir, "service_requests.csv"))
		if err != nil {
			b.Fatal(err)
		}
		benchFile.dir, benchFile.size, benchFile.rows = dir, fi.Size(), n
	})
	return benchFile.dir, benchFile.size, benchFile.rows
}

func benchScan(b *testing.B, workers int) {
	dir, size, rows := benchDir(b)
	o := testOptions(b)
	o.Workers = workers
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		// A light per-worker aggregate: requests and RTT by day.
		rep, err := ScanServiceRequests(dir, o, func(int) func(*ServiceRequest) {
			var n [32]int64
			var rtt [32]int64
			return func(r *ServiceRequest) { n[r.Day]++; rtt[r.Day] += r.RTT }
		})
		if err != nil || rep.Rows != rows {
			b.Fatalf("rows %d, err %v", rep.Rows, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkScanServiceRequests scans with the default workers
// (GOMAXPROCS), validating every field and interning strings.
func BenchmarkScanServiceRequests(b *testing.B) { benchScan(b, 0) }

// BenchmarkScanServiceRequests1Worker is the same on one parsing worker.
func BenchmarkScanServiceRequests1Worker(b *testing.B) { benchScan(b, 1) }

// BenchmarkEncodingCSV is the reference: encoding/csv splitting the same
// file into records (ReuseRecord), with no validation at all.
func BenchmarkEncodingCSV(b *testing.B) {
	dir, size, rows := benchDir(b)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(filepath.Join(dir, "service_requests.csv"))
		if err != nil {
			b.Fatal(err)
		}
		r := csv.NewReader(f)
		r.ReuseRecord = true
		var n int64
		for {
			_, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		f.Close()
		if n != rows+1 {
			b.Fatalf("read %d records", n)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
