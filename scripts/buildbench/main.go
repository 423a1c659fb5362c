// Command buildbench measures carport's whole build, end to end, of a
// synthetic month: read the extracts, compute every party's views, render,
// audit, zip, sign and seal every party's site and publish the period. It
// runs `carport build` as a child process, once with one worker and once
// with -workers (default: the cores) in the same invocation, so that the
// speed-up is a ratio measured on one machine at one moment, then does the
// same on a month with twice the parties (and twice the devices and
// events, so that a party's share stays the same). `make bench` calls it
// through scripts/bench.sh; it is a development tool, not part of the
// product.
//
//	buildbench -carport bin/carport [-scale medium] [-cache DIR] [-period 2026-10]
//	           [-workers N] [-double=true] [-one=true] [-reps 1] [-budget 60s] [-rss-budget 1GiB]
//
// For each build it prints the stages (the engine's scan, the leak audit's
// index, the parties' render+audit+seal on the workers, the total), the
// parties per second, the peak resident memory of the build's whole
// process tree (the build and its workers, summed, sampled every 250 ms
// from /proc) beside the largest single process's (wait4), and how much
// the build's plaintext stages and its output took on disk (the growth of
// the used space of the temp folder's and /dev/shm's file systems, sampled
// likewise: exact on a quiet machine). The months are generated once into
// the cache and reused. It fails when the -workers build of the -scale
// month misses -budget or -rss-budget.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dcc/carport/internal/synth"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "buildbench: error: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("buildbench", flag.ContinueOnError)
	carport := fs.String("carport", "bin/carport", "the carport binary to measure")
	scale := fs.String("scale", "medium", "synthetic scale of the measured month (tiny, small, medium, large)")
	cache := fs.String("cache", filepath.Join(os.TempDir(), "carport-bench"), "folder where generated months are kept")
	period := fs.String("period", "2026-10", "period of the generated month")
	workers := fs.Int("workers", runtime.NumCPU(), "worker processes of the parallel build")
	double := fs.Bool("double", true, "also build a month with twice the parties, devices and events")
	withOne := fs.Bool("one", true, "also build each month with one worker, for the speed-up")
	reps := fs.Int("reps", 1, "builds of each kind, interleaved; the fastest counts, and the largest memory")
	budget := fs.Duration("budget", 60*time.Second, "the parallel build of the -scale month must take at most this")
	rssBudget := fs.String("rss-budget", "1GiB", "its process tree's peak resident memory must stay under this")
	defs := fs.String("reportdefs", "reportdefs", "report definitions folder (the build's --reportdefs)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rssMax, err := parseSize(*rssBudget)
	if err != nil {
		return err
	}
	bin, err := filepath.Abs(*carport)
	if err != nil {
		return err
	}
	sc, err := synth.ParseScale(*scale)
	if err != nil {
		return err
	}
	months := []synth.Scale{sc}
	if *double {
		d := sc
		d.Name = sc.Name + "-2x"
		d.Parties, d.Devices, d.ServiceRequests, d.Alerts = 2*sc.Parties, 2*sc.Devices, 2*sc.ServiceRequests, 2*sc.Alerts
		months = append(months, d)
	}
	against := ""
	if *withOne {
		against = " against 1"
	}
	fmt.Fprintf(stdout, "buildbench: %s, %d cores (GOMAXPROCS %d), %d workers%s; best of %d\n",
		bin, runtime.NumCPU(), runtime.GOMAXPROCS(0), *workers, against, max(*reps, 1))
	var failed []string
	var firstPar, firstOne result
	for mi, m := range months {
		dir, err := synth.Cached(*cache, m, *period, os.Stderr)
		if err != nil {
			return err
		}
		if err := warm(dir); err != nil {
			return err
		}
		kinds := []int{*workers}
		if *withOne {
			kinds = append(kinds, 1)
		}
		var par, one result
		for range max(*reps, 1) {
			for _, n := range kinds {
				r, err := build(bin, dir, *period, *defs, *cache, n)
				if err != nil {
					return err
				}
				if n == *workers {
					par = better(par, r)
				} else {
					one = better(one, r)
				}
			}
		}
		fmt.Fprintf(stdout, "\n%s month: %d parties, %d devices, %d service requests, %d alerts (%s)\n",
			m.Name, m.Parties, m.Devices, m.ServiceRequests, m.Alerts, dir)
		if *withOne {
			printTable(stdout, []result{par, one})
			fmt.Fprintf(stdout, "  speed-up of %d workers over 1: %.2fx (total), %.2fx (parties)\n",
				*workers, one.Total/par.Total, one.Parties/par.Parties)
		} else {
			printTable(stdout, []result{par})
		}
		if mi == 0 {
			firstPar, firstOne = par, one
			ok := par.Total <= budget.Seconds() && par.TreeRSS < rssMax
			fmt.Fprintf(stdout, "  target: total <= %s and peak RSS (build and workers) < %s: %s\n", budget, *rssBudget, pass(ok))
			if !ok {
				failed = append(failed, m.Name)
			}
		} else {
			fmt.Fprintf(stdout, "  growth over %s: %.2fx the parties, total %.2fx, parties stage %.2fx, peak RSS %.2fx, stage disk %.2fx, output %.2fx\n",
				months[0].Name, float64(par.NParties)/float64(firstPar.NParties), par.Total/firstPar.Total, par.Parties/firstPar.Parties,
				float64(par.TreeRSS)/float64(firstPar.TreeRSS), ratio(par.StageDisk, firstPar.StageDisk), ratio(par.OutBytes, firstPar.OutBytes))
			if *withOne {
				fmt.Fprintf(stdout, "  (one worker: total %.2fx)\n", one.Total/firstOne.Total)
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("targets missed: %s", strings.Join(failed, ", "))
	}
	return nil
}

// result is one build measured.
type result struct {
	Workers  int
	NParties int
	// seconds: stages from the build's run report and summary
	Scan, Index, Parties, Total float64
	// Render, Audit and Seal are the parties' times added up (CPU-like)
	Render, Audit, Seal float64
	SiteMB              float64
	TreeRSS, MaxRSS     int64 // bytes
	StageDisk, OutBytes int64
	CPU                 float64 // user+system seconds of the build and its workers
}

func better(a, b result) result {
	if a.Total == 0 {
		return b
	}
	tree, max1, disk := max(a.TreeRSS, b.TreeRSS), max(a.MaxRSS, b.MaxRSS), max(a.StageDisk, b.StageDisk)
	if b.Total < a.Total {
		a = b
	}
	a.TreeRSS, a.MaxRSS, a.StageDisk = tree, max1, disk
	return a
}

func printTable(w io.Writer, rs []result) {
	fmt.Fprintf(w, "  %-9s %7s %7s %8s %8s %9s %9s %9s %10s %9s %9s %9s %9s %8s %11s\n", "workers", "scan", "index", "parties", "total",
		"parties/s", "render", "audit", "seal+sign", "cpu", "tree RSS", "max RSS", "stage", "output", "site/party")
	for _, r := range rs {
		fmt.Fprintf(w, "  %-9d %6.1fs %6.1fs %7.1fs %7.1fs %9.2f %8.1fs %8.1fs %9.1fs %8.1fs %6d MiB %6d MiB %6d MiB %4d MiB %8.2f MB\n",
			r.Workers, r.Scan, r.Index, r.Parties, r.Total, float64(r.NParties)/r.Parties, r.Render, r.Audit, r.Seal, r.CPU,
			r.TreeRSS>>20, r.MaxRSS>>20, r.StageDisk>>20, r.OutBytes>>20, r.SiteMB/float64(r.NParties))
	}
	fmt.Fprintf(w, "  (render, audit, seal: the parties' times added up over the workers; stage: the plaintext stages' peak on disk and /dev/shm;\n")
	fmt.Fprintf(w, "   site/party: the rendered sites' bytes per party, unpacked)\n")
}

// build runs one carport build of the month in dir with n workers into a
// fresh output folder, and measures it.
func build(bin, dir, period, defs, cache string, n int) (result, error) {
	out, err := os.MkdirTemp(cache, "out-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(out)
	defer os.RemoveAll(out + ".history") // the build's history, beside its output
	args := []string{"build", "--extracts", dir, "--period", period, "--keys", filepath.Join(dir, "keys"), "--out", out,
		"--signing-key", filepath.Join(dir, "identities", "dcc-signing.key"), "--reportdefs", defs, "--workers", strconv.Itoa(n)}
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	disks := []string{os.TempDir(), "/dev/shm"}
	base := usedBytes(disks)
	fmt.Fprintf(os.Stderr, "buildbench: %s --workers %d\n", dir, n)
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var treeRSS, diskPeak int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			treeRSS = max(treeRSS, rssOfTree(cmd.Process.Pid))
			diskPeak = max(diskPeak, usedBytes(disks)-base)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	err = cmd.Wait()
	close(stop)
	wg.Wait()
	if err != nil {
		return result{}, fmt.Errorf("carport %s: %v\n%s", strings.Join(args, " "), err, tail(stderr.String(), 40))
	}
	r := result{Workers: n, TreeRSS: treeRSS, StageDisk: diskPeak}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = ru.Maxrss << 10 // KiB on Linux; the largest process of the tree
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	if err := summary(stderr.String(), &r); err != nil {
		return r, fmt.Errorf("reading the summary of carport %s: %w\n%s", strings.Join(args, " "), err, tail(stderr.String(), 20))
	}
	var rep struct {
		Parties []string `json:"parties"`
		Stages  []struct {
			Name    string  `json:"name"`
			Seconds float64 `json:"seconds"`
		} `json:"stages"`
		IndexSec   float64 `json:"audit_index_seconds"`
		PartiesSec float64 `json:"parties_seconds"`
		Workers    int     `json:"workers"`
	}
	b, err := os.ReadFile(filepath.Join(out, period+".run.json"))
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return r, err
	}
	if rep.Workers != n {
		return r, fmt.Errorf("the run report says %d workers, asked %d", rep.Workers, n)
	}
	r.NParties, r.Index, r.Parties = len(rep.Parties), rep.IndexSec, rep.PartiesSec
	for _, s := range rep.Stages {
		switch s.Name {
		case "render sites", "leak audit", "seal and sign": // the parties' steps, added up over the workers
		default: // the engine's reading of the extracts
			r.Scan += s.Seconds
		}
	}
	r.OutBytes = treeSize(out)
	return r, nil
}

var (
	stageLine = regexp.MustCompile(`(?m)^carport:   (render sites|leak audit|seal and sign|total) +([0-9.]+)s(?:  \(([0-9.]+) MB of sites\))?`)
)

// summary reads the times the build's summary prints.
func summary(stderr string, r *result) error {
	found := 0
	for _, m := range stageLine.FindAllStringSubmatch(stderr, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		switch m[1] {
		case "render sites":
			r.Render = v
			r.SiteMB, _ = strconv.ParseFloat(m[3], 64)
		case "leak audit":
			r.Audit = v
		case "seal and sign":
			r.Seal = v
		case "total":
			r.Total = v
		}
		found++
	}
	if found != 4 {
		return errors.New("no summary")
	}
	return nil
}

// rssOfTree sums the resident memory of pid and its descendants.
func rssOfTree(pid int) int64 {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 1 {
			pp, _ := strconv.Atoi(f[1])
			children[pp] = append(children[pp], p)
		}
	}
	var sum int64
	var walk func(int)
	walk = func(p int) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/status")
		if err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(l, "VmRSS:") {
					f := strings.Fields(l)
					if len(f) >= 2 {
						kb, _ := strconv.ParseInt(f[1], 10, 64)
						sum += kb << 10
					}
				}
			}
		}
		for _, c := range children[p] {
			walk(c)
		}
	}
	walk(pid)
	return sum
}

// usedBytes is the space used on the file systems of paths (each counted
// once).
func usedBytes(paths []string) int64 {
	seen := map[uint64]bool{}
	var used int64
	for _, p := range paths {
		var st syscall.Statfs_t
		if err := syscall.Statfs(p, &st); err != nil {
			continue
		}
		id := uint64(st.Fsid.X__val[0])<<32 | uint64(uint32(st.Fsid.X__val[1]))
		if seen[id] {
			continue
		}
		seen[id] = true
		used += int64(st.Blocks-st.Bfree) * st.Bsize
	}
	return used
}

func treeSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// warm reads the month's extracts once, untimed, when they fit in half
// the memory available, so that every build reads them from the page
// cache: the first build after another month was read (make bench reads
// the engine's months before) otherwise read part of them from disk, and
// its scan took 2 to 3 s longer than the next one's.
func warm(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		return err
	}
	var size int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			size += st.Size()
		}
	}
	if avail := memAvailable(); avail == 0 || size > avail/2 {
		fmt.Fprintf(os.Stderr, "buildbench: %.1f GB of extracts, more than half the memory available: not read ahead\n", float64(size)/1e9)
		return nil
	}
	t0 := time.Now()
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "buildbench: read the %.1f GB of extracts once (%.1fs), so that each build reads them from the page cache\n",
		float64(size)/1e9, time.Since(t0).Seconds())
	return nil
}

// memAvailable is MemAvailable of /proc/meminfo in bytes (0 if unknown).
func memAvailable() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemAvailable:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func parseSize(s string) (int64, error) {
	units := map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "KB": 1e3, "MB": 1e6, "GB": 1e9, "": 1}
	num := strings.TrimRight(s, "KMGiB")
	n, err := strconv.ParseFloat(num, 64)
	u, ok := units[s[len(num):]]
	if err != nil || !ok {
		return 0, fmt.Errorf("size %q: want a number and KiB, MiB, GiB, KB, MB or GB", s)
	}
	return int64(n * float64(u)), nil
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func pass(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}
