package stage

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestMain lets the test binary be a run that makes a stage folder and is
// then killed.
func TestMain(m *testing.M) {
	if root := os.Getenv("STAGE_TEST_ROOT"); root != "" {
		d, err := New(root, "carport-stage-")
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		os.WriteFile(filepath.Join(d.Path, "estate.csv"), []byte("00-00-00-00-00-00-00-01,1234567890123\n"), 0o600)
		os.Stdout.WriteString(d.Path + "\n")
		time.Sleep(time.Hour) // until killed
	}
	os.Exit(m.Run())
}

func TestNewIsPrivateAndRemoved(t *testing.T) {
	root := t.TempDir()
	d, err := New(root, "carport-stage-")
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(d.Path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o700 {
		t.Errorf("mode %v, want 0700", info.Mode().Perm())
	}
	if base := filepath.Base(d.Path); len(base) <= len("carport-stage-") || base[:len("carport-stage-")] != "carport-stage-" {
		t.Errorf("name %q", base)
	}
	// a live stage is never swept, even by this same process
	removed, err := Sweep(root, "carport-stage-")
	if err != nil || len(removed) != 0 {
		t.Fatalf("Sweep of a live stage removed %q (%v)", removed, err)
	}
	if err := d.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.Path); !os.IsNotExist(err) {
		t.Errorf("stage still there: %v", err)
	}
	if err := d.Remove(); err != nil {
		t.Errorf("second Remove: %v", err)
	}
}

func TestWipeKeepsTheLock(t *testing.T) {
	root := t.TempDir()
	d, err := New(root, "carport-sites-")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Remove()
	os.MkdirAll(filepath.Join(d.Path, "sites", "X"), 0o700)
	os.WriteFile(filepath.Join(d.Path, "sites", "X", "index.html"), []byte("x"), 0o600)
	if err := d.Wipe(); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(d.Path)
	if len(ents) != 1 || ents[0].Name() != LockName {
		t.Errorf("after Wipe the stage holds %v", ents)
	}
	if removed, _ := Sweep(root, "carport-sites-"); len(removed) != 0 {
		t.Errorf("a wiped but live stage was swept: %q", removed)
	}
}

// TestSweepRemovesOnlyDeadStages kills a process holding a stage with
// SIGKILL and checks that Sweep removes that stage and only that: a live
// stage, a lock-less folder of an older carport, a folder of another
// prefix and a file are left alone.
func TestSweepRemovesOnlyDeadStages(t *testing.T) {
	root := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "STAGE_TEST_ROOT="+root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatal(err)
	}
	dead := line[:len(line)-1]

	live, err := New(root, "carport-stage-")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Remove()
	legacy := filepath.Join(root, "carport-stage-legacy")
	other := filepath.Join(root, "somebody-else-1")
	for _, d := range []string{legacy, other} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "carport-stage-file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}

	// while the child lives, nothing is removed
	if removed, err := Sweep(root, "carport-stage-"); err != nil || len(removed) != 0 {
		t.Fatalf("Sweep with every owner alive removed %q (%v)", removed, err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	removed, err := Sweep(root, "carport-stage-", "carport-sites-")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, []string{dead}) {
		t.Errorf("removed %q, want only %q", removed, dead)
	}
	for _, keep := range []string{live.Path, legacy, other, filepath.Join(root, "carport-stage-file")} {
		if _, err := os.Lstat(keep); err != nil {
			t.Errorf("%s was removed: %v", keep, err)
		}
	}
}
