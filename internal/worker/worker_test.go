package worker

// The pool against workers that misbehave: the test binary started again
// as a worker (TestMain) that speaks the protocol badly on purpose. The
// well-behaved worker is tested end to end by the builds of cmd/carport
// and internal/cli.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/site"
)

// modeEnv makes the test binary a worker of the named kind.
const modeEnv = "CARPORT_WORKER_TEST_MODE"

func TestMain(m *testing.M) {
	if mode := os.Getenv(modeEnv); mode != "" {
		os.Exit(fakeWorker(mode))
	}
	os.Exit(m.Run())
}

// fakeWorker is a worker process that answers the hello, then:
//
//	die:        exits 3 on its first task, saying so on stderr
//	other-sign: asks to sign another party's manifest.json
//	serve:      is a real worker (Serve), of version 0.0.1
func fakeWorker(mode string) int {
	out, err := Enter()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if mode == "serve" {
		if err := Serve(context.Background(), os.Stdin, out, "0.0.1"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	c := newConn(os.Stdin, out)
	if m, err := c.recv(); err != nil || m.Kind != kindHello {
		return 4
	}
	c.send(&message{Kind: kindReady})
	for {
		m, err := c.recv()
		if err != nil {
			return 0
		}
		switch mode {
		case "die":
			fmt.Fprintf(os.Stderr, "boom building %s\n", m.Task.Party)
			return 3
		case "other-sign":
			mj, _ := json.Marshal(bundle.Manifest{Period: m.Task.Manifest.Period, Party: "SUPB"})
			c.send(&message{Kind: kindData, Data: []byte("ciphertext so far")})
			c.send(&message{Kind: kindSign, Data: mj})
			if _, err := c.recv(); err != nil {
				return 0
			}
		}
	}
}

var signer = func() *bundle.Signer {
	pub, sec, err := bundle.GenerateSigningKey()
	if err != nil {
		panic(err)
	}
	p, err := bundle.ParsePublicKey(pub)
	if err != nil {
		panic(err)
	}
	s, err := bundle.ParseSigner(sec, p)
	if err != nil {
		panic(err)
	}
	return s
}()

func pool(t *testing.T, mode string, version string) (*Pool, error) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Start(Options{Workers: 2, Version: version, Signer: signer, Config: Config{AuditDir: t.TempDir()},
		Command: func() *exec.Cmd {
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), modeEnv+"="+mode)
			return cmd
		}})
}

func task(party string) Task {
	return Task{Party: party, Input: site.Input{PartyID: party},
		Manifest: bundle.Manifest{Period: "2026-10", Party: party, GeneratorVersion: "0.0.1"}}
}

// run sends the parties' jobs, bundles into out, to p.
func run(t *testing.T, p *Pool, out string, parties ...string) ([]Done, error) {
	t.Helper()
	jobs := make(chan Job, len(parties))
	for _, party := range parties {
		jobs <- Job{Task: task(party), Out: filepath.Join(out, party+".zip.age")}
	}
	close(jobs)
	var done []Done
	err := p.Run(context.Background(), jobs, func(d Done) error { done = append(done, d); return nil })
	return done, err
}

func TestWorkerOfAnotherVersionIsRefused(t *testing.T) {
	p, err := pool(t, "serve", "9.9.9")
	if want := "a worker process could not start: the worker is carport 0.0.1, the build carport 9.9.9"; err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	if p != nil {
		t.Errorf("a pool came back")
	}
}

// TestWorkerDeathFailsTheRun: a worker that exits mid-party fails the run
// with the party, the pid, the exit status and what it said; the other
// worker is killed, no bundle is left.
func TestWorkerDeathFailsTheRun(t *testing.T) {
	p, err := pool(t, "die", "0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	pids := p.Pids()
	out := t.TempDir()
	done, err := run(t, p, out, "SUPA", "SUPB", "SUPC")
	re := regexp.MustCompile(`^party (SUP[ABC]): the worker process building it \(pid (\d+)\) ended unexpectedly \(exit status 3\); it said: boom building (SUP[ABC])$`)
	m := re.FindStringSubmatch(fmt.Sprint(err))
	if m == nil || m[1] != m[3] || (m[2] != fmt.Sprint(pids[0]) && m[2] != fmt.Sprint(pids[1])) {
		t.Errorf("error %v, want one matching %s (pids %v)", err, re, pids)
	}
	if len(done) != 0 {
		t.Errorf("done: %v", done)
	}
	for _, pid := range pids {
		if _, err := os.FindProcess(pid); err == nil && processAlive(pid) {
			t.Errorf("worker %d still runs", pid)
		}
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("left in the output folder: %v", ents)
	}
}

// TestWorkerMaySignOnlyItsTasksManifest: a worker asking the parent to
// sign another party's manifest fails the run; the ciphertext it sent so
// far is removed.
func TestWorkerMaySignOnlyItsTasksManifest(t *testing.T) {
	p, err := pool(t, "other-sign", "0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	_, err = run(t, p, out, "SUPA")
	if want := `party SUPA: the worker asked to sign a manifest.json of party "SUPB", period "2026-10"`; err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("left in the output folder: %v", ents)
	}
}

func TestEnterRefusesWithoutItsBuild(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"", "the worker mode is started by carport build, not by hand"},
		{"1", "the worker mode is started by carport build, not by hand"},
		{fmt.Sprint(os.Getpid()), "the build that started this worker is gone"}, // not its parent
	} {
		t.Setenv(EnvParent, tc.env)
		if _, err := Enter(); err == nil || err.Error() != tc.want {
			t.Errorf("%s=%q: got %v, want %s", EnvParent, tc.env, err, tc.want)
		}
	}
}

// TestDataWriterChunks: ciphertext goes in messages of at most chunkSize,
// in order, nothing lost.
func TestDataWriterChunks(t *testing.T) {
	var wire bytes.Buffer
	c := newConn(&wire, &wire)
	w := &dataWriter{c: c, kind: kindData}
	want := bytes.Repeat([]byte("0123456789abcdef"), (3*chunkSize+100)/16)
	for rest := want; len(rest) > 0; {
		n := min(len(rest), 70000)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for {
		m, err := c.recv()
		if err != nil {
			break
		}
		if m.Kind != kindData || len(m.Data) > chunkSize {
			t.Fatalf("message %s of %d bytes", m.Kind, len(m.Data))
		}
		got = append(got, m.Data...)
	}
	if !bytes.Equal(got, want) || !strings.HasPrefix(string(got), "0123") {
		t.Errorf("got %d bytes, want %d", len(got), len(want))
	}
}

func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}
