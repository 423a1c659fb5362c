package extract

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dcc/carport/internal/contract"
)

// TestMain removes the benchmarks' generated extracts.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range []string{benchFile.dir, benchMore.dir} {
		if d != "" {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}

// Benchmarks of the alert and device readers, so that a change to the
// checks every row goes through can be measured before and after in the
// same run (the service-request reader has its own in bench_test.go).

var benchMore struct {
	once               sync.Once
	dir                string
	alertRows, devRows int64
	alertSize, devSize int64
	err                error
}

// benchMoreDir writes a 300 000-row alert extract and a 300 000-row device
// extract (distinct random device ids) once per run.
func benchMoreDir(b *testing.B) string {
	benchMore.once.Do(func() {
		dir, err := os.MkdirTemp("", "extract-bench2-")
		if err != nil {
			benchMore.err = err
			return
		}
		benchMore.dir = dir
		const n = 300_000
		rng := rand.New(rand.NewSource(11))
		period, _ := contract.ParsePeriod("2026-10")
		start, span := period.StartMS(), period.EndMS()-period.StartMS()
		var al strings.Builder
		al.WriteString(alertHead)
		parties := [][2]string{{"BGAS", "IS"}, {"BGAS", "GS"}, {"EDF", "IS"}, {"OCTO", "ES"}, {"UKPN", "ED"}}
		codes := []string{"8F35", "8F36", "AD1", "N12", "N13", "8F0C", "81C6"}
		for i := range n {
			p := parties[rng.Intn(len(parties))]
			at := start + rng.Int63n(span+7*86400*1000)
			del, outcome, reason := fmtMS(at+int64(rng.Intn(30000)), false), "delivered", ""
			if rng.Intn(20) == 0 {
				del, outcome, reason = "", "failed", "R7"
			}
			fmt.Fprintf(&al, "A%07d,%s,%s,%s,device,00-1B-C5-0C-%02X-%02X-%02X-%02X,BGAS,%s,%s,%s,%s,North,SMETS2,ESME,Landis,E470,1.%d,Toshiba,CH1,dual-band,9.0\n",
				i, p[0], p[1], codes[rng.Intn(len(codes))], rng.Intn(256), rng.Intn(256), rng.Intn(256), rng.Intn(256),
				fmtMS(at, rng.Intn(2) == 0), del, outcome, reason, rng.Intn(9))
		}
		var dv strings.Builder
		dv.WriteString(strings.Join(contract.DevicesFile.Header(), ",") + "\n")
		for i := range n {
			id := uint64(0x001BC50C00000000) + uint64(i)*2654435761%(1<<32)
			var idb strings.Builder
			for k := 7; k >= 0; k-- {
				fmt.Fprintf(&idb, "%02X", byte(id>>(8*k)))
				if k > 0 {
					idb.WriteByte('-')
				}
			}
			fmt.Fprintf(&dv, "%s,SMS%d,ESME,Landis,E470,1.%d,SMETS2,CSP-N,North,BGAS,,,UKPN,%013d,SW1A 1AA,2026-10-31T23:00:00Z,,,Commissioned,0,false,2027-03-31,,,\n",
				idb.String(), i/3, rng.Intn(9), 1000000000000+int64(i))
		}
		writeFile(b, dir, "alerts.csv", al.String())
		writeFile(b, dir, "devices.csv", dv.String())
		for _, x := range []struct {
			name string
			size *int64
		}{{"alerts.csv", &benchMore.alertSize}, {"devices.csv", &benchMore.devSize}} {
			fi, err := os.Stat(filepath.Join(dir, x.name))
			if err != nil {
				benchMore.err = err
				return
			}
			*x.size = fi.Size()
		}
		benchMore.alertRows, benchMore.devRows = n, n
	})
	if benchMore.err != nil {
		b.Fatal(benchMore.err)
	}
	return benchMore.dir
}

// BenchmarkScanAlerts scans the alert extract on the default workers.
func BenchmarkScanAlerts(b *testing.B) {
	dir := benchMoreDir(b)
	o := testOptions(b)
	b.SetBytes(benchMore.alertSize)
	b.ResetTimer()
	for range b.N {
		rep, err := ScanAlerts(dir, o, func(int) func(*Alert) {
			var n [64]int64
			return func(a *Alert) {
				if a.Day >= 0 {
					n[a.Day]++
				}
			}
		})
		if err != nil || rep.Rows != benchMore.alertRows || rep.Bad != 0 {
			b.Fatalf("rows %d bad %d, err %v", rep.Rows, rep.Bad, err)
		}
	}
	b.ReportMetric(float64(benchMore.alertRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkScanDevices scans the device extract on one worker, as the
// engine does (estate files are written in file order).
func BenchmarkScanDevices(b *testing.B) {
	dir := benchMoreDir(b)
	o := testOptions(b)
	o.Workers = 1
	b.SetBytes(benchMore.devSize)
	b.ResetTimer()
	for range b.N {
		var n int64
		rep, err := ScanDevices(dir, o, func(int) func(*Device) { return func(*Device) { n++ } })
		if err != nil || rep.Rows != benchMore.devRows || rep.Bad != 0 || n != benchMore.devRows {
			b.Fatalf("rows %d bad %d passed %d, err %v", rep.Rows, rep.Bad, n, err)
		}
	}
	b.ReportMetric(float64(benchMore.devRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
