package main

// The build's worker processes, as an operator meets them: real builds
// of the hand-built month as child processes (the test binary under the
// name carport, its workers the same binary again), real signals.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
)

// TestWorkersMakeTheBundlesOfOneWorker: three workers build every party's
// bundle with the very plaintext zip one worker makes (decrypted and
// compared, not only the signed claims), with one progress line per party
// and the run report in one order.
func TestWorkersMakeTheBundlesOfOneWorker(t *testing.T) {
	zips := map[string]map[string]string{} // workers → party → sha256 of the decrypted zip
	var reports []string
	w := newWS(t) // one signing key: the zips hold its signature of manifest.json
	sorted := slices.Sorted(slices.Values(parties))
	for _, n := range []string{"1", "3"} {
		stderr := w.mustBuild(t, "--workers", n)
		if want := "(" + n + " workers, "; !strings.Contains(stderr, want) {
			t.Errorf("--workers %s: the summary lacks %q:\n%s", n, want, stderr)
		}
		// one progress line per party, in the parties' order, whichever
		// worker finished first
		lines := regexp.MustCompile(`(?m)^carport: \[(\d+)/7\] (\S+) `).FindAllStringSubmatch(stderr, -1)
		var seen, want []string
		for i, l := range lines {
			seen = append(seen, l[1]+" "+l[2])
			want = append(want, strconv.Itoa(i+1)+" "+sorted[i])
		}
		if len(lines) != len(sorted) || !slices.Equal(seen, want) {
			t.Errorf("--workers %s: progress lines %q, want %q:\n%s", n, seen, want, stderr)
		}
		zips[n] = map[string]string{}
		claims := w.dccManifest(t)
		for _, p := range parties {
			id, err := age.ParseIdentities(strings.NewReader(readFile(t, filepath.Join(w.ids, p+".key"))))
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(filepath.Join(w.out, "2026-10", p+".zip.age"))
			if err != nil {
				t.Fatal(err)
			}
			r, err := age.Decrypt(f, id...)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			h := sha256.New()
			if _, err := io.Copy(h, r); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			f.Close()
			zips[n][p] = hex.EncodeToString(h.Sum(nil))
			if claims[p]["zip_sha256"] != zips[n][p] {
				t.Errorf("--workers %s: %s: the zip is %s, the manifest claims %v", n, p, zips[n][p], claims[p]["zip_sha256"])
			}
		}
		var rep struct {
			Parties []string `json:"parties"`
		}
		if err := json.Unmarshal([]byte(readFile(t, filepath.Join(w.out, "2026-10.run.json"))), &rep); err != nil {
			t.Fatal(err)
		}
		reports = append(reports, strings.Join(rep.Parties, ","))
	}
	for _, p := range parties {
		if zips["1"][p] != zips["3"][p] {
			t.Errorf("%s: one worker zipped %s, three workers %s", p, zips["1"][p], zips["3"][p])
		}
	}
	if reports[0] != strings.Join(sorted, ",") || reports[1] != reports[0] {
		t.Errorf("run reports list %q and %q, want %q", reports[0], reports[1], strings.Join(sorted, ","))
	}
}

// TestWorkerKilledMidRenderPublishesNothing kills one of two workers with
// SIGKILL while both render (each blocked reading echarts.min.js, a FIFO
// never served): the run exits 1 naming the party and the signal, the
// other worker is gone too, the previous period is byte-identical and no
// plaintext is left.
func TestWorkerKilledMidRenderPublishesNothing(t *testing.T) {
	w := newWS(t)
	w.mustBuild(t)
	before := w.snapshot(t)
	w.newIdentity(t, "SUPA") // something to publish if it went through
	fb := w.startFIFOBuild(t, "build", "--workers", "2")
	f, ok := fb.waitReader(t) // the leak audit's read, in the build itself
	if !ok {
		t.Fatalf("build ended early:\n%s", fb.stderrText())
	}
	fb.serve(t, f, w)
	// both workers are rendering once each has its party's work folder
	// and one waits for echarts.min.js (neither can get past it)
	deadline := time.Now().Add(2 * time.Minute)
	var workers []int
	for {
		rendering, _ := filepath.Glob(filepath.Join(w.stage, "carport-sites-*", "work", "*"))
		workers = childPids(fb.cmd.Process.Pid)
		if len(rendering) == 2 && len(workers) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never saw two workers rendering (%q, workers %v):\n%s", rendering, workers, fb.stderrText())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, ok := fb.waitReader(t); !ok {
		t.Fatalf("build ended early:\n%s", fb.stderrText())
	}
	// plaintext is on the stage now: a site being rendered
	if sites, _ := filepath.Glob(filepath.Join(w.stage, "carport-sites-*", "work", "*", "*")); len(sites) == 0 {
		t.Errorf("no site being rendered on the stage: the test does not exercise a kill mid-render")
	}
	if err := syscall.Kill(workers[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	code := fb.exitCode(t)
	stderr := fb.stderrText()
	if code != 1 {
		t.Errorf("exit code %d, want 1\n%s", code, stderr)
	}
	if !regexp.MustCompile(`carport: error: party \S+: the worker process building it \(pid \d+\) ended unexpectedly \(signal: killed\)`).MatchString(stderr) {
		t.Errorf("stderr does not say which party's worker died, and how:\n%s", stderr)
	}
	if strings.Contains(stderr, "summary") {
		t.Errorf("the run went on to its summary:\n%s", stderr)
	}
	for _, pid := range workers {
		if alive(pid) {
			t.Errorf("worker %d outlived the build", pid)
		}
	}
	sameSnapshot(t, "after the kill", w.snapshot(t), before)
	if left := w.leftovers(t); len(left) != 0 {
		t.Errorf("left behind: %q", left)
	}
}

// alive reports whether pid is a process that has not exited (a zombie
// has).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
