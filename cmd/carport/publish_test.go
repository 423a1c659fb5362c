package main

// The publish step and the bundle tested as an attacker and as a crash
// would: real builds of the hand-built month run as child processes (the
// test binary under the name carport, see TestMain), real signals sent to
// them, real age and minisign files.
//
// Deterministic interrupts: the build reads echarts.min.js once for the
// leak audit and once per party it renders. Given a FIFO instead, the
// build blocks in that read until the test writes the file, so the test
// knows exactly where the build is: a reader waiting after the stderr line
// "[6/7]" is the seventh and last party's render.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/history"
	"github.com/dcc/carport/internal/stage"
)

var parties = []string{"DNOA", "SUPA", "SUPB", "SUPC", "SUPD", "SUPE", "SUPF"}

// ws is one test's workspace: the month, keys, identities, output and
// staging root.
type ws struct {
	dir, ext, keys, ids, out, stage, signKey, pub string
	repo                                          string
}

func newWS(t *testing.T) *ws {
	t.Helper()
	dir := t.TempDir()
	repo, _ := filepath.Abs(filepath.Join("..", ".."))
	w := &ws{dir: dir, ext: filepath.Join(dir, "ext"), keys: filepath.Join(dir, "keys"), ids: filepath.Join(dir, "ids"),
		out: filepath.Join(dir, "out"), stage: filepath.Join(dir, "stage"), repo: repo}
	if err := copyMissing(filepath.Join("testdata", "month"), w.ext); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{w.keys, w.ids, w.stage} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range parties {
		w.newIdentity(t, p)
	}
	pub, sec, err := bundle.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	w.signKey, w.pub = filepath.Join(w.ids, "dcc-signing.key"), filepath.Join(w.keys, "dcc-signing.pub")
	os.WriteFile(w.signKey, sec, 0o600)
	os.WriteFile(w.pub, pub, 0o644)
	return w
}

// newIdentity gives party a new key pair (a key change) and returns the
// old identity file's new name, if any.
func (w *ws) newIdentity(t *testing.T, party string) {
	t.Helper()
	rcpt, secret, err := bundle.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(w.keys, party+".txt"), []byte(rcpt+"\n"), 0o644)
	os.WriteFile(filepath.Join(w.ids, party+".key"), []byte(secret+"\n"), 0o600)
}

func (w *ws) echarts() string {
	return filepath.Join(w.repo, "third_party", "echarts", "echarts.min.js")
}

// buildArgs are the arguments of a build of the month into w.out.
func (w *ws) buildArgs(cmd string, echarts string, more ...string) []string {
	return append([]string{cmd, "--extracts", w.ext, "--period", "2026-10", "--keys", w.keys, "--out", w.out,
		"--signing-key", w.signKey, "--stage", w.stage, "--workers", "1",
		"--reportdefs", filepath.Join(w.repo, "reportdefs"), "--templates", filepath.Join(w.repo, "templates"),
		"--content", filepath.Join(w.repo, "content"), "--echarts", echarts}, more...)
}

func carportBin(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("carport")
	if err != nil {
		t.Fatalf("carport is not on PATH (TestMain puts the test binary there): %v", err)
	}
	return bin
}

// run runs carport to the end and returns its exit code and stderr.
func (w *ws) run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(carportBin(t), args...)
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), "TMPDIR="+w.stage)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stderr.String()
}

// mustBuild runs a successful build.
func (w *ws) mustBuild(t *testing.T, more ...string) string {
	t.Helper()
	code, stderr := w.run(t, w.buildArgs("build", w.echarts(), more...)...)
	if code != 0 {
		t.Fatalf("build exited %d:\n%s", code, stderr)
	}
	return stderr
}

// snapshot returns the sha256 of every file of OUT/2026-10 (through its
// link) and of OUT/2026-10.run.json.
func (w *ws) snapshot(t *testing.T) map[string]string {
	t.Helper()
	snap := map[string]string{}
	period := filepath.Join(w.out, "2026-10")
	ents, err := os.ReadDir(period)
	if errors.Is(err, fs.ErrNotExist) {
		return snap
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range append(ents, nil) {
		p := filepath.Join(w.out, "2026-10.run.json")
		if e != nil {
			p = filepath.Join(period, e.Name())
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		snap[p] = hex.EncodeToString(sum[:])
	}
	return snap
}

func sameSnapshot(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files published, want %d as before", what, len(got), len(want))
	}
	for p, s := range want {
		if got[p] != s {
			t.Errorf("%s: %s changed (or vanished)", what, p)
		}
	}
}

// leftovers lists what is in the staging root, and the versions in OUT
// other than the published one.
func (w *ws) leftovers(t *testing.T) []string {
	t.Helper()
	var left []string
	ents, _ := os.ReadDir(w.stage)
	for _, e := range ents {
		left = append(left, filepath.Join(w.stage, e.Name()))
	}
	cur, _ := os.Readlink(filepath.Join(w.out, "2026-10"))
	vs, _ := os.ReadDir(filepath.Join(w.out, ".periods"))
	for _, v := range vs {
		if ".periods/"+v.Name() != cur {
			left = append(left, filepath.Join(w.out, ".periods", v.Name()))
		}
	}
	return left
}

// fifoBuild is a build whose echarts.min.js is a FIFO the test serves.
type fifoBuild struct {
	cmd    *exec.Cmd
	fifo   string
	mu     sync.Mutex
	stderr bytes.Buffer
	lines  chan string
	done   chan struct{}
	err    error
}

func (w *ws) startFIFOBuild(t *testing.T, cmdName string, more ...string) *fifoBuild {
	t.Helper()
	fb := &fifoBuild{fifo: filepath.Join(w.dir, "echarts.min.js"), lines: make(chan string, 100), done: make(chan struct{})}
	if err := syscall.Mkfifo(fb.fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	fb.cmd = exec.Command(carportBin(t), w.buildArgs(cmdName, fb.fifo, more...)...)
	fb.cmd.Dir = w.dir
	fb.cmd.Env = append(os.Environ(), "TMPDIR="+w.stage)
	pipe, err := fb.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := fb.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			fb.mu.Lock()
			fb.stderr.WriteString(sc.Text() + "\n")
			fb.mu.Unlock()
		}
		fb.err = fb.cmd.Wait()
		close(fb.done)
	}()
	t.Cleanup(func() {
		fb.cmd.Process.Kill()
		<-fb.done
	})
	return fb
}

func (fb *fifoBuild) stderrText() string {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	return fb.stderr.String()
}

// holdsFIFO reports whether the build or one of its worker processes has
// the FIFO open: a reader still draining what was served. A reader
// blocked in open(2) holds no descriptor yet.
func (fb *fifoBuild) holdsFIFO() bool {
	for _, pid := range append([]int{fb.cmd.Process.Pid}, childPids(fb.cmd.Process.Pid)...) {
		fdDir := fmt.Sprintf("/proc/%d/fd", pid)
		ents, _ := os.ReadDir(fdDir)
		for _, e := range ents {
			if l, err := os.Readlink(filepath.Join(fdDir, e.Name())); err == nil && l == fb.fifo {
				return true
			}
		}
	}
	return false
}

// childPids are the processes whose parent is pid (a build's workers).
func childPids(pid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so read after the last ')'
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

// waitReader waits until the build blocks opening the FIFO to read it (a
// new read: the previous reader has closed it), and returns the FIFO
// opened for writing; false when the build ended first.
func (fb *fifoBuild) waitReader(t *testing.T) (*os.File, bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if fb.holdsFIFO() {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		fd, err := syscall.Open(fb.fifo, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err == nil {
			syscall.SetNonblock(fd, false)
			return os.NewFile(uintptr(fd), fb.fifo), true
		}
		select {
		case <-fb.done:
			return nil, false
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("the build never read %s\nstderr:\n%s", fb.fifo, fb.stderrText())
	return nil, false
}

// serve writes the real echarts.min.js to one waiting reader.
func (fb *fifoBuild) serve(t *testing.T, f *os.File, w *ws) {
	t.Helper()
	b, err := os.ReadFile(w.echarts())
	if err != nil {
		t.Fatal(err)
	}
	// EPIPE: the reader gave up (an interrupted build drops what it was
	// reading)
	if _, err := f.Write(b); err != nil && !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("serving echarts: %v", err)
	}
	f.Close()
}

func (fb *fifoBuild) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-fb.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("build did not end\nstderr:\n%s", fb.stderrText())
	}
	var ee *exec.ExitError
	if errors.As(fb.err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -int(ws.Signal())
		}
		return ee.ExitCode()
	}
	if fb.err != nil {
		t.Fatal(fb.err)
	}
	return 0
}

// TestInterruptDuringTheLastPartyPublishesNothing sends SIGINT, SIGTERM
// or SIGHUP while the last party is being rendered: the run exits 1,
// the previous period is byte-identical and no plaintext is left.
func TestInterruptDuringTheLastPartyPublishesNothing(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			w := newWS(t)
			w.mustBuild(t)
			before := w.snapshot(t)
			w.newIdentity(t, "SUPA") // something to publish if it went through
			fb := w.startFIFOBuild(t, "build")
			signalled := false
			for {
				f, ok := fb.waitReader(t)
				if !ok {
					break
				}
				if !signalled && strings.Contains(fb.stderrText(), "[6/7]") {
					// the last party is being rendered now
					if err := fb.cmd.Process.Signal(sig); err != nil {
						t.Fatal(err)
					}
					signalled = true
					time.Sleep(50 * time.Millisecond) // let the handler run before the read returns
				}
				fb.serve(t, f, w)
			}
			code := fb.exitCode(t)
			stderr := fb.stderrText()
			if !signalled {
				t.Fatalf("never reached the last party:\n%s", stderr)
			}
			if code != 1 {
				t.Errorf("exit code %d, want 1\n%s", code, stderr)
			}
			names := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM", syscall.SIGHUP: "SIGHUP"}
			if want := "carport: error: interrupted by " + names[sig] + ": nothing was published"; !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
			sameSnapshot(t, "after the interrupt", w.snapshot(t), before)
			if left := w.leftovers(t); len(left) != 0 {
				t.Errorf("left behind: %q", left)
			}
		})
	}
}

// TestConcurrentBuildRefusedThenStaleStagingSwept: a build blocked in its
// first party holds OUT; a second build of the same OUT fails at once; the
// first is then killed with SIGKILL (no cleanup can run), leaving its
// plaintext staging, and its worker dies with it; the next run removes
// that, naming it, and leaves a live run's staging alone.
func TestConcurrentBuildRefusedThenStaleStagingSwept(t *testing.T) {
	w := newWS(t)
	fb := w.startFIFOBuild(t, "build")
	f, ok := fb.waitReader(t) // the leak audit's read
	if !ok {
		t.Fatalf("build ended early:\n%s", fb.stderrText())
	}
	fb.serve(t, f, w)
	f, ok = fb.waitReader(t) // the first party's render: holding OUT and plaintext
	if !ok {
		t.Fatalf("build ended early:\n%s", fb.stderrText())
	}
	defer f.Close()

	start := time.Now()
	code, stderr := w.run(t, w.buildArgs("build", w.echarts())...)
	if code != 1 || !strings.Contains(stderr, "carport: error: "+w.out+": another carport run (pid ") || !strings.Contains(stderr, "is publishing into this folder: one build at a time") {
		t.Errorf("second build: exit %d\n%s", code, stderr)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the second build took %v to give up", d)
	}

	// the stale plaintext the killed build leaves
	var stages []string
	ents, _ := os.ReadDir(w.stage)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "carport-stage-") || strings.HasPrefix(e.Name(), "carport-sites-") {
			stages = append(stages, filepath.Join(w.stage, e.Name()))
		}
	}
	if len(stages) != 2 {
		t.Fatalf("stages of the running build: %q", stages)
	}
	estate, _ := filepath.Glob(filepath.Join(w.stage, "carport-stage-*", "engine", "estate", "*", "*", "devices.csv"))
	if len(estate) == 0 {
		t.Errorf("no estate files in %s: the test does not exercise stale plaintext", w.stage)
	}
	versions, _ := filepath.Glob(filepath.Join(w.out, ".periods", "2026-10-*"))
	if len(versions) != 1 {
		ents, _ := os.ReadDir(w.out)
		t.Errorf("versions in OUT while the first build runs: %q (OUT: %v)\n%s", versions, ents, fb.stderrText())
	}
	workers := childPids(fb.cmd.Process.Pid)
	if len(workers) != 1 {
		t.Errorf("worker processes of the build: %v, want 1 (--workers 1)", workers)
	}
	fb.cmd.Process.Kill()
	if code := fb.exitCode(t); code != -int(syscall.SIGKILL) {
		t.Fatalf("exit %d after SIGKILL", code)
	}
	// the kernel kills the workers of a dead build (PR_SET_PDEATHSIG);
	// until they are gone their stages count as alive
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var living []int
		for _, pid := range workers {
			if alive(pid) {
				living = append(living, pid)
			}
		}
		if len(living) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("workers %v outlived their build by 10 s", living)
		}
	}
	for _, s := range stages {
		if _, err := os.Stat(s); err != nil {
			t.Fatalf("the killed build's stage %s is already gone: %v", s, err)
		}
	}
	// a live run of someone else in the same root
	live, err := stage.New(w.stage, "carport-stage-")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Remove()

	stderr = w.mustBuild(t)
	for _, s := range stages {
		if want := "carport: removed " + s + " (plaintext staging of a run that is no longer alive)"; !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
		if _, err := os.Stat(s); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s survived: %v", s, err)
		}
	}
	if len(versions) == 1 && !strings.Contains(stderr, "carport: removed "+versions[0]+" (left in "+w.out+" by a build that did not finish)") {
		t.Errorf("the killed build's version in OUT was not removed:\n%s", stderr)
	}
	if _, err := os.Stat(live.Path); err != nil {
		t.Errorf("a live stage was removed: %v", err)
	}
	if left := w.leftovers(t); len(left) != 1 || left[0] != live.Path {
		t.Errorf("left: %q", left)
	}
}

// TestFolderInTheWayLeavesThePeriodAlone: a folder where a bundle belongs
// in the published period fails the run before anything changes.
func TestFolderInTheWayLeavesThePeriodAlone(t *testing.T) {
	w := newWS(t)
	w.mustBuild(t)
	in := filepath.Join(w.out, "2026-10", "SUPC.zip.age")
	os.Remove(in)
	os.Mkdir(in, 0o755)
	os.WriteFile(filepath.Join(in, "x"), []byte("x"), 0o644)
	before := w.snapshotExcept(t, in)
	w.newIdentity(t, "SUPA")
	code, stderr := w.run(t, w.buildArgs("build", w.echarts())...)
	if code != 1 || !strings.Contains(stderr, in+": a folder where a bundle belongs") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	sameSnapshot(t, "after the failed build", w.snapshotExcept(t, in), before)
}

func (w *ws) snapshotExcept(t *testing.T, skip string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	err := filepath.WalkDir(filepath.Join(w.out, "2026-10")+"/", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.IsDir() && p == skip {
				return filepath.SkipDir
			}
			return err
		}
		b, err := os.ReadFile(p)
		sum := sha256.Sum256(b)
		snap[p] = hex.EncodeToString(sum[:])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestPlantedLeakFailsTheBuild plants another party's MPAN in a template:
// the build fails naming the party, the file and the kind of leak, never
// the value, and publishes nothing.
func TestPlantedLeakFailsTheBuild(t *testing.T) {
	w := newWS(t)
	w.mustBuild(t)
	before := w.snapshot(t)
	tpl := filepath.Join(w.dir, "templates")
	if err := copyMissing(filepath.Join(w.repo, "templates"), tpl); err != nil {
		t.Fatal(err)
	}
	footer := filepath.Join(tpl, "layouts", "_partials", "footer.html")
	b, _ := os.ReadFile(footer)
	// SUPA and DNOA's electricity meter: foreign to every other party
	os.WriteFile(footer, append(b, []byte("\n<p>meter 1234567890123</p>\n")...), 0o644)
	args := w.buildArgs("build", w.echarts())
	for i, a := range args {
		if a == "--templates" {
			args[i+1] = tpl
		}
	}
	code, stderr := w.run(t, args...)
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s", code, stderr)
	}
	// every party but the meter's own fails; the workers decide which first
	if !regexp.MustCompile(`carport: error: party SUP[B-F]: leak audit failed`).MatchString(stderr) {
		t.Errorf("stderr names no party without the meter:\n%s", stderr)
	}
	for _, want := range []string{".html:", "an MPxN outside the party's estate (\"12\"… 13 characters)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "1234567890123") {
		t.Errorf("stderr prints the leaked MPxN:\n%s", stderr)
	}
	sameSnapshot(t, "after the leak", w.snapshot(t), before)
	if left := w.leftovers(t); len(left) != 0 {
		t.Errorf("left behind: %q", left)
	}
}

// history reads the history entry of 2026-10 (beside OUT): each party's
// figures as JSON.
func (w *ws) history(t *testing.T) map[string]string {
	t.Helper()
	e, err := history.ReadFile(filepath.Join(w.out+".history", "2026-10"+history.Ext), "2026-10")
	if err != nil || e == nil {
		t.Fatalf("the history of 2026-10: %v", err)
	}
	out := map[string]string{}
	for _, p := range e.Parties {
		b, _ := json.Marshal(p)
		out[p.ID] = string(b)
	}
	return out
}

// dccManifest reads OUT/2026-10/manifest.json.
func (w *ws) dccManifest(t *testing.T) map[string]map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.out, "2026-10", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Bundles []map[string]any `json:"bundles"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, e := range m.Bundles {
		out[e["party"].(string)] = e
	}
	return out
}

// TestRebuildsAreReproducibleAndWhole: two builds of the same inputs give
// byte-identical zips for every party (new ciphertexts); a party gone from
// parties.csv loses its bundle; --party replaces only that party's bundle.
func TestRebuildsAreReproducibleAndWhole(t *testing.T) {
	w := newWS(t)
	w.mustBuild(t)
	first := w.dccManifest(t)
	if len(first) != len(parties) {
		t.Fatalf("manifest lists %d bundles", len(first))
	}
	w.mustBuild(t)
	second := w.dccManifest(t)
	for _, p := range parties {
		a, b := first[p], second[p]
		if a["zip_sha256"] != b["zip_sha256"] || a["manifest_sha256"] != b["manifest_sha256"] {
			t.Errorf("%s: zip differs between two builds of the same inputs", p)
		}
		if a["sha256"] == b["sha256"] {
			t.Errorf("%s: the same ciphertext twice: age should use a new file key", p)
		}
	}
	// the zip inside really is the one listed
	dir := t.TempDir()
	if _, err := bundle.Open(bundle.OpenOptions{Bundle: filepath.Join(w.out, "2026-10", "SUPA.zip.age"), PublicKey: mustPub(t, w.pub),
		Identity: filepath.Join(w.ids, "SUPA.key"), To: filepath.Join(dir, "x")}); err != nil {
		t.Fatal(err)
	}

	// SUPF leaves parties.csv
	pc := filepath.Join(w.ext, "parties.csv")
	b, _ := os.ReadFile(pc)
	var keep []string
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if !strings.HasPrefix(l, "SUPF,") {
			keep = append(keep, l)
		}
	}
	os.WriteFile(pc, []byte(strings.Join(keep, "")), 0o644)
	sr := filepath.Join(w.ext, "service_requests.csv")
	b, _ = os.ReadFile(sr)
	keep = nil
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if !strings.Contains(l, ",SUPF,") {
			keep = append(keep, l)
		}
	}
	os.WriteFile(sr, []byte(strings.Join(keep, "")), 0o644)
	w.mustBuild(t)
	if _, err := os.Stat(filepath.Join(w.out, "2026-10", "SUPF.zip.age")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("SUPF.zip.age survived SUPF leaving parties.csv: %v", err)
	}

	// --party SUPA: only SUPA's bundle changes; the history entry keeps
	// every other party's figures as they were
	before := w.snapshot(t)
	histBefore := w.history(t)
	w.mustBuild(t, "--party", "SUPA")
	after := w.snapshot(t)
	histAfter := w.history(t)
	if len(histAfter) != len(histBefore) || len(histBefore) < 5 {
		t.Errorf("--party SUPA: the history entry holds %d parties, had %d", len(histAfter), len(histBefore))
	}
	for id, figs := range histBefore {
		if histAfter[id] != figs {
			t.Errorf("--party SUPA changed the history figures of %s", id)
		}
	}
	for p, s := range before {
		base := filepath.Base(p)
		changes := strings.HasPrefix(base, "SUPA.") || base == "manifest.json" || strings.HasSuffix(base, "run.json") || strings.HasSuffix(base, "run.html")
		if changes == (after[p] == s) {
			t.Errorf("--party SUPA: %s changed: %v, want %v", base, after[p] != s, changes)
		}
	}
	if len(after) != len(before) {
		t.Errorf("--party SUPA: %d files, had %d", len(after), len(before))
	}
}

func mustPub(t *testing.T, path string) *bundle.PublicKey {
	t.Helper()
	k, err := bundle.ReadPublicKey(path)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestResealAfterAKeyChange: SUPA loses its key and registers a new one;
// reseal re-issues SUPA's bundle, same content, to the new key only.
func TestResealAfterAKeyChange(t *testing.T) {
	w := newWS(t)
	w.mustBuild(t)
	was := w.dccManifest(t)["SUPA"]
	before := w.snapshot(t)
	histFile := filepath.Join(w.out+".history", "2026-10"+history.Ext)
	histBefore, err := os.ReadFile(histFile)
	if err != nil {
		t.Fatal(err)
	}
	oldID := filepath.Join(w.dir, "SUPA-old.key")
	os.Rename(filepath.Join(w.ids, "SUPA.key"), oldID)
	w.newIdentity(t, "SUPA")

	code, stderr := w.run(t, w.buildArgs("reseal", w.echarts(), "--party", "SUPA")...)
	if code != 0 {
		t.Fatalf("reseal exited %d\n%s", code, stderr)
	}
	now := w.dccManifest(t)["SUPA"]
	if now["manifest_sha256"] != was["manifest_sha256"] || now["zip_sha256"] != was["zip_sha256"] {
		t.Errorf("reseal changed the content: %v → %v", was, now)
	}
	if b, err := os.ReadFile(histFile); err != nil || !bytes.Equal(b, histBefore) {
		t.Errorf("reseal wrote the history (%v)", err)
	}
	after := w.snapshot(t)
	for p, s := range before {
		base := filepath.Base(p)
		if !strings.HasPrefix(base, "SUPA.") && base != "manifest.json" && !strings.HasSuffix(base, "run.json") && !strings.HasSuffix(base, "run.html") && after[p] != s {
			t.Errorf("reseal of SUPA changed %s", base)
		}
	}
	bundlePath := filepath.Join(w.out, "2026-10", "SUPA.zip.age")
	if _, err := bundle.Open(bundle.OpenOptions{Bundle: bundlePath, PublicKey: mustPub(t, w.pub), Identity: filepath.Join(w.ids, "SUPA.key"), To: filepath.Join(t.TempDir(), "new")}); err != nil {
		t.Errorf("the new identity cannot open the resealed bundle: %v", err)
	}
	_, err = bundle.Open(bundle.OpenOptions{Bundle: bundlePath, PublicKey: mustPub(t, w.pub), Identity: oldID, To: filepath.Join(t.TempDir(), "old")})
	if err == nil || !strings.Contains(err.Error(), "no identity in "+oldID+" matches this bundle") {
		t.Errorf("the old identity: %v", err)
	}

	// content that would change is refused: reseal never re-issues new content
	tpl := filepath.Join(w.dir, "templates")
	copyMissing(filepath.Join(w.repo, "templates"), tpl)
	footer := filepath.Join(tpl, "layouts", "_partials", "footer.html")
	b, _ := os.ReadFile(footer)
	os.WriteFile(footer, append(b, []byte("<p>changed</p>")...), 0o644)
	args := w.buildArgs("reseal", w.echarts(), "--party", "SUPA")
	for i, a := range args {
		if a == "--templates" {
			args[i+1] = tpl
		}
	}
	before = w.snapshot(t)
	code, stderr = w.run(t, args...)
	if code != 1 || !strings.Contains(stderr, "reseal: party SUPA: the content would change") {
		t.Errorf("reseal of changed content: exit %d\n%s", code, stderr)
	}
	sameSnapshot(t, "after a refused reseal", w.snapshot(t), before)
}

// TestOpenInterruptedRemovesItsFiles: SIGINT while carport open reads a
// bundle (from a FIFO, half written) leaves nothing beside --to.
func TestOpenInterruptedRemovesItsFiles(t *testing.T) {
	w := newWS(t)
	w.mustBuild(t)
	src := filepath.Join(w.out, "2026-10", "SUPA.zip.age")
	whole, _ := os.ReadFile(src)
	recv := filepath.Join(w.dir, "received") // not the folder we extract under
	os.Mkdir(recv, 0o755)
	fifo := filepath.Join(recv, "SUPA.zip.age")
	syscall.Mkfifo(fifo, 0o600)
	sig, _ := os.ReadFile(src + ".minisig")
	os.WriteFile(fifo+".minisig", sig, 0o644)
	parent := filepath.Join(w.dir, "opened")
	os.Mkdir(parent, 0o755)
	cmd := exec.Command(carportBin(t), "open", fifo, "-i", filepath.Join(w.ids, "SUPA.key"), "--pub", w.pub, "--to", filepath.Join(parent, "SUPA"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var f *os.File
	for f == nil {
		fd, err := syscall.Open(fifo, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err == nil {
			syscall.SetNonblock(fd, false)
			f = os.NewFile(uintptr(fd), fifo)
			break
		}
		select {
		case err := <-done:
			t.Fatalf("open ended before reading the bundle: %v\n%s", err, stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	f.Write(whole[:len(whole)/2])
	// wait for the private copy to appear beside --to
	deadline := time.Now().Add(time.Minute)
	for {
		m, _ := filepath.Glob(filepath.Join(parent, ".carport-open-*", "bundle.age"))
		if len(m) == 1 {
			if st, err := os.Stat(m[0]); err == nil && st.Size() > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("open never staged the bundle\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(50 * time.Millisecond)
	f.Write(whole[len(whole)/2:])
	f.Close()
	err := <-done
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("open: %v, want exit 1\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted by SIGINT: nothing was extracted") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Errorf("left beside --to: %v", ents)
	}
}
