// Command benchrun measures carport's extract engine against a plain
// encoding/csv read of the same files, in one invocation, so that the
// figures are ratios measured on the same machine at the same moment. Each
// measurement runs in its own child process (this program re-executed), so
// peak memory is that child's maxrss and nothing else's. `make bench` calls
// it through scripts/bench.sh; it is a development tool, not part of the
// product.
//
//	benchrun [-scale medium] [-cache DIR] [-period 2026-10] [-large=true]
//
// generates the month once into DIR/<scale>-<period> (reused when present),
// then prints, per extract, rows/s and MB/s for the reference and for the
// engine, their ratio, and each child's peak RSS; with -large it repeats
// the engine on a month twice as large and prints the peak RSS growth.
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/dcc/carport/internal/bench"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/synth"
)

// The two event extracts the throughput target is about.
var eventFiles = []string{"service_requests.csv", "alerts.csv"}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "benchrun: error: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "ref":
			return childRef(args[1:], stdout)
		case "engine":
			return childEngine(args[1:], stdout)
		}
	}
	fs := flag.NewFlagSet("benchrun", flag.ContinueOnError)
	scale := fs.String("scale", "medium", "synthetic scale of the measured month (tiny, small, medium, large)")
	cache := fs.String("cache", filepath.Join(os.TempDir(), "carport-bench"), "folder where generated months are kept")
	period := fs.String("period", "2026-10", "period of the generated month")
	large := fs.Bool("large", true, "also run the engine on a month twice as large, for the peak RSS growth")
	defs := fs.String("reportdefs", "reportdefs", "report definitions folder")
	reps := fs.Int("reps", 2, "runs of each measurement, interleaved; the fastest counts (the machine is shared), and the largest peak RSS")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sc, err := synth.ParseScale(*scale)
	if err != nil {
		return err
	}
	dir, err := synth.Cached(*cache, sc, *period, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "benchrun: %s month %s in %s (GOMAXPROCS %d; best of %d runs, largest peak RSS)\n",
		sc.Name, *period, dir, runtime.GOMAXPROCS(0), max(*reps, 1))

	var eng result
	refs := make([]result, len(eventFiles))
	for range max(*reps, 1) {
		r, err := child(stdout, "engine", dir, *period, *defs)
		if err != nil {
			return err
		}
		eng = best(eng, r)
		for i, f := range eventFiles {
			r, err := child(stdout, "ref", filepath.Join(dir, f))
			if err != nil {
				return err
			}
			refs[i] = best(refs[i], r)
		}
	}
	printCompare(stdout, refs, eng)
	if !*large {
		return nil
	}
	big := sc
	big.Name = sc.Name + "-x2"
	big.Devices, big.ServiceRequests, big.Alerts = 2*sc.Devices, 2*sc.ServiceRequests, 2*sc.Alerts
	bigDir, err := synth.Cached(*cache, big, *period, os.Stderr)
	if err != nil {
		return err
	}
	var eng2 result
	for range max(*reps, 1) {
		r, err := child(stdout, "engine", bigDir, *period, *defs)
		if err != nil {
			return err
		}
		eng2 = best(eng2, r)
	}
	fmt.Fprintf(stdout, "\nrows doubled (%s, %d event rows, %.0f MB):\n", big.Name, eng2.rows(), eng2.mb())
	fmt.Fprintf(stdout, "  engine  %s\n", eng2.rate(""))
	fmt.Fprintf(stdout, "  peak RSS %d MiB vs %d MiB: growth %.1f%% for %.2fx the event rows (target < 1024 MiB, < 20%%)\n",
		eng2.MaxRSS>>10, eng.MaxRSS>>10, 100*(float64(eng2.MaxRSS)/float64(eng.MaxRSS)-1), float64(eng2.rows())/float64(eng.rows()))
	return nil
}

// best keeps the faster of two runs of the same measurement (by total
// seconds) and the larger peak RSS of the two.
func best(a, b result) result {
	if len(a.Files) == 0 {
		return b
	}
	rss := max(a.MaxRSS, b.MaxRSS)
	if secs(b) < secs(a) {
		a = b
	}
	a.MaxRSS = rss
	return a
}

// file is one measured extract.
type file struct {
	Name    string  `json:"name"`
	Rows    int64   `json:"rows"`
	Bytes   int64   `json:"bytes"`
	Seconds float64 `json:"seconds"`
}

// result is what a child prints, plus its peak RSS in KiB.
type result struct {
	Files  []file `json:"files"`
	MaxRSS int64  `json:"-"`
}

func (r result) rows() (n int64) {
	for _, f := range r.Files {
		n += f.Rows
	}
	return n
}

func (r result) mb() (n float64) {
	for _, f := range r.Files {
		n += float64(f.Bytes) / 1e6
	}
	return n
}

func (r result) find(name string) (file, bool) {
	for _, f := range r.Files {
		if f.Name == name {
			return f, true
		}
	}
	return file{}, false
}

// rate formats rows/s and MB/s of one file, or of all when name is "".
func (r result) rate(name string) string {
	var f file
	if name == "" {
		for _, x := range r.Files {
			f.Rows += x.Rows
			f.Bytes += x.Bytes
			f.Seconds += x.Seconds
		}
	} else {
		f, _ = r.find(name)
	}
	return fmt.Sprintf("%10.0f rows/s %7.1f MB/s", float64(f.Rows)/f.Seconds, float64(f.Bytes)/1e6/f.Seconds)
}

func printCompare(w io.Writer, refs []result, eng result) {
	var ref result
	for _, r := range refs {
		ref.Files = append(ref.Files, r.Files...)
		ref.MaxRSS = max(ref.MaxRSS, r.MaxRSS)
	}
	fmt.Fprintf(w, "\n%-22s %-10s %34s %10s\n", "extract", "reader", "throughput", "vs csv")
	for _, name := range append(append([]string{}, eventFiles...), "") {
		label := name
		if name == "" {
			label = "both together"
		}
		rf, _ := ref.find(name)
		ef, _ := eng.find(name)
		ratio := 0.0
		if name == "" {
			ratio = (float64(eng.rows()) / secs(eng)) / (float64(ref.rows()) / secs(ref))
		} else {
			ratio = (float64(ef.Rows) / ef.Seconds) / (float64(rf.Rows) / rf.Seconds)
		}
		fmt.Fprintf(w, "%-22s %-10s %s\n", label, "encoding/csv", ref.rate(name))
		fmt.Fprintf(w, "%-22s %-10s %s %9.2fx\n", "", "carport", eng.rate(name), ratio)
	}
	fmt.Fprintf(w, "peak RSS: encoding/csv %d MiB (largest of its runs), carport engine %d MiB (whole run, devices included)\n",
		ref.MaxRSS>>10, eng.MaxRSS>>10)
	fmt.Fprintf(w, "target: >= 3000000 rows/s over both event extracts: %s\n", pass(float64(eng.rows())/secs(eng) >= 3e6))
}

func secs(r result) (s float64) {
	for _, f := range r.Files {
		s += f.Seconds
	}
	return s
}

func pass(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// child re-executes this program with args and decodes its JSON result.
func child(progress io.Writer, args ...string) (result, error) {
	exe, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	cmd := exec.Command(exe, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%v: %w", args, err)
	}
	var r result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return r, fmt.Errorf("%v: reading result: %w", args, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = ru.Maxrss // KiB on Linux
	}
	return r, nil
}

// hwmWriter adds the process's peak RSS so far to each progress line.
type hwmWriter struct {
	w    io.Writer
	heap string // where to write a heap profile after the alerts stage
}

func (h hwmWriter) Write(p []byte) (int, error) {
	status, _ := os.ReadFile("/proc/self/status")
	hwm := ""
	for _, l := range bytes.Split(status, []byte("\n")) {
		if bytes.HasPrefix(l, []byte("VmHWM:")) || bytes.HasPrefix(l, []byte("RssAnon:")) || bytes.HasPrefix(l, []byte("RssFile:")) {
			hwm += string(bytes.Join(bytes.Fields(l), []byte(" "))) + " "
		}
	}
	if h.heap != "" && bytes.Contains(p, []byte("alerts.csv")) {
		if f, err := os.Create(h.heap); err == nil {
			runtime.GC()
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	line := bytes.TrimRight(p, "\n")
	if hwm != "" {
		line = append(append([]byte{}, line...), fmt.Sprintf(" [peak RSS so far %s]", hwm)...)
	}
	_, err := fmt.Fprintf(h.w, "%s\n", line)
	return len(p), err
}

// childRef reads one CSV file with encoding/csv, touching every field.
func childRef(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: benchrun ref FILE")
	}
	t0 := time.Now()
	f, err := os.Open(args[0])
	if err != nil {
		return err
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
			return err
		}
		rows++
		for _, x := range rec {
			chars += int64(len(x))
		}
	}
	el := time.Since(t0).Seconds()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if chars == 0 {
		return errors.New("no fields read")
	}
	return json.NewEncoder(stdout).Encode(result{Files: []file{{filepath.Base(args[0]), rows - 1, fi.Size(), el}}})
}

// childEngine runs bench.Run over a month and reports the two event
// stages (scan and aggregation, merge included).
func childEngine(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("engine", flag.ContinueOnError)
	cpu := fs.String("cpuprofile", "", "write a CPU profile")
	mem := fs.String("memprofile", "", "write a heap profile at the end")
	alHeap := fs.String("alertsheap", "", "write a heap profile after the alerts stage")
	workers := fs.Int("workers", 0, "scan workers (0: GOMAXPROCS)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 3 {
		return errors.New("usage: benchrun engine [flags] DIR PERIOD REPORTDEFS")
	}
	dir, per, defs := fs.Arg(0), fs.Arg(1), fs.Arg(2)
	period, err := contract.ParsePeriod(per)
	if err != nil {
		return err
	}
	suite, err := reportdef.Load(defs)
	if err != nil {
		return err
	}
	stage, err := os.MkdirTemp("", "benchrun-stage")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	e, err := bench.Run(bench.Config{Suite: suite, Extracts: dir, Period: period, StageDir: stage, Workers: *workers, Progress: hwmWriter{os.Stderr, *alHeap}})
	if err != nil {
		return err
	}
	if *mem != "" {
		f, err := os.Create(*mem)
		if err != nil {
			return err
		}
		runtime.GC()
		if err := pprof.WriteHeapProfile(f); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	var r result
	names := map[string]string{"service requests": "service_requests.csv", "alerts": "alerts.csv"}
	for _, s := range e.Stages {
		if n, ok := names[s.Name]; ok {
			r.Files = append(r.Files, file{n, s.Rows, s.Bytes, s.Elapsed.Seconds()})
		}
	}
	if len(r.Files) != len(eventFiles) {
		return fmt.Errorf("engine reported %d event stages, want %d", len(r.Files), len(eventFiles))
	}
	return json.NewEncoder(stdout).Encode(r)
}
