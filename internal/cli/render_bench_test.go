package cli

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/site"
	"github.com/dcc/carport/internal/site/siteinput"
)

// BenchmarkRenderParty renders one party's site from the small synthetic
// month (what make demo builds): the per-party render time that the
// build's progress lines report, without the engine's scan and the seal.
// CARPORT_BENCH_PARTY picks the party (default: the one with the most
// reports). Run: go test -run '^$' -bench RenderParty -benchtime 5x ./internal/cli/
func BenchmarkRenderParty(b *testing.B) {
	dir := b.TempDir()
	ext := filepath.Join(dir, "extracts")
	// sites render where build stages them: in memory when the machine can
	sites, err := os.MkdirTemp(plaintextRoot(""), "carport-sites-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(sites)
	if code := Run([]string{"synth", "--out", ext, "--period", "2026-10", "--scale", "small", "--seed", "1"}, nil, io.Discard, io.Discard); code != 0 {
		b.Fatalf("synth exited %d", code)
	}
	suite, err := reportdef.Load(repoPath("reportdefs"))
	if err != nil {
		b.Fatal(err)
	}
	period, _ := contract.ParsePeriod("2026-10")
	sources, err := openSiteSources("bench", repoPath("templates"), repoPath("content"), "")
	if err != nil {
		b.Fatal(err)
	}
	eng, err := bench.Run(bench.Config{Suite: suite, Extracts: ext, Period: period, StageDir: filepath.Join(dir, "stage")})
	if err != nil {
		b.Fatal(err)
	}
	party := os.Getenv("CARPORT_BENCH_PARTY")
	if party == "" {
		most := -1
		for _, p := range eng.Parties.All() {
			rep, err := eng.Party(p.ID)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, r := range rep.Roles {
				n += len(r.Reports)
			}
			if n > most {
				most, party = n, p.ID
			}
		}
	}
	b.Logf("party %s", party)
	b.ResetTimer()
	var bytes int64
	// CPU time (user + system, every thread) is reported beside wall time:
	// on a shared machine it is the steadier figure
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		rep, err := eng.Party(party)
		if err != nil {
			b.Fatal(err)
		}
		in := siteinput.For(eng, suite, rep, period, Version, "")
		out := filepath.Join(sites, "sites", party+"-"+strconv.Itoa(i))
		work := filepath.Join(sites, "work", party+"-"+strconv.Itoa(i))
		if err := os.MkdirAll(work, 0o700); err != nil {
			b.Fatal(err)
		}
		o := sources.options()
		o.WorkDir, o.OutDir, o.FeedbackEmail = work, out, suite.Policy.FeedbackEmail
		st, err := site.Render(in, o)
		if err != nil {
			b.Fatal(err)
		}
		bytes = st.Bytes
		b.StopTimer()
		os.RemoveAll(out)
		os.RemoveAll(work)
		b.StartTimer()
	}
	b.ReportMetric(float64(bytes)/1e6, "MB/site")
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
